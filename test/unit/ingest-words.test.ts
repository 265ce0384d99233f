/*
 * The one-pass word test of the whole-list skim (server/src/core/ingest/words.ts): an alternation of
 * words rewritten so that each alternative starts at a rare character must match exactly where the
 * alternation matches somewhere, on the API word list and on random words and texts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FACT_WORDS } from '../../server/src/core/extract/names';
import { anchoredWords, literalAlternatives } from '../../server/src/core/ingest/words';

const lit = (text: string, boundaryAfter = false) => ({ text, boundaryAfter });

describe('ingest: anchored word test', () => {
	it('reads a plain alternation of words, and nothing else', () => {
		assert.deepEqual(literalAlternatives(/migrate|MIGRATE_|_pfns\b/), [lit('migrate'), lit('MIGRATE_'), lit('_pfns', true)]);
		assert.ok(literalAlternatives(FACT_WORDS));
		for (const re of [/a|b/i, /a|b/g, /a|b/y, /a.b/, /(?:a|b)/, /a||b/, /\ba/, /a|b+/, /a b/, /x\b|y\bz/, new RegExp('')]) {
			assert.equal(literalAlternatives(re), undefined, String(re));
		}
	});

	const texts = [
		'', 'migrate', 'xmigratex', 'MIGRATE_VMA', 'MIGRATE', 'hmm', 'hmm_', 'ahmm_b', '_pfns', '_pfns_', '_pfnsx', 'x_pfns y', 'pgmap_owner',
		'longterm', 'longter', 'LONGTERM', 'GIT binary patch', 'GIT binary patc', 'Binary files a', '>From x', 'From x', 'a\rb', 'a\0b',
		'cpages', 'pages', 'folio_free', 'page_free', 'free', 'zone_device', 'finalize_and_map', 'device_privat', 'mmu_interval', 'mmu_notifier',
		'\u00e9migrate\u2026', 'mig\nrate', 'fault_pag', 'vm_fault', 'vm_', 'FOLL_', 'FOLL', 'src_owner', 'alloc_and_copy',
	];

	it('matches where the API word list matches, with the skim\'s extra markers', () => {
		const lits = [...literalAlternatives(FACT_WORDS)!, lit('\r'), lit('\0'), lit('>From '), lit('GIT binary patch'), lit('Binary files ')];
		const re = anchoredWords(lits);
		const old = new RegExp(`${FACT_WORDS.source}|\\r|\\0|>From |GIT binary patch|Binary files `);
		for (const t of texts) {
			assert.equal(re.test(t), old.test(t), JSON.stringify(t));
		}
		fc.assert(fc.property(fc.array(fc.constantFrom(...texts, 'a', '_', ' ', 'g', 'G', 'm', 'p', 'L', 'B', 'z', 'b', '\n', 's'), { maxLength: 30 }), (parts) => {
			const t = parts.join('');
			assert.equal(re.test(t), old.test(t), JSON.stringify(t));
		}), { numRuns: 3000, seed: 7 });
	});

	it('matches where any alternation of random words matches', () => {
		const word = fc.stringMatching(/^[a-c_A]{1,5}$/);
		fc.assert(fc.property(fc.array(fc.record({ w: word, b: fc.boolean() }), { minLength: 1, maxLength: 8 }), fc.stringMatching(/^[a-c_A ]{0,40}$/), (ws, t) => {
			const source = ws.map(({ w, b }) => w + (b ? '\\b' : '')).join('|');
			const re = anchoredWords(literalAlternatives(new RegExp(source))!);
			assert.equal(re.test(t), new RegExp(source).test(t), `${source} on ${JSON.stringify(t)}`);
		}), { numRuns: 3000, seed: 11 });
	});

	it('matches any literal text where it occurs, special characters and surrogate pairs included', () => {
		const piece = fc.constantFrom('a', 'b', '\\', '.', '*', '(', '[', '$', '\n', ' ', '>', '\u00e9', '\u{1F600}', 'z', '_');
		const text = (max: number) => fc.array(piece, { maxLength: max }).map((p) => p.join(''));
		fc.assert(fc.property(fc.array(text(4).filter((t) => t.length > 0), { minLength: 1, maxLength: 6 }), text(20), (words, t) => {
			const re = anchoredWords(words.map((w) => lit(w)));
			assert.equal(re.test(t), words.some((w) => t.includes(w)), `${JSON.stringify(words)} on ${JSON.stringify(t)}`);
		}), { numRuns: 3000, seed: 23 });
	});

	it('never matches without words', () => {
		assert.equal(anchoredWords([]).test('anything'), false);
	});
});
