/*
 * finalize-missing: a path that leaves the function after a successful setup without calling
 * migrate_vma_finalize() (migrate_device_finalize() after migrate_device_range/pfns).
 *
 * Setup leaves every selected page locked, isolated from the LRU, holding an extra reference, with
 * a migration entry in place of its PTE; only finalize undoes that. Harmless or unknown paths are
 * left alone: the setup-failed branch, a branch where cpages was found to be 0 (nothing is
 * pending), paths that hand the struct to a helper (it may finalize), paths that run into lines
 * the patch does not show, and — for a struct the function does not own — returns (the caller may
 * finalize). Reaching the same setup again without finalize is always reported.
 *
 * Two flow gaps are worked around here: a helper that only gets a scalar field (`args.cpages`)
 * does not count as receiving the struct, and where one condition tests both the setup result
 * and cpages (or cpages was copied to a local first) the harmless branch cannot be told apart, so
 * only exits before the last finalize that are not the statement right under that test are judged.
 */
import type { ApiCall, FileFacts, FunctionFacts, Loc, MigrateVmaStruct } from '../extract/types';
import { before, cmpLoc, type Defect, FINALIZE_LIKE, imageLines, kernelTag, namesArray, newCodeLocs, runDetector, sameStruct, stepNames } from './protocolShared';
import type { Rule, RuleContext } from './types';

/** Whether the struct (or, for migrate_device_*, the src array) lives and dies in this function. */
function ownedLocally(fn: FunctionFacts, call: ApiCall): boolean {
	if (call.kind === 'device-range' || call.kind === 'device-pfns') {
		const arr = (call.args[0] ?? '').replace(/^[(\s]+|[)\s]+$/g, '');
		return fn.arrays.some((a) => a.target === arr && (a.how === 'alloc' || a.how === 'stack'));
	}
	const sv = call.structVar;
	if (!sv) {
		return false;
	}
	const s: MigrateVmaStruct | undefined = fn.structs.find((x) => x.name === sv);
	if (s && (s.how === 'designated' || s.how === 'assign' || s.how === 'memset+assign')) {
		return true;
	}
	if (s && s.how !== 'unknown') {
		return false;
	}
	// Declaration not shown: `&name` of a plain identifier that is not a parameter is a local struct.
	const arg = (call.args[0] ?? '').replace(/\s+/g, '');
	return /^&[A-Za-z_]\w*$/.test(arg) && arg.slice(1) === sv && !fn.params.some((p) => p.name === sv);
}

/**
 * Whether a helper the flow lists as receiving the struct really gets something it could finish
 * the migration with: the struct itself or its src/dst arrays. A scalar field (`args.cpages`,
 * `args.start`) is only a number, although the flow counts it as passing the struct.
 */
function helperGetsStruct(fn: FunctionFacts, callee: string, sv: string | undefined): boolean {
	const calls = fn.otherCalls.filter((c) => c.callee === callee);
	if (calls.length === 0 || !sv) {
		return true;
	}
	const esc = sv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const scalarField = new RegExp(`^${esc}\\s*(\\.|->)\\s*(cpages|npages|start|end|vma|flags|pgmap_owner|src_owner|fault_page)$`);
	const mentions = new RegExp(`(^|[^\\w])${esc}([^\\w]|$)`);
	return calls.some((c) => c.args.some((a) => {
		const t = a.replace(/\s+/g, ' ').trim();
		if (!mentions.test(t) && !namesArray(t, 'src') && !namesArray(t, 'dst')) {
			return false;
		}
		return !scalarField.test(t.replace(/^\(+|\)+$/g, ''));
	}));
}

function detect(fn: FunctionFacts, _file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	for (const flow of fn.setupFlows) {
		const call = fn.calls[flow.callIndex];
		if (!call || !(call.kind === 'setup' || call.kind === 'hmm-setup' || call.kind === 'device-range' || call.kind === 'device-pfns')) {
			continue;
		}
		const names = stepNames(call);
		const owned = ownedLocally(fn, call);
		// `if (!ret && args.cpages)` / `if (ret || !args.cpages)`: one test of both the result and
		// cpages. The flow cannot tell which branch is the harmless one, so only exits that come
		// before the last finalize (early exits inside the guarded code) are judged.
		// A local copy of cpages (`cpages = migrate.cpages; if (!cpages) goto out;`) hides the
		// zero test from the flow in the same way.
		const rv = call.result.variable?.replace(/^.*(?:->|\.)/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		const joint = fn.cpagesUses.filter((u) => sameStruct(u.structVar, call.structVar) && u.context === 'condition'
			&& ((rv !== undefined && rv !== '' && new RegExp(`(^|[^\\w.>])${rv}([^\\w]|$)`).test(u.contextText)) || u.contextText.includes(`${call.callee}(`)));
		const combined = joint.length > 0 || fn.cpagesUses.some((u) => sameStruct(u.structVar, call.structVar) && u.context === 'assign');
		/** The exit is the statement right under such a joint test (`if (setup(&a) || !a.cpages) return …;`). */
		const underJointTest = (at: Loc): boolean => joint.some((u) => {
			if (!before(u.loc, at)) {
				return false;
			}
			const lines = imageLines(ctx, u.loc, at);
			return lines.length > 0 && lines.length <= 6 && !lines.slice(0, -1).some((l) => l.includes(';'));
		});
		const lastFinalize = fn.calls.filter((c) => FINALIZE_LIKE.has(c.kind) && sameStruct(c.structVar, call.structVar)).map((c) => c.loc).sort(cmpLoc).pop();
		const reported = new Set<string>();
		const getsStruct = new Map<string, boolean>();
		const passedOn = (h: string): boolean => {
			let r = getsStruct.get(h);
			if (r === undefined) {
				r = helperGetsStruct(fn, h, call.structVar);
				getsStruct.set(h, r);
			}
			return r;
		};
		for (const e of flow.exits) {
			if (e.finalize || e.setupFailed || e.noPagesSelected || e.throughGap || e.kind === 'fragment-end'
				|| e.structPassedTo.some(passedOn)) {
				continue;
			}
			if ((e.kind === 'return' || e.kind === 'end') && !owned) {
				continue;
			}
			if (combined && ((lastFinalize && cmpLoc(lastFinalize, e.loc) < 0) || underJointTest(e.loc))) {
				continue;
			}
			const k = `${e.kind}:${e.loc.line}:${e.loc.character}`;
			if (reported.has(k)) {
				continue;
			}
			reported.add(k);
			const what = e.kind === 'next-setup'
				? `loops back to ${names.setup} on the same struct`
				: e.kind === 'end' ? 'reaches the end of the function' : 'returns';
			const after = e.pages ? ` (${names.pages} was called, but that does not release anything)` : '';
			const consequence = 'the pages it selected stay locked and isolated from the LRU with an extra reference, and their page-table entries stay migration entries, '
				+ 'so any later CPU access to those addresses waits forever and the references leak';
			out.push({
				key: `finalize:${call.structVar ?? call.args[0] ?? ''}`,
				locs: [e.loc, call.loc],
				message: `This path ${what} after a successful ${names.setup} without calling ${names.finalize}${after}: ${consequence}. `
					+ `Call ${names.finalize} on every path once setup has succeeded (skipping it is only safe when cpages is 0) ${kernelTag(ctx)}.`,
				related: [
					{ loc: call.loc, message: `the ${names.setup} whose pages this path leaves locked` },
					{ loc: e.loc, message: 'where the path leaves without finalize' },
				],
			});
		}
	}
	return out;
}

export const rule: Rule = {
	id: 'finalize-missing',
	group: 'protocol',
	severity: 'error',
	title: 'A path after a successful migrate_vma_setup() never calls migrate_vma_finalize()',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post) => {
				for (const g of post) {
					const f = g.calls.find((c) => (c.kind === 'finalize' || c.kind === 'device-finalize') && c.loc.lineKind === '+');
					if (f) {
						return f.loc;
					}
				}
				return post.map((g) => newCodeLocs(g)[0]).find((l) => l !== undefined);
			},
			message: (_d, c) => `This hunk fixes a path that left without migrate_vma_finalize() after a successful setup (pages would have stayed locked with migration entries) ${kernelTag(c)}.`,
		});
	},
};
