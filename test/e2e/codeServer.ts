/*
 * Drives a real VS Code on a machine that cannot download one: code-server (VS Code's server,
 * web workbench and extension host, installed from npm by scripts/e2e-install.mjs) opened in
 * Debian's Chromium through playwright-core. Used by the extension-host launcher
 * (runCodeServer.ts) and the UI tests (ui.test.ts).
 *
 * Everything the server and the browser write goes into one temporary folder (config, user data,
 * extensions, XDG folders, HOME), never into the user's home. The server runs in its own process
 * group (spawned detached, i.e. setsid) and is stopped with the whole group, so its file watchers
 * and extension host go with it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { copyWorkspace } from './workspace';

export const REPO = path.resolve(__dirname, '..', '..');
/** Where the e2e tests leave logs and screenshots. */
export const RESULTS_DIR = path.join(REPO, 'test-results', 'e2e');

const E2E_DIR = process.env.E2E_DIR ? path.resolve(process.env.E2E_DIR) : path.join(REPO, '.e2e');
const CODE_SERVER_ENTRY = path.join(E2E_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export function codeServerEntry(): string {
	if (!fs.existsSync(CODE_SERVER_ENTRY)) {
		throw new Error(`code-server is not installed at ${CODE_SERVER_ENTRY}: run node scripts/e2e-install.mjs`);
	}
	return CODE_SERVER_ENTRY;
}

/** User settings for a quiet, deterministic workbench. */
const SETTINGS = {
	'security.workspace.trust.enabled': false,
	'workbench.startupEditor': 'none',
	'workbench.tips.enabled': false,
	'workbench.enableExperiments': false,
	'chat.disableAIFeatures': true,
	'telemetry.telemetryLevel': 'off',
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'extensions.ignoreRecommendations': true,
	'update.mode': 'none',
	'git.enabled': false,
	'window.restoreWindows': 'none',
	'files.hotExit': 'off',
	'editor.minimap.enabled': false,
};

export interface SandboxDirs {
	root: string;
	/** A copy of the fixture workspace (test/fixtures/e2e), for the workbench to open. */
	workspace: string;
	userData: string;
	extensions: string;
	config: string;
	home: string;
}

/** A fresh temporary folder holding everything code-server would write. */
export function makeSandbox(label: string, extraSettings: Record<string, unknown> = {}): SandboxDirs {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), `migrate-lens-e2e-${label}-`));
	const dirs: SandboxDirs = {
		root,
		workspace: copyWorkspace(path.join(root, 'workspace')),
		userData: path.join(root, 'user-data'),
		extensions: path.join(root, 'extensions'),
		config: path.join(root, 'config.yaml'),
		home: path.join(root, 'home'),
	};
	for (const d of [dirs.userData, dirs.extensions, dirs.home, path.join(dirs.userData, 'User')]) {
		fs.mkdirSync(d, { recursive: true });
	}
	fs.writeFileSync(dirs.config, 'auth: none\n');
	fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...SETTINGS, ...extraSettings }, null, '\t'));
	return dirs;
}

/** The environment code-server runs with: everything it writes stays in the sandbox. */
function sandboxEnv(dirs: SandboxDirs, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {
		...process.env,
		HOME: dirs.home,
		XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
		XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
		XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
		XDG_STATE_HOME: path.join(dirs.home, '.local', 'state'),
		XDG_RUNTIME_DIR: path.join(dirs.root, 'run'),
		TMPDIR: path.join(dirs.root, 'tmp'),
		...extra,
	};
	fs.mkdirSync(env.TMPDIR!, { recursive: true });
	fs.mkdirSync(env.XDG_RUNTIME_DIR!, { recursive: true, mode: 0o700 });
	// The launcher's own test-runner state must not leak into the extension host.
	delete env.NODE_OPTIONS;
	delete env.NODE_TEST_CONTEXT;
	delete env.ELECTRON_RUN_AS_NODE;
	delete env.VSCODE_IPC_HOOK_CLI;
	return env;
}

/** Common code-server arguments for the sandbox. */
function sandboxArgs(dirs: SandboxDirs): string[] {
	return [
		'--config', dirs.config,
		'--user-data-dir', dirs.userData,
		'--extensions-dir', dirs.extensions,
		'--disable-telemetry',
		'--disable-update-check',
		'--disable-workspace-trust',
		'--disable-getting-started-override',
	];
}

/** Installs a .vsix into the sandbox's extensions folder with code-server's own CLI. */
export function installVsix(dirs: SandboxDirs, vsix: string): string {
	const r = spawnSync(process.execPath, [codeServerEntry(), ...sandboxArgs(dirs), '--force', '--install-extension', vsix], {
		env: sandboxEnv(dirs),
		encoding: 'utf8',
		timeout: 120_000,
	});
	const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
	if (r.status !== 0) {
		throw new Error(`code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${out}`);
	}
	return out;
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

async function sleep(ms: number): Promise<void> {
	await new Promise((r) => setTimeout(r, ms));
}

export interface CodeServer {
	/** `http://127.0.0.1:PORT` */
	origin: string;
	/** The remote authority the workbench uses for server-side files (`127.0.0.1:PORT`). */
	authority: string;
	dirs: SandboxDirs;
	process: ChildProcess;
	/** Everything the server printed so far. */
	output(): string;
	/** Stops the server and its whole process group; removes the sandbox unless `keep`. */
	stop(keep?: boolean): Promise<void>;
}

const running = new Set<CodeServer>();
let exitHooked = false;

function hookExit(): void {
	if (exitHooked) {
		return;
	}
	exitHooked = true;
	const killAll = (): void => {
		for (const s of running) {
			try {
				process.kill(-s.process.pid!, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};
	process.on('exit', killAll);
	for (const sig of ['SIGINT', 'SIGTERM'] as const) {
		process.once(sig, () => {
			killAll();
			process.exit(130);
		});
	}
}

export interface StartOptions {
	dirs: SandboxDirs;
	/** Extra environment for the server and so for the extension host. */
	env?: Record<string, string>;
	/** Where to write the server's output (default: no file). */
	logFile?: string;
}

/** Starts code-server on a free loopback port and waits until it answers. */
export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
	hookExit();
	const port = await freePort();
	const authority = `127.0.0.1:${port}`;
	const args = [codeServerEntry(), ...sandboxArgs(opts.dirs), '--auth', 'none', '--bind-addr', authority, '--ignore-last-opened'];
	const child = spawn(process.execPath, args, {
		env: sandboxEnv(opts.dirs, opts.env),
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	const log = opts.logFile ? fs.createWriteStream(opts.logFile) : undefined;
	const collect = (b: Buffer): void => {
		output += b.toString();
		log?.write(b);
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
	let exited: number | string | null | undefined;
	child.on('exit', (code, signal) => {
		exited = code ?? signal;
	});
	const server: CodeServer = {
		origin: `http://${authority}`,
		authority,
		dirs: opts.dirs,
		process: child,
		output: () => output,
		async stop(keep = false) {
			running.delete(server);
			if (exited === undefined) {
				try {
					process.kill(-child.pid!, 'SIGTERM');
				} catch {
					// already gone
				}
				for (let i = 0; i < 50 && exited === undefined; i++) {
					await sleep(100);
				}
				try {
					process.kill(-child.pid!, 'SIGKILL');
				} catch {
					// the group is gone
				}
			}
			log?.end();
			if (!keep) {
				fs.rmSync(opts.dirs.root, { recursive: true, force: true, maxRetries: 3 });
			}
		},
	};
	running.add(server);
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (exited !== undefined) {
			throw new Error(`code-server exited (${exited}) before it was ready:\n${output}`);
		}
		try {
			const r = await fetch(`${server.origin}/healthz`);
			if (r.ok) {
				break;
			}
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await server.stop(true);
			throw new Error(`code-server did not answer within 60 s:\n${output}`);
		}
		await sleep(100);
	}
	return server;
}

/** The workbench URL for a folder, with an optional development payload (`[key, value]` pairs). */
export function workbenchUrl(server: CodeServer, folder: string, payload?: [string, string][]): string {
	const u = new URL(server.origin + '/');
	u.searchParams.set('folder', folder);
	if (payload) {
		u.searchParams.set('payload', JSON.stringify(payload));
	}
	return u.toString();
}

/** A server-side path as the workbench addresses it. */
export function remoteUri(server: CodeServer, absPath: string): string {
	return `vscode-remote://${server.authority}${absPath}`;
}

/** Debian's Chromium, headless; never a browser Playwright downloads. */
export async function launchChromium(): Promise<Browser> {
	const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!fs.existsSync(executablePath)) {
		throw new Error(`Chromium not found at ${executablePath}: run scripts/system-deps.sh (or set CHROMIUM_PATH)`);
	}
	return chromium.launch({
		executablePath,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage',
		],
	});
}

/** Waits until the workbench has drawn its editor area. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
	await page.waitForSelector('.monaco-workbench .part.editor', { timeout: timeoutMs });
}
