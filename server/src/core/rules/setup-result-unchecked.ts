/*
 * setup-result-unchecked: the value of migrate_vma_setup() is thrown away (or stored and never
 * tested). Setup fails only with -EINVAL, but when it does it has not cleared src[] nor reset
 * cpages, so whatever the caller does next with them works on stale or uninitialised data.
 */
import type { FunctionFacts } from '../extract/types';
import { atLeast } from '../model/kernel';
import { nameIn } from '../model/versions';
import { type Defect, kernelTag, runDetector } from './protocolShared';
import type { Rule, RuleContext } from './types';

/** Why setup can fail in the kernel in force (SEMANTICS §4.1). */
function reasons(kind: string, ctx: RuleContext): string {
	const r = ['a range outside the vma', 'a VM_SPECIAL, hugetlb or DAX vma', 'a range shorter than a page', 'NULL src or dst'];
	if (kind === 'setup' && nameIn('fault_page', ctx.kernel, 'struct migrate_vma').exists) {
		r.push(atLeast(ctx.kernel, '6.15') ? 'a fault_page that is not a locked device-private page' : 'a fault_page that is not device-private');
	}
	return r.join(', ');
}

function detect(fn: FunctionFacts, _file: unknown, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	// Code after the call is all visible: a stored result that is never tested really is unused.
	const restVisible = fn.hasRealEnd && !fn.hasGaps;
	for (const c of fn.calls) {
		if (c.kind !== 'setup' && c.kind !== 'hmm-setup') {
			continue;
		}
		const r = c.result;
		let how: string | undefined;
		if (r.kind === 'ignored') {
			how = 'its return value is discarded';
		} else if (r.kind === 'assigned' && !r.checked && restVisible) {
			how = `its result is stored in \`${r.variable ?? '?'}\` but never tested`;
		}
		if (!how) {
			continue;
		}
		out.push({
			key: `setup:${c.structVar ?? ''}`,
			locs: [c.loc],
			message: `${c.callee}() can fail with -EINVAL (${reasons(c.kind, ctx)}), and ${how}. `
				+ 'On failure setup has neither cleared src[] nor reset cpages, so the code that follows walks stale or uninitialised entries and may hand them to migrate_vma_pages()/migrate_vma_finalize(). '
				+ `Test the result and stop on error ${kernelTag(ctx)}.`,
		});
	}
	return out;
}

export const rule: Rule = {
	id: 'setup-result-unchecked',
	group: 'protocol',
	severity: 'warning',
	title: 'The result of migrate_vma_setup() is not checked',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post) => {
				for (const g of post) {
					for (const c of g.calls) {
						if ((c.kind === 'setup' || c.kind === 'hmm-setup') && c.result.checked) {
							const l = c.result.checkLoc && c.result.checkLoc.lineKind === '+' ? c.result.checkLoc : c.loc;
							if (l.lineKind === '+') {
								return l;
							}
						}
					}
				}
				return undefined;
			},
			message: (_d, c) => `This hunk fixes an unchecked migrate_vma_setup() result: the error is now tested before src[] and cpages are used ${kernelTag(c)}.`,
		});
	},
};
