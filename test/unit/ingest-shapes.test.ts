/*
 * Ingest of each input shape, on our own small fixtures (made-up "gpux"/"acme" patches in
 * test/fixtures/ingest/): plain git diff, mboxrd, quoted-printable and base64 with their position
 * rules, charsets, encoded-word headers, multipart, CRLF, nested quotes, malformed and binary
 * diffs, NUL bytes, huge lines, flattened archive text, the prefilter.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	ingestText, parseMessage, positionOf,
	type DiffLine, type Message, type PatchDocument, type RecoveredLine,
} from '../../server/src/core/ingest/index';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'ingest');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const docLines = (text: string): string[] => text.split(/\r\n|\r|\n/);
const diffLines = (m: Message): DiffLine[] => m.files.flatMap((f) => f.hunks.flatMap((h) => h.lines));
const one = (doc: PatchDocument): Message => {
	assert.equal(doc.messages.length, 1);
	return doc.messages[0];
};

/** Every origin inside the document; exact lines read back character by character. */
function assertOrigins(text: string, doc: PatchDocument): void {
	const lines = docLines(text);
	for (const m of doc.messages) {
		for (const l of m.body) {
			for (const p of [l.origin.range.start, l.origin.range.end, ...l.origin.segments]) {
				assert.ok(p.line >= 0 && p.line < lines.length, `line ${p.line}`);
				assert.ok(p.character >= 0 && p.character <= lines[p.line].length, `character ${p.character} of line ${p.line}`);
			}
			if (l.origin.exact) {
				for (let i = 0; i < l.text.length; i++) {
					const p = positionOf(l, i);
					const c = lines[p.line].charAt(p.character);
					assert.ok(c === l.text.charAt(i) || c === '=', `${JSON.stringify(l.text)}[${i}] -> ${JSON.stringify(c)}`);
				}
			}
		}
	}
}

describe('ingest: plain git diff', () => {
	const text = fixture('plain.diff');
	const doc = ingestText(text);
	it('is one pseudo-message without headers, two files, three hunks', () => {
		const m = one(doc);
		assert.deepEqual(m.headers, {});
		assert.equal(m.subject.raw, '');
		assert.deepEqual(m.files.map((f) => [f.path, f.hunks.length, f.status]), [
			['drivers/gpu/drm/gpux/gpux_migrate.c', 2, 'modified'],
			['drivers/gpu/drm/gpux/gpux_migrate.h', 1, 'modified'],
		]);
		assert.deepEqual(m.problems, []);
		assertOrigins(text, doc);
	});
	it('numbers pre-image and post-image lines', () => {
		const h = doc.messages[0].files[0].hunks[1];
		assert.deepEqual([h.oldStart, h.oldCount, h.newStart, h.newCount], [40, 4, 41, 5]);
		assert.deepEqual(h.lines.map((l) => [l.kind, l.oldLine, l.newLine]), [
			[' ', 40, 41], [' ', 41, 42], [' ', 42, 43], ['+', undefined, 44], [' ', 43, 45],
		]);
		const blank = doc.messages[0].files[0].hunks[0].lines[6];
		assert.deepEqual([blank.kind, blank.text, blank.oldLine, blank.newLine], [' ', '', 15, 16]);
		assert.equal(h.section, 'static int gpux_migrate_range(struct gpux_dev *gdev, struct vm_area_struct *vma)');
	});
});

describe('ingest: quoted-printable', () => {
	const text = fixture('qp-latin1.eml');
	const doc = ingestText(text);
	const m = one(doc);
	const lines = docLines(text);
	it('decodes Latin-1 escapes in headers and body', () => {
		assert.equal(m.headers.from, 'René Acme <rene@acme.example>');
		assert.equal(m.subject.title, 'gpux: déjà migrated pages stay put');
		assert.deepEqual(m.trailers.signedOffBy, ['René Acme <rene@acme.example>']);
		assert.ok(m.body.some((l) => l.text === 'Pages déjà in device memory are left alone.'));
	});
	it('joins soft line breaks (the file header and a long code line)', () => {
		assert.equal(m.files[0].path, 'drivers/gpu/drm/gpux/gpux_migrate.c');
		const dl = diffLines(m);
		assert.equal(dl.length, 8);
		const long = dl[7];
		assert.equal(long.text, '\t\targs->dst[i] = migrate_pfn(gpux_alloc_page(args->vma, args->start + (i << PAGE_SHIFT)));');
		assert.equal(long.newLine, 37);
		const i = long.source.text.indexOf('i << PAGE_SHIFT');
		const p = positionOf(long.source, i);
		assert.equal(p.line, long.source.origin.range.start.line + 1);
		assert.equal(p.character, 0);
		assert.ok(lines[p.line].startsWith('i << PAGE_SHIFT'));
	});
	it('maps every character exactly; a new segment starts after each escape and soft break', () => {
		const dl = diffLines(m);
		const eq = dl[0].source;
		assert.equal(eq.text, ' \tfor (i = 0; i < args->npages; i++) {');
		// `=3D` decodes to `=` at the escape; the next character sits three columns later.
		const k = eq.text.indexOf('=');
		const pe = positionOf(eq, k);
		const pn = positionOf(eq, k + 1);
		assert.equal(lines[pe.line].slice(pe.character, pe.character + 3), '=3D');
		assert.equal(pn.character, pe.character + 3);
		assert.equal(eq.origin.segments.length, 2);
		assert.equal(eq.origin.exact, true);
		const accents = dl[3].source;
		assert.ok(accents.text.endsWith('/* déjà là */'));
		const e = positionOf(accents, accents.text.indexOf('é'));
		assert.equal(lines[e.line].slice(e.character, e.character + 3), '=E9');
		const blank = dl[2];
		assert.equal(blank.kind, ' ');
		assert.equal(blank.text, '');
		assertOrigins(text, doc);
	});
});

describe('ingest: base64', () => {
	for (const [name, charset] of [['base64-utf8.eml', 'utf-8'], ['base64-latin1.eml', 'latin-1']] as const) {
		it(`${name}: decodes ${charset} and maps each line to the encoded lines holding its bytes`, () => {
			const text = fixture(name);
			const doc = ingestText(text);
			const m = one(doc);
			const lines = docLines(text);
			assert.deepEqual(m.trailers.signedOffBy, ['Zoë Acme <zoe@acme.example>']);
			assert.equal(m.files[0].path, 'drivers/gpu/drm/gpux/gpux_fault.c');
			const h = m.files[0].hunks[0];
			assert.equal(h.countsMatch, true);
			const ret = h.lines.find((l) => l.text.startsWith('\t\treturn VM_FAULT_SIGBUS;'));
			assert.ok(ret);
			assert.equal(ret.text, charset === 'utf-8' ? '\t\treturn VM_FAULT_SIGBUS; /* café – über */' : '\t\treturn VM_FAULT_SIGBUS; /* café - über */');
			for (const l of m.body) {
				const o = l.origin;
				assert.equal(o.exact, false);
				assert.deepEqual(positionOf(l, 5), o.range.start);
				assert.equal(o.range.start.character, 0);
				assert.equal(o.range.end.character, lines[o.range.end.line].length);
				// The encoded lines of the range (whole base64 quanta) decode to bytes that hold the line.
				const encoded = lines.slice(o.range.start.line, o.range.end.line + 1).join('');
				const bytes = Buffer.from(encoded, 'base64');
				const want = Buffer.from(l.text, charset === 'utf-8' ? 'utf8' : 'latin1');
				assert.ok(bytes.includes(want), `${JSON.stringify(l.text)} within its encoded lines`);
			}
			assert.deepEqual(m.problems, []);
		});
	}

	it('invalid characters and a truncated group are problems; reading goes on', () => {
		const good = Buffer.from('line one\n+added line\n').toString('base64');
		const text = `Subject: b\nContent-Transfer-Encoding: base64\n\n${good}\n*** not base64 ***\nQUJD\nQQ\n`;
		const m = one(ingestText(text));
		assert.equal(m.body[0].text, 'line one');
		assert.equal(m.body[1].text, '+added line');
		const messages = m.problems.map((p) => p.message);
		assert.ok(messages.some((s) => /Invalid characters in base64/.test(s)));
		assert.equal(m.problems.find((p) => /Invalid/.test(p.message))?.range.start.line, 4);
	});
});

describe('ingest: headers and charsets', () => {
	it('folded header with Q and B encoded words; subject parts; date with zone', () => {
		const text = fixture('encoded-headers.eml');
		const m = one(ingestText(text));
		assert.equal(m.headers.subject, 'Re: [PATCH RFC v3 2/7] gpux: pin with FOLL_LONGTERM — naïve version');
		assert.deepEqual(m.subject.tags, ['PATCH', 'RFC']);
		assert.equal(m.subject.version, 3);
		assert.equal(m.subject.number, 2);
		assert.equal(m.subject.total, 7);
		assert.equal(m.subject.isReply, true);
		assert.equal(m.subject.title, 'gpux: pin with FOLL_LONGTERM — naïve version');
		assert.equal(m.headers.from, 'Jörg Acme <joerg@acme.example>');
		assert.equal(m.headers.messageId, '<folded-1@acme.example>');
		assert.equal(m.dateMs, Date.UTC(2025, 2, 9, 2, 5, 9));
		assert.deepEqual(m.trailers.ackedBy, ['Jörg Acme <joerg@acme.example>']);
		assert.deepEqual(m.problems, []);
	});

	it('an unknown charset is a problem at the Content-Type line and reads as UTF-8', () => {
		const qp = 'caf=C3=A9';
		const text = `Subject: =?x-klingon?Q?qa=70la?=\nContent-Type: text/plain; charset="x-klingon"\nContent-Transfer-Encoding: quoted-printable\n\n${qp}\n`;
		const m = one(ingestText(text));
		assert.equal(m.body[0].text, 'café');
		const cs = m.problems.filter((p) => /Unknown charset/.test(p.message));
		assert.equal(cs.length, 2);
		assert.ok(cs.some((p) => p.range.start.line === 1));
		assert.equal(m.headers.subject, 'qapla');
	});

	it('8-bit Latin-1 text the editor decoded as UTF-8 (U+FFFD) is read without noise', () => {
		const text = 'Subject: x\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nZo\uFFFD wrote this\n';
		const m = one(ingestText(text));
		assert.equal(m.body[0].text, 'Zo\uFFFD wrote this');
		assert.deepEqual(m.problems, []);
	});

	it('reads the other subject shapes', () => {
		const subj = (s: string): Message['subject'] => one(ingestText(`Subject: ${s}\n\nbody\n`)).subject;
		assert.deepEqual(subj('[PATCHv2 net-next 03/10] x: y'), { raw: '[PATCHv2 net-next 03/10] x: y', tags: ['PATCH', 'net-next'], version: 2, number: 3, total: 10, title: 'x: y', isReply: false });
		assert.equal(subj('Re: Re: [RESEND PATCH] a').isReply, true);
		assert.deepEqual(subj('Re: Re: [RESEND PATCH] a').tags, ['RESEND', 'PATCH']);
		assert.equal(subj('Fwd: [Nouveau] Re: [PATCH 0/3] cover').title, 'cover');
		assert.equal(subj('no brackets at all').title, 'no brackets at all');
	});
});

describe('ingest: multipart', () => {
	const text = fixture('multipart.eml');
	it('reads text/plain and the text/x-patch attachment, skips HTML and images', () => {
		const doc = ingestText(text);
		const m = one(doc);
		assert.deepEqual(m.trailers.signedOffBy, ['Cy Acme <cy@acme.example>']);
		assert.ok(!m.body.some((l) => l.text.includes('<p>')));
		assert.ok(!m.body.some((l) => l.text.startsWith('iVBOR')));
		assert.equal(m.files.length, 1);
		assert.equal(m.files[0].path, 'drivers/gpu/drm/gpux/gpux_fault.c');
		const dl = diffLines(m);
		assert.deepEqual(dl.map((l) => l.kind), [' ', '-', '+', ' ']);
		assert.equal(dl[2].text, '\tdpage = alloc_page_vma(GFP_HIGHUSER | __GFP_ZERO, vmf->vma, vmf->address);');
		assert.equal(m.subject.tags.includes('RESEND'), true);
		assert.deepEqual(m.problems, []);
		assertOrigins(text, doc);
	});
	it('a multipart mail cut before its closing boundary is a problem, the parts are still read', () => {
		const cut = text.slice(0, text.indexOf('--==outer==\nContent-Type: image/png'));
		const m = one(ingestText(cut));
		assert.equal(m.files.length, 1);
		assert.ok(m.problems.some((p) => /closing boundary/.test(p.message)));
	});
});

describe('ingest: CRLF line endings', () => {
	for (const name of ['mboxrd.mbox', 'qp-latin1.eml', 'multipart.eml', 'nested-quotes.eml', 'base64-utf8.eml']) {
		it(`${name} reads the same with CRLF`, () => {
			const lf = fixture(name);
			const crlf = lf.replace(/\n/g, '\r\n');
			const a = ingestText(lf);
			const b = ingestText(crlf);
			const shape = (d: PatchDocument): unknown => d.messages.map((m) => ({
				subject: m.subject,
				files: m.files.map((f) => ({ path: f.path, hunks: f.hunks.map((h) => h.lines.map((l) => [l.kind, l.text, l.oldLine, l.newLine, positionOf(l.source, 0)])) })),
				body: m.body.map((l) => [l.text, l.quoteDepth]),
				problems: m.problems.length,
			}));
			assert.deepEqual(shape(b), shape(a));
			assertOrigins(crlf, b);
		});
	}
});

describe('ingest: quoted replies', () => {
	const text = fixture('nested-quotes.eml');
	const doc = ingestText(text);
	const m = one(doc);
	it('reads `> > +` and `>>+` quoted hunks at depth 2 in one file', () => {
		assert.equal(m.files.length, 1);
		const f = m.files[0];
		assert.equal(f.quoteDepth, 2);
		assert.equal(f.hunks.length, 2);
		assert.deepEqual(f.hunks[1].lines.map((l) => l.kind + l.text), [' \tmigrate_vma_pages(&args);', '-\tgpux_map(&args);', '+\tgpux_map_migrated(&args);', ' \tmigrate_vma_finalize(&args);']);
		assert.equal(f.hunks[1].lines[2].newLine, 142);
	});
	it('a depth-1 comment suspends the depth-2 hunk; it resumes with the next depth-2 diff line', () => {
		const h = m.files[0].hunks[0];
		assert.deepEqual(h.lines.map((l) => l.kind), [' ', '-', '+', ' ', ' ', ' ', '+', '+', ' ']);
		assert.equal(h.lines[6].text, '\t\tif (!args.cpages)');
		assert.equal(h.lines[6].newLine, 105);
		assert.equal(h.countsMatch, false);
		// A trimmed quoted hunk is no problem.
		assert.deepEqual(m.problems, []);
		const comment = m.body.find((l) => l.text === 'Should the end not be clamped to the vma as well?');
		assert.equal(comment?.quoteDepth, 1);
		// The depth-1 `+` line is not glued into the depth-2 hunk.
		assert.ok(!diffLines(m).some((l) => l.text === '\t\targs.start = args.end;'));
		assert.deepEqual(m.trailers.reviewedBy, ['Di Acme <di@acme.example>']);
		assertOrigins(text, doc);
	});
	it('quote depth and positions of quoted lines', () => {
		const lines = docLines(text);
		for (const l of diffLines(m)) {
			const p = positionOf(l.source, 0);
			const raw = lines[p.line];
			const prefix = raw.slice(0, p.character);
			assert.match(prefix, /^(> > |>> ?)$/);
			assert.equal(raw.slice(p.character), l.source.text);
		}
	});
	it('`[...]` elides inside a quoted hunk', () => {
		const t = 'Subject: r\n\n> @@ -1,6 +1,6 @@\n>  a\n> -b\n> [...]\n> +c\n>  d\n';
		const mm = one(ingestText(t));
		assert.deepEqual(diffLines(mm).map((l) => l.kind + l.text), [' a', '-b', '+c', ' d']);
		assert.equal(mm.files[0].path, '');
	});
});

describe('ingest: malformed and binary diffs', () => {
	it('hunks with wrong counts are read and reported at depth 0; a malformed header is skipped', () => {
		const text = fixture('malformed.patch');
		const doc = ingestText(text);
		const m = one(doc);
		const lines = docLines(text);
		const f = m.files[0];
		assert.equal(f.hunks.length, 4);
		assert.deepEqual(f.hunks.map((h) => h.countsMatch), [false, true, false, true]);
		assert.deepEqual(f.hunks[0].lines.map((l) => l.kind), [' ', '-', '+', '+', ' ']);
		// `@@ -20 +21 @@`: counts default to 1.
		assert.deepEqual([f.hunks[1].oldCount, f.hunks[1].newCount], [1, 1]);
		assert.deepEqual(f.hunks[3].lines.map((l) => l.kind), ['-', '+', ' ', '\\']);
		assert.equal(f.hunks[3].lines[3].text, ' No newline at end of file');
		assert.equal(m.problems.length, 3);
		const at = m.problems.map((p) => lines[p.range.start.line]).sort();
		assert.deepEqual(at, ['@@ -30,4 +31,4 @@ counts too large', '@@ -5,3 +5,3 @@ counts too small', '@@ -oops +40,2 @@ not a hunk header']);
		assert.equal(m.subject.title, 'gpux: hand-edited hunks');
	});

	it('binary diffs, renames, new, deleted and mode-only files', () => {
		const text = fixture('binary.patch');
		const m = one(ingestText(text));
		assert.deepEqual(m.files.map((f) => [f.path, f.oldPath, f.newPath, f.status, f.binary, f.hunks.length]), [
			['firmware/gpux/ucode.bin', 'firmware/gpux/ucode.bin', 'firmware/gpux/ucode.bin', 'modified', true, 0],
			['firmware/gpux/table.bin', undefined, 'firmware/gpux/table.bin', 'added', true, 0],
			['drivers/gpu/drm/gpux/new_name.c', 'drivers/gpu/drm/gpux/old_name.c', 'drivers/gpu/drm/gpux/new_name.c', 'renamed', false, 1],
			['drivers/gpu/drm/gpux/gone.c', 'drivers/gpu/drm/gpux/gone.c', undefined, 'deleted', false, 1],
			['drivers/gpu/drm/gpux/fresh.c', undefined, 'drivers/gpu/drm/gpux/fresh.c', 'added', false, 1],
			['scripts/gpux.sh', 'scripts/gpux.sh', 'scripts/gpux.sh', 'modified', false, 0],
			['drivers/gpu/drm/gpux/copy.c', 'drivers/gpu/drm/gpux/tmpl.c', 'drivers/gpu/drm/gpux/copy.c', 'copied', false, 0],
		]);
		assert.equal(m.problems.length, 2);
		assert.ok(m.problems.every((p) => /Binary diff/.test(p.message)));
		assert.deepEqual([m.files[4].hunks[0].newStart, m.files[4].hunks[0].newCount, m.files[4].hunks[0].oldCount], [1, 1, 0]);
	});

	it('NUL bytes are a problem with a position; the diff is still read', () => {
		const text = 'diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n-int a;\n+int a\u0000b;\n int c;\n';
		const m = one(ingestText(text));
		assert.equal(diffLines(m).length, 3);
		const nul = m.problems.find((p) => /NUL/.test(p.message));
		assert.deepEqual(nul?.range.start, { line: 5, character: 6 });
	});

	it('a 10 MB line is read (one problem), and so is a 10 MB flattened line', () => {
		const huge = 'x'.repeat(10 * 1024 * 1024);
		const m = one(ingestText(`Subject: big\n\nbefore\n${huge}\nafter\n`));
		assert.equal(m.body.length, 3);
		assert.equal(m.body[1].text.length, huge.length);
		assert.ok(m.problems.some((p) => /Very long line/.test(p.message) && p.range.start.line === 3));
		const unit = ' > > + x = a > b; > > y';
		const flat = 'On Mon, X wrote: > > @@ -1,3 +1,3 @@' + unit.repeat(Math.ceil((10 * 1024 * 1024) / unit.length));
		const d = one(ingestText(flat));
		assert.ok(d.body.length > 100000);
		assert.equal(d.files.length, 1);
		assert.equal(d.files[0].hunks[0].lines.length, 3);
	});

	it('truncated mails and odd documents never throw', () => {
		for (const t of ['From ', 'Subject:', 'Subject: x\n', 'Content-Type: multipart/mixed; boundary=b\n\n--b\n', '@@ -1', '@@ -1,2 +1,2 @@\n', 'diff --git\n', '\r', '\r\r\n\n', '>'.repeat(5000), '=?utf-8?B?', '--- a\n+++ b\n@@ -0,0 +1 @@']) {
			const doc = ingestText(t);
			assertOrigins(t, doc);
		}
	});
});

describe('ingest: flattened archive text (own fixture)', () => {
	const text = fixture('flattened.txt');
	const doc = ingestText(text);
	const m = one(doc);
	const lines = docLines(text);
	it('recovers the spaced `> > ` hunk; comparison and shift operators stay inside their lines', () => {
		const f = m.files[0];
		assert.equal(f.path, 'drivers/gpu/drm/gpux/gpux_chunk.c');
		assert.equal(f.quoteDepth, 2);
		const h = f.hunks[0];
		assert.equal(h.countsMatch, true);
		assert.deepEqual(h.lines.map((l) => l.kind + l.text), [
			' unsigned long end)', ' {', ' unsigned long npages = (end - start) >> PAGE_SHIFT;',
			'- if (npages > MAX)', '+ if (npages > MAX || !npages)', ' return -EINVAL;', ' ',
			'+ args.end = args.start + (npages << PAGE_SHIFT);', ' ret = migrate_vma_setup(&args);', ' if (ret)', ' return ret;',
		]);
		for (const l of h.lines) {
			const p = positionOf(l.source, 0);
			assert.equal(p.line, 0);
			assert.equal(lines[0].slice(p.character, p.character + l.source.text.length), l.source.text);
		}
		assert.ok(m.body.some((l) => l.quoteDepth === 1 && l.text.startsWith('Why not clamp here?')));
	});
	it('recovers the compact `>>> ` hunk on the second physical line', () => {
		const f = m.files[1];
		assert.equal(f.quoteDepth, 3);
		assert.deepEqual(f.hunks[0].lines.map((l) => l.kind + l.text), [' int a;', '-int b = c >> 1;', '+int b = c >> 2;', ' int d;']);
		assert.ok(f.hunks[0].lines.every((l) => positionOf(l.source, 0).line === 1));
		assert.ok(m.body.some((l) => l.quoteDepth === 2 && l.text === 'I agree with the shift.'));
		assertOrigins(text, doc);
	});
	it('an archive page with a bare subject line, From: and Date:', () => {
		const t = fixture('archive-page.txt');
		const a = one(ingestText(t));
		assert.equal(a.subject.title, 'gpux: pin pages for the copy engine');
		assert.equal(a.headers.from, 'Bo Reviewer');
		assert.equal(a.dateMs, Date.UTC(2025, 2, 12, 14, 15, 0));
		assert.equal(a.files[0].quoteDepth, 1);
		assert.deepEqual(diffLines(a).map((l) => l.kind), ['-', '+', ' ']);
	});
});

describe('ingest: prefilter', () => {
	const mail = (body: string, extra = ''): string => `From: a@example.org\nSubject: [PATCH] x\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n${extra}\n${body}`;
	it('skips a message without diff markers or API identifiers, keeping its headers', () => {
		const t = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n' + mail('Thanks, applied.\n\nSome prose about nothing.\n');
		const m = parseMessage(t, 10, 3, { prefilter: true });
		assert.equal(m.skipped, true);
		assert.deepEqual(m.files, []);
		assert.deepEqual(m.body, []);
		assert.equal(m.subject.title, 'x');
		assert.equal(m.dateMs, Date.UTC(2024, 0, 1));
		assert.equal(m.index, 3);
		assert.deepEqual(m.range, { start: { line: 10, character: 0 }, end: { line: 17, character: 25 } });
		assert.deepEqual(m.range, parseMessage(t, 10, 3).range);
	});
	it('reads in full a message with a diff, an API word, or an encoded body', () => {
		for (const body of ['@@ -1 +1 @@\n-a\n+b\n', 'We call migrate_vma_setup() here.\n', 'dev_pagemap owners\n']) {
			const m = parseMessage(mail(body), 0, 0, { prefilter: true });
			assert.equal(m.skipped, undefined, body);
			assert.ok(m.body.length > 0);
		}
		const b64 = Buffer.from('@@ -1 +1 @@\n-a\n+b\n').toString('base64');
		const m = parseMessage(mail(b64 + '\n', 'Content-Transfer-Encoding: base64\n'), 0, 0, { prefilter: true });
		assert.equal(m.skipped, undefined);
		assert.equal(m.files.length, 1);
	});
	it('a headerless document is body from its first line', () => {
		const m = parseMessage('The migrate_vma_setup() call fails.\n\nThanks.\n', 0, 0, { prefilter: true });
		assert.equal(m.skipped, undefined);
		assert.equal(m.body.length, 3);
		assert.equal(parseMessage('Nothing to see.\n\nThanks.\n', 0, 0, { prefilter: true }).skipped, true);
	});
	it('gives the same headers as a full read', () => {
		const t = mail('just prose\n');
		const a = parseMessage(t, 0, 0, { prefilter: true });
		const b = parseMessage(t, 0, 0);
		assert.deepEqual(a.headers, b.headers);
		assert.deepEqual(a.subject, b.subject);
	});
});

describe('ingest: positions are absolute', () => {
	it('a message parsed from a slice reports lines offset by its start line', () => {
		const t = 'Subject: x\n\n> +quoted\n';
		const m = parseMessage(t, 100, 0);
		const l: RecoveredLine = m.body[0];
		assert.equal(l.quoteDepth, 1);
		assert.deepEqual(positionOf(l, 0), { line: 102, character: 2 });
		assert.deepEqual(l.origin.range, { start: { line: 102, character: 2 }, end: { line: 102, character: 9 } });
	});
});
