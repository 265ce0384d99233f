/*
 * pin-blocks-migration: migrate_vma_setup() refuses any page with references it cannot account
 * for. A page the driver itself pinned (pin_user_pages*, FOLL_LONGTERM) or still holds a GUP
 * reference on fails the unmap step of setup and is silently restored: setup returns 0, the entry
 * is 0, and the page never migrates. A driver that pins a range and then migrates it (without
 * releasing the pins first) migrates nothing of what it pinned.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { ApiCall, FunctionFacts } from '../extract/types';
import { cmpLoc, ownPost, selectionOf, setupCallsOf } from './missing-select-flags';
import { driverFacts, driverOf } from './owner-mismatch';

function isTake(c: ApiCall): boolean {
	return (c.kind === 'pin' || c.kind === 'gup') && !/^unpin/.test(c.callee);
}

function isRelease(callee: string): boolean {
	return /^(unpin_user_pages?(_dirty_lock)?|put_page|put_user_page|put_user_pages|folio_put|release_pages|unpin_folios?)$/.test(callee);
}

/** Setup calls of the function that can select system pages (the pinned ones). */
function systemSetups(fn: FunctionFacts, ctx: RuleContext): ApiCall[] {
	const out: ApiCall[] = [];
	for (const s of fn.structs) {
		const sel = selectionOf(s, ctx.kernel);
		if (sel.system === 'no') {
			continue;
		}
		out.push(...setupCallsOf(fn, s));
	}
	for (const c of fn.calls) {
		if ((c.kind === 'setup' || c.kind === 'old-migrate-vma') && !out.includes(c) && !fn.structs.some((s) => s.name === c.structVar)) {
			out.push(c);
		}
	}
	return out.sort((a, b) => cmpLoc(a.loc, b.loc));
}

export const rule: Rule = {
	id: 'pin-blocks-migration',
	group: 'pinning',
	severity: 'warning',
	title: 'Pages pinned by the driver are then migrated: the pinned pages never move',
	check(ctx: RuleContext): RuleFinding[] {
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		const drivers = driverFacts(ctx);
		for (const { fn, file } of ownPost(ctx)) {
			const takes = fn.calls.filter(isTake);
			if (takes.length === 0) {
				continue;
			}
			const setups = systemSetups(fn, ctx);
			let reported = false;
			for (const p of takes) {
				const s = setups.find((x) => cmpLoc(x.loc, p.loc) > 0);
				if (!s) {
					continue;
				}
				const released = [...fn.calls.map((c) => ({ callee: c.callee, loc: c.loc })), ...fn.otherCalls]
					.some((c) => isRelease(c.callee) && cmpLoc(c.loc, p.loc) > 0 && cmpLoc(c.loc, s.loc) < 0);
				if (released) {
					continue;
				}
				const anchor = isNewCode(p.loc) ? p.loc : isNewCode(s.loc) ? s.loc : undefined;
				if (!anchor) {
					continue;
				}
				reported = true;
				const longterm = (p.follFlags ?? []).includes('FOLL_LONGTERM') || /^pin_/.test(p.callee);
				out.push({
					message: `${p.callee}() ${longterm ? 'pins' : 'takes references on'} pages that ${s.callee}() later tries to migrate (kernel ${k}): setup treats every extra reference as a pin and silently leaves those pages where they are (setup still returns 0, their src entries are 0). Release the ${longterm ? 'pins' : 'references'} before migrating, or do not migrate what you pin.`,
					loc: anchor,
					related: [{ loc: anchor === p.loc ? s.loc : p.loc, message: anchor === p.loc ? 'the migration that cannot move the pinned pages' : 'where the pages are pinned' }],
				});
			}
			if (reported) {
				continue;
			}
			// A long-term pin in a driver that migrates system pages elsewhere.
			const d = driverOf(drivers, file);
			const mig = d?.migrations.find((m) => m.ref.fn !== fn && m.sel.system !== 'no' && m.ref.fn.calls.some((c) => c.kind === 'setup'));
			if (!mig) {
				continue;
			}
			for (const p of takes) {
				if (!isNewCode(p.loc) || !(p.follFlags ?? []).includes('FOLL_LONGTERM')) {
					continue;
				}
				out.push({
					severity: 'info',
					message: `${p.callee}() pins pages long-term in a driver that also migrates system memory with migrate_vma (kernel ${k}): while the pin is held, those pages fail setup's unmap step and silently stay in system memory. If the ranges can overlap, drop the pin before migrating.`,
					loc: p.loc,
					related: [{ loc: setupCallsOf(mig.ref.fn, mig.s)[0]?.loc ?? mig.s.declLoc ?? p.loc, message: 'the driver\'s migration to device memory' }],
				});
			}
		}
		return out;
	},
};
