/*
 * The activation probe of `npm run bench -- --only activation` (bench/activation.ts): another
 * `extensionTestsPath` entry, run inside the real extension host by runCodeServer.ts like the
 * suite, but measuring instead of testing. It is not part of the e2e suite.
 *
 * In a freshly started host where neither extension is active yet, it activates the baseline
 * extension (an empty one, the development extension of this run), then Migrate Lens (installed
 * from its .vsix), each through `Extension.activate()` timed from the outside, and opens the
 * example patch to time the language server's first diagnostics. Every time is `performance.now()`
 * of the extension host, the clock the extensions' own `timings` use. It writes one JSON record
 * (ProbeResult) to MIGRATE_LENS_E2E_RESULTS and rejects when anything is off, which makes the
 * host report a non-zero exit code.
 *
 * Environment: MIGRATE_LENS_BENCH_EXTENSION and MIGRATE_LENS_BENCH_BASELINE (extension ids),
 * MIGRATE_LENS_BENCH_PATCH (the patch to open), MIGRATE_LENS_E2E_RESULTS (where to write).
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';

/** What an extension measured about itself (client/src/extension.ts ActivationTimings). */
export interface Timings {
	loaded: number;
	activateStart: number;
	activateEnd: number;
	clientReady?: number;
}

export interface Activation {
	/** Just before `Extension.activate()` was called. */
	requested: number;
	/** When its promise resolved. */
	resolved: number;
	/** CPU (user + system) of the extension host process over the call, ms. */
	cpuMs: number;
	/** The extension's own timestamps. */
	timings: Timings;
	/** How long the host was waited on to go quiet before the call, ms. */
	settledMs: number;
}

export interface ProbeResult {
	baseline: Activation;
	extension: Activation & {
		/** The example patch was opened (right after activation; then shown in an editor). */
		opened: number;
		/** Its first Migrate Lens diagnostics arrived. */
		firstDiagnostics: number;
		diagnostics: number;
		/** Where the host loaded it from. */
		extensionPath: string;
	};
	vscodeVersion: string;
}

function env(name: string): string {
	const v = process.env[name];
	if (!v) {
		throw new Error(`${name} is not set: this probe is started by bench/activation.ts`);
	}
	return v;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until the extension host has used under 5% of a core for half a second (built-in
 * extensions still starting up would otherwise be timed too); gives up after `maxMs`. Returns
 * how long it waited.
 */
async function settle(maxMs = 15_000): Promise<number> {
	const start = performance.now();
	for (;;) {
		const c0 = process.cpuUsage();
		await sleep(500);
		const c = process.cpuUsage(c0);
		if ((c.user + c.system) / 1000 < 25 || performance.now() - start > maxMs) {
			return performance.now() - start;
		}
	}
}

async function activate(id: string): Promise<{ activation: Activation; exports: unknown; extensionPath: string }> {
	const ext = vscode.extensions.getExtension(id);
	if (!ext) {
		throw new Error(`${id} is not installed in this extension host`);
	}
	if (ext.isActive) {
		throw new Error(`${id} was already active: its activation cannot be timed`);
	}
	const settledMs = await settle();
	const c0 = process.cpuUsage();
	const requested = performance.now();
	const exports = await ext.activate();
	const resolved = performance.now();
	const c = process.cpuUsage(c0);
	const timings = (exports as { timings?: Timings } | undefined)?.timings;
	if (!timings || !(timings.loaded <= timings.activateStart && timings.activateStart <= timings.activateEnd)) {
		throw new Error(`${id} did not hand out ordered activation timings: ${JSON.stringify(timings)}`);
	}
	if (timings.loaded < requested || timings.activateEnd > resolved) {
		throw new Error(`${id}: its timings (${JSON.stringify(timings)}) lie outside the activate() call (${requested}..${resolved}): not the same clock?`);
	}
	return { activation: { requested, resolved, cpuMs: (c.user + c.system) / 1000, timings: { ...timings }, settledMs }, exports, extensionPath: ext.extensionPath };
}

/** Resolves with the time `uri` first has a diagnostic from `source`. */
function firstDiagnostics(uri: vscode.Uri, source: string, timeoutMs: number): { done: Promise<number>; dispose(): void } {
	let sub: vscode.Disposable | undefined;
	let timer: NodeJS.Timeout | undefined;
	const done = new Promise<number>((resolve, reject) => {
		const check = (): void => {
			if (vscode.languages.getDiagnostics(uri).some((d) => d.source === source)) {
				resolve(performance.now());
			}
		};
		sub = vscode.languages.onDidChangeDiagnostics((e) => {
			if (e.uris.some((u) => u.toString() === uri.toString())) {
				check();
			}
		});
		timer = setTimeout(() => reject(new Error(`no ${source} diagnostics on ${uri.toString()} within ${timeoutMs} ms`)), timeoutMs);
		check();
	});
	return {
		done,
		dispose() {
			sub?.dispose();
			clearTimeout(timer);
		},
	};
}

export async function run(): Promise<void> {
	const extensionId = env('MIGRATE_LENS_BENCH_EXTENSION');
	const baselineId = env('MIGRATE_LENS_BENCH_BASELINE');
	const patch = vscode.Uri.file(env('MIGRATE_LENS_BENCH_PATCH'));
	const out = env('MIGRATE_LENS_E2E_RESULTS');

	const baseline = (await activate(baselineId)).activation;
	// Subscribed before the extension starts, so no diagnostics event can be missed.
	const diagnostics = firstDiagnostics(patch, 'migrate-lens', 60_000);
	try {
		const { activation, exports, extensionPath } = await activate(extensionId);
		const doc = await vscode.workspace.openTextDocument(patch);
		const opened = performance.now();
		await vscode.window.showTextDocument(doc, { preview: false });
		const first = await diagnostics.done;
		await (exports as { ready: Promise<void> }).ready;
		const timings = (exports as { timings: Timings }).timings;
		if (timings.clientReady === undefined) {
			throw new Error('the language client is ready but no clientReady time was recorded');
		}
		const result: ProbeResult = {
			baseline,
			extension: {
				...activation,
				timings: { ...timings },
				opened,
				firstDiagnostics: first,
				diagnostics: vscode.languages.getDiagnostics(patch).filter((d) => d.source === 'migrate-lens').length,
				extensionPath,
			},
			vscodeVersion: vscode.version,
		};
		fs.writeFileSync(out, JSON.stringify(result) + '\n');
	} finally {
		diagnostics.dispose();
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	}
}
