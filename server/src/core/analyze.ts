/*
 * The pipeline the server, the CLI and the tests share: ingest → extract → kernel version → rules.
 */
import type { Message, PatchDocument } from './ingest/types';
import type { MessageFacts, KernelTree } from './extract/types';
import type { Extractor } from './extract/index';
import type { Finding } from './findings';
import { sortFindings } from './findings';
import { resolveKernel, type ResolvedKernel } from './kernelVersion';
import { ALL_RULES } from './rules/index';
import { runRules, type SeverityOverrides } from './rules/run';
import type { Rule, RuleContext, SeriesMessage } from './rules/types';
import { seriesOf } from './rules/missing-select-flags';
import { callSiteCount } from './extract/index';

export interface AnalyzeOptions {
	/** Setting or `--kernel`: a version or `auto`. */
	kernel?: string;
	/** Top-level Makefile text of the kernel tree, when one is open. */
	treeMakefile?: string;
	tree?: KernelTree;
	severities?: SeverityOverrides;
	rules?: readonly Rule[];
	/** Told about a rule or extraction that threw; analysis goes on. */
	onError?: (what: string, error: unknown) => void;
	/** Findings kept from an earlier analysis of the same document (an editor's re-analysis). */
	findingsCache?: FindingsCache;
}

/**
 * Rule findings of a message, kept between analyses. A message's findings depend only on the
 * message, the facts of its series (thread) and its kernel: when every series member is the same
 * facts object as last time (the extraction cache reused them all), the rules need not run again.
 */
export interface FindingsCache {
	get(message: Message, kernel: ResolvedKernel, series: readonly MessageFacts[]): Finding[] | undefined;
	set(message: Message, kernel: ResolvedKernel, series: readonly MessageFacts[], findings: Finding[]): void;
}

export interface MessageAnalysis {
	message: Message;
	facts?: MessageFacts;
	kernel: ResolvedKernel;
	callSites: number;
}

export interface Analysis {
	document: PatchDocument;
	messages: MessageAnalysis[];
	findings: Finding[];
	callSites: number;
}

/** Ingest problems as `info` findings with rule id `ingest`. */
export function ingestFindings(doc: PatchDocument, kernelOf: (m: Message | undefined) => ResolvedKernel): Finding[] {
	const out: Finding[] = [];
	for (const p of doc.problems) {
		const k = kernelOf(undefined);
		out.push({ rule: 'ingest', severity: 'info', message: p.message, range: p.range, kernel: k.text, kernelSource: k.source, quoteDepth: 0, messageIndex: -1 });
	}
	for (const m of doc.messages) {
		const k = kernelOf(m);
		for (const p of m.problems) {
			out.push({ rule: 'ingest', severity: 'info', message: p.message, range: p.range, kernel: k.text, kernelSource: k.source, quoteDepth: 0, messageIndex: m.index, subject: m.subject.raw || undefined });
		}
	}
	return out;
}

/** Extracts facts for the messages that carry diffs; a message whose extraction throws is reported and skipped. */
export function extractAll(doc: PatchDocument, extractor: Extractor, opts: AnalyzeOptions): MessageAnalysis[] {
	const kernelOf = (m: Message | undefined): ResolvedKernel => resolveKernel(m, { explicit: opts.kernel, treeMakefile: opts.treeMakefile });
	return doc.messages.map((message) => {
		const kernel = kernelOf(message);
		if (message.files.length === 0) {
			return { message, kernel, callSites: 0 };
		}
		let facts: MessageFacts | undefined;
		try {
			facts = extractor.extractMessage(message, { tree: opts.tree });
		} catch (e) {
			opts.onError?.(`extraction of message ${message.index}`, e);
		}
		return { message, facts, kernel, callSites: facts ? callSiteCount(facts) : 0 };
	});
}

export function analyzeDocument(doc: PatchDocument, extractor: Extractor, opts: AnalyzeOptions = {}): Analysis {
	const messages = extractAll(doc, extractor, opts);
	const series: SeriesMessage[] = [];
	for (const m of messages) {
		if (m.facts) {
			series.push({ message: m.message, facts: m.facts });
		}
	}
	const byMessage = new Map(messages.map((m) => [m.message, m.kernel]));
	const findings: Finding[] = ingestFindings(doc, (m) => (m && byMessage.get(m)) || resolveKernel(m, { explicit: opts.kernel, treeMakefile: opts.treeMakefile }));
	const rules = opts.rules ?? ALL_RULES;
	const cache = opts.findingsCache;
	for (const m of messages) {
		if (!m.facts) {
			continue;
		}
		const ctx: RuleContext = { message: m.message, facts: m.facts, kernel: m.kernel.version, kernelText: m.kernel.text, series };
		const members = cache ? seriesOf(ctx).map((s) => s.facts) : undefined;
		const kept = members && cache!.get(m.message, m.kernel, members);
		if (kept) {
			findings.push(...kept);
			continue;
		}
		const found = runRules(rules, ctx, {
			severities: opts.severities,
			kernelSource: m.kernel.source,
			onError: (rule, e) => opts.onError?.(`rule ${rule.id} on message ${m.message.index}`, e),
		});
		if (members) {
			cache!.set(m.message, m.kernel, members, found);
		}
		findings.push(...found);
	}
	return { document: doc, messages, findings: sortFindings(findings), callSites: messages.reduce((n, m) => n + m.callSites, 0) };
}
