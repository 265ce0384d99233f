import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, FIXABLE_RULES, quickFixesFor, withoutComments } from '../../server/src/core/features/quickFixes';
import { ingestText } from '../../server/src/core/ingest/index';
import type { Finding } from '../../server/src/core/findings';
import type { FunctionFacts } from '../../server/src/core/extract/types';
import { ALL_RULES } from '../../server/src/core/rules/index';
import { corpusFiles, haveCorpus } from '../corpus';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACME, EXAMPLE, analyse, findingAt, lineOf, quoted, type Analysed } from '../featureHarness';

function fixes(a: Analysed, f: Finding) {
	return quickFixesFor(f, { analysis: a.analysis, lines: a.lines });
}

/** Applies the only fix, re-reads the result and checks every hunk's counts still match its header. */
async function applyOnly(a: Analysed, f: Finding, kernel?: string): Promise<Analysed> {
	const list = fixes(a, f);
	assert.equal(list.length, 1, `fixes: ${list.map((x) => x.title).join(', ')}`);
	const out = applyEdits(a.text, list[0].edits);
	const doc = ingestText(out);
	for (const m of doc.messages) {
		for (const file of m.files) {
			for (const h of file.hunks) {
				assert.notEqual(h.countsMatch, false, `hunk ${h.header.text} counts after the fix`);
			}
		}
	}
	return analyse(out, { kernel });
}

function fn(a: Analysed, name: string): FunctionFacts {
	const all = a.analysis.messages.flatMap((m) => (m.facts?.files ?? []).filter((f) => f.image === 'post').flatMap((f) => f.functions));
	const hit = all.find((x) => x.name === name);
	assert.ok(hit, `function ${name}`);
	return hit;
}

/** Lines of `after` that are not in `before` (the inserted or changed lines). */
function newLines(before: string, after: string): string[] {
	const old = new Set(before.split('\n'));
	return after.split('\n').filter((l) => !old.has(l));
}

describe('quick fixes', () => {
	let example: Analysed;
	let acme: Analysed;
	before(async () => {
		example = await analyse(EXAMPLE());
		acme = await analyse(ACME(), { kernel: '6.8' });
	});

	it('adds the missing selection flags to a designated initialiser, aligned like its neighbours', async () => {
		const f = findingAt('missing-select-flags', example, lineOf(example.text, 'migrate_vma_setup(&args)'));
		const [fix] = fixes(example, f);
		assert.equal(fix.title, 'Add flags = MIGRATE_VMA_SELECT_SYSTEM');
		const after = await applyOnly(example, f);
		assert.deepEqual(newLines(example.text, after.text), [
			'@@ -212,6 +212,80 @@ static int gpux_svm_map_range(struct gpux_svm *svm, struct gpux_range *r)',
			'+\t\t.flags\t\t= MIGRATE_VMA_SELECT_SYSTEM,',
		]);
		assert.equal(lineOf(after.text, '.flags'), lineOf(example.text, '.end\t\t= end,') + 1);
		const s = fn(after, 'gpux_migrate_chunk').structs[0];
		assert.deepEqual(s.fields.flags?.flags, ['MIGRATE_VMA_SELECT_SYSTEM']);
	});

	it('keeps the quote prefix when fixing a quoted patch', async () => {
		for (const depth of [1, 2]) {
			const q = await analyse(quoted(EXAMPLE(), depth));
			const f = findingAt('missing-select-flags', q, lineOf(q.text, 'migrate_vma_setup(&args)'), { quoteDepth: depth });
			const after = await applyOnly(q, f);
			const prefix = '> '.repeat(depth);
			assert.deepEqual(newLines(q.text, after.text), [
				`${prefix}@@ -212,6 +212,80 @@ static int gpux_svm_map_range(struct gpux_svm *svm, struct gpux_range *r)`,
				`${prefix}+\t\t.flags\t\t= MIGRATE_VMA_SELECT_SYSTEM,`,
			]);
		}
	});

	it('keeps CRLF line breaks', async () => {
		const crlf = await analyse(EXAMPLE().replace(/\n/g, '\r\n'));
		const f = findingAt('missing-select-flags', crlf, lineOf(crlf.text, 'migrate_vma_setup(&args)'));
		const [fix] = fixes(crlf, f);
		const out = applyEdits(crlf.text, fix.edits);
		assert.ok(out.includes('\t\t.end\t\t= end,\r\n+\t\t.flags\t\t= MIGRATE_VMA_SELECT_SYSTEM,\r\n'));
		assert.equal(out.replace(/\r\n/g, '').includes('\n'), false);
	});

	it('selects device-private pages in a migrate_to_ram handler', async () => {
		const noFlags = ACME().replace('\t\t.flags\t\t= MIGRATE_VMA_SELECT_DEVICE_PRIVATE,\n', '').replace('+40,87 @@', '+40,86 @@');
		const a = await analyse(noFlags, { kernel: '6.8' });
		const f = findingAt('missing-select-flags', a, lineOf(a.text, 'migrate_vma_setup(&args)'));
		const after = await applyOnly(a, f, '6.8');
		assert.deepEqual(fn(after, 'acme_dmem_migrate_to_ram').structs[0].fields.flags?.flags, ['MIGRATE_VMA_SELECT_DEVICE_PRIVATE']);
	});

	it('offers no flags before 5.9, nor when flags are set', async () => {
		const old = await analyse(EXAMPLE(), { kernel: '5.8' });
		assert.deepEqual(fixes(old, findingAt('missing-select-flags', old, lineOf(old.text, 'migrate_vma_setup(&args)'))), []);
		assert.deepEqual(fixes(acme, findingAt('missing-select-flags', acme, lineOf(acme.text, 'migrate_vma_setup(&args)'))), []);
	});

	it('adds fault_page = vmf->page to a migrate_to_ram handler on 6.1+', async () => {
		const f = findingAt('fault-page-missing', acme, lineOf(acme.text, 'migrate_vma_setup(&args)'));
		const [fix] = fixes(acme, f);
		assert.equal(fix.title, 'Add fault_page = vmf->page');
		const after = await applyOnly(acme, f, '6.8');
		assert.equal(fn(after, 'acme_dmem_migrate_to_ram').structs[0].fields.fault_page?.text, 'vmf->page');
		assert.ok(newLines(acme.text, after.text).includes('+\t\t.fault_page\t= vmf->page,'));
		const old = await analyse(ACME(), { kernel: '5.15' });
		assert.deepEqual(fixes(old, findingAt('fault-page-missing', old, lineOf(old.text, 'migrate_vma_setup(&args)'))), []);
	});

	it('adds pgmap_owner from the owner the patch uses elsewhere, as an assignment', async () => {
		const f = findingAt('missing-pgmap-owner', acme, lineOf(acme.text, 'migrate_vma_setup(&mig)'));
		const [fix] = fixes(acme, f);
		assert.equal(fix.title, 'Add pgmap_owner = dmem->owner');
		const after = await applyOnly(acme, f, '6.8');
		assert.equal(lineOf(after.text, '\tmig.pgmap_owner = dmem->owner;'), lineOf(acme.text, 'mig.src_owner = dmem->owner;') + 1);
		assert.equal(fn(after, 'acme_migrate_to_vram').structs[0].fields.pgmap_owner?.text, 'dmem->owner');
		// The example names no owner anywhere: no guess.
		assert.deepEqual(fixes(example, findingAt('missing-pgmap-owner', example, lineOf(example.text, 'migrate_vma_setup(&args)'))), []);
	});

	it('renames fields to what the target kernel calls them, in both directions', async () => {
		const f = findingAt('api-not-in-kernel', acme, lineOf(acme.text, 'mig.src_owner'));
		const [fix] = fixes(acme, f);
		assert.equal(fix.title, 'Rename src_owner to pgmap_owner (Linux 6.8)');
		const after = await applyOnly(acme, f, '6.8');
		assert.ok(after.text.includes('\tmig.pgmap_owner = dmem->owner;\n'));

		const notifier = findingAt('api-not-in-kernel', acme, lineOf(acme.text, 'range->migrate_pgmap_owner'));
		const [n] = fixes(acme, notifier);
		assert.equal(n.title, 'Rename migrate_pgmap_owner to owner (Linux 6.8)');
		assert.ok(applyEdits(acme.text, n.edits).includes('\t    range->owner == svm->dmem->owner)\n'));

		const old = await analyse(ACME(), { kernel: '5.8' });
		const back = findingAt('api-not-in-kernel', old, lineOf(old.text, '.pgmap_owner\t= dmem->owner'));
		const [b] = fixes(old, back);
		assert.equal(b.title, 'Rename pgmap_owner to src_owner (Linux 5.8)');
		assert.ok(applyEdits(old.text, b.edits).includes('+\t\t.src_owner\t= dmem->owner,\n'));
	});

	it('drops MIGRATE_PFN_LOCKED on 5.16+ only', async () => {
		const f = findingAt('api-not-in-kernel', acme, lineOf(acme.text, 'MIGRATE_PFN_LOCKED'));
		const list = fixes(acme, f);
		assert.equal(list.length, 1);
		assert.match(list[0].title, /^Drop MIGRATE_PFN_LOCKED/);
		const out = applyEdits(acme.text, list[0].edits);
		assert.ok(out.includes('+\t\tmig.dst[i] = migrate_pfn(page_to_pfn(dpage));\n'));
		const old = await analyse(ACME(), { kernel: '5.15' });
		assert.deepEqual(fixes(old, findingAt('api-not-in-kernel', old, lineOf(old.text, 'MIGRATE_PFN_LOCKED'))), []);
	});

	it('adds migrate_vma_pages/finalize before an error return after setup', async () => {
		const f = findingAt('finalize-missing', acme, lineOf(acme.text, 'return -ENOMEM;'));
		const [fix] = fixes(acme, f);
		assert.equal(fix.title, 'Add migrate_vma_pages() and migrate_vma_finalize() before leaving after a successful setup');
		const after = await applyOnly(acme, f, '6.8');
		assert.deepEqual(newLines(acme.text, after.text), [
			'@@ -40,6 +40,89 @@ struct acme_dmem {',
			'+\t\t\tmigrate_vma_pages(&mig);',
			'+\t\t\tmigrate_vma_finalize(&mig);',
		]);
		const flow = fn(after, 'acme_migrate_to_vram').setupFlows[0];
		assert.ok(flow.exits.filter((e) => !e.setupFailed).every((e) => e.finalize), 'every exit after a successful setup finalizes');
	});

	it('adds finalize before the goto of a shared cleanup label, not after the label', async () => {
		const f = findingAt('finalize-missing', example, lineOf(example.text, 'return ret;', lineOf(example.text, 'out_free:')));
		const after = await applyOnly(example, f);
		const added = newLines(example.text, after.text);
		assert.equal(added.length, 3);
		const gotoLine = lineOf(after.text, 'goto out_free;', lineOf(after.text, 'gpux_vram_alloc_page'));
		assert.equal(lineOf(after.text, 'migrate_vma_finalize(&args);', lineOf(after.text, 'gpux_vram_alloc_page')), gotoLine - 1);
		const flow = fn(after, 'gpux_migrate_chunk').setupFlows[0];
		assert.ok(flow.exits.filter((e) => !e.setupFailed).every((e) => e.finalize));
	});

	it('offers no finalize fix where a new line would change another path', async () => {
		const unbraced = ACME().replace('\t\tif (!dpage) {\n+\t\t\treturn -ENOMEM;\n+\t\t}\n', '\t\tif (!dpage)\n+\t\t\treturn -ENOMEM;\n').replace('+40,87 @@', '+40,86 @@');
		assert.notEqual(unbraced, ACME());
		const a = await analyse(unbraced, { kernel: '6.8' });
		assert.deepEqual(fixes(a, findingAt('finalize-missing', a, lineOf(a.text, 'return -ENOMEM;'))), []);
	});

	it('offers nothing for text it cannot edit verbatim (base64 bodies)', async () => {
		const text = EXAMPLE();
		const split = text.indexOf('\n\n');
		const body = Buffer.from(text.slice(split + 2)).toString('base64').replace(/.{76}/g, '$&\n');
		const b64 = `${text.slice(0, split)}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${body}\n`;
		const a = await analyse(b64);
		const setup = a.analysis.messages[0].facts?.files.flatMap((f) => f.functions).flatMap((x) => x.calls).find((c) => c.kind === 'setup');
		assert.ok(setup, 'the base64 body is decoded and analysed');
		for (const rule of FIXABLE_RULES) {
			const f = findingAt(rule, a, setup.loc.line);
			assert.deepEqual(fixes(a, f), [], rule);
		}
	});

	it('passes the rule\'s own fixes through, first', () => {
		const own = { title: 'Rule fix', edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'x' }] };
		const f = findingAt('missing-select-flags', example, lineOf(example.text, 'migrate_vma_setup(&args)'), { fixes: [own] });
		const list = fixes(example, f);
		assert.equal(list[0], own);
		assert.equal(list.length, 2);
		assert.deepEqual(fixes(example, findingAt('no-such-rule', example, 0)), []);
	});

	it('offers fixes for real findings of the registered rules', { skip: ALL_RULES.some((r) => FIXABLE_RULES.includes(r.id)) ? false : 'no fixable rule registered yet' }, async () => {
		const a = await analyse(EXAMPLE(), { rules: ALL_RULES });
		const fixable = a.analysis.findings.filter((f) => FIXABLE_RULES.includes(f.rule));
		for (const f of fixable) {
			for (const fix of fixes(a, f)) {
				const out = ingestText(applyEdits(a.text, fix.edits));
				for (const file of out.messages.flatMap((m) => m.files)) {
					for (const h of file.hunks) {
						assert.notEqual(h.countsMatch, false, `${f.rule}: ${fix.title}`);
					}
				}
			}
		}
	});
});

describe('quick fixes on the corpus', { skip: haveCorpus ? false : 'corpus not found' }, () => {
	it('only add or change + lines and hunk headers, and never break a hunk', async (t) => {
		let offered = 0;
		for (const file of corpusFiles('mail')) {
			const text = fs.readFileSync(file, 'utf8');
			const a = await analyse(text, { rules: ALL_RULES });
			const mismatched = (t: string) => ingestText(t).messages.flatMap((m) => m.files).flatMap((f) => f.hunks).filter((h) => h.countsMatch === false).length;
			const before = mismatched(text);
			for (const f of a.analysis.findings) {
				for (const fix of fixes(a, f)) {
					offered++;
					for (const e of fix.edits) {
						const line = a.lines.lineAt(e.range.start.line);
						const body = line.replace(/^(?:> ?)*/, '');
						const inserted = e.range.start.character === 0 && e.range.end.character === 0 && e.range.start.line === e.range.end.line;
						assert.ok(inserted ? /^((?:> ?)*\+[^\n]*(\r?\n))+$/.test(e.newText) : /^[+@]/.test(body), `${path.basename(file)}: ${fix.title} edits ${JSON.stringify(line)}`);
					}
					const after = applyEdits(text, fix.edits);
					assert.ok(mismatched(after) <= before, `${path.basename(file)}: ${fix.title} breaks a hunk`);
				}
			}
		}
		t.diagnostic(`fixes offered on the corpus: ${offered}`);
	});
});

describe('applyEdits', () => {
	it('applies edits from the end so positions stay valid', () => {
		const out = applyEdits('ab\ncd\n', [
			{ range: { start: { line: 0, character: 1 }, end: { line: 0, character: 1 } }, newText: 'X' },
			{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } }, newText: 'YZ' },
		]);
		assert.equal(out, 'aXb\nYZ\n');
	});
});

describe('comments of a line before an exit', () => {
	it('are removed as /\\/\\*.*\\*\\/|\\/\\/.*$/g removed them, and a line of 100 000 open comments at once', () => {
		const old = (t: string): string => t.replace(/\/\*.*\*\/|\/\/.*$/g, '');
		const lines = ['\tif (ret) /* failed */', '\tx = 1; // done', 'a /* b */ c /* d */ e', 'a /* b', 'a */ b', '/*/ x', '//', 'a // b /* c */', 'a /* b */ // c', 'a /* b\u2028 c */ d', 'a // b\u2028c', ''];
		for (const t of lines) {
			assert.equal(withoutComments(t), old(t), t);
		}
		assert.equal(withoutComments('/* '.repeat(100_000)), '/* '.repeat(100_000));
	});
});
