/*
 * `npm run fuzz`: hostile input through the whole pipeline — ingest, extraction, the rules and the
 * simulator. Inputs are fast-check's mail-like text and mutations of the corpus mails and the test
 * fixtures (byte flips, truncation, line shuffles, duplicated hunks, giant lines, deep quoting,
 * CRLF, stray separators and diff markers). For every case: nothing throws, every position
 * reported (messages, problems, lines, facts, findings) lies inside the document, the whole-list
 * skim (`skipUnlessWords`) agrees with a full read, and no input takes longer than its time budget.
 *
 *   npm run fuzz [-- --cases 100000] [--seed N] [--budget-ms 3000]
 *   npm run fuzz -- --seed N --from K --cases K+1 --dump    (writes case K's input to .fuzz/)
 *
 * The run happens in a child process watched by this one: a child that stops reporting progress
 * (an endless loop) is killed and the case that hung is printed. Exit status 1 on any failure.
 * test/unit/fuzz.test.ts runs the same checks on a few thousand cases.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ingestText, parseMessage, positionOf, splitMbox, splitLines, type PatchDocument } from '../server/src/core/ingest/index';
import { analyzeDocument } from '../server/src/core/analyze';
import type { Extractor } from '../server/src/core/extract/index';
import { createNodeExtractor } from '../server/src/core/extract/nodeWasm';
import { FACT_WORDS } from '../server/src/core/extract/names';
import { simulate } from '../server/src/core/model/simulate';
import { corpusFiles } from '../test/corpus';

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// Inputs

/** Corpus mails and the text fixtures of the repository (patches, mails, mboxes). */
export function baseInputs(): string[] {
	const out: string[] = [];
	for (const f of corpusFiles('mail')) {
		out.push(fs.readFileSync(f, 'utf8'));
	}
	const walk = (dir: string): void => {
		if (!fs.existsSync(dir)) {
			return;
		}
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) {
				walk(p);
			} else if (/\.(patch|diff|mbox|eml|txt)$/.test(e.name) && fs.statSync(p).size < 200_000) {
				out.push(fs.readFileSync(p, 'utf8'));
			}
		}
	};
	walk(path.join(ROOT, 'test', 'fixtures'));
	if (out.length === 0) {
		out.push(FALLBACK);
	}
	return out;
}

/** A made-up patch mail, so the fuzzer has something to mutate without the corpus. */
const FALLBACK = `From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: Dev <dev@example.invalid>
Date: Tue, 3 Mar 2020 10:00:00 +0000
Subject: [PATCH] drm/gpux: migrate pages to the device

---
 drivers/gpu/drm/gpux/gpux_migrate.c | 12 ++++++++++++
 1 file changed, 12 insertions(+)

diff --git a/drivers/gpu/drm/gpux/gpux_migrate.c b/drivers/gpu/drm/gpux/gpux_migrate.c
--- a/drivers/gpu/drm/gpux/gpux_migrate.c
+++ b/drivers/gpu/drm/gpux/gpux_migrate.c
@@ -10,3 +10,15 @@ static int gpux_migrate(struct gpux *g, struct vm_area_struct *vma)
 {
 	struct migrate_vma args = { .vma = vma };
+	unsigned long src[64], dst[64];
+
+	args.src = src;
+	args.dst = dst;
+	args.start = vma->vm_start;
+	args.end = vma->vm_start + 64 * PAGE_SIZE;
+	args.flags = MIGRATE_VMA_SELECT_SYSTEM;
+	if (migrate_vma_setup(&args))
+		return -EINVAL;
+	gpux_copy(g, &args);
+	migrate_vma_pages(&args);
+	migrate_vma_finalize(&args);
 	return 0;
 }
-- 
2.25.1
`;

const MAIL_PIECES = ['a', 'z', ' ', ' ', '\t', '\n', '\n', '\n', '\r', '\r\n', '>', '> ', '>>', '+', '-', '@@ -1,3 +1,4 @@', '@@ -1 +1 @@ f(void)', '@@ -', '=', '=3D', '=\n',
	'=?utf-8?B?w6k=?=', '=?x-unknown?Q?a?=', 'From ', 'From mboxrd@z Thu Jan  1 00:00:00 1970\n', 'Subject: ', 'Date: Mon, 1 Jun 2020 10:00:00 +0000\n',
	'Content-Transfer-Encoding: base64\n', 'Content-Transfer-Encoding: quoted-printable\n', 'Content-Type: multipart/mixed; boundary=b\n', 'Content-Type: text/plain; charset=bogus\n',
	'--b\n', 'diff --git a/x.c b/x.c\n', '--- a/x.c\n', '+++ b/x.c\n', '\\ No newline at end of file\n', 'GIT binary patch\n', 'literal 3\n', '[...]', '\u0000', 'é', '\uFFFD', '😀', '\uD800',
	'(', ')', '{', '}', ';', 'migrate_vma_setup(&args);', 'args.src[i] = ', 'migrate_vma_pages(&m);', ' struct migrate_vma args = {', 'MIGRATE_PFN_MIGRATE', 'hmm_range_fault(&r)',
	'static vm_fault_t f(struct vm_fault *vmf)\n{\n', '/*', '*/', '"', '#define X(a) a\n', '#if 0\n', 'Signed-off-by: A <a@b>\n'];

/** fast-check: mail-like text built from the pieces above. */
export const mailText: fc.Arbitrary<string> = fc.array(fc.oneof(fc.constantFrom(...MAIL_PIECES), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 300 }).map((a) => a.join(''));

export type Mutation =
	| { kind: 'flip'; at: number; code: number }
	| { kind: 'truncate'; at: number }
	| { kind: 'swap'; a: number; b: number }
	| { kind: 'shuffle'; at: number; n: number; seed: number }
	| { kind: 'dupHunk'; which: number; times: number }
	| { kind: 'giant'; at: number; n: number; unit: string }
	| { kind: 'quote'; at: number; n: number; depth: number }
	| { kind: 'crlf' }
	| { kind: 'insert'; at: number; piece: string }
	| { kind: 'drop'; at: number; n: number };

const HOSTILE_CODES = [0, 9, 10, 13, 32, 43, 45, 62, 64, 0x7f, 0xa0, 0xe9, 0xfffd, 0xd800, 0xdfff, 0x2028, 0x1f600];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), code: fc.oneof(fc.constantFrom(...HOSTILE_CODES), fc.integer({ min: 0, max: 0x10ffff })) }),
	fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
	fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
	fc.record({ kind: fc.constant('shuffle' as const), at: fc.nat(), n: fc.integer({ min: 2, max: 40 }), seed: fc.nat() }),
	fc.record({ kind: fc.constant('dupHunk' as const), which: fc.nat(), times: fc.integer({ min: 1, max: 20 }) }),
	fc.record({ kind: fc.constant('giant' as const), at: fc.nat(), n: fc.integer({ min: 1000, max: 300_000 }), unit: fc.constantFrom('a', '+ x = a > b; > > ', '> ', '@@ ', 'migrate_vma_setup(', '{', '(', ' diff --git a/x b/x ', '=\n') }),
	fc.record({ kind: fc.constant('quote' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 400 }), depth: fc.integer({ min: 1, max: 60 }) }),
	fc.record({ kind: fc.constant('crlf' as const) }),
	fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: fc.constantFrom(...MAIL_PIECES) }),
	fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 50 }) }),
);

function lcg(seed: number): () => number {
	let s = (seed >>> 0) || 1;
	return () => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

export function mutate(text: string, muts: readonly Mutation[]): string {
	let t = text;
	for (const mu of muts) {
		const lines = t.split('\n');
		const li = (k: number): number => (lines.length === 0 ? 0 : k % lines.length);
		switch (mu.kind) {
			case 'flip': {
				if (t.length === 0) {
					break;
				}
				const at = mu.at % t.length;
				t = t.slice(0, at) + String.fromCodePoint(mu.code) + t.slice(at + 1);
				break;
			}
			case 'truncate':
				t = t.slice(0, t.length === 0 ? 0 : mu.at % (t.length + 1));
				break;
			case 'swap': {
				const a = li(mu.a);
				const b = li(mu.b);
				[lines[a], lines[b]] = [lines[b]!, lines[a]!];
				t = lines.join('\n');
				break;
			}
			case 'shuffle': {
				const a = li(mu.at);
				const part = lines.slice(a, a + mu.n);
				const r = lcg(mu.seed);
				for (let i = part.length - 1; i > 0; i--) {
					const j = Math.floor(r() * (i + 1));
					[part[i], part[j]] = [part[j]!, part[i]!];
				}
				lines.splice(a, part.length, ...part);
				t = lines.join('\n');
				break;
			}
			case 'dupHunk': {
				const heads = lines.map((l, i) => (/^[> ]*@@ /.test(l) ? i : -1)).filter((i) => i >= 0);
				if (heads.length === 0) {
					break;
				}
				const h = heads[mu.which % heads.length]!;
				let e = h + 1;
				while (e < lines.length && /^[> ]*[ +\-\\]/.test(lines[e]!) && !/^[> ]*@@ /.test(lines[e]!)) {
					e++;
				}
				const block = lines.slice(h, e);
				const copies: string[] = [];
				for (let i = 0; i < mu.times; i++) {
					copies.push(...block);
				}
				lines.splice(e, 0, ...copies);
				t = lines.join('\n');
				break;
			}
			case 'giant': {
				const a = li(mu.at);
				lines.splice(a, 0, mu.unit.repeat(Math.ceil(mu.n / mu.unit.length)).slice(0, mu.n));
				t = lines.join('\n');
				break;
			}
			case 'quote': {
				const a = li(mu.at);
				const prefix = '> '.repeat(mu.depth);
				for (let i = a; i < Math.min(lines.length, a + mu.n); i++) {
					lines[i] = prefix + lines[i];
				}
				t = lines.join('\n');
				break;
			}
			case 'crlf':
				t = t.replace(/\r?\n/g, '\r\n');
				break;
			case 'insert': {
				const at = t.length === 0 ? 0 : mu.at % (t.length + 1);
				t = t.slice(0, at) + mu.piece + t.slice(at);
				break;
			}
			case 'drop':
				lines.splice(li(mu.at), mu.n);
				t = lines.join('\n');
				break;
		}
	}
	return t;
}

/** Random scenarios for the simulator: mostly well-formed, some not. */
export const scenarioArb: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 5, arbitrary: fc.record({
		kernel: fc.constantFrom('4.14', '4.19', '5.7', '5.8', '5.9', '6.0', '6.1', '6.8', '6.15', '99.1', 'x'),
		vma: fc.record({ anonymous: fc.boolean(), shared: fc.boolean(), write: fc.boolean(), special: fc.boolean(), hugetlb: fc.boolean(), dax: fc.boolean() }, { requiredKeys: [] }),
		pages: fc.array(fc.record({
			state: fc.constantFrom('none', 'zero', 'system', 'file', 'swap', 'device-private', 'device-coherent', 'bogus'),
			owner: fc.constantFrom('gpu0', 'gpu1', undefined),
			writable: fc.boolean(), pinned: fc.boolean(), locked: fc.boolean(), pmd: fc.boolean(),
		}, { requiredKeys: ['state'] }), { maxLength: 600 }),
		steps: fc.array(fc.oneof(
			fc.record({ op: fc.constant('setup'), flags: fc.array(fc.constantFrom('SYSTEM', 'DEVICE_PRIVATE', 'DEVICE_COHERENT', 'COMPOUND', 'X')), pgmapOwner: fc.constantFrom('gpu0', 'gpu1', null, undefined), srcOwner: fc.constantFrom('gpu0', null, undefined), first: fc.integer({ min: -5, max: 700 }), count: fc.integer({ min: -5, max: 700 }), faultPage: fc.option(fc.integer({ min: -2, max: 700 })), vmaNull: fc.boolean(), srcNull: fc.boolean(), dstNull: fc.boolean() }, { requiredKeys: ['op', 'first', 'count'] }),
			fc.record({ op: fc.constant('copy'), to: fc.constantFrom('system', 'device-private', 'device-coherent', 'nowhere'), owner: fc.constantFrom('gpu0', 'gpu1', undefined), skip: fc.array(fc.integer({ min: -3, max: 700 }), { maxLength: 10 }), compound: fc.boolean() }, { requiredKeys: ['op', 'to'] }),
			fc.constant({ op: 'pages' }), fc.constant({ op: 'finalize' }),
			fc.record({ op: fc.constant('pin'), first: fc.integer({ min: -3, max: 700 }), count: fc.integer({ min: -3, max: 700 }), longterm: fc.boolean(), write: fc.boolean() }),
			fc.record({ op: fc.constant('unpin'), first: fc.integer({ min: -3, max: 700 }), count: fc.integer({ min: -3, max: 700 }) }),
			fc.record({ op: fc.constant('cpu-fault'), page: fc.integer({ min: -3, max: 700 }), write: fc.boolean(), passFaultPage: fc.boolean() }, { requiredKeys: ['op', 'page'] }),
			fc.record({ op: fc.string({ maxLength: 8 }) }),
		), { maxLength: 12 }),
	}, { requiredKeys: ['kernel', 'pages', 'steps'] }) },
	{ weight: 1, arbitrary: fc.anything() },
);

// ---------------------------------------------------------------------------------------------
// Checks

export class FuzzFailure extends Error {
	constructor(message: string, readonly input: string) {
		super(message);
	}
}

interface P {
	line: number;
	character: number;
}

function positionChecker(text: string): (p: P, what: string) => void {
	const lines = text.split(/\r\n|\r|\n/);
	return (p, what) => {
		if (!(Number.isInteger(p.line) && p.line >= 0 && p.line < lines.length && Number.isInteger(p.character) && p.character >= 0 && p.character <= lines[p.line]!.length)) {
			throw new Error(`${what}: position ${JSON.stringify({ line: p.line, character: p.character })} outside the document (${lines.length} lines${p.line >= 0 && p.line < lines.length ? `, line length ${lines[p.line]!.length}` : ''})`);
		}
	};
}

function checkDoc(text: string, doc: PatchDocument, inside: (p: P, what: string) => void): void {
	for (const p of doc.problems) {
		inside(p.range.start, 'document problem');
		inside(p.range.end, 'document problem');
	}
	for (const m of doc.messages) {
		inside(m.range.start, 'message range');
		inside(m.range.end, 'message range');
		for (const p of m.problems) {
			inside(p.range.start, `problem "${p.message.slice(0, 60)}"`);
			inside(p.range.end, `problem "${p.message.slice(0, 60)}"`);
		}
		for (const l of m.body) {
			inside(l.origin.range.start, 'line origin');
			inside(l.origin.range.end, 'line origin');
			inside(positionOf(l, 0), 'line start');
			inside(positionOf(l, l.text.length), 'line end');
		}
		for (const f of m.files) {
			inside(f.header.origin.range.start, 'file header');
			for (const h of f.hunks) {
				inside(positionOf(h.header, 0), 'hunk header');
				for (const dl of h.lines) {
					inside(positionOf(dl.source, Math.min(1, dl.source.text.length)), 'diff line');
				}
			}
		}
	}
	if (text.length === 0 && doc.messages.length > 0) {
		throw new Error('messages in an empty document');
	}
}

/** Every `Loc`-shaped object (line/character/endLine/endCharacter) in a fact tree lies inside the document. */
function checkLocs(x: unknown, inside: (p: P, what: string) => void, seen = new Set<object>()): void {
	if (x === null || typeof x !== 'object' || seen.has(x)) {
		return;
	}
	seen.add(x);
	const o = x as Record<string, unknown>;
	if (typeof o.line === 'number' && typeof o.character === 'number' && typeof o.endLine === 'number' && typeof o.endCharacter === 'number') {
		inside({ line: o.line, character: o.character }, 'fact location');
		inside({ line: o.endLine, character: o.endCharacter }, 'fact location end');
	}
	for (const v of Array.isArray(x) ? x : Object.values(o)) {
		checkLocs(v, inside, seen);
	}
}

/** The whole-list skim agrees with a full read of each message. */
function checkSkim(text: string, extractor: Extractor): void {
	for (const s of splitMbox(text)) {
		const skim = parseMessage(s.text, s.startLine, 0, { skipUnlessWords: FACT_WORDS });
		if (!skim.skipped) {
			continue;
		}
		const full = parseMessage(s.text, s.startLine, 0);
		const same = (a: unknown, b: unknown, what: string): void => {
			if (JSON.stringify(a) !== JSON.stringify(b)) {
				throw new Error(`skim and full read differ in ${what}: ${JSON.stringify(a).slice(0, 200)} vs ${JSON.stringify(b).slice(0, 200)}`);
			}
		};
		same(skim.range, full.range, 'range');
		same(skim.headers, full.headers, 'headers');
		same(skim.subject, full.subject, 'subject');
		same(skim.dateMs ?? null, full.dateMs ?? null, 'date');
		same(skim.problems, full.problems, 'problems');
		same(skim.hasDiff, full.files.length > 0, 'hasDiff');
		const facts = extractor.extractMessage(full);
		if (facts.files.length > 0) {
			throw new Error(`skipped message has facts (${facts.files.map((f) => f.path).join(', ')})`);
		}
	}
}

export interface CaseOptions {
	/** Run extraction and the rules (the expensive part). */
	full: boolean;
	/** Also compare the whole-list skim with a full read. */
	skim: boolean;
}

/** Runs one text through the pipeline; throws on any failed check. */
export function checkText(text: string, extractor: Extractor, opts: CaseOptions): void {
	const inside = positionChecker(text);
	const doc = ingestText(text);
	checkDoc(text, doc, inside);
	if (splitLines(text).length > 0 && doc.messages.length === 0 && text.trim().length > 0) {
		throw new Error('non-blank text read as no message');
	}
	if (opts.skim) {
		checkSkim(text, extractor);
	}
	if (!opts.full) {
		return;
	}
	let ruleError: string | undefined;
	const analysis = analyzeDocument(doc, extractor, { onError: (what, e) => {
		ruleError ??= `${what}: ${(e as Error)?.stack ?? String(e)}`;
	} });
	if (ruleError) {
		throw new Error(`the pipeline reported a throw: ${ruleError}`);
	}
	for (const m of analysis.messages) {
		if (m.facts) {
			checkLocs(m.facts, inside);
		}
	}
	for (const f of analysis.findings) {
		inside(f.range.start, `finding ${f.rule}`);
		inside(f.range.end, `finding ${f.rule}`);
		for (const r of (f as { related?: Array<{ range?: { start: P; end: P } }> }).related ?? []) {
			if (r.range) {
				inside(r.range.start, `related of ${f.rule}`);
				inside(r.range.end, `related of ${f.rule}`);
			}
		}
	}
}

export function checkScenario(s: unknown): void {
	const r = simulate(s) as { errors?: unknown };
	if (!r || !Array.isArray(r.errors)) {
		throw new Error('simulate returned no errors array');
	}
}

// ---------------------------------------------------------------------------------------------
// The run

export interface RunOptions {
	cases: number;
	seed: number;
	/** Generate but do not run the cases before this one (to replay one case of a long run). */
	from?: number;
	/** Write the input of each run case to this folder instead of checking it. */
	dumpTo?: string;
	/** Per-input budget in ms (plus 1 ms per KB of input). */
	budgetMs: number;
	/** Called every so often with the number of cases done. */
	progress?: (done: number, note: string) => void;
}

export interface RunResult {
	cases: number;
	byKind: Record<string, number>;
	failures: Array<{ kind: string; message: string; input: string }>;
	slowest: { kind: string; ms: number; chars: number };
	ms: number;
}

const FULL_MAX_CHARS = 200_000;

/**
 * Generates and checks `cases` inputs: 30% mutated corpus/fixture mails through the full
 * pipeline (up to FULL_MAX_CHARS; larger ones as below), 30% the same through ingest and the skim
 * only (more mutations), 25% fast-check mail text through the full pipeline, 15% simulator
 * scenarios. Deterministic for a seed.
 */
export async function runFuzz(opts: RunOptions): Promise<RunResult> {
	const extractor = await createNodeExtractor(undefined, { parseCacheChars: 0, factsMemoChars: 0 });
	const bases = baseInputs();
	const rand = lcg(opts.seed);
	const byKind: Record<string, number> = {};
	const failures: RunResult['failures'] = [];
	let slowest = { kind: '', ms: 0, chars: 0 };
	const t0 = performance.now();
	const sample = <T>(arb: fc.Arbitrary<T>): T => fc.sample(arb, { numRuns: 1, seed: Math.floor(rand() * 2 ** 31) })[0]!;
	for (let i = 0; i < opts.cases; i++) {
		const r = rand();
		let kind: string;
		let input: string;
		let run: () => void;
		if (r < 0.6) {
			kind = r < 0.3 ? 'mutated-full' : 'mutated-ingest';
			const base = bases[Math.floor(rand() * bases.length)]!;
			const muts = sample(fc.array(mutation, { minLength: 1, maxLength: kind === 'mutated-full' ? 3 : 6 }));
			input = mutate(base, muts);
			// inputs blown up by the mutations (giant lines, many duplicated hunks) go through ingest
			// and the skim only, so the run stays within its time
			const full = kind === 'mutated-full' && input.length <= FULL_MAX_CHARS;
			run = () => checkText(input, extractor, { full, skim: true });
		} else if (r < 0.85) {
			kind = 'random-full';
			input = sample(mailText);
			run = () => checkText(input, extractor, { full: true, skim: true });
		} else {
			kind = 'scenario';
			const s = sample(scenarioArb);
			input = JSON.stringify(s) ?? 'undefined';
			run = () => checkScenario(s);
		}
		if (i < (opts.from ?? 0)) {
			continue;
		}
		if (opts.dumpTo) {
			fs.mkdirSync(opts.dumpTo, { recursive: true });
			fs.writeFileSync(path.join(opts.dumpTo, `case-${opts.seed}-${i}-${kind}.txt`), input);
			continue;
		}
		opts.progress?.(i, kind);
		byKind[kind] = (byKind[kind] ?? 0) + 1;
		const c0 = performance.now();
		try {
			run();
		} catch (e) {
			failures.push({ kind, message: (e as Error)?.stack ?? String(e), input });
		}
		const ms = performance.now() - c0;
		if (ms > slowest.ms) {
			slowest = { kind, ms, chars: input.length };
		}
		if (ms > opts.budgetMs + input.length / 1024) {
			failures.push({ kind, message: `took ${ms.toFixed(0)} ms (budget ${(opts.budgetMs + input.length / 1024).toFixed(0)} ms) on ${input.length} characters`, input });
		}
	}
	extractor.dispose();
	return { cases: opts.cases, byKind, failures, slowest, ms: performance.now() - t0 };
}

interface Args {
	cases: number;
	seed: number;
	budgetMs: number;
	child: boolean;
	from: number;
	dump: boolean;
}

function parseArgs(argv: string[]): Args {
	const a: Args = { cases: 100_000, seed: Date.now() % 1_000_000, budgetMs: 3000, child: false, from: 0, dump: false };
	for (let i = 0; i < argv.length; i++) {
		const x = argv[i]!;
		const val = (): number => Number(x.includes('=') ? x.slice(x.indexOf('=') + 1) : argv[++i]);
		if (x.startsWith('--cases')) {
			a.cases = val();
		} else if (x.startsWith('--seed')) {
			a.seed = val();
		} else if (x.startsWith('--budget-ms')) {
			a.budgetMs = val();
		} else if (x.startsWith('--from')) {
			a.from = val();
		} else if (x === '--dump') {
			a.dump = true;
		} else if (x === '--child') {
			a.child = true;
		} else {
			throw new Error(`unknown option '${x}'`);
		}
	}
	return a;
}

async function child(args: Args): Promise<void> {
	let lastSent = 0;
	const res = await runFuzz({ ...args, progress: (done, note) => {
		// the parent watches these: the index of the case about to run, at most every 200 ms
		const now = performance.now();
		if (now - lastSent > 200 || done % 5000 === 0) {
			lastSent = now;
			process.send?.({ progress: done, note });
		}
	} });
	const dir = path.join(ROOT, '.fuzz');
	if (res.failures.length > 0) {
		fs.mkdirSync(dir, { recursive: true });
		res.failures.forEach((f, k) => fs.writeFileSync(path.join(dir, `failure-${args.seed}-${k}.txt`), f.input));
	}
	process.send?.({ done: { ...res, failures: res.failures.map((f) => ({ kind: f.kind, message: f.message.slice(0, 2000), chars: f.input.length })) } });
}

function parent(args: Args): void {
	const stall = Math.max(60_000, args.budgetMs * 20);
	process.stdout.write(`fuzz: ${args.cases} cases, seed ${args.seed}, budget ${args.budgetMs} ms per input\n`);
	const c = fork(__filename, ['--child', '--cases', String(args.cases), '--seed', String(args.seed), '--budget-ms', String(args.budgetMs), '--from', String(args.from)], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	let last = Date.now();
	let lastDone = 0;
	let finished = false;
	const timer = setInterval(() => {
		if (Date.now() - last > stall) {
			process.stdout.write(`fuzz: no progress for ${stall / 1000} s in case ${lastDone} or just after it (seed ${args.seed}): killed — a hang. Replay: npm run fuzz -- --seed ${args.seed} --from ${lastDone} --cases ${lastDone + 1} --dump\n`);
			c.kill('SIGKILL');
			clearInterval(timer);
			process.exitCode = 1;
		}
	}, 1000);
	c.on('message', (m: { progress?: number; note?: string; done?: Omit<RunResult, 'failures'> & { failures: Array<{ kind: string; message: string; chars: number }> } }) => {
		last = Date.now();
		if (m.progress !== undefined) {
			lastDone = m.progress;
			if (m.progress % 5000 === 0) {
				process.stdout.write(`fuzz: ${m.progress} cases\n`);
			}
		}
		if (m.done) {
			finished = true;
			const d = m.done;
			process.stdout.write(`fuzz: ${d.cases} cases in ${(d.ms / 1000).toFixed(1)} s (${Object.entries(d.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}); slowest ${d.slowest.ms.toFixed(0)} ms (${d.slowest.kind}, ${d.slowest.chars} chars)\n`);
			for (const f of d.failures.slice(0, 20)) {
				process.stdout.write(`FAIL [${f.kind}, ${f.chars} chars]: ${f.message}\n`);
			}
			process.stdout.write(`${d.cases - d.failures.length} passed, ${d.failures.length} failed\n`);
			if (d.failures.length > 0) {
				process.stdout.write(`fuzz: failing inputs written to .fuzz/failure-${args.seed}-*.txt\n`);
				process.exitCode = 1;
			}
		}
	});
	c.on('exit', (code) => {
		clearInterval(timer);
		if (!finished) {
			process.stdout.write(`fuzz: the run ended without a result (exit ${code}) after case ${lastDone}\n`);
			process.exitCode = 1;
		}
	});
}

if (require.main === module) {
	const args = parseArgs(process.argv.slice(2));
	if (args.dump) {
		runFuzz({ ...args, dumpTo: path.join(ROOT, '.fuzz') }).then(() => process.stdout.write('fuzz: inputs written to .fuzz/\n'), (e: unknown) => {
			process.stderr.write(`fuzz: ${(e as Error)?.stack ?? String(e)}\n`);
			process.exitCode = 2;
		});
	} else if (args.child) {
		child(args).catch((e: unknown) => {
			process.stderr.write(`fuzz: ${(e as Error)?.stack ?? String(e)}\n`);
			process.exit(2);
		});
	} else {
		parent(args);
	}
}
