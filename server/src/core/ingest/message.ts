/*
 * One message: headers, the decoded body parts, quote prefixes, flattened archive text, the
 * diffs and the trailers. `parseMessage` never throws; what it cannot read becomes a problem.
 */
import { readDiffs, skimDiffs } from './diff';
import { looksFlattened, unflatten } from './flatten';
import { field, isHeaderLine, messageHeaders, parseContentType, parseHeaderBlock, parseHeaderText, parseMailDate, parseSubject, type HeaderBlock, type HeaderField } from './headers';
import { countLineBreaks, rangeOf, sliceLine, splitLines } from './lines';
import { atobDigits, readBody, TEXT_TYPES, type Part, type Source } from './mime';
import { charsetFor } from './charset';
import { quotePrefix } from './quote';
import { anchoredWords, literalAlternatives } from './words';
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
	 * Only a plain alternation of words (such as FACT_WORDS) is skimmed; with any other expression
	 * every message is read in full.
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

function endsWithLineBreak(text: string): boolean {
	const last = text.length === 0 ? -1 : text.charCodeAt(text.length - 1);
	return last === 10 || last === 13;
}

/**
 * The range of a message slice, computed without splitting it into lines (`hasCR`, and the number
 * of line breaks in `text`, when known).
 */
function messageRange(text: string, startLine: number, hasCR: boolean = text.indexOf('\r') !== -1, lineBreaks?: number): Message['range'] {
	let breaks = lineBreaks ?? countLineBreaks(text, 0, text.length, hasCR);
	const last = text.charCodeAt(text.length - 1);
	const endsWithBreak = text.length > 0 && (last === 10 || last === 13);
	if (endsWithBreak) {
		breaks--;
	}
	const end = endsWithBreak ? text.length - (text.endsWith('\r\n') ? 2 : 1) : text.length;
	const lastStart = end === 0 ? 0 : (hasCR ? Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1)) : text.lastIndexOf('\n', end - 1)) + 1;
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

function readHeaderFields(lines: string[], k0: number, known?: HeaderBlock): { fields: HeaderField[]; bodyStart: number; valid: boolean } {
	const hb = known ?? parseHeaderBlock(lines, k0, lines.length, KEEP);
	if (!hb.valid) {
		return { fields: [], bodyStart: k0, valid: false };
	}
	return { fields: hb.fields, bodyStart: hb.bodyStart, valid: true };
}

function headersOf(lines: string[], k0: number, fields: HeaderField[], problems: IngestProblem[], base: number, shift: Uint8Array | null): MessageHeaders {
	return headersAt((k) => lines[k], lines.length, k0, fields, problems, base, shift);
}

/** `headersOf` for lines given by number (`lineCount` of them). */
function headersAt(lineAt: (k: number) => string, lineCount: number, k0: number, fields: HeaderField[], problems: IngestProblem[], base: number, shift: Uint8Array | null): MessageHeaders {
	const h = messageHeaders(fields, (label, f) => {
		const ch = shift ? shift[f.line] : 0;
		problems.push({ message: `Unknown charset "${label}" in an encoded header word; read as UTF-8.`, range: rangeOf(base + f.line, ch, ch + lineAt(f.line).length) });
	});
	// An archive page: the subject line comes first, bare (`Re: [PATCH] …`), then From:/Date:.
	if (h.subject === undefined && k0 < lineCount && /^(?:re|fwd?|aw):/i.test(lineAt(k0))) {
		h.subject = lineAt(k0).trim();
	}
	return h;
}

/** Line `k` of an LF-separated text. */
function lineOfText(text: string, k: number): string {
	let a = 0;
	for (let j = 0; j < k && a <= text.length; j++) {
		const b = text.indexOf('\n', a);
		a = b === -1 ? text.length + 1 : b + 1;
	}
	if (a > text.length) {
		return '';
	}
	const b = text.indexOf('\n', a);
	return text.slice(a, b === -1 ? text.length : b);
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

/** The tests `skimmedMessage` runs over a message's text in one pass each, for one words expression. */
interface SkimTests {
	/**
	 * Over the raw message text: a word, a CR, a NUL; index bit 1: an mboxrd `>From ` escape (a
	 * message with a `From ` line); bit 2: a binary-diff marker (a body read as it is written).
	 */
	raw: RegExp[];
	/** Over a decoded base64 body: a word or a binary-diff marker. */
	decoded: RegExp;
}

const skimTestCache = new WeakMap<RegExp, SkimTests | null>();

/**
 * The one-pass tests for `words`, when it is a plain alternation of words (see
 * `literalAlternatives`); null for any other expression (whose messages are then read in full).
 */
function skimTests(words: RegExp): SkimTests | null {
	let t = skimTestCache.get(words);
	if (t === undefined) {
		const lits = literalAlternatives(words);
		if (lits) {
			const lit = (text: string) => ({ text, boundaryAfter: false });
			const binary = [lit('GIT binary patch'), lit('Binary files ')];
			const raw: RegExp[] = [];
			for (let v = 0; v < 4; v++) {
				raw.push(anchoredWords([...lits, lit('\r'), lit('\0'), ...(v & 1 ? [lit('>From ')] : []), ...(v & 2 ? binary : [])]));
			}
			t = { raw, decoded: anchoredWords([...lits, ...binary]) };
		} else {
			t = null;
		}
		skimTestCache.set(words, t);
	}
	return t;
}

/**
 * `skipUnlessWords`: the skipped message, or null when the message must be read in full (it
 * mentions a word, or skipping could lose something a full read reports).
 */
function skimmedMessage(text: string, startLine: number, index: number, words: RegExp, known: KnownText): Message | null {
	const tests = skimTests(words);
	if (!tests) {
		// Only a plain alternation of words is skimmed (the CLI's FACT_WORDS is one); any other
		// expression gets a full read, which is always right, only slower.
		return null;
	}
	words.lastIndex = 0;
	// Every test below only decides between skipping and a full read, so they run in the order that
	// costs least: the headers first, then one pass over the text for all that forbids skipping it.
	// The header lines are read in place, split at LF (a text with a CR is never skipped: the
	// one-pass test below finds it). The header block must end at the first empty line (the first
	// `\n\n`), the body starting after it.
	const end0 = text.indexOf('\n');
	const end1 = end0 < 0 ? -1 : text.indexOf('\n', end0 + 1);
	if (end1 < 0) {
		return null;
	}
	const k0 = text.startsWith('From ') && isHeaderLine(text.slice(end0 + 1, end1)) ? 1 : 0;
	const first = k0 === 0 ? text.slice(0, end0) : text.slice(end0 + 1, end1);
	if (looksFlattened(first) && isHeaderLine(first)) {
		return null;
	}
	const hb = parseHeaderText(text, k0 === 0 ? 0 : end0 + 1, k0, text.length, KEEP);
	known.head = { k0, block: hb };
	// (the line that ended the block, empty: its LF right after the one before)
	const blankAt = hb.bodyFrom - 1;
	if (!hb.valid || !hb.blankEnded || blankAt < 1 || text.charCodeAt(blankAt) !== 10 || text.charCodeAt(blankAt - 1) !== 10) {
		return null;
	}
	const bodyFrom = hb.bodyFrom;
	const ctField = field(hb.fields, 'content-type');
	const ct = parseContentType(ctField?.value);
	if (ct.type.startsWith('multipart/')) {
		return null;
	}
	/** 0: not a text part (its body is not read), 1: read as written, 2: base64. */
	let mode = 0;
	if (TEXT_TYPES.has(ct.type) || !ctField) {
		const cteField = field(hb.fields, 'content-transfer-encoding');
		const cte = (cteField?.value ?? '7bit').trim().toLowerCase();
		const cs = charsetFor(ct.params.charset);
		if (cs.kind === 'unknown' || (ct.params.format ?? '').toLowerCase() === 'flowed') {
			return null;
		}
		if (cte === 'base64' && cs.kind !== 'other') {
			mode = 2;
		} else if (cte === '7bit' || cte === '8bit' || cte === 'binary') {
			mode = 1;
		} else {
			return null;
		}
	}
	// A word, a CR, a NUL, an escaped `>From ` line, and in a body read as written a binary diff.
	const found = tests.raw[(k0 === 1 ? 1 : 0) | (mode === 1 ? 2 : 0)].exec(text);
	// (the first match is the first of all these: no NUL before it)
	known.nulFreeTo = found ? found.index : text.length;
	if (found) {
		return null;
	}
	let hasDiff = false;
	if (mode !== 0) {
		let body = text;
		let from = bodyFrom;
		if (mode === 2) {
			const decoded = plainBase64(text, bodyFrom);
			if (decoded === null || tests.decoded.test(decoded)) {
				return null;
			}
			body = decoded;
			from = 0;
		}
		const skim = skimDiffs(body, from, LONG_LINE);
		if (!skim.plain) {
			return null;
		}
		hasDiff = skim.hasDiff;
		if (mode === 1) {
			// the header lines, and the LF of the body skimmed as written
			known.lineBreaks = hb.bodyStart + skim.lineBreaks;
		}
	}
	known.lineBreaks ??= countLineBreaks(text, 0, text.length, false);
	const problems: IngestProblem[] = [];
	const headers = headersAt((k) => (k === k0 ? first : lineOfText(text, k)), hb.bodyStart, k0, hb.fields, problems, startLine, null);
	const msg = baseMessage(index, messageRange(text, startLine, false, known.lineBreaks), headers);
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

const C1_CONTROL = /[\x80-\x9f]/;
let latin1Decoder: TextDecoder | undefined;

/**
 * The bytes of a base64 body `text.slice(from)` as Latin-1 text with LF line ends (enough to look
 * for ASCII words and diff markers), or null when a full read could report a problem about it
 * (characters outside the alphabet, padding inside, a truncated group) or its lines end in a lone CR.
 * What `PLAIN_BASE64` accepts, decoded (natively, by `atob`) as `decodeBase64String` decodes it and
 * read as a `latin1` TextDecoder reads it.
 */
export function plainBase64(text: string, from: number): string | null {
	const body = from === 0 ? text : text.slice(from);
	if (!PLAIN_BASE64.test(body)) {
		return null;
	}
	// After a `=` come only `=` and blanks: the digits are what comes before it.
	const bin = atobDigits(body);
	if (bin === undefined) {
		return null;
	}
	// One character per byte, as a `latin1` TextDecoder reads them, except (on some platforms) the
	// bytes 0x80–0x9F: those go through the decoder itself.
	let decoded = bin;
	if (C1_CONTROL.test(bin)) {
		const bytes = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) {
			bytes[i] = bin.charCodeAt(i);
		}
		decoded = (latin1Decoder ??= new TextDecoder('latin1')).decode(bytes);
	}
	if (decoded.indexOf('\r') !== -1) {
		decoded = decoded.replace(/\r\n/g, '\n');
		if (decoded.indexOf('\r') !== -1) {
			return null;
		}
	}
	return decoded;
}

/**
 * Undoes the mboxrd escape of `From ` lines (`>From ` → `From `) after the separator line: the
 * column shift of each line (1 where a `>` was removed), or null when no line was escaped.
 */
function unescapeFromLines(lines: string[]): Uint8Array | null {
	let shift: Uint8Array | null = null;
	for (let k = 1; k < lines.length; k++) {
		const l = lines[k];
		if (l.length > 0 && l.charCodeAt(0) === 62 && FROM_ESCAPE.test(l)) {
			lines[k] = l.slice(1);
			shift ??= new Uint8Array(lines.length);
			shift[k] = 1;
		}
	}
	return shift;
}

/** The headers of a full read: from the header block, or inline in a flattened first line. */
function readHead(lines: string[], k0: number, problems: IngestProblem[], startLine: number, shift: Uint8Array | null, known?: HeaderBlock): { headers: MessageHeaders; fields: HeaderField[]; bodyStart: number } {
	if (k0 < lines.length && looksFlattened(lines[k0]) && isHeaderLine(lines[k0])) {
		return { headers: flatHeaders(lines[k0]), fields: [], bodyStart: k0 };
	}
	const hf = readHeaderFields(lines, k0, known);
	if (!hf.valid) {
		return { headers: {}, fields: [], bodyStart: k0 };
	}
	return { headers: headersOf(lines, k0, hf.fields, problems, startLine, shift), fields: hf.fields, bodyStart: hf.bodyStart };
}

/** Reports the first NUL of the message lines. */
function reportNul(lines: readonly string[], shift: Uint8Array | null, startLine: number, problems: IngestProblem[]): void {
	for (let k = 0; k < lines.length; k++) {
		const c = lines[k].indexOf('\0');
		if (c !== -1) {
			const ch = (shift ? shift[k] : 0) + c;
			problems.push({ message: 'NUL byte in the text (binary data?); read on.', range: rangeOf(startLine + k, ch, ch + 1) });
			break;
		}
	}
}

/**
 * The lines of a decoded part with their quote prefixes cut off (and flattened lines cut into
 * lines); the first very long line of the message is reported.
 */
function unquotedLines(part: Part, problems: IngestProblem[], long: { reported: boolean }): RecoveredLine[] {
	const lines = part.lines;
	/** The lines so far, once one differs from the part's (until then, the part's own array serves). */
	let rec: RecoveredLine[] | null = null;
	for (let k = 0; k < lines.length; k++) {
		const dl = lines[k];
		const t = dl.text;
		if (looksFlattened(t)) {
			rec ??= lines.slice(0, k);
			const cut = unflatten(dl);
			for (let j = 0; j < cut.length; j++) {
				rec.push(cut[j]);
			}
			continue;
		}
		if (t.length > LONG_LINE && !long.reported) {
			long.reported = true;
			problems.push({ message: `Very long line (${t.length} characters); read as one line.`, range: { start: dl.origin.range.start, end: dl.origin.range.start } });
		}
		const c = t.length > 0 ? t.charCodeAt(0) : -1;
		let cut = 0;
		let depth = 0;
		if (c === 62 || (c === 32 && part.flowed)) {
			const q = quotePrefix(t);
			cut = q.length;
			depth = q.depth;
			if (part.flowed && cut < t.length && t.charCodeAt(cut) === 32) {
				cut++;
			}
		}
		if (cut === 0) {
			// as it is: no quote prefix (nor space-stuffing to undo)
			rec?.push(dl);
			continue;
		}
		rec ??= lines.slice(0, k);
		rec.push(sliceLine(dl, cut, t.length, depth));
	}
	return rec ?? lines;
}

/** Reads the trailers among a part's depth-0 lines outside diffs. */
function collectTrailers(rec: readonly RecoveredLine[], inDiff: Uint8Array, trailers: Trailers): void {
	for (let i = 0; i < rec.length; i++) {
		const l = rec[i];
		if (l.quoteDepth !== 0 || inDiff[i] === 1 || l.text.length === 0) {
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

function parseFull(text: string, startLine: number, index: number, known: KnownText): Message {
	const lines = splitLines(text);
	// (a final line break starts no line of its own here)
	known.lineBreaks ??= lines.length === 0 ? 0 : lines.length - (endsWithLineBreak(text) ? 0 : 1);
	const problems: IngestProblem[] = [];
	const k0 = mboxFromLine(lines) ? 1 : 0;
	// (an escaped line holds `>From `: without one anywhere, no line is looked at)
	const shift = k0 === 1 && text.indexOf('>From ') !== -1 ? unescapeFromLines(lines) : null;
	const range: Message['range'] = lines.length === 0
		? rangeOf(startLine, 0, 0)
		: { start: { line: startLine, character: 0 }, end: { line: startLine + lines.length - 1, character: lines[lines.length - 1].length + (shift ? shift[lines.length - 1] : 0) } };
	const lfOnly = text.indexOf('\r') === -1;
	// The header block the skim read, when it read the same lines (split at LF only, none unescaped).
	const skimmed = known.head !== undefined && known.head.k0 === k0 && shift === null && lfOnly ? known.head.block : undefined;
	const head = readHead(lines, k0, problems, startLine, shift, skimmed);
	const msg = baseMessage(index, range, head.headers);
	if (text.indexOf('\0', known.nulFreeTo) !== -1) {
		reportNul(lines, shift, startLine, problems);
	}
	const src: Source = { lines, base: startLine, shift, lfText: lfOnly ? text : undefined };
	const parts = readBody(src, head.fields, head.bodyStart, lines.length, problems);
	const files: FileDiff[] = [];
	/** The lines of all parts (the first part's array, when there is one, grown by the others). */
	let body: RecoveredLine[] | null = null;
	const trailers = emptyTrailers();
	const long = { reported: false };
	for (let p = 0; p < parts.length; p++) {
		const rec = unquotedLines(parts[p], problems, long);
		const diffs = readDiffs(rec);
		for (let k = 0; k < diffs.files.length; k++) {
			files.push(diffs.files[k]);
		}
		for (let k = 0; k < diffs.problems.length; k++) {
			problems.push(diffs.problems[k]);
		}
		if (body === null) {
			body = rec;
		} else {
			for (let k = 0; k < rec.length; k++) {
				body.push(rec[k]);
			}
		}
		collectTrailers(rec, diffs.inDiff, trailers);
	}
	msg.body = body ?? [];
	msg.files = files;
	msg.trailers = trailers;
	msg.problems = problems;
	return msg;
}

/** What is already known of a message text, so that it is not looked for again. */
export interface KnownText {
	/** The number of line breaks in the text, when counted (by the reading, for its caller too). */
	lineBreaks: number | undefined;
	/** The text holds no NUL before this offset. */
	nulFreeTo: number;
	/** The header block from line `k0` of the text split at LF, as the skim read it. */
	head?: { k0: number; block: HeaderBlock };
}

/**
 * Reads one message. `text` is the message's slice of the document and `startLine` the document
 * line where it starts: every position reported is a document position.
 */
export function parseMessage(text: string, startLine: number, index: number, opts?: ParseOptions): Message {
	return readMessage(text, startLine, index, opts, { lineBreaks: undefined, nulFreeTo: 0, head: undefined });
}

/** `parseMessage`, with what is `known` of the text; the reading adds what it learns (the line breaks). */
export function readMessage(text: string, startLine: number, index: number, opts: ParseOptions | undefined, known: KnownText): Message {
	try {
		if (opts?.skipUnlessWords) {
			const skimmed = skimmedMessage(text, startLine, index, opts.skipUnlessWords, known);
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
		return parseFull(text, startLine, index, known);
	} catch (e) {
		let range: Message['range'];
		try {
			range = messageRange(text, startLine, undefined, known.lineBreaks);
		} catch {
			range = rangeOf(startLine, 0, 0);
		}
		const msg = baseMessage(index, range, {});
		msg.problems.push({ message: `This message could not be read: ${e instanceof Error ? e.message : String(e)}`, range: { start: range.start, end: range.start } });
		return msg;
	}
}
