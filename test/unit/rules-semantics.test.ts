/*
 * The selection, fault-path, notifier, pinning and version rules: each rule on its positive and
 * negative fixtures (plain, quoted, quoted-then-flattened), "this hunk fixes …" on fix patches,
 * kernel-version awareness, the series/date judgement of api-not-in-kernel, and precision on the
 * labelled real mails of the corpus.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../server/src/core/findings';
import type { Rule } from '../../server/src/core/rules/types';
import { findingsOf, flattenMail, lineAt, quoteMail, readFixture } from '../ruleHarness';
import { corpusFiles, corpusRoot, haveCorpus, readCorpus } from '../corpus';
import { rule as missingSelectFlags } from '../../server/src/core/rules/missing-select-flags';
import { rule as missingPgmapOwner } from '../../server/src/core/rules/missing-pgmap-owner';
import { rule as ownerMismatch, sameOwner } from '../../server/src/core/rules/owner-mismatch';
import { rule as devicePrivateSourceAsSystem } from '../../server/src/core/rules/device-private-source-as-system';
import { rule as hmmRangeOwnerMissing } from '../../server/src/core/rules/hmm-range-owner-missing';
import { rule as faultPageMissing } from '../../server/src/core/rules/fault-page-missing';
import { rule as faultPageRelocked } from '../../server/src/core/rules/fault-page-relocked';
import { rule as migrateToRamSigbus } from '../../server/src/core/rules/migrate-to-ram-sigbus';
import { rule as migrateToRamDstNotZeroed } from '../../server/src/core/rules/migrate-to-ram-dst-not-zeroed';
import { EARLY_EXIT, rule as notifierSelfInvalidation } from '../../server/src/core/rules/notifier-self-invalidation';
import { ENUM_MEMBER, rule as longtermPinCoherent } from '../../server/src/core/rules/longterm-pin-coherent';
import { rule as pinBlocksMigration } from '../../server/src/core/rules/pin-blocks-migration';
import { definesName, rule as apiNotInKernel } from '../../server/src/core/rules/api-not-in-kernel';

const RULES: Rule[] = [
	missingSelectFlags, missingPgmapOwner, ownerMismatch, devicePrivateSourceAsSystem, hmmRangeOwnerMissing,
	faultPageMissing, faultPageRelocked, migrateToRamSigbus, migrateToRamDstNotZeroed,
	notifierSelfInvalidation, longtermPinCoherent, pinBlocksMigration, apiNotInKernel,
];
const IDS = RULES.map((r) => r.id);
const GROUPS: Record<string, Rule['group']> = {
	'missing-select-flags': 'selection', 'missing-pgmap-owner': 'selection', 'owner-mismatch': 'selection',
	'device-private-source-as-system': 'selection', 'hmm-range-owner-missing': 'selection',
	'fault-page-missing': 'fault', 'fault-page-relocked': 'fault', 'migrate-to-ram-sigbus': 'fault',
	'migrate-to-ram-dst-not-zeroed': 'fault', 'notifier-self-invalidation': 'notifier',
	'longterm-pin-coherent': 'pinning', 'pin-blocks-migration': 'pinning', 'api-not-in-kernel': 'versions',
};

interface Expected {
	/** Text the finding's range starts with (in the document as written). */
	at: string;
	severity: Finding['severity'];
}

interface Case {
	fixture: string;
	kernel: string;
	expected: Expected[];
}

/** What each rule must report on its positive fixture (document order), and on which kernel. */
const POSITIVE: Record<string, Case> = {
	'missing-select-flags': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'struct migrate_vma args = {', severity: 'error' },
	] },
	'missing-pgmap-owner': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'struct migrate_vma args = {', severity: 'error' },
		{ at: 'struct migrate_vma args = {', severity: 'info' },
	] },
	'owner-mismatch': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'gdev->drm,', severity: 'error' },
		{ at: 'range->owner == gdev->ddev', severity: 'warning' },
	] },
	'device-private-source-as-system': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'dma_map_page(gdev->dev, spage, 0, PAGE_SIZE, DMA_TO_DEVICE);', severity: 'error' },
	] },
	'hmm-range-owner-missing': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'struct hmm_range range = {', severity: 'warning' },
	] },
	'fault-page-missing': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'struct migrate_vma args = {', severity: 'error' },
	] },
	'fault-page-relocked': { fixture: 'positive.patch', kernel: '6.15', expected: [
		{ at: 'lock_page(vmf->page);', severity: 'error' },
	] },
	'migrate-to-ram-sigbus': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'return VM_FAULT_SIGBUS;', severity: 'warning' },
		{ at: 'ret = VM_FAULT_SIGBUS;', severity: 'info' },
	] },
	'migrate-to-ram-dst-not-zeroed': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'alloc_page_vma(GFP_HIGHUSER, vmf->vma, vmf->address);', severity: 'warning' },
	] },
	'notifier-self-invalidation': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'static bool gpux_svm_invalidate(', severity: 'warning' },
	] },
	'longterm-pin-coherent': { fixture: 'positive.patch', kernel: '5.19', expected: [
		{ at: 'MEMORY_DEVICE_COHERENT,', severity: 'warning' },
	] },
	'pin-blocks-migration': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'pin_user_pages(start, npages, FOLL_WRITE | FOLL_LONGTERM, pages);', severity: 'warning' },
	] },
	'api-not-in-kernel': { fixture: 'positive.patch', kernel: '6.1', expected: [
		{ at: 'src_owner', severity: 'warning' },
		{ at: 'MIGRATE_PFN_LOCKED;', severity: 'warning' },
	] },
};

/** Kernel for the negative fixture of each rule. */
const NEGATIVE_KERNEL: Record<string, string> = { 'fault-page-relocked': '6.15', 'longterm-pin-coherent': '6.1' };

/** More fixtures: the same rule in other shapes. */
const MORE: Record<string, Case[]> = {
	'missing-select-flags': [
		{ fixture: 'zero.patch', kernel: '6.1', expected: [{ at: '0,', severity: 'error' }] },
		{ fixture: 'positive.patch', kernel: '5.8', expected: [] },
	],
	'missing-pgmap-owner': [
		{ fixture: 'src-owner.patch', kernel: '5.8', expected: [{ at: 'struct migrate_vma args = {', severity: 'error' }] },
		{ fixture: 'src-owner.patch', kernel: '5.6', expected: [] },
		{ fixture: 'positive.patch', kernel: '5.8', expected: [] },
	],
	'owner-mismatch': [
		{ fixture: 'positive.patch', kernel: '5.6', expected: [] },
	],
	'device-private-source-as-system': [
		{ fixture: 'old-kernel.patch', kernel: '5.5', expected: [{ at: 'dma_map_page(gdev->dev, spage', severity: 'error' }] },
		{ fixture: 'old-kernel.patch', kernel: '5.8', expected: [] },
		{ fixture: 'fix.patch', kernel: '6.1', expected: [{ at: 'is_device_private_page(spage)', severity: 'info' }] },
	],
	'hmm-range-owner-missing': [
		{ fixture: 'positive.patch', kernel: '5.6', expected: [] },
		{ fixture: 'fix.patch', kernel: '6.1', expected: [{ at: 'svm->gdev,', severity: 'info' }] },
	],
	'fault-page-missing': [
		{ fixture: 'positive.patch', kernel: '6.0', expected: [] },
		{ fixture: 'fix.patch', kernel: '6.1', expected: [{ at: 'vmf->page,', severity: 'info' }] },
	],
	'fault-page-relocked': [
		{ fixture: 'positive.patch', kernel: '6.14', expected: [] },
	],
	'migrate-to-ram-sigbus': [
		{ fixture: 'fix.patch', kernel: '6.1', expected: [{ at: 'return 0;', severity: 'info' }] },
	],
	'migrate-to-ram-dst-not-zeroed': [
		{ fixture: 'fix.patch', kernel: '6.1', expected: [{ at: 'alloc_page_vma(GFP_HIGHUSER | __GFP_ZERO', severity: 'info' }] },
	],
	'notifier-self-invalidation': [
		{ fixture: 'skip-all.patch', kernel: '6.1', expected: [{ at: 'range->event == MMU_NOTIFY_MIGRATE)', severity: 'error' }] },
		{ fixture: 'old-field.patch', kernel: '6.1', expected: [{ at: 'range->migrate_pgmap_owner == svm->gdev', severity: 'error' }] },
		{ fixture: 'old-field.patch', kernel: '5.10', expected: [] },
		{ fixture: 'negative.patch', kernel: '5.10', expected: [{ at: 'range->owner == svm->gdev', severity: 'error' }] },
		{ fixture: 'positive.patch', kernel: '5.8', expected: [] },
	],
	'longterm-pin-coherent': [
		{ fixture: 'positive-driver.patch', kernel: '6.1', expected: [{ at: 'pin_user_pages_fast(up->start', severity: 'warning' }] },
		{ fixture: 'positive-driver.patch', kernel: '5.19', expected: [] },
		{ fixture: 'negative-driver.patch', kernel: '6.1', expected: [] },
	],
	'api-not-in-kernel': [
		{ fixture: 'positive.patch', kernel: '5.10', expected: [{ at: 'src_owner', severity: 'warning' }] },
		{ fixture: 'positive.patch', kernel: '5.8', expected: [] },
		{ fixture: 'negative.patch', kernel: '5.10', expected: [{ at: 'fault_page', severity: 'warning' }] },
		// the series adds src_owner itself: judged against the series, whatever the kernel
		{ fixture: 'defines.patch', kernel: '5.6', expected: [] },
		{ fixture: 'defines.patch', kernel: '6.1', expected: [] },
		// all three parts present and none adds the compound names: they are judged against the kernel
		{ fixture: 'series-part.patch', kernel: '6.15', expected: [
			{ at: 'MIGRATE_VMA_SELECT_COMPOUND', severity: 'warning' },
			{ at: 'MIGRATE_PFN_COMPOUND', severity: 'warning' },
			{ at: 'MIGRATE_PFN_LOCKED', severity: 'warning' },
			{ at: 'MIGRATE_PFN_COMPOUND', severity: 'warning' },
		] },
	],
};

const ruleOf = (id: string): Rule => RULES.find((r) => r.id === id)!;

/** The document text from the finding's start. */
function textAt(doc: string, f: Finding): string {
	return lineAt(doc, f.range.start.line).slice(f.range.start.character);
}

function sortFindings(found: Finding[]): Finding[] {
	return found.slice().sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

function assertFindings(doc: string, found: Finding[], expected: Expected[], id: string, form: string): void {
	const sorted = sortFindings(found);
	assert.equal(sorted.length, expected.length, `${id} (${form}): expected ${expected.length} findings, got ${sorted.length}:\n${sorted.map((f) => `${f.range.start.line + 1}: ${textAt(doc, f).slice(0, 80)} — ${f.message.slice(0, 80)}`).join('\n')}`);
	sorted.forEach((f, i) => {
		const e = expected[i]!;
		assert.equal(f.rule, id);
		assert.ok(textAt(doc, f).startsWith(e.at), `${id} (${form}) finding ${i} starts at "${textAt(doc, f).slice(0, 80)}", expected "${e.at}"`);
		assert.equal(f.severity, e.severity, `${id} (${form}) finding ${i} severity`);
		assert.match(f.message, /\(kernel \d+\.\d+\)|kernel \d+\.\d+/, 'every message names the kernel it assumed');
	});
}

for (const id of IDS) {
	describe(`rule ${id}`, () => {
		const rule = ruleOf(id);
		const pos = POSITIVE[id]!;
		const positive = readFixture('rules', id, pos.fixture);
		const negative = readFixture('rules', id, 'negative.patch');

		it('has the catalogue metadata and a documentation page', () => {
			assert.equal(rule.group, GROUPS[id]);
			assert.ok(rule.title.length > 10);
			const doc = path.join(__dirname, '..', '..', 'docs', 'rules', `${id}.md`);
			assert.ok(fs.existsSync(doc), `docs/rules/${id}.md exists`);
			assert.match(fs.readFileSync(doc, 'utf8'), new RegExp(`^# ${id}\\b`, 'm'));
		});

		it('flags the positive fixture on the defective lines', async () => {
			const found = await findingsOf(positive, [id], { rules: [rule], kernel: pos.kernel });
			assertFindings(positive, found, pos.expected, id, 'plain');
			for (const f of found) {
				assert.equal(f.quoteDepth, 0);
				assert.equal(f.kernel, pos.kernel);
				assert.ok(f.message.includes(`kernel ${pos.kernel}`), `message names kernel ${pos.kernel}: ${f.message}`);
				assert.ok(f.kernelFile && /^(drivers\/gpu\/drm\/gpux\/|include\/linux\/)/.test(f.kernelFile), `kernelFile ${f.kernelFile}`);
				assert.ok(typeof f.kernelLine === 'number' && f.kernelLine > 0);
			}
		});

		it('flags the same lines when the patch is quoted in a reply', async () => {
			const quoted = quoteMail(positive);
			const found = await findingsOf(quoted, [id], { rules: [rule], kernel: pos.kernel });
			assertFindings(quoted, found, pos.expected, id, 'quoted');
			for (const f of found) {
				assert.equal(f.quoteDepth, 1);
			}
		});

		// A flattened archive keeps line breaks only as quote markers: the quoted reply is the shape
		// that survives flattening.
		it('flags the same code when the quoted mail was flattened onto one line', async () => {
			const flat = flattenMail(quoteMail(positive));
			const found = sortFindings(await findingsOf(flat, [id], { rules: [rule], kernel: pos.kernel }));
			assert.equal(found.length, pos.expected.length, found.map((f) => textAt(flat, f).slice(0, 60)).join('\n'));
			found.forEach((f, i) => {
				assert.equal(f.range.start.line, 0);
				assert.equal(f.quoteDepth, 1);
				assert.equal(f.severity, pos.expected[i]!.severity);
				assert.ok(textAt(flat, f).startsWith(pos.expected[i]!.at), `flattened finding ${i} at "${textAt(flat, f).slice(0, 60)}"`);
			});
		});

		it('says nothing about the negative fixture (plain and quoted)', async () => {
			const k = NEGATIVE_KERNEL[id] ?? pos.kernel;
			assert.deepEqual((await findingsOf(negative, [id], { rules: [rule], kernel: k })).map((f) => textAt(negative, f)), []);
			const quoted = quoteMail(negative);
			assert.deepEqual((await findingsOf(quoted, [id], { rules: [rule], kernel: k })).map((f) => textAt(quoted, f)), []);
		});

		it('no rule of this group warns on the negative fixture', async () => {
			const k = NEGATIVE_KERNEL[id] ?? pos.kernel;
			const found = await findingsOf(negative, IDS, { rules: RULES, kernel: k });
			assert.deepEqual(found.filter((f) => f.severity !== 'info').map((f) => `${f.rule}: ${textAt(negative, f).slice(0, 60)}`), []);
		});

		for (const c of MORE[id] ?? []) {
			it(`${c.fixture} on kernel ${c.kernel}: ${c.expected.length ? c.expected.map((e) => e.severity).join(', ') : 'nothing'}`, async () => {
				const text = readFixture('rules', id, c.fixture);
				const found = await findingsOf(text, [id], { rules: [rule], kernel: c.kernel });
				assertFindings(text, found, c.expected, id, `${c.fixture} @ ${c.kernel}`);
				for (const f of found.filter((x) => x.severity === 'info')) {
					if (c.fixture.startsWith('fix')) {
						assert.match(f.message, /fixes/);
					}
				}
			});
		}
	});
}

// ---- details ----------------------------------------------------------------------------------

describe('owner comparison', () => {
	it('takes member paths that end in the same object as the same owner', () => {
		assert.ok(sameOwner('drm->dev', 'svmm->vmm->cli->drm->dev'));
		assert.ok(sameOwner('mdevice', 'dmirror->mdevice'));
		assert.ok(sameOwner('&kvmppc_uvmem_pgmap', 'kvmppc_uvmem_pgmap'));
		assert.ok(sameOwner('(void *)adev', 'adev'));
		assert.ok(sameOwner('to_drm(drm)', 'to_drm(svmm->vmm->cli->drm)'));
		assert.ok(sameOwner('SVM_ADEV_PGMAP_OWNER(adev)', 'SVM_ADEV_PGMAP_OWNER(adev)'));
	});

	it('tells different owners apart', () => {
		assert.ok(!sameOwner('gdev->drm', 'gdev'));
		assert.ok(!sameOwner('adev', 'SVM_ADEV_PGMAP_OWNER(adev)'));
		assert.ok(!sameOwner('drm', 'drm->dev'));
		assert.ok(!sameOwner('to_drm(a)', 'to_dev(a)'));
	});
});

describe('owner-mismatch reads the owner from another patch of the series', () => {
	it('reports only in the patch that migrates, pointing at the pgmap owner of patch 1', async () => {
		const text = readFixture('rules', 'owner-mismatch', 'positive.patch');
		const found = await findingsOf(text, ['owner-mismatch'], { rules: [ownerMismatch], kernel: '6.1' });
		assert.ok(found.every((f) => f.messageIndex === 1), 'all findings in message 2 of the series');
		const first = sortFindings(found)[0]!;
		assert.ok(first.related && first.related.length > 0);
		assert.match(lineAt(text, first.related[0]!.range.start.line), /pgmap->owner = gdev;/);
		// alone, the second patch has no dev_pagemap owner to compare with
		const second = text.slice(text.indexOf('From 3f2a9cb'));
		assert.notEqual(second, text);
		assert.deepEqual(await findingsOf(second, ['owner-mismatch'], { rules: [ownerMismatch], kernel: '6.1' }), []);
	});
});

describe('api-not-in-kernel details', () => {
	it('names the replacement, and says what else the rename needs', async () => {
		const text = readFixture('rules', 'api-not-in-kernel', 'positive.patch');
		const found = sortFindings(await findingsOf(text, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '6.1' }));
		const owner = found[0]!;
		assert.match(owner.message, /`pgmap_owner`/);
		assert.match(owner.message, /MIGRATE_VMA_SELECT_DEVICE_PRIVATE/);
		// member renames are left to the editor's quick-fix feature; nothing replaces LOCKED
		assert.equal(owner.fixes, undefined);
		assert.equal(found[1]!.fixes, undefined);
		assert.match(found[1]!.message, /5\.16/);
	});

	it('offers a drop-in function rename as its own quick fix, where the text is verbatim', async () => {
		const text = readFixture('rules', 'api-not-in-kernel', 'names.patch');
		const pin = (await findingsOf(text, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '6.1' })).find((f) => f.message.startsWith('`is_pinnable_page`'))!;
		assert.equal(pin.fixes?.length, 1);
		const edit = pin.fixes![0]!.edits[0]!;
		const line = lineAt(text, edit.range.start.line);
		assert.equal(line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character), '+\treturn is_longterm_pinnable_page(page);');
		const quoted = quoteMail(text);
		const q = (await findingsOf(quoted, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '6.1' })).find((f) => f.message.startsWith('`is_pinnable_page`'))!;
		assert.equal(q.fixes?.length, 1, 'a quoted line is still verbatim');
		const flat = flattenMail(quoted);
		const fl = (await findingsOf(flat, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '6.1' })).find((f) => f.message.startsWith('`is_pinnable_page`'))!;
		assert.equal(fl.fixes, undefined, 'no fix on flattened archive text');
	});

	it('reads every name from the version table, per kernel', async () => {
		const text = readFixture('rules', 'api-not-in-kernel', 'names.patch');
		const named = async (k: string): Promise<string[]> => (await findingsOf(text, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: k }))
			.map((f) => /^`(\w+)`/.exec(f.message)?.[1] ?? '?').sort();
		assert.deepEqual(await named('5.3'), ['MIGRATE_VMA_SELECT_COMPOUND', 'MIGRATE_VMA_SELECT_DEVICE_COHERENT', 'MIGRATE_VMA_SELECT_SYSTEM', 'is_pinnable_page', 'mmu_notifier_range_init_migrate']);
		assert.deepEqual(await named('5.10'), ['MIGRATE_PFN_DEVICE', 'MIGRATE_VMA_SELECT_COMPOUND', 'MIGRATE_VMA_SELECT_DEVICE_COHERENT', 'alloc_and_copy', 'finalize_and_map', 'is_pinnable_page', 'migrate_vma', 'migrate_vma_ops']);
		assert.deepEqual(await named('6.1'), ['MIGRATE_PFN_DEVICE', 'MIGRATE_VMA_SELECT_COMPOUND', 'alloc_and_copy', 'finalize_and_map', 'is_pinnable_page', 'migrate_vma', 'migrate_vma_ops', 'mmu_notifier_range_init_migrate']);
		const found = await findingsOf(text, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '6.1' });
		const pin = found.find((f) => f.message.startsWith('`is_pinnable_page`'))!;
		assert.match(pin.message, /`is_longterm_pinnable_page`/);
		const init = found.find((f) => f.message.startsWith('`mmu_notifier_range_init_migrate`'))!;
		assert.match(init.message, /`mmu_notifier_range_init_owner`/);
		assert.equal(init.fixes, undefined, 'different arguments: no blind rename');
	});

	it('names what the older kernel calls a newer name', async () => {
		const text = readFixture('rules', 'api-not-in-kernel', 'negative.patch');
		const found = await findingsOf(text, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '5.8' });
		const owner = found.find((f) => textAt(text, f).startsWith('pgmap_owner'));
		assert.ok(owner);
		assert.match(owner.message, /kernel 5\.8 has `src_owner`/);
		const flags = found.find((f) => textAt(text, f).startsWith('MIGRATE_VMA_SELECT_DEVICE_PRIVATE'));
		assert.ok(flags);
		assert.match(flags.message, /arrived in 5\.9/);
	});

	it('accepts the neighbouring releases when the kernel is only guessed from the date', async () => {
		// posted June 2022: the date points at 6.0; fault_page arrived in 6.1
		const fresh = readFixture('rules', 'api-not-in-kernel', 'dev-cycle-new.patch');
		assert.deepEqual(await findingsOf(fresh, ['api-not-in-kernel'], { rules: [apiNotInKernel] }), []);
		const set = await findingsOf(fresh, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '5.19' });
		assert.ok(set.some((f) => textAt(fresh, f).startsWith('fault_page')));
		// posted June 2020: the date points at 5.9, which renamed src_owner
		const old = readFixture('rules', 'api-not-in-kernel', 'dev-cycle-old.patch');
		assert.deepEqual(await findingsOf(old, ['api-not-in-kernel'], { rules: [apiNotInKernel] }), []);
		const strict = await findingsOf(old, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '5.10' });
		assert.ok(strict.some((f) => textAt(old, f).startsWith('src_owner')));
	});

	it('on a later part whose earlier parts are missing, a too-new name is info, a removed one still a warning', async () => {
		const text = readFixture('rules', 'api-not-in-kernel', 'series-part.patch');
		const part3 = text.slice(text.indexOf('From 7c1e0a30'));
		const parts23 = text.slice(text.indexOf('From 7c1e0a20'));
		assert.ok(part3.length < parts23.length && parts23.length < text.length);
		for (const [form, doc, missing] of [['part 3 alone', part3, /patches 1–2 of its series are not in this file/], ['part 3 quoted', quoteMail(part3), /patches 1–2 of its series are not in this file/], ['parts 2 and 3', parts23, /patch 1 of its series is not in this file/]] as const) {
			const found = sortFindings(await findingsOf(doc, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '6.15' }));
			assert.deepEqual(found.map((f) => `${f.severity} ${/^`(\w+)`/.exec(f.message)?.[1]}`),
				['info MIGRATE_VMA_SELECT_COMPOUND', 'info MIGRATE_PFN_COMPOUND', 'warning MIGRATE_PFN_LOCKED', 'info MIGRATE_PFN_COMPOUND'], form);
			for (const f of found.filter((x) => x.severity === 'info')) {
				assert.match(f.message, /arrived in 6\.19/, form);
				assert.match(f.message, /This is patch 3\/3/, form);
				assert.match(f.message, missing, form);
			}
		}
		// a first part, or a lone patch, has no earlier part to lean on
		const alone = part3.replace('[PATCH 3/3]', '[PATCH]');
		const lone = await findingsOf(alone, ['api-not-in-kernel'], { rules: [apiNotInKernel], kernel: '6.15' });
		assert.deepEqual(lone.map((f) => f.severity), ['warning', 'warning', 'warning', 'warning']);
	});

	it('never blames removed code', async () => {
		const text = readFixture('rules', 'api-not-in-kernel', 'positive.patch');
		const deleted = text
			.replace('new file mode 100644', 'deleted file mode 100644')
			.replace('--- /dev/null\n+++ b/drivers/gpu/drm/gpux/gpux_dmem.c', '--- a/drivers/gpu/drm/gpux/gpux_dmem.c\n+++ /dev/null')
			.replace(/^@@ -0,0 \+1,(\d+) @@/m, '@@ -1,$1 +0,0 @@')
			.split('\n').map((l) => (l.startsWith('+') && !l.startsWith('+++') ? '-' + l.slice(1) : l)).join('\n');
		assert.notEqual(deleted, text);
		assert.deepEqual((await findingsOf(deleted, IDS, { rules: RULES, kernel: '6.1' })).map((f) => `${f.rule} ${f.severity}`), []);
	});
});

/** Inserts `+` lines after the first line equal to `after` in a new-file patch and fixes the hunk count. */
function insertAfter(text: string, after: string, lines: string[]): string {
	const all = text.split('\n');
	const i = all.indexOf(after);
	assert.ok(i >= 0, `line "${after}" in fixture`);
	all.splice(i + 1, 0, ...lines.map((l) => `+${l}`));
	return all.join('\n').replace(/^@@ -0,0 \+1,(\d+) @@/m, (_m, n: string) => `@@ -0,0 +1,${Number(n) + lines.length} @@`);
}

describe('notifier-self-invalidation details', () => {
	it('an event test that does not leave the callback is not a skip', async () => {
		const text = insertAfter(readFixture('rules', 'notifier-self-invalidation', 'negative.patch'),
			'+\tmmu_interval_set_seq(mni, cur_seq);',
			['\tif (range->event == MMU_NOTIFY_MIGRATE)', '\t\tsvm->migrations++;']);
		const found = await findingsOf(text, ['notifier-self-invalidation'], { rules: [notifierSelfInvalidation], kernel: '6.1' });
		assert.deepEqual(found.map((f) => textAt(text, f)), []);
	});

	it('a driver that skips its own migrations in one callback may keep other callbacks plain', async () => {
		const base = readFixture('rules', 'notifier-self-invalidation', 'negative.patch');
		const text = insertAfter(base, '+};', [
			'',
			'static bool gpux_snapshot_invalidate(struct mmu_interval_notifier *mni,',
			'\t\t\t\t     const struct mmu_notifier_range *range,',
			'\t\t\t\t     unsigned long cur_seq)',
			'{',
			'\tmmu_interval_set_seq(mni, cur_seq);',
			'\treturn true;',
			'}',
			'',
			'static const struct mmu_interval_notifier_ops gpux_snapshot_ops = {',
			'\t.invalidate = gpux_snapshot_invalidate,',
			'};',
		]);
		assert.deepEqual(await findingsOf(text, ['notifier-self-invalidation'], { rules: [notifierSelfInvalidation], kernel: '6.1' }), []);
		// without the skip in the first callback, both callbacks are reported
		const bare = insertAfter(readFixture('rules', 'notifier-self-invalidation', 'positive.patch'), '+};', [
			'',
			'static bool gpux_snapshot_invalidate(struct mmu_interval_notifier *mni,',
			'\t\t\t\t     const struct mmu_notifier_range *range,',
			'\t\t\t\t     unsigned long cur_seq)',
			'{',
			'\tmmu_interval_set_seq(mni, cur_seq);',
			'\treturn true;',
			'}',
			'',
			'static const struct mmu_interval_notifier_ops gpux_snapshot_ops = {',
			'\t.invalidate = gpux_snapshot_invalidate,',
			'};',
		]);
		const found = await findingsOf(bare, ['notifier-self-invalidation'], { rules: [notifierSelfInvalidation], kernel: '6.1' });
		assert.deepEqual(sortFindings(found).map((f) => textAt(bare, f).slice(0, 32)), ['static bool gpux_svm_invalidate(', 'static bool gpux_snapshot_invali']);
	});
});

describe('notifier-self-invalidation: the owner field of the kernel', () => {
	it('offers the rename of the field in place', async () => {
		const text = readFixture('rules', 'notifier-self-invalidation', 'old-field.patch');
		const [f] = await findingsOf(text, ['notifier-self-invalidation'], { rules: [notifierSelfInvalidation], kernel: '6.1' });
		assert.ok(f);
		const edit = f.fixes?.[0]?.edits[0];
		assert.ok(edit);
		const line = lineAt(text, edit.range.start.line);
		assert.equal(line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character), '+\t    range->owner == svm->gdev)');
		const back = await findingsOf(readFixture('rules', 'notifier-self-invalidation', 'negative.patch'), ['notifier-self-invalidation'], { rules: [notifierSelfInvalidation], kernel: '5.10' });
		assert.equal(back[0]?.fixes?.[0]?.edits[0]?.newText, 'migrate_pgmap_owner');
	});
});

describe('migrate-to-ram-sigbus keeps setup failures and device errors alone', () => {
	it('SIGBUS after a failed setup or a failed DMA mapping is not reported', async () => {
		const text = readFixture('rules', 'migrate-to-ram-sigbus', 'negative.patch');
		assert.match(text, /if \(migrate_vma_setup\(&args\)\)\n\+\t\treturn VM_FAULT_SIGBUS;/);
		assert.match(text, /ret = VM_FAULT_SIGBUS;\n\+\t\tgoto out;/);
		assert.deepEqual(await findingsOf(text, ['migrate-to-ram-sigbus'], { rules: [migrateToRamSigbus], kernel: '6.1' }), []);
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
	/** Decoded code the finding's line carries (plain and quoted-printable mails). */
	code?: RegExp;
	kernelFile?: string;
	quoteDepth?: number;
}

/** Every finding of these rules on the corpus with the kernel from each mail's date (mails not listed: none). */
const CORPUS: Record<string, CorpusExpect[]> = {
	// the mixed-range defect 027 later fixes: on 5.4 every device-private page in the range is
	// collected, and the copy path DMA-maps it as system memory
	'006-nouveau-simplify-dmem-migrate-vma-v3-b64.eml': [
		{ rule: 'device-private-source-as-system', severity: 'error', kernelFile: 'drivers/gpu/drm/nouveau/nouveau_dmem.c' },
	],
	// sets dev_private_owner, fixing 020's omission
	'021-nouveau-fix-fault-on-device-private-dev-private-owner.eml': [
		{ rule: 'hmm-range-owner-missing', severity: 'info', code: /\.dev_private_owner = drm->dev/ },
	],
	// device-private source pages recognised before dma_map_page()
	'027-nouveau-fix-mixed-normal-device-private-migration.eml': [
		{ rule: 'device-private-source-as-system', severity: 'info', code: /is_device_private_page\(spage\)/ },
	],
	'028-re-mixed-migration-jhubbard-src-owner.eml': [
		{ rule: 'device-private-source-as-system', severity: 'info', code: /is_device_private_page\(spage\)/, quoteDepth: 1 },
	],
	// the system→device migrations now carry the driver's owner
	'032-nouveau-svm-use-migration-invalidation-v4.eml': [
		{ rule: 'missing-pgmap-owner', severity: 'info', code: /\.pgmap_owner\t= drm->dev/ },
	],
	'033-test-hmm-use-migration-invalidation-v4.eml': [
		{ rule: 'missing-pgmap-owner', severity: 'info', code: /args\.pgmap_owner = dmirror->mdevice/ },
	],
	// zone-device source pages no longer DMA-mapped as system memory
	'035-amdkfd-skip-migration-pages-in-vram.eml': [
		{ rule: 'device-private-source-as-system', severity: 'info', code: /is_zone_device_page\(spage\)/ },
	],
	'036-amdkfd-skip-vram-felix-reply-b64.eml': [
		{ rule: 'device-private-source-as-system', severity: 'info', kernelFile: 'drivers/gpu/drm/amd/amdkfd/kfd_migrate.c', quoteDepth: 1 },
	],
	// "where exactly is pinning forbidden?"
	'041-dc-v5-01-david-where-is-pinning-forbidden.eml': [
		{ rule: 'longterm-pin-coherent', severity: 'warning', code: /^> \+\tMEMORY_DEVICE_COHERENT,$/, quoteDepth: 1 },
	],
	// the migrate_to_ram destination page is now zeroed
	'052-re-migrate-to-ram-copy-error-dakr.eml': [
		{ rule: 'migrate-to-ram-dst-not-zeroed', severity: 'info', code: /__GFP_ZERO/, quoteDepth: 1 },
	],
	'053-nouveau-dmem-migrate-to-ram-zero-dst-page-v2.eml': [
		{ rule: 'migrate-to-ram-dst-not-zeroed', severity: 'info', code: /__GFP_ZERO/ },
	],
};

// Expressions over whole diff lines that tried every split of a long run of blanks or stars (one
// 4 KB line took seconds); their replacements read each run once and accept exactly the same lines.
describe('line expressions of the version and notifier rules', () => {
	it('a definition of a name in the series, as the expressions with split runs read it', () => {
		const oldDefines = (t: string, name: string, core: boolean): boolean =>
			new RegExp(`^\\s*#\\s*(define|undef)\\s+${name}\\b`).test(t)
			|| new RegExp(`\\bEXPORT_SYMBOL(_GPL)?\\s*\\(\\s*${name}\\s*\\)`).test(t)
			|| (new RegExp(`^\\s*(?:[A-Za-z_]\\w*[\\s*]+)*\\**${name}\\s*\\(\\s*(?:void\\s*\\)|\\)\\s*$|const\\s|struct\\s|enum\\s|union\\s|unsigned\\b|signed\\b|int\\b|long\\b|bool\\b|char\\b|u8\\b|u16\\b|u32\\b|u64\\b|\\w+_t\\b)`).test(t)
				&& !/^\s*(return|if|while|for|switch|else)\b/.test(t))
			|| (core && (new RegExp(`^\\s*${name}\\s*(=[^;]*)?,?\\s*(/[*/].*)?$`).test(t)
				|| new RegExp(`^\\s*(?:const\\s+)?(?:(?:struct|enum|union)\\s+\\w+|unsigned\\s+long|unsigned\\s+int|unsigned|signed|void|int|long|bool|char|u8|u16|u32|u64|\\w+_t)\\b[\\s*]*${name}\\s*(\\[[^\\]]*\\])?\\s*;`).test(t)
				|| new RegExp(`\\(\\s*\\*\\s*${name}\\s*\\)\\s*\\(`).test(t)));
		const name = 'migrate_vma_setup';
		const lines = [
			'int migrate_vma_setup(struct migrate_vma *args);', 'static inline int *migrate_vma_setup(void)', 'int\t**migrate_vma_setup(struct x *a)', 'int migrate_vma_setup(&args);',
			'\tret = migrate_vma_setup(&args);', 'return migrate_vma_setup(args);', '*migrate_vma_setup(u64 x)', 'migrate_vma_setup(void)',
			'\tmigrate_vma_setup = 4, /* x */', '\tmigrate_vma_setup,', 'migrate_vma_setup  ', 'migrate_vma_setup = a; // b', 'migrate_vma_setup = a;',
			'\tint (*migrate_vma_setup)(struct migrate_vma *);', '\tunsigned long migrate_vma_setup[4] ;', 'struct x *migrate_vma_setup;', 'int migrate_vma_setup x;',
			'#define migrate_vma_setup(a) 0', 'EXPORT_SYMBOL_GPL(migrate_vma_setup);',
		];
		for (const t of lines) {
			for (const path of ['mm/migrate_device.c', 'drivers/gpu/x.c']) {
				assert.equal(definesName({ text: t, path }, name), oldDefines(t, name, path.startsWith('mm/')), `${path}: ${t}`);
			}
		}
		assert.equal(definesName({ text: `int ${'*'.repeat(100_000)}x migrate_vma_setup(&a);`, path: 'mm/x.c' }, name), false);
	});

	it('the coherent enum member and an early exit, as the expressions with split runs read them', () => {
		const OLD_MEMBER = /^\s*MEMORY_DEVICE_COHERENT\s*(=\s*[^,]+)?,?\s*(\/[*/].*)?$/;
		for (const t of ['\tMEMORY_DEVICE_COHERENT,', 'MEMORY_DEVICE_COHERENT = 5, /* x */', 'MEMORY_DEVICE_COHERENT = 5 // y', 'MEMORY_DEVICE_COHERENT', 'MEMORY_DEVICE_COHERENT ,  ', 'MEMORY_DEVICE_COHERENT, x', 'MEMORY_DEVICE_COHERENT = , x', 'if (MEMORY_DEVICE_COHERENT)']) {
			assert.equal(ENUM_MEMBER.test(t), OLD_MEMBER.test(t), t);
		}
		const OLD_EXIT = /^if\s*\([^;{}]*\)\s*\{?\s*(return|goto)\b/;
		for (const t of ['if (range->event == MMU_NOTIFY_MIGRATE) return true;', 'if (a) {  goto out;', 'if (a)\t{\treturn', 'if (a) x++; return', 'if (a) {{ return', 'if(a)return', 'if (a) returned']) {
			assert.equal(EARLY_EXIT.test(t), OLD_EXIT.test(t), t);
		}
	});
});

describe('semantic rules on the labelled corpus', { skip: haveCorpus ? false : `no corpus at ${corpusRoot}` }, () => {
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
			const found = sortFindings(await findingsOf(text, IDS, { rules: RULES }));
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

	// The kernels the mails were merged for (and one release later): the clean mails of the API
	// changes themselves must stay quiet — the patch that introduces or removes a name is not
	// blamed for it.
	const MERGED: Array<[string, string[]]> = [
		['018-mm-handle-multiple-owners-migrate-vma-2of4.eml', ['5.6', '5.7', '5.8']],
		['023-mm-hmm-test-add-selftest-driver-v10.eml', ['5.7', '5.8']],
		['031-mm-migrate-add-flags-parameter-v4.eml', ['5.8', '5.9', '5.10']],
		['032-nouveau-svm-use-migration-invalidation-v4.eml', ['5.9', '5.10']],
		['033-test-hmm-use-migration-invalidation-v4.eml', ['5.9', '5.10']],
		['037-amdkfd-pgmap-owner-hive.eml', ['5.14', '5.15']],
		['038-mm-migrate-remove-migrate-pfn-locked.eml', ['5.15', '5.16', '6.1']],
		['046-mm-migrate-device-add-migrate-device-range-v2.eml', ['6.1']],
	];
	for (const [name, kernels] of MERGED) {
		it(`${name} stays quiet on ${kernels.join(', ')}`, async () => {
			const text = readCorpus('mail', name);
			for (const k of kernels) {
				const found = await findingsOf(text, IDS, { rules: RULES, kernel: k });
				assert.deepEqual(found.filter((f) => f.severity !== 'info').map((f) => `${k}: ${f.rule} line ${f.range.start.line + 1}: ${f.message.slice(0, 80)}`), []);
			}
		});
	}

	it('the same test driver is judged by the kernel: 023 on 6.1 uses names that are gone', async () => {
		const text = readCorpus('mail', '023-mm-hmm-test-add-selftest-driver-v10.eml');
		const found = await findingsOf(text, ['api-not-in-kernel', 'fault-page-missing'], { rules: [apiNotInKernel, faultPageMissing], kernel: '6.1' });
		const names = found.filter((f) => f.rule === 'api-not-in-kernel').map((f) => /`(\w+)`/.exec(f.message)![1]).sort();
		assert.deepEqual(names, ['MIGRATE_PFN_LOCKED', 'MIGRATE_PFN_LOCKED', 'src_owner', 'src_owner']);
		assert.equal(found.filter((f) => f.rule === 'fault-page-missing').length, 1);
	});

	it('032 on 5.14 compares a notifier field that was renamed', async () => {
		const text = readCorpus('mail', '032-nouveau-svm-use-migration-invalidation-v4.eml');
		const found = await findingsOf(text, ['notifier-self-invalidation', 'api-not-in-kernel'], { rules: [notifierSelfInvalidation, apiNotInKernel], kernel: '5.15' });
		assert.deepEqual(found.map((f) => `${f.rule} ${f.severity}`), ['notifier-self-invalidation error']);
		assert.match(lineAt(text, found[0]!.range.start.line), /update->migrate_pgmap_owner == svmm->vmm->cli->drm->dev/);
	});
});
