/*
 * Stage 2: recovered lines (already unquoted, each with its quote depth) into files, hunks and
 * numbered diff lines.
 *
 * Each quote depth has its own reading state, so a diff quoted at depth 2, a reply's comments at
 * depth 0 and a re-quoted hunk at depth 1 never mix. A hunk interrupted by lines at another
 * depth (a reviewer's comment) or by an elision (`[...]`) is suspended and picks up again when
 * its depth resumes with diff lines. Quoted hunks are usually trimmed, so their counts are not
 * checked; a depth-0 hunk whose lines do not match its header is reported.
 */
import { rangeInLine } from './lines';
import { looksFlattened } from './flatten';
import { quotePrefixAt } from './quote';
import type { DiffLine, FileDiff, Hunk, IngestProblem, RecoveredLine } from './types';

interface HunkState {
	hunk: Hunk;
	remOld: number;
	remNew: number;
	foundOld: number;
	foundNew: number;
	nextOld: number;
	nextNew: number;
	/** A line with a real ` ` marker was seen (so marker-less lines are not context). */
	sawSpace: boolean;
	suspended: boolean;
	overflow: boolean;
}

interface DepthState {
	file: FileDiff | null;
	/** Between a file header and its first hunk: extended git headers are read. */
	inFileHeaders: boolean;
	/** Inside the data of a `GIT binary patch`. */
	inBinary: boolean;
	hunk: HunkState | null;
}

export interface DiffResult {
	files: FileDiff[];
	problems: IngestProblem[];
	/** Per input line: 1 when the line belongs to a diff (headers, hunk lines). */
	inDiff: Uint8Array;
}

export const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
/**
 * A hunk header without its closing `@@` or with a mangled one. The blanks after the counts are
 * read once (`(?:\s*@*)?\s*$` tried every split of a long run of them).
 */
export const HUNK_HEADER_LOOSE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))?\s*(?:@+\s*)?$/;
const EXT_HEADER = /^(?:old mode |new mode |deleted file mode |new file mode |similarity index |dissimilarity index |index |rename from |rename to |copy from |copy to |rename old |rename new )/;
const ELISION = /^\s*(?:\[\s*(?:\.\.\.|…|\.\.|snip|snipped|trimmed|cut|deleted|removed|skip)[^\]]*\]|<\s*snip\s*>|\.\.\.|…|---\s*snip\s*---)\s*$/i;
const VERSION_LINE = /^\d+\.\d+/;

/** Strips `a/`, `b/` (or another one-letter mnemonic prefix) and a trailing timestamp from a path. */
function cleanPath(raw: string, prefix: 'a' | 'b'): string | undefined {
	let p = raw;
	const tab = p.indexOf('\t');
	if (tab >= 0) {
		p = p.slice(0, tab);
	}
	p = p.trim();
	if (p.startsWith('"') && p.endsWith('"') && p.length >= 2) {
		p = unquoteC(p.slice(1, -1));
	}
	if (p === '/dev/null' || p.length === 0) {
		return undefined;
	}
	if (p.startsWith(prefix + '/')) {
		return p.slice(2);
	}
	if (/^[abciwo12]\//.test(p)) {
		return p.slice(2);
	}
	return p;
}

function unquoteC(s: string): string {
	return s.replace(/\\([0-7]{3}|.)/g, (_m, e: string) => {
		if (e.length === 3) {
			return String.fromCharCode(parseInt(e, 8));
		}
		return e === 'n' ? '\n' : e === 't' ? '\t' : e;
	});
}

/** Paths of `diff --git a/X b/Y`. */
function gitDiffPaths(rest: string): { oldPath?: string; newPath?: string } {
	const r = rest.trim();
	if (r.startsWith('"')) {
		const m = /^"((?:[^"\\]|\\.)*)"\s+(.*)$/.exec(r);
		if (m) {
			return { oldPath: cleanPath('"' + m[1] + '"', 'a'), newPath: cleanPath(m[2], 'b') };
		}
	}
	// Same path on both sides: `a/P b/P`.
	if ((r.length - 1) % 2 === 0) {
		const half = (r.length - 1) / 2;
		const left = r.slice(0, half);
		const right = r.slice(half + 1);
		if (r.charAt(half) === ' ' && left.slice(2) === right.slice(2) && left.length > 2) {
			return { oldPath: cleanPath(left, 'a'), newPath: cleanPath(right, 'b') };
		}
	}
	const sep = r.indexOf(' b/');
	if (sep > 0) {
		return { oldPath: cleanPath(r.slice(0, sep), 'a'), newPath: cleanPath(r.slice(sep + 1), 'b') };
	}
	const sp = r.lastIndexOf(' ');
	if (sp > 0) {
		return { oldPath: cleanPath(r.slice(0, sp), 'a'), newPath: cleanPath(r.slice(sp + 1), 'b') };
	}
	return { oldPath: cleanPath(r, 'a'), newPath: cleanPath(r, 'b') };
}

function newFile(header: RecoveredLine, depth: number, oldPath?: string, newPath?: string): FileDiff {
	return { oldPath, newPath, path: newPath ?? oldPath ?? '', binary: false, status: 'modified', quoteDepth: depth, header, hunks: [] };
}

function setPath(f: FileDiff): void {
	f.path = f.newPath ?? f.oldPath ?? '';
}

/** Whether a hunk-less line at the start of a context run is the `-- ` signature or another mail construct. */
function isMailConstruct(t: string): boolean {
	if (t === '--' || t === '-- ' || t === '---') {
		return true;
	}
	if (t.length === 0) {
		return false;
	}
	const c = t.charCodeAt(0);
	// Cheap gate: the constructs start with S, R, A, C, F, L, T, b, O or an elision mark.
	if (c === 83 || c === 82 || c === 65 || c === 67 || c === 70 || c === 76 || c === 84 || c === 98 || c === 115 || c === 114 || c === 97 || c === 99 || c === 102 || c === 108 || c === 116) {
		return /^(?:Signed-off-by|Reviewed-by|Acked-by|Cc|Fixes|Link|Tested-by|base-commit):/i.test(t);
	}
	if (c === 79) {
		return /^On .*wrote:\s*$/.test(t);
	}
	return isElision(t);
}

/** `[...]`, `[snip]`, `<snip>`, `...` on a line of their own. */
function isElision(t: string): boolean {
	if (t.length > 60) {
		return false;
	}
	let k = 0;
	while (k < t.length && (t.charCodeAt(k) === 32 || t.charCodeAt(k) === 9)) {
		k++;
	}
	if (k === t.length) {
		return false;
	}
	const c = t.charCodeAt(k);
	if (c !== 91 && c !== 60 && c !== 46 && c !== 0x2026 && c !== 45) {
		return false;
	}
	return ELISION.test(t);
}

/** Reads the diffs in the lines of one message part. */
export function readDiffs(lines: readonly RecoveredLine[]): DiffResult {
	return new DiffReader(lines).read();
}

/**
 * The reading of one part by `readDiffs`. The line loop (`read`) stays small; what happens at file
 * and hunk headers, in binary data and in hunks is in methods of its own.
 */
class DiffReader {
	private readonly lines: readonly RecoveredLine[];
	private readonly files: FileDiff[] = [];
	private readonly problems: IngestProblem[] = [];
	private readonly inDiff: Uint8Array;
	private readonly states = new Map<number, DepthState>();

	constructor(lines: readonly RecoveredLine[]) {
		this.lines = lines;
		this.inDiff = new Uint8Array(lines.length);
	}

	read(): DiffResult {
		const lines = this.lines;
		let activeDepth = -1;
		let activeState: DepthState | null = null;
		for (let i = 0; i < lines.length; i++) {
			const line = lines[i];
			const d = line.quoteDepth;
			const t = line.text;
			if (d !== activeDepth) {
				if (activeState) {
					if (activeState.hunk) {
						activeState.hunk.suspended = true;
					}
					activeState.inBinary = false;
				}
				activeDepth = d;
				activeState = this.stateOf(d);
			}
			const st = activeState as DepthState;
			// (headers start with `d`, `@` or `-`: other lines are not looked at for them)
			const c = t.length > 0 ? t.charCodeAt(0) : -1;

			if (c === 100 && (t.startsWith('diff --git ') || (t.startsWith('diff -') && OTHER_DIFF.test(t)))) {
				this.diffHeader(st, line, i);
				continue;
			}
			if (c === 64 && t.startsWith('@@ ') && this.hunkHeader(st, line, i)) {
				continue;
			}
			if (st.inBinary && this.binaryLine(st, t, i)) {
				continue;
			}
			if (st.inFileHeaders && st.file && this.fileHeaderLine(st, st.file, line, i)) {
				continue;
			}
			if (st.hunk) {
				const r = this.hunkLine(st, line, i);
				if (r === 'taken') {
					this.inDiff[i] = 1;
					continue;
				}
				if (r === 'prose') {
					continue;
				}
			}
			if (c === 45 && t.startsWith('--- ') && this.startsPair(i, d)) {
				this.pairHeader(st, line, i);
				continue;
			}
		}
		for (const st of this.states.values()) {
			this.closeHunk(st);
		}
		return { files: this.files, problems: this.problems, inDiff: this.inDiff };
	}

	private stateOf(d: number): DepthState {
		let s = this.states.get(d);
		if (!s) {
			s = { file: null, inFileHeaders: false, inBinary: false, hunk: null };
			this.states.set(d, s);
		}
		return s;
	}

	/** Index of the next line at depth `d` after `i`, if it directly follows (no other depth between). */
	private nextSame(i: number, d: number): RecoveredLine | undefined {
		if (i + 1 >= this.lines.length) {
			return undefined;
		}
		const n = this.lines[i + 1];
		return n.quoteDepth === d ? n : undefined;
	}

	private closeHunk(st: DepthState): void {
		const hs = st.hunk;
		if (!hs) {
			return;
		}
		st.hunk = null;
		const h = hs.hunk;
		const match = hs.foundOld === h.oldCount && hs.foundNew === h.newCount;
		h.countsMatch = match;
		if (!match && h.quoteDepth === 0) {
			this.problems.push({
				message: `Hunk header @@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@ promises ${h.oldCount} old and ${h.newCount} new lines; ${hs.foundOld} and ${hs.foundNew} were found.`,
				range: rangeInLine(h.header),
			});
		}
	}

	private addLine(hs: HunkState, kind: DiffLine['kind'], text: string, source: RecoveredLine): void {
		const dl: DiffLine = { kind, text, source };
		if (kind === ' ') {
			dl.oldLine = hs.nextOld++;
			dl.newLine = hs.nextNew++;
			hs.remOld--;
			hs.remNew--;
			hs.foundOld++;
			hs.foundNew++;
		} else if (kind === '-') {
			dl.oldLine = hs.nextOld++;
			hs.remOld--;
			hs.foundOld++;
		} else if (kind === '+') {
			dl.newLine = hs.nextNew++;
			hs.remNew--;
			hs.foundNew++;
		}
		if (hs.remOld < 0 || hs.remNew < 0) {
			hs.overflow = true;
		}
		hs.hunk.lines.push(dl);
	}

	/** Whether line `i` (a `--- ` line) starts a file header pair `---`/`+++`. */
	private startsPair(i: number, d: number): boolean {
		const n = this.nextSame(i, d);
		return !!n && n.text.startsWith('+++ ');
	}

	/** For ` ` lines past the counts: does a `+`/`-` line follow within the run of context lines? */
	private changeFollows(i: number, d: number): boolean {
		const lines = this.lines;
		for (let k = i + 1; k < lines.length && k < i + 200; k++) {
			const l = lines[k];
			if (l.quoteDepth !== d) {
				return false;
			}
			const c = l.text.length > 0 ? l.text.charAt(0) : '';
			if (c === ' ') {
				continue;
			}
			if (c === '+' && !l.text.startsWith('+++ ')) {
				return true;
			}
			if (c === '-' && !l.text.startsWith('--- ') && !isMailConstruct(l.text)) {
				return true;
			}
			return false;
		}
		return false;
	}

	/** A `diff --git` (or `diff -u …`) line: a new file. */
	private diffHeader(st: DepthState, line: RecoveredLine, i: number): void {
		const t = line.text;
		this.closeHunk(st);
		let p: { oldPath?: string; newPath?: string };
		if (t.startsWith('diff --git ')) {
			p = gitDiffPaths(t.slice(11));
		} else {
			const parts = t.split(' ');
			p = { oldPath: cleanPath(parts[parts.length - 2], 'a'), newPath: cleanPath(parts[parts.length - 1], 'b') };
		}
		const f = newFile(line, line.quoteDepth, p.oldPath, p.newPath);
		this.files.push(f);
		st.file = f;
		st.inFileHeaders = true;
		st.inBinary = false;
		this.inDiff[i] = 1;
	}

	/** A line starting with `@@ `: true when it was read as a hunk header (or reported as a malformed one). */
	private hunkHeader(st: DepthState, line: RecoveredLine, i: number): boolean {
		const t = line.text;
		const d = line.quoteDepth;
		let m = HUNK_HEADER.exec(t);
		let loose = false;
		if (!m) {
			m = HUNK_HEADER_LOOSE.exec(t);
			loose = !!m;
		}
		if (m) {
			this.closeHunk(st);
			if (loose && d === 0) {
				this.problems.push({ message: 'Hunk header without its closing "@@"; read anyway.', range: rangeInLine(line) });
			}
			if (!st.file) {
				const f = newFile(line, d);
				this.files.push(f);
				st.file = f;
			}
			st.inFileHeaders = false;
			st.inBinary = false;
			const oldStart = Number(m[1]);
			const newStart = Number(m[3]);
			const oldCount = m[2] === undefined ? 1 : Number(m[2]);
			const newCount = m[4] === undefined ? 1 : Number(m[4]);
			const hunk: Hunk = { oldStart, oldCount, newStart, newCount, section: loose ? '' : (m[5] ?? '').trim(), header: line, lines: [], quoteDepth: d };
			st.file.hunks.push(hunk);
			st.hunk = {
				hunk, remOld: oldCount, remNew: newCount, foundOld: 0, foundNew: 0,
				nextOld: oldStart, nextNew: newStart, sawSpace: false, suspended: false, overflow: false,
			};
			this.inDiff[i] = 1;
			return true;
		}
		if (d === 0 && /^@@ -/.test(t)) {
			this.problems.push({ message: 'Malformed hunk header; its lines are not read as a diff.', range: rangeInLine(line) });
			this.closeHunk(st);
			return true;
		}
		return false;
	}

	/** A line after `GIT binary patch`: true while it reads as binary data (otherwise the data ends). */
	private binaryLine(st: DepthState, t: string, i: number): boolean {
		if (/^(?:literal|delta) \d+$/.test(t) || /^[A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]*$/.test(t) || t.length === 0) {
			this.inDiff[i] = 1;
			return true;
		}
		st.inBinary = false;
		return false;
	}

	/** A line between a file header and its first hunk: true when it was read as a git header. */
	private fileHeaderLine(st: DepthState, f: FileDiff, line: RecoveredLine, i: number): boolean {
		const t = line.text;
		if (t.startsWith('--- ')) {
			f.oldPath = cleanPath(t.slice(4), 'a');
			if (f.oldPath === undefined) {
				f.status = 'added';
			}
			setPath(f);
			this.inDiff[i] = 1;
			return true;
		}
		if (t.startsWith('+++ ')) {
			f.newPath = cleanPath(t.slice(4), 'b');
			if (f.newPath === undefined) {
				f.status = 'deleted';
			}
			setPath(f);
			this.inDiff[i] = 1;
			return true;
		}
		// A `diff --git a/P` header wrapped by the mailer: `b/P` on the next line.
		if (f.header === this.lines[i - 1] && /^b\/\S+$/.test(t) && !/ b\/\S+$/.test(f.header.text)) {
			f.newPath = cleanPath(t, 'b');
			setPath(f);
			this.inDiff[i] = 1;
			return true;
		}
		if (EXT_HEADER.test(t)) {
			if (t.startsWith('new file mode')) {
				f.status = 'added';
				f.oldPath = undefined;
			} else if (t.startsWith('deleted file mode')) {
				f.status = 'deleted';
				f.newPath = undefined;
			} else if (t.startsWith('rename from ') || t.startsWith('rename old ')) {
				f.status = 'renamed';
				f.oldPath = t.slice(t.indexOf(' ', 7) + 1).trim();
			} else if (t.startsWith('rename to ') || t.startsWith('rename new ')) {
				f.status = 'renamed';
				f.newPath = t.slice(t.indexOf(' ', 7) + 1).trim();
			} else if (t.startsWith('copy from ')) {
				f.status = 'copied';
				f.oldPath = t.slice(10).trim();
			} else if (t.startsWith('copy to ')) {
				f.status = 'copied';
				f.newPath = t.slice(8).trim();
			}
			setPath(f);
			this.inDiff[i] = 1;
			return true;
		}
		if ((t.startsWith('Binary files ') && t.endsWith(' differ')) || t === 'GIT binary patch') {
			f.binary = true;
			st.inFileHeaders = false;
			st.inBinary = t === 'GIT binary patch';
			this.problems.push({ message: `Binary diff of ${f.path || 'a file'}: not analysed.`, range: rangeInLine(line) });
			this.inDiff[i] = 1;
			return true;
		}
		st.inFileHeaders = false;
		return false;
	}

	/** A `---` line followed by `+++` at the same depth, outside file headers: a new file. */
	private pairHeader(st: DepthState, line: RecoveredLine, i: number): void {
		const f = newFile(line, line.quoteDepth, cleanPath(line.text.slice(4), 'a'), undefined);
		if (f.oldPath === undefined) {
			f.status = 'added';
		}
		this.files.push(f);
		st.file = f;
		st.inFileHeaders = true;
		st.inBinary = false;
		this.inDiff[i] = 1;
	}

	/** Tries to read line `i` as part of the current hunk; 'end' ends the hunk (the caller reads the line anew). */
	private hunkLine(st: DepthState, line: RecoveredLine, i: number): 'taken' | 'prose' | 'end' {
		const hs = st.hunk as HunkState;
		const t = line.text;
		const d = line.quoteDepth;
		const c = t.length > 0 ? t.charAt(0) : '';
		if (hs.suspended) {
			const fits = (c === '+' && hs.remNew > 0 && !t.startsWith('+++ '))
				|| (c === '-' && hs.remOld > 0 && !t.startsWith('--- ') && !isMailConstruct(t))
				|| (c === ' ' && hs.remOld > 0 && hs.remNew > 0 && t.trim().length > 0)
				|| (c === '\\' && t.startsWith('\\ '));
			if (fits) {
				hs.suspended = false;
			} else if (t.trim().length === 0 || isElision(t)) {
				return 'prose';
			} else {
				this.closeHunk(st);
				return 'end';
			}
		}
		if (c !== '+' && c !== ' ' && c !== '\\' && (c !== '-' || t.indexOf('snip') !== -1) && isElision(t)) {
			hs.suspended = true;
			return 'prose';
		}
		const bothLeft = hs.remOld > 0 && hs.remNew > 0;
		if (t.length === 0) {
			if (bothLeft) {
				this.addLine(hs, ' ', '', line);
				return 'taken';
			}
			this.closeHunk(st);
			return 'end';
		}
		if (c === '\\') {
			this.addLine(hs, '\\', t.slice(1), line);
			return 'taken';
		}
		if (c === '-') {
			if ((t === '--' || t === '-- ' || t === '---') && (hs.remOld <= 0 || !this.nextSame(i, d) || VERSION_LINE.test(this.nextSame(i, d)?.text ?? '') || t === '---')) {
				this.closeHunk(st);
				return 'end';
			}
			if (t.startsWith('--- ') && this.startsPair(i, d)) {
				this.closeHunk(st);
				return 'end';
			}
			// Past the old count too: a hand-edited header (reported when the hunk closes).
			this.addLine(hs, '-', t.slice(1), line);
			return 'taken';
		}
		if (c === '+') {
			if (t.startsWith('+++ ') && hs.remNew <= 0) {
				this.closeHunk(st);
				return 'end';
			}
			this.addLine(hs, '+', t.slice(1), line);
			return 'taken';
		}
		if (c === ' ') {
			if (hs.remOld > 0 || hs.remNew > 0 || this.changeFollows(i, d)) {
				hs.sawSpace = true;
				this.addLine(hs, ' ', t.slice(1), line);
				return 'taken';
			}
			this.closeHunk(st);
			return 'end';
		}
		// No marker: a context line whose leading space was lost (archives strip it), as long as
		// this hunk never showed a real context marker and the counts still expect context.
		if (!hs.sawSpace && bothLeft && !isMailConstruct(t)) {
			this.addLine(hs, ' ', t, line);
			return 'taken';
		}
		this.closeHunk(st);
		return 'end';
	}
}

const OTHER_DIFF = /^diff (?:-[A-Za-z]+ )+\S+ \S+$/;

export interface DiffSkim {
	/**
	 * false when `readDiffs` over these lines could report a problem or the lines need more than
	 * plain reading (flattened or very long lines): the caller must read the message in full.
	 */
	plain: boolean;
	/** Whether `readDiffs` would find at least one file (meaningful only when `plain`). */
	hasDiff: boolean;
	/** The number of LF in `text.slice(from)` (counted only when `plain`). */
	lineBreaks: number;
}

/**
 * A cheap look at the plain (7bit/8bit, not flowed, LF-only) body `text.slice(from)` — one pass,
 * no line objects — answering what a full read would: does it hold a diff, and could reading it
 * report anything. Conservative: whatever it cannot vouch for (a depth-0 hunk whose lines do not
 * plainly match its counts, a loose or malformed hunk header, binary diffs, a quoted line inside a
 * depth-0 hunk, elisions, flattened or overlong lines) makes `plain` false. When `plain` is true,
 * `readDiffs` on the same lines reports no problem and finds a file exactly when `hasDiff`.
 */
export function skimDiffs(text: string, from: number, longLine: number): DiffSkim {
	const no: DiffSkim = { plain: false, hasDiff: false, lineBreaks: 0 };
	const n = text.length;
	let hasDiff = false;
	// depth-0 hunk: counts left, or 'open' (exactly consumed, not yet closed), or 'suspended'
	// (exactly consumed, then interrupted by another depth)
	let remOld = 0;
	let remNew = 0;
	let inHunk = false;
	let open = false;
	let suspended = false;
	let breaks = 0;
	let s = from;
	while (s < n) {
		let e = text.indexOf('\n', s);
		if (e === -1) {
			e = n;
		} else {
			breaks++;
		}
		const len = e - s;
		if (len > longLine) {
			return no;
		}
		const c0 = len === 0 ? -1 : text.charCodeAt(s);
		let line: string | undefined;
		if (len >= 300) {
			line = text.slice(s, e);
			if (looksFlattened(line)) {
				return no;
			}
		}
		let depth = 0;
		let ts = s;
		if (c0 === 62) {
			const q = quotePrefixAt(text, s, e);
			depth = q.depth;
			ts = s + q.length;
		}
		const c = ts < e ? text.charCodeAt(ts) : -1;
		const next = e + 1;
		if (inHunk) {
			if (depth !== 0) {
				return no;
			}
			if (c === -1 || c === 32) {
				if (remOld <= 0 || remNew <= 0) {
					return no;
				}
				remOld--;
				remNew--;
			} else if (c === 45) {
				if (remOld <= 0 || text.charCodeAt(ts + 1) === 45) {
					return no;
				}
				remOld--;
			} else if (c === 43) {
				if (remNew <= 0 || text.charCodeAt(ts + 1) === 43) {
					return no;
				}
				remNew--;
			} else if (c !== 92) {
				return no;
			}
			if (remOld === 0 && remNew === 0) {
				inHunk = false;
				open = true;
			}
			s = next;
			continue;
		}
		if (open && depth !== 0) {
			suspended = true;
		} else if (open && depth === 0) {
			if (suspended) {
				if (c === 92) {
					return no;
				}
				line ??= text.slice(s, e);
				if (c !== -1 && line.trim().length > 0 && !isElision(line)) {
					open = false;
					suspended = false;
				}
			} else if (c === 43) {
				if (!text.startsWith('+++ ', ts)) {
					return no;
				}
				open = false;
			} else if (c === 45) {
				line ??= text.slice(s, e);
				if (line === '--' || line === '-- ' || line === '---' || (line.startsWith('--- ') && nextStartsWith(text, next, '+++ '))) {
					open = false;
				} else {
					return no;
				}
			} else if (c === 32) {
				return no;
			} else if (c !== 92) {
				line ??= text.slice(s, e);
				if (isElision(line)) {
					// an elision suspends the hunk rather than closing it
					suspended = true;
				} else {
					open = false;
				}
			}
		}
		if (c === 100 && (text.startsWith('diff --git ', ts) || (text.startsWith('diff -', ts) && OTHER_DIFF.test(text.slice(ts, e))))) {
			hasDiff = true;
			if (depth === 0) {
				open = false;
				suspended = false;
			}
		} else if (c === 64 && text.startsWith('@@ ', ts)) {
			const t = text.slice(ts, e);
			const m = HUNK_HEADER.exec(t);
			if (m) {
				hasDiff = true;
				if (depth === 0) {
					remOld = m[2] === undefined ? 1 : Number(m[2]);
					remNew = m[4] === undefined ? 1 : Number(m[4]);
					inHunk = remOld > 0 || remNew > 0;
					open = !inHunk;
					suspended = false;
				}
			} else if (HUNK_HEADER_LOOSE.test(t)) {
				if (depth === 0) {
					return no;
				}
				hasDiff = true;
			} else if (depth === 0 && t.startsWith('@@ -')) {
				return no;
			}
		} else if (c === 45 && text.startsWith('--- ', ts) && next < n) {
			// a `---`/`+++` pair at the same depth starts a file
			let ne = text.indexOf('\n', next);
			if (ne === -1) {
				ne = n;
			}
			const q = next < ne && text.charCodeAt(next) === 62 ? quotePrefixAt(text, next, ne) : { depth: 0, length: 0 };
			// (`+++ ` holds no LF: it cannot run past the line)
			if (q.depth === depth && text.startsWith('+++ ', next + q.length)) {
				hasDiff = true;
			}
		}
		s = next;
	}
	if (inHunk) {
		return no;
	}
	return { plain: true, hasDiff, lineBreaks: breaks };
}

function nextStartsWith(text: string, at: number, prefix: string): boolean {
	return at < text.length && text.startsWith(prefix, at);
}
