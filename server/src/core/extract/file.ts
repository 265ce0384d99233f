/*
 * One file of one message in one image: parse its units, find the functions and file-scope
 * tables, run the per-function analysis, then the cross-function passes (ops-table roles, helper
 * summaries, setup flows).
 */

import type { Parser } from 'web-tree-sitter';
import type { FileDiff } from '../ingest/types';
import { child, copyTree, declaredName, fold, named, raw, text, visit, type AstNode, type ParseCache } from './ast';
import { computeFlows, summarize } from './flow';
import { analyzeFunction, type FileScope, type FunctionWork } from './func';
import { Locator } from './locate';
import { flagNames, isApiIdentifier, isPureFlagExpression } from './names';
import { FRAGMENT_NAME, INIT_NAME, INIT_TYPE, patchUnits, treeUnit, type Unit } from './source';
import type { ApiIdentifier, FieldValue, FileFacts, Image, KernelTree, OpsTable } from './types';

interface Parsed {
	unit: Unit;
	root: AstNode;
	locator: Locator;
}

/** API names that are only API when used as a field (locals are often called `npages`). */
const FIELD_ONLY = new Set(['cpages', 'npages', 'src_owner', 'pgmap_owner', 'fault_page', 'migrate_pgmap_owner', 'dev_private_owner', 'page_free', 'folio_free', 'folio_split', 'migrate_to_ram', 'alloc_and_copy', 'finalize_and_map']);

const TABLE_TYPES = /^(dev_pagemap(_ops)?|migrate_vma(_ops)?|mmu_(interval_)?notifier_ops|hmm_range|hmm_devmem_ops|drm_pagemap\w*_ops|drm_gpusvm_ops|svm_range_ops)$/;

const STATEMENT_TYPES = new Set([
	'expression_statement', 'if_statement', 'for_statement', 'while_statement', 'do_statement', 'return_statement', 'goto_statement',
	'labeled_statement', 'switch_statement', 'compound_statement', 'break_statement', 'continue_statement', 'case_statement',
]);

export function readTreeUnit(file: FileDiff, image: Image, tree: KernelTree | undefined): Unit | undefined {
	if (!tree) {
		return undefined;
	}
	const path = image === 'post' ? file.newPath : file.oldPath;
	if (!path) {
		return undefined;
	}
	let txt: string | undefined;
	try {
		txt = tree.readFile(path);
	} catch {
		txt = undefined;
	}
	return txt === undefined ? undefined : treeUnit(file, image, txt);
}

/** The plain copy of a unit's tree, from the cache when the same text was parsed before. */
function parseUnit(parser: Parser, src: string, cache: ParseCache | undefined): AstNode | undefined {
	const hit = cache?.get(src);
	if (hit) {
		return hit;
	}
	const t = parser.parse(src);
	if (!t) {
		return undefined;
	}
	let root: AstNode;
	try {
		root = copyTree(t, src);
	} finally {
		t.delete();
	}
	cache?.set(src, root);
	return root;
}

/**
 * Lines longer than this are not parsed (blanked to spaces of the same length, so every other
 * column stays put): no C is written so, and the parser's time grows with the square of a giant
 * token's length (a 100,000-character identifier took seconds).
 */
export const MAX_CODE_LINE = 4096;

function blankLongLines(unit: Unit): void {
	let long = false;
	for (const l of unit.lines) {
		if (l.text.length > MAX_CODE_LINE) {
			long = true;
			break;
		}
	}
	if (long) {
		unit.text = unit.lines.map((l) => (l.text.length > MAX_CODE_LINE ? ' '.repeat(l.text.length) : l.text)).join('\n') + '\n';
	}
}

export function extractFile(file: FileDiff, image: Image, parser: Parser, tree: KernelTree | undefined, cache?: ParseCache): FileFacts {
	const tu = readTreeUnit(file, image, tree);
	const units = tu ? [tu] : patchUnits(file, image);
	const parsed: Parsed[] = [];
	let errorNodes = 0;
	for (const unit of units) {
		blankLongLines(unit);
		const root = parseUnit(parser, unit.text, cache);
		if (!root) {
			continue;
		}
		parsed.push({ unit, root, locator: new Locator(unit) });
	}

	// ---- names: #define bodies and file-scope constants ------------------------------------
	const names = new Map<string, string>();
	const defines: Record<string, string> = {};
	for (const p of parsed) {
		visit(p.root, (n) => {
			if (n.type === 'function_definition') {
				return false;
			}
			if (n.type === 'preproc_def') {
				const nm = child(n, 'name');
				const v = child(n, 'value');
				if (nm) {
					const body = v ? fold(raw(v).replace(/\\\n/g, ' ')) : '';
					defines[raw(nm)] = body;
					if (body !== '') {
						names.set(raw(nm), body);
					}
				}
				return false;
			}
			if (n.type === 'declaration' && (n.parent?.type === 'translation_unit' || n.parent?.type?.startsWith('preproc_'))) {
				for (const d of n.children.filter((c) => c.field === 'declarator' && c.type === 'init_declarator')) {
					const v = child(d, 'value');
					const dn = child(d, 'declarator');
					const nm = dn ? declaredName(dn) : undefined;
					if (nm && v && v.type !== 'initializer_list') {
						names.set(nm, text(v));
					}
				}
				return false;
			}
			return true;
		});
	}

	// ---- functions ---------------------------------------------------------------------------
	const works: FunctionWork[] = [];
	const tables: OpsTable[] = [];
	const identifiers: ApiIdentifier[] = [];
	for (const p of parsed) {
		const { unit, root, locator } = p;
		const scope: FileScope = { locator, names };
		const overlapsHunk = (n: AstNode): boolean => {
			if (!unit.hunkRows) {
				return true;
			}
			return unit.hunkRows.some(([a, b]) => n.start.row <= b && n.end.row >= a);
		};
		const gapIn = (n: AstNode): boolean => {
			for (let r = n.start.row; r <= Math.min(n.end.row, unit.lines.length - 1); r++) {
				if (unit.lines[r]!.gap) {
					return true;
				}
			}
			return false;
		};
		const synthetic = (row: number): boolean => {
			const l = unit.lines[Math.min(row, unit.lines.length - 1)];
			return !l || l.kind === 'synthetic';
		};
		const loose: AstNode[] = [];
		const findTop = (n: AstNode): void => {
			for (const c of n.children) {
				if (c.type === 'function_definition') {
					if (!overlapsHunk(c)) {
						continue;
					}
					const body = child(c, 'body');
					const close = body?.children[body.children.length - 1];
					const hasRealEnd = !!close && close.type === '}' && !close.missing && !synthetic(close.start.row);
					let name = '';
					let d: AstNode | undefined = child(c, 'declarator');
					while (d && d.type !== 'function_declarator') {
						d = child(d, 'declarator');
					}
					const id = d ? child(d, 'declarator') : undefined;
					if (id) {
						name = declaredName(id) ?? '';
					}
					if (name === FRAGMENT_NAME) {
						name = '';
					}
					const bodyStmts = body ? body.children.filter((k) => (k.named || k.type === 'comment') && k.type !== '{' && k.type !== '}') : [];
					works.push(analyzeFunction({
						name, def: c, body: bodyStmts, endNode: close ?? c,
						hasRealHeader: !synthetic(c.start.row), hasRealEnd, hasGaps: gapIn(c), loc: locator.node(c),
					}, scope));
				} else if (c.type === 'declaration') {
					if (overlapsHunk(c) || unit.source === 'tree') {
						tableOf(c, locator, names, tables);
					}
					if (unit.source === 'patch' && /=/.test(raw(c)) && hasCalls(c) && !/^\s*(static\s+)?(const\s+)?struct\s+\w+\s+\w+\s*=\s*\{/.test(raw(c))) {
						loose.push(c);
					}
				} else if (c.type === 'ERROR' || c.type === 'translation_unit' || c.type.startsWith('preproc_if') || c.type === 'preproc_else' || c.type === 'preproc_elif' || c.type === 'linkage_specification' || c.type === 'declaration_list') {
					findTop(c);
				} else if (STATEMENT_TYPES.has(c.type) && unit.source === 'patch') {
					loose.push(c);
				}
			}
		};
		findTop(root);
		if (loose.length > 0 && loose.some(hasCalls)) {
			const first = loose[0]!;
			const last = loose[loose.length - 1]!;
			works.push(analyzeFunction({
				name: unit.sectionName ?? '', body: loose, endNode: last, hasRealHeader: false, hasRealEnd: false,
				hasGaps: unit.lines.some((l) => l.gap), loc: locator.range(first.start, last.end),
			}, scope));
		}
		// API identifiers on the patch's own lines
		visit(root, (n) => {
			if (n.type === 'identifier' || n.type === 'field_identifier' || n.type === 'type_identifier' || n.type === 'statement_identifier') {
				const row = n.start.row;
				const l = unit.lines[row];
				if (!l?.diff) {
					return false;
				}
				const name = raw(n);
				if (!isApiIdentifier(name) || (FIELD_ONLY.has(name) && n.type !== 'field_identifier')) {
					return false;
				}
				const par = n.parent;
				let role: ApiIdentifier['role'] = 'name';
				if (n.type === 'field_identifier') {
					role = 'field';
				} else if (n.type === 'type_identifier') {
					role = 'type';
				} else if (par?.type === 'call_expression' && n.field === 'function') {
					role = 'call';
				}
				identifiers.push({ name, role, loc: locator.node(n) });
				return false;
			}
			if (n.type === 'ERROR' || n.missing) {
				const l = unit.lines[n.start.row];
				if (l?.diff) {
					errorNodes++;
				}
			}
			return true;
		});
		// identifiers inside #define bodies and other preprocessor text are plain text to tree-sitter
		visit(root, (n) => {
			if (n.type === 'preproc_arg') {
				const l = unit.lines[n.start.row];
				if (!l?.diff) {
					return false;
				}
				const body = raw(n);
				for (const m of body.matchAll(/\b[A-Za-z_]\w*\b/g)) {
					if (isApiIdentifier(m[0])) {
						const before = body.slice(0, m.index);
						const nl = before.split('\n');
						const row = n.start.row + nl.length - 1;
						const col = (nl.length === 1 ? n.start.column : 0) + nl[nl.length - 1]!.length;
						identifiers.push({ name: m[0], role: 'name', loc: locator.range({ row, column: col }, { row, column: col + m[0].length }) });
					}
				}
				return false;
			}
			return true;
		});
	}

	// ---- cross-function passes ---------------------------------------------------------------
	const byName = new Map<string, FunctionWork[]>();
	for (const w of works) {
		if (w.facts.name) {
			byName.set(w.facts.name, [...(byName.get(w.facts.name) ?? []), w]);
		}
	}
	for (const t of tables) {
		for (const [field, v] of Object.entries(t.fields)) {
			const fn = v.text.replace(/^&\s*/, '');
			for (const w of byName.get(fn) ?? []) {
				if (!w.facts.roles.includes(field)) {
					w.facts.roles.push(field);
				}
			}
		}
	}
	for (const w of works) {
		if (w.facts.migrateToRam && w.facts.roles.includes('migrate_to_ram')) {
			w.facts.migrateToRam.inOpsTable = true;
		}
		if (w.facts.notifier && w.facts.roles.some((r) => r.startsWith('invalidate'))) {
			w.facts.notifier.inOpsTable = true;
		}
	}
	const helpers = summarize(works);
	for (const w of works) {
		w.facts.setupFlows = computeFlows(w, helpers);
	}
	identifiers.sort((a, b) => a.loc.line - b.loc.line || a.loc.character - b.loc.character);
	return {
		path: file.path,
		image,
		quoteDepth: file.quoteDepth,
		source: tu ? 'tree' : 'patch',
		functions: works.map((w) => w.facts),
		tables,
		defines,
		identifiers,
		units: parsed.length,
		errorNodes,
	};
}

function hasCalls(n: AstNode): boolean {
	let found = false;
	visit(n, (x) => {
		if (found) {
			return false;
		}
		if (x.type === 'call_expression' || x.type === 'assignment_expression') {
			found = true;
			return false;
		}
		return true;
	});
	return found;
}

/** A file-scope `struct T name = { .field = v, … };` of a known type. */
function tableOf(decl: AstNode, L: Locator, names: Map<string, string>, out: OpsTable[]): void {
	const t = child(decl, 'type');
	if (!t || t.type !== 'struct_specifier') {
		return;
	}
	const tn = child(t, 'name');
	let type = tn ? raw(tn) : '';
	const headless = type === INIT_TYPE;
	if (!headless && !TABLE_TYPES.test(type)) {
		return;
	}
	for (const d of decl.children.filter((c) => c.field === 'declarator' && c.type === 'init_declarator')) {
		const v = child(d, 'value');
		const dn = child(d, 'declarator');
		if (!v || v.type !== 'initializer_list' || !dn) {
			continue;
		}
		const fields: Record<string, FieldValue> = {};
		for (const p of named(v)) {
			if (p.type !== 'initializer_pair') {
				continue;
			}
			const des = child(p, 'designator');
			const val = child(p, 'value');
			if (!des || !val) {
				continue;
			}
			const field = raw(des).replace(/^\./, '').trim();
			const tx = text(val);
			const resolved = tx.replace(/\b[A-Za-z_]\w*\b/g, (id) => names.get(id) ?? id);
			fields[field] = { field, text: tx, loc: L.node(val), via: 'init', resolved, flags: flagNames(resolved), flagsExact: isPureFlagExpression(resolved), inLoop: false };
		}
		if (headless) {
			// a hunk inside a file-scope initialiser: tell the type from its fields
			const f = Object.keys(fields);
			type = f.some((x) => /^(migrate_to_ram|page_free|folio_free|folio_split)$/.test(x)) ? 'dev_pagemap_ops'
				: f.some((x) => /^(alloc_and_copy|finalize_and_map)$/.test(x)) ? 'migrate_vma_ops'
					: f.some((x) => /^invalidate/.test(x)) ? 'mmu_interval_notifier_ops' : '';
			if (type === '') {
				continue;
			}
		}
		const name = declaredName(dn) ?? '';
		out.push({ type, name: name === INIT_NAME ? '' : name, fields, loc: L.node(decl) });
	}
}
