/*
 * Runs rules over one message and turns their findings into document findings. A rule that
 * throws is caught and reported through `onError`; the other rules still run.
 */
import type { Finding, Severity } from '../findings';
import type { Loc } from '../extract/types';
import type { DocRange } from '../ingest/types';
import type { Rule, RuleContext } from './types';

export type SeverityOverrides = Record<string, Severity | 'off'>;

export function locRange(loc: Loc): DocRange {
	return { start: { line: loc.line, character: loc.character }, end: { line: loc.endLine, character: loc.endCharacter } };
}

export interface RunOptions {
	severities?: SeverityOverrides;
	onError?: (rule: Rule, error: unknown) => void;
	kernelSource?: Finding['kernelSource'];
}

export function runRules(rules: readonly Rule[], ctx: RuleContext, opts: RunOptions = {}): Finding[] {
	const out: Finding[] = [];
	for (const rule of rules) {
		const override = opts.severities?.[rule.id];
		if (override === 'off') {
			continue;
		}
		let found;
		try {
			found = rule.check(ctx);
		} catch (e) {
			opts.onError?.(rule, e);
			continue;
		}
		for (const f of found) {
			out.push({
				rule: rule.id,
				severity: override ?? f.severity ?? rule.severity,
				message: f.message,
				range: locRange(f.loc),
				kernel: ctx.kernelText,
				kernelSource: opts.kernelSource,
				kernelFile: f.loc.kernelFile,
				kernelLine: f.loc.kernelLine,
				quoteDepth: f.loc.quoteDepth,
				messageIndex: ctx.message.index,
				subject: ctx.message.subject.raw || undefined,
				related: f.related?.map((r) => ({ range: locRange(r.loc), message: r.message })),
				fixes: f.fixes,
				tags: f.tags,
			});
		}
	}
	return out;
}
