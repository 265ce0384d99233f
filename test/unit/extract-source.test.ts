/*
 * Turning hunks into parseable units (extract/source.ts): hunk sections, wrappers for fragments,
 * stitching of hunks of one function, the kernel-tree unit, and mapping back to the document.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ingestText } from '../../server/src/core/ingest/index';
import type { FileDiff } from '../../server/src/core/ingest/types';
import { GAP_MARK, INIT_TYPE, openCallName, parseSection, patchUnits, positionIn, treeUnit, type Unit } from '../../server/src/core/extract/source';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixtureDir, imageLineOf, readFixture } from '../fixtures/extract/helpers';

function fileOf(diff: string[]): FileDiff {
	const mail = ['From: a@example.com', 'Subject: [PATCH] t', '', '---', 'diff --git a/d/x.c b/d/x.c', '--- a/d/x.c', '+++ b/d/x.c', ...diff, ''].join('\n');
	const doc = ingestText(mail);
	return doc.messages[0]!.files[0]!;
}

const texts = (u: Unit): string[] => u.lines.map((l) => l.text);
const kinds = (u: Unit): string => u.lines.map((l) => (l.kind === 'synthetic' ? 'S' : l.kind === ' ' ? '=' : l.kind)).join('');

describe('extract source: hunk sections', () => {
	it('reads function signatures, cut-off ones, K&R-style return types and openers', () => {
		assert.deepEqual(parseSection(' static int gpux_bind(struct gpux *g, unsigned long start)'), { kind: 'function', name: 'gpux_bind', header: 'static int gpux_bind(struct gpux *g, unsigned long start) {' });
		assert.deepEqual(parseSection(' static vm_fault_t gpux_fault(struct vm_fault *vmf,'), { kind: 'function', name: 'gpux_fault', header: 'static vm_fault_t gpux_fault(struct vm_fault *vmf) {' });
		assert.deepEqual(parseSection(' gpux_migrate(struct gpux *g, struct vm_area_struct *vma,'), { kind: 'function', name: 'gpux_migrate', header: 'int gpux_migrate(struct gpux *g, struct vm_area_struct *vma) {' });
		assert.deepEqual(parseSection(' gpux_migrate(struct gpux *g, struct vm_are'), { kind: 'function', name: 'gpux_migrate', header: 'int gpux_migrate(struct gpux *g) {' });
		assert.deepEqual(parseSection(' static void gpux_x(struct very_long_type_name_that_git_cut'), { kind: 'function', name: 'gpux_x', header: 'static void gpux_x(void) {' });
		assert.deepEqual(parseSection(' static const struct dev_pagemap_ops gpux_ops = {'), { kind: 'opener', header: 'static const struct dev_pagemap_ops gpux_ops = {', closer: '};' });
		assert.deepEqual(parseSection(' struct gpux_dmem {'), { kind: 'opener', header: 'struct gpux_dmem {', closer: '};' });
		assert.equal(parseSection(''), undefined);
		assert.equal(parseSection(' out:'), undefined);
		assert.equal(parseSection(' if (ret) {'), undefined);
		assert.equal(parseSection(' ret = gpux_call(a, b);'), undefined);
	});
});

describe('extract source: units from hunks', () => {
	it('wraps a hunk that starts inside a body in a header named by the section', () => {
		const f = fileOf([
			'@@ -10,4 +10,5 @@ static int gpux_bind(struct gpux *g)',
			' \tret = migrate_vma_setup(&args);',
			'+\tWARN_ON(ret);',
			' \tif (ret)',
			' \t\treturn ret;',
			' \treturn 0;',
		]);
		const [u, ...rest] = patchUnits(f, 'post');
		assert.equal(rest.length, 0);
		assert.equal(u!.sectionName, 'gpux_bind');
		assert.equal(texts(u!)[0], 'static int gpux_bind(struct gpux *g) {');
		assert.equal(kinds(u!), 'S=+===S');
		assert.equal(u!.lines[u!.lines.length - 1]!.fragmentEnd, true);
		assert.deepEqual(u!.lines.filter((l) => l.diff).map((l) => l.kernelLine), [10, 11, 12, 13, 14]);
		const pre = patchUnits(f, 'pre')[0]!;
		assert.equal(kinds(pre), 'S====S');
		assert.deepEqual(pre.lines.filter((l) => l.diff).map((l) => l.kernelLine), [10, 11, 12, 13]);
	});

	it('opens as many blocks as the hunk closes, and none for file-scope code', () => {
		const f = fileOf([
			'@@ -30,6 +30,7 @@ static int gpux_bind(struct gpux *g)',
			' \t\t\tbreak;',
			'+\t\t\tgpux_note(g);',
			' \t\t}',
			' \t}',
			' \treturn 0;',
			' }',
			' ',
			'@@ -90,3 +91,4 @@ static int gpux_other(void)',
			' ',
			'+#define GPUX_X 1',
			' static int gpux_last;',
			' ',
		]);
		const us = patchUnits(f, 'post');
		assert.equal(us.length, 2);
		assert.equal(texts(us[0]!)[0], 'static int gpux_bind(struct gpux *g) { { {');
		assert.equal(us[0]!.lines[us[0]!.lines.length - 1]!.fragmentEnd, undefined, 'the function closes inside the hunk');
		assert.equal(kinds(us[1]!), '=+==');
	});

	it('stitches two hunks of one function with a placeholder for the lines between', () => {
		const f = fileOf([
			'@@ -10,4 +10,5 @@ static int gpux_bind(struct gpux *g)',
			' \tret = migrate_vma_setup(&args);',
			' \tif (ret) {',
			'+\t\tgpux_log(g);',
			' \t\treturn ret;',
			' \t}',
			'@@ -40,3 +41,4 @@ static int gpux_bind(struct gpux *g)',
			' \tmigrate_vma_pages(&args);',
			'+\tgpux_map(g);',
			' \tmigrate_vma_finalize(&args);',
			' \treturn 0;',
		]);
		const us = patchUnits(f, 'post');
		assert.equal(us.length, 1);
		const gap = us[0]!.lines.find((l) => l.gap)!;
		assert.equal(gap.text, `${GAP_MARK} 26 lines not in the patch */`);
		assert.equal(kinds(us[0]!), 'S==+==S=+==S');
	});

	it('keeps hunks of different functions apart, closing what the first left open', () => {
		const f = fileOf([
			'@@ -10,2 +10,3 @@ static int gpux_bind(struct gpux *g)',
			' \tif (ret) {',
			'+\t\tgpux_log(g);',
			' \t\treturn ret;',
			'@@ -14,2 +15,3 @@ static int gpux_unbind(struct gpux *g)',
			' \tgpux_stop(g);',
			'+\tgpux_log(g);',
			' \treturn 0;',
		]);
		const us = patchUnits(f, 'post');
		assert.equal(us.length, 2);
		assert.equal(texts(us[0]!)[texts(us[0]!).length - 1], '}}');
		assert.equal(us[1]!.sectionName, 'gpux_unbind');
	});

	it('stitches a close hunk when the section says nothing, and rebalances the depth', () => {
		const f = fileOf([
			'@@ -10,2 +10,3 @@',
			' \tif (ret) {',
			'+\t\tgpux_log(g);',
			' \t\treturn ret;',
			'@@ -20,3 +21,3 @@',
			' \tgpux_stop(g);',
			'-\tgpux_old(g);',
			'+\tgpux_new(g);',
			' \treturn 0;',
		]);
		const us = patchUnits(f, 'post');
		assert.equal(us.length, 1);
		assert.equal(texts(us[0]!)[0], 'void __ml_fragment(void) {');
		assert.equal(us[0]!.lines.find((l) => l.gap)!.text, `${GAP_MARK} 8 lines not in the patch */ }`);
	});

	it('gives a hunk inside an initialiser a made-up initialiser head', () => {
		const f = fileOf([
			'@@ -5,4 +5,5 @@ static void gpux_fault(struct vm_fault *vmf)',
			' \t\t.vma\t\t= vmf->vma,',
			'+\t\t.fault_page\t= vmf->page,',
			' \t};',
			' \tint ret;',
			' ',
		]);
		const u = patchUnits(f, 'post')[0]!;
		assert.equal(texts(u)[0], `static void gpux_fault(struct vm_fault *vmf) { struct ${INIT_TYPE} __ml_init = {`);
	});

	it('gives a hunk that starts with the body brace the signature from the section', () => {
		const f = fileOf([
			'@@ -50,3 +50,4 @@ gpux_migrate(struct gpux *g,',
			' {',
			'+\tgpux_log(g);',
			' \treturn 0;',
			' }',
		]);
		const u = patchUnits(f, 'post')[0]!;
		assert.equal(texts(u)[0], 'int gpux_migrate(struct gpux *g)');
		assert.equal(kinds(u), 'S=+==');
		// the section's header without its ` {`, as .replace(/\s*\{$/, '') left it
		const spaced = patchUnits(fileOf(['@@ -50,3 +50,4 @@ static int gpux_m(int a,\t  int b)', ' {', '+\tgpux_log(g);', ' \treturn 0;', ' }']), 'post')[0]!;
		assert.equal(texts(spaced)[0], parseSection('static int gpux_m(int a,\t  int b)')!.header.replace(/\s*\{$/, ''));
	});

	it('does not count braces in comments, strings and macro continuations', () => {
		const f = fileOf([
			'@@ -1,6 +1,7 @@',
			' #define GPUX_INIT { \\',
			' \t.a = 1, \\',
			' }',
			'+/* { not a block */',
			' static const char *s = "{";',
			' static int x;',
			' ',
		]);
		const u = patchUnits(f, 'post')[0]!;
		assert.equal(u.lines[0]!.kind, ' ', 'no wrapper');
		assert.equal(u.lines[u.lines.length - 1]!.kind, ' ', 'no closer');
	});
});

describe('extract source: units from a kernel tree', () => {
	const mail = readFixture('gpux-dmem-update.patch');
	const file = ingestText(mail).messages[0]!.files[0]!;
	const before = fs.readFileSync(path.join(fixtureDir, 'tree', 'drivers/gpu/drm/gpux/gpux_dmem.c'), 'utf8');

	it('applies the patch to the pre-image file and numbers both images', () => {
		const post = treeUnit(file, 'post', before)!;
		const pre = treeUnit(file, 'pre', before)!;
		const lines = before.split('\n').length - 1;
		assert.equal(pre.lines.length, lines);
		assert.equal(post.lines.length, lines + 9 - 5);
		assert.equal(pre.text, before);
		assert.ok(post.lines.every((l, i) => l.kernelLine === i + 1));
		assert.equal(post.lines.filter((l) => l.kind === '+').length, 9);
		assert.equal(pre.lines.filter((l) => l.kind === '-').length, 5);
		assert.ok(post.hunkRows!.length === 6);
		const plus = post.lines.find((l) => l.kind === '+')!;
		assert.ok(plus.diff && plus.text === plus.diff.text);
	});

	it('finds the hunks when the file moved by a few lines, and refuses an unrelated file', () => {
		const shifted = '/* one */\n/* two */\n/* three */\n' + before;
		const u = treeUnit(file, 'post', shifted)!;
		assert.equal(u.lines.find((l) => l.kind === '+')!.kernelLine, imageLineOf(mail, 'gpux_dmem.c', '*dst = migrate_pfn(page_to_pfn(dpage));') + 3);
		assert.equal(treeUnit(file, 'post', 'int x;\n'), undefined);
	});
});

describe('extract source: positions', () => {
	it('maps decoded columns through segments, and inexact lines to their range', () => {
		const exact = { text: '+\tfoo(bar);', quoteDepth: 1, origin: { exact: true, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 13 } }, segments: [{ col: 0, line: 3, character: 2 }] } };
		assert.deepEqual(positionIn(exact, 2), { line: 3, character: 4 });
		const b64 = { text: '+\tfoo(bar);', quoteDepth: 0, origin: { exact: false, range: { start: { line: 9, character: 0 }, end: { line: 10, character: 20 } }, segments: [] } };
		assert.deepEqual(positionIn(b64, 5), { line: 9, character: 0 });
		assert.deepEqual(positionIn(b64, 5, true), { line: 10, character: 20 });
	});
});

describe('extract source: the function a hunk opens', () => {
	// The scan replaces /([A-Za-z_]\w*)\s*\([^;]*$/, which backtracks quadratically on long lines.
	const REGEX = /([A-Za-z_]\w*)\s*\([^;]*$/;
	const samples = [
		'static int gpux_bind(struct gpux *g,',
		'gpux_fault (struct vm_fault *vmf)',
		'\tret = gpux_copy(g); if (ret)',
		'x = 1; y = f(a); static void gpux_tail(void)',
		'123abc(x)',
		'0x10 (y)',
		'if (a) {',
		'struct gpux_ops ops = {',
		'a;b;c;',
		'',
		'  \tname\t\t(',
		'_under_score9(',
		'9 (x) foo(',
	];
	for (const line of samples) {
		it(`agrees with the regular expression on ${JSON.stringify(line)}`, () => {
			assert.equal(openCallName(line), REGEX.exec(line)?.[1]);
		});
	}

	it('reads sections with comments as before the linear comment scan', () => {
		assert.deepEqual(parseSection(' static int gpux_bind(struct gpux *g /* the device */, unsigned long start)'), { kind: 'function', name: 'gpux_bind', header: 'static int gpux_bind(struct gpux *g , unsigned long start) {' });
		assert.deepEqual(parseSection(' /* a */ static int /* b */gpux_x(int a) // c'), { kind: 'function', name: 'gpux_x', header: 'static int gpux_x(int a) {' });
		assert.deepEqual(parseSection(' static int gpux_y(int a /* cut by git'), { kind: 'function', name: 'gpux_y', header: 'static int gpux_y(void) {' });
	});

	it('reads line comments in sections as /\\s*\\/\\/.*$/ did', () => {
		const sections = [
			' static int gpux_z(int a) // the device',
			' static int gpux_z(int a)\t\t//',
			' static int gpux_z(int a, // cut',
			' int gpux_url(void) { return 0; } // http://x//y',
			' static const struct gpux_ops ops = { // table',
			' x = 1; // y',
			' // only a comment',
			' a / b /c',
		];
		for (const sec of sections) {
			assert.deepEqual(parseSection(sec), parseSection(sec.trim().replace(/\s*\/\/.*$/, '')), sec);
		}
	});

	it('survives a giant section of words and open comments', () => {
		assert.equal(parseSection(` ${'a'.repeat(100_000)}`), undefined);
		assert.equal(parseSection(` ${'/* '.repeat(30_000)}`), undefined);
		assert.equal(parseSection(` static int ${'a'.repeat(100_000)}(int x)`)?.kind, 'function');
		assert.equal(parseSection(` static int f(int a,${' '.repeat(100_000)}int b) // c`)?.kind, 'function');
	});

	it('reads a giant line of words and calls in one pass', () => {
		const words = 'word '.repeat(40_000);
		assert.equal(openCallName(`${words}last (x`), 'last');
		assert.equal(openCallName(`${'f(g('.repeat(40_000)}`), 'f');
		assert.equal(openCallName(`${'f(g('.repeat(40_000)};tail`), undefined);
	});
});
