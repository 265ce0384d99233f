#!/usr/bin/env node
// Bundles the extension-host suite (test/e2e/suite/index.ts and the tests it imports) into
// out/test/e2e/index.js, the `extensionTestsPath` both e2e launchers hand to VS Code.
// `vscode` is the host's; mocha is loaded from node_modules at run time.
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The bundle's path. */
export const SUITE_BUNDLE = path.join(repo, 'out', 'test', 'e2e', 'index.js');

export async function buildSuite() {
	await esbuild.build({
		absWorkingDir: repo,
		entryPoints: ['test/e2e/suite/index.ts'],
		outfile: SUITE_BUNDLE,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		sourcemap: 'inline',
		external: ['vscode', 'mocha'],
		logLevel: 'warning',
	});
	return SUITE_BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	buildSuite().then((p) => console.log(p), () => process.exit(1));
}
