/*
 * chunk-end-from-invariant: a loop migrates a range in chunks, moves the struct's start forward
 * every iteration, but computes the chunk end as `base + length` from a base that never moves
 * (typically the function's `start` parameter instead of the struct's own start).
 *
 * From the second iteration on start == end (or end < start): migrate_vma_setup() rejects the
 * empty range with -EINVAL and the loop stops, so only the first chunk is ever migrated.
 *
 * Reported when, inside a loop that calls setup and advances `S.start`, an assignment to `S.end`
 * has the form `base + …` where the base is not written in the loop, is not the struct's start,
 * and no term of the expression is the loop's progress variable (written by the update clause,
 * or tested by the loop condition and written in the body): `start + ((i + c) << PAGE_SHIFT)` moves
 * with `i` and is fine; `min(end, addr + size)` with `addr` advanced is fine; `end` alone (a clamp)
 * is fine.
 */
import type { ChunkLoop, FileFacts, FunctionFacts } from '../extract/types';
import { type Defect, kernelTag, runDetector } from './protocolShared';
import type { Rule, RuleContext } from './types';

const IDENT = /[A-Za-z_]\w*/g;

/** Left-hand sides written by an update clause: `i += c, addr = next` → i, addr. */
function updateTargets(update: string | undefined): string[] {
	if (!update) {
		return [];
	}
	const out: string[] = [];
	for (const part of update.split(',')) {
		const m = /^\s*(?:\+\+|--)?\s*([A-Za-z_][\w.>-]*?)\s*(?:\+\+|--|[-+*/|&^]?=(?!=)|<<=|>>=|$)/.exec(part);
		if (m) {
			out.push(m[1]!);
		}
	}
	return out;
}

function root(text: string): string {
	return /^[A-Za-z_]\w*/.exec(text.trim())?.[0] ?? text;
}

/** Whether an assignment to the struct's end is computed from a base that does not move. */
export function invariantEnd(loop: ChunkLoop, structVar: string, text: string, identifiers: string[]): string | undefined {
	// base + offset: the first term followed by `+` (inside min()/clamp() too)
	const m = /([A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*)\s*\+(?!\+)/.exec(text);
	if (!m) {
		return undefined;
	}
	const base = m[1]!.replace(/\s+/g, '');
	const advanced = loop.advanced.map((a) => a.replace(/\s+/g, ''));
	if (base === `${structVar}.start` || base === `${structVar}->start` || advanced.includes(base) || advanced.includes(root(base))) {
		return undefined;
	}
	const progress = new Set<string>(updateTargets(loop.updateText).map(root));
	for (const id of loop.conditionText.match(IDENT) ?? []) {
		if (advanced.some((a) => root(a) === id)) {
			progress.add(id);
		}
	}
	const ids = new Set([...identifiers, ...(text.match(IDENT) ?? [])]);
	for (const id of ids) {
		if (progress.has(id)) {
			return undefined;
		}
	}
	// a field of an advanced struct (`args.start` under another name) counts as moving
	if (/(->|\.)\s*start\b/.test(text) && new RegExp(`\\b${structVar.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*(->|\\.)\\s*start\\b`).test(text)) {
		return undefined;
	}
	return base;
}

function structStartAdvanced(loop: ChunkLoop, sv: string): boolean {
	if (loop.fieldAssigns.some((f) => f.field === 'start')) {
		return true;
	}
	const adv = loop.advanced.map((a) => a.replace(/\s+/g, ''));
	return adv.includes(`${sv}.start`) || adv.includes(`${sv}->start`);
}

/** `lenient`: accept a loop whose start advance the hunk does not show (only for "this hunk fixes"). */
function detectWith(fn: FunctionFacts, ctx: RuleContext, lenient: boolean): Defect[] {
	const out: Defect[] = [];
	for (const loop of fn.chunkLoops) {
		const sv = loop.structVar;
		if (!sv || (!lenient && !structStartAdvanced(loop, sv))) {
			continue;
		}
		const hasSetup = loop.apiCallIndexes.some((i) => fn.calls[i]?.kind === 'setup');
		if (!hasSetup) {
			continue;
		}
		for (const fa of loop.fieldAssigns) {
			if (fa.field !== 'end') {
				continue;
			}
			const base = invariantEnd(loop, sv, fa.text, fa.identifiers);
			if (!base) {
				continue;
			}
			out.push({
				key: `chunk:${sv}`,
				locs: [fa.loc],
				message: `The chunk end is computed from \`${base}\`, which this loop never moves, while ${sv}.start advances every iteration. `
					+ `From the second chunk on the range is empty or reversed, migrate_vma_setup() rejects it with -EINVAL and the loop stops: only the first chunk is migrated. `
					+ `Derive the end from ${sv}.start (and clamp it to the end of the whole range) ${kernelTag(ctx)}.`,
			});
		}
	}
	return out;
}

function detect(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	return detectWith(fn, ctx, false);
}

function detectLenient(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	return detectWith(fn, ctx, true);
}

export const rule: Rule = {
	id: 'chunk-end-from-invariant',
	group: 'protocol',
	severity: 'error',
	title: 'A chunked migration loop derives the chunk end from a value that does not move',
	check(ctx) {
		return runDetector(ctx, detect, {
			detect: detectLenient,
			loc: (post) => {
				for (const g of post) {
					for (const loop of g.chunkLoops) {
						const ends = loop.fieldAssigns.filter((f) => f.field === 'end' && f.loc.lineKind === '+');
						const fa = ends.find((f) => /(->|\.)\s*start\b/.test(f.text)) ?? ends[0];
						if (fa) {
							return fa.loc;
						}
					}
				}
				return undefined;
			},
			message: (_d, c) => `This hunk fixes a chunk end computed from a value that did not move, which migrated only the first chunk ${kernelTag(c)}.`,
		});
	},
};
