/*
 * Launcher: runs the extension-host suite (out/test/e2e/index.js, see suite/index.ts) in
 * code-server opened in headless Chromium. This is the launcher CI uses; runElectron.ts is the
 * same suite in desktop VS Code where one can be downloaded.
 *
 * The page URL carries VS Code's development payload (extensionDevelopmentPath = this repository,
 * extensionTestsPath = the suite bundle), so the workbench loads the extension from disk and runs
 * the suite's `run()` in the real (remote) extension host. The workbench reports the suite's
 * console output through `window.codeAutomationLog` and its end through
 * `window.codeAutomationExit(code)`; both are exposed to the page before it loads.
 *
 *   node --import tsx test/e2e/runCodeServer.ts      (after node scripts/e2e-build.mjs)
 *
 * bench/activation.ts runs its probe (suite/activation.ts) through runSuiteInCodeServer too, with
 * another development extension, tests entry and installed .vsix (SuiteOptions).
 *
 * Environment: MIGRATE_LENS_E2E_GREP / MIGRATE_LENS_E2E_BREAK are passed to the suite (see
 * suite/index.ts); E2E_TIMEOUT_MS bounds the run (default 240000).
 * Exit status: the suite's (0 all passed), 1 on a launcher failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import {
	REPO,
	RESULTS_DIR,
	installVsix,
	launchChromium,
	makeSandbox,
	remoteUri,
	startCodeServer,
	workbenchUrl,
} from './codeServer';

export const SUITE_BUNDLE = path.join(REPO, 'out', 'test', 'e2e', 'index.js');
/** Where the last run's summary is left for scripts/e2e-run.mjs. */
export const SUMMARY_FILE = path.join(RESULTS_DIR, 'suite-summary.json');

export interface SuiteRun {
	/** The exit code the workbench reported (undefined: it never reported one). */
	exitCode: number | undefined;
	/** The suite's summary line, parsed (undefined when it never printed one). */
	summary?: { passed: number; failed: number; pending: number; durationMs: number; failures: { title: string; message: string }[] };
	/** What the tests bundle wrote to MIGRATE_LENS_E2E_RESULTS, parsed (for the suite: `summary`). */
	results?: unknown;
	/** Every line the suite printed (without the prefix). */
	log: string[];
	durationMs: number;
}

/** Must match suite/log.ts. */
const LINE_PREFIX = '[e2e] ';

/** A console call forwarded by the workbench: its arguments, format string first. */
function flatten(args: unknown): string {
	return Array.isArray(args) ? util.format(...args) : util.format(args);
}

export interface SuiteOptions {
	/** Print the suite's output as it comes. */
	echo?: boolean;
	/** Extra environment for the server and so for the extension host. */
	env?: Record<string, string>;
	timeoutMs?: number;
	/** The folder loaded as the development extension (default: this repository). */
	extensionPath?: string;
	/** The bundle whose `run()` the extension host calls (default: SUITE_BUNDLE, the suite). */
	testsPath?: string;
	/** .vsix files installed into the sandbox (code-server --install-extension) before it starts. */
	install?: readonly string[];
	/** How the logs in test-results/e2e/ are named (default `suite`: suite-server.log, suite-page.log). */
	logName?: string;
}

/** Runs the suite (or another tests bundle) once. */
export async function runSuiteInCodeServer(options: SuiteOptions = {}): Promise<SuiteRun> {
	const started = Date.now();
	const testsPath = options.testsPath ?? SUITE_BUNDLE;
	const isSuite = testsPath === SUITE_BUNDLE;
	const logName = options.logName ?? 'suite';
	if (!fs.existsSync(testsPath)) {
		throw new Error(`${testsPath} is missing${isSuite ? ': run node scripts/e2e-build.mjs' : ''}`);
	}
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	if (isSuite) {
		fs.rmSync(SUMMARY_FILE, { force: true });
	}
	const dirs = makeSandbox(logName);
	for (const vsix of options.install ?? []) {
		installVsix(dirs, vsix);
	}
	const resultsFile = path.join(dirs.root, 'summary.json');
	const env: Record<string, string> = { MIGRATE_LENS_E2E_RESULTS: resultsFile, ...options.env };
	for (const k of ['MIGRATE_LENS_E2E_GREP', 'MIGRATE_LENS_E2E_BREAK']) {
		if (process.env[k] && env[k] === undefined) {
			env[k] = process.env[k]!;
		}
	}
	const server = await startCodeServer({ dirs, env, logFile: path.join(RESULTS_DIR, `${logName}-server.log`) });
	const browser = await launchChromium();
	const log: string[] = [];
	const pageLog = fs.createWriteStream(path.join(RESULTS_DIR, `${logName}-page.log`));
	try {
		const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		const stamp = (): string => `+${((Date.now() - started) / 1000).toFixed(1)}s`;
		pageLog.write(`${stamp()} server and browser up\n`);
		page.on('console', (m) => {
			// The workbench's logger output (styled with %c) also arrives through codeAutomationLog.
			if (!m.text().startsWith('%c')) {
				pageLog.write(`${stamp()} [console.${m.type()}] ${m.text()}\n`);
			}
		});
		page.on('pageerror', (e) => pageLog.write(`${stamp()} [pageerror] ${e.message}\n`));
		let exitCode: number | undefined;
		const exited = new Promise<void>((resolve) => {
			void page.exposeFunction('codeAutomationExit', (code: number) => {
				exitCode = code;
				resolve();
			});
		});
		await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
			const text = flatten(args);
			pageLog.write(`${stamp()} [${type}] ${text}\n`);
			for (const line of text.split('\n')) {
				if (line.startsWith(LINE_PREFIX)) {
					log.push(line.slice(LINE_PREFIX.length));
					if (options.echo) {
						console.log(line.slice(LINE_PREFIX.length));
					}
				}
			}
		});
		const url = workbenchUrl(server, dirs.workspace, [
			['extensionDevelopmentPath', remoteUri(server, options.extensionPath ?? REPO)],
			['extensionTestsPath', remoteUri(server, testsPath)],
		]);
		await page.goto(url);
		const timeoutMs = options.timeoutMs ?? Number(process.env.E2E_TIMEOUT_MS ?? 240_000);
		let timer: NodeJS.Timeout | undefined;
		const timedOut = new Promise<'timeout'>((resolve) => {
			timer = setTimeout(() => resolve('timeout'), timeoutMs);
		});
		const outcome = await Promise.race([exited, timedOut]);
		clearTimeout(timer);
		if (outcome === 'timeout') {
			await page.screenshot({ path: path.join(RESULTS_DIR, `${logName}-timeout.png`) }).catch(() => undefined);
			log.push(`runCodeServer: the suite did not finish within ${timeoutMs} ms`);
		}
		let summary: SuiteRun['summary'];
		let results: unknown;
		if (fs.existsSync(resultsFile)) {
			results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
			if (isSuite) {
				summary = results as SuiteRun['summary'];
				fs.copyFileSync(resultsFile, SUMMARY_FILE);
			}
		}
		return { exitCode, summary, results, log, durationMs: Date.now() - started };
	} finally {
		pageLog.end();
		await browser.close().catch(() => undefined);
		await server.stop();
	}
}

async function main(): Promise<number> {
	const r = await runSuiteInCodeServer({ echo: true });
	const s = r.summary;
	if (s) {
		console.log(`extension host: ${s.passed} passed, ${s.failed} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
	}
	console.error(`runCodeServer: exit code ${r.exitCode ?? 'none'} after ${(r.durationMs / 1000).toFixed(1)} s (logs in ${path.relative(REPO, RESULTS_DIR)}/)`);
	if (r.exitCode === undefined) {
		return 1;
	}
	return r.exitCode === 0 && s !== undefined && s.failed === 0 ? 0 : r.exitCode || 1;
}

if (require.main === module) {
	main().then((code) => process.exit(code), (e: unknown) => {
		console.error(`runCodeServer: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
		process.exit(1);
	});
}
