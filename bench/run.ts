/*
 * `npm run bench`: every performance target of the project, each measured as the median of
 * several runs and, where there is one, as a ratio against a baseline run in the same invocation.
 * Prints a table and writes bench/results.json. Timing targets live here, never in tests.
 *
 *   npm run bench [-- --only mail,bulk,lsp,simulate,vsix,activation] [--quick] [--no-build]
 *
 * `activation` runs the extension in code-server with Chromium (see bench/activation.ts); it builds
 * its own production .vsix whatever --no-build says, and is skipped when either is missing.
 *
 * The machine may be shared: every figure is given in wall time and in CPU time (user+sys).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { benchMail } from './mail';
import { benchBulk } from './bulk';
import { benchLsp } from './lsp';
import { benchSimulate } from './simulate';
import { benchVsix } from './vsix';
import { benchActivation } from './activation';
import { ROOT, log, machine, type BenchResult, type Target } from './lib';

const ALL = ['mail', 'bulk', 'lsp', 'simulate', 'vsix', 'activation'] as const;
type Id = (typeof ALL)[number];

interface Args {
	only: Set<Id>;
	quick: boolean;
	build: boolean;
	out: string;
}

function parseArgs(argv: string[]): Args {
	const a: Args = { only: new Set(ALL), quick: false, build: true, out: path.join(ROOT, 'bench', 'results.json') };
	for (let i = 0; i < argv.length; i++) {
		const x = argv[i]!;
		if (x === '--quick') {
			a.quick = true;
		} else if (x === '--no-build') {
			a.build = false;
		} else if (x === '--only' || x.startsWith('--only=')) {
			const v = x.includes('=') ? x.slice(x.indexOf('=') + 1) : argv[++i] ?? '';
			const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
			for (const id of ids) {
				if (!(ALL as readonly string[]).includes(id)) {
					throw new Error(`unknown benchmark '${id}' (${ALL.join(', ')})`);
				}
			}
			a.only = new Set(ids as Id[]);
		} else if (x === '--out' || x.startsWith('--out=')) {
			a.out = path.resolve(x.includes('=') ? x.slice(x.indexOf('=') + 1) : argv[++i] ?? a.out);
		} else {
			throw new Error(`unknown option '${x}'`);
		}
	}
	return a;
}

function fmtTarget(t: Target): string {
	const cpu = t.cpuMeasured !== undefined ? ` (CPU: ${t.cpuMeasured} ${t.unit}, ${t.cpuMet ? 'met' : 'not met'})` : '';
	return `${t.met ? 'MET    ' : 'NOT MET'}  ${t.name}: ${t.measured} ${t.unit} (target ${t.op} ${t.limit} ${t.unit})${cpu}${t.note ? ` — ${t.note}` : ''}`;
}

function print(results: BenchResult[]): void {
	const lines: string[] = [];
	for (const r of results) {
		lines.push('');
		lines.push(`== ${r.title} [${r.id}]`);
		if (r.skipped) {
			lines.push(`   skipped: ${r.skipped}`);
		}
		const keys = Object.keys(r.figures);
		const w = Math.max(0, ...keys.map((k) => k.length));
		for (const k of keys) {
			lines.push(`   ${k.padEnd(w)}  ${r.figures[k]}`);
		}
		for (const t of r.targets) {
			lines.push(`   ${fmtTarget(t)}`);
		}
	}
	const all = results.flatMap((r) => r.targets);
	lines.push('');
	lines.push(`targets met: ${all.filter((t) => t.met).length} of ${all.length}`);
	process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	if (args.build) {
		log('building dist/ (node esbuild.mjs)…');
		execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
	}
	const runs = args.quick ? 3 : 5;
	const results: BenchResult[] = [];
	const started = new Date().toISOString();
	const m0 = machine();
	const run = async (id: Id, f: () => Promise<BenchResult> | BenchResult): Promise<void> => {
		if (!args.only.has(id)) {
			return;
		}
		try {
			results.push(await f());
		} catch (e) {
			results.push({ id, title: id, skipped: `failed: ${(e as Error).stack ?? String(e)}`, figures: {}, targets: [] });
		}
	};
	await run('mail', () => benchMail({ runs, warmRuns: args.quick ? 20 : 50 }));
	await run('simulate', () => benchSimulate(runs));
	await run('lsp', () => benchLsp({ edits: args.quick ? 50 : 200, hovers: args.quick ? 50 : 200 }));
	await run('vsix', () => benchVsix(true));
	await run('activation', () => benchActivation(runs));
	await run('bulk', () => benchBulk({ runs: args.quick ? 1 : 3, copies: 8 }));
	print(results);
	const out = { started, finished: new Date().toISOString(), machineAtStart: m0, machineAtEnd: machine(), results };
	fs.writeFileSync(args.out, JSON.stringify(out, null, '\t') + '\n');
	log(`wrote ${path.relative(process.cwd(), args.out)}`);
}

main().catch((e: unknown) => {
	process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
	process.exitCode = 2;
});
