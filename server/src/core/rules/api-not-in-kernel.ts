/*
 * api-not-in-kernel: a field, flag, type or function of the migration API that the target kernel
 * does not have — too new, already gone, or never merged — named with what that kernel has
 * instead. Everything comes from the version table (model/versions.ts).
 *
 * A series that itself adds, removes or renames a name (a `#define`, an enum member, a struct
 * member or a function definition in a core header or mm/ file) changes the API: its uses of that
 * name are judged against the series, not against the kernel. When the kernel was only guessed
 * from the mail's date, names of the next release, names the target release removes, and names the
 * patch's own context lines use are accepted too (the patch was written against a development tree).
 *
 * A later part of a series (`[PATCH 5/7]`) whose earlier parts are not in the document may use a
 * name one of those parts adds: a name that is only too new for the kernel (or only proposed) is
 * then reported as `info` that says so, not as a build failure. Names the kernel no longer has are
 * still warnings.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { ApiIdentifier, FileFacts, Loc } from '../extract/types';
import type { Fix } from '../findings';
import type { Message } from '../ingest/types';
import { cmpKernel, formatKernel, nextKernel, parseKernel, type KernelVersion } from '../model/kernel';
import { existsIn, lookupSymbol, nameIn, type ApiSymbol } from '../model/versions';
import { kernelLooksDateDerived, lineOfLoc, messageLines, ownPost, previousKernel, seriesOf, type TextLine } from './missing-select-flags';

const FIELD_KINDS = new Set(['field', 'notifier-field', 'pagemap-op', 'callback']);
const NAME_KINDS = new Set(['flag', 'pfn-flag', 'notifier-event', 'memory-type', 'gup-flag', 'fault-code', 'function', 'enum']);

/**
 * Renames whose new name drops in at the same place (offered as the rule's own quick fix). The
 * struct-member renames (src_owner, migrate_pgmap_owner) are fixed by the editor's quick-fix
 * feature, which knows the member access around them; they are not repeated here.
 */
const DROP_IN = new Set([
	'is_pinnable_page>is_longterm_pinnable_page',
	'folio_is_pinnable>folio_is_longterm_pinnable',
	'is_longterm_pinnable_page>is_pinnable_page',
	'folio_is_longterm_pinnable>folio_is_pinnable',
	'MIGRATE_VMA_FROM_SYSTEM>MIGRATE_VMA_SELECT_SYSTEM',
	'MIGRATE_VMA_FROM_DEVICE_PRIVATE>MIGRATE_VMA_SELECT_DEVICE_PRIVATE',
]);

function escapeRe(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a diff line defines (or declares) `name`: the series then owns that part of the API. */
export function definesName(l: Pick<TextLine, 'text' | 'path'>, name: string): boolean {
	const n = escapeRe(name);
	const t = l.text;
	if (new RegExp(`^\\s*#\\s*(define|undef)\\s+${n}\\b`).test(t)) {
		return true;
	}
	if (new RegExp(`\\bEXPORT_SYMBOL(_GPL)?\\s*\\(\\s*${n}\\s*\\)`).test(t)) {
		return true;
	}
	// A function definition or prototype: only type words before the name, parameter declarations
	// after. The stars after the last type word belong to its separator (`(?:word[\s*]+)*\**` tried
	// every split of a long run of stars).
	if (new RegExp(`^\\s*(?:(?:[A-Za-z_]\\w*[\\s*]+)+|\\**)${n}\\s*\\(\\s*(?:void\\s*\\)|\\)\\s*$|const\\s|struct\\s|enum\\s|union\\s|unsigned\\b|signed\\b|int\\b|long\\b|bool\\b|char\\b|u8\\b|u16\\b|u32\\b|u64\\b|\\w+_t\\b)`).test(t)
		&& !/^\s*(return|if|while|for|switch|else)\b/.test(t)) {
		return true;
	}
	const core = /^(include\/|mm\/)/.test(l.path);
	if (!core) {
		return false;
	}
	if (name.startsWith('struct ')) {
		return new RegExp(`^\\s*${n}\\s*\\{`).test(t);
	}
	// An enum member. `= value` takes the comma and blanks after it, blanks are read once
	// (`\s*(=[^;]*)?,?\s*` tried every split of a run of blanks).
	if (new RegExp(`^\\s*${n}\\s*(?:=[^;]*|,\\s*)?(/[*/].*)?$`).test(t)) {
		return true;
	}
	// A struct member (plain or function pointer).
	if (new RegExp(`^\\s*(?:const\\s+)?(?:(?:struct|enum|union)\\s+\\w+|unsigned\\s+long|unsigned\\s+int|unsigned|signed|void|int|long|bool|char|u8|u16|u32|u64|\\w+_t)\\b[\\s*]*${n}\\s*(?:\\[[^\\]]*\\]\\s*)?;`).test(t)) {
		return true;
	}
	return new RegExp(`\\(\\s*\\*\\s*${n}\\s*\\)\\s*\\(`).test(t);
}

interface SeriesNames {
	defined: (name: string) => boolean;
	usedInBase: (name: string) => boolean;
}

const namesCache = new WeakMap<readonly unknown[], SeriesNames>();

function seriesNames(ctx: RuleContext): SeriesNames {
	const series = seriesOf(ctx);
	const hit = namesCache.get(series);
	if (hit) {
		return hit;
	}
	const made = buildSeriesNames(ctx);
	namesCache.set(series, made);
	return made;
}

function buildSeriesNames(ctx: RuleContext): SeriesNames {
	const lines: TextLine[] = [];
	for (const m of seriesOf(ctx)) {
		lines.push(...messageLines(m.message));
	}
	const defCache = new Map<string, boolean>();
	const baseCache = new Map<string, boolean>();
	return {
		defined(name) {
			let v = defCache.get(name);
			if (v === undefined) {
				const bare = name.replace(/^struct /, '');
				v = lines.some((l) => l.text.includes(bare) && definesName(l, name));
				defCache.set(name, v);
			}
			return v;
		},
		usedInBase(name) {
			let v = baseCache.get(name);
			if (v === undefined) {
				const re = new RegExp(`\\b${escapeRe(name.replace(/^struct /, ''))}\\b`);
				v = lines.some((l) => l.kind !== '+' && l.text.includes(name.replace(/^struct /, '')) && re.test(l.text) && !isCommentText(l.text));
				baseCache.set(name, v);
			}
			return v;
		},
	};
}

function isCommentText(t: string): boolean {
	return /^\s*(\/\*|\/\/|\*(?=\s|\/|$))/.test(t);
}

/** Whether the identifier sits inside a comment on its line. */
function inComment(line: TextLine | undefined, name: string): boolean {
	if (!line) {
		return false;
	}
	if (isCommentText(line.text)) {
		return true;
	}
	const i = line.text.indexOf(name);
	if (i < 0) {
		return false;
	}
	const before = line.text.slice(0, i);
	if (before.includes('//')) {
		return true;
	}
	const open = before.lastIndexOf('/*');
	return open >= 0 && before.indexOf('*/', open) < 0;
}

function symbolFor(id: ApiIdentifier): ApiSymbol | undefined {
	if (id.role === 'type') {
		return lookupSymbol(`struct ${id.name}`);
	}
	const sym = lookupSymbol(id.name);
	if (!sym) {
		return undefined;
	}
	if (id.role === 'call') {
		return sym.kind === 'function' ? sym : undefined;
	}
	if (id.role === 'field') {
		return FIELD_KINDS.has(sym.kind) ? sym : undefined;
	}
	return NAME_KINDS.has(sym.kind) || sym.kind === 'type' ? sym : undefined;
}

function ver(s: string | undefined): KernelVersion | undefined {
	return s === undefined ? undefined : parseKernel(s);
}

/** `1–4` or `2, 5` for a sorted list of part numbers. */
function partsText(parts: number[]): string {
	const runs: string[] = [];
	for (let i = 0; i < parts.length;) {
		let j = i;
		while (j + 1 < parts.length && parts[j + 1] === parts[j]! + 1) {
			j++;
		}
		runs.push(j > i ? `${parts[i]}–${parts[j]}` : `${parts[i]}`);
		i = j + 1;
	}
	return runs.join(', ');
}

/**
 * The earlier parts of this message's series (`1`…`n-1` of `[PATCH n/M]`) that the document does
 * not hold as patches of the same series length and version; empty for a first part or a lone patch.
 */
function missingEarlierParts(ctx: RuleContext): number[] {
	const s = ctx.message.subject;
	if (s.number === undefined || s.total === undefined || s.number <= 1 || s.number > s.total) {
		return [];
	}
	const have = new Set<number>();
	for (const m of seriesOf(ctx)) {
		const o = m.message.subject;
		if (!o.isReply && o.number !== undefined && o.total === s.total && o.version === s.version) {
			have.add(o.number);
		}
	}
	const missing: number[] = [];
	for (let i = 1; i < s.number; i++) {
		if (!have.has(i)) {
			missing.push(i);
		}
	}
	return missing;
}

interface PartialSeries {
	number: number;
	total: number;
	missing: number[];
}

function explain(sym: ApiSymbol, shown: string, k: KernelVersion, instead: string | undefined, partial?: PartialSeries): string {
	const kt = formatKernel(k);
	const since = ver(sym.since);
	const until = ver(sym.until);
	let base: string;
	if (sym.unreleased) {
		base = `\`${shown}\` was only proposed on the lists and never merged, so no kernel (kernel ${kt} included) has it`;
		base += instead ? `; what shipped is \`${instead}\`` : sym.replacedBy ? `; what shipped is \`${sym.replacedBy}\`` : '';
	} else if (until && cmpKernel(k, until) > 0) {
		const gone = formatKernel(nextKernel(until));
		base = `\`${shown}\` no longer exists in kernel ${kt}: it went away in ${gone}`;
		base += instead ? ` and \`${instead}\` took its place` : ' with no replacement';
	} else if (since && cmpKernel(k, since) < 0) {
		base = `\`${shown}\` does not exist yet in kernel ${kt}: it arrived in ${formatKernel(since)}`;
		base += instead ? `; kernel ${kt} has \`${instead}\`` : '';
	} else {
		base = `\`${shown}\` does not exist in kernel ${kt}`;
	}
	if (partial) {
		const many = partial.missing.length > 1;
		base += `. This is patch ${partial.number}/${partial.total} and ${many ? 'patches' : 'patch'} ${partsText(partial.missing)} of its series ${many ? 'are' : 'is'} not in this file: `
			+ `unless ${many ? 'one of them adds' : 'it adds'} the name, the patch does not build against that kernel`;
	} else {
		base += '. The patch does not build against that kernel';
	}
	switch (sym.name) {
		case 'src_owner':
			if (instead === 'pgmap_owner') {
				base += '; note that from 5.9 selecting device pages also needs `flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE` (src_owner used to switch the direction by itself)';
			}
			break;
		case 'MIGRATE_PFN_LOCKED':
			if (until && cmpKernel(k, until) > 0) {
				base += '; drop the flag — setup keeps only pages it locked, and a destination page only has to be locked, not marked';
			}
			break;
		case 'MIGRATE_PFN_DEVICE':
		case 'MIGRATE_PFN_ERROR':
			if (until && cmpKernel(k, until) > 0) {
				base += '; with the three-step API a device→RAM failure is reported by leaving dst empty, and device pages are recognised with is_device_private_page()';
			}
			break;
		case 'mmu_notifier_range_init_migrate':
		case 'mmu_notifier_range_init_owner':
			base += ' (the two initialisers take different arguments: check the event and owner you pass)';
			break;
		case 'migrate_vma':
			if (instead) {
				base += '; the callback API became migrate_vma_setup(), migrate_vma_pages() and migrate_vma_finalize() with struct migrate_vma';
			}
			break;
		default:
			break;
	}
	return base + '.';
}

function renameFix(msg: Message, id: { name: string; loc: Loc }, instead: string | undefined): Fix[] | undefined {
	if (!instead || !DROP_IN.has(`${id.name}>${instead}`)) {
		return undefined;
	}
	// Only where the document holds the code verbatim (no transfer encoding, no flattening).
	if (/quoted-printable|base64/i.test(msg.headers.contentTransferEncoding ?? '')) {
		return undefined;
	}
	const line = lineOfLoc(msg, id.loc);
	if (!line || line.flattened || line.start.line !== line.end.line) {
		return undefined;
	}
	const l = id.loc;
	if (!l.exact || l.endLine !== l.line || l.endCharacter - l.character !== id.name.length) {
		return undefined;
	}
	return [{
		title: `Rename to ${instead}`,
		edits: [{ range: { start: { line: l.line, character: l.character }, end: { line: l.endLine, character: l.endCharacter } }, newText: instead }],
	}];
}

/** Locations already reported by notifier-self-invalidation (the notifier owner field). */
function notifierOwnerLocs(ctx: RuleContext): Loc[] {
	const out: Loc[] = [];
	for (const { fn } of ownPost(ctx)) {
		for (const t of fn.notifier?.ownerTests ?? []) {
			out.push(t.loc);
		}
	}
	return out;
}

function within(a: Loc, b: Loc): boolean {
	const afterStart = a.line > b.line || (a.line === b.line && a.character >= b.character);
	const beforeEnd = a.line < b.endLine || (a.line === b.endLine && a.character <= b.endCharacter);
	return afterStart && beforeEnd;
}

export const rule: Rule = {
	id: 'api-not-in-kernel',
	group: 'versions',
	severity: 'warning',
	title: 'API name the target kernel does not have',
	check(ctx: RuleContext): RuleFinding[] {
		const out: RuleFinding[] = [];
		const k = ctx.kernel;
		const names = seriesNames(ctx);
		const guessed = kernelLooksDateDerived(ctx);
		const next = nextKernel(k);
		const prev = previousKernel(k);
		const skipLocs = notifierOwnerLocs(ctx);
		const seen = new Set<string>();
		const subj = ctx.message.subject;
		let missing: number[] | undefined;

		const judge = (name: string, sym: ApiSymbol, loc: Loc): RuleFinding | undefined => {
			if (existsIn(sym, k)) {
				return undefined;
			}
			if (names.defined(sym.name)) {
				return undefined;
			}
			if (guessed) {
				// Written against the development tree: what the next release brings, or what the
				// target release removes during its merge window, may still be in that tree.
				if (existsIn(sym, next) || existsIn(sym, prev)) {
					return undefined;
				}
				if (names.usedInBase(sym.name)) {
					return undefined;
				}
			}
			const r = nameIn(sym.name, k, sym.parent);
			// Too new or only proposed (not gone): an earlier part of the series that this
			// document lacks may add it.
			const since = ver(sym.since);
			const addable = sym.unreleased === true || (since !== undefined && cmpKernel(k, since) < 0);
			if (addable) {
				missing ??= missingEarlierParts(ctx);
			}
			const partial = addable && missing && missing.length > 0 && subj.number !== undefined && subj.total !== undefined
				? { number: subj.number, total: subj.total, missing }
				: undefined;
			return {
				severity: partial ? 'info' : undefined,
				message: explain(sym, name, k, r.instead, partial),
				loc,
				fixes: renameFix(ctx.message, { name, loc }, r.instead),
			};
		};

		const files: FileFacts[] = ctx.facts.files.filter((f) => f.image === 'post');
		for (const file of files) {
			for (const id of file.identifiers) {
				if (!isNewCode(id.loc)) {
					continue;
				}
				const sym = symbolFor(id);
				if (!sym) {
					continue;
				}
				if (id.name === 'migrate_pgmap_owner' && skipLocs.some((l) => within(id.loc, l))) {
					continue;
				}
				if (inComment(lineOfLoc(ctx.message, id.loc), id.name)) {
					continue;
				}
				const f = judge(id.name, sym, id.loc);
				if (f) {
					const key = `${id.loc.line}:${id.loc.character}:${id.name}`;
					if (!seen.has(key)) {
						seen.add(key);
						out.push(f);
					}
				}
			}
		}
		// `flags` of struct migrate_vma is too common a word to be recorded as an identifier.
		const flagsSym = lookupSymbol('flags', 'struct migrate_vma');
		if (flagsSym && !existsIn(flagsSym, k)) {
			for (const { fn } of ownPost(ctx)) {
				for (const s of fn.structs) {
					for (const a of s.assignments) {
						if (a.field !== 'flags' || !isNewCode(a.loc)) {
							continue;
						}
						// A MIGRATE_VMA_SELECT_* name on the same line is reported on its own.
						const line = lineOfLoc(ctx.message, a.loc);
						const onLine = line ? [...line.text.matchAll(/\bMIGRATE_VMA_SELECT_\w+/g)].map((m) => m[0]) : [];
						if (onLine.some((n) => {
							const sym = lookupSymbol(n);
							return sym !== undefined && !existsIn(sym, k);
						})) {
							continue;
						}
						const f = judge('flags', flagsSym, a.loc);
						if (f) {
							f.message = f.message.replace('`flags`', `\`${s.name}.flags\` (struct migrate_vma)`);
							out.push(f);
						}
					}
				}
			}
		}
		return out;
	},
};
