/*
 * Stage 3 on the made-up gpux patch mails: every kind of fact, where it points in the document,
 * and the same facts from quoted, flattened and base64 forms of the same mail.
 */
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { ingestText } from '../../server/src/core/ingest/index';
import { callSiteCount, type Extractor } from '../../server/src/core/extract/index';
import type { MessageFacts } from '../../server/src/core/extract/types';
import { fold } from '../../server/src/core/extract/ast';
import {
	base64Form, extractor, fixtureDir, flattenedForm, fn, imageLineOf, post, pre, project, quotedForm, readFixture, textAt,
} from '../fixtures/extract/helpers';

let ex: Extractor;
before(async () => {
	ex = await extractor();
});

function facts(text: string, opts?: Parameters<Extractor['extractMessage']>[1]): MessageFacts {
	const doc = ingestText(text);
	assert.equal(doc.messages.length, 1);
	return ex.extractMessage(doc.messages[0]!, opts);
}

describe('extract: a new driver file (gpux-migrate-new.patch)', () => {
	const mail = readFixture('gpux-migrate-new.patch');
	const FILE = 'gpux_migrate.c';
	let f: MessageFacts;
	before(() => {
		f = facts(mail);
	});

	it('has a post image only (new file) with whole functions', () => {
		assert.equal(f.files.length, 1);
		const file = post(f);
		assert.equal(file.source, 'patch');
		const names = file.functions.map((x) => x.name);
		assert.deepEqual(names, ['gpux_copy_to_vram', 'gpux_migrate_to_vram', 'gpux_migrate_to_ram', 'gpux_page_free', 'gpux_pagemap_init', 'gpux_invalidate', 'gpux_fault_range', 'gpux_pin_buffer']);
		assert.ok(file.functions.every((x) => x.complete && x.hasRealHeader && x.hasRealEnd && !x.hasGaps && x.changed));
	});

	it('reads a designated initialiser and resolves #define flags joined by |', () => {
		const m = fn(post(f), 'gpux_migrate_to_vram');
		const s = m.structs.find((x) => x.name === 'migrate')!;
		assert.equal(s.how, 'designated');
		assert.equal(s.zeroed, true);
		assert.equal(s.fields['pgmap_owner']!.text, 'svm->owner');
		const flags = s.fields['flags']!;
		assert.equal(flags.text, 'GPUX_SELECT');
		assert.deepEqual(flags.flags, ['MIGRATE_VMA_SELECT_SYSTEM', 'MIGRATE_VMA_SELECT_DEVICE_COHERENT']);
		assert.equal(flags.flagsExact, true);
		assert.equal(flags.via, 'init');
		assert.equal(flags.loc.lineKind, '+');
		assert.equal(flags.loc.kernelFile, 'drivers/gpu/drm/gpux/gpux_migrate.c');
		assert.equal(flags.loc.kernelLine, imageLineOf(mail, FILE, '.flags\t\t= GPUX_SELECT'));
		assert.equal(textAt(mail, flags.loc), 'GPUX_SELECT');
		assert.equal(post(f).defines['GPUX_SELECT'], '(MIGRATE_VMA_SELECT_SYSTEM | MIGRATE_VMA_SELECT_DEVICE_COHERENT)');
	});

	it('finds the setup/pages/finalize calls on the struct and how the setup result is used', () => {
		const m = fn(post(f), 'gpux_migrate_to_vram');
		const kinds = m.calls.filter((c) => ['setup', 'pages', 'finalize'].includes(c.kind));
		assert.deepEqual(kinds.map((c) => c.kind), ['setup', 'pages', 'finalize']);
		assert.ok(kinds.every((c) => c.structVar === 'migrate'));
		const setup = kinds[0]!;
		assert.equal(setup.result.kind, 'assigned');
		assert.equal(setup.result.variable, 'ret');
		assert.equal(setup.result.checked, true);
		assert.equal(textAt(mail, setup.loc), 'migrate_vma_setup(&migrate)');
		assert.deepEqual(setup.args, ['&migrate']);
		assert.equal(kinds[1]!.result.kind, 'ignored');
		assert.deepEqual(m.structs[0]!.callIndexes, m.calls.map((c, i) => (c.structVar === 'migrate' ? i : -1)).filter((i) => i >= 0));
	});

	it('follows every way out after setup: failure, cpages == 0, a helper failure that skips finalize, success', () => {
		const m = fn(post(f), 'gpux_migrate_to_vram');
		assert.equal(m.setupFlows.length, 1);
		const exits = m.setupFlows[0]!.exits;
		assert.ok(exits.every((e) => e.kind === 'return' && e.returnValue === 'ret' && e.viaLabels.includes('out_free')));
		const failed = exits.filter((e) => e.setupFailed);
		assert.equal(failed.length, 1);
		assert.equal(failed[0]!.finalize, false);
		assert.ok(exits.some((e) => e.noPagesSelected && !e.finalize && !e.setupFailed));
		assert.ok(exits.some((e) => e.pages && e.finalize && !e.setupFailed));
		// `ret = gpux_copy_to_vram(...); if (ret) goto out_free;` leaves a set-up migration behind
		const leak = exits.filter((e) => !e.setupFailed && !e.noPagesSelected && !e.finalize);
		assert.equal(leak.length, 1);
		assert.deepEqual(leak[0]!.structPassedTo, ['gpux_copy_to_vram']);
	});

	it('records the src/dst allocations, element sizes and NULL checks', () => {
		const m = fn(post(f), 'gpux_migrate_to_vram');
		const src = m.arrays.find((a) => a.target === 'migrate.src')!;
		assert.equal(src.how, 'alloc');
		assert.equal(src.role, 'src');
		assert.equal(src.allocator, 'kcalloc');
		assert.equal(src.countText, 'npages');
		assert.equal(src.sizeText, 'sizeof(*migrate.src)');
		assert.deepEqual(src.gfpFlags, ['GFP_KERNEL']);
		assert.equal(src.nullChecked, true);
		assert.ok(m.arrays.some((a) => a.target === 'migrate.dst' && a.role === 'dst'));
		assert.deepEqual(m.sizeofs.map((s) => [s.text, s.dereferenced]), [['sizeof(*migrate.src)', true], ['sizeof(*migrate.dst)', true]]);
		assert.deepEqual(m.cpagesUses.map((c) => [c.text, c.context]), [['migrate.cpages', 'condition']]);
	});

	it('lists what follows migrate_vma_pages and whether MIGRATE_PFN_MIGRATE was tested', () => {
		const m = fn(post(f), 'gpux_migrate_to_vram');
		assert.equal(m.afterPages.length, 1);
		const ap = m.afterPages[0]!;
		assert.equal(m.calls[ap.finalizeIndex!]!.kind, 'finalize');
		assert.deepEqual(ap.calls.map((c) => [c.callee, c.usesMigration, c.afterMigrateTest]), [['gpux_commit_range', true, false]]);
		assert.equal(ap.migrateTests.length, 0);
	});

	it('reads a loop over src/dst in a helper that gets the struct as a pointer', () => {
		const h = fn(post(f), 'gpux_copy_to_vram');
		assert.equal(h.structs[0]!.how, 'param');
		assert.equal(h.pfnLoops.length, 1);
		const loop = h.pfnLoops[0]!;
		assert.equal(loop.indexVar, 'i');
		assert.deepEqual(loop.arrays, [{ role: 'src', text: 'migrate->src' }, { role: 'dst', text: 'migrate->dst' }]);
		assert.deepEqual(loop.tests.map((t) => [t.array, t.flags]), [['src', ['MIGRATE_PFN_MIGRATE']]]);
		assert.deepEqual(loop.writes.map((w) => [w.array, w.indexText, w.usesMigratePfn, w.flags]), [['dst', 'i', true, []]]);
		const use = h.pageUses[loop.pageUseIndexes[0]!]!;
		assert.equal(use.variable, 'spage');
		assert.equal(use.from, 'src');
		assert.equal(use.nullChecked, true);
		assert.equal(use.dmaMapped.length, 1);
		assert.deepEqual(use.deviceTests, []);
		assert.equal(textAt(mail, use.dmaMapped[0]!).startsWith('dma_map_page(svm->dev, spage'), true);
	});

	it('reads the migrate_to_ram handler: assignments, fault page, returns, zeroed destination', () => {
		const h = fn(post(f), 'gpux_migrate_to_ram');
		assert.deepEqual(h.roles, ['migrate_to_ram']);
		const s = h.structs.find((x) => x.name === 'args')!;
		assert.equal(s.how, 'assign');
		assert.equal(s.zeroed, true);
		assert.deepEqual(Object.keys(s.fields).sort(), ['dst', 'end', 'fault_page', 'flags', 'pgmap_owner', 'src', 'start', 'vma']);
		assert.ok(s.assignments.every((a) => a.via === 'assign'));
		assert.deepEqual(s.fields['flags']!.flags, ['MIGRATE_VMA_SELECT_DEVICE_PRIVATE']);
		assert.equal(s.fields['src']!.resolved, '&src', 'address-of is not substituted');
		const r = h.migrateToRam!;
		assert.equal(r.vmfParam, 'vmf');
		assert.equal(r.inOpsTable, true);
		assert.equal(r.faultPage!.text, 'vmf->page');
		assert.deepEqual(r.returns.map((x) => [x.valueText, x.afterSetupFailure]), [['VM_FAULT_SIGBUS', true], ['0', false], ['VM_FAULT_OOM', false], ['0', false]]);
		assert.deepEqual(r.returns[2]!.vmFault, ['VM_FAULT_OOM']);
		assert.deepEqual(r.dstAllocs.map((a) => [a.callee, a.zeroed, a.gfpFlags]), [['alloc_page_vma', true, ['GFP_HIGHUSER', '__GFP_ZERO']]]);
		assert.deepEqual(r.faultPageLocks, [], 'the destination page lock is not a fault page lock');
		// the scalar entry `dst` stands for args.dst[0]
		assert.deepEqual(h.pfnWrites.map((w) => [w.array, w.arrayText, w.usesMigratePfn]), [['dst', 'dst', true]]);
		assert.deepEqual(h.arrays.map((a) => [a.target, a.how]), [['args.src', 'scalar'], ['args.dst', 'scalar'], ['src', 'scalar'], ['dst', 'scalar']]);
		const exits = h.setupFlows[0]!.exits;
		assert.ok(exits.some((e) => e.returnValue === 'VM_FAULT_OOM' && e.finalize && !e.pages));
	});

	it('reads ops tables, pagemap set-up, the notifier callback, hmm_range and pins', () => {
		const file = post(f);
		assert.deepEqual(file.tables.map((t) => [t.type, t.name]), [['dev_pagemap_ops', 'gpux_pagemap_ops'], ['mmu_interval_notifier_ops', 'gpux_notifier_ops']]);
		assert.equal(file.tables[0]!.fields['migrate_to_ram']!.text, 'gpux_migrate_to_ram');
		const pg = fn(file, 'gpux_pagemap_init').pgmaps;
		assert.equal(pg.length, 1);
		assert.equal(pg[0]!.fields['type']!.text, 'MEMORY_DEVICE_PRIVATE');
		assert.equal(pg[0]!.fields['owner']!.text, 'svm');
		const n = fn(file, 'gpux_invalidate').notifier!;
		assert.equal(n.rangeParam, 'range');
		assert.equal(n.inOpsTable, true);
		assert.deepEqual(n.eventTests.map((e) => [e.event, e.operator]), [['MMU_NOTIFY_MIGRATE', '==']]);
		assert.deepEqual(n.ownerTests.map((o) => [o.field, o.comparedTo]), [['owner', 'svm->owner']]);
		assert.equal(n.skipConditions.length, 1);
		const hr = fn(file, 'gpux_fault_range');
		assert.equal(hr.hmmRanges.length, 1);
		assert.equal(hr.hmmRanges[0]!.how, 'designated');
		assert.equal(hr.hmmRanges[0]!.fields['dev_private_owner']!.text, 'svm->owner');
		const hf = hr.calls.find((c) => c.kind === 'hmm-range-fault')!;
		assert.equal(hf.result.checked, true);
		const pin = fn(file, 'gpux_pin_buffer').calls.find((c) => c.kind === 'pin')!;
		assert.equal(pin.callee, 'pin_user_pages_fast');
		assert.deepEqual(pin.follFlags, ['FOLL_WRITE', 'FOLL_LONGTERM']);
	});

	it('records API identifiers on the patch lines, locals named like fields excluded', () => {
		const ids = post(f).identifiers;
		const names = new Set(ids.map((i) => i.name));
		for (const n of ['MIGRATE_VMA_SELECT_DEVICE_COHERENT', 'pgmap_owner', 'fault_page', 'dev_private_owner', 'migrate_vma_setup', 'MMU_NOTIFY_MIGRATE', 'FOLL_LONGTERM', 'cpages']) {
			assert.ok(names.has(n), n);
		}
		assert.ok(!ids.some((i) => i.name === 'npages' && i.role !== 'field'), 'local npages is not the field');
		const fp = ids.find((i) => i.name === 'fault_page')!;
		assert.equal(fp.role, 'field');
		assert.equal(textAt(mail, fp.loc), 'fault_page');
		assert.ok(ids.every((i) => i.loc.lineKind === '+'));
	});

	it('counts call sites: each setup, plus the helper taking part', () => {
		assert.equal(callSiteCount(f), 3);
	});
});

describe('extract: fragments of an existing file (gpux-dmem-update.patch)', () => {
	const mail = readFixture('gpux-dmem-update.patch');
	const FILE = 'gpux_dmem.c';
	let f: MessageFacts;
	before(() => {
		f = facts(mail);
	});

	it('extracts both images, post first', () => {
		assert.deepEqual(f.files.map((x) => x.image), ['post', 'pre']);
	});

	it('stitches hunks of one function and wraps fragments in a header from the hunk section', () => {
		const file = post(f);
		const mv = file.functions.filter((x) => x.name === 'gpux_dmem_migrate_vma');
		assert.equal(mv.length, 1);
		assert.equal(mv[0]!.hasRealHeader, false);
		assert.equal(mv[0]!.hasGaps, true);
		assert.equal(mv[0]!.complete, false);
		assert.equal(file.functions.filter((x) => x.name === 'gpux_dmem_migrate_to_ram').length, 1);
	});

	it('sees the fields a hunk adds and the old image without them', () => {
		const s = fn(post(f), 'gpux_dmem_migrate_vma').structs.find((x) => x.name === 'args')!;
		assert.equal(s.how, 'designated');
		assert.deepEqual(s.fields['flags']!.flags, ['MIGRATE_VMA_SELECT_SYSTEM']);
		assert.equal(s.fields['flags']!.loc.lineKind, '+');
		assert.equal(s.fields['vma']!.loc.lineKind, ' ');
		assert.equal(s.fields['pgmap_owner']!.loc.kernelLine, imageLineOf(mail, FILE, '.pgmap_owner\t= dmem,'));
		const old = fn(pre(f), 'gpux_dmem_migrate_vma').structs.find((x) => x.name === 'args')!;
		assert.equal(old.fields['flags'], undefined);
		assert.equal(old.fields['vma']!.loc.image, 'pre');
	});

	it('gives an initialiser whose head is outside the hunk to the struct the calls use', () => {
		const h = fn(post(f), 'gpux_dmem_migrate_to_ram');
		assert.equal(h.structs.length, 1);
		const s = h.structs[0]!;
		assert.equal(s.name, 'args');
		assert.equal(s.how, 'designated');
		assert.equal(s.fields['fault_page']!.text, 'vmf->page');
		assert.equal(s.fields['fault_page']!.loc.lineKind, '+');
		assert.equal(s.fields['fault_page']!.loc.kernelLine, imageLineOf(mail, FILE, '.fault_page'));
		assert.equal(h.migrateToRam!.faultPage!.text, 'vmf->page');
		assert.equal(fn(pre(f), 'gpux_dmem_migrate_to_ram').migrateToRam!.faultPage, undefined);
		assert.deepEqual(h.migrateToRam!.dstAllocs.map((a) => a.zeroed), [true]);
		assert.deepEqual(fn(pre(f), 'gpux_dmem_migrate_to_ram').migrateToRam!.dstAllocs.map((a) => a.zeroed), [false]);
	});

	it('keeps removed flags on the pre image only', () => {
		const w = fn(pre(f), 'gpux_dmem_copy_one').pfnWrites;
		assert.deepEqual(w.map((x) => [x.arrayText, x.flags, x.loc.lineKind]), [['dst', ['MIGRATE_PFN_LOCKED'], '-']]);
		assert.deepEqual(fn(post(f), 'gpux_dmem_copy_one').pfnWrites.map((x) => x.flags), [[]]);
		assert.ok(pre(f).identifiers.some((i) => i.name === 'MIGRATE_PFN_LOCKED' && i.loc.lineKind === '-'));
		assert.ok(!post(f).identifiers.some((i) => i.name === 'MIGRATE_PFN_LOCKED'));
	});

	it('follows paths in a fragment: an added early return, a goto to a label the patch does not show', () => {
		const exits = fn(post(f), 'gpux_dmem_migrate_vma').setupFlows[0]!.exits;
		const early = exits.find((e) => e.returnValue === '-EBUSY')!;
		assert.equal(early.loc.lineKind, '+');
		assert.equal(early.noPagesSelected, true);
		assert.equal(early.finalize, false);
		const failed = exits.find((e) => e.setupFailed)!;
		assert.equal(failed.kind, 'fragment-end');
		assert.deepEqual(failed.viaLabels, ['out_free_dst']);
		assert.ok(exits.some((e) => e.kind === 'fragment-end' && !e.setupFailed && e.structPassedTo.includes('gpux_dmem_migrate_chunk')));
	});
});

describe('extract: with a kernel tree', () => {
	const mail = readFixture('gpux-dmem-update.patch');
	const treeRoot = path.join(fixtureDir, 'tree');
	const tree = { readFile: (p: string): string | undefined => (fs.existsSync(path.join(treeRoot, p)) ? fs.readFileSync(path.join(treeRoot, p), 'utf8') : undefined) };
	const preFile = fs.readFileSync(path.join(treeRoot, 'drivers/gpu/drm/gpux/gpux_dmem.c'), 'utf8');

	it('takes whole functions from the file with the patch applied', () => {
		const f = facts(mail, { tree });
		const file = post(f);
		assert.equal(file.source, 'tree');
		const mv = fn(file, 'gpux_dmem_migrate_vma');
		assert.equal(mv.complete, true);
		assert.equal(mv.source, 'tree');
		// lines of the file the patch does not show are marked as such, with their post-image line
		const alloc = mv.calls.find((c) => c.kind === 'array-alloc')!;
		assert.equal(alloc.loc.lineKind, 'tree');
		const preLine = preFile.split('\n').findIndex((l) => l.includes('args.src = kcalloc')) + 1;
		assert.equal(alloc.loc.kernelLine, preLine + 2, 'two lines are added above it');
		assert.equal(alloc.loc.exact, false);
		// the whole chunk loop is visible now
		assert.equal(mv.chunkLoops.length, 1);
		const cl = mv.chunkLoops[0]!;
		assert.equal(cl.structVar, 'args');
		const end = cl.fieldAssigns.find((a) => a.field === 'end')!;
		assert.equal(end.text, 'start + (c << PAGE_SHIFT)');
		assert.ok(end.identifiers.includes('start'));
		assert.ok(!cl.advanced.includes('start'), 'start never moves');
		assert.ok(cl.advanced.includes('args.start') && cl.advanced.includes('i'));
		assert.equal(cl.updateText, 'i += c');
		assert.deepEqual(mv.sizeofs.map((s) => [s.text, s.dereferenced]), [['sizeof(args.src)', false], ['sizeof(args.dst)', false]]);
		// labels and the chunk helper are in view: the helper does pages and finalize
		const exits = mv.setupFlows[0]!.exits;
		assert.ok(exits.some((e) => e.setupFailed && e.kind === 'return' && e.viaLabels.join() === 'out_free_dst,out_free_src,out'));
		assert.ok(exits.some((e) => e.kind === 'next-setup' && e.pages && e.finalize));
		assert.ok(exits.some((e) => e.returnValue === '-EBUSY' && e.noPagesSelected && !e.finalize));
		assert.ok(fn(file, 'gpux_dmem_migrate_chunk').complete);
	});

	it('reads an already patched tree the same way', () => {
		const patched = (p: string): string | undefined => {
			const t = tree.readFile(p);
			return t === undefined ? undefined : t
				.replace('\t*dst = migrate_pfn(page_to_pfn(dpage)) | MIGRATE_PFN_LOCKED;', '\t*dst = migrate_pfn(page_to_pfn(dpage));')
				.replace('\t\t.start\t\t= start,\n\t};', '\t\t.start\t\t= start,\n\t\t.pgmap_owner\t= dmem,\n\t\t.flags\t\t= MIGRATE_VMA_SELECT_SYSTEM,\n\t};')
				.replace('\t\tif (args.cpages)\n\t\t\tgpux_dmem_migrate_chunk(dmem, &args);', '\t\tif (!args.cpages)\n\t\t\treturn -EBUSY;\n\t\tgpux_dmem_migrate_chunk(dmem, &args);')
				.replace('\t\t.flags\t\t= MIGRATE_VMA_SELECT_DEVICE_PRIVATE,\n\t};', '\t\t.flags\t\t= MIGRATE_VMA_SELECT_DEVICE_PRIVATE,\n\t\t.fault_page\t= vmf->page,\n\t};')
				.replace('alloc_page_vma(GFP_HIGHUSER, vmf', 'alloc_page_vma(GFP_HIGHUSER | __GFP_ZERO, vmf')
				.replace('\tdst = migrate_pfn(page_to_pfn(dpage)) | MIGRATE_PFN_LOCKED;', '\tdst = migrate_pfn(page_to_pfn(dpage));');
		};
		const a = facts(mail, { tree });
		const b = facts(mail, { tree: { readFile: patched } });
		assert.equal(post(b).source, 'tree');
		assert.deepEqual(project(b), project(a));
	});

	it('falls back to the hunks when the file does not match the patch', () => {
		const f = facts(mail, { tree: { readFile: () => 'int unrelated(void)\n{\n\treturn 0;\n}\n' } });
		assert.equal(post(f).source, 'patch');
		assert.deepEqual(project(f), project(facts(mail)));
	});

	it('survives a tree that throws', () => {
		const f = facts(mail, { tree: { readFile: () => { throw new Error('EACCES'); } } });
		assert.equal(post(f).source, 'patch');
	});
});

describe('extract: the callback API (gpux-old-api.patch)', () => {
	const mail = readFixture('gpux-old-api.patch');
	let f: MessageFacts;
	before(() => {
		f = facts(mail);
	});

	it('reads migrate_vma() with its ops table and callbacks', () => {
		const file = post(f);
		assert.deepEqual(file.tables.map((t) => [t.type, Object.keys(t.fields)]), [['migrate_vma_ops', ['alloc_and_copy', 'finalize_and_map']]]);
		assert.deepEqual(fn(file, 'gpux_alloc_and_copy').roles, ['alloc_and_copy']);
		assert.deepEqual(fn(file, 'gpux_finalize_and_map').roles, ['finalize_and_map']);
		const m = fn(file, 'gpux_migrate');
		const call = m.calls.find((c) => c.kind === 'old-migrate-vma')!;
		assert.equal(call.args[0], '&gpux_migrate_ops');
		assert.equal(call.result.kind, 'returned');
		assert.deepEqual(m.setupFlows, []);
		assert.deepEqual(m.arrays.map((a) => [a.target, a.how, a.countText, a.elementType]), [['src', 'stack', '64', 'unsigned long'], ['dst', 'stack', '64', 'unsigned long']]);
	});

	it('reads the callback loop over src/dst with the old flags', () => {
		const cb = fn(post(f), 'gpux_alloc_and_copy');
		const loop = cb.pfnLoops[0]!;
		assert.deepEqual(loop.arrays.map((a) => a.role).sort(), ['dst', 'src']);
		assert.deepEqual(cb.pfnWrites.map((w) => w.flags), [['MIGRATE_PFN_ERROR'], ['MIGRATE_PFN_LOCKED', 'MIGRATE_PFN_DEVICE']]);
		assert.equal(cb.pageUses[0]!.copied.length, 1);
		// the migrate_vma() call and its two callbacks
		assert.equal(callSiteCount(f), 3);
	});
});

describe('extract: the same facts from every form of a mail', () => {
	for (const name of ['gpux-migrate-new.patch', 'gpux-dmem-update.patch', 'gpux-old-api.patch']) {
		const plain = readFixture(name);
		const forms: Array<[string, string, number]> = [
			['quoted', quotedForm(plain), 1],
			['quoted twice', quotedForm(plain, 2), 2],
			['flattened', flattenedForm(plain), 1],
			['base64', base64Form(plain), 0],
		];
		for (const [form, text, depth] of forms) {
			it(`${name}: ${form}`, () => {
				const base = facts(plain);
				const other = facts(text);
				assert.deepEqual(project(other), project(base));
				assert.equal(callSiteCount(other), callSiteCount(base));
				const calls = other.files.flatMap((x) => x.functions.flatMap((y) => y.calls));
				assert.ok(calls.length > 0);
				for (const c of calls) {
					assert.equal(c.loc.quoteDepth, depth);
				}
				if (form === 'base64') {
					assert.ok(calls.every((c) => !c.loc.exact));
				} else {
					for (const c of calls) {
						assert.equal(c.loc.exact, true);
						assert.ok(textAt(text, c.loc).startsWith(c.callee + '('), `${form}: ${c.callee} at ${textAt(text, c.loc)}`);
					}
				}
			});
		}
	}
});

describe('extract: robustness', () => {
	it('ignores non-C files and binary diffs, and a message without diffs', () => {
		const mail = [
			'From: a@example.com', 'Subject: [PATCH] docs', '', 'text', '---',
			'diff --git a/Documentation/mm/hmm.rst b/Documentation/mm/hmm.rst', '--- a/Documentation/mm/hmm.rst', '+++ b/Documentation/mm/hmm.rst',
			'@@ -1,3 +1,3 @@', ' a', '-migrate_vma_setup(&args);', '+migrate_vma_setup(&x);', ' b', '',
		].join('\n');
		const f = facts(mail);
		assert.deepEqual(f.files, []);
		assert.equal(callSiteCount(f), 0);
		assert.deepEqual(facts('From: a@example.com\nSubject: hello\n\nno diff here\n').files, []);
	});

	it('does not throw on garbage hunks', () => {
		const body = ['@@ -1,4 +1,5 @@ }}}} ((((', ' }}} {', '+\tif (migrate_vma_setup(&a) {{{', '+ #if', ' )))', ' "unterminated', ''];
		const mail = ['From: a@example.com', 'Subject: [PATCH] x', '', '---', 'diff --git a/x.c b/x.c', '--- a/x.c', '+++ b/x.c', ...body].join('\n');
		const f = facts(mail);
		assert.equal(f.problems.length, 0);
		assert.ok(f.files.length > 0);
		const calls = f.files[0]!.functions.flatMap((x) => x.calls);
		assert.ok(calls.some((c) => c.kind === 'setup'));
	});

	it('folds node texts as the comment and blank expressions did, and a string of open comments in one pass', () => {
		const old = (t: string): string => (/[\s/]/.test(t) ? t.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/\s+/g, ' ').trim() : t);
		for (const t of ['a', 'x = a /* one */ + b; // two', 'f(a,\n\t  b /* c\n d */)', 'a /* open', '"/* in a string */"', '/**/x/***/', 'a/b']) {
			assert.equal(fold(t), old(t), t);
		}
		const open = `"${'/*b '.repeat(50_000)}"`;
		assert.equal(fold(open), open);
	});

	it('extractDocument keeps one entry per message', () => {
		const two = readFixture('gpux-old-api.patch') + '\n' + readFixture('gpux-dmem-update.patch');
		const doc = ingestText(two);
		const d = ex.extractDocument(doc);
		assert.equal(d.messages.length, doc.messages.length);
		assert.equal(callSiteCount(d), d.messages.reduce((n, m) => n + callSiteCount(m), 0));
	});
});
