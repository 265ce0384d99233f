/*
 * The page-by-page simulator on 1,048,576 pages: setup, copy, pages, finalize over a mixed range
 * (system pages, holes, zero pages, a few pinned ones).
 */
import { simulate } from '../server/src/core/model/simulate';
import { log, median, round, target, timeHere, type BenchResult } from './lib';

export function millionPageScenario(n = 1 << 20): unknown {
	const pages = new Array(n);
	for (let i = 0; i < n; i++) {
		pages[i] = i % 97 === 0 ? { state: 'none' } : i % 13 === 0 ? { state: 'zero' } : i % 1009 === 0 ? { state: 'system', writable: true, pinned: true } : { state: 'system', writable: true };
	}
	return {
		kernel: '6.8',
		vma: { anonymous: true, read: true, write: true },
		pages,
		steps: [
			{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: n },
			{ op: 'copy', to: 'device-private', owner: 'gpu0' },
			{ op: 'pages' },
			{ op: 'finalize' },
		],
	};
}

export function benchSimulate(runs: number): BenchResult {
	const n = 1 << 20;
	const scenario = millionPageScenario(n);
	let errors = 0;
	simulate(scenario);
	const times = Array.from({ length: runs }, () => timeHere(() => {
		errors = (simulate(scenario) as { errors: unknown[] }).errors.length;
	}));
	const wall = median(times.map((t) => t.wallMs));
	const cpu = median(times.map((t) => t.cpuMs));
	log(`simulate: ${wall.toFixed(0)} ms`);
	return {
		id: 'simulate',
		title: `Simulator: ${n.toLocaleString('en')} pages, setup+copy+pages+finalize`,
		figures: { pages: n, wallMs: round(wall), cpuMs: round(cpu), errors },
		targets: [target('1,048,576 pages', wall / 1000, '<=', 1, 's', { cpuMeasured: cpu / 1000 })],
	};
}
