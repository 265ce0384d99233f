/*
 * Delimited spans (server/src/core/text.ts): the same spans as the regular expressions they
 * replace, on normal text, and one pass over hostile text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { delimitedSpans, replaceDelimited } from '../../server/src/core/text';

describe('text: delimited spans', () => {
	const samples = [
		'',
		'no ids here',
		'<a@example.invalid>',
		' <a@b> <c@d>\t<e@f>',
		'<a@b><c@d>',
		'<<a@b>>',
		'<open only',
		'<a@b> <open',
		'close> <a@b>',
		'<>',
		'Tue, 3 Mar 2020 10:00:00 +0000 (UTC)',
		'(comment) Mon, 29 Jul 2019 (x (nested) y) 17:28:34',
		'((( no close',
	];
	for (const s of samples) {
		it(`finds what /<[^>]*>/g and /\\([^)]*\\)/g find in ${JSON.stringify(s)}`, () => {
			assert.deepEqual(delimitedSpans(s, '<', '>').map(([a, b]) => s.slice(a, b)), s.match(/<[^>]*>/g) ?? []);
			assert.equal(replaceDelimited(s, '(', ')', ' '), s.replace(/\([^)]*\)/g, ' '));
		});
	}

	const code = [
		'x = a /* one */ + b /* two */;',
		'/**/ /***/ /*/ x */ y',
		'a /* unclosed',
		'a */ b /* c',
		'/* multi\n * line\n */ z',
		'"/* in a string */"',
	];
	for (const s of code) {
		it(`removes what /\\/\\*[\\s\\S]*?\\*\\//g removes from ${JSON.stringify(s)}`, () => {
			assert.equal(replaceDelimited(s, '/*', '*/', ' '), s.replace(/\/\*[\s\S]*?\*\//g, ' '));
		});
	}

	it('reads 100 000 openers without a closer in one pass', () => {
		assert.deepEqual(delimitedSpans('<'.repeat(100_000), '<', '>'), []);
		assert.equal(replaceDelimited('('.repeat(100_000), '(', ')', ' '), '('.repeat(100_000));
		assert.equal(replaceDelimited(`${'/* '.repeat(50_000)}*/`, '/*', '*/', ' '), ' ');
	});
});
