/*
 * Test helper: starts the REAL bundled language server (dist/server.js, built by `node esbuild.mjs`)
 * as a child process and talks to it over stdio with the protocol library, the way an editor would.
 * Waits are on events (diagnostics, status notifications), never on sleeps.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
	createProtocolConnection,
	StreamMessageReader,
	StreamMessageWriter,
	type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type {
	ClientCapabilities,
	InitializeResult,
	LogMessageParams,
	PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import type { StatusParams } from '../../common/protocol';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const serverPath = path.join(repoRoot, 'dist', 'server.js');

function newestSource(dir: string): number {
	let newest = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			newest = Math.max(newest, newestSource(p));
		} else if (entry.name.endsWith('.ts')) {
			newest = Math.max(newest, fs.statSync(p).mtimeMs);
		}
	}
	return newest;
}

let warnedStale = false;

/**
 * Throws when dist/server.js is missing or lacks its wasm files; warns (once) when it is older than
 * the server or common sources, since the tests then exercise old code (build with `node esbuild.mjs`).
 */
export function assertServerBuilt(): void {
	for (const f of [serverPath, path.join(repoRoot, 'dist', 'tree-sitter-c.wasm'), path.join(repoRoot, 'dist', 'web-tree-sitter.wasm')]) {
		if (!fs.existsSync(f)) {
			throw new Error(`${path.relative(repoRoot, f)} is missing: build with \`node esbuild.mjs\` first`);
		}
	}
	const built = fs.statSync(serverPath).mtimeMs;
	const sources = Math.max(newestSource(path.join(repoRoot, 'server', 'src')), newestSource(path.join(repoRoot, 'common')));
	if (sources > built && !warnedStale) {
		warnedStale = true;
		process.stderr.write('warning: dist/server.js is older than server/src or common; the LSP tests run the old build (rebuild with `node esbuild.mjs`)\n');
	}
}

export interface SessionOptions {
	env?: Record<string, string>;
	/** `migrateLens` settings answered to workspace/configuration (and sent as initializationOptions). */
	settings?: Record<string, unknown>;
	capabilities?: ClientCapabilities;
	workspaceFolders?: string[];
}

/** Client capabilities of a modern editor (pull configuration, code-action resolve, markdown hovers). */
export const EDITOR_CAPABILITIES: ClientCapabilities = {
	workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false }, workspaceFolders: true },
	textDocument: {
		synchronization: { didSave: false },
		hover: { contentFormat: ['markdown', 'plaintext'] },
		publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true, tagSupport: { valueSet: [1, 2] } },
		codeAction: {
			codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } },
			resolveSupport: { properties: ['edit'] },
			dataSupport: true,
		},
		codeLens: {},
		documentSymbol: { hierarchicalDocumentSymbolSupport: true },
	},
};

type Waiter<T> = { test: (x: T) => boolean; resolve: (x: T) => void };

export class Session {
	readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
	readonly statuses: StatusParams[] = [];
	readonly logs: LogMessageParams[] = [];
	stderr = '';
	exitCode: number | null | undefined;
	private settings: Record<string, unknown>;
	private diagWaiters: Array<Waiter<PublishDiagnosticsParams>> = [];
	private statusWaiters: Array<Waiter<StatusParams>> = [];
	private logWaiters: Array<Waiter<LogMessageParams>> = [];

	private constructor(readonly proc: ChildProcessWithoutNullStreams, readonly conn: ProtocolConnection, settings: Record<string, unknown>) {
		this.settings = settings;
	}

	static async start(opts: SessionOptions = {}): Promise<{ session: Session; init: InitializeResult }> {
		assertServerBuilt();
		const proc = spawn(process.execPath, [serverPath, '--stdio'], {
			env: { ...process.env, ...opts.env },
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
		const s = new Session(proc, conn, opts.settings ?? {});
		proc.stderr.on('data', (b: Buffer) => {
			s.stderr += b.toString();
		});
		proc.on('exit', (code) => {
			s.exitCode = code;
		});
		conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
			const list = s.diagnostics.get(p.uri) ?? [];
			list.push(p);
			s.diagnostics.set(p.uri, list);
			s.diagWaiters = s.diagWaiters.filter((w) => (w.test(p) ? (w.resolve(p), false) : true));
		});
		conn.onNotification('migrateLens/status', (p: StatusParams) => {
			s.statuses.push(p);
			s.statusWaiters = s.statusWaiters.filter((w) => (w.test(p) ? (w.resolve(p), false) : true));
		});
		conn.onNotification('window/logMessage', (p: LogMessageParams) => {
			s.logs.push(p);
			s.logWaiters = s.logWaiters.filter((w) => (w.test(p) ? (w.resolve(p), false) : true));
		});
		conn.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map(() => s.settings));
		conn.onRequest('client/registerCapability', () => null);
		conn.onRequest('window/workDoneProgress/create', () => null);
		conn.listen();
		const folders = opts.workspaceFolders ?? [];
		const init = await conn.sendRequest('initialize', {
			processId: process.pid,
			rootUri: null,
			capabilities: opts.capabilities ?? EDITOR_CAPABILITIES,
			workspaceFolders: folders.map((f) => ({ uri: pathToFileURL(f).toString(), name: path.basename(f) })),
			initializationOptions: { settings: opts.settings ?? {} },
		}) as InitializeResult;
		await conn.sendNotification('initialized', {});
		return { session: s, init };
	}

	/** Changes the settings the client answers and tells the server. */
	async setSettings(settings: Record<string, unknown>): Promise<void> {
		this.settings = settings;
		await this.conn.sendNotification('workspace/didChangeConfiguration', { settings: { migrateLens: settings } });
	}

	private wait<T>(list: 'diag' | 'status' | 'log', seen: T[], test: (x: T) => boolean, what: string, timeoutMs: number): Promise<T> {
		const already = seen.find(test);
		if (already) {
			return Promise.resolve(already);
		}
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; server stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
			const w: Waiter<T> = { test, resolve: (x) => { clearTimeout(timer); resolve(x); } };
			if (list === 'diag') {
				this.diagWaiters.push(w as unknown as Waiter<PublishDiagnosticsParams>);
			} else if (list === 'status') {
				this.statusWaiters.push(w as unknown as Waiter<StatusParams>);
			} else {
				this.logWaiters.push(w as unknown as Waiter<LogMessageParams>);
			}
		});
	}

	/** The next diagnostics for `uri` (of `version`, when given) that pass `test`. */
	waitForDiagnostics(uri: string, version?: number, test: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 30000): Promise<PublishDiagnosticsParams> {
		const seen = this.diagnostics.get(uri) ?? [];
		return this.wait('diag', seen, (p) => p.uri === uri && (version === undefined || p.version === version) && test(p), `diagnostics of ${uri} v${version}`, timeoutMs);
	}

	waitForStatus(uri: string, version?: number, timeoutMs = 30000, test: (p: StatusParams) => boolean = () => true): Promise<StatusParams> {
		return this.wait('status', this.statuses, (p) => p.uri === uri && (version === undefined || p.version === version) && test(p), `status of ${uri} v${version}`, timeoutMs);
	}

	waitForLog(test: (p: LogMessageParams) => boolean, timeoutMs = 30000): Promise<LogMessageParams> {
		return this.wait('log', this.logs, test, 'a log message', timeoutMs);
	}

	async open(uri: string, text: string, languageId = 'kernel-patch', version = 1): Promise<void> {
		await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
	}

	async change(uri: string, text: string, version: number): Promise<void> {
		await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
	}

	async close(uri: string): Promise<void> {
		await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
	}

	request<R>(method: string, params: unknown): Promise<R> {
		return this.conn.sendRequest(method, params) as Promise<R>;
	}

	/** Whether the server process is still running. */
	alive(): boolean {
		return this.exitCode === undefined && this.proc.exitCode === null;
	}

	async stop(): Promise<void> {
		if (this.alive()) {
			try {
				await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
				await this.conn.sendNotification('exit');
			} catch {
				// The process may be gone already.
			}
		}
		await new Promise<void>((resolve) => {
			if (!this.alive()) {
				resolve();
				return;
			}
			const t = setTimeout(() => {
				this.proc.kill();
				resolve();
			}, 3000);
			this.proc.once('exit', () => {
				clearTimeout(t);
				resolve();
			});
		});
		this.conn.dispose();
	}
}

/** A text document URI for a test document (nothing is written to disk). */
export function testUri(name: string): string {
	return pathToFileURL(path.join(repoRoot, 'test', 'lsp', '.virtual', name)).toString();
}
