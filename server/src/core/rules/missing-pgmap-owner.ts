/*
 * missing-pgmap-owner: from 5.9 setup collects a device page (private or coherent) only when its
 * dev_pagemap owner equals `pgmap_owner`; NULL matches no device memory (device-private pagemaps
 * must have an owner). The owner also travels with the MMU_NOTIFY_MIGRATE invalidations setup
 * raises, so a system→device migration without it cannot be told apart from anyone else's by the
 * driver's own notifier.
 *
 * 5.7–5.8 had `src_owner` with other rules (it switched the direction): a migrate_to_ram handler
 * without it never collects the faulting page. Older kernels had no owner at all.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import { apiSettled, assignmentsTo, firstNew, isFaultHandler, isFaultPath, isNullText, ownPost, preTwin, selectionOf, setupCallsOf, structFullyVisible } from './missing-select-flags';
import { driverFacts, driverOf } from './owner-mismatch';
import { nameIn } from '../model/versions';

export const rule: Rule = {
	id: 'missing-pgmap-owner',
	group: 'selection',
	severity: 'error',
	title: 'migrate_vma without pgmap_owner: device pages never selected, own invalidations not recognisable',
	check(ctx: RuleContext): RuleFinding[] {
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		const has59 = apiSettled(ctx, 'pgmap_owner', 'struct migrate_vma');
		const has57 = apiSettled(ctx, 'src_owner', 'struct migrate_vma');
		if (!nameIn('pgmap_owner', ctx.kernel, 'struct migrate_vma').exists && !has57) {
			return [];
		}
		const drivers = driverFacts(ctx);
		for (const { fn, file } of ownPost(ctx)) {
			for (const s of fn.structs) {
				const pg = assignmentsTo(s, 'pgmap_owner');
				const so = assignmentsTo(s, 'src_owner');
				const ownerGiven = [...pg, ...so].some((a) => !isNullText(a.resolved) && !isNullText(a.text));
				if (ownerGiven) {
					// A fix: the patch gives an owner to a struct that migrated without one.
					const added = [...pg, ...so].find((a) => isNewCode(a.loc) && !isNullText(a.text));
					if (added && pg.length > 0 && nameIn('pgmap_owner', ctx.kernel, 'struct migrate_vma').exists) {
						const twin = preTwin(ctx.facts, file.path, fn.name).flatMap((p) => p.structs).find((p) => p.name === s.name);
						if (twin && !assignmentsTo(twin, 'pgmap_owner').some((a) => !isNullText(a.text)) && assignmentsTo(twin, 'src_owner').length === 0) {
							out.push({
								severity: 'info',
								message: `This hunk fixes a migration without an owner (kernel ${k}): with pgmap_owner set, its MMU_NOTIFY_MIGRATE invalidations carry the driver's owner${selectionOf(s, ctx.kernel).device === 'yes' ? ' and its own device pages can be selected' : ''}.`,
								loc: added.loc,
							});
						}
					}
					continue;
				}
				if (!structFullyVisible(ctx.message, fn, s)) {
					continue;
				}
				const setup = setupCallsOf(fn, s)[0]!;
				const nullLoc = [...pg, ...so].map((a) => a.loc);
				const anchor = firstNew([...nullLoc, s.declLoc, setup.loc, ...s.assignments.map((a) => a.loc)]);
				if (!anchor) {
					continue;
				}
				const sel = selectionOf(s, ctx.kernel);
				const related = anchor === setup.loc ? undefined : [{ loc: setup.loc, message: 'the migrate_vma_setup() call that gets this struct' }];
				const owner = driverOf(drivers, file)?.pgmapOwners[0];
				const suggestion = owner ? ` (\`${owner.text}\`)` : '';
				if (sel.era === 'src_owner' && !has59) {
					// 5.7–5.8: only the device→RAM direction needs src_owner.
					if (!isFaultHandler(fn) && !(isFaultPath(fn) && so.length > 0)) {
						continue;
					}
					out.push({
						severity: 'error',
						message: `This migrate_to_ram handler sets up a migration without src_owner (kernel ${k}): with src_owner NULL setup collects only system pages, so the faulting device-private page is never selected, nothing migrates and the CPU fault repeats. Set \`src_owner\` to the driver's dev_pagemap owner${suggestion}.`,
						loc: anchor,
						related,
					});
					continue;
				}
				if (sel.era !== 'flags' || !has59) {
					continue;
				}
				if (sel.device === 'yes') {
					const which = [...sel.flags.names].filter((n) => n.startsWith('DEVICE_')).map((n) => `MIGRATE_VMA_SELECT_${n}`).join(' | ');
					out.push({
						severity: 'error',
						message: `This migration selects ${which} but has no pgmap_owner (kernel ${k}): setup collects a device page only when its dev_pagemap owner equals pgmap_owner, and NULL equals none, so nothing is ever selected and nothing migrates${isFaultPath(fn) ? ' (the CPU fault repeats)' : ''}. Set \`pgmap_owner\` to the driver's dev_pagemap owner${suggestion}.`,
						loc: anchor,
						related,
					});
				} else if (sel.system === 'yes') {
					out.push({
						severity: 'info',
						message: `This migration has no pgmap_owner (kernel ${k}): its MMU_NOTIFY_MIGRATE invalidations carry a NULL owner, so the driver's own mmu notifier cannot recognise and skip them and tears down its device mappings for the range during its own migration. Set \`pgmap_owner\` to the driver's dev_pagemap owner${suggestion} even for system-to-device migration.`,
						loc: anchor,
						related,
					});
				}
			}
		}
		return out;
	},
};
