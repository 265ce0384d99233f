/*
 * Big hostile inputs through `node dist/cli.js check`, run by hand (not in CI, not in
 * `npm run bench`): a 200 MB file that is one single line, and a 1 GB mbox (the corpus archive
 * repeated). Each is generated into the temporary folder, measured (wall, CPU, peak RSS, exit
 * status, the first lines of stderr/stdout) and deleted.
 *
 *   node --import tsx bench/robustness.ts [--only line,mbox]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { corpusRoot } from '../test/corpus';
import { ROOT, mb, round, timeChild } from './lib';

function writeRepeated(file: string, piece: Buffer, totalBytes: number): number {
	const fd = fs.openSync(file, 'w');
	let written = 0;
	try {
		while (written < totalBytes) {
			const n = Math.min(piece.length, totalBytes - written);
			fs.writeSync(fd, piece, 0, n);
			written += n;
		}
	} finally {
		fs.closeSync(fd);
	}
	return written;
}

async function measure(label: string, file: string): Promise<Record<string, unknown>> {
	const bytes = fs.statSync(file).size;
	const r = await timeChild(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', '--format', 'json', file], { timeoutMs: 1_800_000 });
	const out = { input: label, MB: round(mb(bytes), 1), exit: r.exitCode, wallS: round(r.wallMs / 1000, 2), cpuS: round(r.cpuMs / 1000, 2), peakRssMb: round(r.peakRssMb, 1), MBps: round(mb(bytes) / (r.wallMs / 1000), 1), stdoutBytes: r.stdoutBytes, stderr: r.stderr.split('\n').slice(0, 3).join(' | ') };
	process.stdout.write(JSON.stringify(out) + '\n');
	return out;
}

async function main(): Promise<void> {
	const only = process.argv.includes('--only') ? new Set(process.argv[process.argv.indexOf('--only') + 1]!.split(',')) : new Set(['line', 'mbox']);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-robust-'));
	try {
		if (only.has('line')) {
			const f = path.join(dir, 'one-line-200mb.txt');
			writeRepeated(f, Buffer.from('lorem ipsum > dolor @@ sit -- amet, + consectetur > > adipiscing; '), 200 * 1024 * 1024);
			await measure('200 MB, one line', f);
			fs.rmSync(f, { force: true });
		}
		if (only.has('mbox')) {
			const xz = path.join(corpusRoot, 'bulk', 'nouveau-2020.mbox.xz');
			const one = execFileSync('xz', ['-dc', xz], { maxBuffer: 256 * 1024 * 1024 });
			const f = path.join(dir, 'nouveau-1gb.mbox');
			// whole copies only, so every message stays whole
			const copies = Math.ceil((1024 * 1024 * 1024) / one.length);
			writeRepeated(f, one, one.length * copies);
			await measure(`1 GB mbox (${copies} copies of the 2020 archive)`, f);
			fs.rmSync(f, { force: true });
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((e: unknown) => {
	process.stderr.write(`robustness: ${(e as Error)?.stack ?? String(e)}\n`);
	process.exitCode = 2;
});
