import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { hoverAt, type HoverOptions } from '../../server/src/core/features/hover';
import { linesOf } from '../../server/src/core/features/common';
import { resolveKernel } from '../../server/src/core/kernelVersion';
import { parseKernel } from '../../server/src/core/model/kernel';
import { API_SYMBOLS, existsIn } from '../../server/src/core/model/versions';
import { API_DOCS, EXTRA_SYMBOLS, docKey } from '../../server/src/core/docs/apiDocs';
import { parseCInteger, symbolMarkdown } from '../../server/src/core/docs/render';
import { ACME, EXAMPLE, analyse, posOf, quoted, type Analysed } from '../featureHarness';

/** The rule catalogue of DESIGN.md: pitfalls may only link these. */
const CATALOGUE = new Set([
	'setup-result-unchecked', 'finalize-missing', 'pages-missing', 'dst-without-migrate-check', 'migrate-flag-unchecked',
	'src-modified', 'chunk-end-from-invariant', 'pfn-array-size', 'pfn-array-alloc-unchecked', 'cpages-as-success',
	'missing-select-flags', 'missing-pgmap-owner', 'owner-mismatch', 'device-private-source-as-system', 'hmm-range-owner-missing',
	'fault-page-missing', 'fault-page-relocked', 'migrate-to-ram-sigbus', 'migrate-to-ram-dst-not-zeroed',
	'notifier-self-invalidation', 'longterm-pin-coherent', 'pin-blocks-migration', 'api-not-in-kernel',
]);

const v = (s: string) => parseKernel(s)!;

function opts(a: Analysed | undefined, kernel = 'auto'): HoverOptions {
	return { kernel: resolveKernel(undefined, { explicit: kernel }), analysis: a?.analysis, ruleHref: (id) => `file:///docs/rules/${id}.md` };
}

function hover(a: Analysed, needle: string, offset = 1, from = 0) {
	return hoverAt(a.lines, posOf(a.text, needle, offset, from), opts(a));
}

describe('API documentation', () => {
	it('documents every identifier of the version table', () => {
		const missing = API_SYMBOLS.filter((s) => !API_DOCS[docKey(s)]?.details);
		assert.deepEqual(missing.map(docKey), []);
	});

	it('has no entry for an identifier the table does not know', () => {
		const keys = new Set(API_SYMBOLS.map(docKey));
		assert.deepEqual(Object.keys(API_DOCS).filter((k) => !keys.has(k)), []);
	});

	it('links pitfalls only to catalogue rules', () => {
		const bad: string[] = [];
		for (const [key, doc] of Object.entries(API_DOCS)) {
			for (const p of doc.pitfalls ?? []) {
				if (!CATALOGUE.has(p.rule)) {
					bad.push(`${key}: ${p.rule}`);
				}
			}
		}
		for (const x of EXTRA_SYMBOLS) {
			for (const p of x.pitfalls ?? []) {
				if (!CATALOGUE.has(p.rule)) {
					bad.push(`${x.name}: ${p.rule}`);
				}
			}
		}
		assert.deepEqual(bad, []);
	});

	it('states for every symbol whether the target kernel has it, and its history', () => {
		for (const kernel of ['4.14', '5.8', '6.1', '7.0']) {
			for (const sym of API_SYMBOLS) {
				const md = symbolMarkdown(sym, v(kernel));
				assert.ok(md.includes(sym.name), sym.name);
				const present = existsIn(sym, v(kernel));
				assert.equal(md.includes(`Present in Linux ${kernel}`), present, `${sym.name} on ${kernel}`);
				assert.equal(md.includes(`Not in Linux ${kernel}`), !present, `${sym.name} on ${kernel}`);
				if (sym.unreleased) {
					assert.match(md, /Never in a release/);
				} else if (sym.since) {
					assert.ok(md.includes(`Since ${sym.since}`), `${sym.name} history`);
				}
				if (sym.until) {
					assert.ok(md.includes(`last in ${sym.until}`), `${sym.name} end`);
				}
			}
		}
	});

	it('names what the target kernel has instead of a renamed identifier', () => {
		const srcOwner = API_SYMBOLS.find((s) => s.name === 'src_owner')!;
		assert.match(symbolMarkdown(srcOwner, v('6.1')), /Not in Linux 6\.1.*there it is `pgmap_owner`/);
		const pgmapOwner = API_SYMBOLS.find((s) => s.name === 'pgmap_owner')!;
		assert.match(symbolMarkdown(pgmapOwner, v('5.8')), /Not in Linux 5\.8.*there it is `src_owner`/);
	});

	it('lists the members a struct has in the target kernel', () => {
		const sm = API_SYMBOLS.find((s) => s.name === 'struct migrate_vma')!;
		const old = symbolMarkdown(sm, v('5.8'));
		const now = symbolMarkdown(sm, v('6.1'));
		const members = (md: string) => /^Members in [^:]+: (.*)$/m.exec(md)?.[1] ?? '';
		assert.match(members(old), /`src_owner`/);
		assert.doesNotMatch(members(old), /`fault_page`|`flags`/);
		assert.match(members(now), /`fault_page`/);
		assert.doesNotMatch(members(now), /`src_owner`/);
	});

	it('reads C integer literals', () => {
		assert.equal(parseCInteger('0x1234b'), 0x1234bn);
		assert.equal(parseCInteger('42UL'), 42n);
		assert.equal(parseCInteger('017'), 15n);
		assert.equal(parseCInteger('0b101'), 5n);
		assert.equal(parseCInteger('12ab'), undefined);
	});
});

describe('hover', () => {
	let example: Analysed;
	let acme: Analysed;
	before(async () => {
		example = await analyse(EXAMPLE());
		acme = await analyse(ACME(), { kernel: '6.8' });
	});

	it('explains a function with its signature, the message kernel and its pitfalls', () => {
		const h = hover(example, 'migrate_vma_setup(&args)');
		assert.ok(h);
		assert.match(h.markdown, /int migrate_vma_setup\(struct migrate_vma \*args\)/);
		const kernel = example.analysis.messages[0].kernel.text;
		assert.ok(h.markdown.includes(`Present in Linux ${kernel}`));
		assert.match(h.markdown, /\[`finalize-missing`\]\(file:\/\/\/docs\/rules\/finalize-missing\.md\)/);
		const pos = posOf(example.text, 'migrate_vma_setup(&args)');
		assert.deepEqual(h.range, { start: pos, end: { line: pos.line, character: pos.character + 'migrate_vma_setup'.length } });
	});

	it('resolves designated initialiser fields to struct migrate_vma', () => {
		const h = hover(example, '.start', 2);
		assert.ok(h);
		assert.match(h.markdown, /`struct migrate_vma` field \*\*start\*\*/);
	});

	it('resolves field accesses through the extracted struct name', () => {
		const h = hover(example, 'args.src[i] & MIGRATE_PFN_MIGRATE', 6);
		assert.ok(h);
		assert.match(h.markdown, /`struct migrate_vma` field \*\*src\*\*/);
	});

	it('tells that a flag is gone in the target kernel', () => {
		const onNew = hover(acme, 'MIGRATE_PFN_LOCKED', 3);
		assert.ok(onNew);
		assert.match(onNew.markdown, /Not in Linux 6\.8/);
		assert.match(onNew.markdown, /gone from 5\.16/);
		const old = hoverAt(acme.lines, posOf(acme.text, 'MIGRATE_PFN_LOCKED', 3), opts(undefined, '5.10'));
		assert.ok(old);
		assert.match(old.markdown, /Present in Linux 5\.10/);
	});

	it('tells what a renamed field is called in the target kernel', () => {
		const h = hover(acme, 'mig.src_owner', 6);
		assert.ok(h);
		assert.match(h.markdown, /src_owner/);
		assert.match(h.markdown, /there it is `pgmap_owner`/);
	});

	it('tells notifier fields from struct fields', () => {
		const ev = hover(acme, 'range->event', 9);
		assert.ok(ev);
		assert.match(ev.markdown, /`struct mmu_notifier_range` notifier field \*\*event\*\*/);
		const own = hover(acme, 'range->migrate_pgmap_owner', 9);
		assert.ok(own);
		assert.match(own.markdown, /migrate_pgmap_owner/);
		assert.match(own.markdown, /there it is `owner`/);
	});

	it('documents the migrate_to_ram flags and fault codes', () => {
		const flag = hover(acme, 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE', 4);
		assert.ok(flag);
		assert.match(flag.markdown, /Value: `1 << 1`/);
		const sigbus = hover(acme, 'VM_FAULT_SIGBUS', 3);
		assert.ok(sigbus);
		assert.match(sigbus.markdown, /migrate-to-ram-sigbus/);
	});

	it('resolves an ops table entry to its dev_pagemap_ops member, by kernel', () => {
		const m2r = hover(acme, '.migrate_to_ram\t=', 2);
		assert.ok(m2r);
		assert.match(m2r.markdown, /`struct dev_pagemap_ops` dev_pagemap_ops member \*\*migrate_to_ram\*\*/);
		assert.match(m2r.markdown, /fault-page-missing/);
		const free = hoverAt(acme.lines, posOf(acme.text, '.page_free', 2), opts(undefined, '7.0'));
		assert.ok(free);
		assert.match(free.markdown, /Not in Linux 7\.0.*there it is `folio_free`/);
	});

	it('shows a struct type after the struct keyword', () => {
		const h = hover(example, 'struct migrate_vma args', 9);
		assert.ok(h);
		assert.match(h.markdown, /\*\*struct migrate_vma\*\* — type/);
	});

	it('decodes a flags expression and a flags number for the target kernel', () => {
		const text = '+\targs.flags = MIGRATE_VMA_SELECT_SYSTEM | MIGRATE_VMA_SELECT_DEVICE_PRIVATE;\n+\tmig.flags = 0x4;\n';
		const lines = linesOf(text);
		const expr = hoverAt(lines, { line: 0, character: 20 }, opts(undefined, '6.8'));
		assert.ok(expr);
		assert.match(expr.markdown, /= `MIGRATE_VMA_SELECT_SYSTEM \| MIGRATE_VMA_SELECT_DEVICE_PRIVATE` \(0x3\)/);
		const coherent = hoverAt(lines, { line: 1, character: 15 }, opts(undefined, '6.1'));
		assert.ok(coherent);
		assert.match(coherent.markdown, /MIGRATE_VMA_SELECT_DEVICE_COHERENT/);
		const before = hoverAt(lines, { line: 1, character: 15 }, opts(undefined, '5.10'));
		assert.ok(before);
		assert.match(before.markdown, /bit 2 .* is not a selection flag in 5\.10/);
		const noFlags = hoverAt(lines, { line: 1, character: 15 }, opts(undefined, '5.8'));
		assert.ok(noFlags);
		assert.match(noFlags.markdown, /5\.8 has no `flags` field/);
	});

	it('decodes migrate-pfn entries in src/dst context, by kernel', () => {
		const text = 'dst[3] = 0x1234f after setup\nsrc[0] is 0x2 here\n';
		const lines = linesOf(text);
		const old = hoverAt(lines, { line: 0, character: 11 }, opts(undefined, '5.10'));
		assert.ok(old);
		assert.match(old.markdown, /pfn: `0x48d`/);
		assert.match(old.markdown, /MIGRATE_PFN_VALID \| MIGRATE_PFN_MIGRATE \| MIGRATE_PFN_LOCKED \| MIGRATE_PFN_WRITE/);
		const now = hoverAt(lines, { line: 0, character: 11 }, opts(undefined, '6.8'));
		assert.ok(now);
		assert.match(now.markdown, /bit 2 \(0x4\) has no meaning in 6\.8 \(`MIGRATE_PFN_LOCKED`: 4\.14–5\.15\)/);
		const hole = hoverAt(lines, { line: 1, character: 11 }, opts(undefined, '6.8'));
		assert.ok(hole);
		assert.match(hole.markdown, /empty slot/);
	});

	it('says nothing about ordinary words, numbers without context and hunk headers', () => {
		assert.equal(hover(example, 'the backing pages', 1), undefined);
		assert.equal(hover(example, '@@ -212,6', 5), undefined);
		assert.equal(hover(example, 'kfree(dma)', 1), undefined);
		assert.equal(hoverAt(linesOf('value 12345 in prose\n'), { line: 0, character: 8 }, opts(undefined)), undefined);
	});

	it('works in a quoted reply, judged by the reply message\'s kernel', async () => {
		const q = await analyse(quoted(EXAMPLE(), 2));
		const h = hover(q, 'migrate_vma_setup(&args)');
		assert.ok(h);
		assert.match(h.markdown, /int migrate_vma_setup/);
	});

	it('finds the struct a brace initialiser opens, on its line or the line above', () => {
		const field = (text: string, line: number): string | undefined => {
			const l = text.split('\n')[line]!;
			return hoverAt(linesOf(text), { line, character: l.indexOf('start') + 1 }, opts(undefined, '6.8'))?.markdown.split('\n')[0];
		};
		assert.equal(field('static struct migrate_vma args = {\n\t.start = x,\n', 1), '`struct migrate_vma` field **start**');
		assert.equal(field('struct hmm_range range = {\n\t.start = x,\n', 1), '`struct hmm_range` field **start**');
		assert.equal(field('struct hmm_range *r = &(struct hmm_range) {\n\t.start = x,\n', 1), '`struct hmm_range` field **start**');
		assert.equal(field('struct hmm_range range =\n{\n\t.start = x,\n', 2), '`struct hmm_range` field **start**');
		assert.equal(field('struct hmm_range\trange\n\t= {\n\t.start = x,\n', 2), '`struct hmm_range` field **start**');
		// Long runs of blanks or of one word before the brace, on the line or above it, are read at once.
		assert.equal(field(`struct hmm_range range${' '.repeat(19_000)}x = {\n\t.start = x,\n`, 1), undefined);
		assert.equal(field(`struct hmm_range ${'r'.repeat(19_000)} x = {\n\t.start = x,\n`, 1), undefined);
		assert.equal(field(`struct hmm_range r${' '.repeat(100_000)}x\n{\n\t.start = x,\n`, 2), undefined);
	});

	it('decodes a parenthesised flags run, and one with a long run of parens', () => {
		const flags = (tail: string): string | undefined => {
			const line = `+\targs.flags = (MIGRATE_VMA_SELECT_SYSTEM | MIGRATE_VMA_SELECT_DEVICE_PRIVATE${tail};`;
			return hoverAt(linesOf(`${line}\n`), { line: 0, character: line.indexOf('SYSTEM') }, opts(undefined, '6.8'))?.markdown;
		};
		assert.match(flags(')')!, /= `MIGRATE_VMA_SELECT_SYSTEM \| MIGRATE_VMA_SELECT_DEVICE_PRIVATE` \(0x3\)/);
		assert.ok(flags(`${') '.repeat(9_000)}0`));
	});

	it('survives hostile lines', () => {
		const long = `x${'A'.repeat(100000)} migrate_vma_setup`;
		const nul = 'migrate_vma_setup\0(&args)';
		const lines = linesOf(`${long}\n${nul}\n`);
		assert.equal(hoverAt(lines, { line: 0, character: 100005 }, opts(undefined)), undefined);
		assert.equal(hoverAt(lines, { line: 1, character: 3 }, opts(undefined)), undefined);
		assert.equal(hoverAt(lines, { line: 99, character: 3 }, opts(undefined)), undefined);
		assert.equal(hoverAt(lines, { line: -1, character: -3 }, opts(undefined)), undefined);
	});
});
