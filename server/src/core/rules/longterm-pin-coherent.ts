/*
 * longterm-pin-coherent: device-coherent memory (MEMORY_DEVICE_COHERENT, 6.0) must stay
 * evictable, so it must never be pinned long-term. Two places get this wrong:
 * - a core patch that adds the memory type without teaching the long-term pinnability checks
 *   (is_pinnable_page()/folio_is_pinnable(), later is_longterm_pinnable_page()/
 *   folio_is_longterm_pinnable()) about it: FOLL_LONGTERM (GUP-fast included) then pins coherent
 *   pages in place and the device can never take its memory back;
 * - a driver that pins FOLL_LONGTERM a range it migrates into its own coherent memory: from 6.0
 *   GUP first migrates every coherent page back to system RAM (failing with -EBUSY when it
 *   cannot), so the pin silently undoes the driver's migration.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import { lineOfLoc, ownPost, seriesOf } from './missing-select-flags';
import { driverFacts, driverOf } from './owner-mismatch';
import { nameIn } from '../model/versions';

const PINNABILITY = /\b(is_pinnable_page|folio_is_pinnable|is_longterm_pinnable_page|folio_is_longterm_pinnable|is_longterm_pinnable_folio)\b/;
/**
 * The enum member's line. Each run of blanks is read once: `(=\s*[^,]+)?,?\s*` tried every split of
 * it (cubic: one 4 KB line took seconds).
 */
export const ENUM_MEMBER = /^\s*MEMORY_DEVICE_COHERENT\s*(?:=[^,]+(?:,\s*)?|,\s*)?(\/[*/].*)?$/;

/**
 * Whether any message of the series changes a long-term pinnability check: a hunk that adds lines
 * and shows one of the checks (its name may sit on a context line, e.g. the function header), or
 * an added line in mm/gup.c that deals with coherent memory.
 */
function pinnabilityUpdated(ctx: RuleContext): boolean {
	for (const m of seriesOf(ctx)) {
		for (const f of m.message.files) {
			for (const h of f.hunks) {
				const adds = h.lines.some((l) => l.kind === '+');
				if (!adds) {
					continue;
				}
				if (PINNABILITY.test(h.section) || h.lines.some((l) => PINNABILITY.test(l.text))) {
					return true;
				}
				if (/\bmm\/gup\.c$/.test(f.path) && h.lines.some((l) => l.kind === '+' && /coherent/i.test(l.text))) {
					return true;
				}
			}
		}
	}
	return false;
}

export const rule: Rule = {
	id: 'longterm-pin-coherent',
	group: 'pinning',
	severity: 'warning',
	title: 'Device-coherent memory can be pinned long-term',
	check(ctx: RuleContext): RuleFinding[] {
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		// Core: the memory type is introduced here.
		for (const file of ctx.facts.files) {
			if (file.image !== 'post') {
				continue;
			}
			for (const id of file.identifiers) {
				if (id.name !== 'MEMORY_DEVICE_COHERENT' || !isNewCode(id.loc)) {
					continue;
				}
				const line = lineOfLoc(ctx.message, id.loc);
				if (!line || !ENUM_MEMBER.test(line.text)) {
					continue;
				}
				if (pinnabilityUpdated(ctx)) {
					continue;
				}
				out.push({
					message: `MEMORY_DEVICE_COHERENT is added, but no long-term pinnability check (is_pinnable_page()/folio_is_pinnable(), is_longterm_pinnable_page()/folio_is_longterm_pinnable()) learns about it in this series (kernel ${k}): FOLL_LONGTERM pins — GUP-fast included — will pin coherent pages in place, and the device can then never evict or migrate its memory back. Make these checks reject device-coherent pages so GUP migrates them to system memory first.`,
					loc: id.loc,
				});
			}
		}
		// Driver: a long-term pin of a range the driver moves into its coherent memory.
		if (!nameIn('MEMORY_DEVICE_COHERENT', ctx.kernel).exists) {
			return out;
		}
		const drivers = driverFacts(ctx);
		for (const { fn, file } of ownPost(ctx)) {
			const d = driverOf(drivers, file);
			if (!d) {
				continue;
			}
			const coherent = d.pgmapTypes.find((t) => t.type === 'MEMORY_DEVICE_COHERENT');
			const coherentSel = d.migrations.find((m) => m.sel.flags.names.has('DEVICE_COHERENT'));
			if (!coherent && !coherentSel) {
				continue;
			}
			for (const c of fn.calls) {
				if ((c.kind !== 'pin' && c.kind !== 'gup') || /^unpin/.test(c.callee) || !isNewCode(c.loc)) {
					continue;
				}
				if (!(c.follFlags ?? []).includes('FOLL_LONGTERM')) {
					continue;
				}
				out.push({
					message: `${c.callee}() with FOLL_LONGTERM in a driver that keeps user memory in device-coherent pages (kernel ${k}): device-coherent memory may not be pinned long-term, so GUP first migrates every such page back to system RAM (and fails with -EBUSY when it cannot). The pin undoes the driver's migration; pin short-term, or use an mmu notifier instead of a long-term pin.`,
					loc: c.loc,
					related: coherent ? [{ loc: coherent.loc, message: 'the driver\'s device-coherent dev_pagemap' }] : [{ loc: coherentSel!.s.declLoc ?? coherentSel!.sel.flags.locs[0]!, message: 'migration that selects device-coherent pages' }],
				});
			}
		}
		return out;
	},
};
