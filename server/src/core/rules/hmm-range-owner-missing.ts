/*
 * hmm-range-owner-missing: from 5.7 hmm_range_fault() reports a device-private page as it is only
 * when its dev_pagemap owner equals `range->dev_private_owner`; every other device-private page is
 * faulted back to system memory first (through its migrate_to_ram handler). A driver that has
 * device-private memory and leaves the owner unset makes every device fault on its own VRAM pages
 * migrate them back to the CPU — or fail.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { FunctionFacts, HmmRangeFacts } from '../extract/types';
import { apiSettled, firstNew, isNullText, ownPost, preTwin } from './missing-select-flags';
import { driverFacts, driverOf, type DriverFacts } from './owner-mismatch';

function passes(args: string[], name: string): boolean {
	if (!name) {
		return false;
	}
	return args.some((a) => {
		const t = a.replace(/\s+/g, '');
		return t === `&${name}` || t === name;
	});
}

/** The hmm_range_fault() call this range goes to, in the function (or true when it is handed to a helper). */
function faultCall(fn: FunctionFacts, r: HmmRangeFacts, d: DriverFacts | undefined): { loc?: FunctionFacts['calls'][number]['loc']; used: boolean } {
	const direct = fn.calls.find((c) => c.kind === 'hmm-range-fault' && (passes(c.args, r.name) || !r.name));
	if (direct) {
		return { loc: direct.loc, used: true };
	}
	const helper = fn.otherCalls.some((c) => passes(c.args, r.name));
	const driverFaults = d?.functions.some((x) => x.fn.calls.some((c) => c.kind === 'hmm-range-fault')) ?? false;
	return { used: helper && driverFaults };
}

function hasDevicePrivate(d: DriverFacts | undefined): boolean {
	if (!d) {
		return false;
	}
	return d.pgmapTypes.some((t) => t.type === 'MEMORY_DEVICE_PRIVATE')
		|| d.pgmapOwners.length > 0
		|| d.faultHandlers.some((f) => f.fn.roles.includes('migrate_to_ram') || f.fn.migrateToRam?.inOpsTable === true)
		|| d.migrations.some((m) => m.ref.fn.calls.some((c) => c.kind === 'setup'));
}

function ownerSet(r: HmmRangeFacts): boolean {
	return r.assignments.some((a) => a.field === 'dev_private_owner' && !isNullText(a.resolved) && !isNullText(a.text));
}

export const rule: Rule = {
	id: 'hmm-range-owner-missing',
	group: 'selection',
	severity: 'warning',
	title: 'hmm_range without dev_private_owner in a driver with device-private memory',
	check(ctx: RuleContext): RuleFinding[] {
		if (!apiSettled(ctx, 'dev_private_owner', 'struct hmm_range')) {
			return [];
		}
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		const drivers = driverFacts(ctx);
		for (const { fn, file } of ownPost(ctx)) {
			const d = driverOf(drivers, file);
			for (const r of fn.hmmRanges) {
				if (ownerSet(r)) {
					// A fix: the patch adds the owner to a range that had none before.
					const f = r.assignments.find((a) => a.field === 'dev_private_owner');
					if (!f || !isNewCode(f.loc)) {
						continue;
					}
					const before = preTwin(ctx.facts, file.path, fn.name).flatMap((p) => p.hmmRanges).find((p) => p.name === r.name);
					if (before && !ownerSet(before)) {
						out.push({
							severity: 'info',
							message: `This hunk fixes device faults on the driver's own device-private pages (kernel ${k}): with dev_private_owner set, hmm_range_fault() reports those pages as they are instead of faulting them back to system memory.`,
							loc: f.loc,
						});
					}
					continue;
				}
				if (r.how !== 'designated' && r.how !== 'assign' && r.how !== 'memset+assign') {
					continue;
				}
				// The whole initialisation must be in view (not a fragment that starts inside it).
				if (!r.declLoc || r.declLoc.lineKind === 'synthetic' || r.declLoc.lineKind === '-') {
					continue;
				}
				if (!hasDevicePrivate(d)) {
					continue;
				}
				const use = faultCall(fn, r, d);
				if (!use.used) {
					continue;
				}
				const anchor = firstNew([r.declLoc, use.loc, ...r.assignments.map((a) => a.loc)]);
				if (!anchor) {
					continue;
				}
				const owner = d?.pgmapOwners[0];
				out.push({
					message: `This hmm_range has no dev_private_owner (kernel ${k}), yet the driver has device-private memory: hmm_range_fault() treats the driver's own device-private pages as foreign, faults them back to system memory through migrate_to_ram on every device fault, and may fail the fault. Set \`.dev_private_owner\` to the owner of the driver's dev_pagemap${owner ? ` (\`${owner.text}\`)` : ''}.`,
					loc: anchor,
					related: owner ? [{ loc: owner.loc, message: 'the dev_pagemap owner' }] : undefined,
				});
			}
		}
		return out;
	},
};
