/*
 * What the analysis reports: findings with a stable rule id, a severity, a message in our own words,
 * the document range to draw, related locations and optional certain fixes.
 */
import type { DocRange } from './ingest/types';

export type Severity = 'error' | 'warning' | 'info';

/** A text replacement in the analysed document. */
export interface TextEdit {
	range: DocRange;
	newText: string;
}

/** A fix that is certain enough to offer as a quick fix. */
export interface Fix {
	title: string;
	edits: TextEdit[];
}

export interface RelatedLocation {
	range: DocRange;
	message: string;
}

export interface Finding {
	/** Stable id from the catalogue in DESIGN.md, or `ingest` for reading problems. */
	rule: string;
	severity: Severity;
	/** What happens at run time and why, in our own words. The assumed kernel is in `kernel`. */
	message: string;
	range: DocRange;
	/** The kernel version the finding assumed, e.g. `6.1`. */
	kernel: string;
	/** How `kernel` was chosen: `setting`, `tree`, `base-commit`, `date` or `newest`. */
	kernelSource?: KernelSource;
	/** Patched file and post-image line, when known. */
	kernelFile?: string;
	kernelLine?: number;
	/** 0 for a patch line, 1 for `> +` and so on. */
	quoteDepth: number;
	/** Index of the message in the document. */
	messageIndex: number;
	subject?: string;
	related?: RelatedLocation[];
	fixes?: Fix[];
	/** LSP diagnostic tags that apply (unnecessary code, deprecated API). */
	tags?: Array<'unnecessary' | 'deprecated'>;
}

export type KernelSource = 'setting' | 'tree' | 'base-commit' | 'subject' | 'date' | 'newest';

/** How a finding or a hover names where its kernel came from: `(Linux 6.1, from the mail date)`. */
export const KERNEL_SOURCE_TEXT: Readonly<Record<KernelSource, string>> = {
	'setting': 'from the setting',
	'tree': 'from the kernel tree',
	'base-commit': 'from base-commit',
	'subject': 'from the subject',
	'date': 'from the mail date',
	'newest': 'the newest modelled',
};

export const SEVERITY_ORDER: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

/** Findings sorted by document position, then rule id, for stable output. */
export function sortFindings(findings: Finding[]): Finding[] {
	return findings.slice().sort((a, b) =>
		a.range.start.line - b.range.start.line
		|| a.range.start.character - b.range.start.character
		|| a.rule.localeCompare(b.rule));
}
