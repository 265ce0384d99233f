/*
 * Archive text whose line breaks were flattened to spaces: a whole mail (headers, prose and a
 * quoted diff) on one or a few physical lines, with the quote markers left inline
 * (`… wrote: > > > > > diff --git a/x b/x > > > > > index … > > > > > @@ -180,6 +180,11 @@ …`).
 *
 * Logical lines are recovered by treating a run of quote markers that follows a space as a line
 * break: `> > >` (spaced) or `>>>` (compact) gives the depth of the next line. Inside a hunk the
 * prefix repeats with the hunk's depth; the hunk header counts tell how many lines to expect. Runs
 * that cannot be a prefix there (`>`, `>>` of shift and comparison operators inside code) are
 * kept as text. At depth 0 (no markers) only diff headers start new lines. Every recovered line
 * is a substring of the physical line, so its origin is exact.
 *
 * One left-to-right pass with bounded look-back: linear in the line length.
 */
import { sliceLine } from './lines';
import type { RecoveredLine } from './types';

const MIN_LENGTH = 300;
const HUNK_IN_TEXT = / @@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/;

/** Whether a physical line looks like flattened mail text. */
export function looksFlattened(text: string): boolean {
	if (text.length < MIN_LENGTH) {
		return false;
	}
	if (text.indexOf(' diff --git ') >= 0) {
		return true;
	}
	let runs = 0;
	let i = text.indexOf(' >');
	while (i >= 0) {
		const c = text.charCodeAt(i + 2);
		if (c === 32 || c === 62) {
			runs++;
			if (runs >= 3) {
				return true;
			}
			// Skip past the rest of this run.
			let j = i + 2;
			while (j < text.length && (text.charCodeAt(j) === 62 || (text.charCodeAt(j) === 32 && text.charCodeAt(j + 1) === 62))) {
				j++;
			}
			i = text.indexOf(' >', j);
		} else {
			i = text.indexOf(' >', i + 2);
		}
	}
	return HUNK_IN_TEXT.test(text);
}

const DEPTH0_SPLIT = / (?=diff --git |@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@|--- a\/|\+\+\+ b\/|index [0-9a-f]{7,40}\.\.[0-9a-f]{7,40})/g;
const HUNK_HEAD = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

interface Run {
	/** Index of the first `>`. */
	start: number;
	/** Index just after the run (at the following space or the end). */
	end: number;
	groups: number[];
}

/**
 * The run of `>` markers starting at `i`, or where to look for the next one: a run must follow a
 * space and be followed by one (or the end). When the chain of markers from `i` ends on another
 * character, every start inside the chain ends there too, so the search resumes after it (this
 * keeps a long `> > > …x` line linear).
 */
function readRun(t: string, i: number): Run | number {
	if (i > 0 && t.charCodeAt(i - 1) !== 32) {
		let k = i;
		while (k < t.length && t.charCodeAt(k) === 62) {
			k++;
		}
		return k;
	}
	const groups: number[] = [];
	let j = i;
	for (;;) {
		let g = 0;
		while (j < t.length && t.charCodeAt(j) === 62) {
			g++;
			j++;
		}
		groups.push(g);
		if (t.charCodeAt(j) === 32 && t.charCodeAt(j + 1) === 62) {
			j++;
			continue;
		}
		break;
	}
	if (j < t.length && t.charCodeAt(j) !== 32) {
		return j;
	}
	return { start: i, end: j, groups };
}

/** Whether the text before the space at `at - 1` ends with an operand (identifier, number, `)`, `]`). */
function operandBefore(t: string, at: number): boolean {
	const c = t.charCodeAt(at - 2);
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 41 || c === 93;
}

function startsHeader(t: string, at: number): boolean {
	return t.startsWith('@@ ', at) || t.startsWith('diff ', at) || t.startsWith('index ', at) || t.startsWith('--- ', at) || t.startsWith('+++ ', at);
}

/** Cuts a flattened physical line into logical lines with their quote depths. */
export function unflatten(src: RecoveredLine): RecoveredLine[] {
	const t = src.text;
	const out: RecoveredLine[] = [];
	let lineStart = 0;
	let curDepth = 0;
	// The hunk being read (depth, lines still expected).
	let hDepth = -1;
	let hOld = 0;
	let hNew = 0;
	let hActive = false;
	/** Style of the prefix that started the hunk header (`> > `: spaced, `>> `: compact). */
	let hStyle = '';
	/** Style of the prefix that started the current line. */
	let curStyle = '';
	// Parenthesis balance of the current line, advanced incrementally.
	let parenFrom = 0;
	let paren = 0;

	const emit = (from: number, to: number, depth: number): void => {
		const l = sliceLine(src, from, to, depth);
		l.flattened = true;
		out.push(l);
		// Track the hunk so runs inside code can be told from line breaks.
		const s = l.text;
		const m = HUNK_HEAD.exec(s);
		if (m) {
			hDepth = depth;
			hStyle = curStyle;
			hOld = m[1] === undefined ? 1 : Number(m[1]);
			hNew = m[2] === undefined ? 1 : Number(m[2]);
			hActive = hOld + hNew > 0;
			return;
		}
		if (depth !== hDepth || !hActive) {
			return;
		}
		if (s.startsWith('diff ') || s.startsWith('--- ') || s.startsWith('+++ ')) {
			hActive = false;
			return;
		}
		const c = s.charAt(0);
		if (c === '+') {
			hNew--;
		} else if (c === '-') {
			hOld--;
		} else if (c !== '\\') {
			hOld--;
			hNew--;
		}
		if (hOld <= 0 && hNew <= 0) {
			hActive = false;
		}
	};

	const balanceUpTo = (to: number): number => {
		if (parenFrom < lineStart) {
			parenFrom = lineStart;
			paren = 0;
		}
		for (let k = parenFrom; k < to; k++) {
			const c = t.charCodeAt(k);
			if (c === 40) {
				paren++;
			} else if (c === 41) {
				paren--;
			}
		}
		parenFrom = Math.max(parenFrom, to);
		return paren;
	};

	/** Starts a new logical line at `at` with `depth`, closing the current one at `closeAt`. */
	const breakLine = (closeAt: number, at: number, depth: number, empties: number[], style: string): void => {
		if (closeAt > lineStart || out.length > 0 || closeAt > 0) {
			emit(lineStart, Math.max(lineStart, closeAt), curDepth);
		}
		for (const e of empties) {
			emit(at, at, e);
		}
		lineStart = at;
		curDepth = depth;
		curStyle = style;
		parenFrom = at;
		paren = 0;
	};

	DEPTH0_SPLIT.lastIndex = 0;
	let nextSplit = DEPTH0_SPLIT.exec(t);
	let gtFrom = 0;
	let nextGt = t.indexOf('>', 0);
	while (nextGt !== -1 || nextSplit) {
		const splitAt = nextSplit ? nextSplit.index + 1 : Infinity;
		if (nextGt !== -1 && nextGt < splitAt) {
			const run = readRun(t, nextGt);
			if (typeof run === 'number') {
				gtFrom = run;
				nextGt = t.indexOf('>', gtFrom);
				continue;
			}
			gtFrom = run.end;
			nextGt = t.indexOf('>', gtFrom);
			const at = Math.min(t.length, run.end + 1);
			const closeAt = run.start === 0 ? 0 : run.start - 1;
			const total = run.groups.reduce((a, b) => a + b, 0);
			const single = run.groups.length === 1;
			const spaced = run.groups.every((g) => g === 1);
			const style = total === 1 ? '' : spaced ? 'spaced' : single ? 'compact' : 'mixed';
			let inBody = hActive && curDepth === hDepth && !startsHeader(t, lineStart) && run.start > lineStart;
			if (inBody) {
				// The line being read is the hunk's last expected one: whatever follows is not code.
				const k = t.charAt(lineStart);
				const leftOld = k === '+' ? hOld : hOld - 1;
				const leftNew = k === '-' ? hNew : hNew - 1;
				if (leftOld <= 0 && leftNew <= 0) {
					inBody = false;
				}
			}
			if (!inBody) {
				if (single || spaced) {
					breakLine(closeAt, at, total, [], style);
				} else {
					breakLine(closeAt, at, run.groups[run.groups.length - 1], run.groups.slice(0, -1), 'compact');
				}
				continue;
			}
			if (!single && !spaced) {
				breakLine(closeAt, at, run.groups[run.groups.length - 1], run.groups.slice(0, -1), 'compact');
				continue;
			}
			if (total === hDepth && (total === 1 || style === hStyle || hStyle === '')) {
				const nc = t.charAt(at);
				// `a > b` inside parentheses is a comparison; `f(a, > b)` is a wrapped argument list.
				if (total === 1 && nc !== '+' && nc !== '-' && operandBefore(t, run.start) && balanceUpTo(run.start) > 0) {
					continue;
				}
				breakLine(closeAt, at, hDepth, [], style);
				continue;
			}
			if (spaced && hDepth > 0 && total % hDepth === 0) {
				const empties: number[] = [];
				for (let k = 1; k < total / hDepth; k++) {
					empties.push(hDepth);
				}
				breakLine(closeAt, at, hDepth, empties, hStyle);
				continue;
			}
			if (total <= 2) {
				continue;
			}
			breakLine(closeAt, at, total, [], style);
			continue;
		}
		// A diff header inside depth-0 text.
		nextSplit = DEPTH0_SPLIT.exec(t);
		if (curDepth === 0 && splitAt > lineStart) {
			breakLine(splitAt - 1, splitAt, 0, [], '');
		}
	}
	emit(lineStart, t.length, curDepth);
	return out;
}
