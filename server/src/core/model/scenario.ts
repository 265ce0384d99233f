/*
 * Contract 2 (../shared/DESIGN.md): simulator scenarios and results, as JSON.
 * The CLI (`migrate-lens simulate`), the simulator panel and the code lens all speak these types.
 */

export type PageState = 'none' | 'zero' | 'system' | 'file' | 'swap' | 'device-private' | 'device-coherent';

export interface ScenarioPage {
	state: PageState;
	/** Owner of a device page (its `dev_pagemap.owner`). */
	owner?: string;
	writable?: boolean;
	/** Holds an extra reference (a GUP pin) for the whole scenario. */
	pinned?: boolean;
	/** Locked by the caller. */
	locked?: boolean;
	/** Head page of a PMD-mapped large folio (its tail pages follow). */
	pmd?: boolean;
}

export interface ScenarioVma {
	anonymous?: boolean;
	shared?: boolean;
	read?: boolean;
	write?: boolean;
	special?: boolean;
	hugetlb?: boolean;
	dax?: boolean;
}

export type SelectFlag = 'SYSTEM' | 'DEVICE_PRIVATE' | 'DEVICE_COHERENT' | 'COMPOUND';

export interface SetupStep {
	op: 'setup';
	flags?: SelectFlag[];
	pgmapOwner?: string | null;
	/** 5.7–5.8 only. */
	srcOwner?: string | null;
	first: number;
	count: number;
	faultPage?: number | null;
	/** Optional: a vma pointer that is NULL, a NULL src or dst array (argument-check scenarios). */
	vmaNull?: boolean;
	srcNull?: boolean;
	dstNull?: boolean;
}

export interface CopyStep {
	op: 'copy';
	to: 'system' | 'device-private' | 'device-coherent';
	owner?: string;
	/** Page indexes (from the vma start) the driver leaves without a destination. */
	skip?: number[];
	/** 6.19+: give PMD-sized destinations. */
	compound?: boolean;
}

export type ScenarioStep =
	| SetupStep
	| CopyStep
	| { op: 'pages' }
	| { op: 'finalize' }
	| { op: 'pin'; first: number; count: number; longterm?: boolean }
	| { op: 'unpin'; first: number; count: number }
	| { op: 'cpu-fault'; page: number };

export interface Scenario {
	kernel: string;
	vma: ScenarioVma;
	pages: ScenarioPage[];
	steps: ScenarioStep[];
	/** Ignored by the simulator; kept for people. */
	title?: string;
	notes?: string;
	[extra: string]: unknown;
}

export interface SrcEntry {
	/** `MIGRATE_PFN_*` suffixes: VALID, MIGRATE, WRITE, LOCKED (kernels that have it), COMPOUND. */
	flags: string[];
	why: string;
}

export interface FinalPage {
	state: PageState;
	owner?: string;
	writable?: boolean;
	pinned?: boolean;
	locked?: boolean;
	pmd?: boolean;
}

export interface Notification {
	event: string;
	owner: string | null;
	first: number;
	count: number;
	/** Which step raised it (index into `steps`). */
	step?: number;
}

export interface StepResult {
	op: ScenarioStep['op'];
	/** setup: the return value (0 or -22). pin: the number of pages pinned or a negative errno. cpu-fault: a VM_FAULT_* name or 0. */
	ret?: number | string;
	cpages?: number;
	npages?: number;
	src?: SrcEntry[];
	dst?: SrcEntry[];
	migrated?: boolean[];
	why?: string[] | string;
	[extra: string]: unknown;
}

export interface SimResult {
	kernel: string;
	steps: StepResult[];
	notifications: Notification[];
	final: FinalPage[];
	errors: string[];
}
