/*
 * Re-analysis of an edited document without redoing what did not change. Reading keeps a memo of
 * the last read (`ingestText`'s `memo`): a message whose text, index and first line are unchanged
 * is the very same object as last time. Everything else is cached by that identity:
 * - extraction (the tree-sitter stage, by far the most expensive), per message;
 * - rule findings, per message, while every facts object of its series (thread) and its kernel
 *   are unchanged.
 * An edit inside one message of an mbox thus re-reads and re-extracts that message and re-runs
 * the rules of its thread; messages below it are reused unless the edit moved them.
 */
import { analyzeDocument, type Analysis, type AnalyzeOptions, type FindingsCache } from '../analyze';
import type { Finding } from '../findings';
import type { Rule } from '../rules/types';
import type { Extractor } from '../extract/index';
import type { ExtractOptions, MessageFacts } from '../extract/types';
import { ingestText } from '../ingest/index';
import type { Message, PatchDocument } from '../ingest/types';

export interface IncrementalResult {
	analysis: Analysis;
	/** Messages whose facts came from the cache. */
	reused: number;
	/** Messages extracted this time. */
	extracted: number;
	/** Messages whose rule findings were kept (their whole series unchanged). */
	findingsReused: number;
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

interface KeptFindings {
	/** The kernel the findings assumed, and where it came from. */
	kernel: string;
	series: readonly MessageFacts[];
	findings: Finding[];
}

/** True when both lists hold the same facts objects in the same order. */
function sameFacts(a: readonly MessageFacts[], b: readonly MessageFacts[]): boolean {
	return a.length === b.length && a.every((f, i) => f === b[i]);
}

export class IncrementalAnalyzer {
	/** The messages of the last read of the text, so unchanged ones are not parsed again. */
	private messages = new Map<string, Message>();
	private cache = new Map<Message, MessageFacts>();
	private findings = new Map<Message, KeptFindings>();
	/** The rule list and severities the kept findings were computed with. */
	private ruleSet: { rules?: readonly Rule[]; severities: string } = { severities: '' };

	constructor(private readonly extractor: Extractor) { }

	/** Forget every cached extraction (the kernel tree changed, or the extractor options did). */
	clear(): void {
		this.cache.clear();
		this.messages.clear();
		this.findings.clear();
	}

	analyzeText(text: string, opts: AnalyzeOptions = {}): IncrementalResult {
		return this.analyzeDocument(ingestText(text, { memo: this.messages }), opts);
	}

	/**
	 * The same analysis, extracting message by message and yielding to the event loop between
	 * slices, so a server stays responsive while a large mbox is read. Undefined when `shouldStop`
	 * said so; the messages extracted so far stay cached for the next run.
	 */
	async analyzeTextAsync(text: string, opts: AnalyzeOptions = {}, run: AsyncOptions = {}): Promise<IncrementalResult | undefined> {
		const slice = run.sliceMs ?? 25;
		const doc = ingestText(text, { memo: this.messages });
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
			if (this.cache.has(m)) {
				continue;
			}
			try {
				this.cache.set(m, this.extractor.extractMessage(m, { tree: opts.tree }));
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

	/** The analysis of a document read with this analyzer's memo (its messages are the cache keys). */
	private analyzeDocument(doc: PatchDocument, opts: AnalyzeOptions): IncrementalResult {
		const used = new Map<Message, MessageFacts>();
		let reused = 0;
		let extracted = 0;
		let findingsReused = 0;
		const inner = this.extractor;
		const cache = this.cache;
		const proxy: Extractor = {
			extractMessage(msg: Message, o?: ExtractOptions): MessageFacts {
				const hit = cache.get(msg) ?? used.get(msg);
				if (hit) {
					reused++;
					used.set(msg, hit);
					return hit;
				}
				const facts = inner.extractMessage(msg, o);
				extracted++;
				used.set(msg, facts);
				return facts;
			},
			extractDocument(d: PatchDocument, o?: ExtractOptions) {
				return { messages: d.messages.map((m) => proxy.extractMessage(m, o)) };
			},
			dispose(): void {
				// The real extractor belongs to the caller.
			},
		};
		const severities = JSON.stringify(opts.severities ?? {});
		if (this.ruleSet.rules !== opts.rules || this.ruleSet.severities !== severities) {
			this.findings.clear();
			this.ruleSet = { rules: opts.rules, severities };
		}
		const kept = this.findings;
		const usedFindings = new Map<Message, KeptFindings>();
		const findingsCache: FindingsCache = {
			get(m, k, series) {
				const hit = kept.get(m);
				if (hit && hit.kernel === `${k.text}\0${k.source}` && sameFacts(hit.series, series)) {
					findingsReused++;
					usedFindings.set(m, hit);
					return hit.findings;
				}
				return undefined;
			},
			set(m, k, series, findings) {
				usedFindings.set(m, { kernel: `${k.text}\0${k.source}`, series, findings });
			},
		};
		const analysis = analyzeDocument(doc, proxy, { ...opts, findingsCache });
		// Keep only what this version of the document uses.
		this.cache = used;
		this.findings = usedFindings;
		return { analysis, reused, extracted, findingsReused };
	}
}
