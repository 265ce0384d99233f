/*
 * Mail headers: the header block (folded lines), the few fields we keep, Content-Type
 * parameters, the subject's `[PATCH v3 2/7]` parts and the Date.
 */
import { decodeEncodedWords } from './charset';
import { delimitedSpans, replaceDelimited } from '../text';
import type { MessageHeaders, SubjectInfo } from './types';

export interface HeaderField {
	/** Lower-case name. */
	name: string;
	/** Value with folding undone (continuation lines appended as written), trimmed. */
	value: string;
	/** Index of the first line (in the array given to the parser). */
	line: number;
	/** Index of the last line of the field (continuations included). */
	lastLine: number;
}

export interface HeaderBlock {
	fields: HeaderField[];
	/** Index of the first body line. */
	bodyStart: number;
	/** true when the block reads as mail headers (at least one well-known field). */
	valid: boolean;
	/** Whether the block ended with a blank line (false: truncated or no separator). */
	blankEnded: boolean;
}

const KNOWN = new Set([
	'from', 'to', 'cc', 'subject', 'date', 'message-id', 'received', 'return-path', 'mime-version',
	'content-type', 'content-transfer-encoding', 'in-reply-to', 'references', 'delivered-to', 'sender',
	'reply-to', 'user-agent', 'list-id', 'dkim-signature', 'arc-seal', 'authentication-results', 'precedence',
]);

/** Per ASCII code: 1 for a letter or digit, 2 for `-`, `_` and `.` (not first in a name), else 0. */
const NAME_CHAR = (() => {
	const t = new Uint8Array(128);
	for (let c = 0; c < 128; c++) {
		t[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : c === 45 || c === 95 || c === 46 ? 2 : 0;
	}
	return t;
})();

/**
 * Offset (from `a`) of the `:` ending a header name at the start of the line `text[a, b)`
 * (`Name:` or `Name :`), or -1.
 */
function headerNameEndAt(text: string, a: number, b: number): number {
	const n = Math.min(b - a, 200);
	let i = 0;
	for (; i < n; i++) {
		const c = text.charCodeAt(a + i);
		const w = c < 128 ? NAME_CHAR[c] : 0;
		if (w === 0 || (w === 2 && i === 0)) {
			break;
		}
	}
	if (i === 0) {
		return -1;
	}
	while (i < n && (text.charCodeAt(a + i) === 32 || text.charCodeAt(a + i) === 9)) {
		i++;
	}
	return i < n && text.charCodeAt(a + i) === 58 ? i : -1;
}

/** Whether a line starts like a header field (`Name:`). */
export function isHeaderLine(line: string): boolean {
	return headerNameEndAt(line, 0, line.length) >= 0;
}

/** Whether `text[a, b)` is whitespace only (what `.trim().length === 0` says), mostly without copying it. */
function blankAt(text: string, a: number, b: number): boolean {
	for (let k = a; k < b; k++) {
		const c = text.charCodeAt(k);
		if (c === 32 || (c >= 9 && c <= 13)) {
			continue;
		}
		return c < 128 ? false : text.slice(a, b).trim().length === 0;
	}
	return true;
}

/** Whether `text.slice(a, a + len).toLowerCase() === name` for a field name of ASCII word characters. */
function nameIsAt(text: string, a: number, len: number, name: string): boolean {
	if (name.length !== len) {
		return false;
	}
	for (let k = 0; k < len; k++) {
		let c = text.charCodeAt(a + k);
		if (c >= 65 && c <= 90) {
			c += 32;
		}
		if (c !== name.charCodeAt(k)) {
			return false;
		}
	}
	return true;
}

/**
 * A header block being read line by line (by `parseHeaderBlock` over an array of lines, by
 * `parseHeaderText` over a text): each line is handed in as `text[a, b)`.
 */
class HeaderReader {
	readonly fields: HeaderField[] = [];
	valid = false;
	private cur: HeaderField | null = null;
	private readonly parts: string[] = [];
	private skipping = false;
	/** The kept names, compared in place: most fields (Received, DKIM, ARC …) are skipped without building their lower-case name. */
	private readonly keepNames: string[] | undefined;

	constructor(keep: ReadonlySet<string> | undefined) {
		this.keepNames = keep ? [...keep] : undefined;
	}

	finish(): void {
		const cur = this.cur;
		if (cur) {
			const parts = this.parts;
			cur.value = parts.length === 1 ? parts[0].trim() : parts.join('').trim();
			this.fields.push(cur);
			this.cur = null;
			parts.length = 0;
		}
		this.skipping = false;
	}

	/**
	 * Reads line `i`, `text[a, b)`: 'blank' ends the block after this line, 'end' before it, 'more'
	 * reads on.
	 */
	line(text: string, a: number, b: number, i: number): 'blank' | 'end' | 'more' {
		if (a === b) {
			this.finish();
			return 'blank';
		}
		const c = text.charCodeAt(a);
		if (c === 32 || c === 9) {
			if (blankAt(text, a, b)) {
				this.finish();
				return 'blank';
			}
			if (!this.cur && !this.skipping) {
				return 'end';
			}
			if (this.skipping) {
				return 'more';
			}
			this.parts.push(a === 0 && b === text.length ? text : text.slice(a, b));
			(this.cur as HeaderField).lastLine = i;
			return 'more';
		}
		const colon = headerNameEndAt(text, a, b);
		if (colon < 0) {
			return 'end';
		}
		this.finish();
		// The name is the word characters before the blanks and the colon.
		let nameEnd = colon;
		while (nameEnd > 0 && (text.charCodeAt(a + nameEnd - 1) === 32 || text.charCodeAt(a + nameEnd - 1) === 9)) {
			nameEnd--;
		}
		let name: string | undefined;
		if (!this.valid) {
			name = text.slice(a, a + nameEnd).toLowerCase();
			if (KNOWN.has(name) || name.startsWith('x-') || name.startsWith('list-') || name.startsWith('arc-')) {
				this.valid = true;
			}
		}
		const keepNames = this.keepNames;
		if (keepNames) {
			let kept: string | undefined;
			for (let k = 0; k < keepNames.length; k++) {
				if (nameIsAt(text, a, nameEnd, keepNames[k])) {
					kept = keepNames[k];
					break;
				}
			}
			if (kept === undefined) {
				this.skipping = true;
				return 'more';
			}
			name = kept;
		}
		this.cur = { name: name ?? text.slice(a, a + nameEnd).toLowerCase(), value: '', line: i, lastLine: i };
		this.parts.push(text.slice(a + colon + 1, b));
		return 'more';
	}
}

/**
 * Reads a header block starting at `lines[start]`. Stops at the first blank line (the body
 * starts after it) or at the first line that is neither a field nor a continuation.
 */
export function parseHeaderBlock(lines: readonly string[], start: number, end: number = lines.length, keep?: ReadonlySet<string>): HeaderBlock {
	const r = new HeaderReader(keep);
	let i = start;
	let blankEnded = false;
	for (; i < end; i++) {
		const l = lines[i];
		const v = r.line(l, 0, l.length, i);
		if (v === 'blank') {
			blankEnded = true;
			i++;
			break;
		}
		if (v === 'end') {
			break;
		}
	}
	r.finish();
	return { fields: r.fields, bodyStart: i, valid: r.valid, blankEnded };
}

/**
 * `parseHeaderBlock` over the lines of `text[0, limit)` split at LF only (`limit` just after an
 * LF), from line `start`, which begins at offset `from` — without cutting the text into lines.
 * `bodyFrom` is the offset where the line `bodyStart` begins.
 */
export function parseHeaderText(text: string, from: number, start: number, limit: number, keep?: ReadonlySet<string>): HeaderBlock & { bodyFrom: number } {
	const r = new HeaderReader(keep);
	let i = start;
	let a = from;
	let blankEnded = false;
	while (a < limit) {
		let b = text.indexOf('\n', a);
		if (b === -1 || b >= limit) {
			b = limit;
		}
		const v = r.line(text, a, b, i);
		if (v === 'end') {
			break;
		}
		i++;
		a = b + 1;
		if (v === 'blank') {
			blankEnded = true;
			break;
		}
	}
	r.finish();
	return { fields: r.fields, bodyStart: i, valid: r.valid, blankEnded, bodyFrom: Math.min(a, limit) };
}

export function field(block: HeaderBlock | readonly HeaderField[], name: string): HeaderField | undefined {
	const fields = Array.isArray(block) ? block : (block as HeaderBlock).fields;
	for (const f of fields) {
		if (f.name === name) {
			return f;
		}
	}
	return undefined;
}

export interface ContentType {
	type: string;
	params: Record<string, string>;
}

/** Parses `text/plain; charset="utf-8"; format=flowed`. */
export function parseContentType(value: string | undefined): ContentType {
	if (!value) {
		return { type: 'text/plain', params: {} };
	}
	const semi = value.indexOf(';');
	const type = (semi >= 0 ? value.slice(0, semi) : value).trim().toLowerCase() || 'text/plain';
	const params: Record<string, string> = {};
	if (semi >= 0) {
		const re = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)/g;
		re.lastIndex = semi;
		let m: RegExpExecArray | null;
		while ((m = re.exec(value)) !== null) {
			let v = m[2].trim();
			if (v.startsWith('"')) {
				v = v.slice(1, v.endsWith('"') && v.length > 1 ? -1 : undefined);
				if (v.indexOf('\\') !== -1) {
					v = v.replace(/\\(.)/g, '$1');
				}
			}
			params[m[1].toLowerCase()] = v;
		}
	}
	return { type, params };
}

/** The fields of `MessageHeaders` from a parsed block (encoded words decoded in From and Subject). */
export function messageHeaders(fields: readonly HeaderField[], onUnknownCharset?: (label: string, f: HeaderField) => void): MessageHeaders {
	const h: MessageHeaders = {};
	const decode = (f: HeaderField): string => {
		const d = decodeEncodedWords(f.value);
		if (onUnknownCharset) {
			for (const u of d.unknownCharsets) {
				onUnknownCharset(u, f);
			}
		}
		const t = d.text;
		return t.indexOf('\n') === -1 && t.indexOf('\r') === -1 ? t : t.replace(/[\r\n]+/g, '');
	};
	for (let k = 0; k < fields.length; k++) {
		const f = fields[k];
		switch (f.name) {
			case 'from':
				if (h.from === undefined) {
					h.from = decode(f);
				}
				break;
			case 'subject':
				if (h.subject === undefined) {
					const t = decode(f);
					// (single spaces are left as they are)
					h.subject = (t.indexOf('\t') === -1 && t.indexOf('  ') === -1 ? t : t.replace(/[ \t]+/g, ' ')).trim();
				}
				break;
			case 'date':
				h.date ??= f.value;
				break;
			case 'message-id':
				h.messageId ??= f.value;
				break;
			case 'in-reply-to':
				h.inReplyTo ??= f.value;
				break;
			case 'references':
				if (h.references === undefined) {
					const ids = delimitedSpans(f.value, '<', '>').map(([a, b]) => f.value.slice(a, b));
					h.references = ids.length > 0 ? ids : f.value.split(/\s+/).filter((s) => s.length > 0);
				}
				break;
			case 'content-type':
				h.contentType ??= f.value;
				break;
			case 'content-transfer-encoding':
				h.contentTransferEncoding ??= f.value.trim().toLowerCase();
				break;
			default:
				break;
		}
	}
	return h;
}

/** `Re:`, `Re[2] :`…: the blanks before the colon read once (`\s*(?:\[\d+\])?\s*:` tried every split of them). */
export const REPLY_PREFIX = /^(?:re|fwd?|aw|sv|antw)\s*(?:\[\d+\]\s*)?:\s*/i;

/** Splits a subject into its bracket tags, version, series position and title. */
export function parseSubject(raw: string | undefined): SubjectInfo {
	const info: SubjectInfo = { raw: raw ?? '', tags: [], title: '', isReply: false };
	if (!raw) {
		return info;
	}
	let s = raw.trim();
	let guard = 0;
	for (; guard < 64; guard++) {
		const re = REPLY_PREFIX.exec(s);
		if (re) {
			info.isReply = true;
			s = s.slice(re[0].length).trimStart();
			continue;
		}
		if (s.startsWith('[')) {
			const close = s.indexOf(']');
			if (close < 0) {
				break;
			}
			readBracket(s.slice(1, close), info);
			s = s.slice(close + 1).trimStart();
			continue;
		}
		break;
	}
	info.title = s.trim();
	return info;
}

function isDigit(c: number): boolean {
	return c >= 48 && c <= 57;
}

function readBracket(inner: string, info: SubjectInfo): void {
	for (const word of inner.split(/[\s,]+/)) {
		if (word.length === 0) {
			continue;
		}
		// (each expression below is tried only on a word whose first and last characters it could match)
		const first = word.charCodeAt(0);
		const lastDigit = isDigit(word.charCodeAt(word.length - 1));
		let m = lastDigit && (first === 118 || first === 86) ? /^v(\d+)$/i.exec(word) : null;
		if (m) {
			info.version ??= Number(m[1]);
			continue;
		}
		m = isDigit(first) ? /^(\d+)\/(\d+)$/.exec(word) : null;
		if (m) {
			info.number ??= Number(m[1]);
			info.total ??= Number(m[2]);
			continue;
		}
		m = lastDigit && ((first >= 65 && first <= 90) || (first >= 97 && first <= 122)) ? /^([A-Za-z]+)v(\d+)$/.exec(word) : null;
		if (m && /^(patch|rfc|resend)$/i.test(m[1])) {
			info.tags.push(m[1]);
			info.version ??= Number(m[2]);
			continue;
		}
		info.tags.push(word);
	}
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const ZONES: Record<string, number> = {
	ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
	cet: 60, cest: 120, bst: 60, ist: 330, jst: 540,
};

function zoneMinutes(z: string | undefined): number {
	if (!z) {
		return 0;
	}
	const m = /^([+-])(\d{2}):?(\d{2})$/.exec(z);
	if (m) {
		const v = Number(m[2]) * 60 + Number(m[3]);
		return m[1] === '-' ? -v : v;
	}
	return ZONES[z.toLowerCase()] ?? 0;
}

function fullYear(y: string): number {
	const n = Number(y);
	if (y.length <= 2) {
		return n < 50 ? 2000 + n : 1900 + n;
	}
	return n;
}

/**
 * `Tue Jan 10 2017 - 11:58:45 EST`. The month is the first three letters of a letter run whose
 * rest is lower case; a start is tried only where no start one letter earlier could match (a run's
 * first letter, or three letters ending in a capital), which is where
 * `([A-Za-z]{3})[a-z]*\s+…` matches first: that expression alone tried every letter of a long word.
 */
export const ARCHIVE_DATE = /(?:(?<![A-Za-z])|(?=[A-Za-z]{2}[A-Z]))([A-Za-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{4})\s*(?:-\s*)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,4})?/;

/**
 * Parses an RFC 2822 date (`Mon, 29 Jul 2019 17:28:34 +0300`) or an archive-page date
 * (`Tue Jan 10 2017 - 11:58:45 EST`). Returns ms since the epoch, or undefined.
 */
export function parseMailDate(value: string | undefined): number | undefined {
	if (!value) {
		return undefined;
	}
	const v = replaceDelimited(value, '(', ')', ' ').trim();
	let m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,4})?/.exec(v);
	if (m && MONTHS[m[2].toLowerCase()] !== undefined) {
		const ms = Date.UTC(fullYear(m[3]), MONTHS[m[2].toLowerCase()], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
		return ms - zoneMinutes(m[7]) * 60000;
	}
	m = ARCHIVE_DATE.exec(v);
	if (m && MONTHS[m[1].toLowerCase()] !== undefined) {
		const ms = Date.UTC(Number(m[3]), MONTHS[m[1].toLowerCase()], Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
		return ms - zoneMinutes(m[7]) * 60000;
	}
	const p = Date.parse(v);
	return Number.isNaN(p) ? undefined : p;
}
