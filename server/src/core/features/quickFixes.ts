/*
 * Quick fixes that are certain enough to offer, keyed by rule id. A fix edits the patch text the
 * way the author would: it changes only `+` lines, inserts new `+` lines (with the quote prefix
 * of the lines around them, so a fix inside a `> ` reply stays quoted) and keeps the hunk header's
 * new-line count right. Lines that do not sit verbatim in the document (base64, quoted-printable
 * escapes, flattened archive text) get no fix.
 */
import type { Analysis, MessageAnalysis } from '../analyze';
import type { FieldValue, FunctionFacts, Loc, MigrateVmaStruct } from '../extract/types';
import type { Finding, Fix, TextEdit } from '../findings';
import type { DiffLine, DocRange, FileDiff, Hunk, Message, RecoveredLine } from '../ingest/types';
import { atLeast, formatKernel, type KernelVersion } from '../model/kernel';
import { lookupSymbol, nameIn } from '../model/versions';
import type { DocLines } from './common';
import { LINE_TERMINATOR } from '../text';

export interface QuickFixContext {
	analysis: Analysis;
	lines: DocLines;
}

// ---- where a line sits ---------------------------------------------------------------------------

export interface PlacedLine {
	file: FileDiff;
	hunk: Hunk;
	index: number;
	line: DiffLine;
}

const placeCache = new WeakMap<Message, Map<number, PlacedLine>>();

/** The diff line recovered from a document line (exact origins only). */
export function diffLineAt(message: Message, docLine: number): PlacedLine | undefined {
	let map = placeCache.get(message);
	if (!map) {
		map = new Map();
		for (const file of message.files) {
			for (const hunk of file.hunks) {
				hunk.lines.forEach((line, index) => {
					const o = line.source.origin;
					if (o.exact && !map!.has(o.range.start.line)) {
						map!.set(o.range.start.line, { file, hunk, index, line });
					}
				});
			}
		}
		placeCache.set(message, map);
	}
	return map.get(docLine);
}

/**
 * Where a recovered line's text starts in the document, when the document holds it verbatim on
 * one line (no decoding, no flattening). The prefix before it is the quote prefix.
 */
export function verbatim(rl: RecoveredLine, lines: DocLines): { line: number; column: number; prefix: string } | undefined {
	const o = rl.origin;
	if (!o.exact || o.segments.length !== 1 || rl.flattened) {
		return undefined;
	}
	const seg = o.segments[0];
	if (seg.col !== 0 || o.range.start.line !== o.range.end.line) {
		return undefined;
	}
	const doc = lines.lineAt(seg.line);
	if (doc.slice(seg.character, seg.character + rl.text.length) !== rl.text) {
		return undefined;
	}
	return { line: seg.line, column: seg.character, prefix: doc.slice(0, seg.character) };
}

function messageIsEncoded(m: Message): boolean {
	return /quoted-printable|base64/i.test(m.headers.contentTransferEncoding ?? '');
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The edit that adds `delta` to a hunk header's new-line count, or undefined when it cannot be edited. */
export function hunkCountEdit(hunk: Hunk, delta: number, lines: DocLines): TextEdit | undefined {
	const at = verbatim(hunk.header, lines);
	const m = HUNK_HEADER.exec(hunk.header.text);
	if (!at || !m) {
		return undefined;
	}
	const newStartEnd = m[0].lastIndexOf(`+${m[3]}`) + 1 + m[3].length;
	const current = m[4] === undefined ? 1 : Number(m[4]);
	const next = current + delta;
	if (next < 0) {
		return undefined;
	}
	const from = at.column + newStartEnd;
	const to = m[4] === undefined ? from : from + 1 + m[4].length;
	return { range: { start: { line: at.line, character: from }, end: { line: at.line, character: to } }, newText: `,${next}` };
}

/**
 * Edits that insert new `+` lines before line `index` of the hunk (or after its last line when
 * `index` equals the line count), plus the header count change. Undefined when the lines around
 * cannot be edited verbatim.
 */
export function insertPlusLines(hunk: Hunk, index: number, code: string[], lines: DocLines): TextEdit[] | undefined {
	if (code.length === 0 || index < 0 || index > hunk.lines.length || hunk.lines.length === 0) {
		return undefined;
	}
	const eol = lines.eol ?? '\n';
	const header = hunkCountEdit(hunk, code.length, lines);
	if (!header) {
		return undefined;
	}
	if (index < hunk.lines.length) {
		const at = verbatim(hunk.lines[index].source, lines);
		if (!at) {
			return undefined;
		}
		const text = code.map((c) => `${at.prefix}+${c}${eol}`).join('');
		return [header, { range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } }, newText: text }];
	}
	const last = verbatim(hunk.lines[hunk.lines.length - 1].source, lines);
	if (!last) {
		return undefined;
	}
	const end = last.column + hunk.lines[hunk.lines.length - 1].source.text.length;
	const text = code.map((c) => `${eol}${last.prefix}+${c}`).join('');
	return [header, { range: { start: { line: last.line, character: end }, end: { line: last.line, character: end } }, newText: text }];
}

/** Replaces `[from, to)` of a `+` line's code (columns in `DiffLine.text`). */
export function replaceInPlusLine(line: DiffLine, from: number, to: number, newText: string, lines: DocLines): TextEdit | undefined {
	if (line.kind !== '+') {
		return undefined;
	}
	const at = verbatim(line.source, lines);
	if (!at) {
		return undefined;
	}
	// DiffLine.text is the source text without its one-character marker.
	const base = at.column + 1;
	return { range: { start: { line: at.line, character: base + from }, end: { line: at.line, character: base + to } }, newText };
}

// ---- finding → facts --------------------------------------------------------------------------------

function messageOf(f: Finding, ctx: QuickFixContext): MessageAnalysis | undefined {
	return ctx.analysis.messages.find((m) => m.message.index === f.messageIndex);
}

function postFns(m: MessageAnalysis): FunctionFacts[] {
	return (m.facts?.files ?? []).filter((f) => f.image === 'post').flatMap((f) => f.functions);
}

function overlaps(loc: Loc, r: DocRange): boolean {
	return !(loc.endLine < r.start.line || loc.line > r.end.line);
}

/** The struct migrate_vma a finding is about: the one whose declaration, fields or calls it touches. */
function structAt(m: MessageAnalysis, r: DocRange): { fn: FunctionFacts; s: MigrateVmaStruct } | undefined {
	let fallback: { fn: FunctionFacts; s: MigrateVmaStruct } | undefined;
	for (const fn of postFns(m)) {
		for (const s of fn.structs) {
			const locs: Loc[] = [];
			if (s.declLoc) {
				locs.push(s.declLoc);
			}
			locs.push(...s.assignments.map((a) => a.loc), ...s.callIndexes.map((i) => fn.calls[i]?.loc).filter((x): x is Loc => !!x));
			if (locs.some((l) => overlaps(l, r))) {
				return { fn, s };
			}
			if (!fallback && overlaps(fn.loc, r) && s.callIndexes.some((i) => fn.calls[i]?.kind === 'setup')) {
				fallback = { fn, s };
			}
		}
	}
	return fallback;
}

function firstSetupLine(fn: FunctionFacts, s: MigrateVmaStruct): number {
	let line = Number.POSITIVE_INFINITY;
	for (const i of s.callIndexes) {
		const c = fn.calls[i];
		if (c?.kind === 'setup') {
			line = Math.min(line, c.loc.line);
		}
	}
	return line;
}

function indentOf(text: string): string {
	return /^\s*/.exec(text)?.[0] ?? '';
}

/** Visual column of `text` (tabs to 8). */
function width(text: string): number {
	let w = 0;
	for (const c of text) {
		w = c === '\t' ? (Math.floor(w / 8) + 1) * 8 : w + 1;
	}
	return w;
}

/** `.flags` padded the way the reference initialiser line pads its `=`. */
function designator(field: string, reference: string): string {
	const m = /^(\s*)\.(\w+)(\s*)=/.exec(reference);
	const indent = m?.[1] ?? indentOf(reference);
	const head = `${indent}.${field}`;
	if (!m || !m[3].includes('\t')) {
		return `${head}${m?.[3] ?? ' '}=`;
	}
	const target = width(`${m[1]}.${m[2]}${m[3]}`);
	let pad = '';
	while (width(head + pad) < target) {
		pad += '\t';
	}
	return `${head}${pad || ' '}=`;
}

/** Edits that give a struct a new field value, inserted after its last field set before setup. */
function addFieldEdits(m: MessageAnalysis, fn: FunctionFacts, s: MigrateVmaStruct, field: string, value: string, ctx: QuickFixContext): TextEdit[] | undefined {
	const setupLine = firstSetupLine(fn, s);
	const before = s.assignments.filter((a) => a.loc.line < setupLine);
	if (before.length === 0) {
		return undefined;
	}
	let anchor: FieldValue;
	let code: string;
	if (s.how === 'designated' && before.some((a) => a.via === 'init')) {
		const inits = before.filter((a) => a.via === 'init');
		anchor = inits.reduce((a, b) => (b.loc.endLine > a.loc.endLine ? b : a));
		const placed = diffLineAt(m.message, anchor.loc.endLine);
		if (!placed) {
			return undefined;
		}
		const refText = diffLineAt(m.message, anchor.loc.line)?.line.text ?? placed.line.text;
		if (!/,\s*(\/\*.*\*\/\s*)?$/.test(placed.line.text)) {
			// The last initialiser has no trailing comma: add one if it is the patch's own line.
			const comma = placed.line.text.replace(/\s*(\/\*.*\*\/\s*)?$/, '').length;
			const edit = replaceInPlusLine(placed.line, comma, comma, ',', ctx.lines);
			if (!edit) {
				return undefined;
			}
			const ins = insertPlusLines(placed.hunk, placed.index + 1, [`${designator(field, refText)} ${value},`], ctx.lines);
			return ins ? [edit, ...ins] : undefined;
		}
		code = `${designator(field, refText)} ${value},`;
		return insertPlusLines(placed.hunk, placed.index + 1, [code], ctx.lines);
	}
	const assigns = before.filter((a) => a.via === 'assign');
	if (assigns.length === 0) {
		return undefined;
	}
	anchor = assigns.reduce((a, b) => (b.loc.endLine > a.loc.endLine ? b : a));
	const placed = diffLineAt(m.message, anchor.loc.endLine);
	const first = diffLineAt(m.message, anchor.loc.line);
	if (!placed || !first || !/;\s*$/.test(placed.line.text)) {
		return undefined;
	}
	const op = /(\.|->)\s*\w+\s*=/.exec(first.line.text.slice(indentOf(first.line.text).length))?.[1] ?? (s.how === 'param' || s.how === 'pointer' ? '->' : '.');
	code = `${indentOf(first.line.text)}${s.name}${op}${field} = ${value};`;
	return insertPlusLines(placed.hunk, placed.index + 1, [code], ctx.lines);
}

function fix(title: string, edits: TextEdit[] | undefined): Fix[] {
	return edits && edits.length > 0 ? [{ title, edits }] : [];
}

// ---- the fixers ------------------------------------------------------------------------------------------

type Fixer = (f: Finding, m: MessageAnalysis, ctx: QuickFixContext) => Fix[];

const addSelectFlags: Fixer = (f, m, ctx) => {
	if (!atLeast(m.kernel.version, '5.9')) {
		return [];
	}
	const hit = structAt(m, f.range);
	if (!hit || hit.s.fields.flags) {
		return [];
	}
	const flag = hit.fn.migrateToRam ? 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE' : 'MIGRATE_VMA_SELECT_SYSTEM';
	return fix(`Add flags = ${flag}`, addFieldEdits(m, hit.fn, hit.s, 'flags', flag, ctx));
};

/** An owner expression the same message (or series) already uses for this driver. */
function knownOwner(ctx: QuickFixContext, m: MessageAnalysis, skip: MigrateVmaStruct): string | undefined {
	const ordered = [m, ...ctx.analysis.messages.filter((x) => x !== m)];
	for (const mm of ordered) {
		for (const fn of postFns(mm)) {
			for (const s of fn.structs) {
				if (s !== skip && s.fields.pgmap_owner) {
					return s.fields.pgmap_owner.text;
				}
			}
			for (const p of fn.pgmaps) {
				if (p.fields.owner) {
					return p.fields.owner.text;
				}
			}
			for (const r of fn.hmmRanges) {
				if (r.fields.dev_private_owner) {
					return r.fields.dev_private_owner.text;
				}
			}
		}
	}
	return undefined;
}

const addPgmapOwner: Fixer = (f, m, ctx) => {
	if (!atLeast(m.kernel.version, '5.9')) {
		return [];
	}
	const hit = structAt(m, f.range);
	if (!hit || hit.s.fields.pgmap_owner) {
		return [];
	}
	const owner = knownOwner(ctx, m, hit.s);
	if (!owner || /[\n;]/.test(owner)) {
		return [];
	}
	return fix(`Add pgmap_owner = ${owner}`, addFieldEdits(m, hit.fn, hit.s, 'pgmap_owner', owner, ctx));
};

const addFaultPage: Fixer = (f, m, ctx) => {
	if (!atLeast(m.kernel.version, '6.1')) {
		return [];
	}
	const hit = structAt(m, f.range);
	const vmf = hit?.fn.migrateToRam?.vmfParam;
	if (!hit || !vmf || hit.s.fields.fault_page) {
		return [];
	}
	const value = `${vmf}->page`;
	return fix(`Add fault_page = ${value}`, addFieldEdits(m, hit.fn, hit.s, 'fault_page', value, ctx));
};

/** Drop-in renames between kernels: [member of, old name, new name]. */
const RENAMES: ReadonlyArray<[string, string, string]> = [
	['struct migrate_vma', 'src_owner', 'pgmap_owner'],
	['struct mmu_notifier_range', 'migrate_pgmap_owner', 'owner'],
];

function findingLines(f: Finding, m: MessageAnalysis): PlacedLine[] {
	const out: PlacedLine[] = [];
	for (let l = f.range.start.line; l <= f.range.end.line && out.length < 20; l++) {
		const p = diffLineAt(m.message, l);
		if (p) {
			out.push(p);
		}
	}
	return out;
}

function renameFixes(f: Finding, m: MessageAnalysis, ctx: QuickFixContext): Fix[] {
	const v: KernelVersion = m.kernel.version;
	const out: Fix[] = [];
	for (const placed of findingLines(f, m)) {
		if (placed.line.kind !== '+') {
			continue;
		}
		for (const [parent, oldName, newName] of RENAMES) {
			for (const [from, to] of [[oldName, newName], [newName, oldName]]) {
				const r = nameIn(from, v, parent);
				if (r.exists || r.instead !== to) {
					continue;
				}
				const re = new RegExp(`(?:\\.|->)\\s*(${from})\\b`, 'g');
				const edits: TextEdit[] = [];
				for (let mm = re.exec(placed.line.text); mm; mm = re.exec(placed.line.text)) {
					const start = mm.index + mm[0].length - from.length;
					const e = replaceInPlusLine(placed.line, start, start + from.length, to, ctx.lines);
					if (e) {
						edits.push(e);
					}
				}
				out.push(...fix(`Rename ${from} to ${to} (Linux ${formatKernel(v)})`, edits));
			}
		}
	}
	return out;
}

function dropLockedFixes(f: Finding, m: MessageAnalysis, ctx: QuickFixContext): Fix[] {
	const sym = lookupSymbol('MIGRATE_PFN_LOCKED');
	if (!sym || !atLeast(m.kernel.version, '5.16')) {
		return [];
	}
	const edits: TextEdit[] = [];
	for (const placed of findingLines(f, m)) {
		if (placed.line.kind !== '+') {
			continue;
		}
		const t = placed.line.text;
		const re = /\s*\|\s*MIGRATE_PFN_LOCKED\b|\bMIGRATE_PFN_LOCKED\s*\|\s*/g;
		for (let mm = re.exec(t); mm; mm = re.exec(t)) {
			const e = replaceInPlusLine(placed.line, mm.index, mm.index + mm[0].length, '', ctx.lines);
			if (e) {
				edits.push(e);
			}
		}
	}
	return fix(`Drop MIGRATE_PFN_LOCKED (removed in 5.16; Linux ${m.kernel.text})`, edits);
}

const notInKernel: Fixer = (f, m, ctx) => [...renameFixes(f, m, ctx), ...dropLockedFixes(f, m, ctx)];

/** The `goto LABEL;` lines after setup that lead to an exit without finalize. */
function gotoLines(m: MessageAnalysis, fn: FunctionFacts, setupLine: number, checkLine: number | undefined, label: string, stopLine: number): PlacedLine[] {
	const out: PlacedLine[] = [];
	const re = new RegExp(`^\\s*goto\\s+${label}\\s*;`);
	for (let l = setupLine + 1; l < stopLine && l <= fn.loc.endLine; l++) {
		const p = diffLineAt(m.message, l);
		if (!p || p.line.kind === '-' || !re.test(p.line.text)) {
			continue;
		}
		// Skip the goto of the setup-failure test (`if (ret) goto out;`).
		let cond = l;
		for (let k = l; k >= setupLine && k >= l - 3; k--) {
			const q = diffLineAt(m.message, k);
			if (q && /\bif\s*\(/.test(q.line.text)) {
				cond = k;
				break;
			}
		}
		if (checkLine !== undefined && cond === checkLine) {
			continue;
		}
		out.push(p);
	}
	return out;
}

/**
 * A line without its comments as `.replace(/\/\*.*\*\/|\/\/.*$/g, '')` removes them, linearly
 * (that expression tried every `/*` of a line up to its end): a `/*` up to the last `*\/` before
 * the next line terminator, a `//` to the end when no line terminator follows.
 */
export function withoutComments(text: string): string {
	let out = '';
	let a = 0;
	while (a < text.length) {
		let e = a;
		while (e < text.length && !LINE_TERMINATOR.test(text[e]!)) {
			e++;
		}
		const seg = text.slice(a, e);
		const lastClose = seg.lastIndexOf('*/');
		let i = 0;
		for (let k = seg.indexOf('/'); k >= 0 && k + 1 < seg.length; k = seg.indexOf('/', k + 1)) {
			if (seg[k + 1] === '*' && lastClose >= k + 2) {
				out += seg.slice(i, k);
				i = lastClose + 2;
				k = i - 1;
			} else if (seg[k + 1] === '/' && e === text.length) {
				out += seg.slice(i, k);
				i = seg.length;
				break;
			}
		}
		out += seg.slice(i) + text.slice(e, e + 1);
		a = e + 1;
	}
	return out;
}

/** Whether a statement inserted before this line would run only on this line's path. */
function braced(p: PlacedLine): boolean {
	if (!/^\s*(return\b|goto\b)/.test(p.line.text)) {
		return false;
	}
	for (let i = p.index - 1; i >= 0; i--) {
		const l = p.hunk.lines[i];
		if (l.kind === '-' || l.kind === '\\') {
			continue;
		}
		const t = withoutComments(l.text).trim();
		if (t === '') {
			continue;
		}
		return /[;{}:]$/.test(t) && !/^(else|do)\b/.test(t);
	}
	return false;
}

const addFinalize: Fixer = (f, m, ctx) => {
	for (const fn of postFns(m)) {
		for (const flow of fn.setupFlows) {
			const call = fn.calls[flow.callIndex];
			if (!call || call.kind !== 'setup' || call.args.length === 0) {
				continue;
			}
			const bad = flow.exits.filter((e) => !e.finalize && !e.setupFailed && !e.noPagesSelected && !e.throughGap && (e.kind === 'return' || e.kind === 'end'));
			if (bad.length === 0) {
				continue;
			}
			const targeted = bad.filter((e) => overlaps(e.loc, f.range));
			if (targeted.length === 0 && !overlaps(call.loc, f.range) && !overlaps(fn.loc, f.range)) {
				continue;
			}
			const exits = targeted.length > 0 ? targeted : bad;
			const arg = call.args[0];
			const finalizeLine = fn.calls.find((c, i) => i > flow.callIndex && c.kind === 'finalize')?.loc.line ?? fn.loc.endLine;
			const dstWritten = fn.pfnWrites.some((w) => w.array === 'dst' && w.loc.line > call.loc.line);
			const sites = new Map<number, PlacedLine>();
			for (const e of exits) {
				if (e.viaLabels.length === 0) {
					if (e.kind !== 'return') {
						return [];
					}
					const p = diffLineAt(m.message, e.loc.line);
					if (!p) {
						return [];
					}
					sites.set(e.loc.line, p);
					continue;
				}
				const gotos = gotoLines(m, fn, call.loc.line, call.result.checkLoc?.line, e.viaLabels[0], finalizeLine);
				if (gotos.length === 0) {
					return [];
				}
				for (const g of gotos) {
					sites.set(g.line.source.origin.range.start.line, g);
				}
			}
			const edits: TextEdit[] = [];
			const perHunk = new Map<Hunk, PlacedLine[]>();
			for (const p of sites.values()) {
				if (!braced(p)) {
					return [];
				}
				const list = perHunk.get(p.hunk) ?? [];
				list.push(p);
				perHunk.set(p.hunk, list);
			}
			let withPages = false;
			for (const [hunk, list] of perHunk) {
				let added = 0;
				for (const p of list) {
					const indent = indentOf(p.line.text);
					const needPages = dstWritten && !flow.exits.some((e) => e.pages && e.loc.line === p.line.source.origin.range.start.line);
					withPages ||= needPages;
					const code = needPages ? [`${indent}migrate_vma_pages(${arg});`, `${indent}migrate_vma_finalize(${arg});`] : [`${indent}migrate_vma_finalize(${arg});`];
					const ins = insertPlusLines(hunk, p.index, code, ctx.lines);
					if (!ins) {
						return [];
					}
					// Only the text insertion per site; the header count is edited once per hunk below.
					edits.push(ins[1]);
					added += code.length;
				}
				const header = hunkCountEdit(hunk, added, ctx.lines);
				if (!header) {
					return [];
				}
				edits.push(header);
			}
			if (edits.length === 0) {
				return [];
			}
			const what = withPages ? 'migrate_vma_pages() and migrate_vma_finalize()' : 'migrate_vma_finalize()';
			return fix(`Add ${what} before leaving after a successful setup`, edits);
		}
	}
	return [];
};

const FIXERS: Readonly<Record<string, Fixer>> = {
	'missing-select-flags': addSelectFlags,
	'missing-pgmap-owner': addPgmapOwner,
	'fault-page-missing': addFaultPage,
	'api-not-in-kernel': notInKernel,
	'finalize-missing': addFinalize,
};

/** Rule ids that may get a quick fix from this module. */
export const FIXABLE_RULES: readonly string[] = Object.freeze(Object.keys(FIXERS));

/**
 * The certain fixes for a finding: the rule's own fixes plus ours. Findings on removed lines, and
 * findings in messages whose body is encoded (quoted-printable, base64), get none of ours.
 */
export function quickFixesFor(finding: Finding, ctx: QuickFixContext): Fix[] {
	const own = finding.fixes ?? [];
	const fixer = FIXERS[finding.rule];
	const m = messageOf(finding, ctx);
	if (!fixer || !m || messageIsEncoded(m.message)) {
		return own;
	}
	let ours: Fix[] = [];
	try {
		ours = fixer(finding, m, ctx);
	} catch {
		ours = [];
	}
	const titles = new Set(own.map((x) => x.title));
	return [...own, ...ours.filter((x) => !titles.has(x.title))];
}

/** Applies non-overlapping edits to a text (for tests and previews). */
export function applyEdits(text: string, edits: TextEdit[]): string {
	const starts: number[] = [0];
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
			starts.push(i + 1);
		}
	}
	const offset = (p: { line: number; character: number }): number => {
		const base = starts[Math.min(p.line, starts.length - 1)] ?? text.length;
		return Math.min(text.length, base + p.character);
	};
	const sorted = edits
		.map((e) => ({ from: offset(e.range.start), to: offset(e.range.end), text: e.newText }))
		.sort((a, b) => b.from - a.from || b.to - a.to);
	let out = text;
	for (const e of sorted) {
		out = out.slice(0, e.from) + e.text + out.slice(e.to);
	}
	return out;
}
