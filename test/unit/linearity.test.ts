/*
 * Doubling the input about doubles the work. Each case times the same operation on an input of
 * size n and of size 2n — CPU time, the fastest of five runs each (a loaded machine only ever adds
 * time: GC pauses, cache misses), after a warm-up — and accepts a ratio below 3.5 (linear is 2,
 * quadratic 4). Inputs are sized so that one run takes tens of milliseconds, well above timer and
 * scheduler noise. Generous on purpose: this catches accidental quadratic behaviour, not slow
 * code, and must not flake on a loaded machine. No absolute times.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ingestText, MboxStream, splitMbox } from '../../server/src/core/ingest/index';
import { analyzeDocument, extractAll } from '../../server/src/core/analyze';
import type { Extractor } from '../../server/src/core/extract/index';
import { createNodeExtractor } from '../../server/src/core/extract/nodeWasm';
import { FACT_WORDS } from '../../server/src/core/extract/names';
import { parseMessage } from '../../server/src/core/ingest/index';
import { simulate } from '../../server/src/core/model/simulate';

const LIMIT = 3.5;

function cpuMs(f: () => void): number {
	const c0 = process.cpuUsage();
	f();
	const c = process.cpuUsage(c0);
	return (c.user + c.system) / 1000;
}

/** The least CPU time of `f(input)` over five runs, after one warm-up run. */
function timeOf<T>(input: T, f: (x: T) => void): number {
	f(input);
	return Math.min(...Array.from({ length: 5 }, () => cpuMs(() => f(input))));
}

/** Times n and 2n; retries twice (a loaded machine can stall a whole series), then asserts. */
function assertLinear<T>(name: string, make: (n: number) => T, n: number, f: (x: T) => void): void {
	const small = make(n);
	const big = make(2 * n);
	let ratio = 0;
	for (let attempt = 0; attempt < 3; attempt++) {
		const a = timeOf(small, f);
		const b = timeOf(big, f);
		ratio = b / Math.max(a, 0.5);
		if (ratio < LIMIT) {
			return;
		}
	}
	assert.fail(`${name}: doubling the input multiplied the CPU time by ${ratio.toFixed(2)} (limit ${LIMIT})`);
}

/** A made-up patch mail (driver "gpux"), distinct per `k`, with `hunks` hunks. */
function gpuxMail(k: number, hunks = 3): string {
	const out = [
		`From mboxrd@z Thu Jan  1 00:00:00 1970`,
		`From: Dev ${k} <dev${k}@example.invalid>`,
		`Subject: [PATCH ${k % 9 + 1}/9] drm/gpux: migration step ${k}`,
		`Date: Tue, 3 Mar 2020 10:${String(k % 60).padStart(2, '0')}:00 +0000`,
		`Message-ID: <gpux-${k}@example.invalid>`,
		'',
		`Step ${k} of the gpux migration work.`,
		'',
		`Signed-off-by: Dev ${k} <dev${k}@example.invalid>`,
		'---',
		`diff --git a/drivers/gpu/drm/gpux/gpux_${k}.c b/drivers/gpu/drm/gpux/gpux_${k}.c`,
		`--- a/drivers/gpu/drm/gpux/gpux_${k}.c`,
		`+++ b/drivers/gpu/drm/gpux/gpux_${k}.c`,
	];
	for (let h = 0; h < hunks; h++) {
		const at = 10 + h * 40;
		out.push(
			`@@ -${at},4 +${at},9 @@ static int gpux_move_${k}_${h}(struct gpux *g, struct migrate_vma *args)`,
			' {',
			`+	unsigned long i_${h};`,
			'+',
			`+	if (migrate_vma_setup(args))`,
			'+		return -EINVAL;',
			`+	for (i_${h} = 0; i_${h} < args->npages; i_${h}++)`,
			`+		args->dst[i_${h}] = gpux_page_${k}(g, i_${h});`,
			'+	migrate_vma_pages(args);',
			` 	migrate_vma_finalize(args);`,
			' 	return 0;',
			' }',
		);
	}
	out.push('-- ', '2.25.1', '');
	return out.join('\n');
}

function mbox(n: number): string {
	return Array.from({ length: n }, (_, k) => gpuxMail(k)).join('\n');
}

let extractor: Extractor;

before(async () => {
	extractor = await createNodeExtractor(undefined, { parseCacheChars: 0 });
});

after(() => {
	extractor.dispose();
});

describe('linearity: doubling the input about doubles the work', () => {
	it('ingest of an mbox (messages)', () => {
		assertLinear('ingestText', mbox, 300, (t) => ingestText(t));
	});

	it('the whole analysis of an mbox (ingest, extraction, rules)', () => {
		assertLinear('analyzeDocument', mbox, 20, (t) => analyzeDocument(ingestText(t), extractor));
	});

	it('one message with many hunks', () => {
		assertLinear('hunks', (n) => gpuxMail(1, n), 60, (t) => analyzeDocument(ingestText(t), extractor));
	});

	it('one very long line', () => {
		assertLinear('long line', (n) => `Subject: x\n\n${'+	x = a > b; migrate_vma_setup(&args); '.repeat(n)}\n`, 40_000, (t) => ingestText(t));
	});

	it('deeply quoted lines', () => {
		assertLinear('quoting', (n) => `Subject: x\n\n${Array.from({ length: n }, (_, i) => '> '.repeat(1 + (i % 30)) + `line ${i}`).join('\n')}\n`, 80_000, (t) => ingestText(t));
	});

	it('a long chain of quote markers broken by a non-space (flattened-text reading)', () => {
		assertLinear('marker chain', (n) => `${'> '.repeat(n)}\u{27C1C}${'> '.repeat(n)}\nSubject: x\n\nbody\n`, 80_000, (t) => ingestText(t));
	});

	it('a giant token in a hunk (extraction)', () => {
		assertLinear('giant token', (n) => gpuxMail(1, 1).replace('+	migrate_vma_pages(args);', `+	x = ${'a'.repeat(n)};\n+	migrate_vma_pages(args);`).replace('+10,9 @@', '+10,10 @@'), 50_000, (t) => analyzeDocument(ingestText(t), extractor));
	});

	// Found by the long fuzz run: the name of the function a hunk opens was read with a regular
	// expression that backtracks quadratically over a giant word before a `{`.
	it('a giant word just before a function body opens (extraction)', () => {
		const mail = (n: number): string => ['From: a@example.invalid', 'Subject: [PATCH] x', '', '---', 'diff --git a/d/x.c b/d/x.c', '--- a/d/x.c', '+++ b/d/x.c',
			'@@ -1,1 +1,4 @@', ' int a = migrate_vma_setup(&args);', `+${'a'.repeat(n)}`, '+{', '+}', ''].join('\n');
		assertLinear('giant word before {', mail, 40_000, (t) => analyzeDocument(ingestText(t), extractor));
	});

	it('a giant hunk section (the function name after the second @@)', () => {
		const mail = (n: number): string => ['From: a@example.invalid', 'Subject: [PATCH] x', '', '---', 'diff --git a/d/x.c b/d/x.c', '--- a/d/x.c', '+++ b/d/x.c',
			`@@ -1,1 +1,2 @@ static int ${'a'.repeat(n)} /* ${'/* '.repeat(n / 3)}`, ' int a = migrate_vma_setup(&args);', '+\treturn a;', ''].join('\n');
		assertLinear('giant section', mail, 40_000, (t) => analyzeDocument(ingestText(t), extractor));
	});

	// Regular expressions that tried every split of a long run (of `<`, `(`, letters, blanks or
	// stars) in one header or line, each run up to its end: References ids, Date comments and the
	// archive date, reply prefixes, trailers, loose hunk headers.
	it('giant header values and runs of blanks in body lines (ingest)', () => {
		const mail = (n: number): string => [
			'From: a@example.invalid', `Subject: Re${'\u00a0'.repeat(n)}x`, `References: ${'<'.repeat(n)}`,
			`Date: ${'('.repeat(n)} ${'a'.repeat(n)} Jan 10, 2017${' '.repeat(n)}x`, '',
			`Signed-off-by: a${' '.repeat(n)}b`, '---', 'diff --git a/d/x.c b/d/x.c', '--- a/d/x.c', '+++ b/d/x.c', `@@ -1 +1${' '.repeat(n)}x`, '-a', '+b', '',
		].join('\n');
		assertLinear('giant headers', mail, 20_000, (t) => ingestText(t));
	});

	it('a base64 body with a long run of blanks (whole-list skim)', () => {
		const mail = (n: number): string => `From: a@example.invalid\nSubject: x\nContent-Transfer-Encoding: base64\n\nQUJD${' '.repeat(n)}!\n`;
		assertLinear('base64 skim', mail, 20_000, (t) => parseMessage(t, 0, 0, { skipUnlessWords: FACT_WORDS }));
	});

	it('near misses of the API words on one line, and a header without end (whole-list skim)', () => {
		const near = '_ __ mmu_notifie _pfn fault_pag longter pgma MIGRATE hmm DEVICE_ >Fro GIT binary patc migrat ';
		const mail = (n: number): string => `From: a@example.invalid\nSubject: x\n\n${near.repeat(n / near.length)}\n`;
		assertLinear('skim word test', mail, 2_000_000, (t) => parseMessage(t, 0, 0, { skipUnlessWords: FACT_WORDS }));
		const head = (n: number): string => `From: a@example.invalid\n${'X-A: b\n c\n'.repeat(n / 10)}`;
		assertLinear('skim header', head, 1_000_000, (t) => parseMessage(t, 0, 0, { skipUnlessWords: FACT_WORDS }));
	});

	it('runs of blanks in a hunk section, a string of open comments, and a line naming an API the kernel lacks (extraction, rules)', () => {
		const mail = (n: number): string => ['From: a@example.invalid', 'Subject: [PATCH] x', '', '---', 'diff --git a/d/x.c b/d/x.c', '--- a/d/x.c', '+++ b/d/x.c',
			`@@ -1,3 +1,${7 + n / 100} @@ static int f(struct migrate_vma *args,${' '.repeat(n)}int b)`, ' {', '+\tmigrate_vma_setup(args);', '+\tgpux_log(',
			...Array.from({ length: n / 100 }, () => `+\t"${' /*b'.repeat(25)}"`), '+\t);', `+\tint ${'*'.repeat(n)}x migrate_vma_setup(args);`, ' \treturn 0;', ' }', ''].join('\n');
		assertLinear('hunk texts', mail, 30_000, (t) => analyzeDocument(ingestText(t), extractor, { kernel: '5.0' }));
	});

	it('long runs of blanks around an enum member and after a notifier event test (rules)', () => {
		const mail = (n: number): string => ['From: a@example.invalid', 'Subject: [PATCH] x', '', '---',
			'diff --git a/include/linux/memremap.h b/include/linux/memremap.h', '--- a/include/linux/memremap.h', '+++ b/include/linux/memremap.h',
			'@@ -1,2 +1,3 @@ enum memory_type {', ' \tMEMORY_DEVICE_PRIVATE = 1,', `+\tMEMORY_DEVICE_COHERENT =${' '.repeat(n / 40)}, x`, ' \tMEMORY_DEVICE_FS_DAX,',
			'diff --git a/d/x.c b/d/x.c', '--- a/d/x.c', '+++ b/d/x.c',
			'@@ -1,0 +1,6 @@ static bool gpux_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq)',
			'+\tif (range->event == MMU_NOTIFY_MIGRATE)', `+${' '.repeat(n)}x`, '+\t\treturn true;', '+\tmmu_interval_set_seq(mni, cur_seq);', '+\treturn true;', '+}', ''].join('\n');
		assertLinear('rule lines', mail, 20_000, (t) => analyzeDocument(ingestText(t), extractor));
	});

	// The rules group a document's messages by thread once per document (seriesOf in
	// rules/missing-select-flags.ts), so a list archive costs time linear in its messages.
	it('the rules over the messages of one large document', () => {
		const mail = (k: number): string => `From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: D <d@example.invalid>\nSubject: [PATCH] gpux ${k}\nMessage-ID: <m${k}@example.invalid>\nReferences: <root${k % 50}@example.invalid>\nDate: Tue, 3 Mar 2020 10:00:00 +0000\n\n---\ndiff --git a/a${k}.c b/a${k}.c\n--- a/a${k}.c\n+++ b/a${k}.c\n@@ -1,2 +1,3 @@ static void f${k}(struct migrate_vma *a)\n {\n+\tmigrate_vma_pages(a);\n }\n`;
		assertLinear('rules', (n) => {
			const doc = ingestText(Array.from({ length: n }, (_, k) => mail(k)).join('\n'));
			return { doc, facts: extractAll(doc, extractor, {}) };
		}, 500, (x) => analyzeDocument(x.doc, { extractMessage: (m) => x.facts[m.index]!.facts ?? { messageIndex: m.index, subject: '', files: [], problems: [] }, extractDocument: () => ({ messages: [] }), dispose: () => undefined }));
	});

	it('chunked mbox reading and the whole-list skim', () => {
		assertLinear('MboxStream', mbox, 400, (t) => {
			const s = new MboxStream();
			let k = 0;
			for (let i = 0; i < t.length; i += 64 * 1024) {
				for (const m of s.push(t.slice(i, i + 64 * 1024))) {
					parseMessage(m.text, m.startLine, k++, { skipUnlessWords: FACT_WORDS });
				}
			}
			s.end();
		});
	});

	it('splitting many tiny messages', () => {
		assertLinear('splitMbox', (n) => Array.from({ length: n }, (_, k) => `From x Mon Jan  1 00:00:00 2001\nSubject: ${k}\n\nbody\n`).join(''), 50_000, (t) => {
			for (const s of splitMbox(t)) {
				void s;
			}
		});
	});

	it('the simulator over a page range', () => {
		const scenario = (n: number): unknown => ({
			kernel: '6.8',
			vma: { anonymous: true, write: true },
			pages: Array.from({ length: n }, (_, i) => ({ state: i % 11 === 0 ? 'none' : 'system', writable: true })),
			steps: [{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: n }, { op: 'copy', to: 'device-private', owner: 'gpu0' }, { op: 'pages' }, { op: 'finalize' }],
		});
		assertLinear('simulate', scenario, 50_000, (s) => simulate(s));
	});
});
