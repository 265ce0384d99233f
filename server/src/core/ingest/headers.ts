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

/** Index of the `:` ending a header name at the start of `l` (`Name:` or `Name :`), or -1. */
function headerNameEnd(l: string): number {
	const n = Math.min(l.length, 200);
	let i = 0;
	for (; i < n; i++) {
		const c = l.charCodeAt(i);
		const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (i > 0 && (c === 45 || c === 95 || c === 46));
		if (!word) {
			break;
		}
	}
	if (i === 0) {
		return -1;
	}
	while (i < n && (l.charCodeAt(i) === 32 || l.charCodeAt(i) === 9)) {
		i++;
	}
	return i < n && l.charCodeAt(i) === 58 ? i : -1;
}

/** Whether a line starts like a header field (`Name:`). */
export function isHeaderLine(line: string): boolean {
	return headerNameEnd(line) >= 0;
}

/**
 * Reads a header block starting at `lines[start]`. Stops at the first blank line (the body
 * starts after it) or at the first line that is neither a field nor a continuation.
 */
export function parseHeaderBlock(lines: readonly string[], start: number, end: number = lines.length, keep?: ReadonlySet<string>): HeaderBlock {
	const fields: HeaderField[] = [];
	let i = start;
	let valid = false;
	let blankEnded = false;
	let cur: HeaderField | null = null;
	const parts: string[] = [];
	let skipping = false;
	const finish = (): void => {
		if (cur) {
			cur.value = parts.length === 1 ? parts[0].trim() : parts.join('').trim();
			fields.push(cur);
			cur = null;
			parts.length = 0;
		}
		skipping = false;
	};
	for (; i < end; i++) {
		const l = lines[i];
		const c = l.charCodeAt(0);
		if (l.length === 0) {
			finish();
			blankEnded = true;
			i++;
			break;
		}
		if (c === 32 || c === 9) {
			if (l.trim().length === 0) {
				finish();
				blankEnded = true;
				i++;
				break;
			}
			if (!cur && !skipping) {
				break;
			}
			if (skipping) {
				continue;
			}
			parts.push(l);
			(cur as HeaderField).lastLine = i;
			continue;
		}
		const colon = headerNameEnd(l);
		if (colon < 0) {
			break;
		}
		finish();
		const name = l.slice(0, colon).trimEnd().toLowerCase();
		if (KNOWN.has(name) || name.startsWith('x-') || name.startsWith('list-') || name.startsWith('arc-')) {
			valid = true;
		}
		if (keep && !keep.has(name)) {
			skipping = true;
			continue;
		}
		cur = { name, value: '', line: i, lastLine: i };
		parts.push(l.slice(colon + 1));
	}
	finish();
	return { fields, bodyStart: i, valid, blankEnded };
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
				v = v.slice(1, v.endsWith('"') && v.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1');
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
		return d.text.replace(/[\r\n]+/g, '');
	};
	for (const f of fields) {
		switch (f.name) {
			case 'from':
				if (h.from === undefined) {
					h.from = decode(f);
				}
				break;
			case 'subject':
				if (h.subject === undefined) {
					h.subject = decode(f).replace(/[ \t]+/g, ' ').trim();
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

function readBracket(inner: string, info: SubjectInfo): void {
	for (const word of inner.split(/[\s,]+/)) {
		if (word.length === 0) {
			continue;
		}
		let m = /^v(\d+)$/i.exec(word);
		if (m) {
			info.version ??= Number(m[1]);
			continue;
		}
		m = /^(\d+)\/(\d+)$/.exec(word);
		if (m) {
			info.number ??= Number(m[1]);
			info.total ??= Number(m[2]);
			continue;
		}
		m = /^([A-Za-z]+)v(\d+)$/.exec(word);
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
