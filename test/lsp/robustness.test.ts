/*
 * The server never dies on a document: hostile text (a huge line, NUL bytes, binary garbage, a
 * 5 MB document) is analysed or declined and the server keeps answering; a rule that throws is
 * logged and the other findings are still published.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DocumentSymbol, Hover } from 'vscode-languageserver-protocol';
import { Session, repoRoot, testUri } from './session';

const example = fs.readFileSync(path.join(repoRoot, 'examples', 'gpux-svm-migrate.patch'), 'utf8');

/** Deterministic pseudo-random text over the whole UTF-16 range (lone surrogates included). */
function garbage(n: number, seed = 12345): string {
	let x = seed;
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		x = (Math.imul(x, 1103515245) + 12345) >>> 0;
		out.push(String.fromCharCode(x >>> 16));
	}
	return out.join('');
}

describe('LSP robustness', () => {
	let s: Session;
	before(async () => {
		({ session: s } = await Session.start({ env: { MIGRATE_LENS_DEBUG_RULES: 'throw,setup-call=debug-setup-call' } }));
	});
	after(async () => {
		await s?.stop();
	});

	/** The server still answers a hover on the example. */
	async function stillAnswers(): Promise<void> {
		const uri = testUri('alive.patch');
		if (!s.diagnostics.has(uri)) {
			await s.open(uri, example);
			await s.waitForDiagnostics(uri, 1);
		}
		const line = example.split('\n').findIndex((l) => l.includes('migrate_vma_setup(&args)'));
		const h = await s.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 8 } });
		assert.ok(h, 'hover answered');
		assert.ok(s.alive(), 'server process alive');
	}

	it('logs a rule that throws and still publishes the other findings', async () => {
		const uri = testUri('throwing.patch');
		await s.open(uri, example);
		const p = await s.waitForDiagnostics(uri, 1);
		assert.equal(p.diagnostics.filter((d) => d.code === 'debug-setup-call').length, 1);
		const log = await s.waitForLog((l) => l.message.includes('debug-throwing-rule') && l.message.includes(uri));
		assert.equal(log.type, 1, 'logged as an error');
		assert.match(log.message, /rule debug-throwing-rule on message 0 threw: Error: debug-throwing-rule always throws/);
		await stillAnswers();
	});

	it('survives a 1 MB line, NUL bytes and binary garbage', async () => {
		const docs: Array<[string, string]> = [
			['huge-line.patch', `${example}\n+${'x'.repeat(1024 * 1024)}\n`],
			['nul.patch', example.replace(/;/g, ';\0')],
			['garbage.bin.patch', garbage(200000)],
			['garbage-in-hunk.patch', example.replace('\tint ret;\n', `\tint ret;\n+${garbage(5000, 7).replace(/[\r\n]/g, ' ')}\n`)],
		];
		for (const [name, text] of docs) {
			const uri = testUri(name);
			await s.open(uri, text);
			const p = await s.waitForDiagnostics(uri, 1);
			assert.ok(Array.isArray(p.diagnostics), name);
			const symbols = await s.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
			assert.ok(Array.isArray(symbols), name);
			const h = await s.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 5 } });
			assert.ok(h === null || typeof h === 'object', name);
			await s.request('textDocument/codeLens', { textDocument: { uri } });
			await s.close(uri);
		}
		await stillAnswers();
	});

	it('analyses a 5 MB document of mostly garbage around two patches, and keeps answering', async () => {
		const filler: string[] = [];
		let size = 0;
		for (let i = 0; size < 5 * 1024 * 1024; i++) {
			// Lines of printable noise, NULs and stray diff markers; no line break inside.
			const line = `${['+', '-', ' ', '>', '@@ ', 'From '][i % 6]}${garbage(300 + (i % 500), i).replace(/[\r\n\u2028\u2029]/g, ' ')}\0`;
			filler.push(line);
			size += line.length + 1;
		}
		const big = `${example}\n${filler.join('\n')}\n\n${example}`;
		assert.ok(big.length >= 5 * 1024 * 1024);
		await stillAnswers();
		const uri = testUri('five-mb.patch');
		await s.open(uri, big);
		// The server stays responsive while it reads the document: another document's hover comes first.
		const order: string[] = [];
		const bigDone = s.waitForStatus(uri, 1, 120000).then((x) => {
			order.push('big');
			return x;
		});
		await stillAnswers();
		order.push('hover');
		const status = await bigDone;
		assert.deepEqual(order, ['hover', 'big']);
		assert.equal(status.state, 'analyzed');
		const p = await s.waitForDiagnostics(uri, 1);
		assert.equal(p.diagnostics.filter((d) => d.code === 'debug-setup-call').length, 2);
		const symbols = await s.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
		assert.ok(symbols.length >= 1);
		// An edit is analysed again (the untouched parts from the per-message cache).
		await s.change(uri, big.replace('ret = -ENOMEM;', 'ret = -EBUSY;'), 2);
		const st2 = await s.waitForStatus(uri, 2, 120000);
		assert.equal(st2.state, 'analyzed');
		await s.close(uri);
		await stillAnswers();
	});

	it('drops the analysis of a version that an edit replaced', async () => {
		// 60 different messages (a comment numbers each hunk), so that no cache shortens the
		// analysis of version 1; the edit is sent right behind the open, not after it was handled.
		const big = Array.from({ length: 60 }, (_, i) => `${example.replace('ret = -ENOMEM;', `ret = -ENOMEM; /* copy ${i} */`)}\n`).join('');
		assert.ok(big.includes('/* copy 59 */'));
		const uri = testUri('replaced.mbox');
		const opened = s.open(uri, big);
		const changed = s.change(uri, big.replace('ret = -ENOMEM;', 'ret = -EBUSY;'), 2);
		await Promise.all([opened, changed]);
		const st = await s.waitForStatus(uri, 2, 120000);
		assert.equal(st.state, 'analyzed');
		assert.equal(st.messages, 60);
		assert.equal(s.statuses.filter((x) => x.uri === uri && x.version === 1).length, 0, 'no status for the replaced version');
		assert.equal((s.diagnostics.get(uri) ?? []).filter((p) => p.version === 1).length, 0, 'no diagnostics for the replaced version');
		await s.close(uri);
	});

	it('answers requests on unknown documents and malformed custom requests without dying', async () => {
		const unknown = testUri('never-opened.patch');
		assert.equal(await s.request('textDocument/hover', { textDocument: { uri: unknown }, position: { line: 0, character: 0 } }), null);
		assert.deepEqual(await s.request('textDocument/codeLens', { textDocument: { uri: unknown } }), []);
		const bad = await s.request<{ state: string }>('migrateLens/checkDocument', { uri: 42 });
		assert.equal(bad.state, 'failed');
		await stillAnswers();
	});
});
