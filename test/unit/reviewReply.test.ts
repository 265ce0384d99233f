import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { reviewReply, wrap } from '../../server/src/core/features/reviewReply';
import type { Finding } from '../../server/src/core/findings';
import { sortFindings } from '../../server/src/core/findings';
import { ACME, EXAMPLE, analyse, findingAt, lineOf, quoted, type Analysed } from '../featureHarness';

function withFindings(a: Analysed, findings: Finding[]): Analysed {
	return { ...a, analysis: { ...a.analysis, findings: sortFindings(findings) } };
}

describe('review reply', () => {
	let example: Analysed;
	before(async () => {
		example = await analyse(EXAMPLE());
	});

	it('quotes the flagged hunk lines under an attribution and comments below them', () => {
		const setupLine = lineOf(example.text, 'ret = migrate_vma_setup(&args);');
		const a = withFindings(example, [findingAt('setup-result-unchecked', example, setupLine, { message: 'Setup can fail with -EINVAL.' })]);
		const r = reviewReply(a.analysis, { lines: a.lines });
		assert.equal(r.findings, 1);
		const lines = r.text.split('\n');
		assert.equal(lines[0], 'On Tue, 14 Jan 2025 10:12:03 +0100, Ada Example <ada@example.org> wrote:');
		assert.equal(lines[1], '> diff --git a/drivers/gpu/drm/gpux/gpux_svm.c b/drivers/gpu/drm/gpux/gpux_svm.c');
		assert.equal(lines[2], '> @@ -212,6 +212,79 @@ static int gpux_svm_map_range(struct gpux_svm *svm, struct gpux_range *r)');
		assert.equal(lines[3], '[...]');
		// Three lines of context, then the flagged line, then a blank line and the comment.
		assert.deepEqual(lines.slice(4, 8), ['> +\t\tgoto out_free;', '> +\t}', '> +', '> +\tret = migrate_vma_setup(&args);']);
		assert.equal(lines[8], '');
		assert.equal(lines[9], `Setup can fail with -EINVAL. [setup-result-unchecked, Linux ${a.analysis.messages[0].kernel.text}]`);
		assert.ok(r.text.endsWith('\n'));
	});

	it('continues a hunk without repeating lines, and marks the gaps', () => {
		const l1 = lineOf(example.text, 'ret = migrate_vma_setup(&args);');
		const l2 = lineOf(example.text, 'args.dst[i] = migrate_pfn');
		const l3 = lineOf(example.text, 'migrate_vma_pages(&args);');
		const a = withFindings(example, [
			findingAt('setup-result-unchecked', example, l1),
			findingAt('api-not-in-kernel', example, l2, { message: 'MIGRATE_PFN_LOCKED is gone.' }),
			findingAt('migrate-flag-unchecked', example, l3),
		]);
		const text = reviewReply(a.analysis).text;
		assert.equal(text.split('\n').filter((l) => l.startsWith('> @@')).length, 1);
		assert.equal(text.split('\n').filter((l) => l === '> +\tret = migrate_vma_setup(&args);').length, 1);
		// A gap before the first quoted lines and one between the first and second finding; the third follows on.
		assert.equal(text.split('\n').filter((l) => l === '[...]').length, 2);
		const iLocked = text.indexOf('MIGRATE_PFN_LOCKED is gone.');
		const iPages = text.indexOf('> +\tmigrate_vma_pages(&args);');
		assert.ok(iLocked > text.indexOf('MIGRATE_PFN_LOCKED;') && iPages > iLocked);
	});

	it('stacks comments on the same line and skips info and ingest findings by default', () => {
		const l = lineOf(example.text, 'ret = migrate_vma_setup(&args);');
		const a = withFindings(example, [
			findingAt('setup-result-unchecked', example, l, { message: 'First.' }),
			findingAt('cpages-as-success', example, l, { message: 'Second.' }),
			findingAt('pin-blocks-migration', example, l, { message: 'Only info.', severity: 'info' }),
			findingAt('ingest', example, 0, { message: 'Reading problem.', severity: 'info' }),
		]);
		const r = reviewReply(a.analysis);
		assert.equal(r.findings, 2);
		assert.equal(r.text.split('\n').filter((x) => x === '> +\tret = migrate_vma_setup(&args);').length, 1);
		const quote = r.text.indexOf('> +\tret = migrate_vma_setup(&args);');
		assert.ok(r.text.indexOf('First.') > quote && r.text.indexOf('Second.') > quote);
		assert.doesNotMatch(r.text, /Only info|Reading problem/);
		assert.match(reviewReply(a.analysis, { includeInfo: true }).text, /Only info/);
		assert.doesNotMatch(reviewReply(a.analysis, { includeInfo: true }).text, /Reading problem/);
	});

	it('limits itself to findings in the selection', () => {
		const l1 = lineOf(example.text, 'ret = migrate_vma_setup(&args);');
		const l2 = lineOf(example.text, 'migrate_vma_pages(&args);');
		const a = withFindings(example, [findingAt('setup-result-unchecked', example, l1, { message: 'One.' }), findingAt('migrate-flag-unchecked', example, l2, { message: 'Two.' })]);
		const r = reviewReply(a.analysis, { range: { start: { line: l2, character: 0 }, end: { line: l2 + 1, character: 0 } } });
		assert.equal(r.findings, 1);
		assert.match(r.text, /Two\./);
		assert.doesNotMatch(r.text, /One\./);
		assert.deepEqual(reviewReply(withFindings(example, []).analysis), { text: '', findings: 0 });
	});

	it('re-quotes quoted findings one level deeper and says they are quoted', async () => {
		const q = await analyse(quoted(EXAMPLE(), 1));
		const l = lineOf(q.text, 'ret = migrate_vma_setup(&args);');
		const a = withFindings(q, [findingAt('setup-result-unchecked', q, l, { quoteDepth: 1, message: 'Quoted problem.' })]);
		const text = reviewReply(a.analysis).text;
		assert.ok(text.startsWith('On Wed, 15 Jan 2025 09:00:00 +0100, Reviewer Person <reviewer@example.org> wrote:\n'));
		assert.ok(text.includes('\n> > +\tret = migrate_vma_setup(&args);\n'));
		assert.match(text, /Quoted problem\. \[setup-result-unchecked, Linux [\d.]+, in quoted text\]/);
	});

	it('answers each message of a series under its own subject', async () => {
		const a0 = await analyse(`${EXAMPLE()}\n${ACME()}`);
		const l0 = lineOf(a0.text, 'ret = migrate_vma_setup(&args);');
		const l1 = lineOf(a0.text, 'ret = migrate_vma_setup(&mig);');
		const a = withFindings(a0, [findingAt('setup-result-unchecked', a0, l0), findingAt('setup-result-unchecked', a0, l1)]);
		const text = reviewReply(a.analysis).text;
		assert.match(text, /^Re: \[PATCH v2 3\/5\] drm\/gpux/);
		assert.match(text, /\n\nRe: \[PATCH 1\/2\] drm\/acme: add device memory migration\n\nOn Mon, 3 Mar 2025 09:30:00 \+0100, Rita Sample/);
	});

	it('wraps comments at the width', () => {
		const words = 'the quick brown fox jumps over the lazy dog '.repeat(6).trim();
		const lines = wrap(words, 30);
		assert.ok(lines.every((l) => l.length <= 30));
		assert.equal(lines.join(' '), words);
		assert.deepEqual(wrap('averyveryverylongwordthatcannotbreak x', 10), ['averyveryverylongwordthatcannotbreak', 'x']);
	});
});
