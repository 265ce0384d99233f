/*
 * The kernel-patch TextMate grammar, run through the real engine (vscode-textmate + vscode-oniguruma) with a real
 * C grammar behind `source.c` (tm-grammars/grammars/c.json). Fixtures are made-up gpux/acme patch mails in
 * test/fixtures/grammar; the corpus mails are read from the shared corpus via test/corpus.ts.
 *
 * Run: node --import tsx --test test/grammar/grammar.test.ts
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';
import { corpusFiles, corpusRoot, haveCorpus } from '../corpus.ts';

const repoRoot = path.resolve(__dirname, '..', '..');
const grammarPath = path.join(repoRoot, 'syntaxes', 'kernel-patch.tmLanguage.json');
const languageConfigPath = path.join(repoRoot, 'syntaxes', 'language-configuration.json');
const cGrammarPath = path.join(repoRoot, 'node_modules', 'tm-grammars', 'grammars', 'c.json');
const wasmPath = path.join(repoRoot, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm');
const fixtureDir = path.join(repoRoot, 'test', 'fixtures', 'grammar');

const SCOPE = 'source.kernel-patch';
const FN = 'support.function.migrate-vma.kernel-patch';
const CONST = 'support.constant.migrate-vma.kernel-patch';
const MEMBER = 'variable.other.member.migrate-vma.kernel-patch';
const TYPE = 'support.type.migrate-vma.kernel-patch';
/** A runaway grammar shows up as an ever-growing rule stack; real mails stay far below this. */
const MAX_STACK_DEPTH = 40;

interface Token {
	text: string;
	start: number;
	end: number;
	scopes: string[];
}

interface Line {
	text: string;
	tokens: Token[];
	depth: number;
	stoppedEarly: boolean;
}

interface Tokenized {
	lines: Line[];
	/** Everything vscode-textmate reported through console.error (e.g. "Grammar is in an endless loop"). */
	errors: string[];
}

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
	if (!fs.existsSync(cGrammarPath)) {
		throw new Error(
			`The grammar tests need a real C grammar for source.c, expected at ${cGrammarPath}. `
			+ 'Add tm-grammars as a devDependency (npm i -D tm-grammars) and run npm install.',
		);
	}
	await oniguruma.loadWASM(new Uint8Array(fs.readFileSync(wasmPath)));
	const registry = new vsctm.Registry({
		onigLib: Promise.resolve({
			createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
			createOnigString: (s: string) => new oniguruma.OnigString(s),
		}),
		loadGrammar: async (scopeName: string) => {
			if (scopeName === SCOPE) {
				return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
			}
			if (scopeName === 'source.c') {
				return vsctm.parseRawGrammar(fs.readFileSync(cGrammarPath, 'utf8'), cGrammarPath);
			}
			return null;
		},
	});
	const loaded = await registry.loadGrammar(SCOPE);
	if (!loaded) {
		throw new Error(`vscode-textmate could not load ${SCOPE} from ${grammarPath}`);
	}
	return loaded;
}

/** Tokenizes a whole document line by line, as the editor does, carrying the rule stack across lines. */
function tokenize(text: string): Tokenized {
	const errors: string[] = [];
	const original = console.error;
	console.error = (...args: unknown[]) => {
		errors.push(args.map(String).join(' '));
	};
	try {
		const lines: Line[] = [];
		let state: vsctm.StateStack = vsctm.INITIAL;
		for (const lineText of text.split(/\r?\n/)) {
			const result = grammar.tokenizeLine(lineText, state, 0);
			state = result.ruleStack;
			lines.push({
				text: lineText,
				depth: state.depth,
				stoppedEarly: result.stoppedEarly,
				tokens: result.tokens.map((t) => ({
					text: lineText.slice(t.startIndex, Math.min(t.endIndex, lineText.length)),
					start: t.startIndex,
					end: Math.min(t.endIndex, lineText.length),
					scopes: t.scopes,
				})),
			});
		}
		return { lines, errors };
	} finally {
		console.error = original;
	}
}

function readFixture(name: string): Tokenized {
	return tokenize(fs.readFileSync(path.join(fixtureDir, name), 'utf8'));
}

/** TextMate selector semantics for one scope name: `markup.inserted` matches `markup.inserted.diff`. */
function matches(scope: string, selector: string): boolean {
	return scope === selector || scope.startsWith(selector + '.');
}

function has(token: Token, selector: string): boolean {
	return token.scopes.some((s) => matches(s, selector));
}

/** The line whose text is exactly `text` (or starts with it when `prefix` is set); the nth one if repeated. */
function lineOf(doc: Tokenized, text: string, opts: { prefix?: boolean; nth?: number } = {}): Line {
	const found = doc.lines.filter((l) => (opts.prefix ? l.text.startsWith(text) : l.text === text));
	const line = found[opts.nth ?? 0];
	assert.ok(line, `no line ${opts.prefix ? 'starting with' : 'equal to'} ${JSON.stringify(text)}`);
	return line;
}

/** The tokens covering the first occurrence of `needle` in the line (at or after `from`). */
function tokensOf(line: Line, needle: string, from = 0): Token[] {
	const start = line.text.indexOf(needle, from);
	assert.ok(start >= 0, `${JSON.stringify(needle)} not found in ${JSON.stringify(line.text)}`);
	const end = start + needle.length;
	const covering = line.tokens.filter((t) => t.start < end && t.end > start);
	assert.ok(covering.length > 0, `no token covers ${JSON.stringify(needle)}`);
	return covering;
}

function describeTokens(tokens: Token[]): string {
	return tokens.map((t) => `${JSON.stringify(t.text)} [${t.scopes.join(' | ')}]`).join('\n  ');
}

/** Every token covering `needle` carries `selector`. */
function assertScope(line: Line, needle: string, selector: string, from = 0): void {
	const tokens = tokensOf(line, needle, from);
	assert.ok(
		tokens.every((t) => has(t, selector)),
		`${JSON.stringify(needle)} in ${JSON.stringify(line.text)} should be ${selector}:\n  ${describeTokens(tokens)}`,
	);
}

/** No token covering `needle` (or, without a needle, no token of the line) carries `selector`. */
function assertNoScope(line: Line, needle: string | null, selector: string): void {
	const tokens = needle == null ? line.tokens : tokensOf(line, needle);
	assert.ok(
		tokens.every((t) => !has(t, selector)),
		`${JSON.stringify(needle ?? line.text)} should not be ${selector}:\n  ${describeTokens(tokens)}`,
	);
}

/** Tokens are contiguous and cover the whole line; the stack stays bounded; the engine never complained. */
function assertWellFormed(doc: Tokenized, label: string): void {
	assert.deepEqual(doc.errors, [], `${label}: vscode-textmate reported errors`);
	doc.lines.forEach((line, i) => {
		assert.equal(line.stoppedEarly, false, `${label}:${i + 1} stopped early`);
		assert.ok(line.depth <= MAX_STACK_DEPTH, `${label}:${i + 1} rule stack depth ${line.depth}`);
		let pos = 0;
		for (const t of line.tokens) {
			assert.equal(t.start, pos, `${label}:${i + 1} token gap at ${pos}`);
			pos = Math.max(pos, t.end);
		}
		assert.ok(pos >= line.text.length, `${label}:${i + 1} tokens stop at ${pos} of ${line.text.length}`);
	});
}

describe('kernel-patch grammar', () => {
	let patch: Tokenized;
	let review: Tokenized;
	let series: Tokenized;
	let rename: Tokenized;

	before(async () => {
		grammar = await loadGrammar();
		patch = readFixture('gpux-evict-v2.patch');
		review = readFixture('gpux-evict-review.eml');
		series = readFixture('acme-series.mbox');
		rename = readFixture('acme-rename.diff');
	});

	describe('grammar file', () => {
		it('names the scope, explains the multi-line design and injects the API scopes ahead of C', () => {
			const raw = JSON.parse(fs.readFileSync(grammarPath, 'utf8')) as {
				scopeName: string;
				comment: string;
				injections: Record<string, unknown>;
			};
			assert.equal(raw.scopeName, SCOPE);
			assert.match(raw.comment, /while/);
			const selectors = Object.keys(raw.injections);
			assert.ok(selectors.some((s) => s.startsWith('L:') && s.includes('meta.embedded.c.kernel-patch')), selectors.join(', '));
			const conf = JSON.parse(fs.readFileSync(languageConfigPath, 'utf8')) as { brackets: string[][] };
			assert.ok(conf.brackets.some(([open, close]) => open === '{' && close === '}'));
		});

		it('tokenizes every fixture cleanly', () => {
			for (const name of fs.readdirSync(fixtureDir)) {
				assertWellFormed(readFixture(name), name);
			}
		});
	});

	describe('mail headers', () => {
		it('marks the mbox "From <sha>" separator', () => {
			const line = patch.lines[0];
			assertScope(line, 'From', 'keyword.other.mbox-from.kernel-patch');
			assertScope(line, '3f2a9c1d5e7b8a6f4c2d1e0b9a8f7e6d5c4b3a21', 'constant.other.commit-sha.kernel-patch');
			assertScope(line, 'Mon Sep 17 00:00:00 2001', 'meta.separator.mbox.kernel-patch');
			assertScope(series.lines[0], 'mboxrd@z', 'meta.separator.mbox.kernel-patch');
		});

		it('marks header names and values', () => {
			for (const name of ['From', 'Date', 'Subject', 'Message-ID', 'In-Reply-To', 'To', 'Cc']) {
				const line = lineOf(patch, `${name}: `, { prefix: true });
				assertScope(line, name, 'keyword.other.header.kernel-patch');
				assertScope(line, ':', 'punctuation.separator.key-value.kernel-patch');
				assertScope(line, line.text.slice(name.length + 2), 'string.unquoted.header.value.kernel-patch');
				assertNoScope(line, name, 'string.unquoted.header.value.kernel-patch');
			}
			const from = lineOf(patch, 'From: ', { prefix: true });
			assertScope(from, 'jane.hacker@gpux.example', 'markup.underline.link.email.kernel-patch');
			assertScope(lineOf(patch, 'Date: ', { prefix: true }), '2 Jan 2024', 'constant.other.date.kernel-patch');
			assertScope(lineOf(patch, 'Message-ID: ', { prefix: true }), '<20240102090000', 'constant.other.message-id.kernel-patch');
			assertScope(lineOf(review, 'Return-Path: ', { prefix: true }), 'Return-Path', 'keyword.other.header.kernel-patch');
		});

		it('marks the Subject, its [PATCH] tag, a Re: prefix and folded continuation lines', () => {
			const subject = lineOf(patch, 'Subject: ', { prefix: true });
			assertScope(subject, '[PATCH v2 3/7]', 'keyword.other.patch-tag.kernel-patch');
			assertScope(subject, 'drm/gpux: evict VRAM', 'markup.heading.subject.kernel-patch');
			assertScope(subject, 'migrate_vma_setup', 'support.function.migrate-vma.kernel-patch');
			const folded = lineOf(patch, ' instead of the private copy loop');
			assertScope(folded, 'instead', 'markup.heading.subject.kernel-patch');
			const cc = lineOf(patch, ' Tess Tester <tess@acme.example>');
			assertScope(cc, 'Tess Tester', 'string.unquoted.header.value.kernel-patch');
			assertScope(cc, 'tess@acme.example', 'markup.underline.link.email.kernel-patch');
			assertScope(lineOf(review, 'Subject: ', { prefix: true }), 'Re: ', 'keyword.other.reply-prefix.kernel-patch');
		});

		it('starts a new message at every mbox separator', () => {
			const second = lineOf(series, 'Subject: [PATCH 1/1]', { prefix: true });
			assertScope(second, 'Subject', 'keyword.other.header.kernel-patch');
			assertScope(second, '[PATCH 1/1]', 'keyword.other.patch-tag.kernel-patch');
			assertNoScope(second, 'Subject', 'meta.patch.kernel-patch');
			const escaped = lineOf(series, '>From ', { prefix: true });
			assertNoScope(escaped, null, 'markup.quote.kernel-patch');
			assertScope(escaped, '>', 'constant.character.escape.mbox.kernel-patch');
		});
	});

	describe('commit message and trailers', () => {
		it('scopes the commit message and never reads its bullets or indented prose as diff lines', () => {
			const prose = lineOf(patch, 'device-private pages are selected.');
			assertScope(prose, 'device-private', 'meta.commit-message.kernel-patch');
			const bullet = lineOf(patch, '- the copy loop is gone');
			assertScope(bullet, 'copy loop', 'meta.commit-message.kernel-patch');
			assertNoScope(bullet, null, 'markup.deleted');
			assertNoScope(bullet, null, 'meta.diff');
			const indented = lineOf(patch, ' and this indented line', { prefix: true });
			assertNoScope(indented, null, 'meta.diff');
			assertScope(lineOf(patch, 'and migrate_vma_finalize(),', { prefix: true }), 'pgmap_owner', MEMBER);
		});

		it('marks the in-body From: header', () => {
			const inBody = lineOf(patch, 'From: Jane Hacker <jane.hacker@gpux.example>', { nth: 1 });
			assertScope(inBody, 'From', 'keyword.other.header.kernel-patch');
			assertScope(inBody, 'From', 'meta.commit-message.kernel-patch');
		});

		it('marks person trailers: key, name and address', () => {
			for (const key of ['Signed-off-by', 'Reviewed-by', 'Acked-by', 'Tested-by', 'Reported-by']) {
				const line = lineOf(patch, `${key}: `, { prefix: true });
				assertScope(line, key, 'keyword.other.trailer.kernel-patch');
				const name = line.text.slice(key.length + 2, line.text.indexOf(' <'));
				assertScope(line, name, 'string.unquoted.trailer.value.kernel-patch');
				assertScope(line, line.text.slice(line.text.indexOf('<') + 1, -1), 'markup.underline.link.email.kernel-patch');
			}
		});

		it('marks Fixes: with its sha and quoted subject, Cc: stable, Link: and base-commit:', () => {
			const fixes = lineOf(patch, 'Fixes: ', { prefix: true });
			assertScope(fixes, 'Fixes', 'keyword.other.trailer.kernel-patch');
			assertScope(fixes, '0a1b2c3d4e5f', 'constant.other.commit-sha.kernel-patch');
			assertScope(fixes, 'drm/gpux: add a VRAM eviction path', 'string.quoted.double.subject.kernel-patch');
			assertNoScope(fixes, '0a1b2c3d4e5f', 'string.quoted.double.subject.kernel-patch');
			const stable = lineOf(patch, 'Cc: stable', { prefix: true });
			assertScope(stable, 'stable@vger.kernel.org', 'support.constant.stable.kernel-patch');
			assertScope(stable, '# 6.6+', 'comment.line.number-sign.kernel-patch');
			assertScope(stable, 'Cc', 'meta.trailer.stable.kernel-patch');
			const link = lineOf(patch, 'Link: ', { prefix: true });
			assertScope(link, 'https://lists.gpux.example/r/20231201-gpux-evict@gpux.example', 'markup.underline.link.kernel-patch');
			const base = lineOf(patch, 'base-commit: ', { prefix: true });
			assertScope(base, 'base-commit', 'keyword.other.trailer.kernel-patch');
			assertScope(base, '0123456789abcdef0123456789abcdef01234567', 'constant.other.commit-sha.kernel-patch');
		});
	});

	describe('separator, diffstat and diff headers', () => {
		it('marks the --- separator and the diffstat', () => {
			const sep = lineOf(patch, '---');
			assertScope(sep, '---', 'meta.separator.patch.kernel-patch');
			assertNoScope(sep, null, 'meta.diff.header.from-file');
			const stat = lineOf(patch, ' drivers/gpu/drm/gpux/gpux_evict.c | 14 ', { prefix: true });
			assertScope(stat, 'drivers/gpu/drm/gpux/gpux_evict.c', 'entity.name.filename.diffstat.kernel-patch');
			assertScope(stat, '|', 'punctuation.separator.diffstat.kernel-patch');
			assertScope(stat, '14', 'constant.numeric.diffstat.kernel-patch');
			assertScope(stat, '++++++++++', 'markup.inserted.diffstat.kernel-patch');
			assertScope(stat, '----', 'markup.deleted.diffstat.kernel-patch');
			assertNoScope(stat, null, 'meta.diff.line.context');
			const summary = lineOf(patch, ' 2 files changed, 11 insertions(+), 4 deletions(-)');
			assertScope(summary, '2', 'constant.numeric.diffstat.kernel-patch');
			assertScope(summary, '11', 'constant.numeric.diffstat.kernel-patch');
			assertScope(summary, 'files changed', 'meta.diffstat.summary.kernel-patch');
			// A cover letter's diffstat has no --- before it.
			assertScope(lineOf(series, ' drivers/misc/acme/acme_dmem.c | 12 ++++++++++++'), '12', 'constant.numeric.diffstat.kernel-patch');
		});

		it('marks diff --git, index, mode, ---/+++ and rename headers', () => {
			const git = lineOf(patch, 'diff --git a/drivers/gpu/drm/gpux/gpux_evict.c', { prefix: true });
			assertScope(git, 'diff', 'keyword.other.diff.kernel-patch');
			assertScope(git, 'a/drivers/gpu/drm/gpux/gpux_evict.c', 'meta.diff.header.git');
			const index = lineOf(patch, 'index 1a2b3c4d5e6f..6f5e4d3c2b1a 100644');
			assertScope(index, '1a2b3c4d5e6f', 'constant.other.commit-sha.kernel-patch');
			assertScope(index, '100644', 'constant.numeric.mode.kernel-patch');
			assertScope(lineOf(patch, 'new file mode 100644'), '100644', 'constant.numeric.mode.kernel-patch');
			const from = lineOf(patch, '--- a/drivers/gpu/drm/gpux/gpux_evict.c');
			assertScope(from, '---', 'meta.diff.header.from-file');
			assertNoScope(from, null, 'markup.deleted');
			const to = lineOf(patch, '+++ b/drivers/gpu/drm/gpux/gpux_regs.h');
			assertScope(to, 'b/drivers/gpu/drm/gpux/gpux_regs.h', 'meta.diff.header.to-file');
			assertNoScope(to, null, 'markup.inserted');
			assertScope(lineOf(rename, 'similarity index 91%'), '91%', 'constant.numeric.similarity.kernel-patch');
			const renameFrom = lineOf(rename, 'rename from ', { prefix: true });
			assertScope(renameFrom, 'rename from', 'keyword.other.diff.kernel-patch');
			assertScope(renameFrom, 'drivers/misc/acme/old_pin.c', 'entity.name.filename.diff.kernel-patch');
			assertScope(lineOf(rename, 'rename to ', { prefix: true }), 'rename to', 'keyword.other.diff.kernel-patch');
		});

		it('marks the @@ hunk header with C in its section text', () => {
			const hunk = lineOf(patch, '@@ -40,14 +40,20 @@', { prefix: true });
			assertScope(hunk, '@@', 'meta.diff.range.unified');
			assertScope(hunk, '@@', 'punctuation.definition.range.diff');
			assertScope(hunk, '-40,14', 'constant.numeric.line-range.from.kernel-patch');
			assertScope(hunk, '+40,20', 'constant.numeric.line-range.to.kernel-patch');
			assertScope(hunk, 'static int gpux_evict_range', 'entity.name.section.hunk.kernel-patch');
			assertScope(hunk, 'gpux_evict_range', 'entity.name.function.c');
			assertScope(hunk, 'static', 'storage.modifier.c');
		});

		it('ends the hunk at "\\ No newline" and at the "-- " signature', () => {
			const noNewline = lineOf(patch, '\\ No newline at end of file');
			assertScope(noNewline, 'No newline', 'comment.line.no-newline.kernel-patch');
			const sig = lineOf(patch, '-- ');
			assertScope(sig, '--', 'meta.separator.signature.kernel-patch');
			assertNoScope(sig, null, 'markup.deleted');
			assertNoScope(sig, null, 'meta.diff.hunk');
			assertNoScope(lineOf(patch, '2.43.0'), null, 'meta.diff');
		});
	});

	describe('diff lines with embedded C', () => {
		it('marks + lines as inserted with C inside', () => {
			const line = lineOf(patch, '+\tret = migrate_vma_setup(&args);');
			assertScope(line, '+', 'punctuation.definition.inserted.diff');
			for (const t of line.tokens) {
				assert.ok(has(t, 'markup.inserted.diff') && has(t, 'meta.diff.line.inserted.kernel-patch'), describeTokens([t]));
			}
			assertScope(line, '=', 'keyword.operator.assignment.c');
			assertScope(line, 'ret', 'meta.embedded.c.kernel-patch');
			const loop = lineOf(patch, '+\tfor (i = 0; i < args.npages; i++)');
			assertScope(loop, 'for', 'keyword.control.c');
			assertScope(loop, '0', 'constant.numeric');
			assertScope(loop, '++', 'keyword.operator.increment.c');
			assertScope(lineOf(patch, '+\t\targs.dst[i] = ', { prefix: true }), 'gpux_alloc_page', 'entity.name.function.c');
			// Inside the block opened by "+{" earlier in the same run, member access is C's.
			const access = lineOf(series, '+\tstruct dev_pagemap *pgmap = vmf->page->pgmap;');
			assertScope(access, 'vmf', 'variable.other.object.access.c');
			assertScope(access, '->', 'punctuation.separator.pointer-access.c');
			assertScope(access, 'pgmap;', 'meta.block.c');
			assertScope(lineOf(patch, '+\tif (ret) {'), 'if', 'keyword.control.c');
		});

		it('marks - lines as deleted with C inside', () => {
			const line = lineOf(patch, '-\t\tpr_err("gpux: copy loop failed\\n");');
			assertScope(line, '-', 'punctuation.definition.deleted.diff');
			assert.ok(line.tokens.every((t) => has(t, 'markup.deleted.diff') && has(t, 'meta.diff.line.deleted.kernel-patch')));
			assertScope(line, 'pr_err', 'entity.name.function.c');
			assertScope(line, 'gpux: copy loop failed', 'string.quoted.double.c');
			assertScope(line, '\\n', 'constant.character.escape');
			const call = lineOf(patch, '-\tif (gpux_copy_loop(gdev, start, 16)) {');
			assertScope(call, 'if', 'keyword.control.c');
			assertScope(call, '16', 'constant.numeric');
		});

		it('marks context lines with C inside and without inserted/deleted scopes', () => {
			const line = lineOf(patch, ' \tstruct migrate_vma args = {');
			assertScope(line, ' ', 'punctuation.definition.context.kernel-patch');
			assertScope(line, 'struct', 'storage.type.struct.c');
			assertScope(line, 'args', 'meta.diff.line.context.kernel-patch');
			assertNoScope(line, null, 'markup.inserted');
			assertNoScope(line, null, 'markup.deleted');
			const ret = lineOf(patch, ' \treturn 0;');
			assertScope(ret, 'return', 'keyword.control.c');
			assertScope(ret, '0', 'constant.numeric');
		});

		it('marks C comments and preprocessor directives on diff lines', () => {
			assertScope(lineOf(patch, '+\t/* the old loop was here and'), 'the old loop', 'comment.block.c');
			const include = lineOf(patch, '+#include <linux/migrate.h>');
			assertScope(include, '#include', 'keyword.control.directive.include.kernel-patch');
			assertScope(include, 'linux/migrate.h', 'string.quoted.other.lt-gt.include.kernel-patch');
			const define = lineOf(patch, '+#define GPUX_EVICT_CHUNK 0x200');
			assertScope(define, '#define', 'keyword.control.directive.define.kernel-patch');
			assertScope(define, 'GPUX_EVICT_CHUNK', 'entity.name.function.preprocessor.kernel-patch');
			assertScope(define, '200', 'constant.numeric');
		});

		it('keeps a comment open across consecutive + lines of one run', () => {
			assertScope(lineOf(series, '+ * Called when the CPU touches', { prefix: true }), 'Called', 'comment.block.c');
			const after = lineOf(series, '+static vm_fault_t acme_migrate_to_ram(struct vm_fault *vmf)');
			assertScope(after, 'static', 'storage.modifier.c');
			assertNoScope(after, 'static', 'comment');
		});

		it('does not let an unclosed { on a + line swallow the next - marker', () => {
			const i = patch.lines.findIndex((l) => l.text === '+\tif (ret) {');
			assert.ok(patch.lines[i].tokens.some((t) => has(t, 'punctuation.section.block.begin.bracket.curly.c')));
			const next = patch.lines[i + 1];
			assert.equal(next.text, '-\t\tpr_err("gpux: copy loop failed\\n");');
			assertScope(next, '-', 'punctuation.definition.deleted.diff');
			assertNoScope(next, null, 'markup.inserted');
			assertNoScope(next, null, 'meta.block.c');
		});

		it('does not let an unclosed /* on a + line swallow the next - or + marker', () => {
			const i = patch.lines.findIndex((l) => l.text === '+\t/* the old loop was here and');
			const next = patch.lines[i + 1];
			assert.equal(next.text, '-\t\treturn -EIO;');
			assertScope(next, '-', 'punctuation.definition.deleted.diff');
			assertScope(next, 'return', 'keyword.control.c');
			assertNoScope(next, null, 'comment');
			assertNoScope(next, null, 'markup.inserted');
			const after = patch.lines[i + 2];
			assertScope(after, '+', 'punctuation.definition.inserted.diff');
			assertNoScope(after, '+', 'comment');
		});
	});

	describe('quoted diffs', () => {
		it('marks quote markers and quoted diff lines at depth 1 without markup.inserted/deleted', () => {
			const ins = lineOf(review, '> +\t\t.pgmap_owner\t= gdev,');
			assertScope(ins, '>', 'markup.quote.kernel-patch');
			assertScope(ins, '>', 'punctuation.definition.quote.kernel-patch');
			assertScope(ins, '+', 'punctuation.definition.quoted.inserted.kernel-patch');
			assertScope(ins, 'gdev', 'meta.diff.quoted.inserted.kernel-patch');
			assertScope(ins, 'gdev', 'markup.quote.kernel-patch');
			const del = lineOf(review, '> -\tif (gpux_copy_loop(gdev, start, 16)) {');
			assertScope(del, '-', 'punctuation.definition.quoted.deleted.kernel-patch');
			assertScope(del, 'if', 'keyword.control.c');
			assertScope(del, '16', 'constant.numeric');
			assertScope(del, 'gpux_copy_loop', 'meta.diff.quoted.deleted.kernel-patch');
			const ctx = lineOf(review, '>  \tstruct migrate_vma args = {');
			assertScope(ctx, 'struct', 'storage.type.struct.c');
			assertScope(ctx, 'args', 'meta.diff.quoted.context.kernel-patch');
			for (const line of review.lines.filter((l) => l.text.startsWith('>'))) {
				assertNoScope(line, null, 'markup.inserted');
				assertNoScope(line, null, 'markup.deleted');
			}
		});

		it('marks quoted diff lines at depth 2, with and without a space between markers', () => {
			const ins = lineOf(review, '>> +\t\tif (!(args.src[i] & MIGRATE_PFN_MIGRATE))');
			assertScope(ins, '>> ', 'punctuation.definition.quote.kernel-patch');
			assertScope(ins, 'if', 'keyword.control.c');
			assertScope(ins, 'if', 'meta.diff.quoted.inserted.kernel-patch');
			const del = lineOf(review, '> > -\t\t\tcontinue;');
			assertScope(del, '> > ', 'punctuation.definition.quote.kernel-patch');
			assertScope(del, 'continue', 'keyword.control.c');
			assertScope(del, 'continue', 'meta.diff.quoted.deleted.kernel-patch');
			const ctx = lineOf(review, '> >  \treturn 0;');
			assertScope(ctx, 'return', 'keyword.control.c');
			assertScope(ctx, 'return', 'meta.diff.quoted.context.kernel-patch');
		});

		it('marks quoted diff headers, and quoted hunk lines after an inline reply', () => {
			const git = lineOf(review, '> diff --git ', { prefix: true });
			assertScope(git, 'diff', 'keyword.other.diff.kernel-patch');
			assertScope(git, 'diff', 'markup.quote.kernel-patch');
			const hunk = lineOf(review, '> @@ -40,14 +40,20 @@', { prefix: true });
			assertScope(hunk, '@@', 'punctuation.definition.range.diff');
			assertScope(hunk, 'gpux_evict_range', 'entity.name.function.c');
			assertScope(lineOf(review, '> +++ b/drivers/gpu/drm/gpux/gpux_evict.c'), '+++', 'meta.diff.header.to-file');
			const comment = lineOf(review, 'What happens to args.cpages when this is called twice?');
			assertNoScope(comment, null, 'markup.quote');
			assertNoScope(comment, null, 'meta.diff.quoted.inserted');
			const later = lineOf(review, '> +\tfor (i = 0; i < args.npages; i++)');
			assertScope(later, 'for', 'keyword.control.c');
			assertScope(later, 'for', 'meta.diff.quoted.inserted.kernel-patch');
		});

		it('does not read quoted prose before the quoted diff as diff lines', () => {
			const bullet = lineOf(review, '> - the copy loop is gone');
			assertScope(bullet, 'copy loop', 'markup.quote.kernel-patch');
			assertNoScope(bullet, null, 'meta.diff.quoted.deleted');
			assertScope(lineOf(review, '> Signed-off-by: ', { prefix: true }), 'Signed-off-by', 'keyword.other.trailer.kernel-patch');
			assertScope(lineOf(review, 'On Tue, Jan 02, 2024', { prefix: true }), 'wrote:', 'markup.italic.attribution.kernel-patch');
			assertScope(lineOf(review, 'Reviewed-by: ', { prefix: true }), 'Reviewed-by', 'keyword.other.trailer.kernel-patch');
		});

		it('does not let an unclosed quoted /* swallow the next quoted - marker', () => {
			const i = review.lines.findIndex((l) => l.text === '> +\t/* unclosed quoted comment');
			assertScope(review.lines[i], 'unclosed', 'comment.block.c');
			const next = review.lines[i + 1];
			assert.equal(next.text, '> -\t\treturn -EIO;');
			assertScope(next, '-', 'punctuation.definition.quoted.deleted.kernel-patch');
			assertScope(next, 'return', 'keyword.control.c');
			assertNoScope(next, null, 'comment');
		});
	});

	describe('migrate_vma API identifiers', () => {
		it('scopes them in the fixtures, at depth 0 and quoted, ahead of the C scopes', () => {
			const cases: Array<[Tokenized, string, string, string]> = [
				[patch, '+\t\t.pgmap_owner\t= gdev,', 'pgmap_owner', MEMBER],
				[patch, '+\t\t.flags\t\t= MIGRATE_VMA_SELECT_DEVICE_PRIVATE,', 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE', CONST],
				[patch, '+\tret = migrate_vma_setup(&args);', 'migrate_vma_setup', FN],
				[patch, '+\t\targs.dst[i] = migrate_pfn(gpux_alloc_page(gdev)) | MIGRATE_PFN_VALID;', 'migrate_pfn', FN],
				[patch, '+\t\targs.dst[i] = migrate_pfn(gpux_alloc_page(gdev)) | MIGRATE_PFN_VALID;', 'MIGRATE_PFN_VALID', CONST],
				[patch, '+\tmigrate_vma_pages(&args);', 'migrate_vma_pages', FN],
				[patch, '+\tmigrate_vma_finalize(&args);', 'migrate_vma_finalize', FN],
				[patch, ' \tstruct migrate_vma args = {', 'migrate_vma', TYPE],
				[series, '+\tstruct dev_pagemap *pgmap = vmf->page->pgmap;', 'dev_pagemap', TYPE],
				[series, '+\tif (!is_device_private_page(vmf->page))', 'is_device_private_page', FN],
				[series, '+\t\treturn VM_FAULT_SIGBUS;', 'VM_FAULT_SIGBUS', CONST],
				[series, '+static const struct dev_pagemap_ops acme_ops = { .migrate_to_ram = acme_migrate_to_ram, };', 'dev_pagemap_ops', TYPE],
				[series, '+static const struct dev_pagemap_ops acme_ops = { .migrate_to_ram = acme_migrate_to_ram, };', 'migrate_to_ram', MEMBER],
				[rename, '+\treturn pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);', 'pin_user_pages_fast', FN],
				[rename, '+\treturn pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);', 'FOLL_LONGTERM', CONST],
				[review, '> +\t\t.pgmap_owner\t= gdev,', 'pgmap_owner', MEMBER],
				[review, '> +\tret = migrate_vma_setup(&args);', 'migrate_vma_setup', FN],
				[review, '>> +\t\tif (!(args.src[i] & MIGRATE_PFN_MIGRATE))', 'MIGRATE_PFN_MIGRATE', CONST],
			];
			for (const [doc, text, id, scope] of cases) {
				const line = lineOf(doc, text);
				assertScope(line, id, scope);
				assertNoScope(line, id, 'entity.name.function.c');
				assertNoScope(line, id, 'variable.other.member.c');
			}
			// A driver's own handler that merely contains the name is not the API.
			const handler = lineOf(series, '+static const struct dev_pagemap_ops acme_ops', { prefix: true });
			assertNoScope(handler, 'acme_migrate_to_ram', MEMBER);
		});

		it('scopes every API identifier inside C constructs, but not inside C comments or strings', () => {
			const source = [
				'diff --git a/drivers/gpu/drm/gpux/gpux_svm.c b/drivers/gpu/drm/gpux/gpux_svm.c',
				'--- a/drivers/gpu/drm/gpux/gpux_svm.c',
				'+++ b/drivers/gpu/drm/gpux/gpux_svm.c',
				'@@ -1,2 +1,12 @@ static int gpux_fault(struct hmm_range *range)',
				'+\trange->dev_private_owner = gdev->owner;',
				'+\tret = gpux_call(hmm_range_fault(range), mig->src_owner, args->fault_page);',
				'+\tmmu_notifier_range_init_owner(&r, MMU_NOTIFY_MIGRATE, 0, vma, mm, s, e, args.pgmap_owner);',
				'+\tif (is_zone_device_page(page) && !(flags & FOLL_PIN)) {',
				'+\t\tpage = migrate_pfn_to_page(args.src[i]);',
				'+\t\tmigrate_device_range(src_pfns, start, npages);',
				'+\t\tn = pin_user_pages(start, 1, FOLL_LONGTERM, &page);',
				'+\tret = migrate_vma(&ops, vma, start, end, src, dst, priv);',
				'+\t/* migrate_vma_setup() does the collection */ pr_info("migrate_vma_pages failed");',
			].join('\n');
			const doc = tokenize(source);
			assertWellFormed(doc, 'inline');
			const line = (prefix: string) => lineOf(doc, prefix, { prefix: true });
			assertScope(line('+\trange->dev_private_owner'), 'dev_private_owner', MEMBER);
			assertScope(line('+\tret = gpux_call('), 'hmm_range_fault', FN);
			assertScope(line('+\tret = gpux_call('), 'src_owner', MEMBER);
			assertScope(line('+\tret = gpux_call('), 'fault_page', MEMBER);
			assertScope(line('+\tmmu_notifier_range_init_owner'), 'MMU_NOTIFY_MIGRATE', CONST);
			assertScope(line('+\tmmu_notifier_range_init_owner'), 'pgmap_owner', MEMBER);
			assertScope(line('+\tif (is_zone_device_page'), 'is_zone_device_page', FN);
			assertScope(line('+\tif (is_zone_device_page'), 'FOLL_PIN', CONST);
			assertScope(line('+\t\tpage = migrate_pfn_to_page'), 'migrate_pfn_to_page', FN);
			assertScope(line('+\t\tmigrate_device_range'), 'migrate_device_range', FN);
			assertScope(line('+\t\tn = pin_user_pages('), 'pin_user_pages', FN);
			assertScope(line('+\tret = migrate_vma(&ops'), 'migrate_vma', FN);
			assertScope(line('@@ '), 'hmm_range', TYPE);
			const quiet = line('+\t/* migrate_vma_setup()');
			assertScope(quiet, 'migrate_vma_setup', 'comment.block.c');
			assertNoScope(quiet, 'migrate_vma_setup', FN);
			assertScope(quiet, 'migrate_vma_pages failed', 'string.quoted.double.c');
			assertNoScope(quiet, 'migrate_vma_pages failed', FN);
		});
	});

	describe('shared corpus', () => {
		const skip = haveCorpus ? false : `corpus not found at ${corpusRoot} (set MIGRATE_LENS_CORPUS)`;
		const mails = (): Array<{ name: string; doc: Tokenized }> => corpusFiles('mail').map((file) => ({
			name: path.basename(file),
			doc: tokenize(fs.readFileSync(file, 'utf8')),
		}));
		let corpus: Array<{ name: string; doc: Tokenized }> = [];
		const byPrefix = (prefix: string): { name: string; doc: Tokenized } => {
			const found = corpus.find((m) => m.name.startsWith(prefix));
			assert.ok(found, `no corpus mail named ${prefix}*`);
			return found;
		};

		it('tokenizes every mail without engine errors, gaps or runaway rule stacks', { skip }, () => {
			corpus = mails();
			assert.ok(corpus.length > 0);
			for (const { name, doc } of corpus) {
				assertWellFormed(doc, name);
			}
		});

		it('never gives a quoted line inserted/deleted scopes', { skip }, () => {
			for (const { name, doc } of corpus) {
				for (const line of doc.lines.filter((l) => l.text.startsWith('>'))) {
					assert.ok(
						line.tokens.every((t) => !has(t, 'markup.inserted') && !has(t, 'markup.deleted')),
						`${name}: ${JSON.stringify(line.text)}`,
					);
				}
			}
		});

		it('marks the + line that sets dev_private_owner in the nouveau fault fix', { skip }, () => {
			const { doc } = byPrefix('021-');
			const line = doc.lines.find((l) => l.text.startsWith('+') && l.text.includes('dev_private_owner'));
			assert.ok(line, 'the fix adds a dev_private_owner line');
			assertScope(line, '+', 'punctuation.definition.inserted.diff');
			assert.ok(line.tokens.every((t) => has(t, 'markup.inserted.diff')));
			assertScope(line, 'dev_private_owner', MEMBER);
		});

		it('agrees with a plain line count on a 7bit patch and on a full-quote reply', { skip }, () => {
			// Independent oracle: inside "@@ ... -- " every "+"/"-" line (bar file headers) is a diff line.
			const count = (lines: string[], quote: string): { ins: number; del: number } => {
				let inHunk = false;
				let ins = 0;
				let del = 0;
				for (const text of lines) {
					if (!text.startsWith(quote)) {
						inHunk = false;
						continue;
					}
					const body = text.slice(quote.length);
					if (body.startsWith('@@ ')) {
						inHunk = true;
					} else if (body.startsWith('diff --git ') || /^-- ?$/.test(body)) {
						inHunk = false;
					} else if (inHunk && body.startsWith('+') && !body.startsWith('+++ ')) {
						ins++;
					} else if (inHunk && body.startsWith('-') && !body.startsWith('--- ')) {
						del++;
					}
				}
				return { ins, del };
			};
			const patchMail = byPrefix('038-').doc;
			const expected = count(patchMail.lines.map((l) => l.text), '');
			assert.ok(expected.ins > 0 && expected.del > 0);
			assert.deepEqual({
				ins: patchMail.lines.filter((l) => has(l.tokens[0], 'markup.inserted.diff')).length,
				del: patchMail.lines.filter((l) => has(l.tokens[0], 'markup.deleted.diff')).length,
			}, expected);
			const reply = byPrefix('039-').doc;
			const quoted = count(reply.lines.map((l) => l.text), '> ');
			assert.ok(quoted.ins > 0 && quoted.del > 0);
			assert.deepEqual({
				ins: reply.lines.filter((l) => has(l.tokens[0], 'meta.diff.quoted.inserted.kernel-patch')).length,
				del: reply.lines.filter((l) => has(l.tokens[0], 'meta.diff.quoted.deleted.kernel-patch')).length,
			}, quoted);
		});
	});

	describe('package.json contribution', () => {
		it('contributes the kernel-patch language and grammar with first-line detection', () => {
			const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
				contributes?: {
					languages?: Array<{ id: string; extensions?: string[]; firstLine?: string; configuration?: string }>;
					grammars?: Array<{ language?: string; scopeName: string; path: string }>;
				};
			};
			const language = pkg.contributes?.languages?.find((l) => l.id === 'kernel-patch');
			assert.ok(language, 'package.json does not contribute the kernel-patch language yet (see .tmp/grammar-contributes.json)');
			assert.deepEqual([...(language.extensions ?? [])].sort(), ['.diff', '.eml', '.mbox', '.mbx', '.patch']);
			assert.ok(language.configuration && fs.existsSync(path.join(repoRoot, language.configuration)));
			const firstLine = new RegExp(language.firstLine ?? '(?!)');
			assert.ok(firstLine.test(patch.lines[0].text));
			assert.ok(firstLine.test(series.lines[0].text));
			assert.ok(firstLine.test(rename.lines[0].text));
			assert.ok(!firstLine.test('From the archive this is prose.'));
			const contributed = pkg.contributes?.grammars?.find((g) => g.scopeName === SCOPE);
			assert.ok(contributed, 'package.json does not contribute source.kernel-patch yet');
			assert.equal(contributed.language, 'kernel-patch');
			assert.equal(path.resolve(repoRoot, contributed.path), grammarPath);
		});
	});
});
