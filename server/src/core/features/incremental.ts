/*
 * Re-analysis of an edited document without re-parsing what did not change: extraction (the
 * tree-sitter stage, by far the most expensive) is cached per message, keyed by the message's
 * recovered lines and where they sit. An edit inside one message of an mbox re-extracts that
 * message only; messages below it are reused unless the edit moved them. Rules run again over
 * every message (they are cheap and may read the whole series).
 */
import { analyzeDocument, type Analysis, type AnalyzeOptions } from '../analyze';
import type { Extractor } from '../extract/index';
import type { ExtractOptions, MessageFacts } from '../extract/types';
import { ingestText } from '../ingest/index';
import type { Message, PatchDocument } from '../ingest/types';

function fnv(h: number, s: string): number {
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** A key that changes when a message's recovered text or its position in the document changes. */
export function messageKey(m: Message): string {
	let a = 0x811c9dc5;
	let b = 0x01234567;
	let n = 0;
	for (const l of m.body) {
		const o = l.origin;
		const where = `${l.quoteDepth}:${o.exact ? 1 : 0}:${o.range.start.line}:${o.range.start.character}:${o.range.end.line}:${o.range.end.character}:${o.segments.length}:${l.flattened ? 1 : 0}`;
		a = fnv(a, where);
		a = fnv(a, l.text);
		b = fnv(b, l.text);
		b = fnv(b, where);
		n += l.text.length + 1;
		for (const s of o.segments.length > 1 ? o.segments : []) {
			a = fnv(a, `${s.col},${s.line},${s.character}`);
		}
	}
	return `${m.index}:${m.range.start.line}:${m.body.length}:${n}:${a.toString(16)}:${b.toString(16)}`;
}

export interface IncrementalResult {
	analysis: Analysis;
	/** Messages whose facts came from the cache. */
	reused: number;
	/** Messages extracted this time. */
	extracted: number;
}

export interface AsyncOptions {
	/** Checked between slices: true abandons the analysis (a newer version of the text arrived). */
	shouldStop?: () => boolean;
	/** Longest stretch of synchronous extraction before yielding to the event loop (default 25 ms). */
	sliceMs?: number;
}

function yieldToLoop(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

export class IncrementalAnalyzer {
	private cache = new Map<string, MessageFacts>();

	constructor(private readonly extractor: Extractor) { }

	/** Forget every cached extraction (the kernel tree changed, or the extractor options did). */
	clear(): void {
		this.cache.clear();
	}

	analyzeText(text: string, opts: AnalyzeOptions = {}): IncrementalResult {
		return this.analyzeDocument(ingestText(text), opts);
	}

	/**
	 * The same analysis, extracting message by message and yielding to the event loop between
	 * slices, so a server stays responsive while a large mbox is read. Undefined when `shouldStop`
	 * said so; the messages extracted so far stay cached for the next run.
	 */
	async analyzeTextAsync(text: string, opts: AnalyzeOptions = {}, run: AsyncOptions = {}): Promise<IncrementalResult | undefined> {
		const slice = run.sliceMs ?? 25;
		const doc = ingestText(text);
		let mark = Date.now();
		let fresh = 0;
		for (const m of doc.messages) {
			if (Date.now() - mark > slice) {
				await yieldToLoop();
				mark = Date.now();
				if (run.shouldStop?.()) {
					return undefined;
				}
			}
			if (m.files.length === 0) {
				continue;
			}
			const key = messageKey(m);
			if (this.cache.has(key)) {
				continue;
			}
			try {
				this.cache.set(key, this.extractor.extractMessage(m, { tree: opts.tree }));
				fresh++;
			} catch {
				// The synchronous pass below extracts it again and reports the error.
			}
		}
		if (run.shouldStop?.()) {
			return undefined;
		}
		const r = this.analyzeDocument(doc, opts);
		return { ...r, extracted: r.extracted + fresh, reused: r.reused - fresh };
	}

	analyzeDocument(doc: PatchDocument, opts: AnalyzeOptions = {}): IncrementalResult {
		const used = new Map<string, MessageFacts>();
		let reused = 0;
		let extracted = 0;
		const inner = this.extractor;
		const cache = this.cache;
		const proxy: Extractor = {
			extractMessage(msg: Message, o?: ExtractOptions): MessageFacts {
				const key = messageKey(msg);
				const hit = cache.get(key) ?? used.get(key);
				if (hit) {
					reused++;
					used.set(key, hit);
					return hit;
				}
				const facts = inner.extractMessage(msg, o);
				extracted++;
				used.set(key, facts);
				return facts;
			},
			extractDocument(d: PatchDocument, o?: ExtractOptions) {
				return { messages: d.messages.map((m) => proxy.extractMessage(m, o)) };
			},
			dispose(): void {
				// The real extractor belongs to the caller.
			},
		};
		const analysis = analyzeDocument(doc, proxy, opts);
		// Keep only what this version of the document uses.
		this.cache = used;
		return { analysis, reused, extracted };
	}
}
