/*
 * Markdown for hovers: an API identifier as the target kernel sees it (signature, meaning, history,
 * pitfalls with links to the rules), and decoders for migrate-pfn entries and selection flags.
 * Versions come from model/versions.ts only.
 */
import { formatKernel, nextKernel, parseKernel, type KernelVersion } from '../model/kernel';
import {
	API_SYMBOLS,
	PFN_FLAG_BITS,
	SELECT_FLAG_BITS,
	decodeMigratePfn,
	existsIn,
	lookupSymbol,
	nameIn,
	type ApiSymbol,
	type FlagBit,
} from '../model/versions';
import { API_DOCS, docKey, type ExtraSymbol, type Pitfall } from './apiDocs';
import { KERNEL_SOURCE_TEXT, type KernelSource } from '../findings';

export interface DocRenderOptions {
	/** A link target for a rule's documentation; without it rule ids are shown as code. */
	ruleHref?: (ruleId: string) => string | undefined;
	/** How the kernel was chosen (`date`, `setting`, …), shown next to it. */
	kernelSource?: string;
}

const KIND_LABEL: Record<ApiSymbol['kind'], string> = {
	'function': 'function',
	'field': 'field',
	'flag': 'flag',
	'pfn-flag': 'migrate-pfn flag',
	'enum': 'enum',
	'notifier-event': 'notifier event',
	'notifier-field': 'notifier field',
	'pagemap-op': 'dev_pagemap_ops member',
	'fault-code': 'fault code',
	'gup-flag': 'GUP flag',
	'type': 'type',
	'memory-type': 'memory type',
	'callback': 'callback',
};

function code(s: string): string {
	// Inline code that survives backticks in the text.
	return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``;
}


function kernelLabel(v: KernelVersion, opts: DocRenderOptions): string {
	const src = opts.kernelSource ? KERNEL_SOURCE_TEXT[opts.kernelSource as KernelSource] ?? opts.kernelSource : undefined;
	return `Linux ${formatKernel(v)}${src ? ` (${src})` : ''}`;
}

function hex(n: bigint | number): string {
	return `0x${n.toString(16)}`;
}

/** "Since 5.9 (renamed from `src_owner`)"; "4.14–5.15, gone from 5.16"; "Never in a release …". */
export function versionHistory(sym: ApiSymbol): string {
	if (sym.unreleased) {
		return `Never in a release: seen only in list postings or a development tree.${sym.replacedBy ? ` What shipped instead: ${code(sym.replacedBy)}.` : ''}`;
	}
	const parts: string[] = [];
	if (sym.since) {
		parts.push(sym.renamedFrom ? `Since ${sym.since} (the new name of ${code(sym.renamedFrom)})` : `Since ${sym.since}`);
	} else {
		parts.push('In every modelled kernel');
	}
	if (sym.until) {
		const u = parseKernel(sym.until);
		const gone = u ? formatKernel(nextKernel(u)) : undefined;
		parts.push(`last in ${sym.until}${gone ? `, gone from ${gone}` : ''}${sym.replacedBy ? ` (replaced by ${code(sym.replacedBy)})` : ''}`);
	}
	let s = `${parts.join('; ')}.`;
	if (sym.confidence === 'D') {
		s += ' _Versions derived from posting order and merge lists, not from a release tag._';
	} else if (sym.confidence === 'U') {
		s += ' _Version uncertain._';
	}
	return s;
}

/** Whether the symbol exists in the target kernel and, if not, what that kernel has instead. */
export function statusIn(sym: ApiSymbol, v: KernelVersion, opts: DocRenderOptions = {}): string {
	const r = nameIn(sym.name, v, sym.parent);
	if (r.exists) {
		return `Present in ${kernelLabel(v, opts)}.`;
	}
	return `**Not in ${kernelLabel(v, opts)}**${r.instead ? ` — there it is ${code(r.instead)}` : ''}.`;
}

function pitfallLines(pitfalls: Pitfall[] | undefined, opts: DocRenderOptions): string[] {
	if (!pitfalls || pitfalls.length === 0) {
		return [];
	}
	const out = ['**Checked by Migrate Lens:**', ''];
	for (const p of pitfalls) {
		const href = opts.ruleHref?.(p.rule);
		const id = href ? `[${code(p.rule)}](${href})` : code(p.rule);
		out.push(`- ${id}: ${p.text}`);
	}
	return out;
}

function bitValue(sym: ApiSymbol): string | undefined {
	if (sym.bit !== undefined) {
		return `Value: ${code(`1 << ${sym.bit}`)} (${hex(1n << BigInt(sym.bit))}).`;
	}
	if (sym.value !== undefined) {
		return `Value: ${code(String(sym.value))}.`;
	}
	return undefined;
}

/** Other names a reused bit had (migrate-pfn bits 4 and 5). */
function sharedBitNote(sym: ApiSymbol): string | undefined {
	if (sym.bit === undefined || sym.kind !== 'pfn-flag') {
		return undefined;
	}
	const others = PFN_FLAG_BITS.filter((b) => b.bit === sym.bit && b.sym !== sym);
	if (others.length === 0) {
		return undefined;
	}
	return `Bit ${sym.bit} also means ${others.map((o) => `${code(o.sym.name)} (${rangeText(o.sym)})`).join(', ')}.`;
}

function rangeText(sym: ApiSymbol): string {
	if (sym.unreleased) {
		return 'unreleased';
	}
	if (sym.since && sym.until) {
		return `${sym.since}–${sym.until}`;
	}
	if (sym.since) {
		return `${sym.since}+`;
	}
	return sym.until ? `up to ${sym.until}` : 'all kernels';
}

/** The members a struct or enum has in kernel v. */
function membersIn(sym: ApiSymbol, v: KernelVersion): ApiSymbol[] {
	const enumName = sym.name.replace(/^struct /, 'enum ');
	return API_SYMBOLS.filter((x) => (x.parent === sym.name || x.parent === enumName) && existsIn(x, v));
}

/** The hover for an API symbol in kernel v. */
export function symbolMarkdown(sym: ApiSymbol, v: KernelVersion, opts: DocRenderOptions = {}): string {
	const title = sym.parent
		? `${code(sym.parent)} ${KIND_LABEL[sym.kind]} **${sym.name}**`
		: `**${sym.name}** — ${KIND_LABEL[sym.kind]}`;
	const out: string[] = [title, ''];
	if (sym.signature) {
		out.push('```c', sym.signature, '```', '');
	}
	out.push(sym.summary, '');
	const doc = API_DOCS[docKey(sym)];
	if (doc?.details) {
		out.push(doc.details, '');
	}
	const value = bitValue(sym);
	if (value) {
		out.push(value + (sharedBitNote(sym) ? ` ${sharedBitNote(sym)}` : ''), '');
	}
	if (sym.kind === 'type') {
		const members = membersIn(sym, v);
		if (members.length > 0) {
			out.push(`Members in ${formatKernel(v)}: ${members.map((m) => code(m.name)).join(', ')}.`, '');
		}
	}
	out.push(`${statusIn(sym, v, opts)} ${versionHistory(sym)}`, '');
	out.push(...pitfallLines(doc?.pitfalls, opts));
	return trimBlank(out).join('\n');
}

/** The hover for an identifier the version table does not model. */
export function extraMarkdown(x: ExtraSymbol, opts: DocRenderOptions = {}): string {
	const title = x.parent ? `${code(x.parent)} ${x.kind} **${x.name}**` : `**${x.name}** — ${x.kind}`;
	const out: string[] = [title, ''];
	if (x.signature) {
		out.push('```c', x.signature, '```', '');
	}
	out.push(x.summary, '', '_No version history is modelled for this name._', '');
	out.push(...pitfallLines(x.pitfalls, opts));
	return trimBlank(out).join('\n');
}

function trimBlank(lines: string[]): string[] {
	while (lines.length > 0 && lines[lines.length - 1] === '') {
		lines.pop();
	}
	return lines;
}

/** Names a bit had in kernels other than v (for an undefined `BITn`). */
function otherMeanings(bit: number, table: readonly FlagBit[], v: KernelVersion): string {
	const others = table.filter((b) => b.bit === bit && !existsIn(b.sym, v));
	if (others.length === 0) {
		return '';
	}
	return ` (${others.map((o) => `${code(o.sym.name)}: ${rangeText(o.sym)}`).join('; ')})`;
}

/** Decodes a migrate-pfn entry (`src[i]`/`dst[i]` value) for kernel v. */
export function pfnValueMarkdown(value: bigint, literal: string, v: KernelVersion, opts: DocRenderOptions = {}): string {
	const { pfn, flags } = decodeMigratePfn(value, v);
	const out: string[] = [`**${code(literal)}** as a migrate-pfn entry, ${kernelLabel(v, opts)}`, ''];
	if (value === 0n) {
		out.push('No entry: in `src` the page was not selected (or failed); in `dst` the driver gives no destination, so the entry is skipped.');
		return out.join('\n');
	}
	const named = flags.filter((f) => !f.startsWith('BIT'));
	out.push(`- pfn: ${code(hex(pfn))} (${pfn.toString()})`);
	out.push(`- flags: ${named.length > 0 ? code(named.map((f) => `MIGRATE_PFN_${f}`).join(' | ')) : 'none'}`);
	for (const f of flags.filter((x) => x.startsWith('BIT'))) {
		const bit = Number(f.slice(3));
		out.push(`- bit ${bit} (${hex(1n << BigInt(bit))}) has no meaning in ${formatKernel(v)}${otherMeanings(bit, PFN_FLAG_BITS, v)}`);
	}
	const valid = flags.includes('VALID');
	const migrate = flags.includes('MIGRATE');
	let meaning: string;
	if (valid && migrate) {
		meaning = 'A selected page (in `src`: locked, unmapped and isolated; it migrated if MIGRATE is still set after `migrate_vma_pages()`).';
	} else if (migrate) {
		meaning = 'An empty slot: no source page (a hole or the zero page). The driver may supply a zeroed destination.';
	} else if (valid) {
		meaning = 'A page without MIGRATE: in `src` the entry is not (or no longer) migrating; in `dst` a destination built with `migrate_pfn()`.';
	} else {
		meaning = 'Neither VALID nor MIGRATE: the core ignores this entry.';
	}
	if (valid && pfn === 0n) {
		meaning += ' The pfn is 0, which no real page has: is the value shifted?';
	}
	out.push('', meaning);
	return out.join('\n');
}

/** Decodes a `MIGRATE_VMA_SELECT_*` value for kernel v. */
export function selectValueMarkdown(value: bigint, literal: string, v: KernelVersion, opts: DocRenderOptions = {}): string {
	const out: string[] = [`**${code(literal)}** as ${code('struct migrate_vma')} flags, ${kernelLabel(v, opts)}`, ''];
	const flagsField = lookupSymbol('flags', 'struct migrate_vma');
	if (flagsField && !existsIn(flagsField, v)) {
		out.push(`${formatKernel(v)} has no \`flags\` field (it arrived in ${flagsField.since}); selection there depends on ${code('src_owner')} (5.7–5.8) or takes every page (older kernels).`);
		return out.join('\n');
	}
	if (value === 0n) {
		out.push('No selection flag: setup collects only empty slots of an anonymous vma; every present page stays where it is.');
		return out.join('\n');
	}
	const names: string[] = [];
	const lines: string[] = [];
	for (let b = 0; b < 64 && (value >> BigInt(b)) !== 0n; b++) {
		if (((value >> BigInt(b)) & 1n) === 0n) {
			continue;
		}
		const hit = SELECT_FLAG_BITS.find((f) => f.bit === b && existsIn(f.sym, v));
		if (hit) {
			names.push(hit.sym.name);
			lines.push(`- ${code(hit.sym.name)}: ${hit.sym.summary}`);
		} else {
			lines.push(`- bit ${b} (${hex(1n << BigInt(b))}) is not a selection flag in ${formatKernel(v)}; the kernel ignores it${otherMeanings(b, SELECT_FLAG_BITS, v)}`);
		}
	}
	out.push(`= ${names.length > 0 ? code(names.join(' | ')) : 'no known flag'} (${hex(value)})`, '', ...lines);
	return out.join('\n');
}

/** Reads a C integer literal (`0x1234b`, `42UL`, `0755`, `0b101`); undefined when it is not one. */
export function parseCInteger(text: string): bigint | undefined {
	const t = text.trim().replace(/(?:[uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)$/, '');
	try {
		if (/^0[xX][0-9a-fA-F]+$/.test(t)) {
			return BigInt(t);
		}
		if (/^0[bB][01]+$/.test(t)) {
			return BigInt(t);
		}
		if (/^0[0-7]+$/.test(t)) {
			return BigInt(`0o${t.slice(1)}`);
		}
		if (/^(0|[1-9][0-9]*)$/.test(t)) {
			return BigInt(t);
		}
	} catch {
		return undefined;
	}
	return undefined;
}
