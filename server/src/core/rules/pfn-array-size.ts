/*
 * pfn-array-size: src/dst arrays sized wrongly.
 *
 * Every entry is an `unsigned long`, and each array needs (end - start) >> PAGE_SHIFT of them;
 * setup clears and writes that many src entries, and pages/finalize walk that many of both.
 * Checked here:
 * - `sizeof(x.src)` / `sizeof(x->dst)` / `sizeof(ptr)`: the size of the pointer, not of an entry
 *   (equal to sizeof(unsigned long) on Linux, so it works by accident) — warning;
 * - an element type narrower than unsigned long (`sizeof(int)`, `sizeof(u32)`) — error: setup
 *   writes past the allocation; a 64-bit type (`u64`) — warning: too small on 32-bit kernels;
 * - a byte-count allocator given a page count without any sizeof — error;
 * - a stack array (or a single variable) with fewer entries than the range the struct covers,
 *   when both are constants — error;
 * - large stack arrays (more than 64 entries, 512 bytes, each) — warning: kernel stacks are small.
 */
import type { FileFacts, FunctionFacts, MigrateVmaStruct, PfnArray } from '../extract/types';
import { type Defect, kernelTag, runDetector } from './protocolShared';
import type { Rule, RuleContext } from './types';

/** Largest on-stack array we let pass (entries): 64 entries = 512 bytes per array. */
export const MAX_STACK_ENTRIES = 64;

/** Constants a kernel file usually takes from headers (x86-64, 4 KiB pages). */
const KNOWN_CONSTANTS: Record<string, number> = {
	HPAGE_PMD_NR: 512, PTRS_PER_PTE: 512, PTRS_PER_PMD: 512, HPAGE_PMD_ORDER: 9, PAGE_SIZE: 4096, PAGE_SHIFT: 12,
};

const ENTRY_TYPES = /^(unsigned\s+long(\s+int)?|long(\s+unsigned)?(\s+int)?|signed\s+long)$/;
const NARROW_TYPES = /^(unsigned\s+)?(int|short|char)$|^(unsigned|signed)$|^(__)?[us](8|16|32)$|^u?int(8|16|32)_t$|^(pgoff_t32|gfp_t)$/;
const WIDE_64 = /^(__)?[us]64$|^u?int64_t$|^(unsigned\s+)?long\s+long(\s+int)?$|^(dma_addr_t|phys_addr_t|resource_size_t)$/;

/** Evaluates a small constant expression (numbers, #defines of the file, + - * / << >>, parentheses). */
export function evalConst(text: string, defines: Record<string, string>, depth = 0): number | undefined {
	if (depth > 6) {
		return undefined;
	}
	const toks = text.match(/0[xX][0-9a-fA-F]+|\d+[uUlL]*|[A-Za-z_]\w*|<<|>>|[-+*/()]|\S/g) ?? [];
	let i = 0;
	const value = (tok: string): number | undefined => {
		if (/^0[xX]/.test(tok)) {
			return parseInt(tok, 16);
		}
		if (/^\d/.test(tok)) {
			return parseInt(tok, 10);
		}
		const d = defines[tok];
		if (d !== undefined) {
			return evalConst(d, defines, depth + 1);
		}
		return KNOWN_CONSTANTS[tok];
	};
	const primary = (): number | undefined => {
		const t = toks[i++];
		if (t === undefined) {
			return undefined;
		}
		if (t === '(') {
			const v = shift();
			return toks[i++] === ')' ? v : undefined;
		}
		return value(t);
	};
	const mul = (): number | undefined => {
		let v = primary();
		while (v !== undefined && (toks[i] === '*' || toks[i] === '/')) {
			const op = toks[i++];
			const r = primary();
			v = r === undefined || (op === '/' && r === 0) ? undefined : op === '*' ? v * r : Math.floor(v / r);
		}
		return v;
	};
	const add = (): number | undefined => {
		let v = mul();
		while (v !== undefined && (toks[i] === '+' || toks[i] === '-')) {
			const op = toks[i++];
			const r = mul();
			v = r === undefined ? undefined : op === '+' ? v + r : v - r;
		}
		return v;
	};
	const shift = (): number | undefined => {
		let v = add();
		while (v !== undefined && (toks[i] === '<<' || toks[i] === '>>')) {
			const op = toks[i++];
			const r = add();
			v = r === undefined || r > 52 ? undefined : op === '<<' ? v * 2 ** r : Math.floor(v / 2 ** r);
		}
		return v;
	};
	const v = shift();
	return v !== undefined && i === toks.length && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** `x.src`, `x->dst`, or an identifier allocated as a src/dst array: a pointer. */
function isPointerOperand(op: string, fn: FunctionFacts): boolean {
	const o = op.replace(/\s+/g, '');
	if (/(->|\.)(src|dst)(_?pfns?)?$/.test(o)) {
		return true;
	}
	return fn.arrays.some((a) => a.target.replace(/\s+/g, '') === o && a.how === 'alloc');
}

function typeProblem(type: string): 'narrow' | 'wide64' | undefined {
	const t = type.replace(/\bconst\b|\bvolatile\b/g, '').replace(/\s+/g, ' ').trim();
	if (ENTRY_TYPES.test(t)) {
		return undefined;
	}
	if (NARROW_TYPES.test(t)) {
		return 'narrow';
	}
	if (WIDE_64.test(t)) {
		return 'wide64';
	}
	return undefined;
}

/** Pages the struct's range covers when start/end are constants apart: `.end = start + PAGE_SIZE`. */
function rangePages(s: MigrateVmaStruct, defines: Record<string, string>): number | undefined {
	const end = s.fields.end?.resolved ?? s.fields.end?.text;
	const start = s.fields.start?.resolved ?? s.fields.start?.text;
	if (!end) {
		return undefined;
	}
	const norm = (x: string): string => x.replace(/\s+/g, '');
	const m = /^(.+?)\+(.+)$/.exec(norm(end));
	if (!m) {
		return undefined;
	}
	const base = m[1]!;
	if (start !== undefined && norm(start) !== base && !new RegExp(`(->|\\.)start$`).test(base)) {
		return undefined;
	}
	const bytes = evalConst(m[2]!, defines);
	return bytes === undefined ? undefined : Math.ceil(bytes / KNOWN_CONSTANTS.PAGE_SIZE!);
}

function arrayOf(s: MigrateVmaStruct, role: 'src' | 'dst'): string | undefined {
	const v = s.fields[role];
	return v ? v.text.replace(/\s+/g, '') : undefined;
}

function detect(fn: FunctionFacts, file: FileFacts, ctx: RuleContext): Defect[] {
	const out: Defect[] = [];
	const k = kernelTag(ctx);
	// sizeof of the pointer
	for (const s of fn.sizeofs) {
		if (s.dereferenced) {
			continue;
		}
		const op = s.operandText.replace(/^\(+|\)+$/g, '');
		if (!isPointerOperand(op, fn)) {
			continue;
		}
		out.push({
			key: `sizeof:${op.replace(/\s+/g, '')}`,
			locs: [s.loc],
			message: `${s.text} is the size of the pointer, not of one entry. It only works because a pointer and an unsigned long happen to have the same size on Linux; `
				+ `write sizeof(*${op}) so the array keeps matching its element type ${k}.`,
		});
	}
	// element types and byte counts of allocations
	for (const a of fn.arrays) {
		if (a.how !== 'alloc' || (a.role !== 'src' && a.role !== 'dst' && a.role !== 'both') || !a.sizeText) {
			continue;
		}
		const two = a.countText !== undefined;
		const sizeofs = [...a.sizeText.matchAll(/sizeof\s*\(\s*([^()]*(?:\([^()]*\)[^()]*)*)\)/g)].map((m) => m[1]!.trim());
		if (sizeofs.length === 0) {
			if (!two && !/[*<]/.test(a.sizeText) && /^[A-Za-z_][\w.>-]*$/.test(a.sizeText.trim()) && /n?pages|npfns|nr_?pfns|count|\bnr\b|num/i.test(a.sizeText)) {
				out.push(allocDefect(a, `${a.allocator}(${a.sizeText}, …) allocates ${a.sizeText} bytes, not ${a.sizeText} entries of unsigned long`, 'error', k));
			}
			continue;
		}
		// one element size: `sizeof(T)`, or `n * sizeof(T)` for byte-count allocators; a sum is a
		// buffer shared with other arrays and says nothing about the entry type
		if (sizeofs.length !== 1 || /[+]/.test(a.sizeText) || (two && !/^\s*sizeof\b/.test(a.sizeText))) {
			continue;
		}
		for (const t of sizeofs) {
			const p = typeProblem(t);
			if (p === 'narrow') {
				out.push(allocDefect(a, `the entries are sized with sizeof(${t}), smaller than unsigned long`, 'error', k));
			} else if (p === 'wide64') {
				out.push(allocDefect(a, `the entries are sized with sizeof(${t}); they are unsigned long, which is 32 bits on 32-bit kernels`, 'warning', k));
			}
		}
	}
	// stack arrays: size against the range, and sheer size
	const defines = file.defines ?? {};
	for (const a of fn.arrays) {
		if (a.how !== 'stack' && a.how !== 'scalar') {
			continue;
		}
		const n = a.how === 'scalar' ? 1 : a.countText !== undefined ? evalConst(a.countText, defines) : undefined;
		if (n === undefined) {
			continue;
		}
		if (a.how === 'stack' && n > MAX_STACK_ENTRIES) {
			out.push({
				key: `stack:${a.target}`,
				locs: [a.loc],
				message: `${a.target} puts ${n} entries (${n * 8} bytes on 64-bit) on the kernel stack, and its src/dst partner usually as much again; kernel stacks are a few pages and deep call chains overflow them. `
					+ `Allocate the arrays (kvcalloc) or migrate in chunks of at most ${MAX_STACK_ENTRIES} pages ${k}.`,
			});
		}
		for (const s of fn.structs) {
			const pages = rangePages(s, defines);
			if (pages === undefined) {
				continue;
			}
			for (const role of ['src', 'dst'] as const) {
				const arr = arrayOf(s, role);
				const target = a.target.replace(/\s+/g, '');
				if (arr !== target && arr !== `&${target}`) {
					continue;
				}
				if (n < pages) {
					out.push({
						key: `count:${a.target}`,
						locs: [a.loc, s.fields[role]!.loc],
						severity: 'error',
						message: `${a.target} holds ${n} entr${n === 1 ? 'y' : 'ies'} but ${s.name} covers ${pages} pages: setup writes ${pages} src entries and pages/finalize read ${pages} of each array, past its end (stack corruption). `
							+ `Size the arrays to (end - start) >> PAGE_SHIFT ${k}.`,
					});
				}
			}
		}
	}
	return out;
}

function allocDefect(a: PfnArray, what: string, severity: 'error' | 'warning', k: string): Defect {
	return {
		key: `elem:${a.target}`,
		locs: [a.loc],
		severity,
		message: `${a.target}: ${what}. Setup writes one unsigned long per page of the range into src[] and the core reads as many from dst[], `
			+ `so a short array is overrun (memory corruption). Use ${a.countText !== undefined ? `${a.allocator}(n, sizeof(*${a.target}), …)` : `sizeof(*${a.target}) * n`} ${k}.`,
	};
}

export const rule: Rule = {
	id: 'pfn-array-size',
	group: 'protocol',
	severity: 'warning',
	title: 'src/dst arrays with the wrong element size, too few entries, or too large for the stack',
	check(ctx) {
		return runDetector(ctx, detect, {
			loc: (post, d) => {
				const target = d.key.replace(/^[a-z]+:/, '');
				for (const g of post) {
					const s = g.sizeofs.find((x) => x.dereferenced && x.loc.lineKind === '+' && x.operandText.replace(/[\s*()]/g, '').replace(/\[0\]$/, '') === target.replace(/[\s&]/g, ''));
					if (s) {
						return s.loc;
					}
					const a = g.arrays.find((x) => x.target.replace(/\s+/g, '') === target && x.loc.lineKind === '+');
					if (a) {
						return a.loc;
					}
				}
				return undefined;
			},
			message: (d, c) => `This hunk fixes the size of ${d.key.replace(/^[a-z]+:/, '')} (entries are unsigned long, one per page of the range) ${kernelTag(c)}.`,
		});
	},
};
