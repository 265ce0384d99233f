/*
 * Findings as editor diagnostics: the rule id as code with a link to its documentation, the kernel
 * the finding assumed (and whether it sits in quoted text) in the message, related locations.
 * The shapes are LSP's, declared here without depending on an LSP package.
 */
import type { Analysis } from '../analyze';
import { KERNEL_SOURCE_TEXT, type Finding, type Severity } from '../findings';
import type { DocRange } from '../ingest/types';

/** LSP DiagnosticSeverity values. */
export const SEVERITY_CODE: Record<Severity, 1 | 2 | 3> = { error: 1, warning: 2, info: 3 };

/** LSP DiagnosticTag values. */
const TAG_CODE = { unnecessary: 1, deprecated: 2 } as const;

export const DIAGNOSTIC_SOURCE = 'migrate-lens';

/** What a diagnostic carries back to the server in code-action requests. */
export interface DiagnosticData {
	/** Document version the finding belongs to. */
	version?: number;
	/** Index into `Analysis.findings`. */
	index: number;
}

export interface PlainDiagnostic {
	range: DocRange;
	severity: 1 | 2 | 3 | 4;
	code: string;
	codeDescription?: { href: string };
	source: string;
	message: string;
	relatedInformation?: Array<{ location: { uri: string; range: DocRange }; message: string }>;
	tags?: Array<1 | 2>;
	data?: DiagnosticData;
}


/** `… (Linux 6.1, from the mail date; in quoted text >)`. */
export function diagnosticMessage(f: Finding): string {
	const source = f.kernelSource ? `, ${KERNEL_SOURCE_TEXT[f.kernelSource] ?? f.kernelSource}` : '';
	const quoted = f.quoteDepth > 0 ? `; quoted ${'>'.repeat(f.quoteDepth)}` : '';
	// Rule messages name the kernel as `(kernel 6.1)`; the suffix says it once, with where it came from.
	const tag = ` (kernel ${f.kernel})`;
	const message = f.message.split(tag).join('');
	return `${message} (Linux ${f.kernel}${source}${quoted})`;
}

export function toDiagnostic(f: Finding, uri: string, index: number, version?: number, ruleHref?: (id: string) => string | undefined): PlainDiagnostic {
	const d: PlainDiagnostic = {
		range: f.range,
		severity: SEVERITY_CODE[f.severity] ?? 3,
		code: f.rule,
		source: DIAGNOSTIC_SOURCE,
		message: diagnosticMessage(f),
		data: { version, index },
	};
	const href = ruleHref?.(f.rule);
	if (href) {
		d.codeDescription = { href };
	}
	if (f.related && f.related.length > 0) {
		d.relatedInformation = f.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
	}
	if (f.tags && f.tags.length > 0) {
		d.tags = f.tags.map((t) => TAG_CODE[t]);
	}
	return d;
}

export function diagnosticsFor(analysis: Analysis, uri: string, version?: number, ruleHref?: (id: string) => string | undefined): PlainDiagnostic[] {
	return analysis.findings.map((f, i) => toDiagnostic(f, uri, i, version, ruleHref));
}

function mb(n: number): string {
	return `${(n / (1024 * 1024)).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB`;
}

/** The one diagnostic a document too large to analyse gets. */
export function declinedDiagnostic(size: number, limit: number): PlainDiagnostic {
	return {
		range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
		severity: 3,
		code: 'document-too-large',
		source: DIAGNOSTIC_SOURCE,
		message: `Migrate Lens did not analyse this document: it is ${mb(size)}, over the migrateLens.maxDocumentSize limit of ${mb(limit)}.`,
	};
}

/** The findings a code-action request's diagnostics stand for (by carried index, else by range and code). */
export function findingsOfDiagnostics(analysis: Analysis, diagnostics: ReadonlyArray<{ range: DocRange; code?: string | number; source?: string; data?: unknown }>, version?: number): Array<{ finding: Finding; index: number }> {
	const out: Array<{ finding: Finding; index: number }> = [];
	for (const d of diagnostics) {
		if (d.source !== undefined && d.source !== DIAGNOSTIC_SOURCE) {
			continue;
		}
		const data = d.data as Partial<DiagnosticData> | undefined;
		let index = -1;
		if (data && typeof data.index === 'number' && (data.version === undefined || version === undefined || data.version === version)) {
			index = data.index;
		}
		let f = index >= 0 ? analysis.findings[index] : undefined;
		if (!f || f.rule !== d.code) {
			index = analysis.findings.findIndex((x) => x.rule === d.code
				&& x.range.start.line === d.range.start.line && x.range.start.character === d.range.start.character
				&& x.range.end.line === d.range.end.line && x.range.end.character === d.range.end.character);
			f = index >= 0 ? analysis.findings[index] : undefined;
		}
		if (f && !out.some((o) => o.index === index)) {
			out.push({ finding: f, index });
		}
	}
	return out;
}
