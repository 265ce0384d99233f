/*
 * Hover: the identifier or number under a position, explained for the kernel the surrounding
 * message is judged against. Identifiers come from the version table (and a few extras); numbers
 * are decoded as migrate-pfn entries or selection flags when the line says which they are; a flag
 * inside an `A | B` expression also shows the value of the whole expression.
 */
import type { Analysis } from '../analyze';
import type { ResolvedKernel } from '../kernelVersion';
import type { DocRange, Pos } from '../ingest/types';
import type { KernelVersion } from '../model/kernel';
import { API_SYMBOLS, lookupSymbol, type ApiSymbol } from '../model/versions';
import { EXTRA_SYMBOLS, type ExtraSymbol } from '../docs/apiDocs';
import {
	extraMarkdown,
	parseCInteger,
	pfnValueMarkdown,
	selectValueMarkdown,
	symbolMarkdown,
	type DocRenderOptions,
} from '../docs/render';
import { functionsAt, messageAt, type DocLines } from './common';

export interface HoverOptions {
	/** The kernel for positions outside any analysed message (the setting, or the newest). */
	kernel: ResolvedKernel;
	analysis?: Analysis;
	ruleHref?: (ruleId: string) => string | undefined;
}

export interface HoverResult {
	markdown: string;
	range: DocRange;
}

/** Lines longer than this are not scanned (hostile or binary text). */
const MAX_HOVER_LINE = 20000;

interface Token {
	text: string;
	start: number;
	end: number;
	kind: 'ident' | 'number';
}

function isWordChar(c: string | undefined): boolean {
	return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

function tokenAt(line: string, ch: number): Token | undefined {
	let at = Math.min(Math.max(0, ch), line.length);
	if (!isWordChar(line[at])) {
		if (!isWordChar(line[at - 1])) {
			return undefined;
		}
		at--;
	}
	let start = at;
	let end = at + 1;
	while (start > 0 && isWordChar(line[start - 1]) && at - start < 200) {
		start--;
	}
	while (end < line.length && isWordChar(line[end]) && end - at < 200) {
		end++;
	}
	const text = line.slice(start, end);
	if (/^[A-Za-z_]\w*$/.test(text)) {
		return { text, start, end, kind: 'ident' };
	}
	if (/^(?:0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)[uUlL]*$/.test(text)) {
		return { text, start, end, kind: 'number' };
	}
	return undefined;
}

/** Identifiers that are member names only in this API: hovered bare, they still mean the member. */
const DISTINCT_MEMBERS = new Set([
	'cpages', 'pgmap_owner', 'src_owner', 'fault_page', 'migrate_pgmap_owner', 'dev_private_owner',
	'migrate_to_ram', 'page_free', 'folio_free', 'folio_split', 'alloc_and_copy', 'finalize_and_map',
	'hmm_pfns', 'notifier_seq', 'default_flags', 'pfn_flags_mask',
]);

const MEMBER_KINDS = new Set<ApiSymbol['kind']>(['field', 'notifier-field', 'pagemap-op', 'callback']);

type Found = { sym: ApiSymbol } | { extra: ExtraSymbol };

function candidates(name: string): Found[] {
	const out: Found[] = [];
	for (const s of API_SYMBOLS) {
		if (s.name === name) {
			out.push({ sym: s });
		}
	}
	for (const x of EXTRA_SYMBOLS) {
		if (x.name === name && !out.some((f) => 'sym' in f && f.sym.parent === x.parent)) {
			out.push({ extra: x });
		}
	}
	return out;
}

function parentOf(f: Found): string | undefined {
	return 'sym' in f ? f.sym.parent : f.extra.parent;
}

function isMember(f: Found): boolean {
	return 'sym' in f ? MEMBER_KINDS.has(f.sym.kind) : f.extra.kind === 'field' || f.extra.kind === 'callback';
}

/** The expression before `.name` / `->name` (`args`, `m->migrate`, `range`), or undefined. */
function memberBase(line: string, start: number): string | undefined {
	let i = start;
	while (i > 0 && line[i - 1] === ' ') {
		i--;
	}
	let op = 0;
	if (line[i - 1] === '.') {
		op = 1;
	} else if (line[i - 1] === '>' && line[i - 2] === '-') {
		op = 2;
	} else {
		return undefined;
	}
	const end = i - op;
	let j = end;
	let depth = 0;
	while (j > 0) {
		const c = line[j - 1];
		if (c === ']' || c === ')') {
			depth++;
		} else if ((c === '[' || c === '(') && depth > 0) {
			depth--;
		} else if (depth === 0 && !/[\w.>-]/.test(c)) {
			break;
		} else if (depth === 0 && c === '-' && line[j] !== '>') {
			break;
		}
		j--;
	}
	return line.slice(j, end).replace(/^[&*(]+/, '').trim();
}

/** Where a line's final `struct X name[…] =` is looked for: declarations are short. */
const DECLARATION_END = 256;

/**
 * The last `DECLARATION_END` characters of a line. The declaration expressions below split words
 * (`(\w+)\s*\w+`) and so backtrack quadratically over a long word; each run of blanks they read once.
 */
function declarationEnd(s: string): string {
	return s.length > DECLARATION_END ? s.slice(-DECLARATION_END) : s;
}

/** For `.field = …` inside a brace initialiser: the `struct X` it initialises, scanning upward. */
function initialiserType(lines: DocLines, lineNo: number, ch: number): string | undefined {
	let depth = 0;
	for (let l = lineNo, n = 0; l >= 0 && n < 60; l--, n++) {
		const raw = lines.lineAt(l);
		if (raw.length > MAX_HOVER_LINE) {
			return undefined;
		}
		const text = l === lineNo ? raw.slice(0, ch) : raw;
		for (let i = text.length - 1; i >= 0; i--) {
			const c = text[i];
			if (c === '}') {
				depth++;
			} else if (c === '{') {
				if (depth === 0) {
					// `struct X name = {`, `struct X name[] = {`, `(struct X) {`, or `=` / `{` alone under `struct X name`.
					const head = text.slice(0, i);
					const m = /\b(struct|enum)\s+(\w+)\s*(?:(?:\*\s*)?\w+\s*(?:\[[^\]]*\]\s*)?=|\))\s*$/.exec(declarationEnd(head));
					if (m) {
						return `${m[1]} ${m[2]}`;
					}
					if (/^[\s+>]*(?:=\s*)?$/.test(head) && l > 0) {
						const prev = /\b(struct|enum)\s+(\w+)\s*(?:\*\s*)?\w+\s*(?:\[[^\]]*\]\s*)?(?:=\s*)?$/.exec(declarationEnd(lines.lineAt(l - 1)));
						if (prev) {
							return `${prev[1]} ${prev[2]}`;
						}
					}
					return undefined;
				}
				depth--;
			} else if (c === ';' && depth === 0 && l !== lineNo) {
				return undefined;
			}
		}
	}
	return undefined;
}

interface Names {
	migrate: Set<string>;
	hmm: Set<string>;
	notifier: Set<string>;
	pgmap: Set<string>;
}

function factNames(opts: HoverOptions, pos: Pos): Names {
	const names: Names = { migrate: new Set(), hmm: new Set(), notifier: new Set(), pgmap: new Set() };
	const m = messageAt(opts.analysis, pos);
	let fns = functionsAt(m, pos);
	if (fns.length === 0) {
		fns = [];
		for (const f of m?.facts?.files ?? []) {
			fns.push(...f.functions);
		}
	}
	for (const fn of fns) {
		for (const s of fn.structs) {
			names.migrate.add(s.name.replace(/^[&*]+/, ''));
		}
		for (const r of fn.hmmRanges) {
			names.hmm.add(r.name.replace(/^[&*]+/, ''));
		}
		if (fn.notifier) {
			names.notifier.add(fn.notifier.rangeParam);
		}
		for (const p of fn.pgmaps) {
			names.pgmap.add(p.name.replace(/^[&*]+/, ''));
		}
	}
	return names;
}

/** Picks the parent struct of a member access from facts, then from naming habits. */
function memberParent(name: string, base: string, names: Names): string | undefined {
	const last = base.split(/->|\./).pop() ?? base;
	if (names.migrate.has(base) || names.migrate.has(last)) {
		return 'struct migrate_vma';
	}
	if (names.notifier.has(base)) {
		return 'struct mmu_notifier_range';
	}
	if (names.hmm.has(base) || names.hmm.has(last)) {
		return 'struct hmm_range';
	}
	if (names.pgmap.has(base) || names.pgmap.has(last)) {
		return 'struct dev_pagemap';
	}
	if (/^(args|migrate|mig|migr\w*|mvma|\w*_migrate|migrate_\w+)$/i.test(last)) {
		return 'struct migrate_vma';
	}
	if (/pgmap|pagemap/i.test(last)) {
		return 'struct dev_pagemap';
	}
	if (/ops$/i.test(last) && /^(migrate_to_ram|page_free|folio_free|folio_split)$/.test(name)) {
		return 'struct dev_pagemap_ops';
	}
	if (/^(range|update|nrange|mrange)$/i.test(last) && /^(event|owner|migrate_pgmap_owner)$/.test(name)) {
		return 'struct mmu_notifier_range';
	}
	if (/range/i.test(last)) {
		return /^(event|owner|migrate_pgmap_owner)$/.test(name) ? 'struct mmu_notifier_range' : 'struct hmm_range';
	}
	return undefined;
}

function render(f: Found, v: KernelVersion, ropts: DocRenderOptions): string {
	return 'sym' in f ? symbolMarkdown(f.sym, v, ropts) : extraMarkdown(f.extra, ropts);
}

const SELECT_CONTEXT = /(?:\.|->|\b)flags\s*(?:[|&]?=|:)|MIGRATE_VMA_SELECT_|\bselect(?:ion)?\b/i;
const PFN_CONTEXT = /\b(?:src|dst|src_pfns|dst_pfns|mpfn|pfns?|entry)\b|migrate_pfn|MIGRATE_PFN_/;

/**
 * Text without its leading `(`s and blanks and its trailing `)`s and blanks: what
 * `.replace(/^[(\s]+|[)\s]+$/g, '')` leaves, linearly (the second expression tried every `)` and
 * blank of a long run, each up to the end).
 */
function withoutOuterParens(s: string): string {
	let a = 0;
	let b = s.length;
	while (a < b && /[(\s]/.test(s[a]!)) {
		a++;
	}
	while (b > a && /[)\s]/.test(s[b - 1]!)) {
		b--;
	}
	return s.slice(a, b);
}

/** The `A | B | 0x4` run around a token, when it holds at least two terms of one flag family. */
function flagExpression(line: string, tok: Token): { text: string; terms: string[] } | undefined {
	let a = tok.start;
	let b = tok.end;
	const part = /[\w\s|()]/;
	while (a > 0 && part.test(line[a - 1])) {
		a--;
	}
	while (b < line.length && part.test(line[b])) {
		b++;
	}
	const raw = line.slice(a, b);
	// Keep only the `|`-joined run that contains the token.
	const pieces = raw.split('|');
	if (pieces.length < 2) {
		return undefined;
	}
	const terms = pieces.map((p) => p.replace(/[()\s]/g, ''));
	if (terms.some((t) => !/^(MIGRATE_VMA_SELECT_\w+|MIGRATE_PFN_\w+|0[xX][0-9a-fA-F]+|[0-9]+)$/.test(t))) {
		return undefined;
	}
	return { text: withoutOuterParens(raw.trim()), terms };
}

function selectExpressionMarkdown(expr: { text: string; terms: string[] }, v: KernelVersion, ropts: DocRenderOptions): string | undefined {
	let value = 0n;
	for (const t of expr.terms) {
		if (t.startsWith('MIGRATE_VMA_SELECT_')) {
			const sym = lookupSymbol(t, 'enum migrate_vma_direction');
			if (!sym || sym.bit === undefined) {
				return undefined;
			}
			value |= 1n << BigInt(sym.bit);
		} else if (t.startsWith('MIGRATE_PFN_')) {
			return undefined;
		} else {
			const n = parseCInteger(t);
			if (n === undefined) {
				return undefined;
			}
			value |= n;
		}
	}
	return selectValueMarkdown(value, expr.text, v, ropts);
}

/** The hover at a position, or undefined when there is nothing to say. Never throws on odd text. */
export function hoverAt(lines: DocLines, pos: Pos, opts: HoverOptions): HoverResult | undefined {
	if (pos.line < 0 || pos.line >= lines.lineCount) {
		return undefined;
	}
	const line = lines.lineAt(pos.line);
	if (line.length > MAX_HOVER_LINE || line.indexOf('\0') >= 0) {
		return undefined;
	}
	const tok = tokenAt(line, pos.character);
	if (!tok) {
		return undefined;
	}
	const m = messageAt(opts.analysis, pos);
	const kernel = m?.kernel ?? opts.kernel;
	const v = kernel.version;
	const ropts: DocRenderOptions = { ruleHref: opts.ruleHref, kernelSource: kernel.source };
	const range: DocRange = { start: { line: pos.line, character: tok.start }, end: { line: pos.line, character: tok.end } };

	if (tok.kind === 'number') {
		const value = parseCInteger(tok.text);
		if (value === undefined) {
			return undefined;
		}
		const before = line.slice(Math.max(0, tok.start - 120), tok.start);
		const expr = flagExpression(line, tok);
		if (expr && expr.terms.some((t) => t.startsWith('MIGRATE_VMA_SELECT_'))) {
			const md = selectExpressionMarkdown(expr, v, ropts);
			return md ? { markdown: md, range } : undefined;
		}
		if (SELECT_CONTEXT.test(before)) {
			return { markdown: selectValueMarkdown(value, tok.text, v, ropts), range };
		}
		if (PFN_CONTEXT.test(before) || PFN_CONTEXT.test(line.slice(tok.end, tok.end + 60))) {
			return { markdown: pfnValueMarkdown(value, tok.text, v, ropts), range };
		}
		return undefined;
	}

	const name = tok.text;
	const found = candidates(name);
	if (found.length === 0) {
		return undefined;
	}
	let chosen: Found[] = [];
	const base = memberBase(line, tok.start);
	const typeWord = /\b(struct|enum)\s+$/.exec(line.slice(Math.max(0, tok.start - 10), tok.start));
	if (typeWord) {
		const t = found.find((f) => 'sym' in f && f.sym.kind === 'type' && f.sym.name === `${typeWord[1]} ${name}`);
		const direct = lookupSymbol(`${typeWord[1]} ${name}`);
		if (direct) {
			chosen = [{ sym: direct }];
		} else if (t) {
			chosen = [t];
		}
	}
	if (chosen.length === 0 && base !== undefined) {
		const members = found.filter(isMember);
		const designated = base === '' || /^[\s{,]*$/.test(line.slice(0, tok.start - 1));
		let parent: string | undefined;
		if (designated) {
			parent = initialiserType(lines, pos.line, tok.start);
		}
		parent ??= memberParent(name, base, factNames(opts, pos));
		if (parent) {
			const enumForm = parent.replace(/^struct /, 'enum ');
			chosen = members.filter((f) => parentOf(f) === parent || parentOf(f) === enumForm);
		}
		if (chosen.length === 0) {
			if (members.length === 1 && DISTINCT_MEMBERS.has(name)) {
				chosen = members;
			} else if (name === 'owner' && members.length > 1 && !parent) {
				chosen = members.filter((f) => 'sym' in f);
			}
		}
	}
	if (chosen.length === 0 && base === undefined) {
		// A bare name: functions, flags and types; members only when their name is distinctive.
		const top = found.filter((f) => !isMember(f));
		if (top.length > 0) {
			const plain = top.find((f) => parentOf(f) === undefined);
			chosen = [plain ?? top[0]];
		} else if (DISTINCT_MEMBERS.has(name)) {
			chosen = [found[0]];
		}
	}
	if (chosen.length === 0) {
		return undefined;
	}
	const parts = chosen.map((f) => render(f, v, ropts));
	if (/^MIGRATE_VMA_SELECT_/.test(name)) {
		const expr = flagExpression(line, tok);
		const md = expr ? selectExpressionMarkdown(expr, v, ropts) : undefined;
		if (md) {
			parts.push(md);
		}
	}
	return { markdown: parts.join('\n\n---\n\n'), range };
}
