/*
 * Random hunks of C-like text: extraction never throws, reports no problem, and every location
 * it gives lies inside the document on a line of the right kind.
 */
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ingestText } from '../../server/src/core/ingest/index';
import type { Extractor } from '../../server/src/core/extract/index';
import type { Loc } from '../../server/src/core/extract/types';
import { extractor } from '../fixtures/extract/helpers';

let ex: Extractor;
before(async () => {
	ex = await extractor();
});

const TOKENS = [
	'{', '}', '(', ')', ';', ',', '=', '|', '&', '!', '->', '.', '[', ']', '*', '"', '\'', '/*', '*/', '//', '#define X', '\\',
	'if', 'else', 'for', 'while', 'do', 'switch', 'case 1:', 'default:', 'break', 'continue', 'return', 'goto out', 'out:',
	'migrate_vma_setup(&args)', 'migrate_vma_pages(&args)', 'migrate_vma_finalize(&args)', 'args.src[i]', 'args->dst[i]',
	'MIGRATE_PFN_MIGRATE', 'MIGRATE_VMA_SELECT_SYSTEM', 'struct migrate_vma args', '.flags =', '.pgmap_owner =', 'migrate_pfn_to_page(x)',
	'struct vm_fault *vmf', 'vmf->page', 'range->event == MMU_NOTIFY_MIGRATE', 'kcalloc(n, sizeof(*args.src), GFP_KERNEL)', 'ret', 'i', '0', '\t',
];

const line = fc.array(fc.constantFrom(...TOKENS), { maxLength: 10 }).map((t) => t.join(' '));
const diffLine = fc.tuple(fc.constantFrom(' ', '+', '-'), line).map(([k, t]) => k + t);
const hunk = fc.tuple(fc.nat({ max: 200 }), fc.array(diffLine, { minLength: 1, maxLength: 25 }), fc.constantFrom('', ' int f(struct migrate_vma *args)', ' static const struct dev_pagemap_ops ops = {', ' out:')).map(([start, lines, section]) => {
	const old = lines.filter((l) => l[0] !== '+').length;
	const neu = lines.filter((l) => l[0] !== '-').length;
	return [`@@ -${start + 1},${old} +${start + 1},${neu} @@${section}`, ...lines];
});

function mailOf(hunks: string[][], quote: boolean): string {
	const body = ['---', 'diff --git a/d/gpux.c b/d/gpux.c', '--- a/d/gpux.c', '+++ b/d/gpux.c', ...hunks.flat()];
	return ['From: a@example.com', 'Subject: [PATCH] fuzz', '', ...(quote ? body.map((l) => '> ' + l) : body), ''].join('\n');
}

function locs(v: unknown, out: Loc[] = []): Loc[] {
	if (Array.isArray(v)) {
		for (const x of v) {
			locs(x, out);
		}
	} else if (v && typeof v === 'object') {
		if ('lineKind' in v && 'line' in v) {
			out.push(v as Loc);
		} else {
			for (const x of Object.values(v)) {
				locs(x, out);
			}
		}
	}
	return out;
}

describe('extract fuzz', () => {
	it('never throws and keeps every location inside the document', () => {
		fc.assert(fc.property(fc.array(hunk, { minLength: 1, maxLength: 4 }), fc.boolean(), (hunks, quote) => {
			const text = mailOf(hunks, quote);
			const docLines = text.split('\n');
			for (const m of ingestText(text).messages) {
				const f = ex.extractMessage(m);
				assert.deepEqual(f.problems, []);
				for (const l of locs(f.files)) {
					assert.ok(l.line >= 0 && l.line < docLines.length, `line ${l.line}`);
					assert.ok(l.endLine >= l.line && l.endLine < docLines.length);
					assert.ok(l.character >= 0 && l.character <= docLines[l.line]!.length);
					if (l.lineKind === '+' || l.lineKind === '-' || l.lineKind === ' ') {
						assert.equal(l.quoteDepth, quote ? 1 : 0);
						assert.ok(l.image === 'post' ? l.lineKind !== '-' : l.lineKind !== '+');
					}
				}
			}
		}), { numRuns: 150 });
	});
});
