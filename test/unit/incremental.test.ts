import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncrementalAnalyzer } from '../../server/src/core/features/incremental';
import { analyzeDocument } from '../../server/src/core/analyze';
import { ingestText } from '../../server/src/core/ingest/index';
import type { Rule } from '../../server/src/core/rules/types';
import { ACME, EXAMPLE, extractorOnce } from '../featureHarness';

/** A rule that reports every setup call, so findings show where facts point. */
const SETUP_RULE: Rule = {
	id: 'test-setup-call',
	group: 'protocol',
	severity: 'info',
	title: 'every setup call',
	check(ctx) {
		return ctx.facts.files.filter((f) => f.image === 'post').flatMap((f) => f.functions).flatMap((fn) => fn.calls)
			.filter((c) => c.kind === 'setup').map((c) => ({ message: c.callee, loc: c.loc }));
	},
};

describe('incremental analysis', () => {
	it('re-extracts only the message that changed', async () => {
		const ex = await extractorOnce();
		const inc = new IncrementalAnalyzer(ex);
		const text = `${EXAMPLE()}\n${ACME()}`;
		const first = inc.analyzeText(text, { rules: [SETUP_RULE] });
		assert.equal(first.extracted, 2);
		assert.equal(first.reused, 0);
		// Same line count: an edit inside the second message.
		const edited = text.replace('acme_copy_to_vram(dmem, dpage, spage);', 'acme_copy_to_vram(dmem, dpage, spage );');
		const second = inc.analyzeText(edited, { rules: [SETUP_RULE] });
		assert.equal(second.reused, 1);
		assert.equal(second.extracted, 1);
		const fresh = analyzeDocument(ingestText(edited), ex, { rules: [SETUP_RULE] });
		assert.deepEqual(second.analysis.findings, fresh.findings);
	});

	it('keeps the rule findings of messages whose whole thread is unchanged', async () => {
		const ex = await extractorOnce();
		const inc = new IncrementalAnalyzer(ex);
		// Two threads (their own Message-IDs): an edit in one leaves the other's series as it was.
		const withId = (t: string, id: string): string => t.replace(/^(Subject: .*)$/m, `$1\nMessage-ID: <${id}@example.invalid>`);
		const text = `${withId(EXAMPLE(), 'gpux')}\n${withId(ACME(), 'acme')}`;
		const first = inc.analyzeText(text);
		assert.equal(first.findingsReused, 0);
		assert.ok(first.analysis.findings.some((f) => f.messageIndex === 0 && f.severity !== 'info'), 'the example has findings');
		const edited = text.replace('acme_copy_to_vram(dmem, dpage, spage);', 'acme_copy_to_vram(dmem, dpage, spage );');
		const second = inc.analyzeText(edited);
		assert.equal(second.findingsReused, 1);
		assert.deepEqual(second.analysis.findings, analyzeDocument(ingestText(edited), ex).findings);
		// The same messages without ids form one series: the edit reaches both.
		const plain = `${EXAMPLE()}\n${ACME()}`;
		inc.analyzeText(plain);
		const third = inc.analyzeText(plain.replace('acme_copy_to_vram(dmem, dpage, spage);', 'acme_copy_to_vram(dmem, dpage, spage );'));
		assert.equal(third.findingsReused, 0);
		// Other severities: nothing kept.
		const fourth = inc.analyzeText(edited, { severities: { 'finalize-missing': 'off' } });
		assert.equal(fourth.findingsReused, 0);
		assert.deepEqual(fourth.analysis.findings, analyzeDocument(ingestText(edited), ex, { severities: { 'finalize-missing': 'off' } }).findings);
	});

	it('re-extracts messages an edit moved, so positions stay right', async () => {
		const ex = await extractorOnce();
		const inc = new IncrementalAnalyzer(ex);
		const text = `${EXAMPLE()}\n${ACME()}`;
		inc.analyzeText(text, { rules: [SETUP_RULE] });
		const moved = text.replace('into device memory before mapping them', 'into device memory\nbefore mapping them');
		const r = inc.analyzeText(moved, { rules: [SETUP_RULE] });
		assert.equal(r.extracted, 2);
		const fresh = analyzeDocument(ingestText(moved), ex, { rules: [SETUP_RULE] });
		assert.deepEqual(r.analysis.findings, fresh.findings);
		const lines = moved.split('\n');
		for (const f of r.analysis.findings) {
			assert.ok(lines[f.range.start.line].slice(f.range.start.character).startsWith('migrate_vma_setup'));
		}
	});

	it('gives the same analysis when extracting in slices, and stops when told', async () => {
		const ex = await extractorOnce();
		const text = `${EXAMPLE()}\n${ACME()}`;
		const inc = new IncrementalAnalyzer(ex);
		const r = await inc.analyzeTextAsync(text, { rules: [SETUP_RULE] }, { sliceMs: 0 });
		assert.ok(r);
		assert.equal(r.extracted, 2);
		assert.deepEqual(r.analysis.findings, analyzeDocument(ingestText(text), ex, { rules: [SETUP_RULE] }).findings);
		const stopped = await new IncrementalAnalyzer(ex).analyzeTextAsync(text, {}, { sliceMs: 0, shouldStop: () => true });
		assert.equal(stopped, undefined);
	});

	it('re-extracts a message whose text, place or headers changed, and only that one', async () => {
		const inc = new IncrementalAnalyzer(await extractorOnce());
		const text = `${EXAMPLE()}\n${ACME()}`;
		inc.analyzeText(text);
		assert.deepEqual([inc.analyzeText(text).reused, inc.analyzeText(text).extracted], [2, 0]);
		const body = text.replace('ret = -ENOMEM;', 'ret = -EBUSY;');
		assert.equal(inc.analyzeText(body).extracted, 1);
		// A subject edit moves no body line, but the facts carry the subject.
		const subject = body.replace(/^Subject: /m, 'Subject: [PATCH v2] ');
		const r = inc.analyzeText(subject);
		assert.equal(r.extracted, 1);
		assert.equal(r.analysis.messages[0]!.facts!.subject, r.analysis.document.messages[0]!.subject.raw);
		// A line added above both moves both.
		assert.equal(inc.analyzeText(`\n${subject}`).extracted, 2);
	});

	it('forgets everything on clear()', async () => {
		const inc = new IncrementalAnalyzer(await extractorOnce());
		inc.analyzeText(EXAMPLE());
		assert.equal(inc.analyzeText(EXAMPLE()).reused, 1);
		inc.clear();
		assert.equal(inc.analyzeText(EXAMPLE()).extracted, 1);
	});
});
