/*
 * fault-page-relocked: from 6.15 do_swap_page() locks the device-private page before it calls
 * migrate_to_ram (and migrate_vma_setup() refuses an unlocked fault_page). A handler that locks
 * vmf->page again waits on a lock its own thread holds: the fault never returns. A trylock always
 * fails instead, so the handler gives up on every fault.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import { ownPost, preTwin } from './missing-select-flags';
import { atLeast } from '../model/kernel';

/** The kernel from which the fault path hands migrate_to_ram a locked page (SEMANTICS.md §1, §5). */
const LOCKED_BY_CORE = '6.15';

export const rule: Rule = {
	id: 'fault-page-relocked',
	group: 'fault',
	severity: 'error',
	title: 'migrate_to_ram locks the faulting page the core already locked (6.15+)',
	check(ctx: RuleContext): RuleFinding[] {
		if (!atLeast(ctx.kernel, LOCKED_BY_CORE)) {
			return [];
		}
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		for (const { fn, file } of ownPost(ctx)) {
			const mtr = fn.migrateToRam;
			if (!mtr) {
				continue;
			}
			let reported = false;
			for (const l of mtr.faultPageLocks) {
				if (!isNewCode(l.loc)) {
					continue;
				}
				reported = true;
				const trylock = /trylock/.test(l.callee);
				out.push({
					severity: trylock ? 'warning' : 'error',
					message: trylock
						? `${l.callee}(${l.argText}) always fails here (kernel ${k}): the fault path already holds the lock of the faulting page when it calls migrate_to_ram, so this handler gives up on every fault. Drop the lock call; the page is locked for you.`
						: `${l.callee}(${l.argText}) deadlocks (kernel ${k}): the fault path already holds the lock of the faulting page when it calls migrate_to_ram, so this thread waits for itself. Drop the lock (and its unlock); the page is locked for you and setup expects it locked.`,
					loc: l.loc,
					related: mtr.faultPageUnlocks.filter((u) => isNewCode(u.loc)).map((u) => ({ loc: u.loc, message: 'the matching unlock' })),
				});
			}
			if (reported) {
				continue;
			}
			// A fix: the patch removes a lock of the faulting page.
			const twins = preTwin(ctx.facts, file.path, fn.name);
			const removed = twins.some((t) => (t.migrateToRam?.faultPageLocks ?? []).some((l) => l.loc.lineKind === '-' && !/trylock/.test(l.callee)));
			if (removed && mtr.faultPageLocks.length === 0) {
				const anchor = fn.calls.find((c) => isNewCode(c.loc))?.loc
					?? fn.structs.flatMap((s) => s.assignments).find((a) => isNewCode(a.loc))?.loc;
				if (anchor) {
					out.push({
						severity: 'info',
						message: `This hunk fixes a self-deadlock (kernel ${k}): the handler no longer locks the faulting page, which the fault path already holds locked.`,
						loc: anchor,
					});
				}
			}
		}
		return out;
	},
};
