/*
 * Reading in place reads what reading line by line reads (server/src/core/ingest): the header block
 * read in the text (`parseHeaderText`) and from its lines (`parseHeaderBlock`), quote prefixes read
 * in the text, the skim's base64 bodies decoded at once (`plainBase64`) and digit by digit, full
 * reads' base64 bodies decoded by groups of four and digit by digit, and the line breaks a reading
 * counts on its way (`ingestText`) and those counted apart.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHeaderBlock, parseHeaderText } from '../../server/src/core/ingest/headers';
import { quotePrefix, quotePrefixAt } from '../../server/src/core/ingest/quote';
import { PLAIN_BASE64, plainBase64 } from '../../server/src/core/ingest/message';
import { decodeBase64String } from '../../server/src/core/ingest/charset';
import { skimDiffs } from '../../server/src/core/ingest/diff';
import { ingestText, parseMessage, positionOf, splitMbox } from '../../server/src/core/ingest/index';
import { FACT_WORDS } from '../../server/src/core/extract/names';

const KEEP = new Set(['from', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'content-type', 'content-transfer-encoding']);

/** Header-ish lines: fields kept and skipped, continuations, blank and broken lines. */
const headerLine = fc.constantFrom(
	'From: A <a@example.invalid>', 'Subject: [PATCH] x', 'subject : y', 'Received: from x', 'DKIM-Signature: v=1;', '\tb=abc',
	' continued', 'X-Foo: bar', 'List-Id: <l>', 'ARC-Seal: i=1', 'Content-Type: text/plain', 'Weird line', '', ' ', '\t \u00a0', ' \u2028',
	'a-b_c.d: e', '-x: y', `${'N'.repeat(199)}: long name`, 'Message-ID: <m@x>', 'References: <a@b>', '  <c@d>', 'From x Mon Jan  1',
);

/** The header block as read line by line before the reading in place (kept names compared as strings). */
function headerBlockBefore(lines: readonly string[], start: number, keep?: ReadonlySet<string>): ReturnType<typeof parseHeaderBlock> {
	const KNOWN = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id', 'received', 'return-path', 'mime-version', 'content-type',
		'content-transfer-encoding', 'in-reply-to', 'references', 'delivered-to', 'sender', 'reply-to', 'user-agent', 'list-id', 'dkim-signature',
		'arc-seal', 'authentication-results', 'precedence']);
	const fields: Array<{ name: string; value: string; line: number; lastLine: number }> = [];
	let i = start;
	let valid = false;
	let blankEnded = false;
	let cur: (typeof fields)[number] | null = null;
	const parts: string[] = [];
	let skipping = false;
	const finish = (): void => {
		if (cur) {
			cur.value = parts.join('').trim();
			fields.push(cur);
			cur = null;
			parts.length = 0;
		}
		skipping = false;
	};
	for (; i < lines.length; i++) {
		const l = lines[i]!;
		if (l.length === 0 || ((l[0] === ' ' || l[0] === '\t') && l.trim().length === 0)) {
			finish();
			blankEnded = true;
			i++;
			break;
		}
		if (l[0] === ' ' || l[0] === '\t') {
			if (!cur && !skipping) {
				break;
			}
			if (!skipping) {
				parts.push(l);
				cur!.lastLine = i;
			}
			continue;
		}
		const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)[ \t]*:/.exec(l.slice(0, 200));
		if (!m) {
			break;
		}
		finish();
		const name = m[1]!.toLowerCase();
		if (KNOWN.has(name) || /^(?:x|list|arc)-/.test(name)) {
			valid = true;
		}
		if (keep && !keep.has(name)) {
			skipping = true;
			continue;
		}
		cur = { name, value: '', line: i, lastLine: i };
		parts.push(l.slice(m[0].length));
	}
	finish();
	return { fields, bodyStart: i, valid, blankEnded };
}

describe('ingest: reading in place', () => {
	it('reads a header block in the text as from its LF-split lines', () => {
		fc.assert(fc.property(fc.array(headerLine, { maxLength: 14 }), fc.nat(3), fc.boolean(), (ls, start, keep) => {
			const text = ls.join('\n') + '\n';
			const lines = text.split('\n');
			lines.pop();
			const k0 = Math.min(start, lines.length);
			let from = 0;
			for (let k = 0; k < k0; k++) {
				from += lines[k].length + 1;
			}
			const want = headerBlockBefore(lines, k0, keep ? KEEP : undefined);
			assert.deepEqual(parseHeaderBlock(lines, k0, lines.length, keep ? KEEP : undefined), want);
			const got = parseHeaderText(text, from, k0, text.length, keep ? KEEP : undefined);
			let bodyFrom = 0;
			for (let k = 0; k < want.bodyStart; k++) {
				bodyFrom += lines[k].length + 1;
			}
			assert.deepEqual(got, { ...want, bodyFrom: Math.min(bodyFrom, text.length) });
		}), { numRuns: 3000, seed: 3 });
	});

	it('reads a quote prefix in the text as in the line cut out of it', () => {
		fc.assert(fc.property(fc.stringMatching(/^[> a+]{0,12}$/), fc.nat(4), fc.nat(4), (line, pre, post) => {
			const text = 'x'.repeat(pre) + line + '>'.repeat(post);
			assert.deepEqual(quotePrefixAt(text, pre, pre + line.length), quotePrefix(line));
		}), { numRuns: 3000, seed: 5 });
	});

	/** What the skim decoded before: the expression, the digit count, the lenient decoder, a `latin1` TextDecoder. */
	function plainBase64Before(text: string, from: number): string | null {
		const body = text.slice(from);
		if (!PLAIN_BASE64.test(body)) {
			return null;
		}
		let data = 0;
		for (let i = 0; i < body.length; i++) {
			const c = body.charCodeAt(i);
			if (c !== 32 && c !== 9 && c !== 10 && c !== 61) {
				data++;
			}
		}
		if (data % 4 === 1) {
			return null;
		}
		let decoded = new TextDecoder('latin1').decode(decodeBase64String(body));
		if (decoded.indexOf('\r') !== -1) {
			decoded = decoded.replace(/\r\n/g, '\n');
			if (decoded.indexOf('\r') !== -1) {
				return null;
			}
		}
		return decoded;
	}

	it('decodes a skimmed base64 body at once as digit by digit', () => {
		const b64 = (bytes: Uint8Array): string => {
			let s = '';
			for (const b of bytes) {
				s += String.fromCharCode(b);
			}
			return btoa(s);
		};
		const body = fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.nat(80), fc.constantFrom('', '\n', ' \n', '\t'), fc.constantFrom('', '=', '==', '===', '!', 'A', '\u00e9', '\r', ' =', '= '))
			.map(([bytes, cut, blank, tail]) => {
				const s = b64(bytes).replace(/=+$/, '');
				const k = Math.min(cut, s.length);
				return s.slice(0, k) + blank + s.slice(k) + tail;
			});
		fc.assert(fc.property(body, fc.constantFrom('', 'Subject: x\n\n'), (b, head) => {
			assert.equal(plainBase64(head + b, head.length), plainBase64Before(head + b, head.length), JSON.stringify(b));
		}), { numRuns: 4000, seed: 9 });
		for (const b of ['', 'QQ', 'QQ=', 'QQ==', 'QQ== \n', 'QUJD', 'QUJDR', 'QUJD\nREVG\n', 'gIGCn5+f', 'DQo=', 'DQ==', 'QQ=a', 'Q!']) {
			assert.equal(plainBase64(b, 0), plainBase64Before(b, 0), JSON.stringify(b));
		}
	});

	/** The decoded lines of a base64 body as the digit-by-digit decoder read them: text, start and end. */
	function base64Before(lines: string[], base: number): { lines: string[]; spans: number[][]; invalid: number; pending: number } {
		const VALUE = (c: number): number => {
			const k = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(String.fromCharCode(c));
			return k >= 0 ? k : c === 61 ? -1 : c === 32 || c === 9 || c === 13 || c === 10 ? -2 : -3;
		};
		const bytes: number[] = [];
		const endByte: number[] = [];
		let acc = 0;
		let bits = 0;
		let pending = 0;
		let invalid = -1;
		lines.forEach((l, k) => {
			for (let i = 0; i < l.length; i++) {
				const v = VALUE(l.charCodeAt(i));
				if (v >= 0) {
					acc = ((acc << 6) | v) & 0xffffff;
					bits += 6;
					pending++;
					if (bits >= 8) {
						bits -= 8;
						bytes.push((acc >> bits) & 0xff);
					}
					if (pending === 4) {
						pending = 0;
						bits = 0;
					}
				} else if (v === -1) {
					pending = 0;
					bits = 0;
				} else if (v === -3 && invalid < 0) {
					invalid = k;
				}
			}
			endByte.push(bytes.length);
		});
		const holding = (b: number): number => {
			const k = endByte.findIndex((e) => e > b);
			return k < 0 ? endByte.length - 1 : k;
		};
		const text = new TextDecoder('utf-8').decode(new Uint8Array(bytes)).split('\n');
		const out: string[] = [];
		const spans: number[][] = [];
		let ls = 0;
		let q = 0;
		const n = bytes.length;
		while (ls <= n) {
			let b = bytes.indexOf(10, ls);
			if (b === -1) {
				b = n;
			}
			if (b === n && ls === n) {
				break;
			}
			out.push(text[q++]!.replace(/\r$/, ''));
			const first = holding(ls);
			const last = holding(b < n ? b : Math.max(ls, n - 1));
			spans.push([base + first, base + last, lines[last]!.length]);
			ls = b + 1;
		}
		return { lines: out, spans, invalid, pending };
	}

	it('decodes a full read\'s base64 body by groups of four as digit by digit', () => {
		// (no `>` byte: the decoded lines are then the body's lines as they are, none unquoted)
		const bytes = (lf: boolean) => fc.uint8Array({ minLength: 1, maxLength: 57 }).map((b) => btoa(String.fromCharCode(...b.map((x) => (x === 62 ? 61 : lf && x % 3 === 0 ? 10 : x)))));
		const line = fc.oneof(bytes(false), bytes(true), fc.stringMatching(/^[A-Za-z0-9+/= \t!]{0,20}$/));
		// a whole body as mailers write it: the digits of all bytes cut into lines, then maybe empty lines
		const whole = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 80 }), fc.nat(2), fc.boolean())
			.map(([b, width, empty, ascii]) => [...(btoa(String.fromCharCode(...b.map((x) => (ascii ? x & 0x7f : x)).map((x) => (x === 62 ? 61 : x)))).match(new RegExp(`.{1,${width}}`, 'g')) ?? []), ...Array<string>(empty).fill('')]);
		// (other charsets with ASCII only: the reference decodes as UTF-8)
		const asciiWhole = whole.filter((b) => {
			const digits = b.join('').replace(/=+$/, '');
			return digits.length % 4 !== 1 && !/[^\x00-\x7f]/.test(atob(digits));
		});
		const mail = fc.oneof(
			fc.tuple(fc.oneof(fc.array(line, { minLength: 1, maxLength: 8 }), whole), fc.constant('utf-8')),
			fc.tuple(asciiWhole, fc.constantFrom('iso-8859-1', 'koi8-r', 'utf-8')),
		);
		fc.assert(fc.property(mail, fc.constantFrom('\n', '\r\n'), ([body, charset], eol) => {
			const head = ['From: a@example.invalid', 'Subject: x', `Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: base64', ''];
			const msg = parseMessage([...head, ...body].join(eol) + eol, 0, 0);
			const want = base64Before(body, head.length);
			fc.pre(want.lines.every((t) => t.length < 300));
			// (digits split across encoded lines can still make a `>`: such a line is unquoted)
			assert.deepEqual(msg.body.map((l) => l.text), want.lines.map((t) => t.slice(quotePrefix(t).length)));
			msg.body.forEach((l, i) => {
				const [first, last, lastLength] = want.spans[i]!;
				assert.deepEqual(l.origin.range, { start: { line: first!, character: 0 }, end: { line: last!, character: lastLength! } });
				assert.deepEqual(positionOf(l, 0), { line: first!, character: 0 });
			});
			const problems = msg.problems.map((p) => p.message);
			assert.equal(problems.some((m) => m.startsWith('Invalid characters in base64')), want.invalid >= 0);
			assert.equal(problems.some((m) => m.startsWith('Base64 body ends in the middle')), want.pending === 1);
		}), { numRuns: 1500, seed: 13 });
	});

	it('counts the line breaks of the body it skims', () => {
		fc.assert(fc.property(fc.stringMatching(/^[a-z@ +\-\n]{0,60}$/), (body) => {
			const skim = skimDiffs(body, 0, 100_000);
			if (skim.plain) {
				assert.equal(skim.lineBreaks, body.split('\n').length - 1);
			}
		}), { numRuns: 2000, seed: 17 });
	});

	it('places every message of a document where a separate split and count place it', () => {
		const mail = fc.tuple(fc.constantFrom('From x Mon Jan  1 00:00:00 2001\n', ''), fc.array(headerLine, { maxLength: 5 }), fc.array(fc.constantFrom('text', '', '> q', '+ migrate', '@@ -1 +1 @@', '\u00e9', ' '), { maxLength: 6 }))
			.map(([from, h, b]) => `${from}From: a@example.invalid\nSubject: s\n${h.join('\n')}\n\n${b.join('\n')}\n`);
		fc.assert(fc.property(fc.array(mail, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), (mails, eol, skim) => {
			const text = mails.join('\n').replace(/\n/g, eol);
			const opts = skim ? { skipUnlessWords: FACT_WORDS } : {};
			const doc = ingestText(text, opts);
			const want = [...splitMbox(text)].map((s, i) => parseMessage(s.text, s.startLine, i, opts).range);
			assert.deepEqual(doc.messages.map((m) => m.range), want);
		}), { numRuns: 800, seed: 19 });
	});
});
