import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentOutline, senderName, type OutlineSymbol } from '../../server/src/core/features/symbols';
import { linesOf } from '../../server/src/core/features/common';
import { ingestText } from '../../server/src/core/ingest/index';
import type { DocRange } from '../../server/src/core/ingest/types';
import { corpusFiles, haveCorpus } from '../corpus';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACME, EXAMPLE, lineOf, quoted } from '../featureHarness';

function outline(text: string, max?: number): OutlineSymbol[] {
	return documentOutline(ingestText(text), linesOf(text), max);
}

function within(inner: DocRange, outer: DocRange): boolean {
	const le = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character <= b.character);
	return le(outer.start, inner.start) && le(inner.end, outer.end);
}

/** Every symbol's selection lies in its range and every child lies in its parent. */
function checkNesting(symbols: OutlineSymbol[], parent?: OutlineSymbol): void {
	for (const s of symbols) {
		assert.ok(within(s.selectionRange, s.range), `${s.kind} ${s.name}: selection outside range`);
		if (parent) {
			assert.ok(within(s.range, parent.range), `${s.kind} ${s.name} outside ${parent.kind} ${parent.name}`);
		}
		checkNesting(s.children, s);
	}
}

describe('document symbols', () => {
	it('outlines a patch mail as message → patch → file → hunk', () => {
		const text = EXAMPLE();
		const [m] = outline(text);
		assert.equal(m.kind, 'message');
		assert.equal(m.name, '[PATCH v2 3/5] drm/gpux: migrate SVM ranges to VRAM on GPU fault');
		assert.match(m.detail ?? '', /^Ada Example, Tue, 14 Jan 2025/);
		assert.equal(m.selectionRange.start.line, lineOf(text, 'Subject:'));
		assert.equal(m.children.length, 1);
		const p = m.children[0];
		assert.equal(p.kind, 'patch');
		assert.equal(p.name, 'patch');
		assert.equal(p.detail, '1 file, +73 −0');
		const f = p.children[0];
		assert.equal(f.kind, 'file');
		assert.equal(f.name, 'drivers/gpu/drm/gpux/gpux_svm.c');
		assert.equal(f.selectionRange.start.line, lineOf(text, 'diff --git'));
		const h = f.children[0];
		assert.equal(h.kind, 'hunk');
		assert.equal(h.name, '@@ -212,6 +212,79 @@');
		assert.equal(h.detail, 'static int gpux_svm_map_range(struct gpux_svm *svm, struct gpux_range *r)');
		assert.equal(h.range.start.line, lineOf(text, '@@ -212,6'));
		assert.equal(h.range.end.line, lineOf(text, 'struct gpux_svm *svm = vmf->page'));
		checkNesting([m]);
	});

	it('lists every message of an mbox, and names quoted patches by depth', () => {
		const mbox = `${EXAMPLE()}\n${ACME()}\nFrom reviewer@example.org Wed Jan 15 09:00:00 2025\n${quoted(ACME(), 2)}`;
		const symbols = outline(mbox);
		assert.equal(symbols.length, 3);
		assert.equal(symbols[1].name, '[PATCH 1/2] drm/acme: add device memory migration');
		assert.equal(symbols[2].name, 'Re: [PATCH] quoted');
		assert.deepEqual(symbols[2].children.map((p) => p.name), ['quoted patch (>>)']);
		assert.equal(symbols[2].children[0].children[0].name, 'drivers/gpu/drm/acme/acme_dmem.c');
		checkNesting(symbols);
	});

	it('keeps only messages with a diff when there are too many', () => {
		const reply = 'From x@y Mon Jan  1 00:00:00 2024\nFrom: x@y\nSubject: Re: talk\n\nNo code here.\n';
		const mbox = `${EXAMPLE()}\n${reply}\n${reply}`;
		assert.equal(outline(mbox).length, 3);
		const trimmed = outline(mbox, 2);
		assert.equal(trimmed.length, 1);
		assert.equal(trimmed[0].children.length, 1);
	});

	it('gives a plain diff without headers a message named after the patch', () => {
		const diff = EXAMPLE().slice(EXAMPLE().indexOf('diff --git'));
		const [m] = outline(diff);
		assert.equal(m.name, 'patch');
		assert.equal(m.children[0].children[0].name, 'drivers/gpu/drm/gpux/gpux_svm.c');
		checkNesting([m]);
	});

	it('nests correctly on every corpus mail', { skip: haveCorpus ? false : 'corpus not found' }, () => {
		let files = 0;
		for (const file of corpusFiles('mail')) {
			const text = fs.readFileSync(file, 'utf8');
			const symbols = outline(text);
			checkNesting(symbols);
			assert.ok(symbols.length >= 1, path.basename(file));
			files++;
		}
		assert.ok(files > 0);
	});

	it('shows the sender as the address expressions did, and reads a From of 100 000 `<` at once', () => {
		const old = (from: string): string => from.replace(/\s*<[^>]*>\s*$/, '').replace(/^"|"$/g, '');
		for (const from of ['A Dev <a@example.invalid>', '"Dev, A" <a@b>  ', 'a@b', '<a@b>', 'A <x> B <a@b>', 'A <a <b>', 'A <a@b> x', 'A <a@b>>', '"A"', '']) {
			assert.equal(senderName(from), old(from), from);
		}
		assert.equal(senderName('<'.repeat(100_000)), '<'.repeat(100_000));
	});

	it('returns nothing for an empty document and survives garbage', () => {
		assert.deepEqual(outline(''), []);
		const garbage = Array.from({ length: 2000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
		checkNesting(outline(garbage));
	});
});
