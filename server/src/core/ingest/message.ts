/*
 * One message: headers, the decoded body parts, quote prefixes, flattened archive text, the
 * diffs and the trailers. `parseMessage` never throws; what it cannot read becomes a problem.
 */
import { readDiffs, skimDiffs } from './diff';
import { looksFlattened, unflatten } from './flatten';
import { field, isHeaderLine, messageHeaders, parseContentType, parseHeaderBlock, parseMailDate, parseSubject, type HeaderField } from './headers';
import { countLineBreaks, rangeOf, sliceLine, splitLines } from './lines';
import { readBody, TEXT_TYPES, type Source } from './mime';
import { charsetFor, decodeBase64String } from './charset';
import { quotePrefix } from './quote';
import { LINE_TERMINATOR } from '../text';
import type { FileDiff, IngestProblem, Message, MessageHeaders, RecoveredLine, Trailers } from './types';

export interface ParseOptions {
	/**
	 * Skip the body of messages that carry no diff marker and none of the API identifiers
	 * (`PREFILTER_WORDS`) in their body or subject, and no base64 part: headers, subject and
	 * date only, `body: []`, `files: []`, `skipped: true`.
	 */
	prefilter?: boolean;
	/**
	 * Stricter than `prefilter`, for whole-list archives: skip the body of a message whose text
	 * matches none of these words — diff or not — when skipping loses nothing a full read would
	 * report. The words are the caller's: those without which no fact (and so no finding) can come
	 * from the message. A message whose body is encoded, multipart, flowed, flattened, has CR line
	 * ends, a NUL byte, a very long line, a binary diff, or a depth-0 hunk that does not plainly
	 * match its header is read in full. A skipped message has `skipped: true`, `body: []`,
	 * `files: []` and `hasDiff`; its headers, range and header problems are those of a full read.
	 */
	skipUnlessWords?: RegExp;
}

/** Words whose presence makes the prefilter read a message in full. */
export const PREFILTER_WORDS: readonly string[] = [
	'@@ -', 'diff --git', 'GIT binary patch', 'Binary files ',
	'migrate_', 'MIGRATE_', 'dev_pagemap', 'pgmap', 'hmm_range', 'mmu_notifier', 'MMU_NOTIFY',
	'FOLL_LONGTERM', 'pin_user_pages', 'fault_page', 'device_private', 'DEVICE_PRIVATE', 'DEVICE_COHERENT',
	'zone_device', 'ZONE_DEVICE',
];

const LONG_LINE = 100_000;
const FROM_ESCAPE = /^>+From /;
const TRAILER_NAME = /^(Fixes|base-commit|Signed-off-by|Reviewed-by|Acked-by)[ \t]*:[ \t]*/i;
const FLAT_HEADER_NAMES = 'Received|Return-Path|From|To|Cc|Subject|Date|Message-ID|Message-Id|In-Reply-To|References|Content-Type|Content-Transfer-Encoding|Content-Language|MIME-Version|User-Agent|X-[A-Za-z0-9-]+|List-[A-Za-z-]+|Precedence|Sender|Reply-To|Authentication-Results|ARC-[A-Za-z-]+|DKIM-Signature|Received-SPF|Organization|Delivered-To|Thread-Topic|Thread-Index|Accept-Language|Mail-Followup-To';

/**
 * A trailer line's name and value (without trailing blanks): what
 * `/^(Fixes|…)[ \t]*:[ \t]*(.*?)\s*$/i` captures, without its backtracking (the lazy value and
 * the trailing blanks tried every split of a long run of blanks).
 */
export function readTrailer(text: string): { name: string; value: string } | undefined {
	const m = TRAILER_NAME.exec(text);
	if (!m) {
		return undefined;
	}
	const value = text.slice(m[0].length).trimEnd();
	return LINE_TERMINATOR.test(value) ? undefined : { name: m[1], value };
}

function emptyTrailers(): Trailers {
	return { fixes: [], signedOffBy: [], reviewedBy: [], ackedBy: [] };
}

function mboxFromLine(lines: readonly string[]): boolean {
	return lines.length > 1 && lines[0].startsWith('From ') && isHeaderLine(lines[1]);
}

/** Headers written inline in a flattened line (`… Subject: Re: [PATCH] x Date: …`). */
function flatHeaders(line: string): MessageHeaders {
	const head = line.length > 65536 ? line.slice(0, 65536) : line;
	const h: MessageHeaders = {};
	const take = (name: string): string | undefined => {
		const re = new RegExp(`(?:^| )${name}: (.*?)(?= (?:${FLAT_HEADER_NAMES}): |$)`);
		const m = re.exec(head);
		if (!m) {
			return undefined;
		}
		const v = m[1].trim();
		// An empty value runs into the next field (`Message-ID: Date: …`); the last header runs
		// into the body. Neither is kept.
		if (v.length === 0 || v.length > 300 || new RegExp(`^(?:${FLAT_HEADER_NAMES}):`).test(v)) {
			return undefined;
		}
		return v;
	};
	h.subject = take('Subject');
	h.from = take('From');
	h.date = take('Date');
	h.messageId = take('Message-I[Dd]');
	for (const k of Object.keys(h) as Array<keyof MessageHeaders>) {
		if (h[k] === undefined) {
			delete h[k];
		}
	}
	return h;
}

/** The end of the header block: index just after the first blank line, or -1. */
function headerEnd(text: string): number {
	const m = /\r?\n\r?\n|\r\r/.exec(text);
	return m ? m.index + m[0].length : -1;
}

const PREFILTER_RE = new RegExp(PREFILTER_WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/** One pass over `text` from `from` for any of the prefilter words. */
function hasPrefilterWord(text: string, from: number): boolean {
	if (from === 0) {
		return PREFILTER_RE.test(text);
	}
	return PREFILTER_RE.test(text.slice(from));
}

/** The range of a message slice, computed without splitting it into lines. */
function messageRange(text: string, startLine: number): Message['range'] {
	let breaks = countLineBreaks(text, 0, text.length, text.indexOf('\r') !== -1);
	const last = text.charCodeAt(text.length - 1);
	const endsWithBreak = text.length > 0 && (last === 10 || last === 13);
	if (endsWithBreak) {
		breaks--;
	}
	const end = endsWithBreak ? text.length - (text.endsWith('\r\n') ? 2 : 1) : text.length;
	const lastStart = end === 0 ? 0 : Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1)) + 1;
	return { start: { line: startLine, character: 0 }, end: { line: startLine + Math.max(0, breaks), character: Math.max(0, end - lastStart) } };
}

function baseMessage(index: number, range: Message['range'], headers: MessageHeaders): Message {
	return {
		index,
		range,
		headers,
		subject: parseSubject(headers.subject),
		dateMs: parseMailDate(headers.date),
		trailers: emptyTrailers(),
		body: [],
		files: [],
		problems: [],
	};
}

/** The fields a message keeps; the others (Received, DKIM, ARC …) are skipped unread. */
const KEEP = new Set(['from', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'content-type', 'content-transfer-encoding']);

function readHeaderFields(lines: string[], k0: number): { fields: HeaderField[]; bodyStart: number; valid: boolean } {
	const hb = parseHeaderBlock(lines, k0, lines.length, KEEP);
	if (!hb.valid) {
		return { fields: [], bodyStart: k0, valid: false };
	}
	return { fields: hb.fields, bodyStart: hb.bodyStart, valid: true };
}

function headersOf(lines: string[], k0: number, fields: HeaderField[], problems: IngestProblem[], base: number, shift: Uint8Array | null): MessageHeaders {
	const h = messageHeaders(fields, (label, f) => {
		const ch = shift ? shift[f.line] : 0;
		problems.push({ message: `Unknown charset "${label}" in an encoded header word; read as UTF-8.`, range: rangeOf(base + f.line, ch, ch + lines[f.line].length) });
	});
	// An archive page: the subject line comes first, bare (`Re: [PATCH] …`), then From:/Date:.
	if (h.subject === undefined && k0 < lines.length && /^(?:re|fwd?|aw):/i.test(lines[k0])) {
		h.subject = lines[k0].trim();
	}
	return h;
}

function skippedMessage(text: string, startLine: number, index: number): Message | null {
	const hEnd = headerEnd(text);
	const bodyFrom = hEnd < 0 ? 0 : hEnd;
	if (hasPrefilterWord(text, bodyFrom)) {
		return null;
	}
	// Encoded bodies hide their words: read them in full.
	if (text.indexOf('ase64') !== -1 || text.indexOf('ASE64') !== -1) {
		return null;
	}
	const head = hEnd < 0 ? text.slice(0, Math.min(text.length, 65536)) : text.slice(0, hEnd);
	const lines = splitLines(head);
	const k0 = mboxFromLine(lines) ? 1 : 0;
	const problems: IngestProblem[] = [];
	const hf = readHeaderFields(lines, k0);
	// Without a header block the text before the first blank line is body too.
	if (!hf.valid && bodyFrom > 0 && PREFILTER_RE.test(head)) {
		return null;
	}
	const headers = hf.valid ? headersOf(lines, k0, hf.fields, problems, startLine, null) : {};
	// A subject naming the API (`Re: … migrate_vma_collect_skip()`) is worth a full read.
	if (headers.subject && hasPrefilterWord(headers.subject, 0)) {
		return null;
	}
	const msg = baseMessage(index, messageRange(text, startLine), headers);
	msg.problems = problems;
	msg.skipped = true;
	return msg;
}

/**
 * `skipUnlessWords`: the skipped message, or null when the message must be read in full (it
 * mentions a word, or skipping could lose something a full read reports).
 */
function skimmedMessage(text: string, startLine: number, index: number, words: RegExp): Message | null {
	if (text.indexOf('\r') !== -1 || text.indexOf('\0') !== -1) {
		return null;
	}
	words.lastIndex = 0;
	if (words.test(text)) {
		return null;
	}
	const hEnd = text.indexOf('\n\n');
	if (hEnd < 0) {
		return null;
	}
	const bodyFrom = hEnd + 2;
	const lines = splitLines(text.slice(0, bodyFrom));
	const k0 = mboxFromLine(lines) ? 1 : 0;
	if (k0 === 1 && text.indexOf('>From ') !== -1) {
		return null;
	}
	if (k0 < lines.length && looksFlattened(lines[k0]) && isHeaderLine(lines[k0])) {
		return null;
	}
	const hb = parseHeaderBlock(lines, k0, lines.length, KEEP);
	if (!hb.valid || !hb.blankEnded || hb.bodyStart !== lines.length) {
		return null;
	}
	const ctField = field(hb.fields, 'content-type');
	const ct = parseContentType(ctField?.value);
	if (ct.type.startsWith('multipart/')) {
		return null;
	}
	let hasDiff = false;
	if (TEXT_TYPES.has(ct.type) || !ctField) {
		const cteField = field(hb.fields, 'content-transfer-encoding');
		const cte = (cteField?.value ?? '7bit').trim().toLowerCase();
		const cs = charsetFor(ct.params.charset);
		if (cs.kind === 'unknown' || (ct.params.format ?? '').toLowerCase() === 'flowed') {
			return null;
		}
		let body = text;
		let from = bodyFrom;
		if (cte === 'base64' && cs.kind !== 'other') {
			const decoded = plainBase64(text, bodyFrom);
			if (decoded === null || words.test(decoded)) {
				return null;
			}
			body = decoded;
			from = 0;
		} else if (cte !== '7bit' && cte !== '8bit' && cte !== 'binary') {
			return null;
		}
		if (body.indexOf('GIT binary patch') !== -1 || body.indexOf('Binary files ') !== -1) {
			return null;
		}
		const skim = skimDiffs(body, from, LONG_LINE);
		if (!skim.plain) {
			return null;
		}
		hasDiff = skim.hasDiff;
	}
	const problems: IngestProblem[] = [];
	const headers = headersOf(lines, k0, hb.fields, problems, startLine, null);
	const msg = baseMessage(index, messageRange(text, startLine), headers);
	msg.problems = problems;
	msg.skipped = true;
	msg.hasDiff = hasDiff;
	return msg;
}

/**
 * Base64 alphabet and blanks, then at most two `=` and blanks. The blanks after the data are read
 * only after a `=` (`/^[…]*=?=?[ \t\n]*$/` tried every split of a long run of blanks).
 */
export const PLAIN_BASE64 = /^[A-Za-z0-9+/ \t\n]*(?:==?[ \t\n]*)?$/;

/**
 * The bytes of a base64 body `text.slice(from)` as Latin-1 text with LF line ends (enough to look
 * for ASCII words and diff markers), or null when a full read could report a problem about it
 * (characters outside the alphabet, padding inside, a truncated group) or its lines end in a lone CR.
 */
function plainBase64(text: string, from: number): string | null {
	const body = text.slice(from);
	if (!PLAIN_BASE64.test(body)) {
		return null;
	}
	let data = 0;
	for (let i = 0; i < body.length; i++) {
		const c = body.charCodeAt(i);
		if (c !== 32 && c !== 9 && c !== 10 && c !== 61) {
			data++;
		}
	}
	if (data % 4 === 1) {
		return null;
	}
	let decoded = new TextDecoder('latin1').decode(decodeBase64String(body));
	if (decoded.indexOf('\r') !== -1) {
		decoded = decoded.replace(/\r\n/g, '\n');
		if (decoded.indexOf('\r') !== -1) {
			return null;
		}
	}
	return decoded;
}

function parseFull(text: string, startLine: number, index: number): Message {
	const lines = splitLines(text);
	const problems: IngestProblem[] = [];
	let shift: Uint8Array | null = null;
	let k0 = 0;
	if (mboxFromLine(lines)) {
		k0 = 1;
		for (let k = 1; k < lines.length; k++) {
			const l = lines[k];
			if (l.charCodeAt(0) === 62 && FROM_ESCAPE.test(l)) {
				lines[k] = l.slice(1);
				shift ??= new Uint8Array(lines.length);
				shift[k] = 1;
			}
		}
	}
	const range: Message['range'] = lines.length === 0
		? rangeOf(startLine, 0, 0)
		: { start: { line: startLine, character: 0 }, end: { line: startLine + lines.length - 1, character: lines[lines.length - 1].length + (shift ? shift[lines.length - 1] : 0) } };

	let headers: MessageHeaders = {};
	let fields: HeaderField[] = [];
	let bodyStart = k0;
	if (k0 < lines.length && looksFlattened(lines[k0]) && isHeaderLine(lines[k0])) {
		headers = flatHeaders(lines[k0]);
	} else {
		const hf = readHeaderFields(lines, k0);
		if (hf.valid) {
			fields = hf.fields;
			bodyStart = hf.bodyStart;
			headers = headersOf(lines, k0, fields, problems, startLine, shift);
		}
	}
	const msg = baseMessage(index, range, headers);

	if (text.indexOf('\0') !== -1) {
		for (let k = 0; k < lines.length; k++) {
			const c = lines[k].indexOf('\0');
			if (c !== -1) {
				const ch = (shift ? shift[k] : 0) + c;
				problems.push({ message: 'NUL byte in the text (binary data?); read on.', range: rangeOf(startLine + k, ch, ch + 1) });
				break;
			}
		}
	}

	const src: Source = { lines, base: startLine, shift };
	const parts = readBody(src, fields, bodyStart, lines.length, problems);
	const files: FileDiff[] = [];
	const body: RecoveredLine[] = [];
	const trailers = emptyTrailers();
	let longReported = false;
	for (const part of parts) {
		const rec: RecoveredLine[] = [];
		for (const dl of part.lines) {
			if (looksFlattened(dl.text)) {
				for (const l of unflatten(dl)) {
					rec.push(l);
				}
				continue;
			}
			if (dl.text.length > LONG_LINE && !longReported) {
				longReported = true;
				problems.push({ message: `Very long line (${dl.text.length} characters); read as one line.`, range: { start: dl.origin.range.start, end: dl.origin.range.start } });
			}
			const q = quotePrefix(dl.text);
			let cut = q.length;
			if (part.flowed && dl.text.charCodeAt(cut) === 32) {
				cut++;
			}
			if (cut === 0) {
				rec.push(dl);
			} else {
				rec.push(sliceLine(dl, cut, dl.text.length, q.depth));
			}
		}
		const diffs = readDiffs(rec);
		for (const f of diffs.files) {
			files.push(f);
		}
		for (const p of diffs.problems) {
			problems.push(p);
		}
		for (let i = 0; i < rec.length; i++) {
			const l = rec[i];
			body.push(l);
			if (l.quoteDepth !== 0 || diffs.inDiff[i] === 1) {
				continue;
			}
			const c = l.text.charCodeAt(0);
			// Cheap gate before the regex: trailers start with b, B, f, F, s, S, r, R, a, A.
			if (c !== 98 && c !== 66 && c !== 102 && c !== 70 && c !== 115 && c !== 83 && c !== 114 && c !== 82 && c !== 97 && c !== 65) {
				continue;
			}
			const t = readTrailer(l.text);
			if (!t || t.value.length === 0) {
				continue;
			}
			switch (t.name.toLowerCase()) {
				case 'fixes':
					trailers.fixes.push(t.value);
					break;
				case 'base-commit':
					trailers.baseCommit ??= t.value.split(/\s+/)[0];
					break;
				case 'signed-off-by':
					trailers.signedOffBy.push(t.value);
					break;
				case 'reviewed-by':
					trailers.reviewedBy.push(t.value);
					break;
				case 'acked-by':
					trailers.ackedBy.push(t.value);
					break;
			}
		}
	}
	msg.body = body;
	msg.files = files;
	msg.trailers = trailers;
	msg.problems = problems;
	return msg;
}

/**
 * Reads one message. `text` is the message's slice of the document and `startLine` the document
 * line where it starts: every position reported is a document position.
 */
export function parseMessage(text: string, startLine: number, index: number, opts?: ParseOptions): Message {
	try {
		if (opts?.skipUnlessWords) {
			const skimmed = skimmedMessage(text, startLine, index, opts.skipUnlessWords);
			if (skimmed) {
				return skimmed;
			}
		}
		if (opts?.prefilter) {
			const skipped = skippedMessage(text, startLine, index);
			if (skipped) {
				return skipped;
			}
		}
		return parseFull(text, startLine, index);
	} catch (e) {
		let range: Message['range'];
		try {
			range = messageRange(text, startLine);
		} catch {
			range = rangeOf(startLine, 0, 0);
		}
		const msg = baseMessage(index, range, {});
		msg.problems.push({ message: `This message could not be read: ${e instanceof Error ? e.message : String(e)}`, range: { start: range.start, end: range.start } });
		return msg;
	}
}
