/*
 * device-private-source-as-system: a copy path DMA-maps, reads through a kernel mapping, or takes
 * the physical address of a source page as if it were system memory, while the selection can
 * hand it device pages (flags with DEVICE_PRIVATE/DEVICE_COHERENT; 5.7–5.8 with src_owner set;
 * kernels before 5.7, where every device-private page in the range was collected). A device-private
 * page has no CPU-addressable memory behind its struct page: the DMA address or mapping points at
 * nothing real, and the copy moves garbage or corrupts memory.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { FunctionFacts, Loc, PageUse } from '../extract/types';
import { cmpLoc, firstNew, isFaultPath, ownPost, preTwin, selectionOf, seriesOf, seriesPost, setupCallsOf, type FnRef, type Selection } from './missing-select-flags';
import { scopeKey } from './owner-mismatch';

/** Callees that treat a page as CPU-addressable system memory (argument index of the page). */
const SYSTEM_SINKS: Record<string, number> = {
	page_to_phys: 0,
	page_address: 0,
	page_to_virt: 0,
	lowmem_page_address: 0,
	kmap: 0,
	kmap_atomic: 0,
	kmap_local_page: 0,
	kmap_local_folio: 0,
	sg_set_page: 1,
	copy_highpage: 1,
	copy_user_highpage: 1,
	folio_copy: 1,
	memcpy_from_page: 1,
	copy_page: 1,
};

const DEVICE_TESTS = /^(is_device_private_page|is_zone_device_page|is_device_coherent_page|folio_is_device_private|folio_is_zone_device|folio_is_device_coherent|is_device_page|folio_is_device)$/;

interface Sink {
	callee: string;
	loc: Loc;
}

function sinksOf(pu: PageUse): Sink[] {
	const out: Sink[] = [];
	for (const l of pu.dmaMapped) {
		out.push({ callee: 'dma_map_page', loc: l });
	}
	for (const p of pu.passedTo) {
		if (p.kind === 'dma-map') {
			if (!out.some((s) => cmpLoc(s.loc, p.loc) === 0)) {
				out.push({ callee: p.callee, loc: p.loc });
			}
			continue;
		}
		const idx = SYSTEM_SINKS[p.callee];
		if (idx !== undefined && idx === p.argIndex) {
			out.push({ callee: p.callee, loc: p.loc });
		}
	}
	return out;
}

function isSourceUse(pu: PageUse): boolean {
	if (pu.from === 'src') {
		return true;
	}
	return pu.from === 'scalar' && !/dst|dest/i.test(pu.fromText);
}

function hasDeviceTest(fn: FunctionFacts): boolean {
	return fn.calls.some((c) => c.kind === 'device-page-test' && DEVICE_TESTS.test(c.callee))
		|| fn.otherCalls.some((c) => DEVICE_TESTS.test(c.callee))
		|| fn.pageUses.some((p) => p.deviceTests.length > 0);
}

/** Whether `caller` hands control to a function named `callee` (call, struct or src element passed). */
/** Names of the functions `caller` calls or hands the migration struct or its entries to. */
function calleesOf(caller: FunctionFacts): Set<string> {
	const out = new Set<string>();
	for (const c of caller.otherCalls) {
		out.add(c.callee);
	}
	for (const f of caller.setupFlows) {
		for (const e of f.exits) {
			for (const name of e.structPassedTo) {
				out.add(name);
			}
		}
	}
	for (const l of caller.pfnLoops) {
		for (const e of l.elementPassedTo) {
			out.add(e.callee);
		}
	}
	return out;
}

/** Callers by callee name over every post-image function of a document, per driver scope; built once per document. */
const callerIndexes = new WeakMap<object, Map<string, Map<string, FnRef[]>>>();

function callerIndex(ctx: RuleContext, scope: string): Map<string, FnRef[]> {
	let perDoc = callerIndexes.get(ctx.series);
	if (!perDoc) {
		perDoc = new Map();
		callerIndexes.set(ctx.series, perDoc);
	}
	let index = perDoc.get(scope);
	if (index) {
		return index;
	}
	index = new Map();
	const messages = ctx.series.some((m) => m.facts === ctx.facts) ? ctx.series : [...ctx.series, { message: ctx.message, facts: ctx.facts }];
	for (const msg of messages) {
		for (const file of msg.facts.files) {
			if (file.image !== 'post' || scopeKey(file.path) !== scope) {
				continue;
			}
			for (const fn of file.functions) {
				for (const callee of calleesOf(fn)) {
					if (!callee) {
						continue;
					}
					let list = index.get(callee);
					if (!list) {
						list = [];
						index.set(callee, list);
					}
					list.push({ msg, file, fn });
				}
			}
		}
	}
	perDoc.set(scope, index);
	return index;
}

interface Reach {
	/** Selections of the structs whose setup leads here. */
	selections: Array<{ sel: Selection; ref: FnRef; flagLocs: Loc[] }>;
	/** A function on the way tests for device pages. */
	guarded: boolean;
	/** A caller on the way is a fault path (source pages are device pages by design). */
	faultPath: boolean;
}

/** The selections that can reach `target` through callers in the same driver (depth-limited). */
function reach(ctx: RuleContext, target: FnRef, callers: Map<string, FnRef[]>, inSeries: Set<object>): Reach {
	const out: Reach = { selections: [], guarded: false, faultPath: false };
	const seen = new Set<FunctionFacts>();
	// A function several patches carry (or a reply quotes again) is walked once per file and name.
	const seenNames = new Set<string>();
	let frontier: FnRef[] = [target];
	for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
		const next: FnRef[] = [];
		for (const r of frontier) {
			if (seen.has(r.fn)) {
				continue;
			}
			seen.add(r.fn);
			if (depth > 0 && hasDeviceTest(r.fn)) {
				out.guarded = true;
			}
			if (isFaultPath(r.fn)) {
				out.faultPath = true;
			}
			for (const s of r.fn.structs) {
				if (setupCallsOf(r.fn, s).length === 0 && r.fn.calls.every((c) => c.kind !== 'old-migrate-vma' || c.structVar !== s.name)) {
					continue;
				}
				const sel = selectionOf(s, ctx.kernel);
				out.selections.push({ sel, ref: r, flagLocs: sel.flags.locs });
			}
			for (const c of (r.fn.name ? callers.get(r.fn.name) : undefined) ?? []) {
				const key = `${c.file.path}\0${c.fn.name}`;
				if (seen.has(c.fn) || !inSeries.has(c.msg.facts) || (c.fn.name && seenNames.has(key))) {
					continue;
				}
				seenNames.add(key);
				next.push(c);
			}
		}
		frontier = next;
	}
	return out;
}

function describe(sel: Selection, k: string): string {
	if (sel.era === 'all') {
		return `on kernel ${k} migrate_vma collects every page in the range, device-private pages included`;
	}
	if (sel.era === 'src_owner') {
		return `with src_owner set (kernel ${k}) setup collects this owner's device-private pages`;
	}
	const names = [...sel.flags.names].filter((n) => n.startsWith('DEVICE_')).map((n) => `MIGRATE_VMA_SELECT_${n}`);
	return `the selection includes ${names.join(' and ') || 'device pages'} (kernel ${k})`;
}

export const rule: Rule = {
	id: 'device-private-source-as-system',
	group: 'selection',
	severity: 'error',
	title: 'Source page used as system memory although the selection can return device pages',
	check(ctx: RuleContext): RuleFinding[] {
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		let all: FnRef[] | undefined;
		let inSeries: Set<object> | undefined;
		for (const ref of ownPost(ctx)) {
			const { fn, file } = ref;
			if (isFaultPath(fn)) {
				continue;
			}
			const uses = fn.pageUses.filter(isSourceUse);
			const copyPath = uses.length > 0 || fn.pfnTests.length > 0 || fn.pfnWrites.length > 0 || fn.pfnLoops.length > 0;
			if (!copyPath) {
				continue;
			}
			const guardedHere = hasDeviceTest(fn);
			const sinks = uses.flatMap(sinksOf);
			if (!guardedHere && sinks.length > 0) {
				const scope = scopeKey(file.path);
				all ??= [...seriesPost(ctx)];
				const mine = all.find((r) => r.fn === fn) ?? ref;
				inSeries ??= new Set(seriesOf(ctx).map((m) => m.facts));
				const r = reach(ctx, mine, callerIndex(ctx, scope), inSeries);
				if (r.guarded || r.faultPath) {
					continue;
				}
				let chosen: { sel: Selection; flagLocs: Loc[] } | undefined = r.selections.find((s) => s.sel.device === 'yes');
				let severity: 'error' | 'warning' = 'error';
				if (!chosen && r.selections.length === 0) {
					const dflt = selectionOf({ name: '', how: 'unknown', zeroed: false, fields: {}, assignments: [], callIndexes: [] }, ctx.kernel);
					if (dflt.era === 'all') {
						chosen = { sel: dflt, flagLocs: [] };
						severity = 'warning';
					}
				}
				if (!chosen) {
					continue;
				}
				const sink = sinks.find((s) => isNewCode(s.loc));
				const flagLoc = !sink ? firstNew(chosen.flagLocs) : undefined;
				if (!sink && !flagLoc) {
					continue;
				}
				const s0 = sink ?? sinks[0]!;
				out.push({
					severity,
					message: `${s0.callee}() treats the source page as system memory, but ${describe(chosen.sel, k)}: a device-private page has no CPU-addressable memory behind it, so the copy reads from a bogus address and corrupts the destination. Test it with is_device_private_page()/is_zone_device_page() and copy device pages with the device's own copy path (or leave them out of dst).`,
					loc: sink ? sink.loc : flagLoc!,
					related: sink ? chosen.flagLocs.slice(0, 1).map((l) => ({ loc: l, message: 'the selection that can return device pages' }))
						: [{ loc: s0.loc, message: 'the source page is used as system memory here' }],
				});
				continue;
			}
			// A fix: the patch adds the device-page test to a copy path that had none.
			if (!guardedHere) {
				continue;
			}
			const newTest = fn.calls.find((c) => c.kind === 'device-page-test' && DEVICE_TESTS.test(c.callee) && isNewCode(c.loc))?.loc
				?? fn.pageUses.flatMap((p) => p.deviceTests).find((t) => DEVICE_TESTS.test(t.callee) && isNewCode(t.loc))?.loc;
			if (!newTest) {
				continue;
			}
			const twins = preTwin(ctx.facts, file.path, fn.name);
			if (twins.length === 0 || twins.some(hasDeviceTest)) {
				continue;
			}
			out.push({
				severity: 'info',
				message: `This hunk fixes a copy path that treated device-memory source pages as system memory (kernel ${k}): pages already on a device are now recognised before they are DMA-mapped or read by the CPU.`,
				loc: newTest,
			});
		}
		return out;
	},
};
