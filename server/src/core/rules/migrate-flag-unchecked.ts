/*
 * migrate-flag-unchecked: after migrate_vma_pages() the driver maps (or commits) the destination
 * pages on the device without testing, per entry, that MIGRATE_PFN_MIGRATE survived in src[].
 *
 * migrate_vma_pages() clears MIGRATE in src[i] for every entry it could not move (no dst, a
 * reference taken after setup, a page-cache page, a hole that could no longer be filled…);
 * finalize then restores the old page for those. A device mapping made for such an entry points
 * the device at a destination page that holds no live data and is about to be freed, while the
 * CPU keeps using the original.
 *
 * Reported: a call after pages whose name says it maps/binds/commits, that receives migration
 * data (the range, dst, or an array filled for the destination), that no MIGRATE test precedes or
 * guards, and that cannot test the flag itself because it gets neither the struct nor src[].
 */
import type { AfterPages, FileFacts, FunctionFacts } from '../extract/types';
import { cmpLoc, type Defect, kernelTag, namesArray, passesStruct, runDetector } from './protocolShared';
import type { Rule, RuleContext } from './types';

const MAPPING = /map|pte|bind|populate|insert|install|commit/i;
const NOT_MAPPING = /unmap|dma_|free|put|release|unlock|^(pr|dev|drm|DRM|NV|SVM)_|printk|trace_/i;

function isMappingCall(callee: string): boolean {
	return MAPPING.test(callee) && !NOT_MAPPING.test(callee);
}

function detect(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	for (const ap of fn.afterPages) {
		const pages = fn.calls[ap.callIndex];
		if (!pages) {
			continue;
		}
		const end = ap.finalizeIndex !== undefined ? fn.calls[ap.finalizeIndex]?.loc : undefined;
		// calls that take a page read from dst after pages (page_to_pfn(dpage) into a PTE writer)
		const takesDstPage = new Set<string>();
		for (const u of fn.pageUses) {
			if (u.from !== 'dst' || cmpLoc(u.loc, pages.loc) <= 0 || (end && cmpLoc(end, u.loc) <= 0)) {
				continue;
			}
			for (const p of u.passedTo) {
				takesDstPage.add(`${p.loc.line}:${p.loc.character}`);
			}
		}
		for (const c of ap.calls) {
			if (c.kind || c.afterMigrateTest || !isMappingCall(c.callee)) {
				continue;
			}
			const byPage = takesDstPage.has(`${c.loc.line}:${c.loc.character}`);
			if (!c.usesMigration && !byPage) {
				continue;
			}
			if (passesStruct(c.args, ap.structVar) || c.args.some((a) => namesArray(a, 'src'))) {
				continue; // the callee sees src[] and may test the flag itself
			}
			out.push(finding(ctx, ap, c, pages.loc, pages.callee));
		}
	}
	return out;
}

function finding(ctx: RuleContext, ap: AfterPages, c: AfterPages['calls'][number], pagesLoc: Defect['locs'][number], pagesName: string): Defect {
	return {
		key: `map:${c.callee}`,
		locs: [c.loc],
		message: `${c.callee}() maps or commits the migrated range on the device after ${pagesName}() without testing MIGRATE_PFN_MIGRATE in src[] for each entry. `
			+ `${pagesName}() clears that bit for every entry it could not move (an extra reference taken after setup, no destination, a page-cache page, a hole it could no longer fill), `
			+ 'and finalize then gives the CPU its old page back; a device mapping made for such an entry points at a destination page that holds no live data and is about to be freed, '
			+ `so device and CPU see different memory. Map only entries whose src still has MIGRATE_PFN_MIGRATE ${kernelTag(ctx)}.`,
		related: [{ loc: pagesLoc, message: `the ${pagesName}() call${ap.structVar ? ` on ${ap.structVar}` : ''} whose per-entry result is not read` }],
	};
}

export const rule: Rule = {
	id: 'migrate-flag-unchecked',
	group: 'protocol',
	severity: 'error',
	title: 'Device mapping after migrate_vma_pages() without testing MIGRATE_PFN_MIGRATE',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post, d) => {
				const callee = d.key.slice('map:'.length);
				for (const g of post) {
					for (const ap of g.afterPages) {
						const c = ap.calls.find((x) => x.callee === callee && x.afterMigrateTest);
						if (c) {
							const t = ap.migrateTests.find((l) => l.lineKind === '+');
							return c.loc.lineKind === '+' ? c.loc : t;
						}
					}
				}
				return undefined;
			},
			message: (d, c) => `This hunk fixes ${d.key.slice('map:'.length)}() mapping pages after migrate_vma_pages() without testing MIGRATE_PFN_MIGRATE: only migrated entries are mapped now ${kernelTag(c)}.`,
		});
	},
};
