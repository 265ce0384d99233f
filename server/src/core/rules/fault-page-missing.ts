/*
 * fault-page-missing: from 6.1 a migrate_to_ram handler must tell setup which page it was called
 * for (`fault_page = vmf->page`). The fault path holds an extra reference on that page; without
 * fault_page the core counts it as an unexpected reference, thinks the page is pinned, and leaves
 * it where it is — the handler returns, the CPU touches the address again, and the fault repeats.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import { apiSettled, assignmentsTo, firstNew, ownPost, preTwin, setupCallsOf, structFullyVisible } from './missing-select-flags';

export const rule: Rule = {
	id: 'fault-page-missing',
	group: 'fault',
	severity: 'error',
	title: 'migrate_to_ram without fault_page (6.1+): the faulting page looks pinned and never migrates',
	check(ctx: RuleContext): RuleFinding[] {
		if (!apiSettled(ctx, 'fault_page', 'struct migrate_vma')) {
			return [];
		}
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		for (const { fn, file } of ownPost(ctx)) {
			const mtr = fn.migrateToRam;
			if (!mtr) {
				continue;
			}
			for (const s of fn.structs) {
				const fp = assignmentsTo(s, 'fault_page');
				if (fp.length > 0) {
					const added = fp.find((a) => isNewCode(a.loc));
					const twin = preTwin(ctx.facts, file.path, fn.name).flatMap((p) => p.structs).find((p) => p.name === s.name);
					if (added && twin && assignmentsTo(twin, 'fault_page').length === 0) {
						out.push({
							severity: 'info',
							message: `This hunk fixes a migrate_to_ram path that did not pass fault_page (kernel ${k}): the core now accounts for the fault's own reference, so the faulting page can migrate.`,
							loc: added.loc,
						});
					}
					continue;
				}
				if (!structFullyVisible(ctx.message, fn, s)) {
					continue;
				}
				const setup = setupCallsOf(fn, s)[0]!;
				const anchor = firstNew([s.declLoc, setup.loc, ...s.assignments.map((a) => a.loc)]);
				if (!anchor) {
					continue;
				}
				out.push({
					message: `This migrate_to_ram path sets up the migration without fault_page (kernel ${k}): the fault holds an extra reference on the faulting page, setup takes it for a pin and skips the page, so nothing migrates and the CPU fault repeats forever. Set \`.fault_page = ${mtr.vmfParam}->page\`.`,
					loc: anchor,
					related: anchor === setup.loc ? undefined : [{ loc: setup.loc, message: 'the migrate_vma_setup() call that gets this struct' }],
				});
			}
		}
		return out;
	},
};
