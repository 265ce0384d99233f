/*
 * src-modified: the driver writes to src[i] after setup.
 *
 * From setup to finalize src[] is the core's record of what it locked and unmapped: pages() reads
 * it to move entries, finalize() reads it to restore or release them. An overwritten entry loses
 * its page (it stays locked, isolated, with a migration entry: CPU accesses to it hang); clearing
 * bits is outside the protocol too. The way to skip an entry is dst[i] = 0.
 *
 * Reported: writes to a src array that come after a setup call of the same function and before
 * the next finalize, and writes through the `src` of a `struct migrate_vma *` parameter in a
 * function that does not call setup itself (a helper running between setup and finalize).
 * Filling src before migrate_device_pfns() (its input) is not a write after setup.
 */
import type { FileFacts, FunctionFacts } from '../extract/types';
import { before, type Defect, FINALIZE_LIKE, kernelTag, PAGES_LIKE, runDetector, SETUP_LIKE } from './protocolShared';
import type { Rule, RuleContext } from './types';

/**
 * `args.src`, `migrate->src`: the struct's array. A bare name (`src`, `src_pfns`) only when the
 * function hands it to the API (`args.src = src`, `.src = src`, `migrate_device_pages(src, …)`):
 * drivers also keep DMA-address arrays called `src`.
 */
function isMigrationSrc(fn: FunctionFacts, arrayText: string): boolean {
	const t = arrayText.replace(/\s+/g, '');
	if (/(->|\.)src\w*$/.test(t)) {
		return true;
	}
	const bare = (x: string): string => x.replace(/[\s&()]/g, '');
	if (fn.structs.some((s) => s.assignments.some((a) => a.field === 'src' && bare(a.text) === t))) {
		return true;
	}
	if (fn.arrays.some((a) => /(->|\.)src$/.test(a.target) && bare(a.sizeText ?? '') === t)) {
		return true;
	}
	return fn.calls.some((c) => (SETUP_LIKE.has(c.kind) || PAGES_LIKE.has(c.kind) || FINALIZE_LIKE.has(c.kind)) && c.args.some((a) => bare(a) === t));
}

function detect(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	const setups = fn.calls.filter((c) => SETUP_LIKE.has(c.kind));
	const finals = fn.calls.filter((c) => FINALIZE_LIKE.has(c.kind));
	const structParams = new Set(fn.structs.filter((s) => s.how === 'param').map((s) => s.name));
	for (const w of fn.pfnWrites) {
		if (w.array !== 'src' || !isMigrationSrc(fn, w.arrayText)) {
			continue;
		}
		const after = setups.find((s) => before(s.loc, w.loc) && !finals.some((f) => before(s.loc, f.loc) && before(f.loc, w.loc)));
		let inHelper = false;
		if (!after && setups.length === 0) {
			const m = /^([A-Za-z_]\w*)\s*->\s*src$/.exec(w.arrayText.trim());
			inHelper = m !== null && structParams.has(m[1]!);
		}
		if (!after && !inHelper) {
			continue;
		}
		const clearsBits = w.operator === '&=';
		const where = after ? `after ${after.callee}()` : `in a helper that receives the struct between setup and finalize (${fn.name || 'this function'})`;
		out.push({
			key: `src:${w.arrayText}`,
			locs: [w.loc],
			severity: clearsBits ? 'warning' : 'error',
			message: `${w.arrayText}${w.indexText ? `[${w.indexText}]` : ''} is written ${where}. Between setup and finalize src[] is the core's record of which pages it locked and unmapped: `
				+ 'migrate_vma_pages() and migrate_vma_finalize() read it to move or restore each page. '
				+ (clearsBits
					? 'Changing its flags is not part of the protocol; '
					: 'An overwritten entry loses its page, which then stays locked and isolated with a migration entry in the page table, so CPU accesses to it hang; ')
				+ `to skip an entry leave dst[i] at 0 instead ${kernelTag(ctx)}.`,
			...(after ? { related: [{ loc: after.loc, message: 'the setup whose src[] this changes' }] } : {}),
		});
	}
	return out;
}

export const rule: Rule = {
	id: 'src-modified',
	group: 'protocol',
	severity: 'error',
	title: 'src[] is modified after migrate_vma_setup()',
	check(ctx) {
		return runDetector(ctx, detect, {
			message: (_d, c) => `This hunk removes a write to src[] after setup (the core's record of the locked pages is left intact now) ${kernelTag(c)}.`,
		});
	},
};
