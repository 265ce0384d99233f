/*
 * pages-missing: dst[] entries are filled, and a path reaches migrate_vma_finalize() without
 * migrate_vma_pages() (migrate_device_finalize() without migrate_device_pages()).
 *
 * Finalize takes an entry whose src still has MIGRATE and whose dst is set as migrated: it points
 * the page table at the new page although the struct page state (mapping, index, flags,
 * reference accounting) was never moved to it. Only code that clears dst on its error path (or
 * calls pages) is safe, so functions that clear dst entries are left alone.
 */
import type { FileFacts, FunctionFacts, Loc } from '../extract/types';
import {
	cmpLoc, type Defect, FINALIZE_LIKE, fillsDst, findFunctions, imageLines, isZeroValue, kernelTag, namesArray, passesStruct, runDetector, sameStruct, stepNames,
} from './protocolShared';
import type { Rule, RuleContext } from './types';

function clearsDst(fn: FunctionFacts): boolean {
	if (fn.pfnWrites.some((w) => w.array === 'dst' && w.operator === '=' && isZeroValue(w.valueText))) {
		return true;
	}
	return fn.otherCalls.some((c) => c.callee === 'memset' && c.args[0] !== undefined && namesArray(c.args[0], 'dst'));
}

function detect(fn: FunctionFacts, file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	if (clearsDst(fn)) {
		return out;
	}
	for (const flow of fn.setupFlows) {
		const call = fn.calls[flow.callIndex];
		if (!call) {
			continue;
		}
		const names = stepNames(call);
		const sv = flow.structVar;
		// dst filled here, or by a helper of the series that receives the struct or dst
		let fill: Loc | undefined = fn.pfnWrites.find((w) => fillsDst(w) && cmpLoc(call.loc, w.loc) < 0)?.loc;
		if (!fill) {
			for (const oc of fn.otherCalls) {
				if (cmpLoc(oc.loc, call.loc) <= 0 || !(passesStruct(oc.args, sv) || oc.args.some((a) => namesArray(a, 'dst')))) {
					continue;
				}
				const helper = findFunctions(ctx, oc.callee, file.path).find(({ fn: h }) => h.pfnWrites.some(fillsDst));
				if (helper && !helper.fn.pfnWrites.some((w) => w.array === 'dst' && isZeroValue(w.valueText))) {
					fill = oc.loc;
					break;
				}
			}
		}
		if (!fill) {
			continue;
		}
		const finals = fn.calls.filter((c) => FINALIZE_LIKE.has(c.kind) && sameStruct(c.structVar, sv) && cmpLoc(call.loc, c.loc) < 0);
		const seen = new Set<string>();
		for (const e of flow.exits) {
			if (!e.finalize || e.pages || e.setupFailed || e.noPagesSelected || e.throughGap) {
				continue;
			}
			// a helper on the way may call pages or clear dst, unless it is visible and does neither
			const unknownHelper = e.structPassedTo.some((h) => {
				const found = findFunctions(ctx, h, file.path);
				return found.length === 0 || found.some(({ fn: g }) => !g.complete || clearsDst(g) || g.calls.some((c) => c.kind === 'pages' || c.kind === 'device-pages'));
			});
			if (unknownHelper) {
				continue;
			}
			const fin = finals.filter((c) => cmpLoc(c.loc, e.loc) <= 0).pop() ?? finals[0];
			if (!fin || cmpLoc(fin.loc, fill) <= 0) {
				continue;
			}
			// The path must be able to carry the filled entries: when it enters the finalize through
			// a label, some jump to that label has to come after the first fill.
			if (e.viaLabels.length > 0) {
				const text = imageLines(ctx, fill, fin.loc).join('\n');
				const jumps = e.viaLabels.some((l) => new RegExp(`\\bgoto\\s+${l}\\s*;`).test(text));
				if (!jumps && text !== '') {
					continue;
				}
			}
			const k = `${fin.loc.line}:${fin.loc.character}`;
			if (seen.has(k)) {
				continue;
			}
			seen.add(k);
			out.push({
				key: `pages:${sv ?? ''}`,
				locs: [fin.loc, e.loc],
				message: `${names.finalize} is reached on this path without ${names.pages}, although dst[] entries were filled. `
					+ 'Finalize treats every entry whose src still has MIGRATE_PFN_MIGRATE and whose dst is set as migrated: it maps the new page in place of the old one '
					+ 'although the page state was never moved to it, so the process sees a page the kernel does not account for (data loss or corruption). '
					+ `Call ${names.pages} first, or clear the dst entries (and free their pages) before finalizing ${kernelTag(ctx)}.`,
				related: [
					{ loc: call.loc, message: `the ${names.setup} this path starts from` },
					{ loc: fill, message: 'dst[] is filled here' },
				],
			});
		}
	}
	return out;
}

export const rule: Rule = {
	id: 'pages-missing',
	group: 'protocol',
	severity: 'error',
	title: 'migrate_vma_finalize() is reached with dst[] filled but without migrate_vma_pages()',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post) => {
				for (const g of post) {
					const p = g.calls.find((c) => (c.kind === 'pages' || c.kind === 'device-pages') && c.loc.lineKind === '+');
					if (p) {
						return p.loc;
					}
				}
				return undefined;
			},
			message: (_d, c) => `This hunk fixes a path that finalized filled dst[] entries without migrate_vma_pages() ${kernelTag(c)}.`,
		});
	},
};
