/*
 * Launcher: runs the extension-host suite (out/test/e2e/index.js, see suite/index.ts) in desktop
 * VS Code through @vscode/test-electron, the usual way on a developer's machine.
 *
 *   node scripts/e2e-build.mjs && node --import tsx test/e2e/runElectron.ts
 *
 * VS Code itself: with VSCODE_EXECUTABLE_PATH set (e.g. /usr/share/code/code, or the `Code`
 * binary inside a downloaded archive) that build is used; otherwise test-electron downloads the
 * build named by VSCODE_VERSION (default `stable`) into .vscode-test/. Machines that reach only
 * the npm registry cannot download it (ENOTFOUND update.code.visualstudio.com): use
 * runCodeServer.ts there, which runs the same suite in code-server.
 *
 * The fixture workspace is copied to a temporary folder first (the suite changes settings), the
 * user's own extensions are disabled, and the suite's environment (MIGRATE_LENS_E2E_GREP,
 * MIGRATE_LENS_E2E_BREAK) is passed through. Exit status: VS Code's (0 when every test passed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { copyWorkspace } from './workspace';

const REPO = path.resolve(__dirname, '..', '..');
const SUITE_BUNDLE = path.join(REPO, 'out', 'test', 'e2e', 'index.js');

async function main(): Promise<number> {
	if (!fs.existsSync(SUITE_BUNDLE)) {
		console.error(`runElectron: ${SUITE_BUNDLE} is missing: run node scripts/e2e-build.mjs`);
		return 1;
	}
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-lens-e2e-electron-'));
	try {
		const workspace = copyWorkspace(path.join(tmp, 'workspace'));
		const resultsFile = path.join(tmp, 'summary.json');
		const extensionTestsEnv: Record<string, string | undefined> = {
			MIGRATE_LENS_E2E_RESULTS: resultsFile,
			MIGRATE_LENS_E2E_GREP: process.env.MIGRATE_LENS_E2E_GREP,
			MIGRATE_LENS_E2E_BREAK: process.env.MIGRATE_LENS_E2E_BREAK,
		};
		const code = await runTests({
			extensionDevelopmentPath: REPO,
			extensionTestsPath: SUITE_BUNDLE,
			vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
			version: process.env.VSCODE_EXECUTABLE_PATH ? undefined : (process.env.VSCODE_VERSION ?? 'stable'),
			extensionTestsEnv,
			launchArgs: [
				workspace,
				'--disable-extensions',
				'--disable-workspace-trust',
				'--skip-welcome',
				'--skip-release-notes',
				'--user-data-dir', path.join(tmp, 'user-data'),
				'--extensions-dir', path.join(tmp, 'extensions'),
			],
		});
		if (fs.existsSync(resultsFile)) {
			const s = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number };
			console.log(`extension host: ${s.passed} passed, ${s.failed} failed`);
		}
		return code;
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
	}
}

main().then((code) => process.exit(code), (e: unknown) => {
	// runTests rejects with TestRunFailedError when VS Code exits non-zero, and with the download
	// error when no VS Code can be had.
	console.error(`runElectron: ${e instanceof Error ? e.message : String(e)}`);
	process.exit(1);
});
