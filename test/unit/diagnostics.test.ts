import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { declinedDiagnostic, diagnosticMessage, diagnosticsFor, findingsOfDiagnostics, toDiagnostic } from '../../server/src/core/features/diagnostics';
import type { Finding } from '../../server/src/core/findings';
import { EXAMPLE, analyse, findingAt, lineOf, type Analysed } from '../featureHarness';

describe('diagnostics', () => {
	let a: Analysed;
	let f: Finding;
	before(async () => {
		a = await analyse(EXAMPLE());
		const l = lineOf(a.text, 'ret = migrate_vma_setup(&args);');
		f = findingAt('setup-result-unchecked', a, l, {
			message: 'Checked.',
			related: [{ range: { start: { line: l + 1, character: 1 }, end: { line: l + 1, character: 4 } }, message: 'here' }],
			tags: ['deprecated'],
		});
	});

	it('carries the rule id, its documentation, the kernel and related locations', () => {
		const d = toDiagnostic(f, 'file:///x.patch', 3, 7, (id) => `file:///docs/${id}.md`);
		assert.equal(d.code, 'setup-result-unchecked');
		assert.equal(d.source, 'migrate-lens');
		assert.equal(d.severity, 2);
		assert.deepEqual(d.codeDescription, { href: 'file:///docs/setup-result-unchecked.md' });
		assert.equal(d.message, `Checked. (Linux ${f.kernel}, from the mail date)`);
		assert.deepEqual(d.relatedInformation, [{ location: { uri: 'file:///x.patch', range: f.related![0].range }, message: 'here' }]);
		assert.deepEqual(d.tags, [2]);
		assert.deepEqual(d.data, { version: 7, index: 3 });
		assert.equal(toDiagnostic(f, 'u', 0, 1, () => undefined).codeDescription, undefined);
	});

	it('says when a finding sits in quoted text', () => {
		assert.match(diagnosticMessage({ ...f, quoteDepth: 2 }), /; quoted >>\)$/);
		assert.doesNotMatch(diagnosticMessage(f), /quoted/);
	});

	it('maps code-action diagnostics back to findings, by data or by range', () => {
		const analysis = { ...a.analysis, findings: [f] };
		const [d] = diagnosticsFor(analysis, 'u', 4);
		assert.deepEqual(findingsOfDiagnostics(analysis, [d], 4).map((x) => x.index), [0]);
		const { data: _data, ...plain } = d;
		assert.deepEqual(findingsOfDiagnostics(analysis, [plain], 4).map((x) => x.index), [0]);
		assert.deepEqual(findingsOfDiagnostics(analysis, [{ ...d, source: 'other' }], 4), []);
		assert.deepEqual(findingsOfDiagnostics(analysis, [{ ...d, code: 'something-else' }], 4), []);
	});

	it('declines large documents with one sentence', () => {
		const d = declinedDiagnostic(60 * 1024 * 1024, 50 * 1024 * 1024);
		assert.equal(d.severity, 3);
		assert.match(d.message, /60 MB, over the migrateLens\.maxDocumentSize limit of 50 MB/);
	});
});
