/*
 * The 2020 nouveau list archive (33 MB) and the same archive eight times over (~260 MB) through
 * `node dist/cli.js check`, against `grep -c migrate_vma` on the same file: wall time, CPU time,
 * throughput and peak RSS. The unpacked files live in a temporary folder, removed afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { corpusRoot } from '../test/corpus';
import { ROOT, log, mb, median, round, target, timeChildRuns, type BenchResult, type ChildRun } from './lib';

export interface BulkOptions {
	runs: number;
	/** How many copies the big file holds. */
	copies: number;
}

function unpack(dir: string): string | undefined {
	const xz = path.join(corpusRoot, 'bulk', 'nouveau-2020.mbox.xz');
	if (!fs.existsSync(xz)) {
		return undefined;
	}
	const out = path.join(dir, 'nouveau-2020.mbox');
	const fd = fs.openSync(out, 'w');
	try {
		execFileSync('xz', ['-dc', xz], { stdio: ['ignore', fd, 'inherit'] });
	} finally {
		fs.closeSync(fd);
	}
	return out;
}

function repeat(src: string, copies: number, out: string): void {
	const data = fs.readFileSync(src);
	const fd = fs.openSync(out, 'w');
	try {
		for (let i = 0; i < copies; i++) {
			fs.writeSync(fd, data);
		}
	} finally {
		fs.closeSync(fd);
	}
}

function summary(runs: ChildRun[]): { wall: number; cpu: number; rss: number } {
	return { wall: median(runs.map((r) => r.wallMs)), cpu: median(runs.map((r) => r.cpuMs)), rss: Math.max(...runs.map((r) => r.peakRssMb)) };
}

export async function benchBulk(opts: BulkOptions): Promise<BenchResult> {
	const id = 'bulk';
	const title = 'Whole-list mbox: migrate-lens check vs grep -c migrate_vma';
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-bench-bulk-'));
	try {
		let one: string | undefined;
		try {
			one = unpack(dir);
		} catch (e) {
			return { id, title, skipped: `xz failed: ${(e as Error).message.split('\n')[0]}`, figures: {}, targets: [] };
		}
		if (!one) {
			return { id, title, skipped: 'corpus bulk mbox not found', figures: {}, targets: [] };
		}
		const big = path.join(dir, `nouveau-2020-x${opts.copies}.mbox`);
		repeat(one, opts.copies, big);
		const cli = path.join(ROOT, 'dist', 'cli.js');
		const figures: BenchResult['figures'] = {};
		const targets = [];
		for (const [label, file] of [['x1', one], [`x${opts.copies}`, big]] as const) {
			const bytes = fs.statSync(file).size;
			figures[`${label}.MB`] = round(mb(bytes), 1);
			const ml = await timeChildRuns(opts.runs, process.execPath, [cli, 'check', '--format', 'json', file], { timeoutMs: 600_000 });
			const bad = ml.find((r) => r.exitCode !== 0 && r.exitCode !== 1);
			if (bad) {
				figures[`${label}.error`] = `exit ${bad.exitCode}: ${bad.stderr.slice(0, 300)}`;
			}
			const s = summary(ml);
			const g = summary(await timeChildRuns(Math.max(opts.runs, 5), 'grep', ['-c', 'migrate_vma', file]));
			figures[`${label}.wallMs`] = round(s.wall);
			figures[`${label}.cpuMs`] = round(s.cpu);
			figures[`${label}.MBps`] = round(mb(bytes) / (s.wall / 1000), 1);
			figures[`${label}.MBpsCpu`] = round(mb(bytes) / (s.cpu / 1000), 1);
			figures[`${label}.peakRssMb`] = round(s.rss, 1);
			figures[`${label}.grepWallMs`] = round(g.wall);
			figures[`${label}.grepCpuMs`] = round(g.cpu);
			figures[`${label}.ratioToGrep`] = round(s.wall / g.wall, 1);
			figures[`${label}.ratioToGrepCpu`] = round(s.cpu / Math.max(g.cpu, 1), 1);
			log(`bulk ${label}: ${s.wall.toFixed(0)} ms wall, ${s.cpu.toFixed(0)} ms cpu, ${s.rss.toFixed(0)} MB; grep ${g.wall.toFixed(0)} ms`);
			if (label !== 'x1') {
				targets.push(target(`${label} (${round(mb(bytes), 0)} MB) wall time`, s.wall / 1000, '<=', 5, 's', { cpuMeasured: s.cpu / 1000 }));
				targets.push(target(`${label} peak RSS`, s.rss, '<=', 400, 'MB'));
				targets.push(target(`${label} time / grep time`, s.wall / g.wall, '<=', 35, '×', { cpuMeasured: s.cpu / Math.max(g.cpu, 1) }));
			}
		}
		return { id, title, figures, targets };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
