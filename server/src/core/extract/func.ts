/*
 * Facts of one function (or fragment) body: structs, calls, loops over src/dst, page uses,
 * handlers. The control flow after setup calls is computed later (flow.ts), once the whole file
 * is known, so helpers that call pages/finalize can be recognised.
 */

import {
	baseText, callArgs, calleeName, child, declaredName, fold, identifiers, isInside, loopKind, named, raw, text, unwrap, visit,
	type AstNode,
} from './ast';
import { buildCfg, type Cfg } from './cfg';
import { branchFor } from './evaluate';
import type { Locator } from './locate';
import { INIT_NAME, INIT_TYPE } from './source';
import {
	callKind, DEVICE_TEST_CALLS, FINALIZE_KINDS, flagNames, isPureFlagExpression, MIGRATE_VMA_FIELDS, MIGRATE_VMA_ONLY_FIELDS, PAGES_KINDS, SETUP_KINDS,
} from './names';
import type {
	AfterPages, ApiCall, ChunkLoop, CpagesUse, FaultReturn, FieldValue, FunctionFacts, HmmRangeFacts, Loc, MigrateToRamFacts, MigrateVmaStruct,
	NotifierFacts, PageUse, PfnArray, PfnLoop, PfnTest, PfnWrite, PgmapSetup, ResultUse, SizeofUse, StructHow,
} from './types';

/** What a function needs from its file. */
export interface FileScope {
	locator: Locator;
	/** `#define` bodies and file-scope constants (name → text). */
	names: Map<string, string>;
}

export interface FunctionInput {
	name: string;
	/** The function_definition node, when there is one. */
	def?: AstNode;
	/** Statements of the body. */
	body: AstNode[];
	/** The node at the end of the body (closing brace or last statement). */
	endNode: AstNode;
	hasRealHeader: boolean;
	hasRealEnd: boolean;
	hasGaps: boolean;
	loc: Loc;
}

/** Internal state kept for the flow pass. */
export interface FunctionWork {
	facts: FunctionFacts;
	cfg?: Cfg;
	/** ApiCall index → its node. */
	callNodes: AstNode[];
	/** otherCalls index → its node. */
	otherNodes: AstNode[];
	/** Struct variable names. */
	structNames: Set<string>;
	/** The file the function was read from (its locator). */
	scope: FileScope;
}

interface Ctx {
	loops: AstNode[];
	path: string[];
	ifs: Array<{ cond: AstNode; then: boolean }>;
	cond: AstNode | null;
	inReturn: boolean;
}

interface RawCall {
	n: AstNode;
	callee: string;
	loops: AstNode[];
	path: string[];
	ifs: Array<{ cond: AstNode; then: boolean }>;
	cond: AstNode | null;
}

interface RawAssign {
	n: AstNode;
	left: AstNode;
	right: AstNode;
	op: string;
	loops: AstNode[];
	ifs: Array<{ cond: AstNode; then: boolean }>;
	/** For `obj.field = …` / `obj->field = …`: the object (as `baseText`) and the field name. */
	member?: { on: string; field: string };
}

function memberTarget(left: AstNode): RawAssign['member'] {
	const l = unwrap(left);
	if (l.type !== 'field_expression') {
		return undefined;
	}
	const f = child(l, 'field');
	const obj = child(l, 'argument');
	return f && obj ? { on: baseText(obj), field: raw(f) } : undefined;
}

interface RawDecl {
	n: AstNode;
	type: string;
	declarator: AstNode;
	name: string;
	init?: AstNode;
	pointer: boolean;
	array?: AstNode;
	isArray: boolean;
	loops: AstNode[];
}

interface RawIdent {
	name: string;
	n: AstNode;
	cond: AstNode | null;
	write: boolean;
	inReturn: boolean;
}

const CONDITION_PARENTS = new Set(['if_statement', 'while_statement', 'do_statement', 'for_statement', 'switch_statement', 'conditional_expression']);

function opOf(n: AstNode): string {
	const o = child(n, 'operator');
	return o ? raw(o) : '';
}

/** Role of a src/dst array expression. */
function arrayRoleByText(n: AstNode, aliases: Map<string, 'src' | 'dst'>, byName: (name: string) => boolean = () => true): 'src' | 'dst' | undefined {
	const u = unwrap(n);
	if (u.type === 'field_expression') {
		const f = child(u, 'field');
		const name = f ? raw(f) : '';
		if (/^src(_?pfns?)?$/.test(name)) {
			return 'src';
		}
		if (/^dst(_?pfns?)?$/.test(name)) {
			return 'dst';
		}
		return undefined;
	}
	if (u.type === 'identifier') {
		const name = raw(u);
		const a = aliases.get(name);
		if (a) {
			return a;
		}
		if (!byName(name)) {
			return undefined;
		}
		if (/^(src|migrate_src)(_?pfns?)?$/.test(name)) {
			return 'src';
		}
		if (/^(dst|migrate_dst)(_?pfns?)?$/.test(name)) {
			return 'dst';
		}
	}
	return undefined;
}

/**
 * The facts of one function (or of a hunk's loose statements): one walk over the body, then one
 * phase per kind of fact. Each phase is a closure of its own over the shared collections, not
 * inline code: V8 optimises a hot function whole, and as one 43 KB-bytecode function this took
 * TurboFan seconds and hundreds of MB (see `max-statements` in eslint.config.mjs).
 */
export function analyzeFunction(input: FunctionInput, scope: FileScope): FunctionWork {
	const L = scope.locator;
	const calls: RawCall[] = [];
	const assigns: RawAssign[] = [];
	const decls: RawDecl[] = [];
	const idents: RawIdent[] = [];
	const loopsAll: AstNode[] = [];
	const conds: AstNode[] = [];
	const returns: Array<{ n: AstNode; ifs: Array<{ cond: AstNode; then: boolean }> }> = [];
	const fieldExprs: Array<{ n: AstNode; field: string; cond: AstNode | null; inReturn: boolean }> = [];
	const subscripts: Array<{ n: AstNode; loops: AstNode[] }> = [];
	const sizeofs: AstNode[] = [];
	const binaries: Array<{ n: AstNode; cond: AstNode | null }> = [];
	const inits: Array<{ n: AstNode; owner: string; loops: AstNode[] }> = [];

	// ---- one walk over the body ---------------------------------------------------------
	const walk = (n: AstNode, ctx: Ctx): void => {
		switch (n.type) {
			case 'if_statement': {
				const c = child(n, 'condition');
				if (c) {
					conds.push(c);
					walk(c, { ...ctx, cond: c });
				}
				const cons = child(n, 'consequence');
				if (cons) {
					walk(cons, { ...ctx, path: [...ctx.path, 'if'], ifs: c ? [...ctx.ifs, { cond: c, then: true }] : ctx.ifs });
				}
				const alt = child(n, 'alternative');
				if (alt) {
					walk(alt, { ...ctx, path: [...ctx.path, 'else'], ifs: c ? [...ctx.ifs, { cond: c, then: false }] : ctx.ifs });
				}
				return;
			}
			case 'for_statement':
			case 'while_statement':
			case 'do_statement': {
				loopsAll.push(n);
				const inner: Ctx = { ...ctx, loops: [...ctx.loops, n], path: [...ctx.path, loopKind(n)] };
				for (const k of n.children) {
					if (k.field === 'condition') {
						conds.push(k);
						walk(k, { ...inner, cond: k });
					} else {
						walk(k, inner);
					}
				}
				return;
			}
			case 'switch_statement': {
				const c = child(n, 'condition');
				if (c) {
					conds.push(c);
					walk(c, { ...ctx, cond: c });
				}
				const b = child(n, 'body');
				if (b) {
					walk(b, { ...ctx, path: [...ctx.path, 'switch'] });
				}
				return;
			}
			case 'case_statement':
				for (const k of n.children) {
					walk(k, { ...ctx, path: [...ctx.path, 'case'] });
				}
				return;
			case 'labeled_statement': {
				const l = child(n, 'label');
				for (const k of n.children) {
					if (k.field !== 'label') {
						walk(k, { ...ctx, path: [...ctx.path, `label:${l ? raw(l) : ''}`] });
					}
				}
				return;
			}
			case 'compound_statement':
				if (ctx.path.length > 0 || n.parent?.type === 'compound_statement') {
					const p = n.parent?.type === 'compound_statement' ? [...ctx.path, 'block'] : ctx.path;
					for (const k of n.children) {
						walk(k, { ...ctx, path: p });
					}
					return;
				}
				break;
			case 'conditional_expression': {
				const c = child(n, 'condition');
				if (c) {
					conds.push(c);
				}
				for (const k of n.children) {
					walk(k, k === c ? { ...ctx, cond: c } : ctx);
				}
				return;
			}
			case 'return_statement':
				returns.push({ n, ifs: ctx.ifs });
				for (const k of n.children) {
					walk(k, { ...ctx, inReturn: true });
				}
				return;
			case 'call_expression':
				calls.push({ n, callee: calleeName(n), loops: ctx.loops, path: ctx.path, ifs: ctx.ifs, cond: ctx.cond });
				break;
			case 'assignment_expression': {
				const left = child(n, 'left');
				const right = child(n, 'right');
				if (left && right) {
					assigns.push({ n, left, right, op: opOf(n), loops: ctx.loops, ifs: ctx.ifs, member: memberTarget(left) });
				}
				break;
			}
			case 'update_expression': {
				const a = child(n, 'argument');
				if (a && unwrap(a).type === 'identifier') {
					idents.push({ name: raw(unwrap(a)), n: unwrap(a), cond: ctx.cond, write: true, inReturn: ctx.inReturn });
				}
				break;
			}
			case 'declaration': {
				const typeText = fold(n.children.filter((c) => c.named && c.field !== 'declarator' && c.type !== 'comment').map(raw).join(' '));
				for (const d of n.children.filter((c) => c.field === 'declarator')) {
					const declarator = d.type === 'init_declarator' ? child(d, 'declarator') ?? d : d;
					const name = declaredName(declarator) ?? '';
					const init = d.type === 'init_declarator' ? child(d, 'value') : undefined;
					let arr: AstNode | undefined;
					let pointer = false;
					visit(declarator, (x) => {
						if (x.type === 'pointer_declarator') {
							pointer = true;
						}
						if (x.type === 'array_declarator' && !arr) {
							arr = x;
						}
					});
					decls.push({ n, type: typeText, declarator, name, init, pointer, array: arr ? child(arr, 'size') : undefined, isArray: arr !== undefined, loops: ctx.loops });
					if (init?.type === 'initializer_list') {
						inits.push({ n: init, owner: name, loops: ctx.loops });
					}
				}
				break;
			}
			case 'identifier': {
				const p = n.parent;
				const isWrite = p?.type === 'assignment_expression' && n.field === 'left';
				idents.push({ name: raw(n), n, cond: ctx.cond, write: isWrite, inReturn: ctx.inReturn });
				break;
			}
			case 'field_expression': {
				const f = child(n, 'field');
				if (f) {
					fieldExprs.push({ n, field: raw(f), cond: ctx.cond, inReturn: ctx.inReturn });
				}
				break;
			}
			case 'subscript_expression':
				subscripts.push({ n, loops: ctx.loops });
				break;
			case 'sizeof_expression':
				sizeofs.push(n);
				break;
			case 'binary_expression':
				binaries.push({ n, cond: ctx.cond });
				break;
			default:
				break;
		}
		for (const k of n.children) {
			walk(k, ctx);
		}
	};
	const root: Ctx = { loops: [], path: [], ifs: [], cond: null, inReturn: false };
	for (const s of input.body) {
		walk(s, root);
	}

	// ---- parameters -----------------------------------------------------------------------
	const params: Array<{ name: string; type: string }> = [];
	let returnType = '';
	const readParameters = (): void => {
		if (input.def) {
			// storage class, qualifiers and type; a pointer return type shows as a trailing `*`
			returnType = fold(input.def.children.filter((c) => c.named && c.field !== 'declarator' && c.field !== 'body' && c.type !== 'comment').map(raw).join(' '));
			const d0 = child(input.def, 'declarator');
			if (d0?.type === 'pointer_declarator') {
				returnType += ' *';
			}
			let fd: AstNode | undefined = child(input.def, 'declarator');
			while (fd && fd.type !== 'function_declarator') {
				fd = child(fd, 'declarator');
			}
			const pl = fd ? child(fd, 'parameters') : undefined;
			for (const p of pl ? named(pl) : []) {
				if (p.type !== 'parameter_declaration') {
					continue;
				}
				const d = child(p, 'declarator');
				const name = d ? declaredName(d) ?? '' : '';
				const type = fold(p.children.filter((c) => c.named && c.field !== 'declarator').map(raw).join(' ') + (d && raw(d).includes('*') ? ' *' : ''));
				params.push({ name, type });
			}
		}
	};
	readParameters();

	// ---- local values for substitution ----------------------------------------------------
	const localValues = new Map<string, string[]>();
	const addValue = (name: string, v: string): void => {
		const l = localValues.get(name) ?? [];
		l.push(v);
		localValues.set(name, l);
	};
	const collectLocalValues = (): void => {
		for (const d of decls) {
			if (d.init && d.init.type !== 'initializer_list') {
				addValue(d.name, text(d.init));
			} else if (!d.init) {
				localValues.set(d.name, localValues.get(d.name) ?? []);
			}
		}
		for (const a of assigns) {
			const l = unwrap(a.left);
			if (l.type === 'identifier') {
				addValue(raw(l), a.op === '=' ? text(a.right) : `${raw(l)} ${a.op} ${text(a.right)}`);
			}
		}
	};
	collectLocalValues();
	const resolve = (s: string): string => {
		let cur = s;
		for (let round = 0; round < 4; round++) {
			let changed = false;
			// not after `.`, `->`, `&` (address-of) and not before `(`, `.`, `->`, `[`
			cur = cur.replace(/(?<![\w.]|->|(?<!&)&\s*)[A-Za-z_]\w*(?!\w)(?!\s*(?:\(|\.|->|\[))/g, (id) => {
				const local = localValues.get(id);
				let v: string | undefined;
				if (local) {
					v = local.length === 1 ? local[0] : undefined;
				} else {
					v = scope.names.get(id);
				}
				if (v === undefined || v === id || new RegExp(`\\b${id}\\b`).test(v)) {
					return id;
				}
				changed = true;
				return /^[\w.>-]+$/.test(v) ? v : `(${v})`;
			});
			if (!changed) {
				break;
			}
		}
		return cur;
	};
	/** All values a variable may hold (for `return ret`). */
	const valuesOf = (name: string): string[] => localValues.get(name) ?? [];

	// ---- array roles (aliases) -------------------------------------------------------------
	const aliases = new Map<string, 'src' | 'dst'>();
	/** Scalars whose address is stored as src/dst (`args.dst = &dst`): one-entry arrays. */
	const addrStored = new Set<string>();
	for (const p of params) {
		const m = /^(src|dst)/.exec(p.name);
		if (m && /unsigned long\s*\*/.test(p.type)) {
			aliases.set(p.name, m[1] as 'src' | 'dst');
		}
	}
	// plain names are trusted only in functions that visibly deal with migration entries
	const migrationContext = input.body.some((b) => /migrate_pfn|MIGRATE_PFN_|migrate_vma|migrate_device|alloc_and_copy|finalize_and_map/.test(raw(b)))
		|| params.some((p) => /migrate_vma/.test(p.type));
	const aliasByName = (name: string): boolean => {
		if (!migrationContext) {
			return false;
		}
		const d = decls.find((x) => x.name === name);
		const p = params.find((x) => x.name === name);
		const type = d?.type ?? p?.type;
		return type === undefined ? !fieldExprs.some((f) => f.field === 'src' || f.field === 'dst') : /^(const\s+)?unsigned long\b/.test(type.replace(/^static\s+/, ''));
	};
	const noteAlias = (target: AstNode, value: AstNode): void => {
		const t = unwrap(target);
		const v = unwrap(value);
		const rt = arrayRoleByText(t, aliases, aliasByName);
		const rv = arrayRoleByText(v, aliases, aliasByName);
		if (t.type === 'identifier' && rv && !aliases.has(raw(t))) {
			aliases.set(raw(t), rv);
		}
		if (rt && t.type === 'field_expression') {
			const vb = v.type === 'pointer_expression' ? child(v, 'argument') : v;
			if (vb && unwrap(vb).type === 'identifier' && !aliases.has(raw(unwrap(vb)))) {
				aliases.set(raw(unwrap(vb)), rt);
			}
			if (vb && v.type === 'pointer_expression' && raw(v).trimStart().startsWith('&') && unwrap(vb).type === 'identifier') {
				addrStored.add(raw(unwrap(vb)));
			}
		}
	};
	const collectAliases = (): void => {
		for (const d of decls) {
			if (d.init && d.init.type !== 'initializer_list') {
				const fake = d.declarator;
				if (declaredName(fake)) {
					const id = visitFind(fake, (x) => x.type === 'identifier');
					if (id) {
						noteAlias(id, d.init);
					}
				}
			}
		}
		for (const a of assigns) {
			if (a.op === '=') {
				noteAlias(a.left, a.right);
			}
		}
		for (const init of inits) {
			for (const pair of named(init.n)) {
				if (pair.type !== 'initializer_pair') {
					continue;
				}
				const des = child(pair, 'designator');
				const val = child(pair, 'value');
				const fname = des ? raw(des).replace(/^\./, '').trim() : '';
				if (val && /^(src|dst)$/.test(fname)) {
					const v = unwrap(val);
					const vb = v.type === 'pointer_expression' ? child(v, 'argument') : v;
					if (vb && unwrap(vb).type === 'identifier') {
						aliases.set(raw(unwrap(vb)), fname as 'src' | 'dst');
						if (v.type === 'pointer_expression' && raw(v).trimStart().startsWith('&')) {
							addrStored.add(raw(unwrap(vb)));
						}
					}
				}
			}
		}
		for (const c of calls) {
			const k = callKind(c.callee);
			const args = callArgs(c.n);
			const set = (i: number, r: 'src' | 'dst'): void => {
				const a = args[i] ? unwrap(args[i]!) : undefined;
				if (a?.type === 'identifier' && !aliases.has(raw(a))) {
					aliases.set(raw(a), r);
				}
			};
			if (k === 'device-range' || k === 'device-pfns') {
				set(0, 'src');
			} else if (k === 'device-pages' || k === 'device-finalize') {
				set(0, 'src');
				set(1, 'dst');
			} else if (k === 'old-migrate-vma') {
				set(4, 'src');
				set(5, 'dst');
			}
		}
	};
	collectAliases();
	// a plain `src`/`dst` is taken for a pfn array by its name only when declared `unsigned long`, or,
	// undeclared, when no struct's `src`/`dst` is in sight (amdkfd names its DMA scratch arrays so)
	const usesFields = fieldExprs.some((f) => f.field === 'src' || f.field === 'dst');
	const byName = (name: string): boolean => {
		if (!migrationContext) {
			return false;
		}
		const d = decls.find((x) => x.name === name);
		const p = params.find((x) => x.name === name);
		const type = d?.type ?? p?.type;
		if (type !== undefined) {
			return /^(const\s+)?unsigned long\b/.test(type.replace(/^static\s+/, ''));
		}
		return !usesFields;
	};
	const roleOf = (n: AstNode): 'src' | 'dst' | undefined => arrayRoleByText(n, aliases, byName);

	// ---- migrate_vma structs ---------------------------------------------------------------
	const structs = new Map<string, MigrateVmaStruct>();
	const fieldPos = new WeakMap<FieldValue, number>();
	const mkField = (field: string, val: AstNode, via: 'init' | 'assign', inLoop: boolean): FieldValue => {
		const t = text(val);
		const r = resolve(t);
		const fv: FieldValue = { field, text: t, loc: L.node(val), via, resolved: r, flags: flagNames(r), flagsExact: isPureFlagExpression(r), inLoop };
		fieldPos.set(fv, val.startIndex);
		return fv;
	};
	const isMigrateVmaType = (t: string): boolean => /\bstruct\s+migrate_vma\b(?!_)/.test(t);
	const initFields = (d: RawDecl): string[] => d.init?.type === 'initializer_list'
		? named(d.init).filter((p) => p.type === 'initializer_pair').map((p) => raw(child(p, 'designator') ?? p).replace(/^\./, '').trim())
		: [];
	/** A made-up initialiser head (hunk starting inside `= { … }`) whose fields say migrate_vma. */
	const looksMigrateVmaInit = (d: RawDecl): boolean => {
		if (!d.type.includes(INIT_TYPE)) {
			return false;
		}
		const f = initFields(d);
		return f.some((x) => MIGRATE_VMA_ONLY_FIELDS.has(x)) || /MIGRATE_VMA_SELECT_/.test(d.init ? text(d.init) : '')
			|| (f.length > 0 && f.every((x) => MIGRATE_VMA_FIELDS.has(x)) && f.some((x) => x === 'src' || x === 'dst'));
	};
	const structsFromDeclarations = (): void => {
		for (const d of decls) {
			if (!(isMigrateVmaType(d.type) || looksMigrateVmaInit(d)) || d.isArray) {
				continue;
			}
			let how: StructHow = d.pointer ? 'pointer' : 'assign';
			let zeroed = false;
			const s: MigrateVmaStruct = { name: d.name, how, declLoc: L.node(d.n), zeroed, fields: {}, assignments: [], callIndexes: [] };
			if (d.init?.type === 'initializer_list') {
				const pairs = named(d.init).filter((p) => p.type === 'initializer_pair');
				zeroed = true;
				if (pairs.length > 0) {
					how = 'designated';
					for (const p of pairs) {
						const des = child(p, 'designator');
						const val = child(p, 'value');
						if (des && val) {
							s.assignments.push(mkField(raw(des).replace(/^\./, '').trim(), val, 'init', d.loops.length > 0));
						}
					}
				}
			} else if (d.init && d.pointer && /kzalloc|kvzalloc|kcalloc/.test(text(d.init))) {
				zeroed = true;
			}
			s.how = how;
			s.zeroed = zeroed;
			structs.set(d.name, s);
		}
		for (const p of params) {
			if (isMigrateVmaType(p.type) && p.type.includes('*') && !structs.has(p.name)) {
				structs.set(p.name, { name: p.name, how: 'param', zeroed: false, fields: {}, assignments: [], callIndexes: [] });
			}
		}
	};
	structsFromDeclarations();
	// structs known only from their use
	const migrateCallStruct = (c: RawCall): string | undefined => {
		const k = callKind(c.callee);
		if (k === 'setup' || k === 'pages' || k === 'finalize') {
			const a = callArgs(c.n)[0];
			return a ? baseText(a) : undefined;
		}
		return undefined;
	};
	const structsFromUse = (): void => {
		for (const c of calls) {
			const s = migrateCallStruct(c);
			if (s && !structs.has(s) && /^[\w.>\-[\]]+$/.test(s)) {
				structs.set(s, { name: s, how: 'unknown', zeroed: false, fields: {}, assignments: [], callIndexes: [] });
			}
		}
		for (const { member } of assigns) {
			if (member && !structs.has(member.on) && MIGRATE_VMA_ONLY_FIELDS.has(member.field) && member.field !== 'cpages') {
				structs.set(member.on, { name: member.on, how: 'unknown', zeroed: false, fields: {}, assignments: [], callIndexes: [] });
			}
		}
		// objects whose `src` and `dst` (or `cpages`) are both used are migrate_vma structs even when
		// their declaration is not shown
		const used = new Map<string, Set<string>>();
		for (const f of fieldExprs) {
			const obj = child(f.n, 'argument');
			if (obj && (f.field === 'src' || f.field === 'dst' || f.field === 'cpages')) {
				const on = baseText(obj);
				const set = used.get(on) ?? new Set<string>();
				set.add(f.field);
				used.set(on, set);
			}
		}
		for (const [on, set] of used) {
			if (!structs.has(on) && set.has('src') && set.has('dst') && /^[\w.>\-[\]]+$/.test(on)
				&& !decls.some((d) => d.name === on) && !params.some((p) => p.name === on)) {
				structs.set(on, { name: on, how: 'unknown', zeroed: false, fields: {}, assignments: [], callIndexes: [] });
			}
		}
	};
	structsFromUse();
	// an initialiser whose head the patch does not show belongs to the one struct used without a declaration
	const headless = structs.get(INIT_NAME);
	let headlessName = '';
	if (headless) {
		const unknown = [...structs.values()].filter((x) => x.how === 'unknown');
		structs.delete(INIT_NAME);
		if (unknown.length === 1) {
			const u = unknown[0]!;
			u.how = 'designated';
			u.zeroed = true;
			u.assignments = [...headless.assignments, ...u.assignments];
			headlessName = u.name;
		} else {
			headless.name = '';
			delete headless.declLoc;
			structs.set('', headless);
		}
	}
	const structFieldAssignments = (): void => {
		for (const c of calls) {
			if (c.callee === 'memset') {
				const a = callArgs(c.n)[0];
				const s = a ? structs.get(baseText(a)) : undefined;
				if (s && (s.how === 'assign' || s.how === 'unknown')) {
					s.how = 'memset+assign';
					s.zeroed = true;
				}
			}
		}
		for (const a of assigns) {
			const s = a.member && a.op === '=' ? structs.get(a.member.on) : undefined;
			if (s && MIGRATE_VMA_FIELDS.has(a.member!.field)) {
				s.assignments.push(mkField(a.member!.field, a.right, 'assign', a.loops.length > 0));
			}
		}
	};
	structFieldAssignments();

	// ---- API calls -------------------------------------------------------------------------
	const apiCalls: ApiCall[] = [];
	const callNodes: AstNode[] = [];
	const otherCalls: Array<{ callee: string; args: string[]; loc: Loc }> = [];
	const otherNodes: AstNode[] = [];
	const identsAfter = (name: string, from: number): RawIdent[] => idents.filter((i) => i.name === name && i.n.startIndex >= from).sort((a, b) => a.n.startIndex - b.n.startIndex);
	const resultUse = (c: AstNode): ResultUse => {
		let cur = c;
		let p = cur.parent;
		let wrapped = false;
		while (p && (p.type === 'parenthesized_expression' || p.type === 'cast_expression' || p.type === 'unary_expression' || p.type === 'binary_expression'
			|| (p.type === 'argument_list' && p.parent?.type === 'call_expression' && /^(WARN_ON|WARN_ON_ONCE|unlikely|likely|WARN|WARN_ONCE)$/.test(calleeName(p.parent))))) {
			if (p.type === 'argument_list') {
				p = p.parent!;
			}
			if (p.type === 'cast_expression' && /^\(\s*void\s*\)/.test(raw(p))) {
				return { kind: 'ignored', checked: false };
			}
			if (p.type === 'binary_expression' && !/^(==|!=|<|<=|>|>=|&&|\|\|)$/.test(opOf(p))) {
				break;
			}
			wrapped = wrapped || p.type !== 'parenthesized_expression';
			cur = p;
			p = cur.parent;
		}
		if (!p) {
			return { kind: 'other', checked: false };
		}
		if (CONDITION_PARENTS.has(p.type) && cur.field === 'condition') {
			return { kind: 'condition', checked: true, checkLoc: L.node(cur) };
		}
		if (p.type === 'expression_statement') {
			return wrapped ? { kind: 'other', checked: true, checkLoc: L.node(cur) } : { kind: 'ignored', checked: false };
		}
		if (p.type === 'return_statement') {
			return { kind: 'returned', checked: true, checkLoc: L.node(p) };
		}
		let variable: string | undefined;
		if (p.type === 'assignment_expression' && cur.field === 'right') {
			const l = child(p, 'left');
			variable = l ? text(l) : undefined;
		} else if (p.type === 'init_declarator' && cur.field === 'value') {
			const d = child(p, 'declarator');
			variable = d ? declaredName(d) : undefined;
		} else if (p.type === 'argument_list') {
			return { kind: 'argument', checked: false };
		} else {
			return { kind: 'other', checked: false };
		}
		if (!variable) {
			return { kind: 'other', checked: false };
		}
		const later = identsAfter(variable.replace(/^.*(?:->|\.)/, ''), c.endIndex);
		for (const i of later) {
			if (i.write) {
				// assigned again: `ret = ret ?: x` style reads are rare; stop at the first write.
				const par = i.n.parent;
				if (par?.type === 'assignment_expression' && par.startIndex <= c.startIndex && par.endIndex >= c.endIndex) {
					continue;
				}
				break;
			}
			if (i.cond || i.inReturn) {
				return { kind: 'assigned', variable, checked: true, checkLoc: L.node(i.cond ?? i.n) };
			}
			const par = i.n.parent;
			if (par?.type === 'binary_expression' && /^(==|!=|<|<=|>|>=)$/.test(opOf(par))) {
				return { kind: 'assigned', variable, checked: true, checkLoc: L.node(par) };
			}
		}
		return { kind: 'assigned', variable, checked: false };
	};
	const nodeIndex = new Map<AstNode, number>();
	const otherIndex = new Map<AstNode, number>();
	const collectApiCalls = (): void => {
		for (const c of calls) {
			const kind = callKind(c.callee);
			const args = callArgs(c.n);
			const argTexts = args.map(text);
			const fn = child(c.n, 'function');
			const loc = L.range(fn ? fn.start : c.n.start, c.n.end);
			if (!kind) {
				otherIndex.set(c.n, otherCalls.length);
				otherCalls.push({ callee: c.callee, args: argTexts, loc });
				otherNodes.push(c.n);
				continue;
			}
			const call: ApiCall = {
				callee: c.callee, kind, args: argTexts, argLocs: args.map((a) => L.node(a)), loc,
				result: resultUse(c.n), loopDepth: c.loops.length, path: c.path,
			};
			const sv = migrateCallStruct(c);
			if (sv) {
				call.structVar = sv;
			}
			if (kind === 'pin' || kind === 'gup') {
				const foll: string[] = [];
				for (const t of argTexts) {
					for (const f of flagNames(resolve(t))) {
						if (f.startsWith('FOLL_') && !foll.includes(f)) {
							foll.push(f);
						}
					}
				}
				call.follFlags = foll;
			}
			if (kind === 'page-alloc' || kind === 'array-alloc') {
				const gfp: string[] = [];
				for (const t of argTexts) {
					for (const f of flagNames(resolve(t))) {
						if (/^(__)?GFP_/.test(f) && !gfp.includes(f)) {
							gfp.push(f);
						}
					}
				}
				call.gfpFlags = gfp;
			}
			nodeIndex.set(c.n, apiCalls.length);
			apiCalls.push(call);
			callNodes.push(c.n);
		}
		for (const s of structs.values()) {
			apiCalls.forEach((c, i) => {
				if (c.structVar === s.name) {
					s.callIndexes.push(i);
				}
			});
			const firstSetup = s.callIndexes.map((i) => callNodes[i]!).find((n) => callKind(calleeName(n)) === 'setup');
			const cut = firstSetup ? firstSetup.startIndex : Number.POSITIVE_INFINITY;
			const fields: Record<string, FieldValue> = {};
			for (const a of s.assignments) {
				const startIdx = fieldPos.get(a) ?? Number.POSITIVE_INFINITY;
				if (startIdx <= cut || !firstSetup) {
					fields[a.field] = a;
				}
			}
			for (const a of s.assignments) {
				if (!fields[a.field]) {
					fields[a.field] = a;
				}
			}
			s.fields = fields;
		}
	};
	collectApiCalls();

	// ---- pfn tests, writes, page uses ------------------------------------------------------
	const pfnTests: PfnTest[] = [];
	const testNodes: AstNode[] = [];
	const collectPfnTests = (): void => {
		for (const b of binaries) {
			if (opOf(b.n) !== '&') {
				continue;
			}
			const l = child(b.n, 'left');
			const r = child(b.n, 'right');
			if (!l || !r) {
				continue;
			}
			const lf = flagNames(resolve(text(l))).filter((f) => f.startsWith('MIGRATE_PFN_'));
			const rf = flagNames(resolve(text(r))).filter((f) => f.startsWith('MIGRATE_PFN_'));
			const [subject, flags] = rf.length > 0 && lf.length === 0 ? [l, rf] : lf.length > 0 && rf.length === 0 ? [r, lf] : [undefined, []];
			if (!subject) {
				continue;
			}
			const su = unwrap(subject);
			let array: 'src' | 'dst' | 'scalar' = 'scalar';
			if (su.type === 'subscript_expression') {
				const arr = child(su, 'argument');
				array = (arr && roleOf(arr)) ?? 'scalar';
			} else if (su.type === 'pointer_expression') {
				const arr = child(su, 'argument');
				array = (arr && roleOf(arr)) ?? 'scalar';
			}
			const ctxNode = b.cond ?? enclosingStatement(b.n);
			pfnTests.push({ array, subjectText: text(su), flags, conditionText: text(ctxNode), loc: L.node(b.n) });
			testNodes.push(b.n);
		}
	};
	collectPfnTests();
	const pfnWrites: PfnWrite[] = [];
	const writeNodes: AstNode[] = [];
	const collectPfnWrites = (): void => {
		for (const a of assigns) {
			const l = unwrap(a.left);
			let arrNode: AstNode | undefined;
			let idx = '';
			if (l.type === 'subscript_expression') {
				arrNode = child(l, 'argument');
				const ix = child(l, 'index');
				idx = ix ? text(ix) : '';
			} else if (l.type === 'pointer_expression' && raw(l).trimStart().startsWith('*')) {
				arrNode = child(l, 'argument');
			} else if (l.type === 'identifier' && addrStored.has(raw(l))) {
				arrNode = l;
			}
			const role = arrNode ? roleOf(arrNode) : undefined;
			if (!arrNode || !role) {
				continue;
			}
			const vt = text(a.right);
			let usesMigratePfn = false;
			visit(a.right, (x) => {
				if (x.type === 'call_expression' && calleeName(x) === 'migrate_pfn') {
					usesMigratePfn = true;
				}
			});
			pfnWrites.push({
				array: role, arrayText: text(arrNode), indexText: idx, valueText: vt,
				flags: flagNames(resolve(vt)).filter((f) => f.startsWith('MIGRATE_PFN_')), usesMigratePfn, operator: a.op, loc: L.node(a.n),
			});
			writeNodes.push(a.n);
		}
	};
	collectPfnWrites();

	const pageUses: PageUse[] = [];
	const pageUseNodes: AstNode[] = [];
	const collectPageUses = (): void => {
		for (const c of calls) {
			if (callKind(c.callee) !== 'pfn-to-page') {
				continue;
			}
			const arg = callArgs(c.n)[0];
			if (!arg) {
				continue;
			}
			const au = unwrap(arg);
			let from: PageUse['from'] = 'unknown';
			if (au.type === 'subscript_expression' || (au.type === 'pointer_expression' && raw(au).trimStart().startsWith('*'))) {
				const arr = child(au, 'argument');
				from = (arr && roleOf(arr)) ?? 'unknown';
			} else if (au.type === 'identifier') {
				from = roleOf(au) ?? 'scalar';
			}
			// the variable holding the page
			let variable: string | undefined;
			let p = c.n.parent;
			while (p && (p.type === 'parenthesized_expression' || p.type === 'cast_expression')) {
				p = p.parent;
			}
			if (p?.type === 'assignment_expression') {
				const l = child(p, 'left');
				if (l && unwrap(l).type === 'identifier') {
					variable = raw(unwrap(l));
				}
			} else if (p?.type === 'init_declarator') {
				const d = child(p, 'declarator');
				variable = d ? declaredName(d) : undefined;
			} else if (p?.type === 'call_expression' || p?.type === 'argument_list') {
				const outer = p.type === 'argument_list' ? p.parent : p;
				if (outer?.type === 'call_expression' && /^(page_folio|pfn_folio)$/.test(calleeName(outer))) {
					let q = outer.parent;
					while (q && (q.type === 'parenthesized_expression' || q.type === 'cast_expression')) {
						q = q.parent;
					}
					if (q?.type === 'assignment_expression') {
						const l = child(q, 'left');
						variable = l && unwrap(l).type === 'identifier' ? raw(unwrap(l)) : undefined;
					} else if (q?.type === 'init_declarator') {
						const d = child(q, 'declarator');
						variable = d ? declaredName(d) : undefined;
					}
				}
			}
			const use: PageUse = {
				fromText: text(arg), from, loc: L.node(c.n), passedTo: [], deviceTests: [], nullChecked: false, dmaMapped: [], copied: [],
				...(variable ? { variable } : {}),
			};
			const refs: AstNode[] = [];
			if (variable) {
				const later = identsAfter(variable, c.n.endIndex);
				for (const i of later) {
					if (i.write) {
						break;
					}
					refs.push(i.n);
				}
			} else {
				refs.push(c.n);
			}
			for (const r of refs) {
				// climb through wrappers to the call that takes the page
				let cur = r;
				let par = cur.parent;
				while (par) {
					if (par.type === 'parenthesized_expression' || par.type === 'cast_expression' || (par.type === 'pointer_expression' && raw(par).trimStart().startsWith('&'))) {
						cur = par;
						par = cur.parent;
						continue;
					}
					if (par.type === 'argument_list' && par.parent?.type === 'call_expression') {
						const call = par.parent;
						const callee = calleeName(call);
						const argIndex = named(par).indexOf(cur);
						const kind = callKind(callee);
						use.passedTo.push({ callee, ...(kind ? { kind } : {}), argIndex, loc: L.node(call) });
						if (DEVICE_TEST_CALLS.test(callee)) {
							let q = call.parent;
							let neg = false;
							while (q && (q.type === 'parenthesized_expression' || q.type === 'unary_expression')) {
								if (q.type === 'unary_expression' && opOf(q) === '!') {
									neg = !neg;
								}
								q = q.parent;
							}
							use.deviceTests.push({ callee, loc: L.node(call), negated: neg });
						}
						if (kind === 'dma-map') {
							use.dmaMapped.push(L.node(call));
						}
						if (kind === 'page-copy' || kind === 'page-zero' || /copy/i.test(callee)) {
							use.copied.push(L.node(call));
						}
						if (/^(page_to_pfn|page_folio|page_address|page_to_phys|page_to_virt|kmap|kmap_local_page|kmap_atomic|folio_page|page_pgmap|virt_to_phys)$/.test(callee)) {
							cur = call;
							par = cur.parent;
							continue;
						}
					}
					break;
				}
				// null checks
				const ip = r.parent;
				const isCond = idents.find((i) => i.n === r)?.cond;
				if (isCond && ip) {
					const direct = ip === isCond || ip.type === 'parenthesized_expression'
						|| (ip.type === 'unary_expression' && opOf(ip) === '!')
						|| (ip.type === 'binary_expression' && /^(==|!=|&&|\|\|)$/.test(opOf(ip)));
					if (direct) {
						use.nullChecked = true;
					}
				}
			}
			pageUses.push(use);
			pageUseNodes.push(c.n);
		}
	};
	collectPageUses();

	// ---- loops over src/dst ----------------------------------------------------------------
	const pfnLoops: PfnLoop[] = [];
	const collectPfnLoops = (): void => {
		for (const lp of loopsAll) {
			const inLoop = (n: AstNode): boolean => isInside(n, lp);
			const arrays: PfnLoop['arrays'] = [];
			for (const s of subscripts) {
				if (!inLoop(s.n)) {
					continue;
				}
				const arr = child(s.n, 'argument');
				const role = arr ? roleOf(arr) : undefined;
				if (arr && role && !arrays.some((a) => a.text === text(arr))) {
					arrays.push({ role, text: text(arr) });
				}
			}
			const pageUseIndexes = pageUseNodes.map((n, i) => (inLoop(n) ? i : -1)).filter((i) => i >= 0);
			const apiCallIndexes = callNodes.map((n, i) => (inLoop(n) && SETUP_KINDS.has(apiCalls[i]!.kind) || inLoop(n) && (PAGES_KINDS.has(apiCalls[i]!.kind) || FINALIZE_KINDS.has(apiCalls[i]!.kind)) ? i : -1)).filter((i) => i >= 0);
			if (arrays.length === 0 && pageUseIndexes.length === 0 && apiCallIndexes.length === 0) {
				continue;
			}
			let indexVar: string | undefined;
			const init = child(lp, 'initializer');
			if (init) {
				const id = init.type === 'declaration' ? visitFind(init, (x) => x.type === 'identifier') : init.type === 'assignment_expression' ? child(init, 'left') : undefined;
				if (id && unwrap(id).type === 'identifier') {
					indexVar = raw(unwrap(id));
				}
			}
			const cond = child(lp, 'condition');
			if (!indexVar && cond) {
				const cu = unwrap(cond);
				const l = cu.type === 'binary_expression' ? child(cu, 'left') : undefined;
				if (l && unwrap(l).type === 'identifier') {
					indexVar = raw(unwrap(l));
				}
			}
			const callees: string[] = [];
			const elementPassedTo: PfnLoop['elementPassedTo'] = [];
			for (const c of calls) {
				if (!inLoop(c.n)) {
					continue;
				}
				if (!callees.includes(c.callee)) {
					callees.push(c.callee);
				}
				callArgs(c.n).forEach((a, argIndex) => {
					const au = unwrap(a);
					const target = au.type === 'subscript_expression' ? child(au, 'argument') : au.type === 'pointer_expression' ? child(au, 'argument') : undefined;
					const inner = target && au.type === 'pointer_expression' && raw(au).trimStart().startsWith('&') ? unwrap(target) : undefined;
					const arr = inner?.type === 'subscript_expression' ? child(inner, 'argument') : target;
					const role = arr ? roleOf(arr) : undefined;
					if (role) {
						elementPassedTo.push({ callee: c.callee, role, argIndex, loc: L.node(c.n) });
					}
				});
			}
			pfnLoops.push({
				loc: L.node(lp), kind: loopKind(lp), ...(indexVar ? { indexVar } : {}), conditionText: cond ? text(cond) : '', arrays,
				tests: pfnTests.filter((_, i) => inLoop(testNodes[i]!)), writes: pfnWrites.filter((_, i) => inLoop(writeNodes[i]!)),
				pageUseIndexes, callees, apiCallIndexes, elementPassedTo,
			});
		}
	};
	collectPfnLoops();

	// ---- after migrate_vma_pages -------------------------------------------------------------
	const afterPages: AfterPages[] = [];
	apiCalls.forEach((pc, pi) => {
		if (!PAGES_KINDS.has(pc.kind)) {
			return;
		}
		const pn = callNodes[pi]!;
		let finalizeIndex: number | undefined;
		let limit = Number.POSITIVE_INFINITY;
		apiCalls.forEach((fc, fi) => {
			const fn = callNodes[fi]!;
			if (FINALIZE_KINDS.has(fc.kind) && fn.startIndex > pn.endIndex && fn.startIndex < limit && (!pc.structVar || !fc.structVar || pc.structVar === fc.structVar)) {
				limit = fn.startIndex;
				finalizeIndex = fi;
			}
		});
		const migrateTestNodes = testNodes.filter((t, i) => t.startIndex > pn.endIndex && t.startIndex < limit && pfnTests[i]!.flags.includes('MIGRATE_PFN_MIGRATE'));
		const after: AfterPages['calls'] = [];
		const usedArrays = new Set<string>();
		for (const w of pfnWrites) {
			usedArrays.add(w.arrayText);
		}
		for (const c of calls) {
			if (c.n.startIndex <= pn.endIndex || c.n.startIndex >= limit || c.n === pn) {
				continue;
			}
			if (isInside(c.n, pn)) {
				continue;
			}
			const kind = callKind(c.callee);
			const argTexts = callArgs(c.n).map(text);
			const guarded = migrateTestNodes.some((t) => t.startIndex < c.n.startIndex)
				|| c.ifs.some((f) => /MIGRATE_PFN_MIGRATE/.test(resolve(text(f.cond))));
			const sv = pc.structVar;
			const usesMigration = argTexts.some((t) => (sv !== undefined && new RegExp(`(^|[^\\w])${escapeRe(sv)}([^\\w]|$)`).test(t))
				|| /(->|\.)(src|dst|start)\b/.test(t) || [...usedArrays].some((u) => t.includes(u)));
			after.push({ callee: c.callee, ...(kind ? { kind } : {}), args: argTexts, loc: L.range((child(c.n, 'function') ?? c.n).start, c.n.end), afterMigrateTest: guarded, usesMigration });
		}
		afterPages.push({
			callIndex: pi, ...(pc.structVar ? { structVar: pc.structVar } : {}), calls: after,
			migrateTests: migrateTestNodes.map((t) => L.node(t)), ...(finalizeIndex !== undefined ? { finalizeIndex } : {}),
		});
	});

	// ---- chunked loops -----------------------------------------------------------------------
	const chunkLoops: ChunkLoop[] = [];
	const collectChunkLoops = (): void => {
		for (const lp of loopsAll) {
			const inLoop = (n: AstNode): boolean => isInside(n, lp);
			const apiIdx = callNodes.map((n, i) => (inLoop(n) && (SETUP_KINDS.has(apiCalls[i]!.kind) || PAGES_KINDS.has(apiCalls[i]!.kind) || FINALIZE_KINDS.has(apiCalls[i]!.kind)) ? i : -1)).filter((i) => i >= 0);
			const fieldAssigns: ChunkLoop['fieldAssigns'] = [];
			let structVar: string | undefined;
			let resets = false;
			for (const a of assigns) {
				if (!inLoop(a.n)) {
					continue;
				}
				if (!a.member || !structs.has(a.member.on)) {
					continue;
				}
				const { on, field } = a.member;
				if (field === 'start' || field === 'end') {
					structVar = on;
					const fromFieldOf: string[] = [];
					visit(a.right, (x) => {
						if (x.type === 'field_expression') {
							fromFieldOf.push(text(x));
							return false;
						}
						return true;
					});
					fieldAssigns.push({ field, text: text(a.right), loc: L.node(a.n), identifiers: identifiers(a.right), ...(fromFieldOf.length > 0 ? { fromFieldOf } : {}) });
				}
				if (field === 'cpages' || field === 'npages') {
					resets = true;
				}
			}
			const setupIn = apiIdx.filter((i) => SETUP_KINDS.has(apiCalls[i]!.kind));
			if (setupIn.length === 0 && fieldAssigns.length === 0) {
				continue;
			}
			if (!structVar) {
				structVar = setupIn.map((i) => apiCalls[i]!.structVar).find((s) => s !== undefined);
			}
			for (const c of calls) {
				if (inLoop(c.n) && c.callee === 'memset') {
					const a = callArgs(c.n)[0];
					if (a && structVar && baseText(a) === structVar) {
						resets = true;
					}
				}
			}
			const advanced: string[] = [];
			const addAdv = (t: string): void => {
				if (!advanced.includes(t)) {
					advanced.push(t);
				}
			};
			const update = child(lp, 'update');
			const noteWrites = (n: AstNode): void => {
				visit(n, (x) => {
					if (x.type === 'assignment_expression') {
						const l = child(x, 'left');
						if (l) {
							addAdv(text(unwrap(l)));
						}
					} else if (x.type === 'update_expression') {
						const a = child(x, 'argument');
						if (a) {
							addAdv(text(unwrap(a)));
						}
					}
				});
			};
			if (update) {
				noteWrites(update);
			}
			const body = child(lp, 'body');
			if (body) {
				noteWrites(body);
			}
			const cond = child(lp, 'condition');
			chunkLoops.push({
				loc: L.node(lp), kind: loopKind(lp), ...(structVar ? { structVar } : {}), conditionText: cond ? text(cond) : '',
				fieldAssigns, advanced, ...(update ? { updateText: text(update) } : {}), resetsCounters: resets, apiCallIndexes: apiIdx,
			});
		}
	};
	collectChunkLoops();

	// ---- arrays and sizeof ---------------------------------------------------------------
	const arrays: PfnArray[] = [];
	const allocCalls = new Set<AstNode>();
	const condTexts = conds.map((c) => ({ c, t: text(c) }));
	const nullCheckedAfter = (target: string, from: number): boolean => {
		const re = new RegExp(`(!\\s*\\(?\\s*${escapeRe(target)}\\s*\\)?(?![\\w\\[.>-])|${escapeRe(target)}\\s*==\\s*NULL|NULL\\s*==\\s*${escapeRe(target)}|IS_ERR_OR_NULL\\(\\s*${escapeRe(target)}\\s*\\)|ZERO_OR_NULL_PTR\\(\\s*${escapeRe(target)})`);
		return condTexts.some(({ c, t }) => c.startIndex >= from && re.test(t));
	};
	const aliasTargets = new Map<string, 'src' | 'dst'>();
	for (const [k, v] of aliases) {
		aliasTargets.set(k, v);
	}
	const allocTargets: Array<{ target: string; value: AstNode; at: AstNode }> = [];
	for (const a of assigns) {
		const l = unwrap(a.left);
		if (a.op === '=' && (l.type === 'field_expression' || l.type === 'identifier')) {
			allocTargets.push({ target: text(l), value: a.right, at: a.n });
		}
	}
	for (const d of decls) {
		if (d.init && d.init.type !== 'initializer_list') {
			allocTargets.push({ target: d.name, value: d.init, at: d.n });
		}
	}
	// identifiers later stored into src/dst (`migrate.src = buf`)
	const storedInto = new Map<string, 'src' | 'dst'>();
	for (const t of allocTargets) {
		const tu = t.target;
		const isField = /(->|\.)(src|dst)$/.test(tu);
		const v = unwrap(t.value);
		if (isField && v.type === 'identifier') {
			storedInto.set(raw(v), /src$/.test(tu) ? 'src' : 'dst');
		}
	}
	const roleOfTarget = (t: string): PfnArray['role'] => {
		const m = /(?:->|\.)(src|dst)(_?pfns?)?$/.exec(t);
		if (m) {
			return m[1] as 'src' | 'dst';
		}
		const r = aliasTargets.get(t) ?? storedInto.get(t);
		if (r) {
			return r;
		}
		if (migrationContext && /^(src|dst)(_?pfns?)?$/.test(t)) {
			return t.startsWith('src') ? 'src' : 'dst';
		}
		return 'unknown';
	};
	const collectArrays = (): void => {
		for (const t of allocTargets) {
			const v = unwrap(t.value);
			const role = roleOfTarget(t.target);
			if (v.type === 'call_expression' && callKind(calleeName(v)) === 'array-alloc') {
				if (role === 'unknown' && !storedInto.has(t.target)) {
					continue;
				}
				const callee = calleeName(v);
				const args = callArgs(v);
				allocCalls.add(v);
				const twoArg = /^(kcalloc|kvcalloc|kmalloc_array|kvmalloc_array|vcalloc|vmalloc_array)/.test(callee);
				const gfp: string[] = [];
				for (const a of args) {
					for (const f of flagNames(resolve(text(a)))) {
						if (/GFP/.test(f) && !gfp.includes(f)) {
							gfp.push(f);
						}
					}
				}
				arrays.push({
					target: t.target, role, how: 'alloc', allocator: callee,
					...(twoArg && args[0] ? { countText: text(args[0]) } : {}),
					...(args[twoArg ? 1 : 0] ? { sizeText: text(args[twoArg ? 1 : 0]!) } : {}),
					gfpFlags: gfp, nullChecked: nullCheckedAfter(t.target, t.at.endIndex), loc: L.node(t.at),
				});
			} else if (/(->|\.)(src|dst)$/.test(t.target)) {
				const isAddr = v.type === 'pointer_expression' && raw(v).trimStart().startsWith('&');
				arrays.push({ target: t.target, role, how: isAddr ? 'scalar' : 'alias', sizeText: text(v), nullChecked: nullCheckedAfter(t.target, t.at.endIndex), loc: L.node(t.at) });
			}
		}
		for (const init of inits) {
			for (const pair of named(init.n)) {
				const des = pair.type === 'initializer_pair' ? child(pair, 'designator') : undefined;
				const val = pair.type === 'initializer_pair' ? child(pair, 'value') : undefined;
				const fname = des ? raw(des).replace(/^\./, '').trim() : '';
				if (val && /^(src|dst)$/.test(fname)) {
					const v = unwrap(val);
					const isAddr = v.type === 'pointer_expression' && raw(v).trimStart().startsWith('&');
					const owner = init.owner === INIT_NAME ? headlessName : init.owner;
					arrays.push({ target: owner ? `${owner}.${fname}` : `.${fname}`, role: fname as 'src' | 'dst', how: isAddr ? 'scalar' : 'alias', sizeText: text(v), nullChecked: false, loc: L.node(pair) });
				}
			}
		}
		for (const d of decls) {
			const role = roleOfTarget(d.name);
			if (role === 'unknown' || isMigrateVmaType(d.type)) {
				continue;
			}
			if (d.isArray) {
				arrays.push({ target: d.name, role, how: 'stack', ...(d.array ? { countText: text(d.array) } : {}), elementType: d.type, nullChecked: false, loc: L.node(d.n) });
			} else if (!d.pointer && (storedInto.has(d.name) || addrStored.has(d.name))) {
				arrays.push({ target: d.name, role, how: 'scalar', countText: '1', elementType: d.type, nullChecked: false, loc: L.node(d.n) });
			}
		}
	};
	collectArrays();
	const sizeofUses: SizeofUse[] = [];
	const collectSizeofUses = (): void => {
		for (const s of sizeofs) {
			const v = child(s, 'value') ?? child(s, 'type');
			if (!v) {
				continue;
			}
			const vu = unwrap(v);
			const t = text(vu);
			const deref = (vu.type === 'pointer_expression' && raw(vu).trimStart().startsWith('*')) || (vu.type === 'subscript_expression');
			const inner = deref ? child(vu, 'argument') : vu;
			const mentions = inner ? roleOf(inner) !== undefined || storedInto.has(text(unwrap(inner))) : false;
			let inAlloc = false;
			for (const c of allocCalls) {
				if (isInside(s, c)) {
					inAlloc = true;
				}
			}
			if (mentions || inAlloc) {
				sizeofUses.push({ text: text(s), operandText: t, dereferenced: deref, loc: L.node(s) });
			}
		}
	};
	collectSizeofUses();

	// ---- cpages ------------------------------------------------------------------------------
	const cpagesUses: CpagesUse[] = [];
	const collectCpagesUses = (): void => {
		for (const f of fieldExprs) {
			if (f.field !== 'cpages') {
				continue;
			}
			const obj = child(f.n, 'argument');
			const sv = obj ? baseText(obj) : '';
			let context: CpagesUse['context'] = 'other';
			let ctxNode: AstNode = enclosingStatement(f.n);
			const par = f.n.parent;
			if (par?.type === 'assignment_expression' && f.n.field === 'left') {
				continue; // a write, not a use
			}
			if (f.cond) {
				context = 'condition';
				ctxNode = f.cond;
			} else if (f.inReturn) {
				context = 'return';
			} else if (par?.type === 'binary_expression' && /^(==|!=|<|<=|>|>=)$/.test(opOf(par))) {
				context = 'compare';
			} else if ((par?.type === 'assignment_expression' && f.n.field === 'right') || par?.type === 'init_declarator') {
				context = 'assign';
			} else if (par?.type === 'argument_list') {
				context = 'argument';
			}
			cpagesUses.push({ text: text(f.n), structVar: sv, context, contextText: text(ctxNode), loc: L.node(f.n) });
		}
	};
	collectCpagesUses();

	// ---- migrate_to_ram -------------------------------------------------------------------
	let migrateToRam: MigrateToRamFacts | undefined;
	// a handler: a `struct vm_fault *` parameter, or (header cut off by the hunk) uses of `vmf->…`
	const migrateToRamFacts = (): void => {
		const vmf = params.find((p) => /struct\s+vm_fault\s*\*/.test(p.type))
			?? (fieldExprs.some((f) => /^vmf\s*->/.test(text(f.n))) && !params.some((p) => p.name === 'vmf') ? { name: 'vmf', type: 'struct vm_fault *' } : undefined)
			?? (/migrate_to_ram$/.test(input.name) ? { name: '', type: '' } : undefined);
		const setupResult = (): { call?: AstNode; variable?: string } => {
			const i = apiCalls.findIndex((c) => c.kind === 'setup');
			if (i < 0) {
				return {};
			}
			return { call: callNodes[i]!, ...(apiCalls[i]!.result.variable ? { variable: apiCalls[i]!.result.variable } : {}) };
		};
		const underSetupFailure = (ifs: Array<{ cond: AstNode; then: boolean }>): boolean => {
			const sr = setupResult();
			if (!sr.call) {
				return false;
			}
			for (const f of ifs) {
				const br = branchFor(f.cond, (env, v) => {
					env.calls.set(sr.call!, v);
					if (sr.variable) {
						env.vars.set(sr.variable, v);
					}
				}, -22, 0);
				if (br !== undefined && br === f.then) {
					return true;
				}
			}
			return false;
		};
		if (vmf) {
			const faultValue = (v: string): string[] => {
				const out = flagNames(resolve(v)).filter((f) => f.startsWith('VM_FAULT_'));
				if (/^[A-Za-z_]\w*$/.test(v)) {
					for (const x of valuesOf(v)) {
						for (const f of flagNames(resolve(x))) {
							if (f.startsWith('VM_FAULT_') && !out.includes(f)) {
								out.push(f);
							}
						}
					}
				}
				return out;
			};
			const condList = (ifs: Array<{ cond: AstNode; then: boolean }>): string[] => [...ifs].reverse().map((f) => (f.then ? text(f.cond) : `!${text(f.cond)}`));
			const rets: FaultReturn[] = returns.map((r) => {
				const v = named(r.n)[0];
				const vt = v ? text(v) : '';
				return { valueText: vt, vmFault: faultValue(vt), conditions: condList(r.ifs), afterSetupFailure: underSetupFailure(r.ifs), loc: L.node(r.n) };
			});
			const faultAssigns: FaultReturn[] = [];
			for (const a of assigns) {
				const vt = text(a.right);
				const vf = flagNames(resolve(vt)).filter((f) => f.startsWith('VM_FAULT_'));
				if (vf.length > 0 && unwrap(a.left).type === 'identifier') {
					faultAssigns.push({ valueText: vt, vmFault: vf, conditions: condList(a.ifs), afterSetupFailure: underSetupFailure(a.ifs), loc: L.node(a.n) });
				}
			}
			const vmfName = vmf.name;
			const faultPageRe = new RegExp(`\\b${escapeRe(vmfName || 'vmf')}\\s*->\\s*page\\b`);
			const faultPageVars = new Set<string>();
			for (const d of decls) {
				if (d.init && faultPageRe.test(text(d.init))) {
					faultPageVars.add(d.name);
				}
			}
			for (const a of assigns) {
				if (unwrap(a.left).type === 'identifier' && faultPageRe.test(text(a.right))) {
					faultPageVars.add(raw(unwrap(a.left)));
				}
			}
			const isFaultPageArg = (t: string): boolean => faultPageRe.test(t) || [...faultPageVars].some((v) => new RegExp(`\\b${escapeRe(v)}\\b`).test(t));
			const dstAllocs: MigrateToRamFacts['dstAllocs'] = [];
			const zeroCalls: MigrateToRamFacts['zeroCalls'] = [];
			const locks: MigrateToRamFacts['faultPageLocks'] = [];
			const unlocks: MigrateToRamFacts['faultPageUnlocks'] = [];
			apiCalls.forEach((c) => {
				if (c.kind === 'page-alloc') {
					const g = c.gfpFlags ?? [];
					dstAllocs.push({ callee: c.callee, args: c.args, gfpFlags: g, zeroed: g.includes('__GFP_ZERO') || /zeroed/.test(c.callee), loc: c.loc });
				} else if (c.kind === 'page-zero') {
					zeroCalls.push({ callee: c.callee, loc: c.loc });
				} else if (c.kind === 'page-lock' && c.args[0] && isFaultPageArg(c.args[0])) {
					locks.push({ callee: c.callee, argText: c.args[0], loc: c.loc });
				} else if (c.kind === 'page-unlock' && c.args[0] && isFaultPageArg(c.args[0])) {
					unlocks.push({ callee: c.callee, argText: c.args[0], loc: c.loc });
				}
			});
			otherCalls.forEach((c) => {
				if (c.callee === 'memset' || /^(clear_user_page|folio_zero|zero_user)/.test(c.callee)) {
					zeroCalls.push({ callee: c.callee, loc: c.loc });
				}
			});
			let faultPage: { text: string; loc: Loc } | undefined;
			for (const s of structs.values()) {
				const fp = s.fields['fault_page'];
				if (fp) {
					faultPage = { text: fp.text, loc: fp.loc };
				}
			}
			migrateToRam = {
				vmfParam: vmfName, inOpsTable: false, returns: rets, faultValueAssigns: faultAssigns,
				...(faultPage ? { faultPage } : {}), dstAllocs, zeroCalls, faultPageLocks: locks, faultPageUnlocks: unlocks,
			};
		}
	};
	migrateToRamFacts();

	// ---- notifier callbacks ------------------------------------------------------------------
	let notifier: NotifierFacts | undefined;
	// a callback: a `const struct mmu_notifier_range *` parameter, or `x->event` compared with MMU_NOTIFY_*
	const notifierFacts = (): void => {
		let rangeParam: { name: string } | undefined = params.find((p) => /\bmmu_notifier_range\s*\*/.test(p.type));
		if (!rangeParam) {
			for (const b of binaries) {
				const m = /^(\w+)\s*->\s*event\s*[!=]=\s*MMU_NOTIFY_\w+|^MMU_NOTIFY_\w+\s*[!=]=\s*(\w+)\s*->\s*event$/.exec(text(b.n));
				if (m) {
					rangeParam = { name: m[1] ?? m[2]! };
					break;
				}
			}
		}
		if (rangeParam) {
			const eventTests: NotifierFacts['eventTests'] = [];
			const ownerTests: NotifierFacts['ownerTests'] = [];
			const skip: Array<{ text: string; loc: Loc }> = [];
			for (const b of binaries) {
				const op = opOf(b.n);
				if (op !== '==' && op !== '!=') {
					continue;
				}
				const l = child(b.n, 'left');
				const r = child(b.n, 'right');
				if (!l || !r) {
					continue;
				}
				const fieldOf = (x: AstNode): string | undefined => {
					const u = unwrap(x);
					if (u.type !== 'field_expression') {
						return undefined;
					}
					const f = child(u, 'field');
					return f ? raw(f) : undefined;
				};
				const lf = fieldOf(l);
				const rf = fieldOf(r);
				const [side, other, fname] = lf === 'event' || lf === 'owner' || lf === 'migrate_pgmap_owner' ? [l, r, lf] : rf === 'event' || rf === 'owner' || rf === 'migrate_pgmap_owner' ? [r, l, rf] : [undefined, undefined, undefined];
				if (!side || !other || !fname) {
					continue;
				}
				if (fname === 'event') {
					const ev = flagNames(text(other)).find((f) => f.startsWith('MMU_NOTIFY_'));
					eventTests.push({ text: text(b.n), ...(ev ? { event: ev } : {}), operator: op, loc: L.node(b.n) });
				} else {
					ownerTests.push({ field: fname, comparedTo: text(other), operator: op, text: text(b.n), loc: L.node(b.n) });
				}
			}
			for (const c of conds) {
				const t = text(c);
				if (/->\s*event\b/.test(t) && /->\s*(owner|migrate_pgmap_owner)\b/.test(t)) {
					skip.push({ text: t, loc: L.node(c) });
				}
			}
			notifier = { rangeParam: rangeParam.name, inOpsTable: false, eventTests, ownerTests, skipConditions: skip };
		}
	};
	notifierFacts();

	// ---- hmm_range and dev_pagemap -----------------------------------------------------------
	const hmmRanges: HmmRangeFacts[] = [];
	const pgmaps: PgmapSetup[] = [];
	const collectHmmRangesAndPgmaps = (): void => {
		const typedVars = (re: RegExp, initRe?: RegExp): Map<string, { how: StructHow; decl?: RawDecl }> => {
			const m = new Map<string, { how: StructHow; decl?: RawDecl }>();
			for (const d of decls) {
				const headless = initRe !== undefined && d.type.includes(INIT_TYPE) && initFields(d).some((f) => initRe.test(f));
				if ((re.test(d.type) || headless) && !d.isArray) {
					const designated = d.init?.type === 'initializer_list' && named(d.init).some((p) => p.type === 'initializer_pair');
					m.set(d.name, { how: d.pointer ? 'pointer' : designated ? 'designated' : 'assign', decl: d });
				}
			}
			for (const p of params) {
				if (re.test(p.type) && !m.has(p.name)) {
					m.set(p.name, { how: 'param' });
				}
			}
			return m;
		};
		const collectFields = (name: string, decl: RawDecl | undefined): { fields: Record<string, FieldValue>; assignments: FieldValue[] } => {
			const assignments: FieldValue[] = [];
			if (decl?.init?.type === 'initializer_list') {
				for (const p of named(decl.init)) {
					const des = p.type === 'initializer_pair' ? child(p, 'designator') : undefined;
					const val = p.type === 'initializer_pair' ? child(p, 'value') : undefined;
					if (des && val) {
						assignments.push(mkField(raw(des).replace(/^\./, '').trim(), val, 'init', decl.loops.length > 0));
					}
				}
			}
			for (const a of assigns) {
				if (a.member && a.op === '=' && a.member.on === name) {
					assignments.push(mkField(a.member.field, a.right, 'assign', a.loops.length > 0));
				}
			}
			const fields: Record<string, FieldValue> = {};
			for (const a of assignments) {
				fields[a.field] = a;
			}
			return { fields, assignments };
		};
		for (const [name, v] of typedVars(/\bstruct\s+hmm_range\b/, /^(dev_private_owner|hmm_pfns|notifier_seq|default_flags|pfn_flags_mask)$/)) {
			const { fields, assignments } = collectFields(name, v.decl);
			if (v.how === 'param' && assignments.length === 0) {
				continue;
			}
			hmmRanges.push({ name: name === INIT_NAME ? '' : name, how: v.how, ...(v.decl ? { declLoc: L.node(v.decl.n) } : {}), fields, assignments });
		}
		const pgmapVars = typedVars(/\bstruct\s+dev_pagemap\b(?!_)/, /^(owner|nr_range)$/);
		const pgmapObjects = new Map<string, { loc: Loc; decl?: RawDecl }>();
		for (const [name, v] of pgmapVars) {
			pgmapObjects.set(name, { loc: v.decl ? L.node(v.decl.n) : input.loc, ...(v.decl ? { decl: v.decl } : {}) });
		}
		for (const a of assigns) {
			if (!a.member) {
				continue;
			}
			const { on, field: fname } = a.member;
			const looksPgmap = /(pgmap|pagemap)$/i.test(on.replace(/\s/g, '')) || (fname === 'type' && /MEMORY_DEVICE_/.test(text(a.right)));
			if (looksPgmap && !pgmapObjects.has(on)) {
				pgmapObjects.set(on, { loc: L.node(a.n) });
			}
		}
		for (const [name, o] of pgmapObjects) {
			const { fields } = collectFields(name, o.decl);
			if (Object.keys(fields).length > 0) {
				pgmaps.push({ name: name === INIT_NAME ? '' : name, fields, loc: o.loc });
			}
		}
	};
	collectHmmRangesAndPgmaps();

	const facts: FunctionFacts = {
		name: input.name,
		file: L.unit.file.path,
		image: L.unit.image,
		loc: input.loc,
		source: L.unit.source,
		hasRealHeader: input.hasRealHeader,
		hasRealEnd: input.hasRealEnd,
		hasGaps: input.hasGaps,
		complete: input.hasRealHeader && input.hasRealEnd && !input.hasGaps,
		changed: input.loc.touchesChange,
		returnType,
		params,
		structs: [...structs.values()],
		calls: apiCalls,
		setupFlows: [],
		pfnLoops,
		pageUses,
		pfnTests,
		pfnWrites,
		afterPages,
		chunkLoops,
		arrays,
		sizeofs: sizeofUses,
		cpagesUses,
		...(migrateToRam ? { migrateToRam } : {}),
		...(notifier ? { notifier } : {}),
		hmmRanges,
		pgmaps,
		otherCalls,
		roles: [],
	};
	const needsFlow = apiCalls.some((c) => SETUP_KINDS.has(c.kind) && c.kind !== 'old-migrate-vma');
	const work: FunctionWork = { facts, callNodes, otherNodes, structNames: new Set(structs.keys()), scope };
	if (needsFlow) {
		work.cfg = buildCfg(input.body, input.endNode, !input.hasRealEnd);
	}
	return work;
}

function escapeRe(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function visitFind(n: AstNode, pred: (x: AstNode) => boolean): AstNode | undefined {
	let found: AstNode | undefined;
	visit(n, (x) => {
		if (found) {
			return false;
		}
		if (pred(x)) {
			found = x;
			return false;
		}
		return true;
	});
	return found;
}

/** The statement (or top node) a node sits in. */
function enclosingStatement(n: AstNode): AstNode {
	let cur = n;
	while (cur.parent && !/_statement$|^declaration$/.test(cur.type)) {
		cur = cur.parent;
	}
	return cur;
}


