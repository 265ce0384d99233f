/*
 * "Copy as review comment": a plain-text account of the simulation, wrapped for a mail reply.
 * Pages with the same outcome and explanation are grouped into ranges.
 */

import type { SimulatorOrigin } from '../../common/webviewProtocol.ts';
import type { FinalPage, ScenarioVma } from '../../server/src/core/model/scenario.ts';
import { cellsAt, formatRanges, notifierVerdicts, pageDescription, rangeText, statesAt, type View } from './model.ts';

const WIDTH = 72;
const MAX_GROUPS = 8;

/** Wraps text to `width` columns; continuation lines get `indent`. */
export function wrap(text: string, width: number, first: string, indent: string): string[] {
	const words = ascii(text).split(/\s+/).filter(Boolean);
	const lines: string[] = [];
	let line = first;
	let empty = true;
	for (const word of words) {
		if (!empty && line.length + 1 + word.length > width) {
			lines.push(line);
			line = indent + word;
		} else {
			line += (empty ? '' : ' ') + word;
		}
		empty = false;
	}
	lines.push(line);
	return lines;
}

function vmaText(vma: ScenarioVma | undefined): string {
	const v = vma ?? {};
	const parts: string[] = [];
	if (v.anonymous && v.shared) {
		parts.push('MAP_SHARED|MAP_ANONYMOUS (shmem)');
	} else {
		parts.push(v.anonymous ? 'anonymous' : 'file-backed', v.shared ? 'shared' : 'private');
	}
	parts.push(`${v.read ? 'r' : '-'}${v.write ? 'w' : '-'}`);
	for (const flag of ['special', 'hugetlb', 'dax'] as const) {
		if (v[flag]) {
			parts.push(flag === 'special' ? 'VM_SPECIAL' : flag);
		}
	}
	return parts.join(', ');
}

function census(pages: readonly FinalPage[], first: number, count: number): string {
	const counts = new Map<string, number>();
	for (let i = first; i < first + count && i < pages.length; i++) {
		const key = pageDescription({ state: pages[i].state, owner: pages[i].owner });
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

/** The review comment for the current view. */
export function reviewComment(view: View, origin?: SimulatorOrigin): string {
	const out: string[] = [];
	const scenario = view.scenario;
	out.push(...wrap(`Simulated with Migrate Lens, assuming Linux ${view.result.kernel || scenario.kernel}.`, WIDTH, '', ''));
	if (origin) {
		const where = `${origin.file}:${origin.line}`;
		out.push(...wrap(`Call: ${origin.callText ? `${origin.callText} at ` : ''}${where}${origin.subject ? ` ("${origin.subject}")` : ''}`, WIDTH, '', '  '));
	}
	if (typeof scenario.title === 'string' && scenario.title) {
		out.push(...wrap(`Scenario: ${scenario.title}`, WIDTH, '', '  '));
	}
	out.push(`VMA: ${vmaText(scenario.vma)}`);
	const before = statesAt(view, 0);
	out.push(...wrap(`Pages before: ${census(before, 0, before.length)}.`, WIDTH, '', '  '));
	if (view.result.errors.length) {
		out.push('', 'The scenario is not valid:');
		for (const error of view.result.errors) {
			out.push(...wrap(error, WIDTH, '  - ', '    '));
		}
		return plain(out);
	}
	out.push('');
	for (const phase of view.phases.slice(1)) {
		const head = `${phase.step + 1}. ${phase.title}${phase.detail ? ` (${phase.detail})` : ''}${phase.outcome ? `: ${phase.outcome}` : ''}`;
		out.push(...wrap(head, WIDTH, '', '   '));
		const cells = cellsAt(view, phase.index).filter((c) => c.inRange);
		const groups = new Map<string, number[]>();
		for (const cell of cells) {
			let outcome: string;
			if (phase.op === 'setup') {
				outcome = cell.srcFlags && cell.srcFlags.length ? cell.srcFlags.join('|') : '0';
			} else {
				outcome = cell.mark === 'none' ? '' : cellMarkWord(cell.mark);
			}
			if (!outcome && !cell.why) {
				continue;
			}
			const key = `${outcome}\u0000${cell.why ?? ''}`;
			const list = groups.get(key);
			if (list) {
				list.push(cell.index);
			} else {
				groups.set(key, [cell.index]);
			}
		}
		if (typeof phase.result?.why === 'string' && phase.result.why) {
			out.push(...wrap(phase.result.why, WIDTH, '   ', '   '));
		}
		const entries = [...groups];
		for (const [key, indexes] of entries.slice(0, MAX_GROUPS)) {
			const [outcome, why] = key.split('\u0000');
			const pages = indexes.length === 1 ? `page ${indexes[0]}` : `pages ${formatRanges(indexes)}`;
			out.push(...wrap(`${pages}: ${outcome}${why ? ` - ${why}` : ''}`, WIDTH, '   - ', '     '));
		}
		if (entries.length > MAX_GROUPS) {
			out.push(`   - … and ${entries.length - MAX_GROUPS} more groups`);
		}
	}
	const after = statesAt(view, view.phases.length - 1);
	out.push('', ...wrap(`Pages after: ${census(after, 0, after.length)}.`, WIDTH, '', '  '));
	const warnings = Array.isArray(view.result.warnings) ? view.result.warnings : [];
	if (warnings.length) {
		out.push('', 'Notes from the simulator:');
		for (const warning of warnings) {
			out.push(...wrap(warning, WIDTH, '  - ', '    '));
		}
	}
	const verdicts = notifierVerdicts(view);
	if (verdicts.length) {
		out.push('', 'MMU notifier invalidations:');
		for (const v of verdicts) {
			const n = v.notification;
			const from = typeof n.step === 'number' && view.phases[n.step + 1] ? ` from ${view.phases[n.step + 1].title}` : '';
			out.push(...wrap(`${n.event}, owner ${n.owner ?? 'NULL'}, ${rangeText(n.first, n.count)}${from}: ${v.explanation}`, WIDTH, '  - ', '    '));
		}
	}
	return plain(out);
}

/** Mail-friendly punctuation for our own separators. */
function ascii(text: string): string {
	return text.replace(/ · /g, ', ').replace(/[–—]/g, '-').replace(/…/g, '...');
}

function plain(lines: string[]): string {
	return `${ascii(lines.join('\n'))}\n`;
}

function cellMarkWord(mark: string): string {
	return mark.replace(/-/g, ' ');
}
