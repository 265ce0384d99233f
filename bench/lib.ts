/*
 * Shared pieces of the benchmarks: statistics, timing a child process (wall, user+sys CPU, peak
 * RSS), timing a function in this process (wall and CPU), and the result records that
 * bench/results.json is made of.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

export function median(xs: readonly number[]): number {
	if (xs.length === 0) {
		return NaN;
	}
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number {
	if (xs.length === 0) {
		return NaN;
	}
	const s = [...xs].sort((a, b) => a - b);
	const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
	return s[rank - 1]!;
}

export interface ChildRun {
	/** Wall time in ms. */
	wallMs: number;
	/** User + system CPU time in ms. */
	cpuMs: number;
	/** Peak resident set size in MB (VmHWM / ru_maxrss). */
	peakRssMb: number;
	exitCode: number;
	stdoutBytes: number;
	stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs a command and measures it. With GNU time (`/usr/bin/time -v`) CPU and peak RSS come from
 * the kernel's rusage of the child; without it, peak RSS is polled from /proc/<pid>/status and
 * CPU from /proc/<pid>/stat (less exact: the last few ms are missed).
 */
export function timeChild(cmd: string, args: readonly string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<ChildRun> {
	const haveTime = fs.existsSync(GNU_TIME);
	const report = path.join(os.tmpdir(), `ml-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
	const argv = haveTime ? ['-v', '-o', report, cmd, ...args] : [...args];
	const exe = haveTime ? GNU_TIME : cmd;
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const child = spawn(exe, argv, { cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdoutBytes = 0;
		let stderr = '';
		let hwmKb = 0;
		let cpuTicks = 0;
		child.stdout.on('data', (b: Buffer) => {
			stdoutBytes += b.length;
		});
		child.stderr.on('data', (b: Buffer) => {
			if (stderr.length < 4000) {
				stderr += b.toString('utf8');
			}
		});
		const poll = haveTime ? undefined : setInterval(() => {
			try {
				const st = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
				const m = /VmHWM:\s+(\d+)/.exec(st);
				if (m) {
					hwmKb = Math.max(hwmKb, Number(m[1]));
				}
				const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
				cpuTicks = Number(f[11]) + Number(f[12]);
			} catch {
				// the process is gone
			}
		}, 20);
		const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
		child.on('error', reject);
		child.on('close', (code) => {
			const wallMs = performance.now() - t0;
			if (poll) {
				clearInterval(poll);
			}
			if (timer) {
				clearTimeout(timer);
			}
			let cpuMs = cpuTicks * 10;
			let peakRssMb = hwmKb / 1024;
			let exitCode = code ?? -1;
			if (haveTime) {
				try {
					const r = fs.readFileSync(report, 'utf8');
					fs.rmSync(report, { force: true });
					const num = (re: RegExp): number => Number(re.exec(r)?.[1] ?? NaN);
					cpuMs = (num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/)) * 1000;
					peakRssMb = num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
					const st = /Exit status: (\d+)/.exec(r);
					if (st) {
						exitCode = Number(st[1]);
					}
				} catch {
					// keep the polled figures
				}
			}
			resolve({ wallMs, cpuMs, peakRssMb, exitCode, stdoutBytes, stderr });
		});
		if (opts.input !== undefined) {
			child.stdin.end(opts.input);
		} else {
			child.stdin.end();
		}
	});
}

/** Runs a child `n` times and returns every run. */
export async function timeChildRuns(n: number, cmd: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ChildRun[]> {
	const runs: ChildRun[] = [];
	for (let i = 0; i < n; i++) {
		runs.push(await timeChild(cmd, args, opts));
	}
	return runs;
}

export interface InProcessRun {
	wallMs: number;
	cpuMs: number;
}

/** Times `f` in this process (wall and this process's CPU). */
export function timeHere(f: () => void): InProcessRun {
	const c0 = process.cpuUsage();
	const t0 = performance.now();
	f();
	const wallMs = performance.now() - t0;
	const c = process.cpuUsage(c0);
	return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

export interface Target {
	/** What is compared, e.g. "checkpatch / warm analysis (wall)". */
	name: string;
	/** The figure as measured. */
	measured: number;
	unit: string;
	/** `>=` or `<=` limit. */
	op: '>=' | '<=';
	limit: number;
	met: boolean;
	/** The same figure on CPU time, where it applies (the machine may be loaded). */
	cpuMeasured?: number;
	cpuMet?: boolean;
	note?: string;
}

export function target(name: string, measured: number, op: '>=' | '<=', limit: number, unit: string, extra: Partial<Target> = {}): Target {
	const ok = (v: number): boolean => (op === '>=' ? v >= limit : v <= limit);
	const t: Target = { name, measured: round(measured), unit, op, limit, met: Number.isFinite(measured) && ok(measured), ...extra };
	if (extra.cpuMeasured !== undefined) {
		t.cpuMeasured = round(extra.cpuMeasured);
		t.cpuMet = Number.isFinite(extra.cpuMeasured) && ok(extra.cpuMeasured);
	}
	return t;
}

export interface BenchResult {
	id: string;
	title: string;
	/** Set when the benchmark could not run. */
	skipped?: string;
	/** Named figures (ms, MB, MB/s, …), each already a median unless the name says otherwise. */
	figures: Record<string, number | string>;
	targets: Target[];
}

export function round(x: number, digits = 3): number {
	if (!Number.isFinite(x)) {
		return x;
	}
	const f = 10 ** digits;
	return Math.round(x * f) / f;
}

export function mb(bytes: number): number {
	return bytes / (1024 * 1024);
}

/** The machine as the figures were taken (load matters on a shared 2-core box). */
export function machine(): Record<string, string | number> {
	return {
		node: process.version,
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model ?? '?',
		memGb: round(os.totalmem() / 2 ** 30, 1),
		loadAvg1: round(os.loadavg()[0]!, 2),
		platform: `${os.platform()} ${os.release()}`,
	};
}

export function log(s: string): void {
	process.stderr.write(s + '\n');
}
