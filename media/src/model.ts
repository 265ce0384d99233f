/*
 * The view model of the simulator: runs the core simulator over a scenario and turns its result
 * into phases (before, then after each step) and one cell per page per phase. Pure: the page map,
 * the details pane, the review comment and the tests all read the same cells.
 */

import type { FinalPage, Notification, PageState, Scenario, ScenarioPage, ScenarioStep, SimResult, StepResult } from '../../server/src/core/model/scenario.ts';

export type SimulateFn = (input: unknown) => SimResult;

/** What one step did to one page, in words short enough for a badge. */
export type CellMark =
	| 'selected' | 'not-selected' | 'empty-slot' | 'in-unit'
	| 'filled' | 'skipped'
	| 'migrated' | 'failed'
	| 'moved' | 'restored' | 'untouched'
	| 'pinned' | 'pin-migrated' | 'pin-failed' | 'unpinned'
	| 'fault' | 'fault-failed' | 'accessed'
	| 'none';

export interface Cell {
	index: number;
	/** The page as it is after this phase. */
	page: FinalPage;
	/** Inside the range the phase's step works on. */
	inRange: boolean;
	/** The step's verdict on this page (`none` outside its range or for phase 0). */
	mark: CellMark;
	/** `MIGRATE_PFN_*` suffixes of the src entry from the latest setup at or before this phase. */
	srcFlags?: string[];
	/** `MIGRATE_PFN_*` suffixes of the dst entry, when the simulator reports them. */
	dstFlags?: string[];
	/** The simulator's explanation for this page at this phase (or the setup's, if the step has none). */
	why?: string;
	/** A one-line label for screen readers and the tooltip. */
	label: string;
}

export interface Phase {
	/** 0 = before; k = after step k-1. */
	index: number;
	/** Index into `scenario.steps`, or -1 for "before". */
	step: number;
	op: ScenarioStep['op'] | 'before';
	title: string;
	/** One line about the step's parameters, e.g. `flags SYSTEM · owner gpu0 · pages 0–15`. */
	detail: string;
	result?: StepResult;
	/** Short result for the stepper chip, e.g. `ret 0 · cpages 9`. */
	outcome: string;
	/** True when the step's result is an error (negative return, SIGBUS). */
	failed: boolean;
	/** Pages [first, first+count) the step works on (empty for "before"). */
	first: number;
	count: number;
}

export interface View {
	scenario: Scenario;
	result: SimResult;
	phases: Phase[];
	/** `cells[phase][page]`, built lazily by {@link cellsAt}. */
	cellCache: Map<number, Cell[]>;
	/** Page states after each phase (index as `phases`), filled lazily by {@link statesAt}. */
	pagesAt: (FinalPage[] | undefined)[];
	/** The simulator, kept for the lazy prefix runs. */
	simulate: SimulateFn;
	/** Owners of devices in the scenario, "our" driver first. */
	drivers: string[];
	/** The owner the migrating driver uses (setup's pgmapOwner/srcOwner, else the copy owner). */
	ownOwner: string | null;
	/** Time spent in the simulator (ms), for the status line. */
	simulateMs: number;
}

export const PAGE_STATE_LABEL: Record<PageState, string> = {
	'none': 'hole (pte_none)',
	'zero': 'zero page',
	'system': 'system anon',
	'file': 'file / shmem',
	'swap': 'swapped out',
	'device-private': 'device-private',
	'device-coherent': 'device-coherent',
};

export const MARK_LABEL: Record<CellMark, string> = {
	'selected': 'selected',
	'not-selected': 'not selected',
	'empty-slot': 'empty slot selected',
	'in-unit': 'part of a COMPOUND unit',
	'filled': 'destination given',
	'skipped': 'left without destination',
	'migrated': 'migrated',
	'failed': 'not migrated',
	'moved': 'now at its destination',
	'restored': 'put back where it was',
	'untouched': 'not part of the migration',
	'pinned': 'pinned',
	'pin-migrated': 'migrated, then pinned',
	'pin-failed': 'pin failed',
	'unpinned': 'unpinned',
	'fault': 'faulted back',
	'fault-failed': 'fault not resolved',
	'accessed': 'touched by the CPU',
	'none': '',
};

function stepRange(step: ScenarioStep, activeSetup: { first: number; count: number } | undefined): { first: number; count: number } {
	switch (step.op) {
		case 'setup':
		case 'pin':
		case 'unpin':
			return { first: step.first, count: step.count };
		case 'cpu-fault':
			return { first: step.page, count: 1 };
		default:
			return activeSetup ?? { first: 0, count: 0 };
	}
}

function pageOf(page: ScenarioPage | FinalPage | undefined): FinalPage {
	if (!page || typeof page !== 'object') {
		return { state: 'none' };
	}
	const out: FinalPage = { state: page.state };
	if (page.owner !== undefined) {
		out.owner = page.owner;
	}
	const raw = page as FinalPage;
	for (const key of ['writable', 'pinned', 'locked', 'pmd', 'migrating'] as const) {
		if (raw[key] !== undefined) {
			out[key] = raw[key];
		}
	}
	return out;
}

function samePlace(a: FinalPage, b: FinalPage): boolean {
	return a.state === b.state && (a.owner ?? null) === (b.owner ?? null);
}

function safeSimulate(simulate: SimulateFn, input: Scenario): SimResult {
	try {
		return simulate(input);
	} catch (err) {
		return { kernel: String(input.kernel), steps: [], notifications: [], final: [], warnings: [], errors: [`The simulator failed: ${err instanceof Error ? err.message : String(err)}`] };
	}
}

function owners(scenario: Scenario): { drivers: string[]; own: string | null } {
	let own: string | null = null;
	const found = new Set<string>();
	for (const step of scenario.steps ?? []) {
		if (step && step.op === 'setup') {
			const o = step.pgmapOwner ?? step.srcOwner;
			if (typeof o === 'string' && o !== '') {
				own ??= o;
				found.add(o);
			}
		} else if (step && step.op === 'copy' && typeof step.owner === 'string' && step.owner !== '') {
			own ??= step.owner;
			found.add(step.owner);
		}
	}
	for (const page of scenario.pages ?? []) {
		if (page && typeof page.owner === 'string' && page.owner !== '' && (page.state === 'device-private' || page.state === 'device-coherent')) {
			found.add(page.owner);
		}
	}
	const drivers = [...found].sort((a, b) => (a === own ? -1 : b === own ? 1 : a.localeCompare(b)));
	return { drivers, own };
}

function retText(ret: StepResult['ret']): string {
	if (ret === undefined) {
		return '';
	}
	if (typeof ret === 'number' && ret < 0) {
		const names: Record<number, string> = { [-22]: '-EINVAL', [-16]: '-EBUSY', [-14]: '-EFAULT', [-12]: '-ENOMEM', [-1]: '-EPERM' };
		return names[ret] ?? String(ret);
	}
	return String(ret);
}

function isFailure(result: StepResult | undefined): boolean {
	if (!result) {
		return false;
	}
	if (typeof result.ret === 'number') {
		return result.ret < 0;
	}
	return typeof result.ret === 'string' && /SIGBUS|OOM|ERROR/i.test(result.ret);
}

function rangeText(first: number, count: number): string {
	if (count <= 0) {
		return `no pages (at ${first})`;
	}
	return count === 1 ? `page ${first}` : `pages ${first}–${first + count - 1}`;
}

function describeStep(step: ScenarioStep, range: { first: number; count: number }, kernelHasFlags: boolean): { title: string; detail: string } {
	switch (step.op) {
		case 'setup': {
			const parts: string[] = [];
			if (step.srcOwner !== undefined && step.srcOwner !== null) {
				parts.push(`src_owner ${step.srcOwner}`);
			}
			if (step.flags !== undefined || kernelHasFlags) {
				parts.push(`flags ${step.flags && step.flags.length ? step.flags.join('|') : '0'}`);
			}
			if (step.pgmapOwner !== undefined && step.pgmapOwner !== null) {
				parts.push(`owner ${step.pgmapOwner}`);
			}
			parts.push(rangeText(range.first, range.count));
			if (step.faultPage !== undefined && step.faultPage !== null) {
				parts.push(`fault_page ${step.faultPage}`);
			}
			return { title: 'migrate_vma_setup', detail: parts.join(' · ') };
		}
		case 'copy': {
			const skip = step.skip && step.skip.length ? ` · skip ${step.skip.length}` : '';
			return { title: 'driver copy', detail: `to ${step.to}${step.owner ? ` of ${step.owner}` : ''}${skip}` };
		}
		case 'pages':
			return { title: 'migrate_vma_pages', detail: rangeText(range.first, range.count) };
		case 'finalize':
			return { title: 'migrate_vma_finalize', detail: rangeText(range.first, range.count) };
		case 'pin':
			return { title: step.longterm ? 'pin FOLL_LONGTERM' : 'pin (short-term)', detail: rangeText(step.first, step.count) };
		case 'unpin':
			return { title: 'unpin', detail: rangeText(step.first, step.count) };
		case 'cpu-fault':
			return { title: 'CPU fault', detail: `page ${step.page}` };
		default:
			return { title: String((step as { op?: unknown }).op ?? 'step'), detail: '' };
	}
}

function outcomeOf(step: ScenarioStep, result: StepResult | undefined): string {
	if (!result) {
		return '';
	}
	const parts: string[] = [];
	if (result.ret !== undefined && step.op !== 'unpin') {
		parts.push(`ret ${retText(result.ret)}`);
	}
	if (typeof result.cpages === 'number') {
		parts.push(`cpages ${result.cpages}`);
	}
	if (step.op === 'copy') {
		const filled = typeof result.filled === 'number' ? result.filled : Array.isArray(result.dst) ? result.dst.filter((d) => d.flags.includes('VALID')).length : undefined;
		if (filled !== undefined) {
			parts.push(`${filled} filled`);
		}
	}
	if (Array.isArray(result.migrated) && step.op === 'pages') {
		parts.push(`${result.migrated.filter(Boolean).length}/${result.migrated.length} migrated`);
	}
	if (step.op === 'finalize' && typeof result.moved === 'number') {
		parts.push(`${result.moved} moved`, `${typeof result.restored === 'number' ? result.restored : 0} restored`);
	}
	if (step.op === 'unpin' && typeof result.ret === 'number') {
		parts.push(`${result.ret} unpinned`);
	}
	return parts.join(' · ');
}

/** Runs the simulator and builds the phases. Never throws. */
export function computeView(scenario: Scenario, simulate: SimulateFn, now: () => number = () => Date.now()): View {
	const started = now();
	const result = safeSimulate(simulate, scenario);
	if (!Array.isArray(result.warnings)) {
		result.warnings = [];
	}
	const steps = Array.isArray(scenario.steps) ? scenario.steps : [];
	const pages = Array.isArray(scenario.pages) ? scenario.pages : [];
	const pagesAt: (FinalPage[] | undefined)[] = [pages.map(pageOf)];
	const ok = result.errors.length === 0 && result.steps.length === steps.length;
	if (ok && steps.length > 0) {
		pagesAt[steps.length] = pages.map((_, i) => pageOf(result.final[i]));
	}
	const simulateMs = now() - started;
	const { drivers, own } = owners(scenario);
	const kernelHasFlags = steps.some((s) => s && s.op === 'setup' && s.flags !== undefined);
	const phases: Phase[] = [{ index: 0, step: -1, op: 'before', title: 'Before', detail: `${pages.length} page${pages.length === 1 ? '' : 's'}`, outcome: '', failed: false, first: 0, count: 0 }];
	if (ok) {
		let activeSetup: { first: number; count: number } | undefined;
		steps.forEach((step, k) => {
			const res = result.steps[k];
			const range = stepRange(step, activeSetup);
			if (step.op === 'setup') {
				activeSetup = range;
			}
			if (step.op === 'cpu-fault' && Array.isArray(res?.src) && res.src.length > 1) {
				// The handler migrated the whole PMD unit around the faulting page.
				range.first = step.page - (step.page % res.src.length);
				range.count = res.src.length;
			}
			const { title, detail } = describeStep(step, range, kernelHasFlags);
			phases.push({ index: k + 1, step: k, op: step.op, title, detail, result: res, outcome: outcomeOf(step, res), failed: isFailure(res), first: range.first, count: range.count });
		});
	}
	return { scenario, result, phases, cellCache: new Map(), pagesAt, simulate, drivers, ownOwner: own, simulateMs };
}

/**
 * Page states after phase k. The simulator reports only the end state, so a state between steps
 * comes from simulating that prefix of the steps (on demand, then cached).
 */
export function statesAt(view: View, k: number): FinalPage[] {
	const last = view.phases.length - 1;
	const index = Math.max(0, Math.min(k, last));
	const cached = view.pagesAt[index];
	if (cached) {
		return cached;
	}
	const pages = view.scenario.pages;
	const partial = safeSimulate(view.simulate, { ...view.scenario, steps: view.scenario.steps.slice(0, index) });
	const states = partial.errors.length === 0 && partial.final.length === pages.length
		? pages.map((_, i) => pageOf(partial.final[i]))
		: statesAt(view, index - 1);
	view.pagesAt[index] = states;
	return states;
}

function whyAt(result: StepResult | undefined, rel: number): string | undefined {
	if (!result) {
		return undefined;
	}
	if (Array.isArray(result.why)) {
		const w = result.why[rel];
		return typeof w === 'string' ? w : undefined;
	}
	return typeof result.why === 'string' ? result.why : undefined;
}

/** The phase whose src[] is current at `phase`: the latest setup or pages step, back to the latest setup. */
function srcPhase(view: View, phase: number): Phase | undefined {
	for (let p = phase; p >= 1; p--) {
		const ph = view.phases[p];
		if ((ph.op === 'setup' || ph.op === 'pages') && Array.isArray(ph.result?.src)) {
			return ph;
		}
		if (ph.op === 'setup') {
			return undefined;
		}
	}
	return undefined;
}

/** The copy phase whose dst[] is current at `phase` (since the latest setup). */
function dstPhase(view: View, phase: number): Phase | undefined {
	for (let p = phase; p >= 1; p--) {
		const ph = view.phases[p];
		if (ph.op === 'copy') {
			return ph;
		}
		if (ph.op === 'setup') {
			return undefined;
		}
	}
	return undefined;
}

/** The setup phase that opened the migration `phase` belongs to. */
function setupBefore(view: View, phase: number): Phase | undefined {
	for (let p = phase; p >= 1; p--) {
		if (view.phases[p].op === 'setup') {
			return view.phases[p];
		}
	}
	return undefined;
}

const FINALIZE_WHY: Partial<Record<CellMark, string>> = {
	moved: 'finalize replaced the migration entry with a mapping of the new page, then unlocked and released both pages.',
	restored: 'finalize put the original page back in place (no destination, or migrate_vma_pages() refused it) and released the destination, if any.',
	untouched: 'Not part of this migration: its src entry was 0, so finalize had nothing to do here.',
};

function markFor(phase: Phase, rel: number, before: FinalPage, after: FinalPage, setupEntry: { flags: string[] } | undefined, migrated: boolean | undefined): CellMark {
	const result = phase.result;
	switch (phase.op) {
		case 'setup': {
			if (!result || (typeof result.ret === 'number' && result.ret < 0)) {
				return 'not-selected';
			}
			const entry = result.src?.[rel];
			if (!entry || !entry.flags.includes('MIGRATE')) {
				// A tail slot of a PMD-sized unit is 0 but travels with its head (6.19+).
				const head = result.src?.[rel - ((phase.first + rel) % 512)];
				if (head && head !== entry && head.flags.includes('COMPOUND') && head.flags.includes('MIGRATE')) {
					return 'in-unit';
				}
				return 'not-selected';
			}
			return entry.flags.includes('VALID') ? 'selected' : 'empty-slot';
		}
		case 'copy': {
			const dst = result?.dst?.[rel];
			return dst && dst.flags.includes('VALID') ? 'filled' : 'skipped';
		}
		case 'pages': {
			const migrated = result?.migrated?.[rel];
			if (migrated === undefined) {
				return 'none';
			}
			return migrated ? 'migrated' : 'failed';
		}
		case 'finalize':
			// migrate_vma_pages() decided; a page can move to another page of the same device.
			if (migrated === true || (migrated === undefined && !samePlace(before, after))) {
				return 'moved';
			}
			return setupEntry && setupEntry.flags.includes('MIGRATE') ? 'restored' : 'untouched';
		case 'pin': {
			const pinned = result?.pinned;
			const ok = Array.isArray(pinned) ? pinned[rel] === true : !isFailure(result);
			if (!ok) {
				return 'pin-failed';
			}
			return samePlace(before, after) ? 'pinned' : 'pin-migrated';
		}
		case 'unpin':
			return 'unpinned';
		case 'cpu-fault': {
			if (isFailure(result)) {
				return 'fault-failed';
			}
			const migrated = result?.migrated?.[rel];
			if (Array.isArray(result?.migrated)) {
				return migrated ? 'fault' : 'fault-failed';
			}
			return result?.ok === false ? 'fault-failed' : 'accessed';
		}
		default:
			return 'none';
	}
}

function pageDescription(page: FinalPage): string {
	const parts = [PAGE_STATE_LABEL[page.state] ?? page.state];
	if (page.owner && (page.state === 'device-private' || page.state === 'device-coherent')) {
		parts[0] += ` of ${page.owner}`;
	}
	if (page.pmd) {
		parts.push('PMD head');
	}
	if (page.writable === false && page.state !== 'none' && page.state !== 'zero') {
		parts.push('read-only');
	}
	if (page.pinned) {
		parts.push('pinned');
	}
	if (page.locked) {
		parts.push('locked');
	}
	if (page.migrating) {
		parts.push('behind a migration entry');
	}
	return parts.join(', ');
}

/** The cells of one phase (cached on the view). */
export function cellsAt(view: View, phaseIndex: number): Cell[] {
	const cached = view.cellCache.get(phaseIndex);
	if (cached) {
		return cached;
	}
	const phase = view.phases[phaseIndex] ?? view.phases[0];
	const now = statesAt(view, phase.index);
	const prev = phase.index > 0 ? statesAt(view, phase.index - 1) : now;
	const setup = setupBefore(view, phase.index);
	// For finalize, compare with the state before the migration began (before its setup ran).
	const base = phase.op === 'finalize' && setup ? statesAt(view, setup.index - 1) : prev;
	const srcFrom = phase.op === 'cpu-fault' ? phase : srcPhase(view, phase.index);
	// The verdict of migrate_vma_pages() for this migration, when it ran before this phase.
	const pagesFrom = phase.op === 'finalize' && srcFrom?.op === 'pages' ? srcFrom : undefined;
	const dstFrom = phase.op === 'cpu-fault' ? undefined : dstPhase(view, phase.index);
	const cells: Cell[] = now.map((page, index) => {
		const inRange = phase.index > 0 && index >= phase.first && index < phase.first + phase.count;
		const rel = index - phase.first;
		const setupEntry = setup ? setup.result?.src?.[index - setup.first] : undefined;
		const migrated = pagesFrom?.result?.migrated?.[index - pagesFrom.first];
		const mark: CellMark = inRange ? markFor(phase, rel, base[index], page, setupEntry, migrated) : 'none';
		const srcEntry = srcFrom?.result?.src?.[index - srcFrom.first];
		const dstEntry = dstFrom?.result?.dst?.[index - dstFrom.first];
		let why: string | undefined;
		if (inRange) {
			if (phase.op === 'setup') {
				why = phase.result?.src?.[rel]?.why;
			} else if (phase.op === 'copy') {
				why = phase.result?.dst?.[rel]?.why;
			} else if (phase.op === 'finalize') {
				why = whyAt(phase.result, rel) ?? FINALIZE_WHY[mark];
			} else {
				why = whyAt(phase.result, rel);
			}
		}
		const markText = MARK_LABEL[mark];
		const label = `Page ${index}: ${pageDescription(page)}${markText ? ` — ${markText}` : ''}${!inRange && phase.index > 0 ? ' (outside this step\'s range)' : ''}`;
		return { index, page, inRange, mark, srcFlags: srcEntry?.flags, dstFlags: dstEntry?.flags, why, label };
	});
	view.cellCache.set(phaseIndex, cells);
	return cells;
}

/** Who ignores a notification as their own and who must invalidate. */
export interface NotifierVerdict {
	notification: Notification;
	/** The driver whose owner filter matches (`event == MMU_NOTIFY_MIGRATE && owner == mine`). */
	ignoredBy: string | null;
	/** Drivers in the scenario that see it as someone else's and must invalidate their mappings. */
	invalidate: string[];
	/** A sentence for the timeline. */
	explanation: string;
}

export function notifierVerdicts(view: View): NotifierVerdict[] {
	return view.result.notifications.map((notification) => {
		const isMigrate = notification.event === 'MMU_NOTIFY_MIGRATE';
		const owner = notification.owner;
		const ignoredBy = isMigrate && owner !== null && owner !== '' ? owner : null;
		const invalidate = view.drivers.filter((d) => d !== ignoredBy);
		let explanation: string;
		if (ignoredBy) {
			explanation = `${ignoredBy} skips it as its own migration (owner filter) and updates its device page tables itself`;
			explanation += invalidate.length ? `; ${invalidate.join(', ')} must invalidate.` : '.';
		} else if (isMigrate) {
			explanation = 'No owner: no driver can tell it is its own migration, so every mirror invalidates — including the driver that is migrating.';
		} else {
			explanation = `Not a migration event: every mirror of the range invalidates${invalidate.length ? ` (${invalidate.join(', ')})` : ''}.`;
		}
		return { notification, ignoredBy, invalidate, explanation };
	});
}

/** Counts of marks over a phase's range, for the phase summary. */
export function markCounts(cells: readonly Cell[]): Map<CellMark, number> {
	const counts = new Map<CellMark, number>();
	for (const cell of cells) {
		if (cell.mark !== 'none') {
			counts.set(cell.mark, (counts.get(cell.mark) ?? 0) + 1);
		}
	}
	return counts;
}

/** Human text for a list of page indexes: `0–3, 7, 9–10`. */
export function formatRanges(indexes: readonly number[]): string {
	const sorted = [...indexes].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let i = 0; i < sorted.length; i++) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) {
			j++;
		}
		parts.push(i === j ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
		i = j;
	}
	return parts.join(', ');
}

export { pageDescription, retText, rangeText };
