/*
 * A tiny three-valued evaluator for conditions: "is this branch taken when setup failed?",
 * "… when cpages is zero?". Unknown parts give undefined.
 */

import { calleeName, callArgs, child, named, raw, text, unwrap, type AstNode } from './ast';

export interface EvalEnv {
	/** Variables with a known value. */
	vars: Map<string, number>;
	/** Call nodes with a known value (the setup call itself). */
	calls: Map<AstNode, number>;
	/** `x.cpages` / `x->cpages` texts with a known value. */
	fields: Map<string, number>;
}

const IDENTITY_WRAPPERS = new Set(['WARN_ON', 'WARN_ON_ONCE', 'unlikely', 'likely', 'WARN', 'WARN_ONCE', 'KUNIT_EXPECT_TRUE']);

export function evaluate(n: AstNode, env: EvalEnv): number | undefined {
	const u = unwrap(n);
	switch (u.type) {
		case 'number_literal': {
			// parseInt stops at the suffix (`u`, `UL`, …); cutting it off first with /[uUlL]+$/
			// backtracked quadratically over a long run of suffix letters.
			const v = Number.parseInt(raw(u));
			return Number.isNaN(v) ? undefined : v;
		}
		case 'identifier': {
			const name = raw(u);
			if (name === 'NULL' || name === 'false') {
				return 0;
			}
			if (name === 'true') {
				return 1;
			}
			return env.vars.get(name);
		}
		case 'null':
			return 0;
		case 'true':
			return 1;
		case 'false':
			return 0;
		case 'field_expression':
			return env.fields.get(text(u));
		case 'call_expression': {
			const known = env.calls.get(u);
			if (known !== undefined) {
				return known;
			}
			const name = calleeName(u);
			const args = callArgs(u);
			if (IDENTITY_WRAPPERS.has(name) && args.length > 0) {
				return evaluate(args[0]!, env);
			}
			return undefined;
		}
		case 'unary_expression': {
			const a = child(u, 'argument');
			const v = a ? evaluate(a, env) : undefined;
			if (v === undefined) {
				return undefined;
			}
			const opNode = child(u, 'operator');
			const op = opNode ? raw(opNode) : '';
			if (op === '!') {
				return v ? 0 : 1;
			}
			if (op === '-') {
				return -v;
			}
			if (op === '~') {
				return ~v;
			}
			return v;
		}
		case 'binary_expression': {
			const l = child(u, 'left');
			const r = child(u, 'right');
			const opNode = child(u, 'operator');
			const op = opNode ? raw(opNode) : '';
			if (!l || !r) {
				return undefined;
			}
			const a = evaluate(l, env);
			if (op === '&&') {
				if (a === 0) {
					return 0;
				}
				const b = evaluate(r, env);
				if (b === 0) {
					return 0;
				}
				return a === undefined || b === undefined ? undefined : 1;
			}
			if (op === '||') {
				if (a !== undefined && a !== 0) {
					return 1;
				}
				const b = evaluate(r, env);
				if (b !== undefined && b !== 0) {
					return 1;
				}
				return a === undefined || b === undefined ? undefined : 0;
			}
			const b = evaluate(r, env);
			if (a === undefined || b === undefined) {
				return undefined;
			}
			switch (op) {
				case '==': return a === b ? 1 : 0;
				case '!=': return a !== b ? 1 : 0;
				case '<': return a < b ? 1 : 0;
				case '<=': return a <= b ? 1 : 0;
				case '>': return a > b ? 1 : 0;
				case '>=': return a >= b ? 1 : 0;
				case '&': return a & b;
				case '|': return a | b;
				default: return undefined;
			}
		}
		case 'parenthesized_expression': {
			const k = named(u);
			return k.length === 1 ? evaluate(k[0]!, env) : undefined;
		}
		default:
			return undefined;
	}
}

/**
 * Which branch of `cond` is taken when the subject takes `bad` rather than `good`:
 * true → the "then" branch, false → the "else" branch, undefined → cannot tell.
 */
export function branchFor(cond: AstNode, set: (env: EvalEnv, v: number) => void, bad: number, good: number): boolean | undefined {
	const mk = (v: number): EvalEnv => {
		const env: EvalEnv = { vars: new Map(), calls: new Map(), fields: new Map() };
		set(env, v);
		return env;
	};
	const f = evaluate(cond, mk(bad));
	const s = evaluate(cond, mk(good));
	if (f === undefined || s === undefined || Boolean(f) === Boolean(s)) {
		return undefined;
	}
	return Boolean(f);
}
