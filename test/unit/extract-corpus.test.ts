/*
 * Stage 3 on the real mails of the shared corpus (read in place, never copied): every mail whose
 * README row describes migrate_vma use yields call sites, and a dozen of them have their facts
 * pinned (flags, owners, phase order, the code the reviewers talked about).
 */
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { corpusFiles, haveCorpus, readCorpus } from '../corpus';
import { ingestText } from '../../server/src/core/ingest/index';
import { callSiteCount, type Extractor } from '../../server/src/core/extract/index';
import type { DocumentFacts, FileFacts, FunctionFacts } from '../../server/src/core/extract/types';
import { extractor } from '../fixtures/extract/helpers';

const skip = haveCorpus ? false : 'corpus not found (set MIGRATE_LENS_CORPUS)';

let ex: Extractor;
const cache = new Map<string, DocumentFacts>();

function mail(prefix: string): DocumentFacts {
	let f = cache.get(prefix);
	if (!f) {
		const name = corpusFiles('mail').map((p) => p.split(/[\\/]/).pop()!).find((n) => n.startsWith(prefix + '-'));
		assert.ok(name, `corpus mail ${prefix}`);
		f = ex.extractDocument(ingestText(readCorpus('mail', name)));
		cache.set(prefix, f);
	}
	return f;
}

function file(prefix: string, path: string, image: 'post' | 'pre' = 'post'): FileFacts {
	const f = mail(prefix).messages.flatMap((m) => m.files).find((x) => x.image === image && x.path.endsWith(path));
	assert.ok(f, `${prefix}: ${path} (${image})`);
	return f;
}

function func(prefix: string, path: string, name: string, image: 'post' | 'pre' = 'post'): FunctionFacts {
	const f = file(prefix, path, image).functions.find((x) => x.name === name);
	assert.ok(f, `${prefix}: ${name} in ${path} (${image})`);
	return f;
}

describe('extract on the corpus', { skip }, () => {
	before(async () => {
		ex = await extractor();
	});

	// Rows of the corpus README that describe migrate_vma use in a diff. Left out: 004 (its quoted
	// lines have no diff header, so ingest finds no hunk), 021 (only hmm_range, pinned below) and
	// 022 (calls the driver's own nouveau_dmem_migrate_vma(), not the API).
	const withCallSites = ['002', '003', '006', '007', '018', '023', '024', '025', '027', '028', '031', '032', '033', '034', '035', '036', '037', '038', '043', '044', '046', '052', '053', '054', '056'];
	for (const p of withCallSites) {
		it(`${p}: has call sites`, () => {
			assert.ok(callSiteCount(mail(p)) >= 1);
		});
	}

	it('finds nothing in cover letters and prose-only replies', () => {
		for (const p of ['001', '017', '029', '030']) {
			assert.equal(callSiteCount(mail(p)), 0, p);
		}
	});

	it('002: the new three-step API in migrate_to_ram, in order, with the SIGBUS on failure', () => {
		const h = func('002', 'nouveau_dmem.c', 'nouveau_dmem_migrate_to_ram');
		const s = h.structs.find((x) => x.name === 'args')!;
		assert.equal(s.how, 'designated');
		assert.equal(s.fields['vma']!.text, 'vmf->vma');
		assert.equal(s.fields['start']!.text, 'vmf->address');
		const phases = h.calls.filter((c) => ['setup', 'pages', 'finalize'].includes(c.kind));
		assert.deepEqual(phases.map((c) => c.kind), ['setup', 'pages', 'finalize']);
		assert.ok(phases.every((c) => c.structVar === 'args' && c.loc.lineKind === '+'));
		const r = h.migrateToRam!.returns.find((x) => x.afterSetupFailure)!;
		assert.deepEqual(r.vmFault, ['VM_FAULT_SIGBUS']);
		// base64 body: locations cover the encoded text
		assert.equal(phases[0]!.loc.exact, false);
	});

	it('002/003: the chunk loop derives args.end from the unchanging start and never resets cpages', () => {
		for (const [p, depth] of [['002', 0], ['003', 1]] as const) {
			const loops = file(p, 'nouveau_dmem.c').functions.flatMap((x) => x.chunkLoops);
			assert.equal(loops.length, 1, p);
			const end = loops[0]!.fieldAssigns.find((a) => a.field === 'end')!;
			assert.equal(end.text, 'start + (c << PAGE_SHIFT)');
			assert.equal(end.loc.lineKind, '+');
			assert.equal(end.loc.quoteDepth, depth);
			assert.ok(end.identifiers.includes('start') && !loops[0]!.advanced.includes('start'));
			assert.equal(loops[0]!.resetsCounters, false);
		}
	});

	it('006: kcalloc sized by sizeof(args.src), and the chunk helper finishes each migration', () => {
		const m = func('006', 'nouveau_dmem.c', 'nouveau_dmem_migrate_vma');
		const src = m.arrays.find((a) => a.target === 'args.src')!;
		assert.equal(src.allocator, 'kcalloc');
		assert.equal(src.sizeText, 'sizeof(args.src)');
		assert.equal(src.loc.lineKind, '+');
		assert.ok(m.sizeofs.some((s) => s.text === 'sizeof(args.src)' && !s.dereferenced));
		const ok = m.setupFlows[0]!.exits.filter((e) => !e.setupFailed && !e.noPagesSelected);
		assert.ok(ok.length > 0 && ok.every((e) => e.pages && e.finalize && e.structPassedTo.includes('nouveau_dmem_migrate_chunk')));
		const copy = func('006', 'nouveau_dmem.c', 'nouveau_dmem_migrate_copy_one');
		assert.equal(copy.pageUses[0]!.dmaMapped.length, 1);
		assert.deepEqual(copy.pageUses[0]!.deviceTests, []);
	});

	it('007: the fix dereferences in sizeof; the removed lines did not', () => {
		const now = func('007', 'nouveau_dmem.c', 'nouveau_dmem_migrate_vma').sizeofs;
		const was = func('007', 'nouveau_dmem.c', 'nouveau_dmem_migrate_vma', 'pre').sizeofs;
		assert.deepEqual(now.map((s) => [s.text, s.dereferenced, s.loc.lineKind]), [['sizeof(*args.src)', true, '+'], ['sizeof(*args.dst)', true, '+']]);
		assert.deepEqual(was.map((s) => [s.text, s.dereferenced, s.loc.lineKind]), [['sizeof(args.src)', false, '-'], ['sizeof(args.dst)', false, '-']]);
	});

	it('018: src_owner set in nouveau migrate_to_ram and in the kvmppc page-out', () => {
		const n = func('018', 'nouveau_dmem.c', 'nouveau_dmem_migrate_to_ram').structs[0]!;
		assert.equal(n.fields['src_owner']!.text, 'drm->dev');
		assert.equal(n.fields['src_owner']!.loc.lineKind, '+');
		const k = func('018', 'book3s_hv_uvmem.c', 'kvmppc_svm_page_out').structs.find((x) => x.name === 'mig')!;
		assert.equal(k.fields['src_owner']!.text, '&kvmppc_uvmem_pgmap');
		assert.ok(file('018', 'nouveau_dmem.c').identifiers.some((i) => i.name === 'src_owner' && i.role === 'field' && i.loc.lineKind === '+'));
	});

	it('021: hmm_range gains dev_private_owner', () => {
		const r = func('021', 'nouveau_svm.c', 'nouveau_range_fault').hmmRanges[0]!;
		assert.equal(r.fields['dev_private_owner']!.text, 'drm->dev');
		assert.equal(r.fields['dev_private_owner']!.loc.lineKind, '+');
		assert.equal(callSiteCount(mail('021')), 0);
	});

	it('023: the test driver migrates with src_owner NULL to the device and its own owner back', () => {
		const to = func('023', 'lib/test_hmm.c', 'dmirror_migrate').structs.find((x) => x.name === 'args')!;
		assert.equal(to.fields['src_owner']!.text, 'NULL');
		const back = func('023', 'lib/test_hmm.c', 'dmirror_devmem_fault');
		assert.deepEqual(back.roles, ['migrate_to_ram']);
		assert.equal(back.structs[0]!.fields['src_owner']!.text, 'dmirror->mdevice');
		assert.ok(back.migrateToRam!.returns.some((r) => r.afterSetupFailure && r.vmFault.includes('VM_FAULT_SIGBUS')));
		assert.equal(func('023', 'lib/test_hmm.c', 'dmirror_fault').hmmRanges[0]!.fields['dev_private_owner']!.text, 'dmirror->mdevice');
		const t = file('023', 'lib/test_hmm.c').tables.map((x) => [x.type, x.fields['invalidate']?.text]);
		assert.deepEqual(t.filter((x) => x[0] === 'mmu_interval_notifier_ops').length, 2);
	});

	it('024: nouveau_pfns_map runs after migrate_vma_pages without a MIGRATE_PFN_MIGRATE test', () => {
		const c = func('024', 'nouveau_dmem.c', 'nouveau_dmem_migrate_chunk');
		const ap = c.afterPages[0]!;
		const map = ap.calls.find((x) => x.callee === 'nouveau_pfns_map')!;
		assert.equal(map.loc.lineKind, '+');
		assert.equal(map.usesMigration, true);
		assert.equal(map.afterMigrateTest, false);
		assert.deepEqual(ap.migrateTests, []);
		const end = func('024', 'nouveau_dmem.c', 'nouveau_dmem_migrate_vma').chunkLoops[0]!.fieldAssigns.find((a) => a.field === 'end')!;
		assert.equal(end.text, 'start + (max << PAGE_SHIFT)');
	});

	it('027: a device-private test on the source page and .src_owner on the to-device struct', () => {
		const cp = func('027', 'nouveau_dmem.c', 'nouveau_dmem_migrate_copy_one');
		const t = cp.calls.find((c) => c.callee === 'is_device_private_page')!;
		assert.equal(t.loc.lineKind, '+');
		assert.equal(t.result.kind, 'condition');
		const s = func('027', 'nouveau_dmem.c', 'nouveau_dmem_migrate_vma').structs.find((x) => x.name === 'args')!;
		assert.equal(s.fields['src_owner']!.text, 'drm->dev');
	});

	it('031: flags on every caller, pgmap_owner for the device-private direction', () => {
		const inp = func('031', 'book3s_hv_uvmem.c', 'kvmppc_svm_page_in').structs[0]!;
		assert.deepEqual(inp.fields['flags']!.flags, ['MIGRATE_VMA_SELECT_SYSTEM']);
		const out = func('031', 'book3s_hv_uvmem.c', 'kvmppc_svm_page_out').structs[0]!;
		assert.deepEqual(out.fields['flags']!.flags, ['MIGRATE_VMA_SELECT_DEVICE_PRIVATE']);
		assert.equal(out.fields['pgmap_owner']!.text, '&kvmppc_uvmem_pgmap');
		assert.deepEqual(func('031', 'nouveau_dmem.c', 'nouveau_dmem_migrate_vma').structs[0]!.fields['flags']!.flags, ['MIGRATE_VMA_SELECT_SYSTEM']);
		const back = func('031', 'lib/test_hmm.c', 'dmirror_devmem_fault').structs[0]!;
		assert.equal(back.fields['pgmap_owner']!.text, 'dmirror->mdevice');
		assert.deepEqual(back.fields['flags']!.flags, ['MIGRATE_VMA_SELECT_DEVICE_PRIVATE']);
	});

	it('032/033: the notifier skips its own migrations by event and owner', () => {
		const n = func('032', 'nouveau_svm.c', 'nouveau_svmm_invalidate_range_start').notifier!;
		assert.equal(n.rangeParam, 'update');
		assert.deepEqual(n.eventTests.map((e) => e.event), ['MMU_NOTIFY_MIGRATE']);
		assert.deepEqual(n.ownerTests.map((o) => [o.field, o.comparedTo]), [['migrate_pgmap_owner', 'svmm->vmm->cli->drm->dev']]);
		assert.equal(n.skipConditions.length, 1);
		assert.equal(n.skipConditions[0]!.loc.lineKind, '+');
		assert.equal(func('032', 'nouveau_dmem.c', 'nouveau_dmem_migrate_vma').structs[0]!.fields['pgmap_owner']!.text, 'drm->dev');
		const t = func('033', 'lib/test_hmm.c', 'dmirror_interval_invalidate').notifier!;
		assert.deepEqual(t.ownerTests.map((o) => o.comparedTo), ['dmirror->mdevice']);
		assert.equal(func('033', 'lib/test_hmm.c', 'dmirror_migrate').structs[0]!.fields['pgmap_owner']!.text, 'dmirror->mdevice');
		assert.equal(func('033', 'lib/test_hmm.c', 'dmirror_migrate', 'pre').structs[0]!.fields['pgmap_owner']!.text, 'NULL');
	});

	it('034: the fix tests MIGRATE_PFN_MIGRATE before mapping', () => {
		const f = file('034', 'nouveau_dmem.c').functions.find((x) => x.afterPages.length > 0)!;
		const ap = f.afterPages[0]!;
		assert.ok(ap.migrateTests.length >= 1 && ap.migrateTests.every((l) => l.lineKind === '+'));
		assert.equal(ap.calls.find((c) => c.callee === 'nouveau_pfns_map')!.afterMigrateTest, true);
	});

	it('035: only non-device source pages get a VRAM page; the DMA scratch array is not a pfn array', () => {
		const f = func('035', 'kfd_migrate.c', 'svm_migrate_copy_to_vram');
		assert.ok(f.calls.some((c) => c.callee === 'is_zone_device_page' && c.loc.lineKind === '+'));
		assert.ok(f.pfnWrites.every((w) => w.arrayText === 'migrate->dst'));
		assert.ok(f.pfnWrites.some((w) => w.operator === '|=' && w.flags.includes('MIGRATE_PFN_LOCKED')));
		assert.deepEqual(f.pfnLoops[0]!.arrays.map((a) => a.text).sort(), ['migrate->dst', 'migrate->src']);
	});

	it('037: one owner for both directions and for the pagemap', () => {
		const owner = 'SVM_ADEV_PGMAP_OWNER(adev)';
		assert.equal(func('037', 'kfd_migrate.c', 'svm_migrate_vma_to_vram').structs[0]!.fields['pgmap_owner']!.text, owner);
		assert.equal(func('037', 'kfd_migrate.c', 'svm_migrate_vma_to_ram').structs[0]!.fields['pgmap_owner']!.text, owner);
		const pg = func('037', 'kfd_migrate.c', 'svm_migrate_init').pgmaps[0]!;
		assert.equal(pg.fields['owner']!.text, owner);
		assert.equal(pg.fields['flags']!.text, 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE');
		assert.equal(func('037', 'kfd_migrate.c', 'svm_migrate_init', 'pre').pgmaps[0]!.fields['owner']!.text, 'adev');
	});

	it('038: MIGRATE_PFN_LOCKED only on removed lines', () => {
		const d = mail('038');
		const ids = (image: 'post' | 'pre'): string[] => d.messages.flatMap((m) => m.files).filter((f) => f.image === image)
			.flatMap((f) => f.identifiers).filter((i) => i.name === 'MIGRATE_PFN_LOCKED').map((i) => i.loc.lineKind);
		assert.ok(ids('pre').includes('-'));
		assert.ok(!ids('post').includes('+'));
		const writes = d.messages.flatMap((m) => m.files).filter((f) => f.image === 'pre').flatMap((f) => f.functions.flatMap((x) => x.pfnWrites));
		assert.ok(writes.filter((w) => w.flags.includes('MIGRATE_PFN_LOCKED')).length >= 4);
	});

	it('043/044: the fixed chunk end moves with args.start', () => {
		for (const [p, depth] of [['043', 0], ['044', 1]] as const) {
			const loops = file(p, 'nouveau_dmem.c').functions.flatMap((x) => x.chunkLoops);
			const ends = loops[0]!.fieldAssigns.filter((a) => a.field === 'end' && a.loc.lineKind === '+');
			// the end is clamped to the requested end, then computed from where this chunk starts
			assert.deepEqual(ends.map((a) => a.text).sort(), ['args.start + (max << PAGE_SHIFT)', 'end']);
			const end = ends.find((a) => a.text !== 'end')!;
			assert.deepEqual(end.fromFieldOf, ['args.start']);
			assert.equal(end.loc.quoteDepth, depth);
		}
	});

	it('052/053: the migrate_to_ram destination is allocated zeroed', () => {
		for (const [p, depth] of [['053', 0], ['052', 1]] as const) {
			const h = func(p, 'nouveau_dmem.c', 'nouveau_dmem_migrate_to_ram').migrateToRam!;
			const a = h.dstAllocs[0]!;
			assert.equal(a.callee, 'alloc_page_vma');
			assert.equal(a.zeroed, true);
			assert.equal(a.loc.lineKind, '+');
			assert.equal(a.loc.quoteDepth, depth);
		}
	});

	it('054: THP migration selects compound pages and passes the fault page', () => {
		const h = func('054', 'nouveau_dmem.c', 'nouveau_dmem_migrate_to_ram');
		const s = h.structs.find((x) => x.name === 'args')!;
		assert.deepEqual(s.fields['flags']!.flags, ['MIGRATE_VMA_SELECT_DEVICE_PRIVATE', 'MIGRATE_VMA_SELECT_COMPOUND']);
		assert.equal(s.fields['fault_page']!.text, 'vmf->page');
		assert.ok(h.migrateToRam!.dstAllocs.every((a) => a.zeroed));
		assert.ok(file('054', 'nouveau_dmem.c').functions.some((x) => x.calls.some((c) => c.kind === 'device-range')));
	});

	it('056: migrate_to_ram returns 0 without migrating while the timeslice runs', () => {
		const h = func('056', 'drm_gpusvm.c', '__drm_gpusvm_migrate_to_ram').migrateToRam!;
		const r = h.returns.find((x) => x.valueText === '0')!;
		assert.equal(r.loc.lineKind, '+');
		assert.ok(r.conditions.some((c) => c.includes('timeslice_expiration')));
	});

	it('never reports a problem on the whole corpus', () => {
		for (const p of corpusFiles('mail')) {
			const name = p.split(/[\\/]/).pop()!;
			const d = ex.extractDocument(ingestText(readCorpus('mail', name)));
			assert.deepEqual(d.messages.flatMap((m) => m.problems), [], name);
		}
	});
});
