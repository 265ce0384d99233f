/*
 * missing-select-flags: from 5.9 `struct migrate_vma.flags` chooses which source pages setup
 * collects. A struct handed to migrate_vma_setup() without it has flags 0, and then only empty
 * (never populated) slots are selected: nothing that is already mapped ever migrates.
 *
 * This module also holds the helpers the selection, fault-path, notifier, pinning and version
 * rules share (series iteration, struct visibility, the selection a struct makes on a kernel,
 * document text of diff lines, the date heuristic of the kernel). They are exported from here so
 * that every file under rules/ stays a rule module.
 */
import type { Rule, RuleContext, RuleFinding, SeriesMessage } from './types';
import { isNewCode } from './types';
import type { ApiCall, FieldValue, FileFacts, FunctionFacts, Loc, MessageFacts, MigrateVmaStruct } from '../extract/types';
import type { DiffLineKind, Message, Pos } from '../ingest/types';
import { cmpKernel, formatKernel, KERNEL_RELEASES, kernelTargetForDate, type KernelVersion } from '../model/kernel';
import { nameIn } from '../model/versions';

// ---- iteration ------------------------------------------------------------------------------------

export interface FnRef {
	/** The series message the function belongs to. */
	msg: SeriesMessage;
	file: FileFacts;
	fn: FunctionFacts;
}

/** A message id without its angle brackets (undefined when empty). */
export function norm(id: string | undefined): string | undefined {
	const t = id?.trim().replace(/^<|>$/g, '');
	return t ? t : undefined;
}

/** The thread a message belongs to: the first message it refers to, else itself. */
export function threadRoot(m: Message): string | undefined {
	return norm(m.headers.references?.[0]) ?? norm(m.headers.inReplyTo) ?? norm(m.headers.messageId);
}

/** Whether a message refers to another (References or In-Reply-To). */
export function threaded(m: Message): boolean {
	return !!(m.headers.references?.length || m.headers.inReplyTo);
}

const seriesCache = new WeakMap<readonly SeriesMessage[], Map<SeriesMessage['facts'], SeriesMessage[]>>();

/**
 * The messages of the document that belong to this message's series: the same thread (by
 * References/In-Reply-To), or — for unthreaded `[PATCH n/M]` mails — the unthreaded mails with the
 * same series length and version. A document of a single patch (or mails without any ids) is one
 * series. A list archive with many threads is thus not taken for one big series.
 */
export function seriesOf(ctx: RuleContext): SeriesMessage[] {
	const all = ctx.series.some((s) => s.facts === ctx.facts) ? ctx.series : [...ctx.series, { message: ctx.message, facts: ctx.facts }];
	let perDoc = seriesCache.get(ctx.series);
	if (!perDoc) {
		perDoc = new Map();
		seriesCache.set(ctx.series, perDoc);
	}
	const hit = perDoc.get(ctx.facts);
	if (hit) {
		return hit;
	}
	let out: SeriesMessage[];
	const root = threadRoot(ctx.message);
	if (all.length <= 1 || root === undefined) {
		out = all;
	} else {
		// Every message of a thread (or of an unthreaded series) gets the same array, so that
		// what rules compute once per series (keyed by this array) is shared by all its messages.
		const groups = groupsOf(ctx.series, all);
		out = groups.memo(`thread:${root}`, () => members(groups.order, groups.byRoot.get(root), groups.byId.get(root)));
		const subj = ctx.message.subject;
		if (out.length === 1 && !threaded(ctx.message) && subj.total !== undefined) {
			out = groups.memo(`series:${subj.total}/${subj.version}`, () => members(groups.order, groups.unthreaded.get(`${subj.total}/${subj.version}`)));
		}
	}
	perDoc.set(ctx.facts, out);
	return out;
}

interface SeriesGroups {
	byRoot: Map<string, SeriesMessage[]>;
	byId: Map<string, SeriesMessage[]>;
	/** Unthreaded mails by `total/version` of their `[PATCH n/M]` subject. */
	unthreaded: Map<string, SeriesMessage[]>;
	/** Position of each message in the document's list. */
	order: Map<SeriesMessage['facts'], number>;
	/** The member list of a thread or series, built once and then shared. */
	memo(key: string, make: () => SeriesMessage[]): SeriesMessage[];
}

const groupCache = new WeakMap<readonly SeriesMessage[], SeriesGroups>();

/** Thread and series groups of a document, built once (linear in the number of messages). */
function groupsOf(key: readonly SeriesMessage[], all: readonly SeriesMessage[]): SeriesGroups {
	const cached = groupCache.get(key);
	if (cached && cached.order.size === all.length) {
		return cached;
	}
	const lists = new Map<string, SeriesMessage[]>();
	const g: SeriesGroups = {
		byRoot: new Map(),
		byId: new Map(),
		unthreaded: new Map(),
		order: new Map(),
		memo(key, make) {
			let list = lists.get(key);
			if (!list) {
				list = make();
				lists.set(key, list);
			}
			return list;
		},
	};
	const push = (map: Map<string, SeriesMessage[]>, k: string | undefined, s: SeriesMessage): void => {
		if (k === undefined) {
			return;
		}
		const list = map.get(k);
		if (list) {
			list.push(s);
		} else {
			map.set(k, [s]);
		}
	};
	all.forEach((s, i) => {
		g.order.set(s.facts, i);
		push(g.byRoot, threadRoot(s.message), s);
		push(g.byId, norm(s.message.headers.messageId), s);
		if (!threaded(s.message)) {
			push(g.unthreaded, `${s.message.subject.total}/${s.message.subject.version}`, s);
		}
	});
	groupCache.set(key, g);
	return g;
}

/** The union of the lists, each message once, in document order. */
function members(order: Map<SeriesMessage['facts'], number>, ...lists: Array<readonly SeriesMessage[] | undefined>): SeriesMessage[] {
	const seen = new Set<SeriesMessage['facts']>();
	const out: SeriesMessage[] = [];
	for (const list of lists) {
		for (const s of list ?? []) {
			if (!seen.has(s.facts)) {
				seen.add(s.facts);
				out.push(s);
			}
		}
	}
	if (out.length > 1) {
		out.sort((a, b) => (order.get(a.facts) ?? 0) - (order.get(b.facts) ?? 0));
	}
	return out;
}

function* functionsOf(msg: SeriesMessage, image: 'post' | 'pre'): Generator<FnRef> {
	for (const file of msg.facts.files) {
		if (file.image !== image) {
			continue;
		}
		for (const fn of file.functions) {
			yield { msg, file, fn };
		}
	}
}

/** Post-image functions of this message. */
export function* ownPost(ctx: RuleContext): Generator<FnRef> {
	yield* functionsOf({ message: ctx.message, facts: ctx.facts }, 'post');
}

/** Pre-image functions of this message. */
export function* ownPre(ctx: RuleContext): Generator<FnRef> {
	yield* functionsOf({ message: ctx.message, facts: ctx.facts }, 'pre');
}

/** Post-image functions of every message of the series (this one included). */
export function* seriesPost(ctx: RuleContext): Generator<FnRef> {
	for (const m of seriesOf(ctx)) {
		yield* functionsOf(m, 'post');
	}
}

/** Post-image files of every message of the series. */
export function* seriesPostFiles(ctx: RuleContext): Generator<{ msg: SeriesMessage; file: FileFacts }> {
	for (const m of seriesOf(ctx)) {
		for (const file of m.facts.files) {
			if (file.image === 'post') {
				yield { msg: m, file };
			}
		}
	}
}

/** The pre-image function with the same name in the same file of this message, if the patch shows it. */
export function preTwin(facts: MessageFacts, file: string, name: string): FunctionFacts[] {
	if (!name) {
		return [];
	}
	const out: FunctionFacts[] = [];
	for (const f of facts.files) {
		if (f.image === 'pre' && f.path === file) {
			for (const fn of f.functions) {
				if (fn.name === name) {
					out.push(fn);
				}
			}
		}
	}
	return out;
}

/** The first location that is the patch's own new code. */
export function firstNew(locs: Array<Loc | undefined>): Loc | undefined {
	for (const l of locs) {
		if (l && isNewCode(l)) {
			return l;
		}
	}
	return undefined;
}

/** Document order of two locations. */
export function cmpLoc(a: Loc, b: Loc): number {
	return a.line - b.line || a.character - b.character;
}

// ---- kernel ---------------------------------------------------------------------------------------

/**
 * True when the kernel in force is the one the mail's date points to (a guess, not a setting we
 * can tell apart). Version rules then accept a name of the next release: a patch posted during a
 * development cycle is written against the tree that becomes that release.
 */
export function kernelLooksDateDerived(ctx: RuleContext): boolean {
	const ms = ctx.message.dateMs;
	if (ms === undefined || !Number.isFinite(ms)) {
		return false;
	}
	return cmpKernel(kernelTargetForDate(ms), ctx.kernel) === 0;
}

export function kernelText(k: KernelVersion): string {
	return formatKernel(k);
}

/** The release before v (v itself when it is the first one known). */
export function previousKernel(v: KernelVersion): KernelVersion {
	const i = KERNEL_RELEASES.findIndex((r) => cmpKernel(r.version, v) === 0);
	return i > 0 ? KERNEL_RELEASES[i - 1]!.version : v;
}

/**
 * Whether a rule may insist on an API element: the kernel has it and, when the kernel is only the
 * date's guess, the release before it had it too (a patch posted during the merge window of the
 * release that adds it was written against a tree without it).
 */
export function apiSettled(ctx: RuleContext, name: string, parent?: string): boolean {
	if (!nameIn(name, ctx.kernel, parent).exists) {
		return false;
	}
	return !kernelLooksDateDerived(ctx) || nameIn(name, previousKernel(ctx.kernel), parent).exists;
}

// ---- document text of diff lines ------------------------------------------------------------------

export interface TextLine {
	text: string;
	kind: DiffLineKind;
	path: string;
	start: Pos;
	end: Pos;
	quoteDepth: number;
	newLine?: number;
	oldLine?: number;
	/** Cut out of archive text whose line breaks were flattened. */
	flattened: boolean;
}

const lineCache = new WeakMap<Message, TextLine[]>();

/** Every diff line of a message with the document span it came from. */
export function messageLines(msg: Message): TextLine[] {
	const hit = lineCache.get(msg);
	if (hit) {
		return hit;
	}
	const out: TextLine[] = [];
	for (const f of msg.files) {
		for (const h of f.hunks) {
			for (const l of h.lines) {
				out.push({
					text: l.text,
					kind: l.kind,
					path: f.path,
					start: l.source.origin.range.start,
					end: l.source.origin.range.end,
					quoteDepth: l.source.quoteDepth,
					newLine: l.newLine,
					oldLine: l.oldLine,
					flattened: l.source.flattened === true,
				});
			}
		}
	}
	lineCache.set(msg, out);
	return out;
}

function posLE(a: Pos, b: Pos): boolean {
	return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/** The diff line a location starts on (matching its image: post → `+`/` `, pre → `-`/` `). */
export function lineOfLoc(msg: Message, loc: Loc): TextLine | undefined {
	const p: Pos = { line: loc.line, character: loc.character };
	let best: TextLine | undefined;
	for (const l of messageLines(msg)) {
		if (loc.image === 'post' && l.kind === '-') {
			continue;
		}
		if (loc.image === 'pre' && l.kind === '+') {
			continue;
		}
		if (posLE(l.start, p) && posLE(p, l.end)) {
			best = l;
			if (l.quoteDepth === loc.quoteDepth) {
				break;
			}
		}
	}
	return best;
}

/**
 * Whether every post-image (or pre-image) line from..to of `path` is shown by the message's hunks
 * (no gap between two stitched hunks).
 */
export function linesShown(msg: Message, path: string, image: 'post' | 'pre', from: number, to: number): boolean {
	if (to < from) {
		[from, to] = [to, from];
	}
	const seen = new Set<number>();
	for (const l of messageLines(msg)) {
		if (l.path !== path) {
			continue;
		}
		const n = image === 'post' ? l.newLine : l.oldLine;
		if (n !== undefined) {
			seen.add(n);
		}
	}
	for (let i = from; i <= to; i++) {
		if (!seen.has(i)) {
			return false;
		}
	}
	return true;
}

// ---- struct migrate_vma ---------------------------------------------------------------------------

export function isNullText(t: string | undefined): boolean {
	if (t === undefined) {
		return false;
	}
	const s = t.replace(/\s+/g, '').replace(/^\((?:const)?void\*\)/, '');
	return s === 'NULL' || s === '0' || s === '((void*)0)' || s === 'nullptr';
}

/** The setup calls (`migrate_vma_setup`) that take this struct. */
export function setupCallsOf(fn: FunctionFacts, s: MigrateVmaStruct): ApiCall[] {
	return s.callIndexes.map((i) => fn.calls[i]).filter((c): c is ApiCall => c !== undefined && c.kind === 'setup');
}

/** Every assignment (initialiser entry included) to one field. */
export function assignmentsTo(s: MigrateVmaStruct, field: string): FieldValue[] {
	return s.assignments.filter((a) => a.field === field);
}

function passesStruct(args: string[], name: string): boolean {
	const bare = name.replace(/\s+/g, '');
	return args.some((a) => {
		const t = a.replace(/\s+/g, '');
		return t === `&${bare}` || t === bare || t === `&(${bare})`;
	});
}

/**
 * Whether everything that sets up the struct before its first setup call is in view: declared
 * here (initialiser or local with assignments), the setup call shown, no hidden lines between
 * them, and no helper receiving the struct before setup (it could set fields we cannot see).
 */
export function structFullyVisible(msg: Message, fn: FunctionFacts, s: MigrateVmaStruct): boolean {
	if (s.how !== 'designated' && s.how !== 'assign' && s.how !== 'memset+assign') {
		return false;
	}
	if (!s.declLoc) {
		return false;
	}
	const setups = setupCallsOf(fn, s);
	if (setups.length === 0) {
		return false;
	}
	const first = setups[0]!;
	if (fn.hasGaps) {
		const a = s.declLoc.kernelLine;
		const b = first.loc.kernelLine;
		if (a === undefined || b === undefined || !s.declLoc.kernelFile) {
			return false;
		}
		if (!linesShown(msg, s.declLoc.kernelFile, s.declLoc.image, a, b)) {
			return false;
		}
	}
	for (const c of fn.otherCalls) {
		if (cmpLoc(c.loc, first.loc) < 0 && cmpLoc(c.loc, s.declLoc) > 0 && c.callee !== 'memset' && passesStruct(c.args, s.name)) {
			return false;
		}
	}
	return true;
}

export interface FlagSet {
	/** A `flags` field was given at all. */
	present: boolean;
	/** MIGRATE_VMA_SELECT_* suffixes named in any flags assignment. */
	names: Set<string>;
	/** Every flags value is made only of flag names / 0 (nothing unknown). */
	exact: boolean;
	/** Where flags were given. */
	locs: Loc[];
}

export function flagSetOf(s: MigrateVmaStruct): FlagSet {
	const out: FlagSet = { present: false, names: new Set(), exact: true, locs: [] };
	for (const a of assignmentsTo(s, 'flags')) {
		out.present = true;
		out.locs.push(a.loc);
		for (const f of a.flags) {
			const m = /^MIGRATE_VMA_SELECT_(\w+)$/.exec(f);
			if (m) {
				out.names.add(m[1]!);
			}
		}
		const zero = /^\s*\(?\s*0[uUlL]*\s*\)?\s*$/.test(a.resolved);
		if (!a.flagsExact && !zero) {
			out.exact = false;
		}
	}
	return out;
}

export type Tri = 'yes' | 'no' | 'maybe';

export interface Selection {
	/** Which API generation the struct is written for. */
	era: 'all' | 'src_owner' | 'flags';
	/** Device pages (private or coherent) can come back in src[]. */
	device: Tri;
	/** System pages can come back in src[]. */
	system: Tri;
	/** The owner expression, when set and not NULL. */
	owner?: FieldValue;
	flags: FlagSet;
}

/**
 * What a struct selects. The code's own fields decide the generation when they say it (`flags` or
 * `pgmap_owner` → 5.9 rules, `src_owner` → 5.7–5.8 rules); otherwise the kernel does.
 */
export function selectionOf(s: MigrateVmaStruct, kernel: KernelVersion): Selection {
	const flags = flagSetOf(s);
	const pg = assignmentsTo(s, 'pgmap_owner');
	const so = assignmentsTo(s, 'src_owner');
	const lastOwner = (list: FieldValue[]): FieldValue | undefined => {
		const v = list[list.length - 1];
		return v && !isNullText(v.resolved) && !isNullText(v.text) ? v : undefined;
	};
	let era: Selection['era'];
	if (flags.present || pg.length > 0) {
		era = 'flags';
	} else if (so.length > 0) {
		era = 'src_owner';
	} else if (nameIn('flags', kernel, 'struct migrate_vma').exists) {
		era = 'flags';
	} else if (nameIn('src_owner', kernel, 'struct migrate_vma').exists) {
		era = 'src_owner';
	} else {
		era = 'all';
	}
	if (era === 'all') {
		return { era, device: 'yes', system: 'yes', flags };
	}
	if (era === 'src_owner') {
		const owner = lastOwner(so);
		const ownerUnknown = so.length > 0 && !owner && !so.every((a) => isNullText(a.resolved) || isNullText(a.text));
		if (owner) {
			return { era, device: 'yes', system: 'no', owner, flags };
		}
		return { era, device: ownerUnknown ? 'maybe' : 'no', system: ownerUnknown ? 'maybe' : 'yes', flags };
	}
	const owner = lastOwner(pg);
	const dev = flags.names.has('DEVICE_PRIVATE') || flags.names.has('DEVICE_COHERENT');
	const sys = flags.names.has('SYSTEM');
	if (!flags.exact) {
		return { era, device: dev ? 'yes' : 'maybe', system: sys ? 'yes' : 'maybe', owner, flags };
	}
	return { era, device: dev ? 'yes' : 'no', system: sys ? 'yes' : 'no', owner, flags };
}

/** Whether the function is a `migrate_to_ram` handler (or a helper that gets the vm_fault). */
export function isFaultPath(fn: FunctionFacts): boolean {
	return fn.migrateToRam !== undefined || fn.roles.includes('migrate_to_ram');
}

/** Whether the function is named in a dev_pagemap_ops table as migrate_to_ram (or looks like the handler). */
export function isFaultHandler(fn: FunctionFacts): boolean {
	return fn.roles.includes('migrate_to_ram') || fn.migrateToRam?.inOpsTable === true;
}

// ---- the rule -------------------------------------------------------------------------------------

export const rule: Rule = {
	id: 'missing-select-flags',
	group: 'selection',
	severity: 'error',
	title: 'migrate_vma set up without selection flags (5.9+): only empty slots are collected',
	check(ctx: RuleContext): RuleFinding[] {
		if (!apiSettled(ctx, 'flags', 'struct migrate_vma')) {
			return [];
		}
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		for (const { fn } of ownPost(ctx)) {
			for (const s of fn.structs) {
				if (!structFullyVisible(ctx.message, fn, s)) {
					continue;
				}
				// Code still written for src_owner is api-not-in-kernel's business (it names the rename).
				if (assignmentsTo(s, 'src_owner').length > 0) {
					continue;
				}
				const fl = flagSetOf(s);
				const zeroed = fl.present && fl.exact && fl.names.size === 0;
				if (fl.present && !zeroed) {
					continue;
				}
				const setup = setupCallsOf(fn, s)[0]!;
				const anchor = firstNew([...(zeroed ? fl.locs : []), s.declLoc, setup.loc, ...s.assignments.map((a) => a.loc)]);
				if (!anchor) {
					continue;
				}
				const fault = isFaultPath(fn);
				const want = fault
					? 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE (with pgmap_owner set to your dev_pagemap owner)'
					: 'MIGRATE_VMA_SELECT_SYSTEM for system-to-device migration, or MIGRATE_VMA_SELECT_DEVICE_PRIVATE with pgmap_owner to move your own device pages back';
				const what = zeroed ? `sets \`${s.name}.flags\` to 0` : `never sets \`${s.name}.flags\``;
				const consequence = fault
					? 'the faulting device page is never collected, nothing migrates and the CPU fault repeats'
					: 'pages that are already mapped are never collected and never migrate';
				const garbage = !fl.present && !s.zeroed
					? ` The struct is not zero-initialised either, so flags holds whatever was on the stack and the selection is unpredictable.`
					: '';
				out.push({
					message: `This migration ${what} (kernel ${k}): with flags 0, migrate_vma_setup() collects only empty, never-populated slots, so ${consequence}.${garbage} Set ${want}.`,
					loc: anchor,
					related: anchor === setup.loc ? undefined : [{ loc: setup.loc, message: 'the migrate_vma_setup() call that gets this struct' }],
				});
			}
		}
		return out;
	},
};
