/*
 * The extension-host test suite's entry: VS Code loads the bundle of this file
 * (out/test/e2e/index.js, made by scripts/e2e-build.mjs) as `extensionTestsPath` and calls `run()`
 * inside the real extension host, with our extension loaded from `extensionDevelopmentPath`.
 * Both launchers (runElectron.ts: desktop VS Code; runCodeServer.ts: code-server in Chromium)
 * use this same entry.
 *
 * Output goes through `console.log` with a prefix (suite/log.ts), which the extension host
 * forwards to the launcher (the desktop's stdout; code-server's `codeAutomationLog`). The last
 * line is a machine-readable summary (`E2E_SUMMARY {...}`); when MIGRATE_LENS_E2E_RESULTS names
 * a file, the same summary is written there too. `run()` rejects when a test failed, which makes VS Code exit non-zero.
 *
 * Environment (set by the launchers, read by the tests):
 *   MIGRATE_LENS_E2E_GREP      only tests whose full title matches this regular expression
 *   MIGRATE_LENS_E2E_RESULTS   path of the JSON summary to write
 *   MIGRATE_LENS_E2E_BREAK     `missing-diagnostic`: see extension.test.ts (proves the suite can fail)
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';
import { log } from './log';

/** What the launchers read back. */
export interface SuiteSummary {
	passed: number;
	failed: number;
	pending: number;
	durationMs: number;
	failures: { title: string; message: string }[];
}

export const SUMMARY_PREFIX = 'E2E_SUMMARY ';

export async function run(): Promise<void> {
	Mocha.reporters.Base.consoleLog = log;
	const mocha = new Mocha({
		ui: 'bdd',
		color: false,
		timeout: 60_000,
		reporter: 'spec',
	});
	if (process.env.MIGRATE_LENS_E2E_GREP) {
		mocha.grep(new RegExp(process.env.MIGRATE_LENS_E2E_GREP));
	}
	// The test modules are bundled into this file; defining their suites needs mocha's globals,
	// which exist only between 'pre-require' and the run.
	mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, 'extension.test.ts', mocha);
	await import('./extension.test.ts');
	mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_REQUIRE, {}, 'extension.test.ts', mocha);
	mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_POST_REQUIRE, globalThis, 'extension.test.ts', mocha);

	const started = Date.now();
	const failures: SuiteSummary['failures'] = [];
	const summary = await new Promise<SuiteSummary>((resolve) => {
		const runner = mocha.run(() => {
			resolve({
				passed: runner.stats?.passes ?? 0,
				failed: runner.stats?.failures ?? failures.length,
				pending: runner.stats?.pending ?? 0,
				durationMs: Date.now() - started,
				failures,
			});
		});
		runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err: unknown) => {
			failures.push({ title: test.fullTitle(), message: err instanceof Error ? err.message : String(err) });
		});
	});
	log(SUMMARY_PREFIX + JSON.stringify(summary));
	const out = process.env.MIGRATE_LENS_E2E_RESULTS;
	if (out) {
		fs.writeFileSync(out, JSON.stringify(summary, null, '\t') + '\n');
	}
	if (summary.failed > 0) {
		throw new Error(`${summary.failed} extension-host test(s) failed`);
	}
	if (summary.passed === 0) {
		throw new Error('no extension-host test ran');
	}
}
