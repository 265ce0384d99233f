/*
 * Shared helpers for the editor-feature tests (hover, lenses, outline, fixes, review reply): the
 * real pipeline over a fixture, with the extractor loaded once per process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ingestText } from '../server/src/core/ingest/index';
import type { Extractor } from '../server/src/core/extract/index';
import { createNodeExtractor } from '../server/src/core/extract/nodeWasm';
import { analyzeDocument, type Analysis } from '../server/src/core/analyze';
import type { Rule } from '../server/src/core/rules/types';
import type { Finding, Severity } from '../server/src/core/findings';
import { linesOf, type DocLines } from '../server/src/core/features/common';

let extractor: Promise<Extractor> | undefined;

export function extractorOnce(): Promise<Extractor> {
	extractor ??= createNodeExtractor();
	return extractor;
}

export const repoRoot = path.resolve(__dirname, '..');

export function readRepo(...parts: string[]): string {
	return fs.readFileSync(path.join(repoRoot, ...parts), 'utf8');
}

export const EXAMPLE = (): string => readRepo('examples', 'gpux-svm-migrate.patch');
export const ACME = (): string => readRepo('test', 'fixtures', 'features', 'acme-dmem.patch');

export interface Analysed {
	text: string;
	lines: DocLines;
	analysis: Analysis;
}

/** Runs ingest → extract → rules (none unless given) and fails on any reported error. */
export async function analyse(text: string, opts: { kernel?: string; rules?: readonly Rule[] } = {}): Promise<Analysed> {
	const ex = await extractorOnce();
	const errors: string[] = [];
	const analysis = analyzeDocument(ingestText(text), ex, {
		kernel: opts.kernel,
		rules: opts.rules ?? [],
		onError: (what, e) => errors.push(`${what}: ${String(e)}`),
	});
	if (errors.length > 0) {
		throw new Error(errors.join('\n'));
	}
	return { text, lines: linesOf(text), analysis };
}

/** The 0-based line of the first line containing `needle` (after line `from`). */
export function lineOf(text: string, needle: string, from = 0): number {
	const lines = text.split(/\r?\n/);
	for (let i = from; i < lines.length; i++) {
		if (lines[i].includes(needle)) {
			return i;
		}
	}
	throw new Error(`no line contains ${JSON.stringify(needle)}`);
}

/** The position of `needle` (plus `offset` characters) in the text. */
export function posOf(text: string, needle: string, offset = 0, from = 0): { line: number; character: number } {
	const line = lineOf(text, needle, from);
	return { line, character: text.split(/\r?\n/)[line].indexOf(needle) + offset };
}

/** A finding as a rule would report it, over one document line. */
export function findingAt(rule: string, a: Analysed, line: number, extra: Partial<Finding> = {}): Finding {
	const text = a.lines.lineAt(line);
	const severity: Severity = extra.severity ?? 'warning';
	const msg = a.analysis.messages.find((m) => line >= m.message.range.start.line && line <= m.message.range.end.line) ?? a.analysis.messages[0];
	return {
		rule,
		severity,
		message: `test finding for ${rule}`,
		range: { start: { line, character: text.length - text.trimStart().length }, end: { line, character: text.length } },
		kernel: msg.kernel.text,
		kernelSource: msg.kernel.source,
		quoteDepth: 0,
		messageIndex: msg.message.index,
		...extra,
	};
}

/** The example as a reply quoting it `depth` times (`> `, `> > `). */
export function quoted(text: string, depth: number): string {
	const prefix = '> '.repeat(depth);
	const body = text.split('\n').map((l) => (l.length > 0 ? prefix + l : prefix.trimEnd()));
	return [
		'From: Reviewer Person <reviewer@example.org>',
		'Subject: Re: [PATCH] quoted',
		'Date: Wed, 15 Jan 2025 09:00:00 +0100',
		'',
		'On Tue, Jan 14, 2025, Ada Example wrote:',
		...body,
		'',
		'Thanks,',
		'Reviewer',
		'',
	].join('\n');
}
