/*
 * cpages-as-success: cpages read after migrate_vma_pages() as if it counted migrated pages.
 *
 * cpages is what setup selected (holes and zero-page slots included) and is never lowered by
 * migrate_vma_pages() or finalize; pages() reports per entry by clearing MIGRATE_PFN_MIGRATE in
 * src[]. Returning, storing, comparing or testing cpages after pages() therefore reports entries
 * that did not move as migrated. Debug prints are left alone. Reads before pages() (the usual
 * `if (!cpages) return 0;`) are the right use.
 */
import type { FileFacts, FunctionFacts } from '../extract/types';
import { before, type Defect, kernelTag, PAGES_LIKE, runDetector, sameStruct } from './protocolShared';
import type { Rule, RuleContext } from './types';

const PRINT = /^\s*(pr_\w+|dev_\w+|drm_\w+|DRM_\w+|NV_\w+|SVM_\w+|printk|trace_\w+|WARN\w*|BUG_ON|VM_BUG_ON\w*|seq_printf)\s*\(/;

function detect(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	const pages = fn.calls.filter((c) => PAGES_LIKE.has(c.kind));
	for (const u of fn.cpagesUses) {
		const p = pages.find((c) => sameStruct(c.structVar, u.structVar) && before(c.loc, u.loc));
		if (!p) {
			continue;
		}
		if (u.context === 'other' || PRINT.test(u.contextText)) {
			continue;
		}
		const how = u.context === 'return' ? 'returned' : u.context === 'assign' ? 'stored' : u.context === 'argument' ? 'passed on' : 'tested';
		out.push({
			key: `cpages:${u.structVar}`,
			locs: [u.loc],
			message: `${u.text} is ${how} after ${p.callee}() as if it counted migrated pages. It counts what setup selected (holes included) and ${p.callee}() never lowers it: `
				+ 'entries that failed to migrate (an extra reference, a page-cache page, no destination) only lose MIGRATE_PFN_MIGRATE in src[]. '
				+ `Count the src entries that still have MIGRATE_PFN_MIGRATE instead ${kernelTag(ctx)}.`,
			related: [{ loc: p.loc, message: 'the migrate_vma_pages() call that decides per entry' }],
		});
	}
	return out;
}

export const rule: Rule = {
	id: 'cpages-as-success',
	group: 'protocol',
	severity: 'warning',
	title: 'cpages is used as the number of migrated pages',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post) => {
				for (const g of post) {
					const t = g.pfnTests.find((x) => x.flags.includes('MIGRATE_PFN_MIGRATE') && x.loc.lineKind === '+');
					if (t) {
						return t.loc;
					}
				}
				return undefined;
			},
			message: (_d, c) => `This hunk stops treating cpages as the count of migrated pages (success is read from MIGRATE_PFN_MIGRATE per entry) ${kernelTag(c)}.`,
		});
	},
};
