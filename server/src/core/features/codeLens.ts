/*
 * Code lenses over `migrate_vma_setup()` calls: a "Simulate" lens that opens the simulator on a
 * Contract 2 scenario built from the call (its selection flags, owner, fault page, range length
 * and the kernel the message is judged against), and a one-line summary of what the call asks for.
 *
 * The scenario's pages are an illustration, not the real address space: a small mix of the page
 * states the call's selection treats differently, so the panel shows what is and is not collected.
 */
import type { Analysis, MessageAnalysis } from '../analyze';
import type { KernelSource } from '../findings';
import type { ApiCall, FieldValue, FunctionFacts, MigrateVmaStruct } from '../extract/types';
import type { DocRange, Pos } from '../ingest/types';
import { atLeast, type KernelVersion } from '../model/kernel';
import type { Scenario, ScenarioPage, ScenarioStep, SelectFlag, SetupStep } from '../model/scenario';
import { validateScenario } from '../model/simulate';
import { structFullyVisible } from '../rules/missing-select-flags';
import { cmpPos, locRange, messageAt, postFunctions } from './common';

export interface CallOrigin {
	/** 1-based document line of the call. */
	line: number;
	subject?: string;
	callText?: string;
}

export interface CallLens {
	/** The call, from the callee name to the closing parenthesis. */
	range: DocRange;
	messageIndex: number;
	quoteDepth: number;
	/** `setup · 6.1 (mail date) · flags SYSTEM · owner drm->dev · 16 pages`. */
	summary: string;
	scenario: Scenario;
	origin: CallOrigin;
}

/** Pages a lens scenario has at most (the panel draws every page). */
export const MAX_LENS_PAGES = 64;
/** Pages assumed when the range length cannot be read from the code. */
export const DEFAULT_LENS_PAGES = 8;

const SOURCE_TEXT: Readonly<Record<KernelSource, string>> = {
	'setting': 'setting',
	'tree': 'kernel tree',
	'base-commit': 'base-commit',
	'subject': 'subject',
	'date': 'mail date',
	'newest': 'newest',
};

const SELECT_NAMES: readonly SelectFlag[] = ['SYSTEM', 'DEVICE_PRIVATE', 'DEVICE_COHERENT', 'COMPOUND'];

function structOf(fn: FunctionFacts, callIndex: number): MigrateVmaStruct | undefined {
	return fn.structs.find((s) => s.callIndexes.includes(callIndex));
}

function selectFlags(v: FieldValue | undefined): SelectFlag[] | undefined {
	if (!v) {
		return undefined;
	}
	const out: SelectFlag[] = [];
	for (const f of v.flags) {
		const m = /^MIGRATE_VMA_SELECT_(\w+)$/.exec(f);
		if (m && (SELECT_NAMES as readonly string[]).includes(m[1]) && !out.includes(m[1] as SelectFlag)) {
			out.push(m[1] as SelectFlag);
		}
	}
	return out;
}

// ---- range length ---------------------------------------------------------------------------------

type Tok = { t: 'num'; v: number } | { t: 'op'; v: string };

function tokenize(s: string): Tok[] | undefined {
	const out: Tok[] = [];
	const re = /\s*(0[xX][0-9a-fA-F]+|\d+|<<|>>|[-+*/()])[uUlL]*/y;
	let i = 0;
	while (i < s.length) {
		if (/\s/.test(s[i])) {
			i++;
			continue;
		}
		re.lastIndex = i;
		const m = re.exec(s);
		if (!m) {
			return undefined;
		}
		const x = m[1];
		out.push(/^[0-9]/.test(x) ? { t: 'num', v: Number(x) } : { t: 'op', v: x });
		i = re.lastIndex;
	}
	return out;
}

/** Evaluates + - * / << >> and parentheses over integers; undefined on anything else. */
function evalArith(s: string): number | undefined {
	const toks = tokenize(s);
	if (!toks || toks.length === 0) {
		return undefined;
	}
	let i = 0;
	const all = toks;
	const peek = (): Tok | undefined => all[i];
	const isOp = (v: string): boolean => peek()?.t === 'op' && peek()!.v === v;
	const primary = (): number | undefined => {
		const t = peek();
		if (!t) {
			return undefined;
		}
		if (t.t === 'num') {
			i++;
			return t.v;
		}
		if (t.v === '(') {
			i++;
			const v = shift();
			if (!isOp(')')) {
				return undefined;
			}
			i++;
			return v;
		}
		if (t.v === '-') {
			i++;
			const v = primary();
			return v === undefined ? undefined : -v;
		}
		return undefined;
	};
	const mul = (): number | undefined => {
		let a = primary();
		while (a !== undefined && (isOp('*') || isOp('/'))) {
			const op = all[i++].v;
			const b = primary();
			if (b === undefined || (op === '/' && b === 0)) {
				return undefined;
			}
			a = op === '*' ? a * b : Math.trunc(a / b);
		}
		return a;
	};
	const add = (): number | undefined => {
		let a = mul();
		while (a !== undefined && (isOp('+') || isOp('-'))) {
			const op = all[i++].v;
			const b = mul();
			if (b === undefined) {
				return undefined;
			}
			a = op === '+' ? a + b : a - b;
		}
		return a;
	};
	function shift(): number | undefined {
		let a = add();
		while (a !== undefined && (isOp('<<') || isOp('>>'))) {
			const op = all[i++].v;
			const b = add();
			if (b === undefined || b < 0 || b > 52) {
				return undefined;
			}
			a = op === '<<' ? a * 2 ** b : Math.floor(a / 2 ** b);
		}
		return a;
	}
	const v = shift();
	return v !== undefined && i === all.length && Number.isFinite(v) ? v : undefined;
}

const KNOWN_CONSTANTS: Record<string, string> = {
	PAGE_SIZE: '4096',
	PAGE_SHIFT: '12',
	HPAGE_PMD_NR: '512',
	HPAGE_PMD_SIZE: '2097152',
	PMD_SIZE: '2097152',
	SZ_4K: '4096',
	SZ_64K: '65536',
	SZ_2M: '2097152',
};

function escapeRe(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The number of pages `[start, end)` covers when the code says it: end written relative to start
 * (`start + PAGE_SIZE`, `args.start + (n << PAGE_SHIFT)` with a constant n), or a handler range of
 * one page. Undefined when unknown.
 */
export function rangePages(s: MigrateVmaStruct | undefined, fn: FunctionFacts): number | undefined {
	const start = s?.fields.start;
	const end = s?.fields.end;
	if (end) {
		let text = end.resolved || end.text;
		const starts = [`${s!.name}.start`, `${s!.name}->start`];
		if (start) {
			starts.push(start.resolved, start.text);
		}
		for (const st of starts.filter((x) => x && x.length > 0).sort((a, b) => b.length - a.length)) {
			text = text.replace(new RegExp(`(^|[^\\w.>])${escapeRe(st)}(?![\\w])`, 'g'), '$10');
		}
		text = text.replace(/\b[A-Z][A-Z0-9_]*\b/g, (w) => KNOWN_CONSTANTS[w] ?? w);
		if (/^[\s\d()+\-*/<>xXa-fA-FuUlL]*$/.test(text) && !/[g-zG-Z_]/.test(text.replace(/0[xX][0-9a-fA-F]+|[uUlL]+/g, ''))) {
			const bytes = evalArith(text);
			if (bytes !== undefined && bytes > 0) {
				return Math.max(1, Math.ceil(bytes / 4096));
			}
		}
	}
	if (fn.migrateToRam) {
		return 1;
	}
	return undefined;
}

// ---- scenario -------------------------------------------------------------------------------------------

interface CallShape {
	kernel: KernelVersion;
	kernelText: string;
	flags?: SelectFlag[];
	/** The owner expression as written (`drm->dev`), when set. */
	owner?: string;
	srcOwner?: string;
	faultPage?: string;
	pages?: number;
	toDevice: boolean;
	/** The device pages' owner in the illustration (pgmap_owner, or the dev_pagemap owner, or a stand-in). */
	deviceOwner: string;
	/**
	 * Fields the patch does not show (the struct is set up out of view) and that the scenario
	 * assumes: the selection usual for the call's direction, the driver's own owner.
	 */
	assumed: { flags?: boolean; owner?: boolean };
}

function pageMix(shape: CallShape, n: number): ScenarioPage[] {
	const own = shape.deviceOwner;
	const coherentOk = atLeast(shape.kernel, '6.0');
	const dev = (shape.flags?.includes('DEVICE_COHERENT') && !shape.flags.includes('DEVICE_PRIVATE') && coherentOk)
		? (owner: string): ScenarioPage => ({ state: 'device-coherent', owner })
		: (owner: string): ScenarioPage => ({ state: 'device-private', owner, writable: true });
	const pattern: ScenarioPage[] = shape.toDevice
		? [
			{ state: 'system', writable: true },
			{ state: 'none' },
			{ state: 'system', writable: true },
			{ state: 'zero' },
			{ state: 'system', writable: false },
			{ state: 'system', writable: true, pinned: true },
			dev(own),
			{ state: 'device-private', owner: 'other-device', writable: true },
		]
		: [
			dev(own),
			dev(own),
			{ state: 'system', writable: true },
			dev(own),
			{ state: 'device-private', owner: 'other-device', writable: true },
			{ state: 'none' },
			dev(own),
			dev(own),
		];
	const pages: ScenarioPage[] = [];
	for (let i = 0; i < n; i++) {
		pages.push({ ...pattern[i % pattern.length] });
	}
	if (shape.faultPage !== undefined || !shape.toDevice) {
		pages[0] = { state: 'device-private', owner: own, writable: true };
	}
	return pages;
}

export function scenarioFor(shape: CallShape): Scenario {
	const n = Math.min(MAX_LENS_PAGES, Math.max(1, shape.pages ?? DEFAULT_LENS_PAGES));
	const v = shape.kernel;
	const setup: SetupStep = { op: 'setup', first: 0, count: n };
	if (atLeast(v, '5.9')) {
		setup.flags = shape.flags ?? [];
		setup.pgmapOwner = shape.owner ?? null;
	} else if (atLeast(v, '5.7')) {
		setup.srcOwner = shape.srcOwner ?? null;
	}
	if (shape.faultPage !== undefined && atLeast(v, '6.1')) {
		setup.faultPage = 0;
	}
	const steps: ScenarioStep[] = [
		setup,
		shape.toDevice
			? { op: 'copy', to: 'device-private', owner: shape.deviceOwner, skip: [] }
			: { op: 'copy', to: 'system', skip: [] },
		{ op: 'pages' },
		{ op: 'finalize' },
	];
	const notes = assumptionNotes(shape);
	return {
		title: shape.toDevice ? 'migrate_vma_setup call: system → device' : 'migrate_vma_setup call: device → system',
		...(notes ? { notes } : {}),
		kernel: shape.kernelText,
		vma: { anonymous: true, shared: false, read: true, write: true },
		pages: pageMix(shape, n),
		steps,
	};
}

/** What the scenario takes for granted because the patch does not show it, for the panel. */
function assumptionNotes(shape: CallShape): string | undefined {
	const parts: string[] = [];
	if (shape.assumed.flags && shape.flags) {
		parts.push(`flags ${shape.flags.map((f) => `MIGRATE_VMA_SELECT_${f}`).join(' | ')}`);
	}
	if (shape.assumed.owner && shape.owner) {
		parts.push(`pgmap_owner ${shape.owner}`);
	}
	if (parts.length === 0) {
		return undefined;
	}
	return `The patch does not show how the struct is set up before this call; assumed: ${parts.join(', ')}. Change them in the setup step if the code says otherwise.`;
}

function summaryOf(shape: CallShape, kernelSource: string, callee: string): string {
	const parts: string[] = [`${callee} · ${shape.kernelText} (${SOURCE_TEXT[kernelSource as KernelSource] ?? kernelSource})`];
	const v = shape.kernel;
	if (atLeast(v, '5.9')) {
		parts.push(shape.assumed.flags && shape.flags ? `flags not shown (${shape.flags.join(' | ')} assumed)`
			: shape.flags === undefined ? 'no flags (only holes)' : shape.flags.length === 0 ? 'flags unresolved' : `flags ${shape.flags.join(' | ')}`);
		parts.push(shape.assumed.owner && shape.owner ? `pgmap_owner not shown (${shape.owner} assumed)` : shape.owner ? `owner ${shape.owner}` : 'no pgmap_owner');
	} else if (atLeast(v, '5.7')) {
		parts.push(shape.srcOwner ? `src_owner ${shape.srcOwner} (device pages only)` : 'src_owner NULL (system pages)');
	}
	if (atLeast(v, '6.1')) {
		if (shape.faultPage) {
			parts.push(`fault_page ${shape.faultPage}`);
		} else if (!shape.toDevice) {
			parts.push('no fault_page');
		}
	}
	parts.push(shape.pages !== undefined ? `${shape.pages} page${shape.pages === 1 ? '' : 's'}` : `range unknown (${DEFAULT_LENS_PAGES} pages shown)`);
	return parts.join(' · ');
}

function ownerFromTables(m: MessageAnalysis): string | undefined {
	for (const f of m.facts?.files ?? []) {
		for (const fn of f.functions) {
			for (const p of fn.pgmaps) {
				if (p.fields.owner) {
					return p.fields.owner.text;
				}
			}
		}
		for (const t of f.tables) {
			if (t.type === 'dev_pagemap' && t.fields.owner) {
				return t.fields.owner.text;
			}
		}
	}
	return undefined;
}

function lensFor(m: MessageAnalysis, fn: FunctionFacts, call: ApiCall, index: number): CallLens {
	const s = structOf(fn, index);
	const fields = s?.fields ?? {};
	// A field the code does not set is 0 only when everything that sets up the struct is in view.
	const hidden = !s || !structFullyVisible(m.message, fn, s);
	const assumed: CallShape['assumed'] = {};
	let flags = selectFlags(fields.flags);
	let owner = fields.pgmap_owner?.text;
	if (hidden && atLeast(m.kernel.version, '5.9')) {
		if (flags === undefined) {
			flags = fn.migrateToRam ? ['DEVICE_PRIVATE'] : ['SYSTEM'];
			assumed.flags = true;
		}
		if (owner === undefined) {
			owner = ownerFromTables(m) ?? 'this-device';
			assumed.owner = true;
		}
	}
	const srcOwner = fields.src_owner?.text;
	const faultPage = fields.fault_page?.text;
	const selectsDevice = flags !== undefined && flags.some((f) => f === 'DEVICE_PRIVATE' || f === 'DEVICE_COHERENT');
	const toDevice = fn.migrateToRam
		? false
		: atLeast(m.kernel.version, '5.9')
			? !(selectsDevice && !flags!.includes('SYSTEM'))
			: atLeast(m.kernel.version, '5.7') ? !srcOwner : true;
	const shape: CallShape = {
		kernel: m.kernel.version,
		kernelText: m.kernel.text,
		flags,
		owner,
		srcOwner,
		faultPage,
		pages: rangePages(s, fn),
		toDevice,
		deviceOwner: owner ?? srcOwner ?? ownerFromTables(m) ?? 'this-device',
		assumed,
	};
	let scenario = scenarioFor(shape);
	if (validateScenario(scenario).errors.length > 0) {
		// Should not happen; fall back to the plainest scenario the kernel accepts.
		scenario = scenarioFor({ ...shape, flags: shape.flags?.filter((f) => f !== 'DEVICE_COHERENT' && f !== 'COMPOUND'), faultPage: undefined });
	}
	return {
		range: locRange(call.loc),
		messageIndex: m.message.index,
		quoteDepth: call.loc.quoteDepth,
		summary: summaryOf(shape, m.kernel.source, call.callee),
		scenario,
		origin: {
			line: call.loc.line + 1,
			subject: m.message.subject.raw || undefined,
			callText: `${call.callee}(${call.args.join(', ')})`,
		},
	};
}

/** One lens per `migrate_vma_setup()` call in the post image of every message, in document order. */
export function setupCallLenses(analysis: Analysis, maxLenses = 500): CallLens[] {
	const out: CallLens[] = [];
	for (const m of analysis.messages) {
		for (const fn of postFunctions(m)) {
			fn.calls.forEach((call, i) => {
				if (call.kind !== 'setup' || call.loc.lineKind === 'tree' || call.loc.lineKind === 'synthetic' || out.length >= maxLenses) {
					return;
				}
				out.push(lensFor(m, fn, call, i));
			});
		}
	}
	return out.sort((a, b) => cmpPos(a.range.start, b.range.start));
}

/**
 * The setup call for "Simulate Call at Cursor": the call at the position, else the nearest one
 * above it in the same message, else the first one after it in that message.
 */
export function lensNear(analysis: Analysis, pos: Pos): CallLens | undefined {
	const m = messageAt(analysis, pos);
	if (!m) {
		return undefined;
	}
	const lenses = setupCallLenses({ ...analysis, messages: [m] });
	let best: CallLens | undefined;
	for (const l of lenses) {
		if (cmpPos(l.range.start, pos) <= 0) {
			best = l;
		}
	}
	return best ?? lenses[0];
}
