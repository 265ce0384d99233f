import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ingestText } from '../../server/src/core/ingest/index';
import { createNodeExtractor } from '../../server/src/core/extract/nodeWasm';
import type { Extractor, FileFacts, Loc, MessageFacts } from '../../server/src/core/extract/index';
import { FactsMemo, fileKey, shiftFacts } from '../../server/src/core/extract/memo';
import { EXAMPLE } from '../featureHarness';
import { corpusFiles } from '../corpus';

let plain: Extractor;
let memoised: Extractor;

before(async () => {
	plain = await createNodeExtractor(undefined, { parseCacheChars: 0, factsMemoChars: 0 });
	memoised = await createNodeExtractor(undefined, { parseCacheChars: 0 });
});

function facts(ex: Extractor, text: string): MessageFacts[] {
	return ingestText(text).messages.map((m) => ex.extractMessage(m));
}

function allFiles(ms: MessageFacts[]): FileFacts[] {
	return ms.flatMap((m) => m.files);
}

/** Every location in a value. */
function locs(x: unknown, out: Loc[] = []): Loc[] {
	if (x && typeof x === 'object') {
		const r = x as Record<string, unknown>;
		if (typeof r.line === 'number' && typeof r.endLine === 'number' && typeof r.image === 'string') {
			out.push(r as unknown as Loc);
		}
		for (const v of Object.values(r)) {
			locs(v, out);
		}
	}
	return out;
}

describe('facts memo', () => {
	it('hands back the same facts for unchanged hunks, even when the prose around them changed', () => {
		memoised.clearCache?.();
		const text = EXAMPLE();
		const first = allFiles(facts(memoised, text));
		assert.ok(first.length > 0);
		const prose = text.replace(/^(Subject: .*)$/m, '$1 (edited)');
		assert.notEqual(prose, text);
		const second = allFiles(facts(memoised, prose));
		assert.equal(second.length, first.length);
		second.forEach((f, i) => assert.equal(f, first[i], `file ${i} is the memo's object`));
		assert.deepEqual(second, allFiles(facts(plain, prose)));
	});

	it('moves the facts of a file that moved, and they equal a fresh extraction', () => {
		memoised.clearCache?.();
		const text = EXAMPLE();
		const first = allFiles(facts(memoised, text));
		// three lines more above the diff, none of them in it
		const moved = text.replace(/^(Subject: .*)$/m, '$1\n\nA paragraph\nadded by hand.');
		const second = allFiles(facts(memoised, moved));
		const fresh = allFiles(facts(plain, moved));
		assert.deepEqual(second, fresh);
		second.forEach((f, i) => assert.notEqual(f, first[i]));
		// and they came from the memo, moved, not from a second extraction
		const memo = new FactsMemo();
		const files = (t: string) => ingestText(t).messages.flatMap((m) => m.files);
		const [f0] = files(text);
		const [f1] = files(moved);
		let made = 0;
		const kept = memo.get(f0!, 'post', () => {
			made++;
			return first.find((x) => x.image === 'post' && x.path === f0!.path)!;
		});
		const shifted = memo.get(f1!, 'post', () => {
			made++;
			return kept;
		});
		assert.equal(made, 1);
		assert.equal(memo.moved, 1);
		assert.deepEqual(shifted, second.find((x) => x.image === 'post' && x.path === f1!.path));
		const a = locs(first);
		const b = locs(second);
		assert.equal(a.length, b.length);
		assert.ok(a.length > 10);
		b.forEach((l, i) => assert.equal(l.line - a[i]!.line, 3));
	});

	it('extracts again when a hunk line, a marker or the quoting changed', () => {
		memoised.clearCache?.();
		const text = EXAMPLE();
		const first = allFiles(facts(memoised, text));
		const code = text.replace('migrate_vma_setup(&args)', 'migrate_vma_setup(&args )');
		assert.notEqual(code, text);
		const second = allFiles(facts(memoised, code));
		assert.deepEqual(second, allFiles(facts(plain, code)));
		assert.ok(second.some((f, i) => f !== first[i]));
		const quoted = text.split('\n').map((l) => `> ${l}`).join('\n');
		const third = allFiles(facts(memoised, quoted));
		assert.deepEqual(third, allFiles(facts(plain, quoted)));
		third.forEach((f) => assert.equal(f.quoteDepth, 1));
	});

	it('gives the same facts as no memo on every corpus mail, moved or not', (t) => {
		const mails = corpusFiles('mail');
		if (mails.length === 0) {
			t.skip('no corpus');
			return;
		}
		memoised.clearCache?.();
		for (const file of mails) {
			const text = fs.readFileSync(file, 'utf8');
			const movedText = `From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: padding\n\nsome words\n\n${text.startsWith('From ') ? '' : 'From mboxrd@z Thu Jan  1 00:00:00 1970\n'}${text}`;
			for (const x of [text, text, movedText]) {
				assert.deepEqual(facts(memoised, x), facts(plain, x), file);
			}
		}
	});

	it('keys a file by its hunks relative to the file, and stays within its size', () => {
		const doc = ingestText(EXAMPLE());
		const f = doc.messages.flatMap((m) => m.files)[0]!;
		const key = fileKey(f, 'post', 0);
		assert.notEqual(key, fileKey(f, 'pre', 0));
		assert.notEqual(key, fileKey(f, 'post', 1));
		const small = new FactsMemo(key.length + 10);
		const made: FileFacts = { path: 'x.c', image: 'post', quoteDepth: 0, source: 'patch', functions: [], tables: [], defines: {}, identifiers: [], units: 0, errorNodes: 0 };
		let calls = 0;
		const make = (): FileFacts => {
			calls++;
			return made;
		};
		assert.equal(small.get(f, 'post', make), made);
		assert.equal(small.get(f, 'post', make), made);
		assert.equal(calls, 1);
		// a second entry does not fit beside the first: the first goes
		small.get(f, 'pre', make);
		small.get(f, 'post', make);
		assert.equal(calls, 3);
		assert.equal(small.misses, 3);
		assert.equal(small.hits, 1);
	});

	it('shifts locations only, and keeps shared objects shared', () => {
		const loc: Loc = { line: 4, character: 2, endLine: 5, endCharacter: 1, exact: true, image: 'post', lineKind: '+', touchesChange: true, quoteDepth: 0 };
		const f = { path: 'x.c', image: 'post', quoteDepth: 0, source: 'patch', functions: [], tables: [], defines: { N: '4' }, identifiers: [{ name: 'a', role: 'name', loc }, { name: 'b', role: 'name', loc }], units: 4, errorNodes: 1 } as unknown as FileFacts;
		const g = shiftFacts(f, 10);
		assert.equal(g.identifiers[0]!.loc.line, 14);
		assert.equal(g.identifiers[0]!.loc.endLine, 15);
		assert.equal(g.identifiers[0]!.loc.character, 2);
		assert.equal(g.identifiers[0]!.loc, g.identifiers[1]!.loc);
		assert.equal(g.units, 4);
		assert.deepEqual(g.defines, { N: '4' });
		assert.equal(loc.line, 4, 'the original is untouched');
	});
});
