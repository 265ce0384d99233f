/*
 * A plain-object copy of a tree-sitter tree. Walking wasm-backed nodes crosses into wasm on every
 * property; one cursor pass copies the tree so the analyses work on ordinary objects and the wasm
 * tree can be freed at once.
 */

import type { Tree } from 'web-tree-sitter';
import { replaceDelimited } from '../text';
import { TextLru } from './lru';

export interface Point {
	row: number;
	column: number;
}

export interface AstNode {
	type: string;
	named: boolean;
	missing: boolean;
	/** Field name in the parent (`condition`, `body`, …). */
	field: string | null;
	start: Point;
	end: Point;
	startIndex: number;
	endIndex: number;
	children: AstNode[];
	parent: AstNode | null;
	/** The unit text the indexes refer to. */
	src: string;
}

/** Line starts of a text, for turning indexes into points. */
function lineStarts(src: string): number[] {
	const out = [0];
	for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) {
		out.push(i + 1);
	}
	return out;
}

function pointAt(starts: number[], index: number): Point {
	let lo = 0;
	let hi = starts.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (starts[mid]! <= index) {
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	return { row: lo, column: index - starts[lo]! };
}

/** Whether `src` at `i` is a blank or a line continuation (what the C grammar skips between tokens). */
function blankAt(src: string, i: number): number {
	const ch = src.charCodeAt(i);
	if (ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 11 || ch === 12) {
		return 1;
	}
	if (ch === 92) {
		if (src.charCodeAt(i + 1) === 10) {
			return 2;
		}
		if (src.charCodeAt(i + 1) === 13 && src.charCodeAt(i + 2) === 10) {
			return 3;
		}
	}
	return 0;
}

/**
 * Copies a tree. Type and field names come from the language's tables by id, and points are
 * computed from the (UTF-16) indexes here, so each node costs a handful of numeric reads.
 *
 * Every read of the cursor is a call into wasm, and they are most of the copy's cost. An anonymous
 * node is a token whose text is its type (`;`, `(`, `if`), so in a tree without errors (and hence
 * without MISSING nodes) its place is found here instead: the first character after its previous
 * sibling (or its parent's start) that is not blank, checked against its type. A token that does
 * not sit there (an aliased one such as `#define` written `# define`) is read from the cursor.
 * Anonymous tokens have no children, so the cursor is not asked for any.
 */
export function copyTree(tree: Tree, src: string): AstNode {
	const lang = tree.language;
	const types = lang.types;
	const fields = lang.fields;
	const namedById: boolean[] = [];
	const starts = lineStarts(src);
	const exact = !tree.rootNode.hasError;
	const c = tree.walk();
	/** Where the previous sibling of the node being made ended (or its parent started). */
	let after = 0;
	const make = (parent: AstNode | null): AstNode => {
		const id = c.nodeTypeId;
		let isNamed = namedById[id];
		if (isNamed === undefined) {
			isNamed = lang.nodeTypeIsNamed(id);
			namedById[id] = isNamed;
		}
		const fid = c.currentFieldId;
		const type = types[id] ?? c.nodeType;
		let startIndex = -1;
		let endIndex = -1;
		if (exact && !isNamed) {
			let i = after;
			for (let k = blankAt(src, i); k > 0; k = blankAt(src, i)) {
				i += k;
			}
			if (src.startsWith(type, i)) {
				startIndex = i;
				endIndex = i + type.length;
			}
		}
		if (startIndex < 0) {
			startIndex = c.startIndex;
			endIndex = c.endIndex;
		}
		return {
			type,
			named: isNamed,
			// zero-width nodes are the only ones that can be "missing"
			missing: startIndex === endIndex && c.nodeIsMissing,
			field: fid > 0 ? fields[fid] ?? null : null,
			start: pointAt(starts, startIndex),
			end: pointAt(starts, endIndex),
			startIndex,
			endIndex,
			children: [],
			parent,
			src,
		};
	};
	const root = make(null);
	let cur = root;
	// iterative pre-order copy
	for (;;) {
		after = cur.startIndex;
		if ((cur.named || !exact) && c.gotoFirstChild()) {
			const n = make(cur);
			cur.children.push(n);
			cur = n;
			continue;
		}
		for (;;) {
			after = cur.endIndex;
			if (c.gotoNextSibling()) {
				const n = make(cur.parent);
				cur.parent!.children.push(n);
				cur = n;
				break;
			}
			if (!c.gotoParent()) {
				c.delete();
				return root;
			}
			cur = cur.parent!;
		}
	}
}

/** Raw source text of a node. */
export function raw(n: AstNode): string {
	return n.src.slice(n.startIndex, n.endIndex);
}

const textCache = new WeakMap<AstNode, string>();

/** Source text with comments removed and whitespace runs folded to one space. */
export function text(n: AstNode): string {
	let t = textCache.get(n);
	if (t === undefined) {
		t = fold(raw(n));
		textCache.set(n, t);
	}
	return t;
}

export function fold(s: string): string {
	if (!/[\s/]/.test(s)) {
		return s;
	}
	return replaceDelimited(s, '/*', '*/', ' ').replace(/\/\/[^\n]*/g, ' ').replace(/\s+/g, ' ').trim();
}

export function child(n: AstNode, field: string): AstNode | undefined {
	for (const c of n.children) {
		if (c.field === field) {
			return c;
		}
	}
	return undefined;
}

export function named(n: AstNode): AstNode[] {
	return n.children.filter((c) => c.named && c.type !== 'comment');
}

/** Strips parentheses, casts and `(void)`. */
export function unwrap(n: AstNode): AstNode {
	let cur = n;
	for (;;) {
		if (cur.type === 'parenthesized_expression') {
			const k = named(cur);
			if (k.length !== 1) {
				return cur;
			}
			cur = k[0]!;
		} else if (cur.type === 'cast_expression') {
			const v = child(cur, 'value');
			if (!v) {
				return cur;
			}
			cur = v;
		} else {
			return cur;
		}
	}
}

/** Pre-order visit; `f` returning false skips the node's children. */
export function visit(n: AstNode, f: (n: AstNode) => boolean | void): void {
	const stack: AstNode[] = [n];
	while (stack.length > 0) {
		const x = stack.pop()!;
		if (f(x) === false) {
			continue;
		}
		for (let i = x.children.length - 1; i >= 0; i--) {
			stack.push(x.children[i]!);
		}
	}
}

/** The callee name of a call expression (`foo`, `ops->foo`, `(*fn)`). */
export function calleeName(call: AstNode): string {
	const f = child(call, 'function');
	if (!f) {
		return '';
	}
	const u = unwrap(f);
	if (u.type === 'identifier') {
		return raw(u);
	}
	if (u.type === 'field_expression') {
		const fld = child(u, 'field');
		return fld ? raw(fld) : text(u);
	}
	return text(u);
}

export function callArgs(call: AstNode): AstNode[] {
	const a = child(call, 'arguments');
	return a ? named(a) : [];
}

/** `&x` → `x`, `(x)` → `x`, with whitespace folded. */
export function baseText(n: AstNode): string {
	const u = unwrap(n);
	if (u.type === 'pointer_expression' && raw(u).trimStart().startsWith('&')) {
		const a = child(u, 'argument');
		if (a) {
			return text(unwrap(a));
		}
	}
	return text(u);
}

/** Identifier names in a subtree (not field names). */
export function identifiers(n: AstNode): string[] {
	const out: string[] = [];
	visit(n, (x) => {
		if (x.type === 'identifier' && !out.includes(raw(x))) {
			out.push(raw(x));
		}
	});
	return out;
}

export function isInside(n: AstNode, ancestor: AstNode): boolean {
	return n.startIndex >= ancestor.startIndex && n.endIndex <= ancestor.endIndex;
}

export const LOOP_TYPES = new Set(['for_statement', 'while_statement', 'do_statement']);

export function loopKind(n: AstNode): 'for' | 'while' | 'do' {
	return n.type === 'for_statement' ? 'for' : n.type === 'while_statement' ? 'while' : 'do';
}

/** The name declared by a declarator (`*x`, `x[4]`, `x = …`). */
export function declaredName(d: AstNode): string | undefined {
	let cur: AstNode | undefined = d;
	while (cur) {
		if (cur.type === 'identifier' || cur.type === 'field_identifier') {
			return raw(cur);
		}
		const next: AstNode | undefined = child(cur, 'declarator');
		if (!next) {
			const k = named(cur).find((c) => c.type === 'identifier');
			return k ? raw(k) : undefined;
		}
		cur = next;
	}
	return undefined;
}

/**
 * Parsed units by their text, least recently used first out. A unit's tree depends on its text
 * alone and the copies are never changed after `copyTree`, so a hit can stand in for a parse: the
 * same patch quoted in a reply, re-sent, or left unchanged by an edit elsewhere in the document.
 */
export class ParseCache extends TextLru<AstNode> { }
