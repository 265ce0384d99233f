/*
 * Diagnostics from the real bundled server: rule ids as codes with links to their documentation,
 * the kernel in every message, "quoted" for quoted findings, updates on edits, workspace checks
 * and declined documents.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { Session, repoRoot, testUri } from './session';
import { corpusFiles, haveCorpus } from '../corpus';
import type { StatusParams } from '../../common/protocol';

const STAND_IN = 'missing-select-flags';

/** The debug stand-in's findings (a real rule with the same id may report too). */
function standIn(list: Diagnostic[]): Diagnostic[] {
	return list.filter((d) => d.code === STAND_IN && (typeof d.message === 'string' ? d.message : d.message.value).startsWith('debug stand-in'));
}
const example = fs.readFileSync(path.join(repoRoot, 'examples', 'gpux-svm-migrate.patch'), 'utf8');

/** The message text (LSP 3.18 allows markup; this server sends plain strings). */
function msg(d: Diagnostic): string {
	return typeof d.message === 'string' ? d.message : d.message.value;
}

function lineText(text: string, line: number): string {
	return text.split(/\r\n|\r|\n/)[line] ?? '';
}

/** What every diagnostic of ours must carry. */
function checkShape(d: Diagnostic, text: string): void {
	assert.equal(d.source, 'migrate-lens');
	assert.equal(typeof d.code, 'string');
	assert.match(msg(d), /\(Linux \d+\.\d+/, `kernel in "${msg(d)}"`);
	const doc = path.join(repoRoot, 'docs', 'rules', `${d.code}.md`);
	if (fs.existsSync(doc)) {
		assert.equal(d.codeDescription?.href, pathToFileURL(doc).toString());
	} else {
		assert.equal(d.codeDescription, undefined);
	}
	if (/^\s*>/.test(lineText(text, d.range.start.line)) && d.code !== 'ingest') {
		assert.match(msg(d), /quoted >/, `quoted finding "${msg(d)}"`);
	}
}

describe('LSP diagnostics', () => {
	let s: Session;
	before(async () => {
		({ session: s } = await Session.start({ env: { MIGRATE_LENS_DEBUG_RULES: `setup-call=${STAND_IN}` } }));
	});
	after(async () => {
		await s?.stop();
	});

	it('publishes findings with the rule id, its doc link, related locations and the kernel', async () => {
		const uri = testUri('diag-example.patch');
		await s.open(uri, example);
		const p = await s.waitForDiagnostics(uri, 1);
		const mine = standIn(p.diagnostics);
		assert.equal(mine.length, 1);
		const d = mine[0];
		checkShape(d, example);
		assert.equal(d.severity, 2);
		assert.equal(lineText(example, d.range.start.line).slice(d.range.start.character).startsWith('migrate_vma_setup(&args)'), true);
		const status = await s.waitForStatus(uri, 1);
		assert.ok(msg(d).includes(`(Linux ${status.kernel}, from the mail date)`));
		assert.equal(d.relatedInformation?.length, 1);
		assert.equal(d.relatedInformation?.[0].location.uri, uri);
		assert.match(lineText(example, d.relatedInformation![0].location.range.start.line), /struct migrate_vma args = \{/);
		for (const x of p.diagnostics) {
			checkShape(x, example);
		}
	});

	it('notes findings in quoted text', async () => {
		const reply = ['From: Reviewer <r@example.org>', 'Subject: Re: [PATCH v2 3/5] drm/gpux', 'Date: Wed, 15 Jan 2025 09:00:00 +0100', '', 'Ada wrote:',
			...example.split('\n').map((l) => `> ${l}`), '', 'Comments inline.', ''].join('\n');
		const uri = testUri('diag-reply.eml');
		await s.open(uri, reply);
		const p = await s.waitForDiagnostics(uri, 1);
		const mine = standIn(p.diagnostics);
		assert.equal(mine.length, 1);
		assert.match(msg(mine[0]), /; quoted >\)$/);
		checkShape(mine[0], reply);
	});

	it('updates diagnostics when the document changes', async () => {
		const uri = testUri('diag-edit.patch');
		await s.open(uri, example);
		const before1 = standIn((await s.waitForDiagnostics(uri, 1)).diagnostics)[0]!;
		const edited = example.replace('\tret = migrate_vma_setup(&args);\n', '\t/* select and lock */\n+\tret = migrate_vma_setup(&args);\n').replace('+212,79 @@', '+212,80 @@');
		await s.change(uri, edited, 2);
		const after2 = standIn((await s.waitForDiagnostics(uri, 2)).diagnostics)[0]!;
		assert.equal(after2.range.start.line, before1.range.start.line + 1);
		// Removing the call removes the finding.
		const gone = example.replace('+\tret = migrate_vma_setup(&args);\n', '+\tret = 0;\n');
		await s.change(uri, gone, 3);
		const after3 = await s.waitForDiagnostics(uri, 3);
		assert.equal(standIn(after3.diagnostics).length, 0);
	});

	it('serves diff documents too, and clears diagnostics on close', async () => {
		const uri = testUri('diag-plain.diff');
		await s.open(uri, example.slice(example.indexOf('diff --git')), 'diff');
		const p = await s.waitForDiagnostics(uri, 1);
		assert.equal(standIn(p.diagnostics).length, 1);
		const count = s.diagnostics.get(uri)!.length;
		await s.close(uri);
		const cleared = await s.waitForDiagnostics(uri, undefined, (x) => x.diagnostics.length === 0 && s.diagnostics.get(uri)!.indexOf(x) >= count);
		assert.deepEqual(cleared.diagnostics, []);
	});

	it('checks a file that is not open (Check Workspace Patches)', async () => {
		const uri = testUri('not-open.patch');
		const status = await s.request<StatusParams>('migrateLens/checkDocument', { uri, text: example });
		assert.equal(status.state, 'analyzed');
		assert.equal(status.uri, uri);
		assert.equal(status.messages, 1);
		assert.ok(status.callSites >= 1);
		const p = await s.waitForDiagnostics(uri);
		assert.equal(standIn(p.diagnostics).length, 1);
		const count = (sev: number) => p.diagnostics.filter((d) => d.severity === sev).length;
		assert.deepEqual(status.findings, { error: count(1), warning: count(2), info: count(3) });
	});

	it('checks every corpus mail: kernel in each message, quoted findings marked', { skip: haveCorpus ? false : 'corpus not found' }, async () => {
		const files = corpusFiles('mail');
		assert.ok(files.length > 0);
		let total = 0;
		let quotedFindings = 0;
		for (const file of files) {
			const text = fs.readFileSync(file, 'utf8');
			const uri = pathToFileURL(file).toString();
			await s.open(uri, text);
			const p = await s.waitForDiagnostics(uri, 1);
			for (const d of p.diagnostics) {
				checkShape(d, text);
				total++;
				if (/quoted >/.test(msg(d))) {
					quotedFindings++;
				}
			}
			const status = await s.waitForStatus(uri, 1);
			assert.equal(status.state, 'analyzed', path.basename(file));
			assert.match(status.kernel, /^\d+\.\d+$/);
			await s.close(uri);
		}
		assert.ok(total > 0, 'the corpus yields diagnostics');
		assert.ok(quotedFindings > 0, 'reply mails quote migrate_vma_setup calls');
	});
});

describe('LSP declined documents', () => {
	let s: Session;
	before(async () => {
		({ session: s } = await Session.start({ settings: { maxDocumentSize: 2000 } }));
	});
	after(async () => {
		await s?.stop();
	});

	it('declines a document over migrateLens.maxDocumentSize with one info diagnostic and a log line', async () => {
		const uri = testUri('too-big.patch');
		await s.open(uri, example);
		const p = await s.waitForDiagnostics(uri, 1);
		assert.equal(p.diagnostics.length, 1);
		assert.equal(p.diagnostics[0].code, 'document-too-large');
		assert.equal(p.diagnostics[0].severity, 3);
		assert.match(msg(p.diagnostics[0]), /migrateLens\.maxDocumentSize/);
		const status = await s.waitForStatus(uri, 1);
		assert.equal(status.state, 'declined');
		await s.waitForLog((l) => l.message.includes(uri) && l.message.includes('did not analyse'));
		// Still answers requests on it.
		const symbols = await s.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
		assert.deepEqual(symbols, []);
	});

	it('analyses it once the limit is raised', async () => {
		const uri = testUri('too-big-later.patch');
		await s.open(uri, example);
		await s.waitForDiagnostics(uri, 1, (p) => p.diagnostics[0]?.code === 'document-too-large');
		await s.setSettings({ maxDocumentSize: 10_000_000 });
		const st = await s.waitForStatus(uri, 1, 20000, (x) => x.state === 'analyzed');
		assert.equal(st.messages, 1);
	});
});

describe('LSP kernel in force', () => {
	let s: Session;
	const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-lsp-tree-'));
	fs.writeFileSync(path.join(tree, 'Makefile'), 'VERSION = 5\nPATCHLEVEL = 10\nSUBLEVEL = 0\n');
	fs.mkdirSync(path.join(tree, 'mm'));
	before(async () => {
		({ session: s } = await Session.start({ workspaceFolders: [tree], env: { MIGRATE_LENS_DEBUG_RULES: `setup-call=${STAND_IN}` } }));
	});
	after(async () => {
		await s?.stop();
		fs.rmSync(tree, { recursive: true, force: true });
	});

	it('takes the kernel from a workspace folder that is a kernel tree', async () => {
		const uri = testUri('tree-kernel.patch');
		await s.open(uri, example);
		const status = await s.waitForStatus(uri, 1);
		assert.equal(status.kernel, '5.10');
		assert.equal(status.kernelSource, 'tree');
		const d = standIn((await s.waitForDiagnostics(uri, 1)).diagnostics)[0];
		assert.match(msg(d), /\(Linux 5\.10, from the kernel tree\)$/);
		await s.close(uri);
	});

	it('lets the setting win, and re-analyses open documents when it changes', async () => {
		const uri = testUri('setting-kernel.patch');
		await s.open(uri, example);
		await s.waitForStatus(uri, 1, 30000, (x) => x.kernel === '5.10');
		await s.setSettings({ kernelVersion: '6.1' });
		const status = await s.waitForStatus(uri, 1, 30000, (x) => x.kernel === '6.1');
		assert.equal(status.kernelSource, 'setting');
		const p = await s.waitForDiagnostics(uri, 1, (x) => standIn(x.diagnostics).some((d) => /Linux 6\.1, from the setting/.test(msg(d))));
		assert.equal(standIn(p.diagnostics).length, 1);
	});
});
