#!/usr/bin/env node
// The whole end-to-end run in one command: install code-server if missing, build the extension
// and the extension-host suite, package the .vsix, run the suite inside the real extension host
// (code-server + Chromium), then the UI tests against the installed .vsix. Closes with one line
// `e2e: N passed, N failed` (and skipped); exits non-zero when anything failed.
//
//   node scripts/e2e-run.mjs               everything
//   node scripts/e2e-run.mjs --only=suite  the extension-host suite only (--only=ui: the UI tests)
//   node scripts/e2e-run.mjs --break       the suite with an expected diagnostic taken away
//                                          (MIGRATE_LENS_E2E_BREAK=missing-diagnostic): must fail
//   node scripts/e2e-run.mjs --dev         test the development build (source maps) instead of
//                                          the production build a release packages
//
// Needs Debian's chromium and ripgrep (scripts/system-deps.sh). Logs and screenshots go to
// test-results/e2e/.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSuite } from './e2e-build.mjs';
import { ensureCodeServer } from './e2e-install.mjs';
import { packageVsix, zipEntries } from './e2e-package.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(repo, 'test-results', 'e2e');
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const breakSuite = args.includes('--break');
const started = Date.now();

function elapsed(since = started) {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function say(m) {
	console.log(`e2e: ${m}`);
}

/** Runs a command with inherited output; resolves with its exit code (killed after `timeoutMs`). */
function run(cmd, cmdArgs, { env = {}, timeoutMs = 600_000 } = {}) {
	return new Promise((resolve) => {
		const child = spawn(cmd, cmdArgs, { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env } });
		const timer = setTimeout(() => {
			console.error(`e2e: ${path.basename(cmd)} ${cmdArgs.join(' ')} took longer than ${timeoutMs / 1000} s; stopping it`);
			child.kill('SIGTERM');
		}, timeoutMs);
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			resolve(code ?? (signal ? 1 : 0));
		});
	});
}

function requireTool(p, what) {
	if (!fs.existsSync(p)) {
		throw new Error(`${what} is missing (${p}): run scripts/system-deps.sh`);
	}
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

async function main() {
	fs.mkdirSync(results, { recursive: true });
	requireTool(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', 'Chromium');

	let t = Date.now();
	ensureCodeServer();
	say(`code-server ready (${elapsed(t)})`);

	t = Date.now();
	// The production build (minified, no source maps) is what a release packages; --dev keeps maps.
	const buildArgs = args.includes('--dev') ? ['esbuild.mjs'] : ['esbuild.mjs', '--production'];
	if (await run(process.execPath, buildArgs) !== 0) {
		throw new Error(`the extension did not build (node ${buildArgs.join(' ')})`);
	}
	await buildSuite();
	say(`built the extension and the suite (${elapsed(t)})`);

	let vsix;
	if (only !== 'suite') {
		t = Date.now();
		try {
			vsix = packageVsix({ quiet: true });
			say(`packaged ${path.relative(repo, vsix)}: ${fs.statSync(vsix).size} bytes, ${zipEntries(vsix).length} files (${elapsed(t)})`);
			counts.passed++;
		} catch (e) {
			counts.failed++;
			failures.push(`packaging: ${e instanceof Error ? e.message : String(e)}`);
		}
	}

	if (only !== 'ui') {
		t = Date.now();
		say('extension-host suite (code-server + Chromium)');
		const summaryFile = path.join(results, 'suite-summary.json');
		fs.rmSync(summaryFile, { force: true });
		const env = breakSuite ? { MIGRATE_LENS_E2E_BREAK: 'missing-diagnostic' } : {};
		const code = await run(process.execPath, ['--import', 'tsx', 'test/e2e/runCodeServer.ts'], { env });
		if (fs.existsSync(summaryFile)) {
			const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
			counts.passed += s.passed;
			counts.failed += s.failed;
			counts.skipped += s.pending;
			for (const f of s.failures) {
				failures.push(`suite: ${f.title}: ${f.message.split('\n')[0]}`);
			}
		}
		if (code !== 0 && !fs.existsSync(summaryFile)) {
			counts.failed++;
			failures.push(`suite: the launcher failed (exit ${code}) before the suite reported`);
		}
		say(`extension-host suite done (${elapsed(t)})`);
	}

	if (only !== 'suite' && vsix) {
		t = Date.now();
		say('UI tests (the .vsix installed into code-server)');
		const tap = path.join(results, 'ui.tap');
		fs.rmSync(tap, { force: true });
		const code = await run(process.execPath, [
			'--import', 'tsx', '--test',
			'--test-reporter=spec', '--test-reporter-destination=stdout',
			'--test-reporter=tap', `--test-reporter-destination=${tap}`,
			'test/e2e/ui.test.ts',
		], { env: { MIGRATE_LENS_E2E_VSIX: vsix } });
		const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
		const num = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
		const pass = num('pass');
		const fail = num('fail') + num('cancelled');
		counts.passed += pass;
		counts.failed += fail;
		counts.skipped += num('skipped') + num('todo');
		for (const m of text.matchAll(/^\s*not ok \d+ - (.*)$/gm)) {
			if (!/^Migrate Lens in code-server/.test(m[1])) {
				failures.push(`ui: ${m[1]}`);
			}
		}
		if (code !== 0 && fail === 0) {
			counts.failed++;
			failures.push(`ui: the test run failed (exit ${code})`);
		}
		say(`UI tests done (${elapsed(t)})`);
	}
}

let crashed;
try {
	await main();
} catch (e) {
	crashed = e instanceof Error ? e.message : String(e);
	counts.failed++;
	failures.push(crashed);
}
for (const f of failures) {
	console.log(`e2e: FAILED ${f}`);
}
console.log(`e2e: finished in ${elapsed()}; logs and screenshots in ${path.relative(repo, results)}/`);
console.log(`e2e: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`);
process.exit(counts.failed > 0 ? 1 : 0);
