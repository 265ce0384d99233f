/*
 * Lines and their origins: splitting text into lines the way the editor does, building
 * recovered lines, cutting them (quote prefixes, flattened text) without losing where each
 * character sits in the document, and mapping a decoded column back to the document.
 */
import type { DocRange, LineOrigin, Pos, RecoveredLine } from './types';

/** A document line as read: its text and where its first character sits in the document. */
export interface PhysLine {
	text: string;
	/** Document line. */
	line: number;
	/** Document column of `text[0]` (1 after an mboxrd `>From ` unescape, else 0). */
	ch: number;
}

/**
 * Splits text into lines on `\r\n`, `\n` and a lone `\r`, as LSP and the editor do. A final line
 * break does not start an extra line here (the caller knows the document has one more, empty line).
 */
export function splitLines(text: string): string[] {
	if (text.length === 0) {
		return [];
	}
	let out: string[];
	if (text.indexOf('\r') === -1) {
		out = text.split('\n');
	} else {
		out = text.split(/\r\n|\r|\n/);
	}
	if (out.length > 0 && out[out.length - 1] === '' && /[\r\n]$/.test(text)) {
		out.pop();
	}
	return out;
}

/** Number of line breaks (`\r\n`, `\n`, lone `\r`) in `text`. */
export function countLineBreaks(text: string, from = 0, to = text.length, hasCR?: boolean): number {
	let n = 0;
	let i = text.indexOf('\n', from);
	while (i !== -1 && i < to) {
		n++;
		i = text.indexOf('\n', i + 1);
	}
	if (hasCR === false) {
		return n;
	}
	let r = text.indexOf('\r', from);
	while (r !== -1 && r < to) {
		if (r + 1 >= to || text.charCodeAt(r + 1) !== 10) {
			n++;
		}
		r = text.indexOf('\r', r + 1);
	}
	return n;
}

export function pos(line: number, character: number): Pos {
	return { line, character };
}

export function rangeOf(line: number, start: number, end: number): DocRange {
	return { start: { line, character: start }, end: { line, character: end } };
}

/**
 * A recovered line that is exactly its text at one place of the document (plain, quoted and
 * flattened lines: one segment). Most lines of a document are of this kind, so the origin object
 * is built only when asked for (reading a 33 MB mbox makes hundreds of thousands of lines).
 * `toJSON` keeps `JSON.stringify` complete; `structuredClone` copies own fields only, so clone
 * `{ text, quoteDepth, origin }` explicitly when posting lines elsewhere.
 */
export class DocLine implements RecoveredLine {
	text: string;
	quoteDepth: number;
	flattened?: boolean;
	/** Document line and column of `text[0]`. */
	readonly docLine: number;
	readonly docCh: number;
	private cached: LineOrigin | undefined;

	constructor(text: string, quoteDepth: number, docLine: number, docCh: number) {
		this.text = text;
		this.quoteDepth = quoteDepth;
		this.docLine = docLine;
		this.docCh = docCh;
		this.cached = undefined;
	}

	get origin(): LineOrigin {
		if (this.cached === undefined) {
			const line = this.docLine;
			const ch = this.docCh;
			this.cached = {
				range: { start: { line, character: ch }, end: { line, character: ch + this.text.length } },
				exact: true,
				segments: [{ col: 0, line, character: ch }],
			};
		}
		return this.cached;
	}

	set origin(o: LineOrigin) {
		this.cached = o;
	}

	toJSON(): RecoveredLine {
		const o: RecoveredLine = { text: this.text, quoteDepth: this.quoteDepth, origin: this.origin };
		if (this.flattened) {
			o.flattened = true;
		}
		return o;
	}
}

/** A recovered line that is exactly `text` at document `(line, ch)`. */
export function plainLine(text: string, line: number, ch: number, quoteDepth = 0): RecoveredLine {
	return new DocLine(text, quoteDepth, line, ch);
}

/** Whether a line is a `DocLine` whose origin was never replaced (so its one segment is known). */
function simple(line: RecoveredLine): line is DocLine {
	return line instanceof DocLine && (line as unknown as { cached: LineOrigin | undefined }).cached === undefined;
}

/**
 * A line decoded from text that cannot be mapped character by character (base64): its origin
 * covers the encoded text and is built on first access, like `DocLine`'s.
 */
export class EncodedLine implements RecoveredLine {
	text: string;
	quoteDepth: number;
	flattened?: boolean;
	readonly startLine: number;
	readonly startCh: number;
	readonly endLine: number;
	readonly endCh: number;
	private cached: LineOrigin | undefined;

	constructor(text: string, quoteDepth: number, startLine: number, startCh: number, endLine: number, endCh: number) {
		this.text = text;
		this.quoteDepth = quoteDepth;
		this.startLine = startLine;
		this.startCh = startCh;
		this.endLine = endLine;
		this.endCh = endCh;
		this.cached = undefined;
	}

	get origin(): LineOrigin {
		if (this.cached === undefined) {
			this.cached = {
				range: { start: { line: this.startLine, character: this.startCh }, end: { line: this.endLine, character: this.endCh } },
				exact: false,
				segments: [{ col: 0, line: this.startLine, character: this.startCh }],
			};
		}
		return this.cached;
	}

	set origin(o: LineOrigin) {
		this.cached = o;
	}

	toJSON(): RecoveredLine {
		const o: RecoveredLine = { text: this.text, quoteDepth: this.quoteDepth, origin: this.origin };
		if (this.flattened) {
			o.flattened = true;
		}
		return o;
	}
}

/** A line decoded from text that cannot be mapped character by character (base64). */
export function inexactLine(text: string, range: DocRange, quoteDepth = 0): RecoveredLine {
	return new EncodedLine(text, quoteDepth, range.start.line, range.start.character, range.end.line, range.end.character);
}

function segmentIndex(origin: LineOrigin, col: number): number {
	const segs = origin.segments;
	let lo = 0;
	let hi = segs.length - 1;
	if (hi <= 0) {
		return 0;
	}
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (segs[mid].col <= col) {
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	return lo;
}

/**
 * Document position of decoded column `col` of `line` (clamped to the line). Inexact origins
 * (base64) give the start of the encoded text; the end of an exact line gives its range end.
 */
export function positionOf(line: RecoveredLine, col: number): Pos {
	if (simple(line)) {
		let c = Number.isFinite(col) ? Math.floor(col) : 0;
		c = c < 0 ? 0 : c > line.text.length ? line.text.length : c;
		return { line: line.docLine, character: line.docCh + c };
	}
	if (line instanceof EncodedLine && (line as unknown as { cached: LineOrigin | undefined }).cached === undefined) {
		return { line: line.startLine, character: line.startCh };
	}
	const origin = line.origin;
	if (!origin.exact || origin.segments.length === 0) {
		return { line: origin.range.start.line, character: origin.range.start.character };
	}
	let c = Number.isFinite(col) ? Math.floor(col) : 0;
	if (c < 0) {
		c = 0;
	}
	if (c >= line.text.length) {
		if (line.text.length === 0) {
			return { line: origin.range.start.line, character: origin.range.start.character };
		}
		return { line: origin.range.end.line, character: origin.range.end.character };
	}
	const seg = origin.segments[segmentIndex(origin, c)];
	return { line: seg.line, character: seg.character + (c - seg.col) };
}

/**
 * The part `[from, to)` of a recovered line as a line of its own, keeping the origin of every
 * character. Inexact lines keep their whole origin.
 */
export function sliceLine(src: RecoveredLine, from: number, to: number = src.text.length, quoteDepth: number = src.quoteDepth): RecoveredLine {
	const len = src.text.length;
	const a = Math.max(0, Math.min(from, len));
	const b = Math.max(a, Math.min(to, len));
	const text = a === 0 && b === len ? src.text : src.text.slice(a, b);
	if (simple(src)) {
		const l = new DocLine(text, quoteDepth, src.docLine, src.docCh + a);
		if (src.flattened) {
			l.flattened = true;
		}
		return l;
	}
	if (src instanceof EncodedLine && (src as unknown as { cached: LineOrigin | undefined }).cached === undefined) {
		return new EncodedLine(text, quoteDepth, src.startLine, src.startCh, src.endLine, src.endCh);
	}
	const o = src.origin;
	if (!o.exact) {
		return { text, quoteDepth, origin: o };
	}
	const segs = o.segments;
	let segments: LineOrigin['segments'];
	let start: Pos;
	if (segs.length === 1) {
		const s = segs[0];
		start = { line: s.line, character: s.character + (a - s.col) };
		segments = [{ col: 0, line: start.line, character: start.character }];
	} else {
		const k = segmentIndex(o, a);
		const s = segs[k];
		start = { line: s.line, character: s.character + (a - s.col) };
		segments = [{ col: 0, line: start.line, character: start.character }];
		for (let i = k + 1; i < segs.length && segs[i].col < b; i++) {
			segments.push({ col: segs[i].col - a, line: segs[i].line, character: segs[i].character });
		}
	}
	let end: Pos;
	if (b === len) {
		end = { line: o.range.end.line, character: o.range.end.character };
	} else if (segs.length === 1) {
		end = { line: start.line, character: start.character + (b - a) };
	} else {
		end = positionOf(src, b);
	}
	return { text, quoteDepth, origin: { range: { start, end }, exact: true, segments } };
}

/** The document range of columns `[from, to)` of a recovered line. */
export function rangeInLine(line: RecoveredLine, from = 0, to = line.text.length): DocRange {
	return { start: positionOf(line, from), end: positionOf(line, to) };
}
