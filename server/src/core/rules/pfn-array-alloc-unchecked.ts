/*
 * pfn-array-alloc-unchecked: a src/dst array is allocated and used for a migration without a
 * NULL test.
 *
 * migrate_vma_setup() itself rejects a NULL src or dst with -EINVAL, so with a checked setup the
 * failure is only misreported (an out-of-memory condition becomes "invalid argument") — a
 * warning. migrate_device_range()/migrate_device_pfns()/migrate_device_pages()/finalize() do
 * not test their arrays, and code that writes the array before setup dereferences it — an error.
 *
 * Reported only when the code after the allocation is visible up to the use (no gap), so a test
 * the patch does not show is not mistaken for a missing one.
 */
import type { FileFacts, FunctionFacts, Loc } from '../extract/types';
import { before, type Defect, kernelTag, runDetector, SETUP_LIKE } from './protocolShared';
import type { Rule, RuleContext } from './types';

const DEVICE_KINDS = new Set(['device-range', 'device-pfns', 'device-pages', 'device-finalize']);

function norm(t: string): string {
	return t.replace(/\s+/g, '').replace(/^\(+|\)+$/g, '');
}

function detect(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	if (fn.hasGaps) {
		return out;
	}
	for (const a of fn.arrays) {
		if (a.how !== 'alloc' || a.nullChecked || a.role === 'unknown' || a.gfpFlags?.includes('__GFP_NOFAIL')) {
			continue; // __GFP_NOFAIL allocations never return NULL
		}
		const target = norm(a.target);
		// a later NULL test under another name: `args.src = buf; if (!buf)` is recorded on `buf`
		if (fn.arrays.some((b) => b !== a && b.nullChecked && (norm(b.sizeText ?? '') === target || norm(b.target) === target))) {
			continue;
		}
		const mentions = (t: string): boolean => {
			const n = norm(t).replace(/^&/, '');
			return n === target;
		};
		const deviceUse = fn.calls.find((c) => DEVICE_KINDS.has(c.kind) && before(a.loc, c.loc) && c.args.some(mentions));
		const setup = fn.calls.find((c) => SETUP_LIKE.has(c.kind) && before(a.loc, c.loc));
		const writeBefore = fn.pfnWrites.find((w) => norm(w.arrayText) === target && before(a.loc, w.loc) && (!setup || before(w.loc, setup.loc)));
		const memsetBefore = fn.otherCalls.find((c) => /^(memset|memcpy|bitmap_zero)$/.test(c.callee) && mentions(c.args[0] ?? '') && before(a.loc, c.loc) && (!setup || before(c.loc, setup.loc)));
		const deref: Loc | undefined = deviceUse?.loc ?? writeBefore?.loc ?? memsetBefore?.loc;
		if (!deref && !setup) {
			continue;
		}
		const k = kernelTag(ctx);
		if (deref) {
			out.push({
				key: `alloc:${target}`,
				locs: [a.loc],
				severity: 'error',
				message: `${a.allocator ?? 'The allocation'}() for ${a.target} can return NULL, and the array is used before anything tests it${deviceUse ? ` (${deviceUse.callee}() does not check its arrays)` : ''}: `
					+ `an allocation failure becomes a NULL-pointer dereference in the kernel. Test it and return -ENOMEM ${k}.`,
				related: [{ loc: deref, message: 'first use of the array' }],
			});
		} else if (setup) {
			out.push({
				key: `alloc:${target}`,
				locs: [a.loc],
				message: `${a.allocator ?? 'The allocation'}() for ${a.target} can return NULL and nothing tests it before ${setup.callee}(). Setup does reject a NULL array, but with -EINVAL, `
					+ `so running out of memory is reported as an invalid range (and any code that touches the array first crashes). Test it and return -ENOMEM ${k}.`,
				related: [{ loc: setup.loc, message: 'the setup the array is passed to' }],
			});
		}
	}
	return out;
}

export const rule: Rule = {
	id: 'pfn-array-alloc-unchecked',
	group: 'protocol',
	severity: 'warning',
	title: 'A src/dst array allocation is not tested for NULL before use',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post, d) => {
				const target = d.key.slice('alloc:'.length);
				for (const g of post) {
					const a = g.arrays.find((x) => norm(x.target) === target && x.nullChecked && x.loc.lineKind === '+');
					if (a) {
						return a.loc;
					}
				}
				return undefined;
			},
			message: (d, c) => `This hunk adds the missing NULL test of ${d.key.slice('alloc:'.length)} ${kernelTag(c)}.`,
		});
	},
};
