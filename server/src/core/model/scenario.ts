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
	/**
	 * 6.15+: whether the caller holds the fault page locked (default true, as do_swap_page does).
	 * false exercises setup's "fault_page not locked" check. Before 6.15 the core locks the fault
	 * page itself during collection and this key is ignored.
	 */
	faultPageLocked?: boolean;
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

export interface PagesStep {
	op: 'pages';
}

export interface FinalizeStep {
	op: 'finalize';
}

/** pin_user_pages() over pages [first, first+count) of the vma (FOLL_PIN, plus FOLL_LONGTERM if longterm). */
export interface PinStep {
	op: 'pin';
	first: number;
	count: number;
	longterm?: boolean;
	/**
	 * FOLL_WRITE (default true): empty, zero-page and read-only pages are faulted in writable. A vma
	 * without VM_WRITE (or, for a read pin, without VM_READ) makes the whole step -EFAULT.
	 */
	write?: boolean;
}

/** Drops the pins an earlier pin step took on [first, first+count). */
export interface UnpinStep {
	op: 'unpin';
	first: number;
	count: number;
}

/**
 * A CPU access to one page. On a device-private page this runs the owning driver's
 * migrate_to_ram() handler, modelled as a well-behaved driver unless told otherwise.
 */
export interface CpuFaultStep {
	op: 'cpu-fault';
	page: number;
	/** A write access (default false). Without VM_WRITE (or any access without VM_READ) the result is VM_FAULT_SIGSEGV. */
	write?: boolean;
	/** 6.1+: whether the handler passes fault_page = vmf->page (default true). */
	passFaultPage?: boolean;
	/** The pgmap_owner (src_owner on 5.7–5.8) the handler passes; default the page's owner. */
	pgmapOwner?: string | null;
	/** The selection flags the handler passes (5.9+); default DEVICE_PRIVATE (+COMPOUND for a PMD on 6.19+). */
	flags?: SelectFlag[];
}

export type ScenarioStep =
	| SetupStep
	| CopyStep
	| PagesStep
	| FinalizeStep
	| PinStep
	| UnpinStep
	| CpuFaultStep;

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
	/** Still behind a migration entry of a setup that was never finalized. */
	migrating?: boolean;
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
	/**
	 * setup: the return value (0 or -22). pin: the number of pages pinned or a negative errno.
	 * unpin: the number of pages unpinned. cpu-fault: a VM_FAULT_* name or 0.
	 */
	ret?: number | string;
	/** setup (and the handler of a cpu-fault): entries selected after the unmap step. */
	cpages?: number;
	npages?: number;
	/** setup: the range, as page indexes from the vma start. */
	first?: number;
	count?: number;
	/** setup: src after setup; pages: src after migrate_vma_pages() (failures lost MIGRATE); cpu-fault: the handler's src. */
	src?: SrcEntry[];
	/** copy: what the driver stored in dst (flags use the MIGRATE_PFN_* suffixes). */
	dst?: SrcEntry[];
	/** copy: how many dst entries were filled. */
	filled?: number;
	/** pages (and cpu-fault): per entry, whether it migrated. */
	migrated?: boolean[];
	/** finalize: pages now mapped from their destination / restored to their source. */
	moved?: number;
	restored?: number;
	/** pin: per page of the range, whether this step pinned it. */
	pinned?: boolean[];
	/** cpu-fault: the faulting page and the handler that ran (`dev_pagemap_ops.migrate_to_ram`, …). */
	page?: number;
	handler?: string;
	/** Per entry (pages, pin) or for the whole step (setup -22, cpu-fault, finalize, …). */
	why?: string[] | string;
	[extra: string]: unknown;
}

export interface SimResult {
	kernel: string;
	steps: StepResult[];
	notifications: Notification[];
	final: FinalPage[];
	/** Malformed scenario: non-empty means nothing was simulated (exit status 2). */
	errors: string[];
	/**
	 * Things a reviewer should know that are not errors: keys ignored on this kernel (with what
	 * was used instead), a setup never finalized, finalize without migrate_vma_pages(), …
	 */
	warnings: string[];
}
