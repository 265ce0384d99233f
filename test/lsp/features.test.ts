/*
 * Editor features from the real bundled server: hover, code lenses, document symbols, quick fixes
 * (offered, resolved and applied), Simulate at Cursor and the review reply.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, DocumentSymbol, Hover, MarkupContent, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { EDITOR_CAPABILITIES, Session, repoRoot, testUri } from './session';
import { applyEdits } from '../../server/src/core/features/quickFixes';
import { validateScenario } from '../../server/src/core/model/simulate';
import type { ReviewReplyResult, SimulateScenarioResult } from '../../common/protocol';
import { ALL_RULES } from '../../server/src/core/rules/index';

const STAND_IN = 'missing-select-flags';

/** The debug stand-in's findings (a real rule with the same id may report too). */
function standIn(list: Diagnostic[]): Diagnostic[] {
	return list.filter((d) => d.code === STAND_IN && (typeof d.message === 'string' ? d.message : d.message.value).startsWith('debug stand-in'));
}
const example = fs.readFileSync(path.join(repoRoot, 'examples', 'gpux-svm-migrate.patch'), 'utf8');

function lineOf(text: string, needle: string): number {
	const i = text.split('\n').findIndex((l) => l.includes(needle));
	assert.ok(i >= 0, needle);
	return i;
}

function at(text: string, needle: string, offset = 0): { line: number; character: number } {
	const line = lineOf(text, needle);
	return { line, character: text.split('\n')[line].indexOf(needle) + offset };
}

describe('LSP features', () => {
	let s: Session;
	const uri = testUri('features-example.patch');
	let diagnostics: Diagnostic[];
	before(async () => {
		({ session: s } = await Session.start({ env: { MIGRATE_LENS_DEBUG_RULES: `setup-call=${STAND_IN}` } }));
		await s.open(uri, example);
		diagnostics = (await s.waitForDiagnostics(uri, 1)).diagnostics;
	});
	after(async () => {
		await s?.stop();
	});

	it('answers hovers with markdown for the identifier under the cursor', async () => {
		const h = await s.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at(example, 'migrate_vma_setup(&args)', 3) });
		assert.ok(h);
		const md = h.contents as MarkupContent;
		assert.equal(md.kind, 'markdown');
		assert.match(md.value, /int migrate_vma_setup\(struct migrate_vma \*args\)/);
		assert.match(md.value, /Present in Linux \d+\.\d+ \(from the mail date\)/);
		assert.deepEqual(h.range?.start, at(example, 'migrate_vma_setup(&args)'));
		const locked = await s.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at(example, 'MIGRATE_PFN_LOCKED', 2) });
		assert.match((locked!.contents as MarkupContent).value, /\*\*Not in Linux \d+\.\d+/);
		const none = await s.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: at(example, 'backing pages', 2) });
		assert.equal(none, null);
	});

	it('puts a Simulate lens and a summary on the setup call', async () => {
		const lenses = await s.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
		assert.equal(lenses.length, 2);
		const [sim, summary] = lenses;
		assert.deepEqual(sim.range.start, at(example, 'migrate_vma_setup(&args)'));
		assert.equal(sim.command?.command, 'migrateLens.openSimulator');
		assert.match(sim.command!.title, /Simulate/);
		const [scenario, origin] = sim.command!.arguments as [unknown, { file: string; line: number; callText: string }];
		assert.deepEqual(validateScenario(scenario).errors, []);
		assert.deepEqual(origin, {
			file: uri,
			line: lineOf(example, 'migrate_vma_setup(&args)') + 1,
			subject: '[PATCH v2 3/5] drm/gpux: migrate SVM ranges to VRAM on GPU fault',
			callText: 'migrate_vma_setup(&args)',
		});
		assert.equal(summary.command?.command, '');
		assert.match(summary.command!.title, /^migrate_vma_setup · \d+\.\d+ \(mail date\) · no flags \(only holes\)/);
	});

	it('outlines the document', async () => {
		const symbols = await s.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
		assert.equal(symbols.length, 1);
		assert.equal(symbols[0].name, '[PATCH v2 3/5] drm/gpux: migrate SVM ranges to VRAM on GPU fault');
		const file = symbols[0].children![0].children![0];
		assert.equal(file.name, 'drivers/gpu/drm/gpux/gpux_svm.c');
		assert.equal(file.children![0].name, '@@ -212,6 +212,79 @@');
	});

	it('offers a quick fix, resolves its edit, and the edit fixes the patch text and hunk header', async () => {
		const d = standIn(diagnostics)[0];
		assert.ok(d);
		const actions = await s.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
		const fix = actions.find((a) => a.title === 'Add flags = MIGRATE_VMA_SELECT_SYSTEM');
		assert.ok(fix, `actions: ${actions.map((a) => a.title).join(' | ')}`);
		assert.equal(fix.kind, 'quickfix');
		assert.equal(fix.edit, undefined, 'the edit comes with resolve');
		assert.deepEqual(fix.diagnostics?.[0].code, STAND_IN);
		const resolved = await s.request<CodeAction>('codeAction/resolve', fix);
		const change = resolved.edit?.documentChanges?.[0] as TextDocumentEdit;
		assert.equal(change.textDocument.uri, uri);
		assert.equal(change.textDocument.version, 1);
		const fixed = applyEdits(example, change.edits as TextEdit[]);
		assert.ok(fixed.includes('\t\t.end\t\t= end,\n+\t\t.flags\t\t= MIGRATE_VMA_SELECT_SYSTEM,\n'));
		assert.ok(fixed.includes('@@ -212,6 +212,80 @@ static int gpux_svm_map_range'));

		// Apply it as the editor would, and the server sees the fixed text.
		await s.change(uri, fixed, 2);
		await s.waitForDiagnostics(uri, 2);
		const lenses = await s.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
		assert.match(lenses[1].command!.title, /flags SYSTEM/);
		await s.change(uri, example, 3);
		diagnostics = (await s.waitForDiagnostics(uri, 3)).diagnostics;
	});

	it('returns edits directly to a client that cannot resolve them', async () => {
		const { session: plain } = await Session.start({
			env: { MIGRATE_LENS_DEBUG_RULES: `setup-call=${STAND_IN}` },
			capabilities: { ...EDITOR_CAPABILITIES, textDocument: { ...EDITOR_CAPABILITIES.textDocument, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } } },
		});
		try {
			const u = testUri('features-noresolve.patch');
			await plain.open(u, example);
			const d = standIn((await plain.waitForDiagnostics(u, 1)).diagnostics)[0]!;
			const actions = await plain.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } });
			const fix = actions.find((a) => a.title.startsWith('Add flags'));
			assert.ok(fix?.edit?.changes?.[u]);
			assert.ok(applyEdits(example, fix.edit.changes[u] as TextEdit[]).includes('+212,80 @@'));
		} finally {
			await plain.stop();
		}
	});

	it('gives no stale edit after the document changed', async () => {
		const d = standIn(diagnostics)[0]!;
		const actions = await s.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
		const fix = actions.find((a) => a.title.startsWith('Add flags'))!;
		await s.change(uri, `${example}\n`, 4);
		await s.waitForDiagnostics(uri, 4);
		const resolved = await s.request<CodeAction>('codeAction/resolve', fix);
		assert.equal(resolved.edit, undefined);
		await s.change(uri, example, 5);
		diagnostics = (await s.waitForDiagnostics(uri, 5)).diagnostics;
	});

	it('builds the scenario for Simulate Call at Cursor', async () => {
		const r = await s.request<SimulateScenarioResult | null>('migrateLens/simulateScenario', { textDocument: { uri }, position: at(example, 'migrate_vma_pages(&args)') });
		assert.ok(r);
		assert.deepEqual(validateScenario(r.scenario).errors, []);
		assert.equal(r.origin.file, uri);
		assert.equal(r.origin.line, lineOf(example, 'migrate_vma_setup(&args)') + 1);
		assert.match(r.summary, /^migrate_vma_setup/);
		const none = await s.request<SimulateScenarioResult | null>('migrateLens/simulateScenario', { textDocument: { uri: testUri('unknown.patch') }, position: { line: 0, character: 0 } });
		assert.equal(none, null);
	});

	it('writes the findings as a review reply', async () => {
		const r = await s.request<ReviewReplyResult>('migrateLens/reviewReply', { textDocument: { uri } });
		assert.equal(r.findings, diagnostics.filter((x) => x.code !== 'ingest' && x.severity !== 3).length);
		assert.match(r.text, /^On Tue, 14 Jan 2025 10:12:03 \+0100, Ada Example <ada@example.org> wrote:\n/);
		assert.ok(r.text.includes('> +\tret = migrate_vma_setup(&args);\n\ndebug stand-in'));
		const d = standIn(diagnostics)[0]!;
		const elsewhere = await s.request<ReviewReplyResult>('migrateLens/reviewReply', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } } });
		assert.deepEqual(elsewhere, { text: '', findings: 0 });
		const selected = await s.request<ReviewReplyResult>('migrateLens/reviewReply', { textDocument: { uri }, range: d.range });
		assert.equal(selected.findings, diagnostics.filter((x) => x.range.start.line === d.range.start.line && x.severity !== 3).length);
		assert.match(selected.text, /debug stand-in/);
	});
});

describe('LSP with the registered rules', { skip: ALL_RULES.some((r) => r.id === 'finalize-missing') ? false : 'finalize-missing is not registered yet' }, () => {
	let s: Session;
	before(async () => {
		({ session: s } = await Session.start());
	});
	after(async () => {
		await s?.stop();
	});

	it('links every rule finding on the example to its documentation', async () => {
		const uri = testUri('rules-example.patch');
		await s.open(uri, example);
		const p = await s.waitForDiagnostics(uri, 1);
		const ruleIds = new Set(ALL_RULES.map((r) => r.id));
		const findings = p.diagnostics.filter((d) => ruleIds.has(String(d.code)));
		assert.ok(findings.some((d) => d.code === 'finalize-missing'), 'the example leaks a setup on its error path');
		for (const d of findings) {
			const doc = path.join(repoRoot, 'docs', 'rules', `${d.code}.md`);
			assert.ok(fs.existsSync(doc), `docs/rules/${d.code}.md`);
			assert.equal(d.codeDescription?.href, pathToFileURL(doc).toString());
		}
	});

	it('fixes finalize-missing through code action and resolve, and the finding goes away', async () => {
		const uri = testUri('rules-fix.patch');
		await s.open(uri, example);
		const d = (await s.waitForDiagnostics(uri, 1)).diagnostics.find((x) => x.code === 'finalize-missing');
		assert.ok(d);
		const actions = await s.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
		const fix = actions.find((a) => /migrate_vma_finalize\(\)/.test(a.title));
		assert.ok(fix, `actions: ${actions.map((a) => a.title).join(' | ')}`);
		assert.ok(actions.some((a) => a.command?.command === 'migrateLens.showRuleDoc' && a.command.arguments?.[0] === 'finalize-missing'));
		const resolved = await s.request<CodeAction>('codeAction/resolve', fix);
		const edits = (resolved.edit?.documentChanges?.[0] as TextDocumentEdit).edits as TextEdit[];
		const fixed = applyEdits(example, edits);
		assert.ok(fixed.includes('@@ -212,6 +212,81 @@'));
		await s.change(uri, fixed, 2);
		const after2 = await s.waitForDiagnostics(uri, 2);
		assert.equal(after2.diagnostics.filter((x) => x.code === 'finalize-missing').length, 0);
	});
});
