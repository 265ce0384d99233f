/*
 * Re-analysis of an edited document without re-parsing what did not change: extraction (the
 * tree-sitter stage, by far the most expensive) is cached per message, keyed by the message's
 * recovered lines and where they sit. An edit inside one message of an mbox re-extracts that
 * message only; messages below it are reused unless the edit moved them. Rules run again over
 * every message (they are cheap and may read the whole series).
 */
import { analyzeDocument, type Analysis, type AnalyzeOptions, type FindingsCache } from '../analyze';
import type { Finding } from '../findings';
import type { ResolvedKernel } from '../kernelVersion';
import type { Rule } from '../rules/types';
import type { Extractor } from '../extract/index';
import type { ExtractOptions, MessageFacts } from '../extract/types';
import { ingestText } from '../ingest/index';
import type { Message, PatchDocument } from '../ingest/types';

/** Folds a number (any size a position takes) into an FNV-1a hash, without making a string. */
function fnvNum(h: number, n: number): number {
	h ^= n & 0xffff;
	h = Math.imul(h, 0x01000193);
	h ^= (n / 0x10000) & 0xffff;
	return Math.imul(h, 0x01000193) >>> 0;
}

const keys = new WeakMap<Message, string>();

/**
 * A key that changes when a message's headers, recovered text or position in the document change:
 * where the message and each line sit (hashed), then the text itself. The text is compared, not
 * hashed, so that no two different messages share a key; joining and comparing strings is done by
 * the runtime, far faster than hashing them character by character here.
 */
export function messageKey(m: Message): string {
	const known = keys.get(m);
	if (known !== undefined) {
		return known;
	}
	let where = 0x811c9dc5;
	const texts: string[] = [];
	for (const l of m.body) {
		const o = l.origin;
		const r = o.range;
		where = fnvNum(fnvNum(fnvNum(where, l.quoteDepth), (o.exact ? 1 : 0) + (l.flattened ? 2 : 0)), o.segments.length);
		where = fnvNum(fnvNum(fnvNum(fnvNum(where, r.start.line), r.start.character), r.end.line), r.end.character);
		if (o.segments.length > 1) {
			for (const seg of o.segments) {
				where = fnvNum(fnvNum(fnvNum(where, seg.col), seg.line), seg.character);
			}
		}
		texts.push(l.text);
	}
	// The headers too: facts carry the subject, and a header edit moves no body line.
	const key = `${m.index}:${m.range.start.line}:${m.body.length}:${where.toString(16)}\n${JSON.stringify(m.headers)}\n${texts.join('\n')}`;
	keys.set(m, key);
	return key;
}

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
	series: readonly MessageFacts[];
	findings: Finding[];
}

/** True when both lists hold the same facts objects in the same order. */
function sameFacts(a: readonly MessageFacts[], b: readonly MessageFacts[]): boolean {
	return a.length === b.length && a.every((f, i) => f === b[i]);
}

export class IncrementalAnalyzer {
	private cache = new Map<string, MessageFacts>();
	/** The messages of the last read of the text, so unchanged ones are not parsed again. */
	private messages = new Map<string, Message>();
	private findings = new Map<string, KeptFindings>();
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
		let findingsReused = 0;
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
		const severities = JSON.stringify(opts.severities ?? {});
		if (this.ruleSet.rules !== opts.rules || this.ruleSet.severities !== severities) {
			this.findings.clear();
			this.ruleSet = { rules: opts.rules, severities };
		}
		const kept = this.findings;
		const usedFindings = new Map<string, KeptFindings>();
		const findingKey = (m: Message, k: ResolvedKernel): string => `${k.text}\0${k.source}\0${messageKey(m)}`;
		const findingsCache: FindingsCache = {
			get(m, k, series) {
				const key = findingKey(m, k);
				const hit = kept.get(key);
				if (hit && sameFacts(hit.series, series)) {
					findingsReused++;
					usedFindings.set(key, hit);
					return hit.findings;
				}
				return undefined;
			},
			set(m, k, series, findings) {
				usedFindings.set(findingKey(m, k), { series, findings });
			},
		};
		const analysis = analyzeDocument(doc, proxy, { ...opts, findingsCache });
		// Keep only what this version of the document uses.
		this.cache = used;
		this.findings = usedFindings;
		return { analysis, reused, extracted, findingsReused };
	}
}
