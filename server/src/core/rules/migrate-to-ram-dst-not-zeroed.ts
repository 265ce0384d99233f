/*
 * migrate-to-ram-dst-not-zeroed: the system page a migrate_to_ram path allocates is mapped into
 * the process after migrate_vma_pages()/finalize whether or not the device copy into it
 * succeeded. When the copy is done by the device (DMA, a copy engine) and can fail without the
 * handler noticing, an unzeroed page hands the process whatever the allocator left in it —
 * another process's or the kernel's old data. Allocating with __GFP_ZERO (or clearing the page)
 * makes a failed copy show zeros instead.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { FunctionFacts } from '../extract/types';
import { ownPost, preTwin } from './missing-select-flags';

const ZEROING_ALLOCATORS = /^(vma_alloc_zeroed_movable_folio|get_zeroed_page|alloc_zeroed_user_highpage\w*)$/;

function zeroedAlloc(a: { callee: string; gfpFlags: string[]; zeroed: boolean }): boolean {
	return a.zeroed || a.gfpFlags.includes('__GFP_ZERO') || ZEROING_ALLOCATORS.test(a.callee);
}

/** A CPU copy cannot fail silently; a device copy can. */
function cpuCopies(fn: FunctionFacts): boolean {
	return fn.calls.some((c) => c.kind === 'page-copy');
}

function deviceCopies(fn: FunctionFacts): boolean {
	return fn.calls.some((c) => c.kind === 'dma-map');
}

export const rule: Rule = {
	id: 'migrate-to-ram-dst-not-zeroed',
	group: 'fault',
	severity: 'warning',
	title: 'migrate_to_ram destination page not zeroed although the device copy can fail',
	check(ctx: RuleContext): RuleFinding[] {
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		for (const { fn, file } of ownPost(ctx)) {
			const mtr = fn.migrateToRam;
			if (!mtr) {
				continue;
			}
			const cleared = mtr.zeroCalls.length > 0 || fn.calls.some((c) => c.kind === 'page-zero');
			for (const a of mtr.dstAllocs) {
				if (zeroedAlloc(a)) {
					// A fix: the same allocation was not zeroed before.
					if (!isNewCode(a.loc)) {
						continue;
					}
					const before = preTwin(ctx.facts, file.path, fn.name).flatMap((p) => p.migrateToRam?.dstAllocs ?? []);
					if (before.some((b) => b.callee === a.callee && !zeroedAlloc(b) && b.loc.lineKind === '-')) {
						out.push({
							severity: 'info',
							message: `This hunk fixes a stale-data exposure (kernel ${k}): the page the fault path migrates into is now zeroed, so a failed device copy shows zeros instead of old memory contents.`,
							loc: a.loc,
						});
					}
					continue;
				}
				if (!isNewCode(a.loc) || cleared || cpuCopies(fn)) {
					continue;
				}
				const device = deviceCopies(fn);
				out.push({
					severity: device ? 'warning' : 'info',
					message: device
						? `${a.callee}() gives the fault path a page that is not zeroed, and the device copy into it can fail unnoticed (kernel ${k}): the page is mapped into the process anyway and exposes whatever data it held before. Allocate it with __GFP_ZERO.`
						: `${a.callee}() gives the fault path a page that is not zeroed (kernel ${k}): if the copy into it is done by the device and can fail unnoticed, the process sees the page's old contents. Consider __GFP_ZERO.`,
					loc: a.loc,
				});
			}
		}
		return out;
	},
};
