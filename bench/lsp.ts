/*
 * The language server (dist/server.js) through a real LSP client over stdio, on an mbox of about
 * 5,000 lines built from the corpus mails: the time from an edit (didChange) to the new
 * publishDiagnostics for that version, and hover latency. The server waits DEBOUNCE_MS after an
 * edit before analysing; the figures are given as measured and with that wait taken off (the
 * server's own work), and the target is judged on the latter.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
	createProtocolConnection, StreamMessageReader, StreamMessageWriter,
	InitializeRequest, InitializedNotification, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification,
	PublishDiagnosticsNotification, HoverRequest, ShutdownRequest, ExitNotification,
	type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { DEBOUNCE_MS } from '../server/src/documents';
import { corpusFiles } from '../test/corpus';
import { ROOT, log, percentile, round, target, type BenchResult } from './lib';

export interface LspOptions {
	edits: number;
	hovers: number;
}

/** Corpus mails joined into an mbox of at least `lines` lines (whole messages). */
export function buildMbox(lines: number): string {
	const mails = corpusFiles('mail').map((f) => fs.readFileSync(f, 'utf8'));
	if (mails.length === 0) {
		return '';
	}
	const parts: string[] = [];
	let n = 0;
	for (let i = 0; n < lines; i++) {
		let m = mails[i % mails.length]!.replace(/\r\n/g, '\n');
		if (!m.startsWith('From ')) {
			m = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n' + m;
		}
		if (!m.endsWith('\n')) {
			m += '\n';
		}
		parts.push(m);
		n += m.split('\n').length - 1;
	}
	return parts.join('\n');
}

export async function benchLsp(opts: LspOptions): Promise<BenchResult> {
	const id = 'lsp';
	const title = 'Language server over stdio (5,000-line mbox)';
	const server = path.join(ROOT, 'dist', 'server.js');
	if (!fs.existsSync(server)) {
		return { id, title, skipped: 'server not built', figures: {}, targets: [] };
	}
	const text0 = buildMbox(5000);
	if (!text0) {
		return { id, title, skipped: 'no corpus mails', figures: {}, targets: [] };
	}
	// ML_BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the server's node.
	const nodeArgs = (process.env.ML_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
	const proc = spawn(process.execPath, [...nodeArgs, server, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
	let stderr = '';
	proc.stderr.on('data', (b: Buffer) => {
		if (stderr.length < 4000) {
			stderr += b.toString('utf8');
		}
	});
	const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
	const waiters: Array<{ version: number; resolve: (t: number) => void }> = [];
	conn.onNotification(PublishDiagnosticsNotification.type, (p: PublishDiagnosticsParams) => {
		const now = performance.now();
		for (let i = waiters.length - 1; i >= 0; i--) {
			if (p.version === undefined || p.version >= waiters[i]!.version) {
				waiters[i]!.resolve(now);
				waiters.splice(i, 1);
			}
		}
	});
	// what a server may ask a client: answered with defaults
	conn.onRequest('workspace/configuration', (p: { items?: unknown[] }) => (p.items ?? []).map(() => null));
	for (const m of ['window/workDoneProgress/create', 'client/registerCapability', 'client/unregisterCapability', 'workspace/codeLens/refresh', 'workspace/diagnostic/refresh']) {
		conn.onRequest(m, () => null);
	}
	conn.listen();
	const timeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timeout: ${what}`)), ms))]);
	const diagnosticsFor = (version: number): Promise<number> => new Promise((resolve) => waiters.push({ version, resolve }));
	try {
		fs.mkdirSync(path.join(ROOT, '.bench-cache'), { recursive: true });
		const dir = fs.mkdtempSync(path.join(ROOT, '.bench-cache', 'lsp-'));
		const file = path.join(dir, 'bench.mbox');
		fs.writeFileSync(file, text0);
		const uri = pathToFileURL(file).href;
		await timeout(conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {}, workspaceFolders: null, initializationOptions: { extensionRoot: ROOT } }), 30_000, 'initialize');
		await conn.sendNotification(InitializedNotification.type, {});
		let version = 1;
		const t0 = performance.now();
		const first = diagnosticsFor(version);
		await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'kernel-patch', version, text: text0 } });
		const openMs = (await timeout(first, 120_000, 'first diagnostics')) - t0;
		log(`lsp: first diagnostics after ${openMs.toFixed(0)} ms`);

		// edits: one character added to, then taken from, a prose line of a different message each time
		const lines = text0.split('\n');
		const prose = lines.map((l, i) => (/^[A-Za-z][a-z]+ [a-z]+ /.test(l) && !/^[A-Z][\w-]*:/.test(l) ? i : -1)).filter((i) => i >= 0);
		const edit: number[] = [];
		for (let k = 0; k < opts.edits; k++) {
			const li = prose[(k * 37) % prose.length]!;
			const orig = lines[li]!;
			lines[li] = orig + ' x';
			const text = lines.join('\n');
			lines[li] = orig;
			version++;
			const done = diagnosticsFor(version);
			const s = performance.now();
			await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
			edit.push((await timeout(done, 30_000, `diagnostics of version ${version}`)) - s);
		}
		// leave the document as it was, analysed
		version++;
		const back = diagnosticsFor(version);
		await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text: text0 }] });
		await timeout(back, 30_000, 'diagnostics after the edits');

		// hovers on API names
		const spots: Array<{ line: number; character: number }> = [];
		text0.split('\n').forEach((l, i) => {
			const c = l.search(/\bmigrate_vma_(setup|pages|finalize)\b/);
			if (c >= 0) {
				spots.push({ line: i, character: c + 3 });
			}
		});
		const hover: number[] = [];
		let hoverHits = 0;
		for (let k = 0; k < opts.hovers && spots.length > 0; k++) {
			const s = performance.now();
			const h = await timeout(conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: spots[(k * 13) % spots.length]! }), 30_000, 'hover');
			hover.push(performance.now() - s);
			if (h) {
				hoverHits++;
			}
		}
		await timeout(conn.sendRequest(ShutdownRequest.type), 10_000, 'shutdown').catch(() => undefined);
		await conn.sendNotification(ExitNotification.type).catch(() => undefined);
		fs.rmSync(dir, { recursive: true, force: true });

		const work = edit.map((t) => Math.max(0, t - DEBOUNCE_MS));
		const figures: BenchResult['figures'] = {
			documentLines: text0.split('\n').length,
			openToDiagnosticsMs: round(openMs),
			edits: edit.length,
			debounceMs: DEBOUNCE_MS,
			editToDiagnosticsP50Ms: round(percentile(edit, 50)),
			editToDiagnosticsP95Ms: round(percentile(edit, 95)),
			editWorkP50Ms: round(percentile(work, 50)),
			editWorkP95Ms: round(percentile(work, 95)),
			hovers: hover.length,
			hoversAnswered: hoverHits,
			hoverP50Ms: round(percentile(hover, 50)),
			hoverP95Ms: round(percentile(hover, 95)),
		};
		log(`lsp: edit p95 ${percentile(edit, 95).toFixed(1)} ms (${percentile(work, 95).toFixed(1)} ms after the debounce), hover p95 ${percentile(hover, 95).toFixed(2)} ms`);
		return {
			id, title, figures,
			targets: [
				target('edit → diagnostics p95, after the debounce', percentile(work, 95), '<=', 30, 'ms', { note: `as measured: ${round(percentile(edit, 95))} ms including the ${DEBOUNCE_MS} ms debounce` }),
				target('hover p95', percentile(hover, 95), '<=', 5, 'ms'),
			],
		};
	} catch (e) {
		return { id, title, skipped: `failed: ${(e as Error).message}; server stderr: ${stderr.slice(0, 500)}`, figures: {}, targets: [] };
	} finally {
		// give the server a moment to exit on its own (it writes its profile then, if asked to)
		if (proc.exitCode === null) {
			await new Promise<void>((resolve) => {
				const t = setTimeout(resolve, 5000);
				proc.once('exit', () => {
					clearTimeout(t);
					resolve();
				});
			});
		}
		conn.dispose();
		proc.kill();
	}
}
