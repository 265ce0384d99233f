/*
 * Splitting a document into messages at mbox `From ` separator lines (mboxo and mboxrd).
 *
 * A line is a separator when it starts with `From ` followed by something, the next line reads
 * as a header field (`Name:`), and either the previous line is blank (or it is the first line)
 * or the line carries an asctime date (`From x Mon Sep 17 00:00:00 2001`). A document with no
 * separator is one message. Text before the first separator is its own message unless blank.
 */
import { countLineBreaks } from './lines';

export interface MessageSlice {
	/** The message text, its `From ` line included. */
	text: string;
	/** Document line of the slice's first line. */
	startLine: number;
	/** `MboxStream` with `maxMessageChars`: characters of the message not kept (cut from its end). */
	omitted?: number;
}

export interface MboxStreamOptions {
	/**
	 * Keep at most this many characters of one message; the rest is counted (lines, characters)
	 * but not held, and the slice says how much was left out (`omitted`). Default: no limit.
	 */
	maxMessageChars?: number;
}

/** A partial line longer than this, not a possible separator, is moved out of the look-ahead buffer. */
const HOLD_CHARS = 64 * 1024;

const NEXT_HEADER = /[A-Za-z0-9][A-Za-z0-9_.-]*[ \t]*:/y;
const DATED_FROM = /From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d/y;

function lineEndAt(text: string, from: number): number {
	const n = text.length;
	for (let i = from; i < n; i++) {
		const c = text.charCodeAt(i);
		if (c === 10 || c === 13) {
			return i;
		}
	}
	return n;
}

function nextLineStart(text: string, lineEnd: number): number {
	if (lineEnd >= text.length) {
		return text.length;
	}
	if (text.charCodeAt(lineEnd) === 13 && text.charCodeAt(lineEnd + 1) === 10) {
		return lineEnd + 2;
	}
	return lineEnd + 1;
}

/** Whether the line before the line starting at `idx` (> 0) is blank. */
function previousLineBlank(text: string, idx: number): boolean {
	let j = idx - 1;
	if (text.charCodeAt(j) === 10 && text.charCodeAt(j - 1) === 13) {
		j--;
	}
	if (j === 0) {
		return true;
	}
	const c = text.charCodeAt(j - 1);
	return c === 10 || c === 13;
}

type Verdict = 'yes' | 'no' | 'more';

/**
 * Decides whether the line at `idx` (a line start where `From ` begins) separates messages.
 * `complete` false means more text may follow `text`: answers `more` when the decision needs it.
 */
function separatorAt(text: string, idx: number, prevBlankAt0: boolean, complete: boolean): Verdict {
	const end = lineEndAt(text, idx);
	if (end === text.length && !complete) {
		return 'more';
	}
	if (end === text.length && complete) {
		return 'no';
	}
	if (text.charCodeAt(end) === 13 && end + 1 === text.length && !complete) {
		return 'more';
	}
	let k = idx + 5;
	while (k < end && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) {
		k++;
	}
	if (k >= end) {
		return 'no';
	}
	const next = nextLineStart(text, end);
	if (!complete && text.length - next < 80 && lineEndAt(text, next) === text.length) {
		return 'more';
	}
	NEXT_HEADER.lastIndex = next;
	const m = NEXT_HEADER.exec(text);
	if (!m || m.index !== next) {
		return 'no';
	}
	const blank = idx === 0 ? prevBlankAt0 : previousLineBlank(text, idx);
	if (blank) {
		return 'yes';
	}
	DATED_FROM.lastIndex = idx;
	return DATED_FROM.test(text) ? 'yes' : 'no';
}

function isBlank(text: string): boolean {
	return /^\s*$/.test(text);
}

/** Yields the messages of a whole document, lazily. */
export function* splitMbox(text: string): Generator<MessageSlice> {
	for (const c of splitMboxCounted(text)) {
		yield c.slice;
	}
}

/**
 * `splitMbox`, for a reader that may count the line breaks of a slice's text on its way: it sets
 * `breaks` before asking for the next slice, and the split counts only those left unset.
 */
export function* splitMboxCounted(text: string): Generator<{ slice: MessageSlice; breaks: number | undefined }> {
	/** Whether the text holds a CR (looked for when a count is first needed). */
	let hasCR: boolean | undefined;
	let msgStart = 0;
	let msgLine = 0;
	let pos = 0;
	for (;;) {
		const idx = text.indexOf('From ', pos);
		if (idx === -1) {
			break;
		}
		pos = idx + 5;
		if (idx > 0) {
			const p = text.charCodeAt(idx - 1);
			if (p !== 10 && p !== 13) {
				continue;
			}
		}
		if (idx === msgStart || separatorAt(text, idx, true, true) !== 'yes') {
			continue;
		}
		const slice = text.slice(msgStart, idx);
		let breaks: number | undefined;
		if (!isBlank(slice)) {
			const item = { slice: { text: slice, startLine: msgLine }, breaks: undefined as number | undefined };
			yield item;
			breaks = item.breaks;
		}
		msgLine += breaks ?? countLineBreaks(text, msgStart, idx, (hasCR ??= text.indexOf('\r') !== -1));
		msgStart = idx;
	}
	const rest = text.slice(msgStart);
	if (!isBlank(rest)) {
		yield { slice: { text: rest, startLine: msgLine }, breaks: undefined };
	}
}

/**
 * The same split, fed chunk by chunk: `push` returns the messages completed so far, `end` the
 * rest. Only the current message (and an undecided line or two) is held in memory.
 */
export class MboxStream {
	private parts: string[] = [];
	private carry = '';
	/** Where to resume looking for `From ` in `carry`. */
	private resume = 0;
	/** Whether the line before `carry` is blank (true at the document start). */
	private prevBlank = true;
	/** Document line where the current message starts. */
	private msgLine = 0;
	/** Line breaks in `parts`. */
	private partsBreaks = 0;
	private partsBlank = true;
	private ended = false;
	/** Whether any chunk held a CR (otherwise line counting looks for LF only). */
	private sawCR = false;
	/** `carry` starts in the middle of a line (a long line was moved out of it). */
	private midLine = false;
	/** Characters kept in `parts`, and characters of the current message not kept. */
	private partsChars = 0;
	private dropped = 0;
	private readonly maxChars: number;

	constructor(opts: MboxStreamOptions = {}) {
		this.maxChars = opts.maxMessageChars ?? Infinity;
	}

	push(chunk: string): MessageSlice[] {
		if (this.ended || chunk.length === 0) {
			return [];
		}
		if (!this.sawCR && chunk.indexOf('\r') !== -1) {
			this.sawCR = true;
		}
		// `carry` holds the unfinished last line (it starts a line unless `midLine`), or a `From `
		// line still being judged.
		const lineHead = this.carry.length >= 5 ? this.carry.slice(0, 5) : this.carry + chunk.slice(0, 5 - this.carry.length);
		if (chunk.indexOf('\n') === -1 && chunk.indexOf('\r') === -1 && this.carry.length + chunk.length > HOLD_CHARS
			&& (this.midLine || lineHead !== 'From ')) {
			// A long line that cannot be a separator: move all but its last character into the
			// message, so the look-ahead buffer (and its copies on every chunk) stays small.
			const whole = this.carry + chunk;
			this.append(whole.slice(0, whole.length - 1));
			this.carry = whole.slice(whole.length - 1);
			this.resume = 0;
			this.midLine = true;
			return [];
		}
		this.carry += chunk;
		return this.scan(false);
	}

	end(): MessageSlice[] {
		if (this.ended) {
			return [];
		}
		const out = this.scan(true);
		this.ended = true;
		this.emit(out);
		return out;
	}

	private emit(out: MessageSlice[]): void {
		if (this.parts.length === 0) {
			return;
		}
		const text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
		if (!this.partsBlank) {
			out.push(this.dropped > 0 ? { text, startLine: this.msgLine, omitted: this.dropped } : { text, startLine: this.msgLine });
		}
		this.msgLine += this.partsBreaks;
		this.parts = [];
		this.partsBreaks = 0;
		this.partsBlank = true;
		this.partsChars = 0;
		this.dropped = 0;
	}

	private append(piece: string): void {
		if (piece.length === 0) {
			return;
		}
		const room = this.maxChars - this.partsChars;
		if (piece.length <= room) {
			this.parts.push(piece);
			this.partsChars += piece.length;
		} else {
			if (room > 0) {
				this.parts.push(piece.slice(0, room));
				this.partsChars += room;
			}
			this.dropped += piece.length - Math.max(0, room);
		}
		this.partsBreaks += countLineBreaks(piece, 0, piece.length, this.sawCR);
		if (this.partsBlank && !isBlank(piece)) {
			this.partsBlank = false;
		}
	}

	private scan(final: boolean): MessageSlice[] {
		const out: MessageSlice[] = [];
		const text = this.carry;
		let limit: number;
		if (final) {
			limit = text.length;
		} else {
			let k = text.length - 1;
			if (k >= 0 && text.charCodeAt(k) === 13) {
				k--;
			}
			limit = k < 0 ? 0 : Math.max(text.lastIndexOf('\n', k), text.lastIndexOf('\r', k)) + 1;
		}
		let pieceStart = 0;
		let pos = this.resume;
		let resumeAt = -1;
		for (;;) {
			const idx = text.indexOf('From ', pos);
			if (idx === -1) {
				resumeAt = Math.max(0, text.length - 4);
				break;
			}
			if (idx >= limit) {
				resumeAt = idx;
				break;
			}
			pos = idx + 5;
			if (idx > 0) {
				const p = text.charCodeAt(idx - 1);
				if (p !== 10 && p !== 13) {
					continue;
				}
			} else if (this.midLine) {
				continue;
			}
			const v = separatorAt(text, idx, this.prevBlank, final);
			if (v === 'more') {
				limit = idx;
				resumeAt = idx;
				break;
			}
			if (v === 'no') {
				continue;
			}
			this.append(text.slice(pieceStart, idx));
			pieceStart = idx;
			this.emit(out);
		}
		this.append(text.slice(pieceStart, limit));
		if (limit > 0) {
			// (after a long line was moved out, `carry` kept its last character: the line reads as not blank)
			this.prevBlank = previousLineBlank(text, limit);
			this.midLine = false;
		}
		this.carry = text.slice(limit);
		this.resume = Math.max(0, resumeAt - limit);
		return out;
	}
}
