/*
 * The short form of `npm run fuzz` (scripts/fuzz.ts): a few thousand hostile inputs through
 * ingest, extraction, the rules and the simulator — nothing throws, every reported position lies
 * inside the document, the whole-list skim agrees with a full read — plus the inputs earlier long
 * runs found, kept as regressions. No timing assertions here (budgets are the long run's job).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { checkScenario, checkText, mailText, mutate, mutation, baseInputs, scenarioArb } from '../../scripts/fuzz';
import { MboxStream, parseMessage, splitMbox, type MessageSlice } from '../../server/src/core/ingest/index';
import type { Extractor } from '../../server/src/core/extract/index';
import { createNodeExtractor } from '../../server/src/core/extract/nodeWasm';
import { FACT_WORDS } from '../../server/src/core/extract/names';
import { corpusRoot } from '../corpus';

let extractor: Extractor;

before(async () => {
	extractor = await createNodeExtractor(undefined, { parseCacheChars: 0, factsMemoChars: 0 });
});

after(() => {
	extractor.dispose();
});

const GPUX_MAIL = `From: Dev <dev@example.invalid>
Subject: [PATCH] drm/gpux: set up the migration
Date: Tue, 3 Mar 2020 10:00:00 +0000

diff --git a/drivers/gpu/drm/gpux/gpux.c b/drivers/gpu/drm/gpux/gpux.c
--- a/drivers/gpu/drm/gpux/gpux.c
+++ b/drivers/gpu/drm/gpux/gpux.c
@@ -1,3 +1,6 @@ static int gpux_move(struct migrate_vma *args)
 {
+	if (migrate_vma_setup(args))
+		return -EINVAL;
+	migrate_vma_pages(args);
 	return 0;
 }
`;

describe('fuzz (short form of npm run fuzz)', () => {
	it('mutated corpus mails and fixtures through the whole pipeline', () => {
		const inputs = baseInputs();
		fc.assert(fc.property(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, muts) => {
			checkText(mutate(inputs[i]!, muts), extractor, { full: true, skim: true });
		}), { numRuns: 600, seed: 20260101 });
	});

	it('mail-like random text through the whole pipeline', () => {
		fc.assert(fc.property(mailText, (t) => {
			checkText(t, extractor, { full: true, skim: true });
		}), { numRuns: 700, seed: 7 });
	});

	it('heavier mutations through ingest and the skim', () => {
		const inputs = baseInputs();
		fc.assert(fc.property(fc.nat({ max: inputs.length - 1 }), fc.array(mutation, { minLength: 2, maxLength: 6 }), (i, muts) => {
			checkText(mutate(inputs[i]!, muts), extractor, { full: false, skim: true });
		}), { numRuns: 600, seed: 99 });
	});

	it('random scenarios never throw out of the simulator', () => {
		fc.assert(fc.property(scenarioArb, (s) => {
			checkScenario(s);
		}), { numRuns: 600, seed: 3 });
	});

	it('the checks catch what they are meant to catch', () => {
		// a position outside the document is reported
		assert.throws(() => checkText(GPUX_MAIL, {
			extractMessage: (m) => ({ messageIndex: m.index, subject: '', problems: [], files: [{ path: 'x.c', image: 'post', quoteDepth: 0, source: 'patch', functions: [], tables: [], defines: {}, identifiers: [{ name: 'migrate_vma_setup', role: 'call', loc: { line: 999, character: 0, endLine: 999, endCharacter: 1, exact: true, image: 'post', lineKind: '+', touchesChange: true, quoteDepth: 0 } }], units: 1, errorNodes: 0 }] }),
			extractDocument: () => ({ messages: [] }),
			dispose: () => undefined,
		}, { full: true, skim: false }), /outside the document/);
		// and the real extractor finds the call on the same mail without complaint
		checkText(GPUX_MAIL, extractor, { full: true, skim: true });
	});
});

describe('fuzz regressions', () => {
	const cases: Array<[string, string]> = [
		['a quoted hunk whose counts are exactly used up, then an elision, a `\\` line and a removal', `Subject: x\n\n@@ -1,1 +1,1 @@\n-a\n+b\n> quoted\n[...]\n\\ No newline\n-c\n`],
		['a depth-0 hunk followed by a context line past its counts', `Subject: x\n\n@@ -1,1 +1,1 @@\n-a\n+b\n c\n+d\n`],
		['a base64 body with a truncated group', `Subject: x\nContent-Transfer-Encoding: base64\n\nQUJD\nRA\n`],
		['a base64 body hiding a hunk', `Subject: x\nContent-Transfer-Encoding: base64\n\n${Buffer.from('@@ -1,2 +1,1 @@\n-a\n').toString('base64')}\n`],
		['a separator line inside a hunk', `From a@b Mon Jan  1 00:00:00 2001\nSubject: x\n\n@@ -1,2 +1,2 @@\n a\nFrom b@c Mon Jan  1 00:00:00 2001\nSubject: y\n\n-b\n+c\n`],
		['CR-only line ends', `Subject: x\r\r@@ -1 +1 @@\r-a\r+b\r`],
		['a 300,000-character line of quote markers', `Subject: x\n\n${'> '.repeat(150_000)}\n`],
		// found by a long run (seed 424242, case 14217): a chain of `> ` markers ended by another
		// character made unflatten rescan the chain from every marker (quadratic: 52 s here)
		['a 200,000-character chain of quote markers broken by a non-space', `${'> '.repeat(56_000)}\u{27C1C}${'> '.repeat(5_000)}\u{25493}${'> '.repeat(37_000)}\nFrom a@b Mon Sep 17 00:00:00 2001\nFrom: A <a@example.invalid>\nSubject: [PATCH] x\n\nbody\n`],
		// found by the long run (seeds 1001 and 2002): a 100,000-character token in a hunk took the
		// C parser seconds; such lines are no longer parsed
		['a hunk holding a 106,000-character identifier', GPUX_MAIL.replace('+	migrate_vma_pages(args);', `+	${'a'.repeat(106_000)}\n+	migrate_vma_pages(args);`).replace('@@ -1,3 +1,6 @@', '@@ -1,3 +1,7 @@')],
		['deep quoting of a whole patch', GPUX_MAIL.split('\n').map((l, i) => (i > 3 ? '> '.repeat(40) + l : l)).join('\n')],
	];
	for (const [name, text] of cases) {
		it(name, () => {
			checkText(text, extractor, { full: true, skim: true });
		});
	}
});

describe('MboxStream with giant lines', () => {
	/** Splits `t` in chunks of the given sizes (cycled) through a stream. */
	const streamed = (t: string, sizes: number[], max?: number): MessageSlice[] => {
		const s = new MboxStream({ maxMessageChars: max });
		const out: MessageSlice[] = [];
		let k = 0;
		for (let pos = 0; pos < t.length;) {
			const n = sizes[k++ % sizes.length]!;
			out.push(...s.push(t.slice(pos, pos + n)));
			pos += n;
		}
		out.push(...s.end());
		return out;
	};
	const sep = 'From a@b Mon Sep 17 00:00:00 2001\nSubject: s\n\n';
	const piece = fc.oneof(
		fc.constant(sep), fc.constant('\n'), fc.constant('\r\n'), fc.constant('From x\n'), fc.constant('From '), fc.constant('body line\n'),
		fc.integer({ min: 60_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
		fc.integer({ min: 60_000, max: 150_000 }).map((n) => 'From ' + 'y'.repeat(n)),
	);

	it('equals splitMbox on text with lines longer than the look-ahead buffer', () => {
		fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 5 }), (parts, sizes) => {
			const t = parts.join('');
			assert.deepEqual(streamed(t, sizes).map((m) => [m.text, m.startLine]), [...splitMbox(t)].map((m) => [m.text, m.startLine]));
		}), { numRuns: 60, seed: 11 });
	});

	it('keeps at most maxMessageChars of a message, and the line numbers of the next ones', () => {
		fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 10, max: 100_000 }), (parts, sizes, max) => {
			const t = parts.join('');
			const want = [...splitMbox(t)];
			const got = streamed(t, sizes, max);
			assert.equal(got.length, want.length);
			got.forEach((m, i) => {
				assert.equal(m.startLine, want[i]!.startLine);
				assert.ok(m.text.length <= max);
				assert.equal(m.text.length + (m.omitted ?? 0), want[i]!.text.length);
				assert.ok(want[i]!.text.startsWith(m.text));
			});
		}), { numRuns: 60, seed: 12 });
	});
});

const XZ = path.join(corpusRoot, 'bulk', 'nouveau-2020.mbox.xz');

function unpack(): string | undefined {
	try {
		return fs.existsSync(XZ) ? execFileSync('xz', ['-dc', XZ], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8') : undefined;
	} catch {
		return undefined;
	}
}

describe('whole-list skim on the nouveau 2020 archive', () => {
	const text = unpack();
	it('skips most messages, never one with facts, and agrees with a full read on the rest', { skip: text === undefined ? 'bulk corpus or xz missing' : false }, () => {
		let skipped = 0;
		let total = 0;
		let withDiff = 0;
		for (const s of splitMbox(text!)) {
			total++;
			const skim = parseMessage(s.text, s.startLine, total, { skipUnlessWords: FACT_WORDS });
			if (!skim.skipped) {
				continue;
			}
			skipped++;
			const full = parseMessage(s.text, s.startLine, total);
			assert.deepEqual(skim.range, full.range);
			assert.deepEqual(skim.headers, full.headers);
			assert.deepEqual(skim.problems, full.problems);
			assert.equal(skim.hasDiff, full.files.length > 0, `message at line ${s.startLine}`);
			if (skim.hasDiff) {
				withDiff++;
				assert.equal(extractor.extractMessage(full).files.length, 0, `message at line ${s.startLine} has facts`);
			}
		}
		assert.equal(total, 2468);
		assert.ok(skipped > total / 2, `${skipped} of ${total} skipped`);
		assert.ok(withDiff > 300, `${withDiff} skipped patches`);
	});
});
