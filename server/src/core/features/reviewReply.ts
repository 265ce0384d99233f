/*
 * "Copy Findings as Review Reply": the findings of a document as the plain-text answer a kernel
 * reviewer would send — an attribution line, each flagged hunk quoted `> ` style (trimmed to the
 * lines that matter, `[...]` where lines are left out) and the comment under the quoted lines.
 */
import type { Analysis } from '../analyze';
import type { Finding } from '../findings';
import type { DocRange, Hunk, Message } from '../ingest/types';
import { cmpPos, type DocLines } from './common';
import { diffLineAt } from './quickFixes';

export interface ReviewReplyOptions {
	/** Only findings starting inside this range (the whole document when absent). */
	range?: DocRange;
	/** Include `info` findings (default false). */
	includeInfo?: boolean;
	/** Lines of context quoted above a flagged line (default 3). */
	context?: number;
	/** Wrap comments at this width (default 72). */
	width?: number;
	/** The document's lines, to quote findings that are not on a diff line. */
	lines?: DocLines;
}

export interface ReviewReply {
	text: string;
	findings: number;
}

/** Greedy word wrap; words longer than the width stay whole. */
export function wrap(text: string, width: number): string[] {
	const out: string[] = [];
	for (const para of text.split(/\n/)) {
		let line = '';
		for (const word of para.split(/\s+/).filter(Boolean)) {
			if (line === '') {
				line = word;
			} else if (line.length + 1 + word.length <= width) {
				line += ` ${word}`;
			} else {
				out.push(line);
				line = word;
			}
		}
		out.push(line);
	}
	return out;
}

function attribution(m: Message): string {
	const from = m.headers.from?.trim();
	const date = m.headers.date?.trim();
	if (from && date) {
		return `On ${date}, ${from} wrote:`;
	}
	if (from) {
		return `${from} wrote:`;
	}
	return '';
}

function comment(f: Finding, width: number): string[] {
	const where = f.quoteDepth > 0 ? ', in quoted text' : '';
	return wrap(`${f.message} [${f.rule}, Linux ${f.kernel}${where}]`, width);
}

interface Cursor {
	hunk?: Hunk;
	/** Index of the last quoted line of `hunk`. */
	last: number;
	file?: string;
}

/** The reply for the findings of an analysis (sorted by position). */
export function reviewReply(analysis: Analysis, opts: ReviewReplyOptions = {}): ReviewReply {
	const context = Math.max(0, opts.context ?? 3);
	const width = Math.max(30, opts.width ?? 72);
	const wanted = analysis.findings.filter((f) =>
		f.rule !== 'ingest'
		&& (opts.includeInfo || f.severity !== 'info')
		&& (!opts.range || (cmpPos(f.range.start, opts.range.start) >= 0 && cmpPos(f.range.start, opts.range.end) <= 0)));
	if (wanted.length === 0) {
		return { text: '', findings: 0 };
	}
	const byMessage = new Map<number, Finding[]>();
	for (const f of wanted) {
		const list = byMessage.get(f.messageIndex) ?? [];
		list.push(f);
		byMessage.set(f.messageIndex, list);
	}
	const blocks: string[] = [];
	const several = byMessage.size > 1;
	for (const [index, findings] of [...byMessage.entries()].sort((a, b) => a[0] - b[0])) {
		const m = analysis.messages.find((x) => x.message.index === index)?.message;
		const out: string[] = [];
		if (m) {
			if (several && m.subject.raw) {
				out.push(`Re: ${m.subject.raw}`, '');
			}
			const attr = attribution(m);
			if (attr) {
				out.push(attr);
			}
		}
		const cur: Cursor = { last: -1 };
		findings.sort((a, b) => cmpPos(a.range.start, b.range.start));
		for (const f of findings) {
			const placed = m ? diffLineAt(m, f.range.start.line) : undefined;
			const endPlaced = m ? diffLineAt(m, f.range.end.line) : undefined;
			const prefix = '> '.repeat(1 + Math.max(0, f.quoteDepth)).trimEnd() + ' ';
			if (placed) {
				const hunk = placed.hunk;
				const last = endPlaced && endPlaced.hunk === hunk ? Math.max(endPlaced.index, placed.index) : placed.index;
				const file = placed.file.header.text;
				if (cur.hunk !== hunk) {
					if (cur.file !== file) {
						out.push(`${prefix}${file}`);
						cur.file = file;
					}
					out.push(`${prefix}${hunk.header.text}`);
					cur.hunk = hunk;
					cur.last = -1;
				}
				let from = Math.max(cur.last + 1, placed.index - context);
				if (from > last) {
					from = last + 1;
				}
				if (from > cur.last + 1) {
					out.push('[...]');
				}
				for (let i = from; i <= last; i++) {
					out.push(`${prefix}${hunk.lines[i].source.text}`.trimEnd());
				}
				cur.last = Math.max(cur.last, last);
			} else if (opts.lines) {
				cur.hunk = undefined;
				for (let l = f.range.start.line; l <= Math.min(f.range.end.line, f.range.start.line + 2); l++) {
					const t = opts.lines.lineAt(l);
					out.push(`> ${t.length > 200 ? `${t.slice(0, 200)}…` : t}`.trimEnd());
				}
			}
			out.push('', ...comment(f, width), '');
		}
		blocks.push(out.join('\n').replace(/\n+$/, ''));
	}
	return { text: `${blocks.join('\n\n')}\n`, findings: wanted.length };
}
