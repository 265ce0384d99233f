/*
 * Stages 1–2 of the analysis core: a document (patch, mail, mbox, archive page) read into
 * messages → files → hunks → lines, every line mapped back to the document. See docs/ingest.md.
 */
import { splitMboxCounted } from './mbox';
import { readMessage, type KnownText, type ParseOptions } from './message';
import { rangeOf } from './lines';
import type { Message, PatchDocument } from './types';

export * from './types';
export { splitMbox, MboxStream, type MessageSlice } from './mbox';
export { parseMessage, PREFILTER_WORDS, type ParseOptions } from './message';
export { positionOf, sliceLine, splitLines } from './lines';
export { quotePrefix } from './quote';
export { looksFlattened, unflatten } from './flatten';
export { parseSubject, parseMailDate } from './headers';

export interface IngestOptions extends ParseOptions {
	/**
	 * Messages of an earlier read of the same document with the same options, by their text and
	 * place. A message whose text, index and first line are unchanged is taken from here as it is,
	 * not parsed again (an editor re-reading a buffer after an edit). Left holding this read's
	 * messages.
	 */
	memo?: Map<string, Message>;
}

/**
 * Reads a whole document (an editor buffer or a file). Never throws. With `skipUnlessWords`, a
 * message that mentions none of those words is read for its headers only (see `parseMessage`).
 */
export function ingestText(text: string, opts: IngestOptions = {}): PatchDocument {
	const messages: Message[] = [];
	const doc: PatchDocument = { messages, problems: [] };
	const memo = opts.memo;
	const kept = memo ? new Map<string, Message>() : undefined;
	try {
		let i = 0;
		for (const item of splitMboxCounted(text)) {
			const slice = item.slice;
			const key = kept ? `${i}:${slice.startLine}:${slice.text}` : '';
			let m = kept && memo!.get(key);
			if (!m) {
				// (the reading counts the message's line breaks on its way: the split need not)
				const known: KnownText = { lineBreaks: undefined, nulFreeTo: 0, head: undefined };
				m = readMessage(slice.text, slice.startLine, i, opts, known);
				item.breaks = known.lineBreaks;
			}
			kept?.set(key, m);
			messages.push(m);
			i++;
		}
	} catch (e) {
		doc.problems.push({ message: `The document could not be split into messages: ${e instanceof Error ? e.message : String(e)}`, range: rangeOf(0, 0, 0) });
	}
	if (memo && kept) {
		memo.clear();
		for (const [k, m] of kept) {
			memo.set(k, m);
		}
	}
	return doc;
}
