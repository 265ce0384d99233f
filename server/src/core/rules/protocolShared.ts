/*
 * Helpers shared by the protocol rules (setup → fill dst → pages → finalize). Not a rule.
 *
 * The protocol rules look at driver code that *calls* the migration API. Code that implements it
 * (mm/, include/linux/) follows other rules and is never judged as a caller.
 *
 * Each protocol rule is written as a detector that finds defects in one function of either image.
 * `runDetector` reports the post-image defects that sit on the patch's new lines, and turns a
 * defect that the pre-image has and the post-image no longer has into an `info` "this hunk
 * fixes …" on a new line of the same hunk.
 */
import type { ApiCall, ApiCallKind, FileFacts, FunctionFacts, Loc, MessageFacts, PfnWrite } from '../extract/types';
import type { Severity } from '../findings';
import { isNewCode, type RuleContext, type RuleFinding, type SeriesMessage } from './types';
import { seriesOf } from './missing-select-flags';

/** Files that implement the API rather than call it. */
export function isCoreFile(path: string): boolean {
	return /^(mm|include\/linux)\//.test(path.replace(/^[ab]\//, ''));
}

/** Functions that implement the API (wherever they sit): `migrate_vma_*`, `migrate_device_*`. */
export function isApiImplementation(fn: FunctionFacts): boolean {
	return /^_*(migrate_vma_|migrate_device_|migrate_vma$)/.test(fn.name);
}

export function isCaller(file: FileFacts, fn: FunctionFacts): boolean {
	return !isCoreFile(file.path) && !isApiImplementation(fn);
}

/** The caller functions of one image of a message. */
export function* callerFunctions(facts: MessageFacts, image: 'post' | 'pre'): Generator<{ file: FileFacts; fn: FunctionFacts }> {
	for (const file of facts.files) {
		if (file.image !== image) {
			continue;
		}
		for (const fn of file.functions) {
			if (isCaller(file, fn)) {
				yield { file, fn };
			}
		}
	}
}

/** Document order of two locations of one image (kernel line first: base64 bodies share document lines). */
export function cmpLoc(a: Loc, b: Loc): number {
	if (a.kernelFile !== undefined && a.kernelFile === b.kernelFile && a.kernelLine !== undefined && b.kernelLine !== undefined && a.kernelLine !== b.kernelLine) {
		return a.kernelLine - b.kernelLine;
	}
	return a.line - b.line || a.character - b.character;
}

export function before(a: Loc, b: Loc): boolean {
	return cmpLoc(a, b) < 0;
}

function cmpPos(l1: number, c1: number, l2: number, c2: number): number {
	return l1 - l2 || c1 - c2;
}

/** Whether two document ranges overlap. */
export function overlaps(a: Loc, b: Loc): boolean {
	return cmpPos(a.line, a.character, b.endLine, b.endCharacter) <= 0 && cmpPos(b.line, b.character, a.endLine, a.endCharacter) <= 0;
}

export function kernelTag(ctx: RuleContext): string {
	return `(kernel ${ctx.kernelText})`;
}

export const SETUP_LIKE: ReadonlySet<ApiCallKind> = new Set<ApiCallKind>(['setup', 'hmm-setup', 'device-range', 'device-pfns']);
export const PAGES_LIKE: ReadonlySet<ApiCallKind> = new Set<ApiCallKind>(['pages', 'device-pages']);
export const FINALIZE_LIKE: ReadonlySet<ApiCallKind> = new Set<ApiCallKind>(['finalize', 'device-finalize']);

/** The pages/finalize names that go with a setup-like call. */
export function stepNames(setup: ApiCall | undefined): { setup: string; pages: string; finalize: string } {
	const device = setup !== undefined && (setup.kind === 'device-range' || setup.kind === 'device-pfns');
	return {
		setup: setup ? `${setup.callee}()` : 'migrate_vma_setup()',
		pages: device ? 'migrate_device_pages()' : 'migrate_vma_pages()',
		finalize: device ? 'migrate_device_finalize()' : 'migrate_vma_finalize()',
	};
}

/** Two struct names refer to the same struct (unknown matches anything). */
export function sameStruct(a: string | undefined, b: string | undefined): boolean {
	return a === undefined || b === undefined || a === b;
}

const LOC_KEYS = new Set(['line', 'character', 'endLine', 'endCharacter', 'image', 'lineKind']);

function isLoc(x: unknown): x is Loc {
	if (!x || typeof x !== 'object') {
		return false;
	}
	for (const k of LOC_KEYS) {
		if (!(k in x)) {
			return false;
		}
	}
	return true;
}

/** Every new-code location the facts of a function mention, in document order. */
export function newCodeLocs(fn: FunctionFacts): Loc[] {
	const out: Loc[] = [];
	const seen = new Set<unknown>();
	const walk = (x: unknown): void => {
		if (!x || typeof x !== 'object' || seen.has(x)) {
			return;
		}
		seen.add(x);
		if (isLoc(x)) {
			if (isNewCode(x)) {
				out.push(x);
			}
			return;
		}
		for (const v of Object.values(x as Record<string, unknown>)) {
			walk(v);
		}
	};
	walk({ ...fn, loc: undefined });
	return out.sort(cmpLoc);
}

/** The functions of the other image of the same file whose range overlaps this one (same hunks). */
export function counterparts(facts: MessageFacts, file: FileFacts, fn: FunctionFacts): FunctionFacts[] {
	const other = file.image === 'post' ? 'pre' : 'post';
	const out: FunctionFacts[] = [];
	for (const f of facts.files) {
		if (f.image !== other || f.path !== file.path || f.quoteDepth !== file.quoteDepth) {
			continue;
		}
		for (const g of f.functions) {
			if (overlaps(g.loc, fn.loc) && (g.name === fn.name || g.name === '' || fn.name === '')) {
				out.push(g);
			}
		}
	}
	return out;
}

const functionsByName = new WeakMap<readonly SeriesMessage[], Map<string, Array<{ file: FileFacts; fn: FunctionFacts }>>>();

/** Post-image functions of the series (or thread) with this name, same file first. */
export function findFunctions(ctx: RuleContext, name: string, path?: string): Array<{ file: FileFacts; fn: FunctionFacts }> {
	if (!name) {
		return [];
	}
	// One index per series: every message of a thread shares its series list (seriesOf).
	const series = seriesOf(ctx);
	let index = functionsByName.get(series);
	if (!index) {
		index = new Map();
		for (const { facts } of series) {
			for (const file of facts.files) {
				if (file.image !== 'post') {
					continue;
				}
				for (const fn of file.functions) {
					const list = index.get(fn.name);
					if (list) {
						list.push({ file, fn });
					} else {
						index.set(fn.name, [{ file, fn }]);
					}
				}
			}
		}
		functionsByName.set(series, index);
	}
	const out = (index.get(name) ?? []).slice();
	return out.sort((a, b) => Number(b.file.path === path) - Number(a.file.path === path));
}

/** A defect a detector found in one function (either image). */
export interface Defect {
	/** Stable across images (what is wrong and with which name), for "this hunk fixes …". */
	key: string;
	/** Where to report it, best first; the first new-code one is used. */
	locs: Loc[];
	message: string;
	severity?: Severity;
	related?: Array<{ loc: Loc; message: string }>;
}

export type Detector = (fn: FunctionFacts, file: FileFacts, ctx: RuleContext) => Defect[];

export interface FixReport {
	/** Where to put the info: a new-code location in the post-image counterparts (default: the first new line); undefined = say nothing. */
	loc?: (post: FunctionFacts[], pre: Defect) => Loc | undefined;
	message: (pre: Defect, ctx: RuleContext) => string;
	/** A more lenient detector for comparing the images (e.g. one that accepts a loop the hunk shows only in part). */
	detect?: Detector;
}

/**
 * Runs a detector over the caller functions of a message: post-image defects on new lines become
 * findings; pre-image defects that no post-image counterpart still has become `info` fixes.
 */
export function runDetector(ctx: RuleContext, detect: Detector, fix?: FixReport): RuleFinding[] {
	const out: RuleFinding[] = [];
	const seen = new Set<string>();
	const push = (f: RuleFinding): void => {
		const k = `${f.loc.line}:${f.loc.character}:${f.message}`;
		if (!seen.has(k)) {
			seen.add(k);
			out.push(f);
		}
	};
	for (const { file, fn } of callerFunctions(ctx.facts, 'post')) {
		for (const d of detect(fn, file, ctx)) {
			const at = d.locs.find(isNewCode);
			if (!at) {
				continue;
			}
			const related = (d.related ?? []).filter((r) => r.loc.line !== at.line || r.loc.character !== at.character || r.loc.image !== at.image);
			push({ message: d.message, loc: at, ...(d.severity ? { severity: d.severity } : {}), ...(related.length ? { related } : {}) });
		}
	}
	if (!fix) {
		return out;
	}
	const cmp = fix.detect ?? detect;
	for (const { file, fn } of callerFunctions(ctx.facts, 'pre')) {
		const pre = cmp(fn, file, ctx);
		if (pre.length === 0) {
			continue;
		}
		const post = counterparts(ctx.facts, file, fn);
		if (post.length === 0) {
			continue;
		}
		const postFile = ctx.facts.files.find((f) => f.image === 'post' && f.path === file.path && f.quoteDepth === file.quoteDepth);
		if (!postFile) {
			continue;
		}
		const still = new Set<string>();
		for (const g of post) {
			for (const d of cmp(g, postFile, ctx)) {
				still.add(d.key);
			}
		}
		for (const d of pre) {
			if (still.has(d.key)) {
				continue;
			}
			const at = fix.loc ? fix.loc(post, d) : post.map((g) => newCodeLocs(g)[0]).filter((l): l is Loc => l !== undefined).sort(cmpLoc)[0];
			if (!at || !isNewCode(at)) {
				continue;
			}
			push({ severity: 'info', message: fix.message(d, ctx), loc: at, related: [{ loc: d.locs[0]!, message: 'the code before this patch' }] });
		}
	}
	return out;
}

/** `x.src`, `x->dst`, `src_pfns`…: the text names a src (or dst) array. */
export function namesArray(text: string, role: 'src' | 'dst'): boolean {
	const t = text.replace(/^[(&*\s]+|[)\s]+$/g, '');
	const re = role === 'src' ? /(^|->|\.)(migrate_)?src(_?pfns?)?$/ : /(^|->|\.)(migrate_)?dst(_?pfns?)?$/;
	return re.test(t);
}

/** A call argument passes the struct itself (`&args`, `args`, `migrate`). */
export function passesStruct(args: string[], structVar: string | undefined): boolean {
	if (!structVar) {
		return false;
	}
	return args.some((a) => a.replace(/^[(&\s]+|[)\s]+$/g, '') === structVar);
}

/** Calls of these kinds on the struct. */
export function callsOf(fn: FunctionFacts, kinds: ReadonlySet<ApiCallKind>, structVar?: string): ApiCall[] {
	return fn.calls.filter((c) => kinds.has(c.kind) && sameStruct(c.structVar, structVar));
}

/** A value text that is a literal zero (an entry cleared, not filled). */
export function isZeroValue(text: string): boolean {
	return /^\(?\s*0[uUlL]*\s*\)?$/.test(text.trim());
}

/**
 * A write that stores a destination entry (not a clear): `=` of a non-zero value into a dst field
 * (`args->dst[i]`), or of a migrate_pfn()/MIGRATE_PFN_* value into any dst-named array (a plain
 * local called `dst` may hold something else, e.g. DMA addresses).
 */
export function fillsDst(w: PfnWrite): boolean {
	return w.array === 'dst' && w.operator === '=' && !isZeroValue(w.valueText)
		&& (w.usesMigratePfn || w.flags.length > 0 || /(->|\.)\s*dst\w*$/.test(w.arrayText));
}

/**
 * The code lines of one image between two locations of the same file (inclusive, by kernel line),
 * read from the message's hunks. Empty when the lines cannot be placed (no kernel line numbers).
 */
export function imageLines(ctx: RuleContext, from: Loc, to: Loc): string[] {
	const file = from.kernelFile;
	if (file === undefined || file !== to.kernelFile || from.kernelLine === undefined || to.kernelLine === undefined) {
		return [];
	}
	const out: string[] = [];
	for (const f of ctx.message.files) {
		if (f.path !== file || f.quoteDepth !== from.quoteDepth) {
			continue;
		}
		for (const h of f.hunks) {
			for (const l of h.lines) {
				const n = from.image === 'post' ? (l.kind !== '-' ? l.newLine : undefined) : (l.kind !== '+' ? l.oldLine : undefined);
				if (n !== undefined && n >= from.kernelLine && n <= to.kernelLine && l.kind !== '\\') {
					out.push(l.text);
				}
			}
		}
	}
	return out;
}
