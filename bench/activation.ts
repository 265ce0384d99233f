/*
 * Extension activation in a real VS Code: code-server's extension host, its workbench in headless
 * Chromium, driven as the e2e suite is (test/e2e/runCodeServer.ts). Each run starts a fresh
 * sandboxed code-server with
 *   - Migrate Lens as a user gets it: a production build (`esbuild.mjs --production`) packaged
 *     with vsce and installed with `code-server --install-extension`;
 *   - the baseline: an empty extension (its activate() does nothing), loaded as the development
 *     extension;
 * and the probe test/e2e/suite/activation.ts as the tests entry. In the host, the probe activates
 * the baseline, then Migrate Lens, timing each `Extension.activate()` from the outside (and the
 * host's CPU over it), reads the timestamps the extension took itself (MigrateLensApi.timings:
 * bundle loaded, activate() entered and left, language client running), opens
 * examples/gpux-svm-migrate.patch and waits for its first diagnostics.
 *
 * The production bundles are built in .bench-cache/activation/stage (sources linked in), never in
 * dist/, which this benchmark neither reads nor changes. Skipped when Chromium or code-server is
 * missing (scripts/system-deps.sh, node scripts/e2e-install.mjs). No target: the figures are
 * reported as measured, the activate() time also as a ratio to the baseline's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { codeServerEntry } from '../test/e2e/codeServer';
import { runSuiteInCodeServer } from '../test/e2e/runCodeServer';
import type { ProbeResult } from '../test/e2e/suite/activation';
import { ROOT, log, median, round, type BenchResult } from './lib';

const WORK = path.join(ROOT, '.bench-cache', 'activation');
const EXAMPLE = path.join(ROOT, 'examples', 'gpux-svm-migrate.patch');
const BASELINE_ID = 'migrate-lens-bench.activation-baseline';

/** Links the sources into `stage`, builds the production bundles there, packages them; returns the .vsix. */
function packageProduction(stage: string): string {
	fs.rmSync(stage, { recursive: true, force: true });
	fs.mkdirSync(path.join(stage, 'media'), { recursive: true });
	// Everything but generated, installed and hidden folders (.vscodeignore excepted); the build
	// writes dist/ and media/dist/ here.
	const skip = new Set(['dist', 'media', 'node_modules', 'out', 'test-results']);
	for (const name of fs.readdirSync(ROOT)) {
		if (!skip.has(name) && !name.endsWith('.vsix') && (!name.startsWith('.') || name === '.vscodeignore')) {
			fs.symlinkSync(path.join(ROOT, name), path.join(stage, name));
		}
	}
	for (const name of fs.readdirSync(path.join(ROOT, 'media'))) {
		if (name !== 'dist') {
			fs.symlinkSync(path.join(ROOT, 'media', name), path.join(stage, 'media', name));
		}
	}
	execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs'), '--production'], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
	const vsix = path.join(WORK, 'migrate-lens-production.vsix');
	fs.rmSync(vsix, { force: true });
	const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
	execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--follow-symlinks', '--out', vsix], { cwd: stage, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
	fs.rmSync(stage, { recursive: true, force: true });
	return vsix;
}

/** The baseline: an extension whose activate() does nothing, stamped like Migrate Lens's. */
function writeBaseline(dir: string): void {
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	const [publisher, name] = BASELINE_ID.split('.');
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
		name,
		publisher,
		version: '0.0.0',
		engines: { vscode: '^1.100.0' },
		main: './extension.js',
		activationEvents: [],
	}, null, '\t') + '\n');
	fs.writeFileSync(path.join(dir, 'extension.js'), [
		'const loaded = performance.now();',
		'exports.activate = () => {',
		'\tconst activateStart = performance.now();',
		'\treturn { timings: { loaded, activateStart, activateEnd: performance.now() } };',
		'};',
		'',
	].join('\n'));
}

async function buildProbe(outfile: string): Promise<void> {
	await esbuild.build({
		absWorkingDir: ROOT,
		entryPoints: ['test/e2e/suite/activation.ts'],
		outfile,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		external: ['vscode'],
		logLevel: 'warning',
	});
}

function codeServerVersion(entry: string): string {
	try {
		return String(JSON.parse(fs.readFileSync(path.resolve(entry, '..', '..', '..', 'package.json'), 'utf8')).version);
	} catch {
		return '?';
	}
}

export async function benchActivation(runs: number): Promise<BenchResult> {
	const id = 'activation';
	const title = 'Extension activation in a real VS Code (code-server + Chromium)';
	const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!fs.existsSync(chromium)) {
		return { id, title, skipped: `Chromium not found at ${chromium} (scripts/system-deps.sh installs it; or set CHROMIUM_PATH)`, figures: {}, targets: [] };
	}
	let entry: string;
	try {
		entry = codeServerEntry();
	} catch {
		return { id, title, skipped: 'code-server is not installed in .e2e/ (node scripts/e2e-install.mjs installs it from npm)', figures: {}, targets: [] };
	}

	fs.mkdirSync(WORK, { recursive: true });
	log('activation: production build and .vsix…');
	const vsix = packageProduction(path.join(WORK, 'stage'));
	const baselineDir = path.join(WORK, 'baseline');
	writeBaseline(baselineDir);
	const probe = path.join(WORK, 'probe.js');
	await buildProbe(probe);
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string };
	const extensionId = `${pkg.publisher}.${pkg.name}`;

	const results: ProbeResult[] = [];
	for (let i = 0; i < runs; i++) {
		const r = await runSuiteInCodeServer({
			extensionPath: baselineDir,
			testsPath: probe,
			install: [vsix],
			logName: 'bench-activation',
			timeoutMs: 180_000,
			env: {
				MIGRATE_LENS_BENCH_EXTENSION: extensionId,
				MIGRATE_LENS_BENCH_BASELINE: BASELINE_ID,
				MIGRATE_LENS_BENCH_PATCH: EXAMPLE,
			},
		});
		if (r.exitCode !== 0 || r.results === undefined) {
			throw new Error(`run ${i + 1}: the probe failed (exit ${r.exitCode ?? 'none'}; logs in test-results/e2e/bench-activation-*.log)\n${r.log.slice(-20).join('\n')}`);
		}
		const p = r.results as ProbeResult;
		if (p.extension.extensionPath.startsWith(ROOT + path.sep)) {
			throw new Error(`run ${i + 1}: the host loaded ${extensionId} from ${p.extension.extensionPath}, not from the installed .vsix`);
		}
		results.push(p);
		const e = p.extension;
		log(`activation: run ${i + 1}/${runs}: activate() ${(e.resolved - e.requested).toFixed(1)} ms (baseline ${(p.baseline.resolved - p.baseline.requested).toFixed(1)} ms), first diagnostics ${(e.firstDiagnostics - e.requested).toFixed(0)} ms after the request`);
	}

	const med = (f: (p: ProbeResult) => number): number => round(median(results.map(f)), 1);
	const each = (f: (p: ProbeResult) => number): string => results.map((p) => f(p).toFixed(1)).join(', ');
	const activate = med((p) => p.extension.resolved - p.extension.requested);
	const activateCpu = med((p) => p.extension.cpuMs);
	const base = med((p) => p.baseline.resolved - p.baseline.requested);
	const baseCpu = med((p) => p.baseline.cpuMs);
	const figures: BenchResult['figures'] = {
		runs,
		vscode: `${results[0]!.vscodeVersion} (code-server ${codeServerVersion(entry)})`,
		extension: 'production build, installed from its .vsix',
		baseline: 'an empty extension (activate() returns at once), activated first in the same host',
		// Extension.activate() as the host serves it: load dist/client.js, make the context, call activate().
		activateWallMs: activate,
		activateCpuMs: activateCpu,
		// Of which: from the request until the bundle's own code ran (the host's work plus loading the bundle) …
		bundleLoadedMs: med((p) => p.extension.timings.loaded - p.extension.requested),
		baselineBundleLoadedMs: med((p) => p.baseline.timings.loaded - p.baseline.requested),
		// … and activate() itself, entry to return.
		activateBodyMs: med((p) => p.extension.timings.activateEnd - p.extension.timings.activateStart),
		baselineActivateWallMs: base,
		baselineActivateCpuMs: baseCpu,
		ratioToBaseline: round(activate / base, 1),
		ratioToBaselineCpu: round(activateCpu / Math.max(baseCpu, 0.001), 1),
		// After activate() returned: the language server forked and answering (initialize done) …
		clientReadyAfterActivateMs: med((p) => p.extension.timings.clientReady! - p.extension.timings.activateEnd),
		// … and the example patch's first diagnostics (opened as soon as activate() resolved).
		firstDiagnosticsAfterActivateMs: med((p) => p.extension.firstDiagnostics - p.extension.resolved),
		// The whole way, as a user opening the patch waits: activate() requested → diagnostics shown.
		firstDiagnosticsAfterRequestMs: med((p) => p.extension.firstDiagnostics - p.extension.requested),
		diagnostics: `${results[0]!.extension.diagnostics} on ${path.relative(ROOT, EXAMPLE)}`,
		// The spread (the machine may be shared).
		activateWallMsEachRun: each((p) => p.extension.resolved - p.extension.requested),
		firstDiagnosticsAfterRequestMsEachRun: each((p) => p.extension.firstDiagnostics - p.extension.requested),
	};
	return { id, title, figures, targets: [] };
}
