/*
 * migrate-to-ram-sigbus: VM_FAULT_SIGBUS from migrate_to_ram kills the faulting process; it is
 * meant for unrecoverable device errors only (a failed setup, i.e. -EINVAL, is also commonly
 * mapped to it). Two recoverable cases get it by mistake:
 * - setup selected nothing (cpages == 0, or the entry lost MIGRATE): someone else migrated or
 *   freed the page meanwhile; returning 0 lets the CPU retry the access, which then succeeds;
 * - the system page could not be allocated: VM_FAULT_OOM lets the OOM handling run instead of
 *   killing the process with a bus error.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { FaultReturn, FunctionFacts } from '../extract/types';
import { ownPost, preTwin } from './missing-select-flags';

type Why = 'not-selected' | 'alloc';

function escapeRe(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a condition says "variable v is NULL / an error". */
function testsMissing(cond: string, v: string): boolean {
	const e = escapeRe(v);
	return new RegExp(`(^|[^\\w>.])!\\s*\\(?\\s*${e}\\s*\\)?(?![\\w\\[.-])`).test(cond)
		|| new RegExp(`\\b${e}\\s*==\\s*NULL\\b`).test(cond)
		|| new RegExp(`\\bNULL\\s*==\\s*${e}\\b`).test(cond)
		|| new RegExp(`\\bIS_ERR(?:_OR_NULL)?\\s*\\(\\s*${e}\\s*\\)`).test(cond);
}

function classify(fn: FunctionFacts, r: FaultReturn): Why | undefined {
	if (!r.vmFault.includes('VM_FAULT_SIGBUS') || r.afterSetupFailure) {
		return undefined;
	}
	const conds = r.conditions;
	const allocVars = fn.calls.filter((c) => c.kind === 'page-alloc' && c.result.variable).map((c) => c.result.variable!);
	const srcVars = fn.pageUses.filter((p) => p.from !== 'dst' && p.variable).map((p) => p.variable!);
	for (const c of conds) {
		if (/!\s*\(?\s*[\w.>-]*\bcpages\b\s*\)?(?!\s*[=<>!])/.test(c) || /\bcpages\s*(==|<=)\s*0\b/.test(c) || /\b0\s*==\s*[\w.>-]*cpages\b/.test(c)) {
			return 'not-selected';
		}
		if (/!\s*\([^()]*&\s*MIGRATE_PFN_MIGRATE\s*\)/.test(c)) {
			return 'not-selected';
		}
		if (srcVars.some((v) => testsMissing(c, v))) {
			return 'not-selected';
		}
	}
	for (const c of conds) {
		if (allocVars.some((v) => testsMissing(c, v))) {
			return 'alloc';
		}
	}
	return undefined;
}

function all(fn: FunctionFacts): FaultReturn[] {
	const m = fn.migrateToRam;
	return m ? [...m.returns, ...m.faultValueAssigns] : [];
}

export const rule: Rule = {
	id: 'migrate-to-ram-sigbus',
	group: 'fault',
	severity: 'warning',
	title: 'migrate_to_ram returns VM_FAULT_SIGBUS for a recoverable case',
	check(ctx: RuleContext): RuleFinding[] {
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		for (const { fn, file } of ownPost(ctx)) {
			if (!fn.migrateToRam) {
				continue;
			}
			const found = new Set<Why>();
			for (const r of all(fn)) {
				const why = classify(fn, r);
				if (!why) {
					continue;
				}
				found.add(why);
				if (!isNewCode(r.loc)) {
					continue;
				}
				out.push(why === 'not-selected'
					? {
						severity: 'warning',
						message: `VM_FAULT_SIGBUS when setup selected nothing kills the process for a benign race (kernel ${k}): the page was migrated or freed by someone else meanwhile. Return 0 so the CPU retries the access, which then finds the page in place.`,
						loc: r.loc,
					}
					: {
						severity: 'info',
						message: `VM_FAULT_SIGBUS on a failed page allocation turns memory pressure into a bus error (kernel ${k}); VM_FAULT_OOM lets the kernel's out-of-memory handling run instead of killing the process outright.`,
						loc: r.loc,
					});
			}
			// A fix: the pre-image answered one of these cases with SIGBUS, the post-image no longer does.
			for (const twin of preTwin(ctx.facts, file.path, fn.name)) {
				for (const r of all(twin)) {
					const why = classify(twin, r);
					if (!why || found.has(why) || r.loc.lineKind !== '-') {
						continue;
					}
					const anchor = all(fn).find((x) => isNewCode(x.loc))?.loc;
					if (anchor) {
						found.add(why);
						out.push({
							severity: 'info',
							message: why === 'not-selected'
								? `This hunk fixes a migrate_to_ram that raised SIGBUS when setup selected nothing (kernel ${k}): the fault is now retried instead.`
								: `This hunk fixes a migrate_to_ram that raised SIGBUS on allocation failure (kernel ${k}).`,
							loc: anchor,
						});
					}
				}
			}
		}
		return out;
	},
};
