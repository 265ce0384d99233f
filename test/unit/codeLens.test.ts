import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { lensNear, rangePages, setupCallLenses, DEFAULT_LENS_PAGES } from '../../server/src/core/features/codeLens';
import { simulate, validateScenario } from '../../server/src/core/model/simulate';
import type { SetupStep } from '../../server/src/core/model/scenario';
import { ACME, EXAMPLE, analyse, lineOf, posOf, quoted, type Analysed } from '../featureHarness';

function setupStep(s: { steps: unknown[] }): SetupStep {
	return s.steps[0] as SetupStep;
}

describe('code lenses', () => {
	let example: Analysed;
	let acme: Analysed;
	let acme58: Analysed;
	before(async () => {
		example = await analyse(EXAMPLE());
		acme = await analyse(ACME(), { kernel: '6.8' });
		acme58 = await analyse(ACME(), { kernel: '5.8' });
	});

	it('puts one lens on each migrate_vma_setup call, at the call', () => {
		const lenses = setupCallLenses(example.analysis);
		assert.equal(lenses.length, 1);
		const l = lenses[0];
		const at = posOf(example.text, 'migrate_vma_setup(&args)');
		assert.deepEqual(l.range.start, at);
		assert.equal(l.origin.line, at.line + 1);
		assert.equal(l.origin.callText, 'migrate_vma_setup(&args)');
		assert.equal(l.origin.subject, '[PATCH v2 3/5] drm/gpux: migrate SVM ranges to VRAM on GPU fault');
		assert.equal(setupCallLenses(acme.analysis).length, 2);
	});

	it('builds a valid Contract 2 scenario in the message\'s kernel', () => {
		for (const a of [example, acme, acme58]) {
			for (const l of setupCallLenses(a.analysis)) {
				assert.deepEqual(validateScenario(l.scenario).errors, [], l.summary);
				assert.equal(l.scenario.kernel, a.analysis.messages[0].kernel.text);
				const r = simulate(l.scenario);
				assert.deepEqual(r.errors, []);
				assert.equal(r.steps[0].op, 'setup');
			}
		}
	});

	it('shows a struct without flags selecting only holes (5.9+)', () => {
		const l = setupCallLenses(example.analysis)[0];
		assert.deepEqual(setupStep(l.scenario).flags, []);
		assert.equal(setupStep(l.scenario).pgmapOwner, null);
		assert.match(l.summary, /no flags \(only holes\)/);
		assert.match(l.summary, /no pgmap_owner/);
		assert.match(l.summary, new RegExp(`range unknown \\(${DEFAULT_LENS_PAGES} pages shown\\)`));
		const r = simulate(l.scenario);
		const src = r.steps[0].src ?? [];
		assert.ok(src.length > 0);
		// Nothing with a page is collected: only empty slots carry MIGRATE.
		assert.ok(src.every((e) => !e.flags.includes('VALID')));
		assert.ok(src.some((e) => e.flags.includes('MIGRATE')));
	});

	it('assumes the usual flags and owner when the patch does not show how the struct is set up', async () => {
		// Only the range is changed; `args` is declared and filled above the hunk (as in nouveau's
		// "fix to migrate all requested pages"): its flags are not 0, they are out of view.
		const hidden = await analyse([
			'From: Dev <dev@example.org>',
			'Subject: [PATCH] drm/gpux: migrate the whole range',
			'',
			'diff --git a/drivers/gpu/drm/gpux/gpux_svm.c b/drivers/gpu/drm/gpux/gpux_svm.c',
			'--- a/drivers/gpu/drm/gpux/gpux_svm.c',
			'+++ b/drivers/gpu/drm/gpux/gpux_svm.c',
			'@@ -100,6 +100,7 @@ static int gpux_migrate_range(struct gpux_svm *svm, unsigned long start, unsigned long end)',
			' \tfor (addr = start; addr < end; addr += max << PAGE_SHIFT) {',
			'-\t\targs.end = start + (max << PAGE_SHIFT);',
			'+\t\targs.start = addr;',
			'+\t\targs.end = min(end, addr + (max << PAGE_SHIFT));',
			' \t\tret = migrate_vma_setup(&args);',
			' \t\tif (ret)',
			' \t\t\tgoto out;',
			'',
		].join('\n'), { kernel: '6.8' });
		const l = setupCallLenses(hidden.analysis)[0]!;
		const st = setupStep(l.scenario);
		assert.deepEqual(st.flags, ['SYSTEM']);
		assert.equal(st.pgmapOwner, 'this-device');
		assert.match(l.summary, /flags not shown \(SYSTEM assumed\)/);
		assert.match(l.summary, /pgmap_owner not shown \(this-device assumed\)/);
		assert.match(String(l.scenario.notes), /does not show how the struct is set up.*MIGRATE_VMA_SELECT_SYSTEM.*pgmap_owner this-device/);
		// System pages are collected, as they are in the driver; with flags 0 only holes would be.
		const src = simulate(l.scenario).steps[0].src ?? [];
		assert.ok(src.some((e) => e.flags.includes('VALID') && e.flags.includes('MIGRATE')));
		// A struct set up in full view keeps what the code says: no flags is no flags.
		const shown = setupCallLenses(example.analysis)[0]!;
		assert.equal(shown.scenario.notes, undefined);
		assert.deepEqual(setupStep(shown.scenario).flags, []);
	});

	it('reads flags, owner and a one-page range from a migrate_to_ram handler', () => {
		const l = setupCallLenses(acme.analysis).find((x) => x.origin.line === lineOf(acme.text, 'migrate_vma_setup(&args)') + 1)!;
		const st = setupStep(l.scenario);
		assert.deepEqual(st.flags, ['DEVICE_PRIVATE']);
		assert.equal(st.pgmapOwner, 'dmem->owner');
		assert.equal(st.count, 1);
		assert.equal(st.faultPage, undefined);
		assert.equal(l.scenario.pages[0].state, 'device-private');
		assert.equal(l.scenario.pages[0].owner, 'dmem->owner');
		assert.deepEqual(l.scenario.steps[1], { op: 'copy', to: 'system', skip: [] });
		assert.match(l.summary, /flags DEVICE_PRIVATE · owner dmem->owner · no fault_page · 1 page$/);
		const r = simulate(l.scenario);
		assert.deepEqual(r.steps[0].src?.[0].flags.slice(0, 2), ['VALID', 'MIGRATE']);
	});

	it('reads a constant range length and the kernel-specific owner field', () => {
		const now = setupCallLenses(acme.analysis).find((x) => x.origin.callText === 'migrate_vma_setup(&mig)')!;
		assert.equal(setupStep(now.scenario).count, 16);
		// On 6.8 src_owner does not exist: the struct has neither flags nor pgmap_owner.
		assert.deepEqual(setupStep(now.scenario).flags, []);
		assert.equal(setupStep(now.scenario).pgmapOwner, null);
		const old = setupCallLenses(acme58.analysis).find((x) => x.origin.callText === 'migrate_vma_setup(&mig)')!;
		const st = setupStep(old.scenario);
		assert.equal(st.srcOwner, 'dmem->owner');
		assert.equal(st.flags, undefined);
		assert.match(old.summary, /src_owner dmem->owner \(device pages only\)/);
	});

	it('computes range lengths only when the code says them', () => {
		const fns = acme.analysis.messages[0].facts!.files.filter((f) => f.image === 'post').flatMap((f) => f.functions);
		const handler = fns.find((f) => f.name === 'acme_dmem_migrate_to_ram')!;
		const vram = fns.find((f) => f.name === 'acme_migrate_to_vram')!;
		assert.equal(rangePages(handler.structs[0], handler), 1);
		assert.equal(rangePages(vram.structs[0], vram), 16);
		const gpux = example.analysis.messages[0].facts!.files.flatMap((f) => f.functions).find((f) => f.name === 'gpux_migrate_chunk')!;
		assert.equal(rangePages(gpux.structs[0], gpux), undefined);
	});

	it('finds the call for Simulate at Cursor', () => {
		const inVram = lensNear(acme.analysis, posOf(acme.text, 'mig.dst[i] = migrate_pfn'));
		assert.equal(inVram?.origin.callText, 'migrate_vma_setup(&mig)');
		const inHandler = lensNear(acme.analysis, posOf(acme.text, 'dst = migrate_pfn(page_to_pfn(dpage));'));
		assert.equal(inHandler?.origin.callText, 'migrate_vma_setup(&args)');
		const top = lensNear(acme.analysis, { line: 0, character: 0 });
		assert.equal(top?.origin.callText, 'migrate_vma_setup(&args)');
	});

	it('puts lenses on quoted calls too, with the quote depth', async () => {
		const q = await analyse(quoted(EXAMPLE(), 1));
		const lenses = setupCallLenses(q.analysis);
		assert.equal(lenses.length, 1);
		assert.equal(lenses[0].quoteDepth, 1);
		assert.deepEqual(lenses[0].range.start, posOf(q.text, 'migrate_vma_setup(&args)'));
	});

	it('has no lens where there is no call', async () => {
		const a = await analyse('From: a@b\nSubject: hello\n\nJust text, no diff.\n');
		assert.deepEqual(setupCallLenses(a.analysis), []);
		assert.equal(lensNear(a.analysis, { line: 3, character: 0 }), undefined);
	});
});
