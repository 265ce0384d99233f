/*
 * One patch mail (the largest in the corpus), analysed in full: cold (a fresh `migrate-lens check`
 * process) and warm (the same analysis repeated in this process), against
 * `perl checkpatch.pl --no-tree` on the same file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ingestText } from '../server/src/core/ingest/index';
import { analyzeDocument } from '../server/src/core/analyze';
import { createNodeExtractor } from '../server/src/core/extract/nodeWasm';
import { corpusFiles } from '../test/corpus';
import { ROOT, log, median, round, target, timeChildRuns, timeHere, type BenchResult } from './lib';

export interface MailOptions {
	runs: number;
	warmRuns: number;
}

/** The checkpatch.pl that scripts/bench-deps.sh extracted (installing it if it can). */
export function checkpatchPath(): string | undefined {
	const cached = path.join(ROOT, '.bench-cache', 'checkpatch', 'scripts', 'checkpatch.pl');
	if (fs.existsSync(cached)) {
		return cached;
	}
	try {
		const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'bench-deps.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
		const p = out.trim().split('\n').pop() ?? '';
		return fs.existsSync(p) ? p : undefined;
	} catch {
		return undefined;
	}
}

export function largestMail(): string | undefined {
	let best: string | undefined;
	let size = -1;
	for (const f of corpusFiles('mail')) {
		const s = fs.statSync(f).size;
		if (s > size) {
			size = s;
			best = f;
		}
	}
	return best;
}

export async function benchMail(opts: MailOptions): Promise<BenchResult> {
	const id = 'mail';
	const title = 'One patch mail: analysis vs checkpatch.pl --no-tree';
	const file = largestMail();
	if (!file) {
		return { id, title, skipped: 'no corpus mails', figures: {}, targets: [] };
	}
	const cli = path.join(ROOT, 'dist', 'cli.js');
	const figures: BenchResult['figures'] = { file: path.basename(file), bytes: fs.statSync(file).size };

	// warm: the extractor loaded once, the whole analysis (read, ingest, extract, rules) repeated.
	// The parse cache and the facts memo are off here: every run parses and analyses every unit
	// again. With the parse cache on, a repeat reuses the parsed units — what an editor gets when
	// the text did not change — and that figure is reported beside, not judged. (With the facts
	// memo on as well a repeat would extract nothing at all, so it is not measured here.)
	const warmOf = async (parseCacheChars: number | undefined): Promise<{ wall: number; cpu: number; findings: number }> => {
		const extractor = await createNodeExtractor(undefined, { parseCacheChars, factsMemoChars: 0 });
		const once = (): void => {
			const text = fs.readFileSync(file, 'utf8');
			analyzeDocument(ingestText(text), extractor, {});
		};
		for (let i = 0; i < 5; i++) {
			once();
		}
		const runs = Array.from({ length: opts.warmRuns }, () => timeHere(once));
		const findings = analyzeDocument(ingestText(fs.readFileSync(file, 'utf8')), extractor, {}).findings.length;
		extractor.dispose();
		return { wall: median(runs.map((r) => r.wallMs)), cpu: median(runs.map((r) => r.cpuMs)), findings };
	};
	const warm = await warmOf(0);
	const cached = await warmOf(undefined);
	const warmWall = warm.wall;
	const warmCpu = warm.cpu;
	figures.findings = warm.findings;
	figures.warmWallMs = round(warmWall);
	figures.warmCpuMs = round(warmCpu);
	figures.warmParseCachedWallMs = round(cached.wall);
	figures.warmParseCachedCpuMs = round(cached.cpu);
	log(`mail: warm ${warmWall.toFixed(2)} ms (parse cache: ${cached.wall.toFixed(2)} ms)`);

	const cold = await timeChildRuns(opts.runs, process.execPath, [cli, 'check', '--format', 'json', file]);
	const coldWall = median(cold.map((r) => r.wallMs));
	const coldCpu = median(cold.map((r) => r.cpuMs));
	figures.coldWallMs = round(coldWall);
	figures.coldCpuMs = round(coldCpu);
	figures.coldPeakRssMb = round(median(cold.map((r) => r.peakRssMb)));
	log(`mail: cold ${coldWall.toFixed(0)} ms`);

	const targets = [];
	const cp = checkpatchPath();
	if (!cp) {
		figures.checkpatch = 'not available (run scripts/bench-deps.sh as root)';
	} else {
		const runs = await timeChildRuns(opts.runs, 'perl', [cp, '--no-tree', '--no-color', file]);
		const cpWall = median(runs.map((r) => r.wallMs));
		const cpCpu = median(runs.map((r) => r.cpuMs));
		figures.checkpatchWallMs = round(cpWall);
		figures.checkpatchCpuMs = round(cpCpu);
		figures.checkpatchExit = runs[0]!.exitCode;
		log(`mail: checkpatch ${cpWall.toFixed(0)} ms`);
		targets.push(target('checkpatch time / warm analysis time', cpWall / warmWall, '>=', 30, '×', { cpuMeasured: cpCpu / warmCpu, note: `with the parse cache: ${round(cpWall / cached.wall, 1)}× (CPU ${round(cpCpu / cached.cpu, 1)}×)` }));
		figures.coldSpeedup = round(cpWall / coldWall);
		figures.coldSpeedupCpu = round(cpCpu / coldCpu);
	}
	return { id, title, figures, targets };
}
