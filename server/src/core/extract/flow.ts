/*
 * The ways out of a function after each setup call, with what happened on the way (pages,
 * finalize, the setup-failed branch, a cpages == 0 branch, lines the patch does not show).
 * A depth-first search over the CFG with a small state per node, so loops and gotos terminate.
 */

import { baseText, callArgs, calleeName, text, type AstNode } from './ast';
import type { CNode } from './cfg';
import { branchFor } from './evaluate';
import type { FunctionWork } from './func';
import { callKind, FINALIZE_KINDS, PAGES_KINDS, SETUP_KINDS } from './names';
import type { ExitPath, SetupFlow } from './types';

/** What a helper function of the same file does to a struct passed to it. */
export interface HelperSummary {
	pages: boolean;
	finalize: boolean;
}

const MAX_EXITS = 64;

interface State {
	/** The setup result variable still holds the setup result. */
	live: boolean;
	pages: boolean;
	finalize: boolean;
	failed: boolean;
	noPages: boolean;
	gap: boolean;
}

interface Frame {
	node: number;
	st: State;
	labels: string[];
	passed: string[];
	lastGoto?: AstNode;
}

function key(n: number, s: State): string {
	return `${n}:${+s.live}${+s.pages}${+s.finalize}${+s.failed}${+s.noPages}${+s.gap}`;
}

export function computeFlows(work: FunctionWork, helpers: Map<string, HelperSummary>): SetupFlow[] {
	const cfg = work.cfg;
	if (!cfg) {
		return [];
	}
	const L = work.scope.locator;
	const facts = work.facts;
	const apiIndex = new Map<AstNode, number>();
	work.callNodes.forEach((n, i) => apiIndex.set(n, i));
	const flows: SetupFlow[] = [];

	facts.calls.forEach((call, ci) => {
		if (!SETUP_KINDS.has(call.kind) || call.kind === 'old-migrate-vma') {
			return;
		}
		const setupNode = work.callNodes[ci]!;
		const start = cfg.nodeOfCall.get(setupNode);
		if (start === undefined) {
			return;
		}
		const sv = call.structVar;
		const resultVar = call.result.variable;
		const sameStruct = (other: string | undefined): boolean => sv === undefined || other === undefined || other === sv;
		const mentionsStruct = (args: AstNode[]): boolean => {
			if (!sv) {
				return false;
			}
			const re = new RegExp(`(^|[^\\w])${sv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w]|$)`);
			return args.some((a) => re.test(baseText(a)) || re.test(text(a)));
		};
		const testCache = new Map<string, { fail?: boolean; zero?: boolean }>();
		const evalTest = (t: AstNode, live: boolean): { fail?: boolean; zero?: boolean } => {
			const ck = `${t.startIndex}:${+live}`;
			let r = testCache.get(ck);
			if (!r) {
				const fail = branchFor(t, (env, v) => {
					env.calls.set(setupNode, v);
					if (resultVar && live) {
						env.vars.set(resultVar, v);
					}
				}, -22, 0);
				const zero = sv ? branchFor(t, (env, v) => {
					env.fields.set(`${sv}.cpages`, v);
					env.fields.set(`${sv}->cpages`, v);
				}, 0, 3) : undefined;
				r = { ...(fail !== undefined ? { fail } : {}), ...(zero !== undefined ? { zero } : {}) };
				testCache.set(ck, r);
			}
			return r;
		};

		const exits: ExitPath[] = [];
		const exitKeys = new Set<string>();
		let truncated = false;
		const addExit = (e: ExitPath): void => {
			const k = `${e.kind}:${e.loc.line}:${e.loc.character}:${+e.pages}${+e.finalize}${+e.setupFailed}${+e.noPagesSelected}${+e.throughGap}`;
			if (exitKeys.has(k)) {
				return;
			}
			if (exits.length >= MAX_EXITS) {
				truncated = true;
				return;
			}
			exitKeys.add(k);
			exits.push(e);
		};
		const mkExit = (kind: ExitPath['kind'], at: AstNode, f: Frame, value?: string): ExitPath => ({
			kind, loc: L.node(at), ...(value !== undefined ? { returnValue: value } : {}),
			viaLabels: [...f.labels], pages: f.st.pages, finalize: f.st.finalize, setupFailed: f.st.failed,
			noPagesSelected: f.st.noPages, throughGap: f.st.gap, structPassedTo: [...f.passed],
		});

		/** Applies the calls of a node; returns false when the path ended (next setup). */
		const applyCalls = (node: CNode, f: Frame, after?: AstNode): boolean => {
			let started = after === undefined;
			for (const c of node.calls) {
				if (!started) {
					if (c === after) {
						started = true;
					}
					continue;
				}
				const ai = apiIndex.get(c);
				if (ai !== undefined) {
					const k = facts.calls[ai]!;
					if (SETUP_KINDS.has(k.kind) && k.kind !== 'old-migrate-vma' && sameStruct(k.structVar)) {
						addExit(mkExit('next-setup', c, f));
						return false;
					}
					if (PAGES_KINDS.has(k.kind) && sameStruct(k.structVar)) {
						f.st.pages = true;
					} else if (FINALIZE_KINDS.has(k.kind) && sameStruct(k.structVar)) {
						f.st.finalize = true;
					}
					continue;
				}
				const name = calleeName(c);
				if (callKind(name) === undefined && mentionsStruct(callArgs(c))) {
					if (!f.passed.includes(name)) {
						f.passed.push(name);
					}
					const h = helpers.get(name);
					if (h?.pages) {
						f.st.pages = true;
					}
					if (h?.finalize) {
						f.st.finalize = true;
					}
				}
			}
			return true;
		};

		const seen = new Set<string>();
		const stack: Frame[] = [];
		const pushSucc = (node: CNode, f: Frame): void => {
			for (const e of node.succ) {
				const st = { ...f.st };
				if (e.test && e.branch !== undefined) {
					const r = evalTest(e.test, f.st.live);
					if (r.fail !== undefined && r.fail === e.branch) {
						st.failed = true;
					}
					if (r.zero !== undefined && r.zero === e.branch) {
						st.noPages = true;
					}
				}
				stack.push({ node: e.to, st, labels: f.labels, passed: f.passed, ...(node.goto ?? f.lastGoto ? { lastGoto: node.goto ?? f.lastGoto } : {}) });
			}
		};
		const first: Frame = { node: start, st: { live: true, pages: false, finalize: false, failed: false, noPages: false, gap: false }, labels: [], passed: [] };
		const startNode = cfg.nodes[start]!;
		if (applyCalls(startNode, first, setupNode)) {
			if (startNode.exit) {
				addExit(mkExit(startNode.exit.kind, startNode.exit.node, first, startNode.exit.value));
			} else {
				pushSucc(startNode, first);
			}
		}
		let steps = 0;
		while (stack.length > 0) {
			if (++steps > 20000) {
				truncated = true;
				break;
			}
			const f0 = stack.pop()!;
			const k = key(f0.node, f0.st);
			if (seen.has(k)) {
				continue;
			}
			seen.add(k);
			const node = cfg.nodes[f0.node]!;
			const f: Frame = { ...f0, st: { ...f0.st }, passed: [...f0.passed], labels: node.label !== undefined ? [...f0.labels, node.label] : f0.labels };
			if (node.gap) {
				f.st.gap = true;
			}
			if (!applyCalls(node, f)) {
				continue;
			}
			if (resultVar && node.writes.includes(resultVar)) {
				f.st.live = false;
			}
			if (node.exit) {
				addExit(mkExit(node.exit.kind, node.exit.node, f, node.exit.value));
				continue;
			}
			if (node.succ.length === 0) {
				// a goto to a label the patch does not show
				const at = f.lastGoto ?? cfg.nodes.find((n) => n.exit && n.exit.kind !== 'return')?.exit?.node;
				if (at) {
					addExit(mkExit('fragment-end', at, f));
				}
				continue;
			}
			pushSucc(node, f);
		}
		flows.push({ callIndex: ci, ...(sv ? { structVar: sv } : {}), exits, truncated });
	});
	return flows;
}

/** Which functions of a file call pages/finalize, directly or through other functions of the file. */
export function summarize(works: FunctionWork[]): Map<string, HelperSummary> {
	const direct = new Map<string, HelperSummary>();
	const callees = new Map<string, string[]>();
	for (const w of works) {
		const name = w.facts.name;
		if (!name) {
			continue;
		}
		const s = direct.get(name) ?? { pages: false, finalize: false };
		for (const c of w.facts.calls) {
			if (PAGES_KINDS.has(c.kind)) {
				s.pages = true;
			}
			if (FINALIZE_KINDS.has(c.kind)) {
				s.finalize = true;
			}
		}
		direct.set(name, s);
		callees.set(name, [...(callees.get(name) ?? []), ...w.facts.otherCalls.map((c) => c.callee)]);
	}
	let changed = true;
	for (let round = 0; changed && round < 8; round++) {
		changed = false;
		for (const [name, s] of direct) {
			for (const c of callees.get(name) ?? []) {
				const t = direct.get(c);
				if (t && c !== name) {
					if (t.pages && !s.pages) {
						s.pages = true;
						changed = true;
					}
					if (t.finalize && !s.finalize) {
						s.finalize = true;
						changed = true;
					}
				}
			}
		}
	}
	return direct;
}
