/*
 * A statement-level control-flow graph of one function body, enough to follow every way out of
 * a function after a setup call: sequences, if/else, loops with break/continue, switch, goto to
 * labels of the same function, return, and the placeholders for lines the patch does not show.
 */

import { child, named, raw, text, unwrap, type AstNode } from './ast';
import { GAP_MARK } from './source';

export interface Edge {
	to: number;
	/** The condition deciding this edge, and which outcome takes it. */
	test?: AstNode;
	branch?: boolean;
}

export interface CNode {
	succ: Edge[];
	/** Call expressions evaluated in this node, in source order. */
	calls: AstNode[];
	exit?: { kind: 'return' | 'end' | 'fragment-end'; node: AstNode; value?: string };
	gap?: boolean;
	label?: string;
	/** The goto statement of a jump node. */
	goto?: AstNode;
	/** Variables assigned in this node (`x = …`, `x++`, `T x = …`). */
	writes: string[];
}

export interface Cfg {
	nodes: CNode[];
	entry: number;
	/** Call expression → the node evaluating it. */
	nodeOfCall: Map<AstNode, number>;
}

/** Call expressions in an expression (statement expressions included, nested statements not split). */
function callsIn(n: AstNode | undefined, out: AstNode[]): void {
	if (!n) {
		return;
	}
	const stack = [n];
	const found: AstNode[] = [];
	while (stack.length > 0) {
		const x = stack.pop()!;
		if (x.type === 'call_expression') {
			found.push(x);
		}
		for (const c of x.children) {
			stack.push(c);
		}
	}
	found.sort((a, b) => a.startIndex - b.startIndex);
	out.push(...found);
}

/** Variables an expression or declaration assigns. */
function writesIn(n: AstNode | undefined): string[] {
	const out: string[] = [];
	if (!n) {
		return out;
	}
	const stack = [n];
	while (stack.length > 0) {
		const x = stack.pop()!;
		let target: AstNode | undefined;
		if (x.type === 'assignment_expression') {
			target = child(x, 'left');
		} else if (x.type === 'update_expression') {
			target = child(x, 'argument');
		} else if (x.type === 'init_declarator') {
			target = child(x, 'declarator');
		}
		if (target) {
			const t = unwrap(target);
			if (t.type === 'identifier' && !out.includes(raw(t))) {
				out.push(raw(t));
			}
		}
		for (const c of x.children) {
			stack.push(c);
		}
	}
	return out;
}

const STATEMENT_CHILD_SKIP = new Set(['{', '}', ';']);

export function buildCfg(body: AstNode[], end: AstNode, fragmentEnd: boolean): Cfg {
	const nodes: CNode[] = [];
	const labels = new Map<string, number>();
	const jumps: Array<{ brk: number; cont?: number }> = [];
	const nodeOfCall = new Map<AstNode, number>();

	const mk = (calls: AstNode[] = [], expr?: AstNode): number => {
		nodes.push({ succ: [], calls, writes: writesIn(expr) });
		const id = nodes.length - 1;
		for (const c of calls) {
			nodeOfCall.set(c, id);
		}
		return id;
	};
	const simple = (expr: AstNode | undefined, next: number): number => {
		const calls: AstNode[] = [];
		callsIn(expr, calls);
		if (calls.length === 0 && writesIn(expr).length === 0) {
			return next;
		}
		const id = mk(calls, expr);
		nodes[id]!.succ.push({ to: next });
		return id;
	};
	const label = (name: string): number => {
		let id = labels.get(name);
		if (id === undefined) {
			id = mk();
			nodes[id]!.label = name;
			labels.set(name, id);
		}
		return id;
	};
	const seq = (list: AstNode[], next: number): number => {
		let cur = next;
		for (let i = list.length - 1; i >= 0; i--) {
			cur = stmt(list[i]!, cur);
		}
		return cur;
	};
	const stmtChildren = (n: AstNode): AstNode[] => n.children.filter((c) => (c.named || c.type === 'comment') && !STATEMENT_CHILD_SKIP.has(c.type));

	const stmt = (n: AstNode, next: number): number => {
		switch (n.type) {
			case 'compound_statement':
			case 'ERROR':
			case 'translation_unit':
				return seq(stmtChildren(n), next);
			case 'comment': {
				if (!raw(n).startsWith(GAP_MARK)) {
					return next;
				}
				const id = mk();
				nodes[id]!.gap = true;
				nodes[id]!.succ.push({ to: next });
				return id;
			}
			case 'attributed_statement':
			case 'else_clause':
				return seq(named(n).filter((c) => c.type !== 'attribute_declaration'), next);
			case 'if_statement': {
				const cond = child(n, 'condition');
				const cons = child(n, 'consequence');
				const alt = child(n, 'alternative');
				const thenId = cons ? stmt(cons, next) : next;
				const elseId = alt ? stmt(alt, next) : next;
				const calls: AstNode[] = [];
				callsIn(cond, calls);
				const id = mk(calls, cond);
				nodes[id]!.succ.push({ to: thenId, test: cond, branch: true }, { to: elseId, test: cond, branch: false });
				return id;
			}
			case 'for_statement':
			case 'while_statement':
			case 'do_statement': {
				const cond = child(n, 'condition');
				const body = child(n, 'body');
				const calls: AstNode[] = [];
				callsIn(cond, calls);
				const condId = mk(calls, cond);
				const updateId = n.type === 'for_statement' ? simple(child(n, 'update'), condId) : condId;
				jumps.push({ brk: next, cont: updateId });
				const bodyId = body ? stmt(body, updateId) : updateId;
				jumps.pop();
				if (cond) {
					nodes[condId]!.succ.push({ to: bodyId, test: cond, branch: true }, { to: next, test: cond, branch: false });
				} else {
					// for (;;): the only way out is break/return/goto.
					nodes[condId]!.succ.push({ to: bodyId });
				}
				if (n.type === 'for_statement') {
					const init = child(n, 'initializer');
					return simple(init, condId);
				}
				return n.type === 'do_statement' ? bodyId : condId;
			}
			case 'switch_statement': {
				const cond = child(n, 'condition');
				const body = child(n, 'body');
				const calls: AstNode[] = [];
				callsIn(cond, calls);
				const condId = mk(calls);
				const cont = jumps.length > 0 ? jumps[jumps.length - 1]!.cont : undefined;
				jumps.push({ brk: next, cont });
				const cases = body ? stmtChildren(body) : [];
				let fall = next;
				let hasDefault = false;
				const entries: number[] = [];
				for (let i = cases.length - 1; i >= 0; i--) {
					const c = cases[i]!;
					if (c.type === 'case_statement') {
						if (!child(c, 'value')) {
							hasDefault = true;
						}
						fall = seq(stmtChildren(c).filter((k) => k.field !== 'value'), fall);
						entries.push(fall);
					} else {
						fall = stmt(c, fall);
					}
				}
				jumps.pop();
				for (const e of entries) {
					nodes[condId]!.succ.push({ to: e });
				}
				if (!hasDefault || entries.length === 0) {
					nodes[condId]!.succ.push({ to: next });
				}
				return condId;
			}
			case 'case_statement':
				return seq(stmtChildren(n).filter((k) => k.field !== 'value'), next);
			case 'labeled_statement': {
				const l = child(n, 'label');
				const id = label(l ? raw(l) : '');
				const inner = named(n).filter((c) => c.field !== 'label');
				nodes[id]!.succ.push({ to: seq(inner, next) });
				return id;
			}
			case 'goto_statement': {
				const l = child(n, 'label');
				const id = mk();
				nodes[id]!.goto = n;
				nodes[id]!.succ.push({ to: label(l ? raw(l) : '') });
				return id;
			}
			case 'return_statement': {
				const calls: AstNode[] = [];
				callsIn(n, calls);
				const id = mk(calls, n);
				const v = named(n)[0];
				nodes[id]!.exit = { kind: 'return', node: n, ...(v ? { value: text(v) } : {}) };
				return id;
			}
			case 'break_statement': {
				const j = jumps[jumps.length - 1];
				const id = mk();
				nodes[id]!.succ.push({ to: j ? j.brk : next });
				return id;
			}
			case 'continue_statement': {
				let target: number | undefined;
				for (let i = jumps.length - 1; i >= 0 && target === undefined; i--) {
					target = jumps[i]!.cont;
				}
				const id = mk();
				nodes[id]!.succ.push({ to: target ?? next });
				return id;
			}
			case 'preproc_if':
			case 'preproc_ifdef':
			case 'preproc_elif':
			case 'preproc_elifdef':
			case 'preproc_else': {
				const alt = child(n, 'alternative');
				const body = stmtChildren(n).filter((c) => c.field !== 'alternative' && c.field !== 'condition' && c.field !== 'name');
				const id = mk();
				nodes[id]!.succ.push({ to: seq(body, next) }, { to: alt ? stmt(alt, next) : next });
				return id;
			}
			case 'preproc_def':
			case 'preproc_function_def':
			case 'preproc_call':
			case 'preproc_include':
				return next;
			default:
				return simple(n, next);
		}
	};

	const endId = mk();
	nodes[endId]!.exit = { kind: fragmentEnd ? 'fragment-end' : 'end', node: end };
	const entry = seq(body, endId);
	return { nodes, entry, nodeOfCall };
}
