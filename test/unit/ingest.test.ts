/*
 * Ingest over the real corpus (../shared/corpus): message, patch, file and hunk counts worked out
 * by reading each mail (grep over the decoded bodies), hand-picked diff lines with their quote
 * depth and line numbers, and a check of every recovered line's origin against the document.
 * Also the public API: splitMbox, MboxStream, parseMessage offsets, positionOf.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusFiles, haveCorpus, readCorpus } from '../corpus';
import {
	ingestText, MboxStream, parseMessage, positionOf, splitMbox,
	type DiffLine, type Message, type PatchDocument, type RecoveredLine,
} from '../../server/src/core/ingest/index';
import { ARCHIVE_DATE, messageHeaders, parseMailDate, REPLY_PREFIX } from '../../server/src/core/ingest/headers';
import { PLAIN_BASE64, readTrailer } from '../../server/src/core/ingest/message';
import { HUNK_HEADER_LOOSE } from '../../server/src/core/ingest/diff';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'ingest');

function docLines(text: string): string[] {
	return text.split(/\r\n|\r|\n/);
}

/**
 * Every origin lies inside the document; exact one-segment lines are the document text at their
 * position; exact multi-segment (quoted-printable) lines map each character to the same character
 * or to the `=` of an escape; inexact (base64) ranges cover base64 text.
 */
function checkOrigins(text: string, doc: PatchDocument): number {
	const lines = docLines(text);
	const inside = (p: { line: number; character: number }, what: string): void => {
		assert.ok(p.line >= 0 && p.line < lines.length, `${what}: line ${p.line} outside the document`);
		assert.ok(p.character >= 0 && p.character <= lines[p.line].length, `${what}: character ${p.character} outside line ${p.line}`);
	};
	let checked = 0;
	for (const m of doc.messages) {
		for (const l of m.body) {
			const o = l.origin;
			inside(o.range.start, 'range start');
			inside(o.range.end, 'range end');
			for (const s of o.segments) {
				inside(s, 'segment');
			}
			const plain = o.range.start.line === o.range.end.line && o.range.end.character - o.range.start.character === l.text.length;
			if (o.exact && o.segments.length === 1 && plain) {
				const s = o.segments[0];
				assert.equal(lines[s.line].slice(s.character, s.character + l.text.length), l.text);
			} else if (o.exact) {
				for (let i = 0; i < l.text.length; i++) {
					const p = positionOf(l, i);
					const c = lines[p.line].charAt(p.character);
					assert.ok(c === l.text.charAt(i) || c === '=', `QP char ${i} of ${JSON.stringify(l.text)} maps to ${JSON.stringify(c)}`);
				}
			} else {
				for (let k = o.range.start.line; k <= o.range.end.line; k++) {
					assert.match(lines[k], /^[A-Za-z0-9+/=\s]*$/, 'base64 origin covers base64 text');
				}
			}
			checked++;
		}
	}
	return checked;
}

function allLines(m: Message): DiffLine[] {
	return m.files.flatMap((f) => f.hunks.flatMap((h) => h.lines));
}

/** [messages, patches, files, hunks, quote depths of the files] */
type Expect = [number, number, number, number, number[]];

// Worked out with grep over each decoded body: `diff --git` lines (and their `>` prefixes) for the
// files, `@@ -` lines for the hunks.
const MAIL: Record<string, Expect> = {
	'001-hmm-migrate-vma-upside-down-cover-v1.eml': [1, 0, 0, 0, []],
	'002-mm-turn-migrate-vma-upside-down-1of9-v1.eml': [1, 1, 4, 16, [0]],
	'003-re-1of9-ralph-cpages-npages-not-reset.eml': [1, 1, 4, 16, [1]],
	'004-re-1of9-hch-will-clear-in-setup.eml': [1, 0, 0, 0, []],
	'005-re-1of9-jglisse-sigbus-doc.eml': [1, 1, 1, 2, [1]],
	'006-nouveau-simplify-dmem-migrate-vma-v3-b64.eml': [1, 1, 1, 4, [0]],
	'007-autosel-nouveau-fix-sizeof-args-src-dst.eml': [1, 1, 1, 1, [0]],
	'017-ensure-device-private-pages-have-owner-v2-cover.eml': [1, 0, 0, 0, []],
	'018-mm-handle-multiple-owners-migrate-vma-2of4.eml': [1, 1, 4, 6, [0]],
	'019-re-2of4-ralph-src-owner-skips-normal-pages.eml': [1, 1, 4, 6, [1]],
	'020-mm-hmm-check-device-private-owner-4of4.eml': [1, 1, 3, 6, [0]],
	'021-nouveau-fix-fault-on-device-private-dev-private-owner.eml': [1, 1, 1, 1, [0]],
	'022-nouveau-hmm-fix-vma-range-check.eml': [1, 1, 1, 1, [0]],
	'023-mm-hmm-test-add-selftest-driver-v10.eml': [1, 1, 4, 4, [0]],
	'024-nouveau-hmm-map-pages-after-migration-qp.eml': [1, 1, 4, 13, [0]],
	'025-nouveau-hmm-fix-migrate-zero-page.eml': [1, 1, 1, 6, [0]],
	'026-mm-fix-migrate-vma-setup-src-owner-normal-pages.eml': [1, 1, 1, 1, [0]],
	'027-nouveau-fix-mixed-normal-device-private-migration.eml': [1, 1, 1, 3, [0]],
	'028-re-mixed-migration-jhubbard-src-owner.eml': [1, 1, 1, 3, [1]],
	'029-re-mixed-migration-hch-direction.eml': [1, 0, 0, 0, []],
	'030-mm-migrate-avoid-device-private-invalidations-v4-cover.eml': [1, 0, 0, 0, []],
	'031-mm-migrate-add-flags-parameter-v4.eml': [1, 1, 5, 11, [0]],
	'032-nouveau-svm-use-migration-invalidation-v4.eml': [1, 1, 3, 11, [0]],
	'033-test-hmm-use-migration-invalidation-v4.eml': [1, 1, 2, 8, [0]],
	'034-nouveau-svm-only-map-migrating-pages.eml': [1, 1, 1, 2, [0]],
	'035-amdkfd-skip-migration-pages-in-vram.eml': [1, 1, 1, 1, [0]],
	'036-amdkfd-skip-vram-felix-reply-b64.eml': [1, 1, 1, 1, [1]],
	'037-amdkfd-pgmap-owner-hive.eml': [1, 1, 2, 4, [0]],
	'038-mm-migrate-remove-migrate-pfn-locked.eml': [1, 1, 7, 20, [0]],
	'039-re-remove-locked-ralph-dirty-bit.eml': [1, 1, 7, 20, [1]],
	'040-mm-migrate-device-copy-pte-dirty-bit-v2.eml': [1, 1, 1, 6, [0]],
	'041-dc-v5-01-david-where-is-pinning-forbidden.eml': [1, 1, 1, 3, [1]],
	'043-nouveau-svm-fix-migrate-all-requested-pages.eml': [1, 1, 1, 1, [0]],
	'044-re-fix-migrate-all-lyude-rb.eml': [1, 1, 1, 1, [1]],
	'046-mm-migrate-device-add-migrate-device-range-v2.eml': [1, 1, 2, 9, [0]],
	'052-re-migrate-to-ram-copy-error-dakr.eml': [1, 1, 1, 1, [1]],
	'053-nouveau-dmem-migrate-to-ram-zero-dst-page-v2.eml': [1, 1, 1, 1, [0]],
	'054-rfc-nouveau-add-thp-migration.eml': [1, 1, 3, 20, [0]],
	'056-xe-gpusvm-timeslice-rfc.eml': [1, 1, 3, 7, [0]],
	'057-mm-notifier-owner-current-rfc-reply.eml': [1, 0, 0, 0, []],
};

// Seeds: `diff --git` and `@@ -l,c +l,c @@` occurrences in the (flattened) text; depths from the
// quote prefix in front of each.
const SEEDS: Record<string, Expect> = {
	'000_d0efd1a6d9a9c7b2.txt': [1, 1, 1, 1, [5]],
	'001_55557fcdeef0a916.txt': [1, 0, 0, 0, []],
	'002_04a69df834c38747.txt': [1, 1, 1, 3, [13]],
	'003_b7c3798e400584e4.txt': [1, 1, 9, 15, [0, 1, 2]],
	'004_f27282677ca7af89.txt': [1, 1, 1, 2, [1]],
};

/** Diff lines found by walking each decoded mail's hunks by hand (file, text with marker, depth, old, new). */
const SAMPLES: Array<[string, string, number, number | undefined, number | undefined]> = [
	['002-mm-turn-migrate-vma-upside-down-1of9-v1.eml', '+\t\targs.end = start + (c << PAGE_SHIFT);', 0, undefined, 815],
	['003-re-1of9-ralph-cpages-npages-not-reset.eml', '+\t\targs.end = start + (c << PAGE_SHIFT);', 1, undefined, 815],
	['024-nouveau-hmm-map-pages-after-migration-qp.eml', '+\t\t*pfn |= NVIF_VMM_PFNMAP_V0_W;', 0, undefined, 592],
	['028-re-mixed-migration-jhubbard-src-owner.eml', '+\t\t.src_owner\t= drm->dev,', 1, undefined, 625],
	['007-autosel-nouveau-fix-sizeof-args-src-dst.eml', '-\targs.src = kcalloc(max, sizeof(args.src), GFP_KERNEL);', 0, 638, undefined],
	['007-autosel-nouveau-fix-sizeof-args-src-dst.eml', '+\targs.dst = kcalloc(max, sizeof(*args.dst), GFP_KERNEL);', 0, undefined, 641],
	['036-amdkfd-skip-vram-felix-reply-b64.eml', '+\t\tif (spage && !is_zone_device_page(spage)) {', 1, undefined, 333],
	['052-re-migrate-to-ram-copy-error-dakr.eml', '+\tdpage = alloc_page_vma(GFP_HIGHUSER | __GFP_ZERO, vmf->vma, vmf->address);', 1, undefined, 196],
	['039-re-remove-locked-ralph-dirty-bit.eml', '-#define MIGRATE_PFN_LOCKED\t(1UL << 2)', 1, 122, undefined],
	['023-mm-hmm-test-add-selftest-driver-v10.eml', '+\targs.src_owner = dmirror->mdevice;', 0, undefined, 1040],
	['019-re-2of4-ralph-src-owner-skips-normal-pages.eml', '+\t\t\tif (page->pgmap->owner != migrate->src_owner)', 1, undefined, 2268],
	['041-dc-v5-01-david-where-is-pinning-forbidden.eml', '+\tMEMORY_DEVICE_COHERENT,', 1, undefined, 71],
];

function findLine(doc: PatchDocument, withMarker: string): DiffLine | undefined {
	for (const m of doc.messages) {
		for (const l of allLines(m)) {
			if (l.kind + l.text === withMarker || l.source.text === withMarker) {
				return l;
			}
		}
	}
	return undefined;
}

describe('ingest: corpus mails', { skip: haveCorpus ? false : 'corpus not found (set MIGRATE_LENS_CORPUS)' }, () => {
	it('has an expectation for every mail and seed in the corpus', () => {
		assert.deepEqual(corpusFiles('mail').map((f) => path.basename(f)), Object.keys(MAIL).sort());
		assert.deepEqual(corpusFiles('seeds').map((f) => path.basename(f)), Object.keys(SEEDS).sort());
	});

	for (const [folder, table] of [['mail', MAIL], ['seeds', SEEDS]] as const) {
		for (const [name, [messages, patches, files, hunks, depths]] of Object.entries(table)) {
			it(`${folder}/${name}: ${messages} message(s), ${patches} patch(es), ${files} file(s), ${hunks} hunk(s)`, () => {
				const text = readCorpus(folder, name);
				const doc = ingestText(text);
				assert.equal(doc.messages.length, messages);
				assert.equal(doc.messages.filter((m) => m.files.length > 0).length, patches);
				const all = doc.messages.flatMap((m) => m.files);
				assert.equal(all.length, files);
				assert.equal(all.reduce((a, f) => a + f.hunks.length, 0), hunks);
				assert.deepEqual([...new Set(all.map((f) => f.quoteDepth))].sort(), depths);
				for (const f of all) {
					assert.ok(f.path.length > 0, 'every file has a path');
					for (const h of f.hunks) {
						assert.equal(h.quoteDepth, f.quoteDepth);
						for (const l of h.lines) {
							assert.equal(l.source.quoteDepth, f.quoteDepth);
						}
					}
				}
				assert.ok(checkOrigins(text, doc) > 0);
			});
		}
	}

	it('reports no problem for the well-formed corpus mails (quoted, trimmed hunks make no noise)', () => {
		for (const name of Object.keys(MAIL)) {
			const doc = ingestText(readCorpus('mail', name));
			assert.deepEqual(doc.messages[0].problems.map((p) => p.message), [], name);
			for (const f of doc.messages[0].files) {
				for (const h of f.hunks) {
					if (h.quoteDepth === 0) {
						assert.equal(h.countsMatch, true, `${name} ${h.header.text}`);
					}
				}
			}
		}
	});

	for (const [name, text, depth, oldLine, newLine] of SAMPLES) {
		it(`${name}: ${JSON.stringify(text).slice(0, 60)} at depth ${depth}`, () => {
			const doc = ingestText(readCorpus('mail', name));
			const l = findLine(doc, text);
			assert.ok(l, 'line found');
			assert.equal(l.source.quoteDepth, depth);
			assert.equal(l.kind, text.charAt(0));
			assert.equal(l.text, text.slice(1));
			assert.equal(l.oldLine, oldLine);
			assert.equal(l.newLine, newLine);
			const o = l.source.origin;
			const raw = docLines(readCorpus('mail', name));
			if (o.exact) {
				// The document line holds the quote prefix (depth markers) and then the line.
				const p = positionOf(l.source, 0);
				const prefix = raw[p.line].slice(0, p.character);
				assert.equal((prefix.match(/>/g) ?? []).length, depth);
				assert.match(prefix, /^[> ]*$/);
				for (let i = 0; i < l.source.text.length; i++) {
					const q = positionOf(l.source, i);
					const c = raw[q.line].charAt(q.character);
					assert.ok(c === l.source.text.charAt(i) || c === '=');
				}
			} else {
				assert.match(raw[o.range.start.line], /^[A-Za-z0-9+/=]+$/);
			}
		});
	}

	it('reads headers, subject parts, dates and trailers', () => {
		const m7 = ingestText(readCorpus('mail', '007-autosel-nouveau-fix-sizeof-args-src-dst.eml')).messages[0];
		assert.deepEqual(m7.subject.tags, ['Nouveau', 'PATCH', 'AUTOSEL', '5.4']);
		assert.equal(m7.subject.number, 65);
		assert.equal(m7.subject.total, 459);
		assert.equal(m7.subject.title, 'drm/nouveau/nouveau: fix incorrect sizeof on args.src an args.dst');
		assert.equal(m7.dateMs, Date.UTC(2020, 1, 14, 15, 55, 15));
		assert.deepEqual(m7.trailers.fixes, ['f268307ec7c7 ("nouveau: simplify nouveau_dmem_migrate_vma")']);
		const m22 = ingestText(readCorpus('mail', '022-nouveau-hmm-fix-vma-range-check.eml')).messages[0];
		assert.equal(m22.subject.version, 3);
		assert.equal(m22.subject.number, 1);
		assert.equal(m22.subject.total, 4);
		assert.equal(m22.subject.isReply, false);
		const m53 = ingestText(readCorpus('mail', '053-nouveau-dmem-migrate-to-ram-zero-dst-page-v2.eml')).messages[0];
		assert.deepEqual(m53.trailers.signedOffBy, ['Yonatan Maman <Ymaman@Nvidia.com>', 'Gal Shalom <GalShalom@Nvidia.com>']);
		assert.deepEqual(m53.trailers.reviewedBy, ['Ben Skeggs <bskeggs@nvidia.com>']);
		const m44 = ingestText(readCorpus('mail', '044-re-fix-migrate-all-lyude-rb.eml')).messages[0];
		assert.equal(m44.subject.isReply, true);
		assert.deepEqual(m44.trailers.reviewedBy, ['Lyude Paul <lyude@redhat.com>']);
		// The mailer wrapped `diff --git a/P` / `b/P` over two lines.
		assert.equal(m44.files[0].path, 'drivers/gpu/drm/nouveau/nouveau_dmem.c');
		assert.equal(m44.files[0].newPath, 'drivers/gpu/drm/nouveau/nouveau_dmem.c');
		const m57 = ingestText(readCorpus('mail', '057-mm-notifier-owner-current-rfc-reply.eml')).messages[0];
		assert.equal(m57.headers.from, 'Mika Penttilä <mpenttil@redhat.com>');
		assert.equal(m57.subject.tags.includes('RFC'), true);
	});

	it('a reviewer comment inside a quoted hunk interrupts it and the hunk picks up again (003)', () => {
		const m = ingestText(readCorpus('mail', '003-re-1of9-ralph-cpages-npages-not-reset.eml')).messages[0];
		const comment = m.body.find((l) => l.text.startsWith('Since migrate_vma_setup() is called in a loop'));
		assert.ok(comment);
		assert.equal(comment.quoteDepth, 0);
		const lines = allLines(m);
		const i = lines.findIndex((l) => l.text === '\t\targs.end = start + (c << PAGE_SHIFT);');
		assert.ok(i >= 0);
		assert.equal(lines[i + 1].text, '\t\tret = migrate_vma_setup(&args);');
		assert.equal(lines[i + 1].newLine, 816);
	});

	it('format=flowed replies lose their space-stuffing (028 context lines keep one leading space)', () => {
		const m = ingestText(readCorpus('mail', '028-re-mixed-migration-jhubbard-src-owner.eml')).messages[0];
		const ctx = allLines(m).find((l) => l.text === '\tif (!(src & MIGRATE_PFN_MIGRATE))');
		assert.ok(ctx);
		assert.equal(ctx.kind, ' ');
		assert.equal(ctx.oldLine, 540);
	});

	it('mailing-list archive page (seed 001): subject line, From:, Date: read as headers', () => {
		const m = ingestText(readCorpus('seeds', '001_55557fcdeef0a916.txt')).messages[0];
		assert.equal(m.subject.title, 'mm/hmm/migrate: new memory migration helper for use with device memory v2');
		assert.equal(m.subject.isReply, true);
		assert.equal(m.headers.from, 'Jerome Glisse');
		assert.equal(m.dateMs, Date.UTC(2017, 0, 10, 16, 58, 45));
		assert.ok(m.body.some((l) => l.quoteDepth === 2 && l.text.startsWith('You are mischaracterizing patch 11-14')));
	});

	it('archive text with lost indentation (seed 003): marker-less lines are context, short depth-0 hunks reported', () => {
		const text = readCorpus('seeds', '003_b7c3798e400584e4.txt');
		const doc = ingestText(text);
		const m = doc.messages[0];
		const depth0 = m.files.filter((f) => f.quoteDepth === 0);
		assert.deepEqual(depth0.map((f) => f.path), [
			'drivers/gpu/drm/nouveau/nvkm/subdev/mmu/base.c',
			'drivers/gpu/drm/nouveau/nvkm/subdev/mmu/vmm.c',
			'drivers/gpu/drm/nouveau/nvkm/subdev/mmu/vmm.h',
			'drivers/gpu/drm/nouveau/nouveau_dmem.c',
		]);
		const first = depth0[0].hunks[0];
		assert.deepEqual(first.lines.map((l) => l.kind + l.text), [
			' kfree(pt);', ' }', '-struct nvkm_mmu_pt *', '+static struct nvkm_mmu_pt *',
			' nvkm_mmu_ptp_get(struct nvkm_mmu *mmu, u32 size, bool zero)', ' {', ' struct nvkm_mmu_pt *pt;',
		]);
		// The archive dropped blank context lines: four depth-0 hunks come up one line short.
		assert.equal(m.problems.length, 4);
		const lines = docLines(text);
		for (const p of m.problems) {
			assert.match(lines[p.range.start.line], /^@@ -/);
		}
		const src = m.files.find((f) => f.quoteDepth === 1 && f.path.endsWith('nouveau_dmem.c'));
		assert.ok(src);
		assert.ok(src.hunks.flatMap((h) => h.lines).some((l) => l.kind === '+' && l.text === ' .src_owner = drm->dev,'));
	});
});

describe('ingest: flattened archive seeds', { skip: haveCorpus ? false : 'corpus not found' }, () => {
	it('000: the quoted diff at depth 5 comes back line by line', () => {
		const text = readCorpus('seeds', '000_d0efd1a6d9a9c7b2.txt');
		const m = ingestText(text).messages[0];
		const f = m.files[0];
		assert.equal(f.path, 'include/linux/migrate.h');
		const h = f.hunks[0];
		assert.deepEqual([h.oldStart, h.oldCount, h.newStart, h.newCount], [180, 6, 180, 11]);
		assert.deepEqual(h.lines.map((l) => l.kind + l.text), [
			' return (pfn << MIGRATE_PFN_SHIFT) | MIGRATE_PFN_VALID;',
			' }',
			'+enum migrate_vma_direction {',
			'+ MIGRATE_VMA_FROM_SYSTEM,',
			'+ MIGRATE_VMA_FROM_DEVICE_PRIVATE,',
			'+};',
		]);
		assert.deepEqual(h.lines.map((l) => l.newLine), [180, 181, 182, 183, 184, 185]);
		const line0 = docLines(text)[0];
		for (const l of h.lines) {
			assert.equal(l.source.flattened, true);
			assert.equal(l.source.origin.exact, true);
			const p = positionOf(l.source, 0);
			assert.equal(p.line, 0);
			assert.equal(line0.slice(p.character, p.character + l.source.text.length), l.source.text);
			// Each recovered line follows its quote prefix.
			assert.equal(line0.slice(p.character - 10, p.character), '> > > > > ');
		}
		assert.equal(h.countsMatch, false);
		assert.deepEqual(m.problems, []);
	});

	it('004: depth-1 hunks, blank context lines (`> >`) and wrapped argument lists', () => {
		const m = ingestText(readCorpus('seeds', '004_f27282677ca7af89.txt')).messages[0];
		const [h1, h2] = m.files[0].hunks;
		assert.equal(h1.countsMatch, true);
		assert.deepEqual(h1.lines.slice(0, 4).map((l) => l.kind + l.text), [' #endif /* CONFIG_NUMA */', ' ', ' #if defined(CONFIG_MIGRATE_VMA_HELPER)', '-struct migrate_vma {']);
		assert.deepEqual(h1.lines.slice(-3).map((l) => l.text), ['static int migrate_vma_collect_hole(unsigned long start,', 'unsigned long end,', 'struct mm_walk *walk)']);
		assert.equal(h2.lines[3].kind + h2.lines[3].text, '+/**');
		assert.ok(h2.lines.length >= 30);
		assert.ok(h2.lines.every((l) => l.source.quoteDepth === 1));
	});

	it('002: compact `>>>…` prefixes at depth 13; a reviewer comment at depth 12 interrupts the hunk', () => {
		const m = ingestText(readCorpus('seeds', '002_04a69df834c38747.txt')).messages[0];
		assert.equal(m.subject.title, 'mm: add zone device coherent type memory support');
		assert.equal(m.subject.version, 5);
		// Headers written inline in the flattened text; the archive emptied Message-ID.
		assert.equal(m.dateMs, Date.UTC(2022, 5, 22, 23, 6, 10));
		assert.equal(m.headers.from, '"Sierra Guiza, Alejandro (Alex)"');
		assert.equal(m.headers.messageId, undefined);
		const f = m.files[0];
		assert.equal(f.path, 'include/linux/memremap.h');
		assert.equal(f.quoteDepth, 13);
		const h = f.hunks[0];
		assert.equal(h.countsMatch, true);
		const added = h.lines.filter((l) => l.kind === '+').map((l) => l.text);
		assert.equal(added.length, 7);
		assert.equal(added[0], ' * MEMORY_DEVICE_COHERENT:');
		assert.equal(added[5], ' * should be allowed to pin such memory so that it can always be evicted.');
		assert.ok(m.body.some((l) => l.quoteDepth === 12 && l.text.startsWith('Any page might not be right')));
		assert.deepEqual(f.hunks[1].lines.map((l) => l.kind + l.text)[3], '+ MEMORY_DEVICE_COHERENT,');
	});
});

describe('ingest: API', () => {
	const mbox = fs.readFileSync(path.join(FIXTURES, 'mboxrd.mbox'), 'utf8');

	it('ingestText with a memo reuses the messages an edit left as they were, and reads the others again', () => {
		const memo = new Map<string, Message>();
		const first = ingestText(mbox, { memo });
		assert.equal(memo.size, first.messages.length);
		const again = ingestText(mbox, { memo });
		assert.ok(again.messages.every((m, i) => m === first.messages[i]), 'unchanged messages are the same objects');
		// An edit inside the second message, the same number of lines: the first and third stay.
		const second = [...splitMbox(mbox)][1]!;
		const word = /[A-Za-z]{4,}/.exec(second.text.slice(second.text.indexOf('\n\n')))![0];
		const at = mbox.indexOf(word, mbox.indexOf(second.text) + second.text.indexOf('\n\n'));
		const edited = `${mbox.slice(0, at)}${word.toUpperCase()}${mbox.slice(at + word.length)}`;
		const third = ingestText(edited, { memo });
		assert.equal(third.messages[0], first.messages[0]);
		assert.notEqual(third.messages[1], first.messages[1]);
		assert.equal(third.messages[2], first.messages[2]);
		assert.deepEqual(JSON.parse(JSON.stringify(third)), JSON.parse(JSON.stringify(ingestText(edited))));
		// A line added above moves every message below it: they are read again.
		const moved = ingestText(`\n${edited}`, { memo });
		assert.ok(moved.messages.every((m) => !third.messages.includes(m)));
		assert.equal(memo.size, moved.messages.length);
	});

	it('splitMbox yields one slice per From_ line with its start line', () => {
		const slices = [...splitMbox(mbox)];
		assert.equal(slices.length, 3);
		const lines = docLines(mbox);
		for (const s of slices) {
			assert.match(lines[s.startLine], /^From mboxrd@z /);
			assert.ok(s.text.startsWith('From mboxrd@z '));
		}
		assert.equal(slices.map((s) => s.text).join(''), mbox);
	});

	it('a document without From_ lines is one message; blank documents have none', () => {
		assert.equal([...splitMbox('diff --git a/x b/x\n')].length, 1);
		assert.equal([...splitMbox('')].length, 0);
		assert.equal([...splitMbox('\n\n  \n')].length, 0);
		// A `From ` line in a body (not followed by a header, not after a blank line) does not split.
		assert.equal([...splitMbox('Subject: x\n\nhello\nFrom the ground up\nmore\n')].length, 1);
	});

	it('concatenated git format-patch files split at their dated From_ lines, even without a blank line', () => {
		const patch = (n: number): string => `From ${'0123456789abcdef0123456789abcdef0123456'}${n} Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\nSubject: [PATCH ${n}/2] x\n\nbody\n-- \n2.43.0\n`;
		const slices = [...splitMbox(patch(1) + patch(2))];
		assert.deepEqual(slices.map((s) => s.startLine), [0, 7]);
		assert.deepEqual(ingestText(patch(1) + patch(2)).messages.map((m) => m.subject.number), [1, 2]);
	});

	it('MboxStream gives the same slices whatever the chunk size (CRLF and LF)', () => {
		for (const text of [mbox, mbox.replace(/\n/g, '\r\n')]) {
			const expected = [...splitMbox(text)];
			for (const size of [1, 2, 3, 7, 64, 1000, text.length]) {
				const s = new MboxStream();
				const got: Array<{ text: string; startLine: number }> = [];
				for (let i = 0; i < text.length; i += size) {
					got.push(...s.push(text.slice(i, i + size)));
				}
				got.push(...s.end());
				assert.deepEqual(got, expected, `chunk size ${size}`);
			}
		}
	});

	it('parseMessage reports document positions (offset by startLine)', () => {
		const slices = [...splitMbox(mbox)];
		const lines = docLines(mbox);
		const m = parseMessage(slices[1].text, slices[1].startLine, 1);
		assert.equal(m.index, 1);
		assert.equal(m.range.start.line, slices[1].startLine);
		const l = m.files[0].hunks[0].lines.find((d) => d.kind === '+');
		assert.ok(l);
		const p = positionOf(l.source, 0);
		assert.equal(lines[p.line], '+\tif (ret)');
		assert.equal(m.headers.inReplyTo, '<20250304101112.1-ada@acme.example>');
		assert.deepEqual(m.headers.references, ['<20250304101112.0-ada@acme.example>', '<20250304101112.1-ada@acme.example>']);
		assert.equal(m.trailers.baseCommit, '89abcdef0123456789abcdef0123456789abcdef');
		assert.deepEqual(m.trailers.fixes, ['0123456789ab ("gpux: add migration")']);
	});

	it('mboxrd: one `>` is removed from `>From ` lines, positions shift by one column', () => {
		const doc = ingestText(mbox);
		const lines = docLines(mbox);
		const m0 = doc.messages[0];
		const from = m0.body.find((l) => l.text === 'From the start the driver forgot the flag.');
		assert.ok(from);
		assert.equal(from.quoteDepth, 0);
		const p = positionOf(from, 0);
		assert.equal(lines[p.line], '>From the start the driver forgot the flag.');
		assert.equal(p.character, 1);
		const quoted = m0.body.find((l) => l.text === 'From a quoted line in the original body.');
		assert.ok(quoted);
		assert.equal(quoted.quoteDepth, 1);
		const reply = doc.messages[2].body.find((l) => l.text === 'From what I can see this is fine.');
		assert.ok(reply);
		assert.equal(reply.quoteDepth, 1);
		// Outside an mbox (no From_ line) nothing is unescaped.
		const single = ingestText('Subject: x\nFrom: a@b\n\n>From here\n');
		assert.equal(single.messages[0].body[0].quoteDepth, 1);
		assert.equal(single.messages[0].body[0].text, 'From here');
	});

	it('positionOf clamps, follows segments, and gives the range start for inexact lines', () => {
		const exact: RecoveredLine = {
			text: 'a=b',
			quoteDepth: 0,
			origin: {
				range: { start: { line: 3, character: 0 }, end: { line: 4, character: 2 } },
				exact: true,
				segments: [{ col: 0, line: 3, character: 0 }, { col: 2, line: 4, character: 1 }],
			},
		};
		assert.deepEqual(positionOf(exact, 0), { line: 3, character: 0 });
		assert.deepEqual(positionOf(exact, 1), { line: 3, character: 1 });
		assert.deepEqual(positionOf(exact, 2), { line: 4, character: 1 });
		assert.deepEqual(positionOf(exact, -5), { line: 3, character: 0 });
		assert.deepEqual(positionOf(exact, 99), { line: 4, character: 2 });
		const inexact: RecoveredLine = { ...exact, origin: { ...exact.origin, exact: false } };
		assert.deepEqual(positionOf(inexact, 2), { line: 3, character: 0 });
	});

	it('lines serialise with their origin (JSON)', () => {
		const m = ingestText('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n').messages[0];
		const j = JSON.parse(JSON.stringify(m.files[0].hunks[0].lines[1].source));
		assert.deepEqual(j, { text: '+b', quoteDepth: 0, origin: { range: { start: { line: 5, character: 0 }, end: { line: 5, character: 2 } }, exact: true, segments: [{ col: 0, line: 5, character: 0 }] } });
	});
});

// Each replaces a regular expression that backtracked quadratically on a long run (of `<`, `(`,
// letters or blanks) in one header or line; on normal text it reads exactly what that expression read.
describe('ingest: linear reading of headers and lines', () => {
	const exec = (re: RegExp, s: string): unknown => {
		const m = re.exec(s);
		return m ? [m.index, ...m] : null;
	};

	it('References ids as /<[^>]*>/g found them', () => {
		for (const v of ['<a@example.invalid>', '<a@b> <c@d>\n\t<e@f>', '<a@b><c@d>', 'a@b c@d', '<open', '<a@b> <open', '']) {
			const old = v.match(/<[^>]*>/g) ?? v.split(/\s+/).filter((s) => s.length > 0);
			assert.deepEqual(messageHeaders([{ name: 'references', value: v, line: 0, lastLine: 0 }]).references, old);
		}
	});

	it('dates as the comment and archive-date expressions read them', () => {
		const OLD = /([A-Za-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{4})\s*-?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,4})?/;
		const dates = [
			'Tue Jan 10 2017 - 11:58:45 EST', 'Tue Jan 10, 2017 11:58 +0100', 'Thursday, January 10, 2017 - 11:58:45 PST', 'xJan 10 2017 11:58',
			'JanUary 10, 2017 11:58', 'ABCjan 10 2017 11:58', 'on Mar 3 2020-10:00', 'Mon, 29 Jul 2019 17:28:34 +0300', 'no date', '',
		];
		for (const d of dates) {
			assert.deepEqual(exec(ARCHIVE_DATE, d), exec(OLD, d), d);
		}
		assert.equal(parseMailDate('Mon, 29 Jul 2019 17:28:34 +0300 (IDT)'), Date.UTC(2019, 6, 29, 14, 28, 34));
		assert.equal(parseMailDate('(sent) Tue Jan 10 2017 - 11:58:45 EST'), Date.UTC(2017, 0, 10, 16, 58, 45));
	});

	it('reply prefixes as the expression with a run of blanks on each side of the `[n]` read them', () => {
		const OLD = /^(?:re|fwd?|aw|sv|antw)\s*(?:\[\d+\])?\s*:\s*/i;
		for (const s of ['Re: x', 'RE : x', 'Re[2]: x', 'Re [2] : x', 'Fwd:x', 'AW:  x', 'Re x', 'Re[2] x', 'Re\u00a0: x', 'Reply: x', '']) {
			assert.deepEqual(exec(REPLY_PREFIX, s), exec(OLD, s), s);
		}
	});

	it('trailers as the expression with a lazy value before trailing blanks read them', () => {
		const OLD = /^(Fixes|base-commit|Signed-off-by|Reviewed-by|Acked-by)[ \t]*:[ \t]*(.*?)\s*$/i;
		const lines = [
			'Signed-off-by: A Dev <a@example.invalid>', 'Fixes: 0123456789ab ("mm: x")  ', 'base-commit:\tabc', 'acked-by : B <b@c>\t \u00a0',
			'Reviewed-by:', 'Fixes: a\u2028b', 'Fixes: a \u2028', 'Signed-off-by A', 'Tested-by: x', '',
		];
		for (const l of lines) {
			const m = OLD.exec(l);
			assert.deepEqual(readTrailer(l), m ? { name: m[1], value: m[2] } : undefined, l);
		}
	});

	it('base64 bodies and loose hunk headers as the expressions with one run of blanks read them', () => {
		const OLD_BASE64 = /^[A-Za-z0-9+/ \t\n]*=?=?[ \t\n]*$/;
		for (const b of ['QUJD\nREVG\n', 'QUI=\n', 'QQ==\n\n', 'QQ== \n ', 'QQ=a', 'QQ===', 'QU I\t\n', 'Q!', '', '  \n']) {
			assert.equal(PLAIN_BASE64.test(b), OLD_BASE64.test(b), JSON.stringify(b));
		}
		const OLD_LOOSE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))?(?:\s*@*)?\s*$/;
		for (const h of ['@@ -1 +1', '@@ -1,2 +3,4 @@', '@@ -1,2 +3,4 @', '@@ -1 +1 @@@  ', '@@ -1 +1 \t', '@@ -1 +1 @@ f()', '@@ -1 +1 x', '@@ -1']) {
			assert.deepEqual(exec(HUNK_HEADER_LOOSE, h), exec(OLD_LOOSE, h), h);
		}
	});
});
