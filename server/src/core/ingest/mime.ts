/*
 * MIME bodies: multipart structure, quoted-printable and base64 transfer encodings, charsets.
 * Output: the decoded lines of every readable text part, each mapped to the document.
 *
 * Position rules (docs/ingest.md):
 * - 7bit/8bit: a decoded line is the physical line (exact, one segment).
 * - quoted-printable: exact per character; a new segment starts wherever the next decoded
 *   character does not sit right after the previous one in the document (after each `=XX`
 *   escape and at each soft line break).
 * - base64: not exact; the range runs from the start of the first encoded line holding the
 *   decoded line's bytes to the end of the last one.
 */
import { charsetFor, decodeBytes, hexByte, type Charset } from './charset';
import { field, parseContentType, parseHeaderBlock, type ContentType, type HeaderField } from './headers';
import { EncodedLine, plainLine, rangeOf } from './lines';
import type { IngestProblem, LineOrigin, RecoveredLine } from './types';

/** The message lines as read, with where each sits in the document. */
export interface Source {
	lines: string[];
	/** Document line of `lines[0]`. */
	base: number;
	/** Per line: the document column of its first character (1 after a `>From ` unescape). */
	shift: Uint8Array | null;
	/** The text the lines were cut from, when they were cut at LF only (no CR in it). */
	lfText?: string;
}

export interface Part {
	/** Decoded lines, not yet unquoted. */
	lines: RecoveredLine[];
	/** `format=flowed`: space-stuffing is undone when unquoting. */
	flowed: boolean;
	contentType: string;
}

export const TEXT_TYPES: ReadonlySet<string> = new Set(['text/plain', 'text/x-diff', 'text/x-patch', 'text/x-c', 'text/x-csrc', 'text/x-chdr', 'application/x-patch', 'application/x-diff', 'text/diff', 'text/patch']);
const MAX_NESTING = 8;

function colOf(src: Source, k: number): number {
	return src.shift ? src.shift[k] : 0;
}

function lineProblem(src: Source, k: number, message: string): IngestProblem {
	const ch = colOf(src, k);
	return { message, range: rangeOf(src.base + k, ch, ch + (src.lines[k]?.length ?? 0)) };
}

/** Reads the body lines `[from, to)` of an entity whose headers are `fields`. */
export function readBody(src: Source, fields: readonly HeaderField[], from: number, to: number, problems: IngestProblem[], nesting = 0): Part[] {
	const ctField = field(fields, 'content-type');
	const ct = parseContentType(ctField?.value);
	if (ct.type.startsWith('multipart/')) {
		return readMultipart(src, ct, ctField, from, to, problems, nesting);
	}
	if (!TEXT_TYPES.has(ct.type) && ctField) {
		return [];
	}
	const cteField = field(fields, 'content-transfer-encoding');
	const cte = (cteField?.value ?? '7bit').trim().toLowerCase();
	const cs = charsetFor(ct.params.charset);
	if (cs.kind === 'unknown') {
		problems.push(lineProblem(src, ctField ? ctField.line : from, `Unknown charset "${ct.params.charset}"; read as UTF-8.`));
	}
	const flowed = (ct.params.format ?? '').toLowerCase() === 'flowed';
	let lines: RecoveredLine[];
	if (cte === 'quoted-printable') {
		lines = decodeQuotedPrintable(src, from, to, cs, problems);
	} else if (cte === 'base64') {
		lines = decodeBase64(src, from, to, cs, problems);
	} else {
		if (cte !== '7bit' && cte !== '8bit' && cte !== 'binary' && cteField) {
			problems.push(lineProblem(src, cteField.line, `Unknown transfer encoding "${cte}"; read as plain text.`));
		}
		lines = [];
		for (let k = from; k < to; k++) {
			lines.push(plainLine(src.lines[k], src.base + k, colOf(src, k)));
		}
	}
	return [{ lines, flowed, contentType: ct.type }];
}

function readMultipart(src: Source, ct: ContentType, ctField: HeaderField | undefined, from: number, to: number, problems: IngestProblem[], nesting: number): Part[] {
	const boundary = ct.params.boundary;
	if (!boundary || nesting >= MAX_NESTING) {
		problems.push(lineProblem(src, ctField ? ctField.line : from, boundary ? 'Multipart nesting too deep; inner parts skipped.' : 'Multipart body without a boundary; read as plain text.'));
		if (!boundary) {
			return readBody(src, [], from, to, problems, nesting + 1);
		}
		return [];
	}
	const open = '--' + boundary;
	const close = open + '--';
	const starts: number[] = [];
	let closed = -1;
	for (let k = from; k < to; k++) {
		const l = src.lines[k];
		if (l.length < open.length || l.charCodeAt(0) !== 45 || !l.startsWith(open)) {
			continue;
		}
		const t = l.trimEnd();
		if (t === close) {
			closed = k;
			break;
		}
		if (t === open) {
			starts.push(k);
		}
	}
	if (starts.length === 0) {
		problems.push(lineProblem(src, ctField ? ctField.line : from, 'Multipart body without any part.'));
		return [];
	}
	if (closed < 0) {
		problems.push(lineProblem(src, to - 1 >= from ? to - 1 : from, 'Multipart body ends without its closing boundary (truncated mail?).'));
	}
	const end = closed >= 0 ? closed : to;
	const parts: Part[] = [];
	for (let p = 0; p < starts.length; p++) {
		const ps = starts[p] + 1;
		const pe = p + 1 < starts.length ? starts[p + 1] : end;
		if (ps > pe) {
			continue;
		}
		let hb;
		if (ps < pe && src.lines[ps].length === 0) {
			hb = { fields: [] as HeaderField[], bodyStart: ps + 1 };
		} else {
			hb = parseHeaderBlock(src.lines, ps, pe);
		}
		parts.push(...readBody(src, hb.fields, hb.bodyStart, pe, problems, nesting + 1));
	}
	return parts;
}

function decodeQuotedPrintable(src: Source, from: number, to: number, cs: Charset, problems: IngestProblem[]): RecoveredLine[] {
	const out: RecoveredLine[] = [];
	let text = '';
	let segments: LineOrigin['segments'] = [];
	let escaped = false;
	let startLine = -1;
	let startCh = 0;
	// Document position just after the last character appended (for contiguity).
	let contLine = -1;
	let contCh = -1;
	let badEscape = false;
	let bytes = new Uint8Array(64);

	const append = (s: string, line: number, ch: number): void => {
		if (s.length === 0) {
			return;
		}
		if (line !== contLine || ch !== contCh) {
			segments.push({ col: text.length, line, character: ch });
		}
		text += s;
		contLine = line;
		contCh = ch + s.length;
	};

	for (let k = from; k < to; k++) {
		const raw = src.lines[k];
		const docLine = src.base + k;
		const ch0 = colOf(src, k);
		if (startLine < 0) {
			startLine = docLine;
			startCh = ch0;
		}
		let end = raw.length;
		while (end > 0 && (raw.charCodeAt(end - 1) === 32 || raw.charCodeAt(end - 1) === 9)) {
			end--;
		}
		let soft = false;
		if (end > 0 && raw.charCodeAt(end - 1) === 61) {
			soft = true;
			end--;
		}
		let i = 0;
		while (i < end) {
			let eq = raw.indexOf('=', i);
			if (eq === -1 || eq >= end) {
				eq = end;
			}
			if (eq > i) {
				// A literal run (characters the editor already decoded included).
				append(i === 0 && eq === raw.length ? raw : raw.slice(i, eq), docLine, ch0 + i);
			}
			if (eq >= end) {
				break;
			}
			// A run of `=XX` escapes, decoded together (multi-byte characters span escapes).
			let j = eq;
			let nb = 0;
			while (j + 2 < end && raw.charCodeAt(j) === 61) {
				const v = hexByte(raw, j + 1);
				if (v < 0) {
					break;
				}
				if (nb === bytes.length) {
					const grown = new Uint8Array(bytes.length * 2);
					grown.set(bytes);
					bytes = grown;
				}
				bytes[nb++] = v;
				j += 3;
			}
			if (nb === 0) {
				badEscape = true;
				append('=', docLine, ch0 + eq);
				i = eq + 1;
				continue;
			}
			escaped = true;
			const base = ch0 + eq;
			let ascii = true;
			for (let q = 0; q < nb; q++) {
				if (bytes[q] >= 0x80) {
					ascii = false;
					break;
				}
			}
			if (ascii) {
				// (every charset reads ASCII as it is: one character per escape)
				for (let q = 0; q < nb; q++) {
					append(String.fromCharCode(bytes[q]), docLine, base + 3 * q);
				}
				i = j;
				continue;
			}
			pendingAt.length = 0;
			const decoded = decodeBytes(bytes, 0, nb, cs, (byteIndex) => {
				pendingAt.push(base + 3 * byteIndex);
			});
			for (let u = 0; u < decoded.length; u++) {
				append(decoded.charAt(u), docLine, pendingAt[u] ?? base);
			}
			i = j;
		}
		if (soft && k + 1 < to) {
			escaped = true;
			continue;
		}
		if (!escaped && segments.length <= 1) {
			out.push(plainLine(text, startLine, startCh));
		} else {
			if (segments.length === 0) {
				segments.push({ col: 0, line: startLine, character: startCh });
			}
			out.push({
				text,
				quoteDepth: 0,
				origin: {
					range: { start: { line: segments[0].line, character: segments[0].character }, end: { line: docLine, character: ch0 + raw.length } },
					exact: true,
					segments,
				},
			});
		}
		text = '';
		segments = [];
		escaped = false;
		startLine = -1;
		contLine = -1;
		contCh = -1;
	}
	if (badEscape) {
		problems.push(lineProblem(src, from, 'Quoted-printable body has "=" signs that are not escapes; kept as written.'));
	}
	return out;
}

/** Scratch list of document columns for the characters of one decoded escape run. */
const pendingAt: number[] = [];

/** Base64 digit values; -1 for `=`, -2 for whitespace, -3 for anything else (local: hot loop). */
const B64_VALUE = (() => {
	const t = new Int8Array(256).fill(-3);
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
	for (let i = 0; i < 64; i++) {
		t[alphabet.charCodeAt(i)] = i;
	}
	t[61] = -1;
	t[32] = -2;
	t[9] = -2;
	t[13] = -2;
	t[10] = -2;
	return t;
})();

/** The decoding state carried from one encoded line to the next. */
interface B64State {
	/** Bytes written. */
	n: number;
	acc: number;
	bits: number;
	/** Digits read in the current group of four. */
	pending: number;
}

/**
 * Decodes one encoded line into `bytes`; false when it held characters outside the alphabet. A
 * function of its own, small and called once per line, so that it is optimised early.
 */
function b64Line(l: string, bytes: Uint8Array, st: B64State): boolean {
	let { n, acc, bits, pending } = st;
	let ok = true;
	const len = l.length;
	let i = 0;
	if (pending === 0) {
		// Whole groups of four digits (nearly all of a body), three bytes at a time; anything else
		// goes through the loop below, digit by digit.
		while (i + 4 <= len) {
			const c0 = l.charCodeAt(i);
			const c1 = l.charCodeAt(i + 1);
			const c2 = l.charCodeAt(i + 2);
			const c3 = l.charCodeAt(i + 3);
			if ((c0 | c1 | c2 | c3) >= 256) {
				break;
			}
			const v0 = B64_VALUE[c0];
			const v1 = B64_VALUE[c1];
			const v2 = B64_VALUE[c2];
			const v3 = B64_VALUE[c3];
			if ((v0 | v1 | v2 | v3) < 0) {
				break;
			}
			const g = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
			acc = g;
			bytes[n] = g >> 16;
			bytes[n + 1] = (g >> 8) & 0xff;
			bytes[n + 2] = g & 0xff;
			n += 3;
			i += 4;
		}
	}
	for (; i < len; i++) {
		const code = l.charCodeAt(i);
		const v = code < 256 ? B64_VALUE[code] : -3;
		if (v >= 0) {
			acc = ((acc << 6) | v) & 0xffffff;
			bits += 6;
			pending++;
			if (bits >= 8) {
				bits -= 8;
				bytes[n++] = (acc >> bits) & 0xff;
			}
			if (pending === 4) {
				pending = 0;
				bits = 0;
			}
		} else if (v === -1) {
			pending = 0;
			bits = 0;
		} else if (v === -3) {
			ok = false;
		}
	}
	st.n = n;
	st.acc = acc;
	st.bits = bits;
	st.pending = pending;
	return ok;
}

/**
 * A body of whole base64 lines: digits only, `=` or `==` at the end of the last digits, then only
 * empty lines (what nearly every mailer writes).
 */
const WHOLE_BASE64 = /^[A-Za-z0-9+/\n]*(?:==?\n*)?$/;

/**
 * The bytes (one character per byte) of base64 text whose digits all come before its first `=`
 * (after which only padding and blanks may follow), decoded natively; undefined when the digits
 * leave one over (a truncated group) or `atob` refuses them otherwise.
 */
export function atobDigits(body: string): string | undefined {
	const eq = body.indexOf('=');
	try {
		return atob(eq === -1 ? body : body.slice(0, eq));
	} catch {
		return undefined;
	}
}

/**
 * The bytes of a body of whole base64 lines (one character per byte), decoded natively (`atob`),
 * with the byte count after each encoded line (`endByte`): what the digit-by-digit decoding gives
 * such a body. Undefined for any other body, and for digits that leave one over (the truncated
 * group is reported by the digit-by-digit decoding).
 */
function wholeBase64(src: Source, from: number, to: number, endByte: Int32Array): string | undefined {
	const body = joinedLines(src, from, to);
	if (!WHOLE_BASE64.test(body)) {
		return undefined;
	}
	const bin = atobDigits(body);
	if (bin === undefined) {
		return undefined;
	}
	// Every four digits give three bytes, a partial group of d digits d - 1.
	let digits = 0;
	for (let k = from; k < to; k++) {
		const l = src.lines[k];
		const e = l.indexOf('=');
		digits += e === -1 ? l.length : e;
		endByte[k - from] = Math.floor((digits * 3) / 4);
	}
	return bin;
}

/** `lines[from, to)` joined with LF: cut out of the text they came from when it is that already. */
function joinedLines(src: Source, from: number, to: number): string {
	const text = src.lfText;
	const shift = src.shift;
	let usable = text !== undefined;
	for (let k = from; usable && shift && k < to; k++) {
		usable = shift[k] === 0;
	}
	if (!usable || text === undefined) {
		return src.lines.slice(from, to).join('\n');
	}
	let start = 0;
	for (let k = 0; k < from; k++) {
		start += src.lines[k].length + 1 + (shift ? shift[k] : 0);
	}
	let length = 0;
	for (let k = from; k < to; k++) {
		length += src.lines[k].length + 1;
	}
	return length === 0 ? '' : text.slice(start, start + length - 1);
}

const NOT_ASCII = /[^\x00-\x7f]/;

function decodeBase64(src: Source, from: number, to: number, cs: Charset, problems: IngestProblem[]): RecoveredLine[] {
	/** Per encoded line: number of bytes decoded once that line is read. */
	const endByte = new Int32Array(Math.max(0, to - from));
	const bin = wholeBase64(src, from, to, endByte);
	/** The decoded bytes, one character each, when they are all ASCII (and so the decoded text, in any charset). */
	const ascii = bin !== undefined && !NOT_ASCII.test(bin) ? bin : undefined;
	let bytes: Uint8Array;
	let n: number;
	let pending = 0;
	let invalidAt = -1;
	if (ascii !== undefined) {
		bytes = new Uint8Array(0);
		n = ascii.length;
	} else if (bin !== undefined) {
		n = bin.length;
		bytes = new Uint8Array(n + 4);
		for (let i = 0; i < n; i++) {
			bytes[i] = bin.charCodeAt(i);
		}
	} else {
		let total = 0;
		for (let k = from; k < to; k++) {
			total += src.lines[k].length;
		}
		bytes = new Uint8Array(Math.floor((total * 3) / 4) + 4);
		const st: B64State = { n: 0, acc: 0, bits: 0, pending: 0 };
		for (let k = from; k < to; k++) {
			if (!b64Line(src.lines[k], bytes, st) && invalidAt < 0) {
				invalidAt = k;
			}
			endByte[k - from] = st.n;
		}
		n = st.n;
		pending = st.pending;
	}
	if (invalidAt >= 0) {
		problems.push(lineProblem(src, invalidAt, 'Invalid characters in base64 body; skipped.'));
	}
	if (pending === 1) {
		problems.push(lineProblem(src, Math.max(from, to - 1), 'Base64 body ends in the middle of a group (truncated mail?).'));
	}
	const out: RecoveredLine[] = [];
	// The first encoded line whose end byte count exceeds a byte index (the last line when none
	// does), for the first and the last byte of each decoded line: both only move forward.
	const lastLine = endByte.length - 1;
	let firstAt = 0;
	let lastAt = 0;
	const data = bytes.subarray(0, n);
	// Decode once; UTF-8 and the single-byte charsets keep LF bytes as LF characters, so the
	// decoded lines line up with the byte lines. Other charsets are decoded line by line.
	let decodedLines: string[] | null = null;
	if (ascii !== undefined) {
		decodedLines = ascii.split('\n');
	} else if (cs.kind !== 'other') {
		decodedLines = decodeBytes(data, 0, n, cs).split('\n');
	}
	let ls = 0;
	let q = 0;
	while (ls <= n) {
		// (in the bytes as characters when there are those: a string search is the quicker)
		let b = bin !== undefined ? bin.indexOf('\n', ls) : data.indexOf(10, ls);
		if (b === -1) {
			b = n;
		}
		if (b === n && ls === n) {
			break;
		}
		let text: string;
		if (decodedLines && q < decodedLines.length) {
			text = decodedLines[q];
			if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) {
				text = text.slice(0, -1);
			}
		} else {
			const le = b > ls && bytes[b - 1] === 13 ? b - 1 : b;
			text = decodeBytes(bytes, ls, le, cs);
		}
		q++;
		while (firstAt < lastLine && endByte[firstAt] <= ls) {
			firstAt++;
		}
		const lastByte = b < n ? b : Math.max(ls, n - 1);
		while (lastAt < lastLine && endByte[lastAt] <= lastByte) {
			lastAt++;
		}
		const first = from + firstAt;
		const last = from + lastAt;
		out.push(new EncodedLine(text, 0, src.base + first, colOf(src, first), src.base + last, colOf(src, last) + src.lines[last].length));
		ls = b + 1;
	}
	return out;
}
