/*
 * Property tests: ingest never throws and every position it reports lies inside the document,
 * for random text and for corpus mails and fixtures that are truncated, byte-flipped, shuffled,
 * deep-quoted, flattened, CRLF-converted or given huge lines. Also: streaming equals splitting.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { corpusFiles, haveCorpus } from '../corpus';
import { ingestText, MboxStream, parseMessage, positionOf, splitMbox, type PatchDocument } from '../../server/src/core/ingest/index';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'ingest');

function bases(): string[] {
	const out = fs.readdirSync(FIXTURES).sort().map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
	if (haveCorpus) {
		for (const f of [...corpusFiles('mail'), ...corpusFiles('seeds')]) {
			out.push(fs.readFileSync(f, 'utf8'));
		}
	}
	return out;
}

function assertInside(text: string, doc: PatchDocument): void {
	const lines = text.split(/\r\n|\r|\n/);
	const inside = (p: { line: number; character: number }): void => {
		if (!(Number.isInteger(p.line) && p.line >= 0 && p.line < lines.length && Number.isInteger(p.character) && p.character >= 0 && p.character <= lines[p.line].length)) {
			assert.fail(`position ${JSON.stringify(p)} outside the document (${lines.length} lines)`);
		}
	};
	const all = [...doc.problems];
	for (const m of doc.messages) {
		inside(m.range.start);
		inside(m.range.end);
		all.push(...m.problems);
		for (const l of m.body) {
			inside(l.origin.range.start);
			inside(l.origin.range.end);
			for (const s of l.origin.segments) {
				inside(s);
			}
			inside(positionOf(l, 0));
			inside(positionOf(l, l.text.length));
			inside(positionOf(l, l.text.length >> 1));
		}
		for (const f of m.files) {
			inside(f.header.origin.range.start);
			for (const h of f.hunks) {
				inside(positionOf(h.header, 0));
				for (const dl of h.lines) {
					inside(positionOf(dl.source, 1));
				}
			}
		}
	}
	for (const p of all) {
		inside(p.range.start);
		inside(p.range.end);
	}
}

const MAIL_CHARS = ['a', 'z', ' ', ' ', '\t', '\n', '\n', '\r', '\r\n', '>', '> ', '>>', '+', '-', '@@ -1,3 +1,4 @@', '=', '=3D', '=\n', '=?utf-8?B?w6k=?=',
	'From ', 'From mboxrd@z Thu Jan  1 00:00:00 1970\n', 'Subject: ', 'Content-Transfer-Encoding: base64\n', 'Content-Type: multipart/mixed; boundary=b\n',
	'--b\n', 'diff --git a/x b/x\n', '--- a/x\n', '+++ b/x\n', '\\ No newline\n', 'GIT binary patch\n', '[...]', '\u0000', 'é', '\uFFFD', '😀', '(', ')'];

const randomText = fc.array(fc.constantFrom(...MAIL_CHARS), { maxLength: 200 }).map((a) => a.join(''));

type Mutation =
	| { kind: 'truncate'; at: number }
	| { kind: 'flip'; at: number; ch: string }
	| { kind: 'shuffle'; a: number; b: number }
	| { kind: 'quote'; at: number; prefix: string }
	| { kind: 'flatten'; at: number; len: number }
	| { kind: 'crlf' }
	| { kind: 'huge'; at: number; n: number }
	| { kind: 'drop'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
	fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.constantFrom('\u0000', '\r', '\n', '>', '=', '@', '+', '-', ' ', 'x', '\uFFFD', '"') }),
	fc.record({ kind: fc.constant('shuffle' as const), a: fc.nat(), b: fc.nat() }),
	fc.record({ kind: fc.constant('quote' as const), at: fc.nat(), prefix: fc.constantFrom('> ', '>>', '> > ', '>', '> > > > > > > > ', '>'.repeat(40) + ' ') }),
	fc.record({ kind: fc.constant('flatten' as const), at: fc.nat(), len: fc.integer({ min: 2, max: 200 }) }),
	fc.record({ kind: fc.constant('crlf' as const) }),
	fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), n: fc.integer({ min: 1000, max: 100000 }) }),
	fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
);

function mutate(text: string, muts: Mutation[]): string {
	let t = text;
	for (const mu of muts) {
		const lines = t.split('\n');
		const li = (n: number): number => (lines.length === 0 ? 0 : n % lines.length);
		switch (mu.kind) {
			case 'truncate':
				t = t.slice(0, t.length === 0 ? 0 : mu.at % t.length);
				break;
			case 'flip': {
				const at = t.length === 0 ? 0 : mu.at % t.length;
				t = t.slice(0, at) + mu.ch + t.slice(at + 1);
				break;
			}
			case 'shuffle': {
				const a = li(mu.a);
				const b = li(mu.b);
				[lines[a], lines[b]] = [lines[b], lines[a]];
				t = lines.join('\n');
				break;
			}
			case 'quote': {
				const a = li(mu.at);
				for (let k = a; k < Math.min(lines.length, a + 40); k++) {
					lines[k] = mu.prefix + lines[k];
				}
				t = lines.join('\n');
				break;
			}
			case 'flatten': {
				const a = li(mu.at);
				const joined = lines.slice(a, a + mu.len).map((l) => (l.startsWith('>') ? l : '> > ' + l)).join(' ');
				lines.splice(a, mu.len, joined);
				t = lines.join('\n');
				break;
			}
			case 'crlf':
				t = t.replace(/\n/g, '\r\n');
				break;
			case 'huge': {
				const a = li(mu.at);
				lines.splice(a, 0, ('+ y = a > b; > > ').repeat(Math.ceil(mu.n / 16)).slice(0, mu.n));
				t = lines.join('\n');
				break;
			}
			case 'drop':
				lines.splice(li(mu.at), 1);
				t = lines.join('\n');
				break;
		}
	}
	return t;
}

describe('ingest: fuzz', () => {
	it('random mail-like text: no throw, every position inside the document', () => {
		fc.assert(fc.property(randomText, (t) => {
			assertInside(t, ingestText(t));
			for (const s of splitMbox(t)) {
				parseMessage(s.text, s.startLine, 0, { prefilter: true });
			}
		}), { numRuns: 2000 });
	});

	it('mutated corpus mails and fixtures: no throw, every position inside the document', () => {
		const inputs = bases();
		fc.assert(fc.property(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, muts) => {
			const t = mutate(inputs[i], muts);
			assertInside(t, ingestText(t));
		}), { numRuns: 800 });
	});

	it('MboxStream in random chunks equals splitMbox', () => {
		const inputs = bases();
		fc.assert(fc.property(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { maxLength: 2 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (i, muts, sizes) => {
			const base = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n' + inputs[i] + '\n\n' + 'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: two\n\n>From x\n';
			const t = mutate(base, muts);
			const s = new MboxStream();
			const got: Array<{ text: string; startLine: number }> = [];
			let pos = 0;
			let k = 0;
			while (pos < t.length) {
				const n = sizes[k++ % sizes.length];
				got.push(...s.push(t.slice(pos, pos + n)));
				pos += n;
			}
			got.push(...s.end());
			assert.deepEqual(got, [...splitMbox(t)]);
		}), { numRuns: 200 });
	});
});
