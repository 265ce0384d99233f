/*
 * Shared test harness for rule tests: runs the real pipeline (ingest → extract → rules) over a
 * patch mail, and turns a plain fixture into the other shapes reviewers hold it in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ingestText } from '../server/src/core/ingest/index';
import type { Extractor } from '../server/src/core/extract/index';
import { createNodeExtractor } from '../server/src/core/extract/nodeWasm';
import { analyzeDocument, type Analysis } from '../server/src/core/analyze';
import type { Rule } from '../server/src/core/rules/types';
import type { Finding } from '../server/src/core/findings';

let extractorPromise: Promise<Extractor> | undefined;

/** One extractor (tree-sitter loaded once) for the whole test process. */
export function getExtractor(): Promise<Extractor> {
	extractorPromise ??= createNodeExtractor();
	return extractorPromise;
}

export interface RunOpts {
	rules?: readonly Rule[];
	kernel?: string;
}

export async function analyzeMail(text: string, opts: RunOpts = {}): Promise<Analysis> {
	const extractor = await getExtractor();
	const errors: string[] = [];
	const analysis = analyzeDocument(ingestText(text), extractor, {
		rules: opts.rules,
		kernel: opts.kernel,
		onError: (what, e) => errors.push(`${what}: ${(e as Error)?.stack ?? String(e)}`),
	});
	if (errors.length > 0) {
		throw new Error(`analysis reported errors:\n${errors.join('\n')}`);
	}
	return analysis;
}

/** Findings of the given rule ids only (ingest problems and other rules left out). */
export async function findingsOf(text: string, ruleIds: string[], opts: RunOpts = {}): Promise<Finding[]> {
	const a = await analyzeMail(text, opts);
	return a.findings.filter((f) => ruleIds.includes(f.rule));
}

export const fixturesDir = path.join(__dirname, 'fixtures');

export function readFixture(...parts: string[]): string {
	return fs.readFileSync(path.join(fixturesDir, ...parts), 'utf8');
}

/** The document text of a finding's start line. */
export function lineAt(text: string, line: number): string {
	return text.split(/\r?\n/)[line] ?? '';
}

/**
 * A reply that quotes the patch `depth` times (`> `, `> > `…) under new headers, with a reviewer
 * comment after the first hunk header. Line numbers of the quoted lines shift by the header size.
 */
export function quoteMail(text: string, depth = 1): string {
	const subject = /^Subject: (.*)$/m.exec(text)?.[1] ?? 'patch';
	const prefix = '> '.repeat(depth);
	const body = text.split('\n').map((l) => (l.length ? prefix + l : prefix.trimEnd()));
	const out: string[] = [
		'From: Reviewer Person <reviewer@example.org>',
		`Subject: Re: ${subject.replace(/^Re: /, '')}`,
		'Date: Wed, 15 Jan 2025 09:00:00 +0100',
		'In-Reply-To: <patch@example.org>',
		'',
		'On Tue, Jan 14, 2025 at 10:12:03AM +0100, Ada Example wrote:',
	];
	let commented = false;
	for (const l of body) {
		out.push(l);
		if (!commented && /^(> )+@@ /.test(l)) {
			out.push('', 'Looks mostly fine, a few comments below.', '');
			commented = true;
		}
	}
	out.push('', 'Thanks,', 'Reviewer', '');
	return out.join('\n');
}

/** The shape of web archives that flattened every newline of a mail into a space. */
export function flattenMail(text: string): string {
	return text.split('\n').join(' ');
}
