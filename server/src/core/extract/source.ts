/*
 * Turning hunks into C text tree-sitter can parse, and mapping every line of that text back.
 *
 * A "unit" is one parse: consecutive hunks of one file in one image that belong to the same
 * function are stitched (a placeholder comment stands for the lines the patch does not show), and
 * a unit that starts inside a function body is wrapped in a function header made from the hunk
 * section (or a made-up one). With a kernel tree, a unit is the whole file with the patch applied
 * in memory.
 */

import { positionOf } from '../ingest/lines';
import type { DiffLine, FileDiff, Hunk, Pos, RecoveredLine } from '../ingest/types';
import type { Image, LineKind } from './types';
import { firstCall } from './names';
import { delimitedSpans, LINE_TERMINATOR } from '../text';

/** One line of a unit's text. */
export interface SrcLine {
	/** The text given to the parser. */
	text: string;
	kind: LineKind;
	/** The diff line it came from (kinds `+`, `-`, ` `). */
	diff?: DiffLine;
	/** 1-based line in the image's file, when known. */
	kernelLine?: number;
	/** For `tree`/`synthetic` lines: the hunk header to point at. */
	anchor: RecoveredLine;
	/** The placeholder for lines between stitched hunks. */
	gap?: boolean;
	/** Closing braces added because the fragment's end is not in the patch. */
	fragmentEnd?: boolean;
}

export interface Unit {
	file: FileDiff;
	image: Image;
	source: 'patch' | 'tree';
	lines: SrcLine[];
	text: string;
	/** For the wrapper header of the first line, the name taken from the hunk section. */
	sectionName?: string;
	/** Tree units: 0-based rows that hold diff lines (functions overlapping them are reported). */
	hunkRows?: Array<[number, number]>;
}

/** Marker text of a gap placeholder comment. */
export const GAP_MARK = '/*__ml_gap__';
/** Name of a made-up wrapper function. */
export const FRAGMENT_NAME = '__ml_fragment';
/** Type and name of a made-up initialiser head (a hunk that starts inside `= { … }`). */
export const INIT_TYPE = '__ml_init_type';
export const INIT_NAME = '__ml_init';

/** Document position of decoded column `col` of a recovered line; `end` gives the end of an inexact (base64) line. */
export function positionIn(line: RecoveredLine, col: number, end = false): Pos {
	const o = line.origin;
	if (end && (!o.exact || col >= line.text.length)) {
		return { ...o.range.end };
	}
	return positionOf(line, col);
}

/** Column in `diff.source.text` where `diff.text` starts. */
export function codeOffset(d: DiffLine): number {
	const s = d.source.text;
	if (s.length >= d.text.length && s.endsWith(d.text)) {
		return s.length - d.text.length;
	}
	return 1;
}

// ---------------------------------------------------------------------------------------------
// Brace scanning

interface ScanState {
	inComment: boolean;
	/** The previous line was a preprocessor line ending with a backslash. */
	inPreproc?: boolean;
}

/** Depth changes of one line; braces in comments, strings, chars and preprocessor lines are ignored. */
function scanLine(text: string, st: ScanState, depth: number, acc: { min: number }): number {
	let i = 0;
	const n = text.length;
	if (st.inPreproc || (!st.inComment && /^\s*#/.test(text))) {
		st.inPreproc = /\\\s*$/.test(text);
		return depth;
	}
	while (i < n) {
		const c = text[i]!;
		if (st.inComment) {
			const e = text.indexOf('*/', i);
			if (e < 0) {
				return depth;
			}
			st.inComment = false;
			i = e + 2;
			continue;
		}
		if (c === '/' && text[i + 1] === '*') {
			st.inComment = true;
			i += 2;
			continue;
		}
		if (c === '/' && text[i + 1] === '/') {
			return depth;
		}
		if (c === '"' || c === '\'') {
			i++;
			while (i < n && text[i] !== c) {
				i += text[i] === '\\' ? 2 : 1;
			}
			i++;
			continue;
		}
		if (c === '{') {
			depth++;
		} else if (c === '}') {
			depth--;
			if (depth < acc.min) {
				acc.min = depth;
			}
		}
		i++;
	}
	return depth;
}

interface HunkShape {
	/** Lowest depth reached (relative to the start, so <= 0). */
	min: number;
	/** Depth at the end, relative to the start. */
	end: number;
	/** How many blocks the first line sits in (the wrapper depth needed). */
	need: number;
	/** The first code line at the start level is a designator (`.field = v,`): the innermost block is an initialiser. */
	initializer: boolean;
}

const CODE_LINE = /^(?!\s*$)(?!\s*#)(?!\s*\/[*/])(?!\s*\*)/;

/**
 * The brace shape of a hunk image. The start depth is -min, plus one when every code line at the
 * outermost level is indented (kernel style indents everything inside a function or an
 * initialiser, so a hunk whose braces balance but whose lines are all indented starts inside one).
 */
function hunkShape(lines: string[]): HunkShape {
	const st: ScanState = { inComment: false };
	const acc = { min: 0 };
	let d = 0;
	const before: number[] = [];
	const commentBefore: boolean[] = [];
	for (const l of lines) {
		before.push(d);
		commentBefore.push(st.inComment || st.inPreproc === true);
		d = scanLine(l, st, d, acc);
	}
	const min = acc.min;
	let sawOuter = false;
	let allIndented = true;
	let firstOuter: string | undefined;
	lines.forEach((l, i) => {
		if (before[i] !== min || commentBefore[i] || !CODE_LINE.test(l) || /^\s*\}/.test(l) || /^[A-Za-z_]\w*:(?!:)/.test(l)) {
			return;
		}
		sawOuter = true;
		firstOuter ??= l;
		if (!/^\s/.test(l)) {
			allIndented = false;
		}
	});
	const extra = sawOuter && allIndented ? 1 : 0;
	// the level the hunk starts at: a designator line before any block opens means an initialiser
	let initializer = false;
	let indent = 0;
	for (let i = 0; i < lines.length; i++) {
		const l = lines[i]!;
		if (commentBefore[i] || !CODE_LINE.test(l)) {
			continue;
		}
		if (before[i] !== 0) {
			break;
		}
		initializer = /^\s*(\.[A-Za-z_]\w*|\[[^\]]+\])\s*=/.test(l);
		if (initializer) {
			// designators sit one tab deeper than their initialiser: two tabs mean one inside a function
			const ws = /^\s*/.exec(l)![0];
			indent = ws.replace(/ {8}/g, '\t').replace(/ +/g, '').length;
		}
		break;
	}
	const need = Math.max(-min + extra, initializer ? Math.min(indent, 4) : 0);
	return { min, end: d, need, initializer: initializer && need > 0 };
}

// ---------------------------------------------------------------------------------------------
// Hunk sections

/** A hunk section read as the code the hunk starts in; a header ends with ` {`. */
export type Section =
	| { kind: 'function'; name: string; header: string }
	| { kind: 'opener'; header: string; closer: string };

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'goto']);

/** What the text after the second `@@` says about the code the hunk starts in. */
export function parseSection(section: string): Section | undefined {
	const s = withoutLineComment(withoutBlockComments(section.trim())).trim();
	if (s === '' || /^[A-Za-z_]\w*:\s*$/.test(s)) {
		return undefined;
	}
	if (/=\s*\{?$/.test(s)) {
		return { kind: 'opener', header: s.endsWith('{') ? s : s + ' {', closer: '};' };
	}
	if (/^(typedef\s+)?(static\s+)?(struct|union|enum)\b[^()]*\{?$/.test(s)) {
		return { kind: 'opener', header: s.replace(/\{$/, '').trim() + ' {', closer: '};' };
	}
	const m = firstCall(s);
	if (!m || KEYWORDS.has(m.name) || s.slice(0, m.index).includes('=') || /^(if|for|while|switch|return|else|case|do)\b/.test(s)) {
		return undefined;
	}
	const name = m.name;
	let header = s.replace(/\{\s*$/, '').trim();
	let depth = 0;
	let closeAt = -1;
	for (let i = m.paren; i < header.length; i++) {
		if (header[i] === '(') {
			depth++;
		} else if (header[i] === ')') {
			depth--;
			if (depth === 0) {
				closeAt = i;
				break;
			}
		}
	}
	if (closeAt < 0) {
		// git cut the line: keep the complete parameters only.
		const open = m.paren + 1;
		const params = header.slice(open);
		const cut = params.lastIndexOf(',');
		header = header.slice(0, open) + (cut >= 0 ? params.slice(0, cut) : 'void') + ')';
	} else {
		header = header.slice(0, closeAt + 1);
	}
	if (header.endsWith(';')) {
		header = header.slice(0, -1);
	}
	if (m.index === 0) {
		// kernel style puts the return type on the line above
		header = 'int ' + header;
	}
	return { kind: 'function', name, header: header + ' {' };
}

// ---------------------------------------------------------------------------------------------
// Patch units

interface HunkImage {
	hunk: Hunk;
	lines: DiffLine[];
	start: number;
	shape: HunkShape;
	section?: Section;
}

function imageLines(h: Hunk, image: Image): DiffLine[] {
	const keep = image === 'post' ? '+' : '-';
	return h.lines.filter((l) => l.kind === ' ' || l.kind === keep);
}

function lineNo(d: DiffLine, image: Image): number | undefined {
	return image === 'post' ? d.newLine : d.oldLine;
}

/**
 * The first `name (` of a line after its last `;` (what `/([A-Za-z_]\w*)\s*\([^;]*$/` matches), by
 * one linear scan.
 */
export function openCallName(line: string): string | undefined {
	return firstCall(line, line.lastIndexOf(';') + 1)?.name;
}

/** Text without its complete block comments, each with the blanks around it made one space. */
function withoutBlockComments(s: string): string {
	let out = '';
	let i = 0;
	for (const [a, b] of delimitedSpans(s, '/*', '*/')) {
		out += `${s.slice(i, a).trimEnd()} `;
		i = b;
		while (i < s.length && /\s/.test(s[i]!)) {
			i++;
		}
	}
	return i === 0 ? s : out + s.slice(i);
}

/**
 * Text without a final `// …` comment and the blanks before it: what `.replace(/\s*\/\/.*$/, '')`
 * leaves, linearly (that expression tried every blank of a long run as the start of the comment).
 */
function withoutLineComment(s: string): string {
	// `.*$` reaches the end: the comment starts after the last line terminator.
	let last = s.length;
	while (last > 0 && !LINE_TERMINATOR.test(s[last - 1]!)) {
		last--;
	}
	let cut = s.indexOf('//', last);
	if (cut < 0) {
		return s;
	}
	while (cut > 0 && /\s/.test(s[cut - 1]!)) {
		cut--;
	}
	return s.slice(0, cut);
}

/** Name of the function whose body opens on the last `{` at depth 0 → 1 in these lines. */
function lastOpenedFunction(lines: string[], prior: string | undefined, startDepth: number): string | undefined {
	const st: ScanState = { inComment: false };
	const acc = { min: 0 };
	let d = startDepth;
	let name = prior;
	for (let i = 0; i < lines.length; i++) {
		const before = d;
		d = scanLine(lines[i]!, st, d, acc);
		if (before <= 0 && d > 0) {
			for (let k = i; k >= Math.max(0, i - 3); k--) {
				const callee = openCallName(lines[k]!);
				if (callee !== undefined && !KEYWORDS.has(callee)) {
					name = callee;
					break;
				}
			}
		}
	}
	return name;
}

const STITCH_GAP = 60;

/** Builds the parse units of one file in one image from its hunks alone. */
export function patchUnits(file: FileDiff, image: Image): Unit[] {
	const his: HunkImage[] = [];
	for (const h of file.hunks) {
		const lines = imageLines(h, image);
		if (lines.length === 0) {
			continue;
		}
		his.push({ hunk: h, lines, start: image === 'post' ? h.newStart : h.oldStart, shape: hunkShape(lines.map((l) => l.text)), section: parseSection(h.section) });
	}
	const units: Unit[] = [];
	let cur: { unit: Unit; depth: number; next: number; openName?: string; closer: string } | undefined;

	const finish = (): void => {
		if (!cur) {
			return;
		}
		const u = cur.unit;
		if (cur.depth > 0) {
			const last = u.lines[u.lines.length - 1]!;
			u.lines.push({ text: '}'.repeat(cur.depth) + (cur.closer === '};' ? ';' : ''), kind: 'synthetic', anchor: last.diff?.source ?? last.anchor, fragmentEnd: true });
		}
		u.text = u.lines.map((l) => l.text).join('\n') + '\n';
		units.push(u);
		cur = undefined;
	};

	for (const hi of his) {
		const need = hi.shape.need;
		const innermost = hi.shape.initializer ? `struct ${INIT_TYPE} ${INIT_NAME} = {` : '{';
		const anchor = hi.hunk.header;
		const texts = hi.lines.map((l) => l.text);
		if (cur && cur.depth > 0 && need > 0) {
			const gap = hi.start - cur.next;
			const sec = hi.section;
			const sameName = sec?.kind === 'function' && cur.openName !== undefined && sec.name === cur.openName;
			const otherName = sec?.kind === 'function' && cur.openName !== undefined && sec.name !== cur.openName;
			if (gap >= 0 && !otherName && (sameName || gap <= STITCH_GAP)) {
				let t = gap > 0 ? `${GAP_MARK} ${gap} lines not in the patch */` : '';
				if (cur.depth > need) {
					t += ' ' + '}'.repeat(cur.depth - need);
				} else if (cur.depth < need) {
					t += ' ' + '{ '.repeat(need - cur.depth - 1) + innermost;
				}
				if (t !== '') {
					cur.unit.lines.push({ text: t.trim(), kind: 'synthetic', anchor, gap: gap > 0 });
				}
				for (const l of hi.lines) {
					cur.unit.lines.push({ text: l.text, kind: l.kind as LineKind, diff: l, kernelLine: lineNo(l, image), anchor });
				}
				cur.depth = need + hi.shape.end;
				cur.next = hi.start + hi.lines.length;
				cur.openName = lastOpenedFunction(texts, cur.openName, need);
				continue;
			}
		}
		finish();
		const unit: Unit = { file, image, source: 'patch', lines: [], text: '' };
		let closer = '}';
		let openName: string | undefined;
		if (need > 0) {
			const sec = hi.section;
			let header: string;
			if (sec?.kind === 'function') {
				header = sec.header;
				openName = sec.name;
				unit.sectionName = sec.name;
			} else if (sec?.kind === 'opener') {
				header = sec.header;
				closer = sec.closer;
			} else {
				header = `void ${FRAGMENT_NAME}(void) {`;
			}
			if (need > 1) {
				header += ' ' + '{ '.repeat(need - 2) + innermost;
			} else if (hi.shape.initializer && sec?.kind !== 'opener') {
				header = `struct ${INIT_TYPE} ${INIT_NAME} = {`;
			}
			unit.lines.push({ text: header, kind: 'synthetic', anchor });
		} else {
			// a hunk that starts with the body's `{`: the signature is just above it
			const first = hi.lines.find((l) => CODE_LINE.test(l.text));
			if (first && /^\{\s*$/.test(first.text)) {
				const sec = hi.section;
				const header = sec?.kind === 'function' ? sec.header.slice(0, -1).trimEnd() : `void ${FRAGMENT_NAME}(void)`;
				if (sec?.kind === 'function') {
					openName = sec.name;
					unit.sectionName = sec.name;
				}
				unit.lines.push({ text: header, kind: 'synthetic', anchor });
			}
		}
		for (const l of hi.lines) {
			unit.lines.push({ text: l.text, kind: l.kind as LineKind, diff: l, kernelLine: lineNo(l, image), anchor });
		}
		cur = { unit, depth: need + hi.shape.end, next: hi.start + hi.lines.length, openName: lastOpenedFunction(texts, openName, need), closer };
	}
	finish();
	return units;
}

// ---------------------------------------------------------------------------------------------
// Tree units

function same(a: string, b: string): boolean {
	return a.trimEnd() === b.trimEnd();
}

/** Finds where `want` sits in `lines` near `at` (0-based); undefined when nowhere within the fuzz. */
function locate(lines: string[], want: string[], at: number, fuzz = 200): number | undefined {
	const fits = (p: number): boolean => {
		if (p < 0 || p + want.length > lines.length) {
			return false;
		}
		for (let i = 0; i < want.length; i++) {
			if (!same(lines[p + i]!, want[i]!)) {
				return false;
			}
		}
		return true;
	};
	for (let d = 0; d <= fuzz; d++) {
		if (fits(at + d)) {
			return at + d;
		}
		if (d > 0 && fits(at - d)) {
			return at - d;
		}
	}
	return undefined;
}

type Merged = { diff: DiffLine; hunk: Hunk } | { text: string };

/**
 * The whole file in the requested image with the patch's lines in place, or undefined when the
 * file matches neither image of the hunks.
 */
export function treeUnit(file: FileDiff, image: Image, fileText: string): Unit | undefined {
	if (file.hunks.length === 0) {
		return undefined;
	}
	const lines = fileText.replace(/\r\n?/g, '\n').split('\n');
	if (lines.length > 0 && lines[lines.length - 1] === '') {
		lines.pop();
	}
	const tryAs = (as: Image): number[] | undefined => {
		const pos: number[] = [];
		let from = 0;
		for (const h of file.hunks) {
			const want = imageLines(h, as).map((l) => l.text);
			const start = (as === 'post' ? h.newStart : h.oldStart) - 1;
			if (want.length === 0) {
				pos.push(Math.max(from, start + 1));
				continue;
			}
			const p = locate(lines, want, Math.max(start, from));
			if (p === undefined || p < from) {
				return undefined;
			}
			pos.push(p);
			from = p + want.length;
		}
		return pos;
	};
	let fileImage: Image = 'pre';
	let pos = file.oldPath !== undefined ? tryAs('pre') : undefined;
	if (!pos) {
		fileImage = 'post';
		pos = tryAs('post');
	}
	if (!pos) {
		return undefined;
	}
	const merged: Merged[] = [];
	let at = 0;
	file.hunks.forEach((h, k) => {
		const p = pos![k]!;
		while (at < p) {
			merged.push({ text: lines[at++]! });
		}
		for (const d of h.lines) {
			if (d.kind === '\\') {
				continue;
			}
			merged.push({ diff: d, hunk: h });
		}
		at += imageLines(h, fileImage).length;
	});
	while (at < lines.length) {
		merged.push({ text: lines[at++]! });
	}
	const keep = image === 'post' ? '+' : '-';
	const out: SrcLine[] = [];
	const hunkRows: Array<[number, number]> = [];
	let anchor = file.hunks[0]!.header;
	let kl = 0;
	let rowStart = -1;
	for (const m of merged) {
		if ('diff' in m) {
			if (m.diff.kind !== ' ' && m.diff.kind !== keep) {
				continue;
			}
			anchor = m.hunk.header;
			kl++;
			if (rowStart < 0) {
				rowStart = out.length;
			}
			out.push({ text: m.diff.text, kind: m.diff.kind as LineKind, diff: m.diff, kernelLine: kl, anchor });
		} else {
			if (rowStart >= 0) {
				hunkRows.push([rowStart, out.length - 1]);
				rowStart = -1;
			}
			kl++;
			out.push({ text: m.text, kind: 'tree', kernelLine: kl, anchor });
		}
	}
	if (rowStart >= 0) {
		hunkRows.push([rowStart, out.length - 1]);
	}
	return {
		file, image, source: 'tree', lines: out,
		text: out.map((l) => l.text).join('\n') + '\n',
		hunkRows,
	};
}
