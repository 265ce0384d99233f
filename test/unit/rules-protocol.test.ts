/*
 * The protocol rules (setup → fill dst → pages → finalize): each rule on its own positive and
 * negative fixture, in plain, quoted and flattened form; "this hunk fixes …" on fix patches;
 * version-dependent wording; and precision on the labelled real mails of the corpus.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../server/src/core/findings';
import type { Rule } from '../../server/src/core/rules/types';
import { findingsOf, flattenMail, lineAt, quoteMail, readFixture } from '../ruleHarness';
import { corpusFiles, corpusRoot, haveCorpus, readCorpus } from '../corpus';
import { rule as setupResultUnchecked } from '../../server/src/core/rules/setup-result-unchecked';
import { rule as finalizeMissing } from '../../server/src/core/rules/finalize-missing';
import { rule as pagesMissing } from '../../server/src/core/rules/pages-missing';
import { rule as dstWithoutMigrateCheck } from '../../server/src/core/rules/dst-without-migrate-check';
import { rule as migrateFlagUnchecked } from '../../server/src/core/rules/migrate-flag-unchecked';
import { rule as srcModified } from '../../server/src/core/rules/src-modified';
import { rule as chunkEndFromInvariant } from '../../server/src/core/rules/chunk-end-from-invariant';
import { rule as pfnArraySize, evalConst } from '../../server/src/core/rules/pfn-array-size';
import { rule as pfnArrayAllocUnchecked } from '../../server/src/core/rules/pfn-array-alloc-unchecked';
import { rule as cpagesAsSuccess } from '../../server/src/core/rules/cpages-as-success';

const RULES: Rule[] = [
	setupResultUnchecked, finalizeMissing, pagesMissing, dstWithoutMigrateCheck, migrateFlagUnchecked,
	srcModified, chunkEndFromInvariant, pfnArraySize, pfnArrayAllocUnchecked, cpagesAsSuccess,
];
const IDS = RULES.map((r) => r.id);

interface Expected {
	/** Text the finding's range starts with (in the document as written). */
	at: string;
	severity: Finding['severity'];
}

/** What each rule must report on its positive fixture, in document order. */
const POSITIVE: Record<string, Expected[]> = {
	'setup-result-unchecked': [
		{ at: 'migrate_vma_setup(&args);', severity: 'warning' },
		{ at: 'migrate_vma_setup(&args);', severity: 'warning' },
	],
	'finalize-missing': [
		{ at: 'return -ENOMEM;', severity: 'error' },
		{ at: 'migrate_vma_setup(&args))', severity: 'error' },
	],
	'pages-missing': [
		{ at: 'migrate_vma_finalize(&args);', severity: 'error' },
	],
	'dst-without-migrate-check': [
		{ at: 'args->dst[i] = migrate_pfn(page_to_pfn(dpage));', severity: 'warning' },
		{ at: 'args->dst[i] = migrate_pfn(page_to_pfn(dpage));', severity: 'warning' },
	],
	'migrate-flag-unchecked': [
		{ at: 'gpux_vm_map_range(vm, args->start, ptes, npages);', severity: 'error' },
		{ at: 'gpux_vm_set_pte(vm, i, page_to_pfn(dpage));', severity: 'error' },
	],
	'src-modified': [
		{ at: 'args.src[i] = 0;', severity: 'error' },
		{ at: 'args.src[i] &= ~MIGRATE_PFN_MIGRATE;', severity: 'warning' },
	],
	'chunk-end-from-invariant': [
		{ at: 'args.end = start + (max << PAGE_SHIFT);', severity: 'error' },
	],
	'pfn-array-size': [
		{ at: 'sizeof(args.src)', severity: 'warning' },
		{ at: 'args.dst = kcalloc(npages, sizeof(u32), GFP_KERNEL);', severity: 'error' },
		{ at: 'unsigned long src[2], dst[2];', severity: 'error' },
		{ at: 'unsigned long src[2], dst[2];', severity: 'error' },
		{ at: 'unsigned long src[GPUX_PREFETCH_PAGES], dst[GPUX_PREFETCH_PAGES];', severity: 'warning' },
		{ at: 'unsigned long src[GPUX_PREFETCH_PAGES], dst[GPUX_PREFETCH_PAGES];', severity: 'warning' },
	],
	'pfn-array-alloc-unchecked': [
		{ at: 'args.src = kvcalloc(npages, sizeof(*args.src), GFP_KERNEL);', severity: 'warning' },
		{ at: 'args.dst = kvcalloc(npages, sizeof(*args.dst), GFP_KERNEL);', severity: 'warning' },
		{ at: 'src = kvcalloc(npages, sizeof(*src), GFP_KERNEL);', severity: 'error' },
	],
	'cpages-as-success': [
		{ at: 'args.cpages;', severity: 'warning' },
		{ at: 'args->cpages;', severity: 'warning' },
	],
};

/** "This hunk fixes …" fixtures: the `+` line each info must sit on. */
const FIXES: Record<string, Expected[]> = {
	'migrate-flag-unchecked': [{ at: 'gpux_vm_map_range(vm, args->start, ptes, npages);', severity: 'info' }],
	'chunk-end-from-invariant': [{ at: 'args.end = args.start + (max << PAGE_SHIFT);', severity: 'info' }],
};

const ruleOf = (id: string): Rule => RULES.find((r) => r.id === id)!;

/** The document text from the finding's start. */
function textAt(doc: string, f: Finding): string {
	return lineAt(doc, f.range.start.line).slice(f.range.start.character);
}

function assertFindings(doc: string, found: Finding[], expected: Expected[], id: string, form: string): void {
	const sorted = found.slice().sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
	assert.equal(sorted.length, expected.length, `${id} (${form}): expected ${expected.length} findings, got ${sorted.length}:\n${sorted.map((f) => `${f.range.start.line + 1}: ${textAt(doc, f).slice(0, 80)}`).join('\n')}`);
	sorted.forEach((f, i) => {
		const e = expected[i]!;
		assert.equal(f.rule, id);
		assert.ok(textAt(doc, f).startsWith(e.at), `${id} (${form}) finding ${i} starts at "${textAt(doc, f).slice(0, 80)}", expected "${e.at}"`);
		assert.equal(f.severity, e.severity, `${id} (${form}) finding ${i} severity`);
		assert.match(f.message, /\(kernel \d+\.\d+\)/, 'every message names the kernel it assumed');
	});
}

for (const id of IDS) {
	describe(`rule ${id}`, () => {
		const rule = ruleOf(id);
		const positive = readFixture('rules', id, 'positive.patch');
		const negative = readFixture('rules', id, 'negative.patch');

		it('has the catalogue metadata', () => {
			assert.equal(rule.group, 'protocol');
			assert.ok(rule.title.length > 10);
			assert.ok(fs.existsSync(path.join(__dirname, '..', '..', 'docs', 'rules', `${id}.md`)), `docs/rules/${id}.md exists`);
		});

		it('flags the positive fixture on the defective lines', async () => {
			const found = await findingsOf(positive, [id], { rules: [rule], kernel: '6.1' });
			assertFindings(positive, found, POSITIVE[id]!, id, 'plain');
			for (const f of found) {
				assert.equal(f.quoteDepth, 0);
				assert.equal(f.kernel, '6.1');
				assert.match(f.message, /\(kernel 6\.1\)/);
				assert.equal(f.kernelFile, 'drivers/gpu/drm/gpux/gpux_migrate.c');
				assert.ok(typeof f.kernelLine === 'number' && f.kernelLine > 0);
			}
		});

		it('flags the same lines when the patch is quoted in a reply', async () => {
			const quoted = quoteMail(positive);
			const found = await findingsOf(quoted, [id], { rules: [rule], kernel: '6.1' });
			assertFindings(quoted, found, POSITIVE[id]!, id, 'quoted');
			for (const f of found) {
				assert.equal(f.quoteDepth, 1);
			}
		});

		// A flattened archive keeps line breaks only as quote markers, so the shape that survives
		// flattening is the quoted reply (a plain patch flattened at depth 0 cannot be cut into lines).
		it('flags the same code when the quoted mail was flattened onto one line', async () => {
			const flat = flattenMail(quoteMail(positive));
			const found = await findingsOf(flat, [id], { rules: [rule], kernel: '6.1' });
			assert.equal(found.length, POSITIVE[id]!.length);
			const sorted = found.slice().sort((a, b) => a.range.start.character - b.range.start.character);
			sorted.forEach((f, i) => {
				assert.equal(f.range.start.line, 0);
				assert.equal(f.quoteDepth, 1);
				assert.equal(f.severity, POSITIVE[id]![i]!.severity);
				assert.ok(textAt(flat, f).startsWith(POSITIVE[id]![i]!.at), `flattened finding ${i} at "${textAt(flat, f).slice(0, 60)}"`);
			});
		});

		it('says nothing about the negative fixture (plain and quoted)', async () => {
			assert.deepEqual((await findingsOf(negative, [id], { rules: [rule], kernel: '6.1' })).map((f) => textAt(negative, f)), []);
			const quoted = quoteMail(negative);
			assert.deepEqual((await findingsOf(quoted, [id], { rules: [rule], kernel: '6.1' })).map((f) => textAt(quoted, f)), []);
		});

		it('no other protocol rule fires on the negative fixture', async () => {
			const found = await findingsOf(negative, IDS, { rules: RULES, kernel: '6.1' });
			assert.deepEqual(found.filter((f) => f.severity !== 'info').map((f) => `${f.rule}: ${textAt(negative, f)}`), []);
		});

		if (FIXES[id]) {
			it('reports an info "this hunk fixes" on the fix patch, and nothing worse', async () => {
				const fix = readFixture('rules', id, 'fix.patch');
				const found = await findingsOf(fix, [id], { rules: [rule], kernel: '6.1' });
				assertFindings(fix, found, FIXES[id]!, id, 'fix');
				assert.match(found[0]!.message, /fixes/);
			});
		}
	});
}

describe('protocol rules: removed code is never blamed', () => {
	it('a patch that deletes the defective function yields no warning', async () => {
		// turn the chunk-end positive fixture into a deletion of the same file
		const positive = readFixture('rules', 'chunk-end-from-invariant', 'positive.patch');
		const deleted = positive
			.replace('new file mode 100644', 'deleted file mode 100644')
			.replace('--- /dev/null\n+++ b/drivers/gpu/drm/gpux/gpux_migrate.c', '--- a/drivers/gpu/drm/gpux/gpux_migrate.c\n+++ /dev/null')
			.replace(/^@@ -0,0 \+1,(\d+) @@/m, '@@ -1,$1 +0,0 @@')
			.split('\n').map((l) => (l.startsWith('+') && !l.startsWith('+++') ? '-' + l.slice(1) : l)).join('\n');
		const found = await findingsOf(deleted, IDS, { rules: RULES, kernel: '6.1' });
		assert.deepEqual(found.map((f) => `${f.rule} ${f.severity}`), []);
	});
});

describe('protocol rules: kernel version in the wording', () => {
	const positive = readFixture('rules', 'setup-result-unchecked', 'positive.patch');

	it('names fault_page among the setup failures only where the kernel has it', async () => {
		const old = await findingsOf(positive, ['setup-result-unchecked'], { rules: [setupResultUnchecked], kernel: '5.8' });
		assert.equal(old.length, 2);
		for (const f of old) {
			assert.doesNotMatch(f.message, /fault_page/);
			assert.match(f.message, /\(kernel 5\.8\)/);
		}
		const mid = await findingsOf(positive, ['setup-result-unchecked'], { rules: [setupResultUnchecked], kernel: '6.1' });
		assert.match(mid[0]!.message, /fault_page that is not device-private/);
		const late = await findingsOf(positive, ['setup-result-unchecked'], { rules: [setupResultUnchecked], kernel: '6.15' });
		assert.match(late[0]!.message, /not a locked device-private page/);
	});

	it('names migrate_device_finalize() for a migrate_device_range() path', async () => {
		const negative = readFixture('rules', 'pages-missing', 'negative.patch');
		const mail = negative.replace('+\tmigrate_device_finalize(src, dst, npages);\n', '');
		assert.notEqual(mail, negative);
		const found = await findingsOf(mail.replace(/@@ -0,0 \+1,(\d+) @@/, (_m, n: string) => `@@ -0,0 +1,${Number(n) - 1} @@`), ['finalize-missing'], { rules: [finalizeMissing], kernel: '6.1' });
		assert.equal(found.length, 1);
		assert.match(found[0]!.message, /migrate_device_range\(\) without calling migrate_device_finalize\(\)/);
	});
});

describe('pfn-array-size: constant evaluation', () => {
	it('evaluates sizes through #defines and known constants', () => {
		assert.equal(evalConst('GPUX_PAGES * PAGE_SIZE', { GPUX_PAGES: '(1 << 3)' }), 8 * 4096);
		assert.equal(evalConst('HPAGE_PMD_NR', {}), 512);
		assert.equal(evalConst('64UL', {}), 64);
		assert.equal(evalConst('N - 1', { N: '0x10' }), 15);
		assert.equal(evalConst('unknown_value', {}), undefined);
		assert.equal(evalConst('a ? 1 : 2', {}), undefined);
	});
});

// ---- the real mails ------------------------------------------------------------------------

/** Ground-truth labels from the corpus README table. */
function corpusLabels(): Map<string, string> {
	const out = new Map<string, string>();
	const readme = fs.readFileSync(path.join(corpusRoot, 'README.md'), 'utf8');
	for (const line of readme.split('\n')) {
		const m = /^\|\s*(\d{3}-[^|]+?\.eml)\s*\|.*\|\s*\*\*([a-z-]+)\*\*[^|]*\|\s*$/.exec(line);
		if (m) {
			out.set(m[1]!, m[2]!);
		}
	}
	return out;
}

interface CorpusExpect {
	rule: string;
	severity: Finding['severity'];
	/** Decoded code the finding's line carries (plain and quoted-printable mails), or the patched file. */
	code?: RegExp;
	kernelFile?: string;
	quoteDepth?: number;
}

/** Every finding of these rules on the corpus, mail by mail (mails not listed: none). */
const CORPUS: Record<string, CorpusExpect[]> = {
	// the chunk-end defect fixed by 043 (002's reply 003 quotes it in full)
	'002-mm-turn-migrate-vma-upside-down-1of9-v1.eml': [
		{ rule: 'chunk-end-from-invariant', severity: 'error', kernelFile: 'drivers/gpu/drm/nouveau/nouveau_dmem.c' },
	],
	'003-re-1of9-ralph-cpages-npages-not-reset.eml': [
		{ rule: 'chunk-end-from-invariant', severity: 'error', kernelFile: 'drivers/gpu/drm/nouveau/nouveau_dmem.c', quoteDepth: 1 },
	],
	// sizeof(args.src) / sizeof(args.dst), fixed by 007
	'006-nouveau-simplify-dmem-migrate-vma-v3-b64.eml': [
		{ rule: 'pfn-array-size', severity: 'warning', kernelFile: 'drivers/gpu/drm/nouveau/nouveau_dmem.c' },
		{ rule: 'pfn-array-size', severity: 'warning', kernelFile: 'drivers/gpu/drm/nouveau/nouveau_dmem.c' },
	],
	'007-autosel-nouveau-fix-sizeof-args-src-dst.eml': [
		{ rule: 'pfn-array-size', severity: 'info', code: /sizeof\(\*args\.src\)/ },
		{ rule: 'pfn-array-size', severity: 'info', code: /sizeof\(\*args\.dst\)/ },
	],
	// nouveau_pfns_map() without the MIGRATE test (fixed by 034) and the chunk end (fixed by 043)
	'024-nouveau-hmm-map-pages-after-migration-qp.eml': [
		{ rule: 'migrate-flag-unchecked', severity: 'error', code: /nouveau_pfns_map\(svmm, args->vma->vm_mm, args->start, pfns, i\)/ },
		{ rule: 'chunk-end-from-invariant', severity: 'error', code: /args\.end =(3D)? start \+ \(max << PAGE_SHIFT\)/ },
	],
	'034-nouveau-svm-only-map-migrating-pages.eml': [
		{ rule: 'migrate-flag-unchecked', severity: 'info', code: /nouveau_pfns_map/ },
	],
	'035-amdkfd-skip-migration-pages-in-vram.eml': [
		{ rule: 'dst-without-migrate-check', severity: 'info', code: /spage = migrate_pfn_to_page\(migrate->src\[i\]\)/ },
	],
	'036-amdkfd-skip-vram-felix-reply-b64.eml': [
		{ rule: 'dst-without-migrate-check', severity: 'info', kernelFile: 'drivers/gpu/drm/amd/amdkfd/kfd_migrate.c', quoteDepth: 1 },
	],
	'043-nouveau-svm-fix-migrate-all-requested-pages.eml': [
		{ rule: 'chunk-end-from-invariant', severity: 'info', code: /args\.end = args\.start \+ \(max << PAGE_SHIFT\)/ },
	],
	'044-re-fix-migrate-all-lyude-rb.eml': [
		{ rule: 'chunk-end-from-invariant', severity: 'info', code: /args\.end = args\.start \+ \(max << PAGE_SHIFT\)/, quoteDepth: 1 },
	],
};

describe('protocol rules on the labelled corpus', { skip: haveCorpus ? false : `no corpus at ${corpusRoot}` }, () => {
	const labels = haveCorpus ? corpusLabels() : new Map<string, string>();
	const mails = corpusFiles('mail').map((p) => path.basename(p)).filter((n) => n.endsWith('.eml'));

	it('reads the labels of every mail', () => {
		assert.ok(mails.length >= 30);
		for (const m of mails) {
			assert.ok(labels.has(m), `label of ${m}`);
		}
	});

	for (const name of mails) {
		it(`${name}`, async () => {
			const text = readCorpus('mail', name);
			const found = (await findingsOf(text, IDS, { rules: RULES })).sort((a, b) => a.range.start.line - b.range.start.line);
			const label = labels.get(name);
			if (label === 'clean' || label === 'fix' || label === 'reply') {
				assert.deepEqual(found.filter((f) => f.severity !== 'info').map((f) => `${f.rule} ${f.severity} line ${f.range.start.line + 1}`), [], `${label} mail must get no warning or error`);
			}
			if (label === 'unlabelled') {
				return; // not scored
			}
			const want = CORPUS[name] ?? [];
			assert.equal(found.length, want.length, `findings on ${name}:\n${found.map((f) => `${f.rule} ${f.severity} ${f.range.start.line + 1}: ${lineAt(text, f.range.start.line).trim().slice(0, 80)}`).join('\n')}`);
			found.forEach((f, i) => {
				const w = want[i]!;
				assert.equal(f.rule, w.rule);
				assert.equal(f.severity, w.severity);
				if (w.code) {
					assert.match(lineAt(text, f.range.start.line), w.code);
				}
				if (w.kernelFile) {
					assert.equal(f.kernelFile, w.kernelFile);
				}
				assert.equal(f.quoteDepth, w.quoteDepth ?? 0);
			});
		});
	}
});
