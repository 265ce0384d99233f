/*
 * dst-without-migrate-check: a destination is stored in dst[i] without first testing that setup
 * selected src[i].
 *
 * After setup an entry is selected when src[i] has MIGRATE_PFN_MIGRATE (a page entry then also has
 * VALID and a page, a hole has MIGRATE only); an entry setup left at 0 was not selected (pinned,
 * locked by someone else, another device's page, swapped out…). Filling dst for it allocates and
 * copies for nothing — the core skips the entry and releases the page — and a copy from
 * migrate_pfn_to_page(src[i]) gets NULL. Accepted as a selection check before the write:
 * a MIGRATE/VALID test on the src entry, a NULL test of the page taken from it, passing the src
 * entry to the helper that computes the value (it decides), a test that cpages equals the
 * number of entries (all selected), and — outside loops, for one-page ranges — any cpages test.
 * Writes outside loops are judged only in functions that call setup themselves (a helper given
 * one entry may rely on its caller), and only when the code from the function or loop head to
 * the write is all visible.
 */
import type { FileFacts, FunctionFacts, PfnLoop, PfnWrite } from '../extract/types';
import { firstCall } from '../extract/names';
import { cmpLoc, type Defect, fillsDst, kernelTag, runDetector, SETUP_LIKE } from './protocolShared';
import type { Rule, RuleContext } from './types';

const SELECT_FLAGS = ['MIGRATE_PFN_MIGRATE', 'MIGRATE_PFN_VALID'];

function sameLoc(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
	return a.line === b.line && a.character === b.character;
}

function guarded(fn: FunctionFacts, w: PfnWrite, loop: PfnLoop | undefined): boolean {
	const tests = loop ? loop.tests : fn.pfnTests;
	if (tests.some((t) => t.array !== 'dst' && t.flags.some((f) => SELECT_FLAGS.includes(f)) && cmpLoc(t.loc, w.loc) < 0)) {
		return true;
	}
	const uses = loop ? loop.pageUseIndexes.map((i) => fn.pageUses[i]!).filter((u) => u !== undefined) : fn.pageUses;
	if (uses.some((u) => u.from !== 'dst' && u.nullChecked && cmpLoc(u.loc, w.loc) < 0)) {
		return true;
	}
	const passed = loop ? loop.elementPassedTo : [];
	if (passed.some((p) => p.role === 'src' && p.callee !== 'migrate_pfn_to_page' && p.callee !== 'migrate_pfn_to_folio'
		&& (cmpLoc(p.loc, w.loc) < 0 || w.valueText.includes(`${p.callee}(`)))) {
		return true;
	}
	// `if (args.cpages != npages) goto out;`: every entry was selected
	const allSelected = /cpages\s*(!=|==|<=?|>=?)\s*(?!0[uUlL]*\b)[\w(]|[\w)]\s*(!=|==|<=?|>=?)\s*[\w.>-]*cpages/;
	if (fn.cpagesUses.some((u) => (u.context === 'condition' || u.context === 'compare') && allSelected.test(u.contextText.replace(/\b0[uUlL]*\s*(!=|==|<|>)\s*[\w.>-]*cpages/, '')) && cmpLoc(u.loc, w.loc) < 0)) {
		return true;
	}
	if (!loop) {
		// the src entry handed to the helper that computes the value
		if (/\bsrc\w*\s*\[|->\s*src\b|\.\s*src\b/.test(w.valueText) && firstCall(w.valueText) !== undefined && !/^\s*migrate_pfn\s*\(/.test(w.valueText)) {
			return true;
		}
		if (fn.cpagesUses.some((u) => u.context === 'condition' && cmpLoc(u.loc, w.loc) < 0)) {
			return true;
		}
	}
	return false;
}

function detect(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	const done = new Set<PfnLoop | undefined>();
	for (const w of fn.pfnWrites) {
		if (!fillsDst(w)) {
			continue;
		}
		const loop = fn.pfnLoops.filter((l) => l.writes.some((x) => sameLoc(x.loc, w.loc))).pop();
		if (done.has(loop)) {
			continue;
		}
		// everything between the loop head (or the function head) and the write must be visible;
		// outside a loop the entry was picked before: only judged when this function ran setup itself
		// (a helper handed one entry or page may rely on its caller's check)
		if (fn.hasGaps || (!loop && (!fn.hasRealHeader || !fn.calls.some((c) => SETUP_LIKE.has(c.kind) && cmpLoc(c.loc, w.loc) < 0)))) {
			continue;
		}
		if (guarded(fn, w, loop)) {
			done.add(loop);
			continue;
		}
		done.add(loop);
		const idx = w.indexText ? `[${w.indexText}]` : '';
		out.push({
			key: `dst:${w.arrayText}`,
			locs: [w.loc],
			message: `${w.arrayText}${idx} is filled without first checking that setup selected this entry (MIGRATE_PFN_MIGRATE in the src entry). `
				+ 'Entries setup left at 0 were not selected (pinned, locked elsewhere, another device\'s page, swapped out): a destination stored for them is allocated and copied for nothing '
				+ 'and only released again by the core, and migrate_pfn_to_page() of such a src entry is NULL, so a copy from it dereferences nothing. '
				+ `Skip entries without MIGRATE_PFN_MIGRATE and leave their dst at 0 ${kernelTag(ctx)}.`,
		});
	}
	return out;
}

export const rule: Rule = {
	id: 'dst-without-migrate-check',
	group: 'protocol',
	severity: 'warning',
	title: 'dst[i] is filled without testing MIGRATE_PFN_MIGRATE in src[i]',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post) => {
				for (const g of post) {
					const cands = [
						...g.pfnTests.filter((t) => t.array !== 'dst' && t.flags.some((f) => SELECT_FLAGS.includes(f))).map((t) => t.loc),
						...g.pageUses.filter((u) => u.from !== 'dst' && u.nullChecked).map((u) => u.loc),
						...g.pfnWrites.filter(fillsDst).map((w) => w.loc),
					].filter((l) => l.lineKind === '+').sort(cmpLoc);
					if (cands[0]) {
						return cands[0];
					}
				}
				return undefined;
			},
			message: (_d, c) => `This hunk fixes dst[] entries that were filled without checking that setup selected the src entry ${kernelTag(c)}.`,
		});
	},
};
