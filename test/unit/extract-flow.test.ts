/*
 * Control flow after setup calls (extract/flow.ts, cfg.ts, evaluate.ts): failure branches in
 * their many spellings, reassigned result variables, loops, switch and goto, helpers that finish
 * the migration, gaps between stitched hunks, and how call results are used.
 */
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { ingestText } from '../../server/src/core/ingest/index';
import type { Extractor } from '../../server/src/core/extract/index';
import type { ExitPath, FunctionFacts, MessageFacts } from '../../server/src/core/extract/types';
import { extractor, fn, post } from '../fixtures/extract/helpers';

let ex: Extractor;
before(async () => {
	ex = await extractor();
});

/** A patch mail adding `code` as a new file. */
function newFile(code: string, file = 'drivers/gpu/drm/gpux/gpux_flow.c'): string {
	const lines = code.replace(/\n$/, '').split('\n');
	return [
		'From: Gpux Developer <dev@gpux.example>',
		'Subject: [PATCH] drm/gpux: flow test',
		'Date: Tue, 4 Mar 2025 10:00:00 +0100',
		'',
		'Test.',
		'---',
		`diff --git a/${file} b/${file}`,
		'new file mode 100644',
		'--- /dev/null',
		`+++ b/${file}`,
		`@@ -0,0 +1,${lines.length} @@`,
		...lines.map((l) => '+' + l),
		'',
	].join('\n');
}

function extract(mail: string): MessageFacts {
	return ex.extractMessage(ingestText(mail).messages[0]!);
}

function only(code: string, name: string): FunctionFacts {
	return fn(post(extract(newFile(code))), name);
}

function exits(f: FunctionFacts, i = 0): ExitPath[] {
	return f.setupFlows[i]!.exits;
}

const sig = (e: ExitPath): string => `${e.kind}${e.returnValue !== undefined ? ' ' + e.returnValue : ''}:${e.setupFailed ? 'F' : ''}${e.noPagesSelected ? 'Z' : ''}${e.pages ? 'P' : ''}${e.finalize ? 'N' : ''}`;

describe('extract flow: the setup-failed branch', () => {
	const cases: Array<[string, string]> = [
		['if (migrate_vma_setup(&args))', 'then'],
		['if (WARN_ON(migrate_vma_setup(&args)))', 'then'],
		['if (migrate_vma_setup(&args) < 0)', 'then'],
		['if (migrate_vma_setup(&args) != 0)', 'then'],
		['if (!migrate_vma_setup(&args) == 0)', 'then'],
		['if (migrate_vma_setup(&args) == 0)', 'else'],
		['if (!migrate_vma_setup(&args))', 'else'],
		['if (unlikely(migrate_vma_setup(&args) >= 0))', 'else'],
		// integer suffixes (the literal read up to them, as when they were cut off first)
		['if (migrate_vma_setup(&args) != 0UL)', 'then'],
		['if (migrate_vma_setup(&args) == 0x0ull)', 'else'],
		['if (migrate_vma_setup(&args) < 0l)', 'then'],
	];
	for (const [cond, failing] of cases) {
		it(`${cond}: the ${failing} branch is the failure`, () => {
			const f = only(`int f(struct vm_area_struct *vma)
{
	struct migrate_vma args = { .vma = vma };

	${cond}
		return 1;
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	return 2;
}
`, 'f');
			const e = exits(f).map(sig).sort();
			const expected = failing === 'then' ? ['return 1:F', 'return 2:PN'] : ['return 1:', 'return 2:FPN'];
			assert.deepEqual(e, expected.sort());
		});
	}

	it('follows the result through a variable, until the variable is assigned again', () => {
		const f = only(`int f(struct vm_area_struct *vma)
{
	struct migrate_vma args = { .vma = vma };
	int ret;

	ret = migrate_vma_setup(&args);
	if (ret)
		return ret;
	ret = copy_to_device(&args);
	if (ret)
		return ret;
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	return 0;
}
`, 'f');
		assert.deepEqual(exits(f).map(sig).sort(), ['return 0:PN', 'return ret:', 'return ret:F']);
		const failed = exits(f).find((e) => e.setupFailed)!;
		const unfinished = exits(f).find((e) => !e.setupFailed && !e.finalize)!;
		assert.ok(failed.loc.kernelLine! < unfinished.loc.kernelLine!);
		assert.deepEqual(unfinished.structPassedTo, ['copy_to_device']);
	});

	it('tells a cpages == 0 branch', () => {
		const f = only(`int f(struct migrate_vma *args)
{
	if (migrate_vma_setup(args))
		return -EINVAL;
	if (args->cpages == 0)
		return 0;
	migrate_vma_pages(args);
	migrate_vma_finalize(args);
	return 1;
}
`, 'f');
		assert.deepEqual(exits(f).map(sig).sort(), ['return -EINVAL:F', 'return 0:Z', 'return 1:PN']);
	});
});

describe('extract flow: loops, switch and goto', () => {
	it('ends a path at the next setup of a chunk loop', () => {
		const f = only(`void f(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct migrate_vma args = { .vma = vma };
	unsigned long addr;

	for (addr = start; addr < end; addr += SZ_2M) {
		args.start = addr;
		args.end = min(end, addr + SZ_2M);
		if (migrate_vma_setup(&args))
			continue;
		if (!args.cpages)
			break;
		migrate_vma_pages(&args);
		migrate_vma_finalize(&args);
	}
}
`, 'f');
		const e = exits(f).map(sig).sort();
		assert.deepEqual(e, ['end:F', 'end:PN', 'end:Z', 'next-setup:F', 'next-setup:PN']);
		const next = exits(f).find((x) => x.kind === 'next-setup')!;
		assert.equal(next.loc.lineKind, '+');
	});

	it('follows goto chains and switch cases, with the labels passed', () => {
		const f = only(`int f(struct migrate_vma *args, int mode)
{
	int ret = migrate_vma_setup(args);

	if (ret)
		goto out;
	switch (mode) {
	case 0:
		goto out_finalize;
	case 1:
		migrate_vma_pages(args);
		break;
	default:
		ret = -EINVAL;
		goto out;
	}
out_finalize:
	migrate_vma_finalize(args);
out:
	return ret;
}
`, 'f');
		const e = exits(f);
		assert.deepEqual(e.map(sig).sort(), ['return ret:', 'return ret:F', 'return ret:N', 'return ret:PN']);
		assert.deepEqual(e.find((x) => x.setupFailed)!.viaLabels, ['out']);
		assert.deepEqual(e.find((x) => x.finalize && !x.pages)!.viaLabels, ['out_finalize', 'out']);
	});

	it('knows helpers of the same file that do pages and finalize, through other helpers', () => {
		const file = post(extract(newFile(`static void finish(struct migrate_vma *m)
{
	migrate_vma_pages(m);
	migrate_vma_finalize(m);
}

static void copy_and_finish(struct gpux *g, struct migrate_vma *m)
{
	gpux_copy(g, m);
	finish(m);
}

int f(struct gpux *g, struct migrate_vma *args)
{
	if (migrate_vma_setup(args))
		return -EINVAL;
	copy_and_finish(g, args);
	return 0;
}
`)));
		const e = exits(fn(file, 'f'));
		assert.deepEqual(e.map(sig).sort(), ['return -EINVAL:F', 'return 0:PN']);
		assert.deepEqual(e.find((x) => x.finalize)!.structPassedTo, ['copy_and_finish']);
	});

	it('treats migrate_device_range like a setup and the device calls like pages/finalize', () => {
		const f = only(`void evict(unsigned long *src_pfns, unsigned long *dst_pfns, unsigned long pfn, unsigned long n)
{
	migrate_device_range(src_pfns, pfn, n);
	copy_back(src_pfns, dst_pfns, n);
	migrate_device_pages(src_pfns, dst_pfns, n);
	migrate_device_finalize(src_pfns, dst_pfns, n);
}
`, 'evict');
		assert.deepEqual(exits(f).map(sig), ['end:PN']);
		assert.deepEqual(f.arrays, []);
		assert.deepEqual(f.calls.map((c) => c.kind), ['device-range', 'device-pages', 'device-finalize']);
	});
});

describe('extract flow: how call results are used', () => {
	const use = (stmt: string): string => {
		const f = only(`int f(struct migrate_vma *args)
{
	int ret = 0;

	${stmt}
	return 0;
}
`, 'f');
		const c = f.calls.find((x) => x.kind === 'setup')!;
		return `${c.result.kind}${c.result.variable ? ':' + c.result.variable : ''}:${c.result.checked}`;
	};
	it('ignored, cast to void, assigned and never tested, assigned and overwritten', () => {
		assert.equal(use('migrate_vma_setup(args);'), 'ignored:false');
		assert.equal(use('(void)migrate_vma_setup(args);'), 'ignored:false');
		assert.equal(use('ret = migrate_vma_setup(args);'), 'assigned:ret:false');
		assert.equal(use('ret = migrate_vma_setup(args);\n\tret = 0;\n\tif (ret)\n\t\treturn ret;'), 'assigned:ret:false');
	});
	it('tested, returned, warned about, compared', () => {
		assert.equal(use('ret = migrate_vma_setup(args);\n\tif (ret)\n\t\treturn ret;'), 'assigned:ret:true');
		assert.equal(use('return migrate_vma_setup(args);'), 'returned:true');
		assert.equal(use('WARN_ON(migrate_vma_setup(args));'), 'other:true');
		assert.equal(use('if (migrate_vma_setup(args) < 0)\n\t\treturn -1;'), 'condition:true');
		assert.equal(use('ret = migrate_vma_setup(args);\n\treturn ret;'), 'assigned:ret:true');
	});
});

describe('extract flow: paths through lines the patch does not show', () => {
	it('marks exits reached across a gap between stitched hunks', () => {
		const mail = [
			'From: Gpux Developer <dev@gpux.example>',
			'Subject: [PATCH] drm/gpux: gap',
			'',
			'---',
			'diff --git a/drivers/gpu/drm/gpux/gpux_gap.c b/drivers/gpu/drm/gpux/gpux_gap.c',
			'--- a/drivers/gpu/drm/gpux/gpux_gap.c',
			'+++ b/drivers/gpu/drm/gpux/gpux_gap.c',
			'@@ -20,6 +20,7 @@ int gpux_gap(struct gpux *g, struct migrate_vma *args)',
			' \tint ret;',
			' ',
			' \tret = migrate_vma_setup(args);',
			'+\tWARN_ON(ret);',
			' \tif (ret)',
			' \t\treturn ret;',
			' \tgpux_prepare(g);',
			'@@ -40,5 +41,6 @@ int gpux_gap(struct gpux *g, struct migrate_vma *args)',
			' \tgpux_copy(g);',
			' \tmigrate_vma_pages(args);',
			'+\tgpux_map(g, args);',
			' \tmigrate_vma_finalize(args);',
			' \treturn 0;',
			' }',
			'',
		].join('\n');
		const f = fn(post(extract(mail)), 'gpux_gap');
		assert.equal(f.hasGaps, true);
		assert.equal(f.hasRealHeader, false);
		assert.equal(f.hasRealEnd, true);
		const e = exits(f);
		assert.deepEqual(e.map(sig).sort(), ['return 0:PN', 'return ret:F']);
		assert.equal(e.find((x) => x.finalize)!.throughGap, true);
		assert.equal(e.find((x) => x.setupFailed)!.throughGap, false);
		assert.deepEqual(f.afterPages[0]!.calls.map((c) => [c.callee, c.usesMigration]), [['gpux_map', true]]);
	});
});

describe('extract: handler details, flags through variables', () => {
	it('sees the fault page locked directly, through a folio, and through a local', () => {
		const f = only(`static vm_fault_t f(struct vm_fault *vmf)
{
	struct page *fp = vmf->page;
	struct migrate_vma args = { .vma = vmf->vma, .fault_page = fp };

	lock_page(vmf->page);
	folio_lock(page_folio(vmf->page));
	if (!trylock_page(fp))
		return VM_FAULT_RETRY;
	lock_page(args.dst_page);
	if (migrate_vma_setup(&args))
		return VM_FAULT_SIGBUS;
	unlock_page(fp);
	return 0;
}
`, 'f');
		const r = f.migrateToRam!;
		assert.deepEqual(r.faultPageLocks.map((l) => [l.callee, l.argText]), [['lock_page', 'vmf->page'], ['folio_lock', 'page_folio(vmf->page)'], ['trylock_page', 'fp']]);
		assert.deepEqual(r.faultPageUnlocks.map((l) => l.callee), ['unlock_page']);
		assert.equal(r.faultPage!.text, 'fp');
		assert.equal(r.inOpsTable, false);
		assert.deepEqual(r.returns.map((x) => [x.vmFault, x.afterSetupFailure]), [[['VM_FAULT_RETRY'], false], [['VM_FAULT_SIGBUS'], true], [[], false]]);
	});

	it('resolves FOLL flags and selection flags through locals and defines, and says when not exact', () => {
		const file = post(extract(newFile(`#define GPUX_PIN (FOLL_WRITE | FOLL_LONGTERM)

int pin(unsigned long a, struct page **p)
{
	unsigned int gup = GPUX_PIN;

	return pin_user_pages(a, 1, gup, p);
}

int get(unsigned long a, struct page **p)
{
	return get_user_pages_fast(a, 1, 0, p);
}

int go(struct gpux *g, struct vm_area_struct *vma)
{
	struct migrate_vma m = {
		.vma = vma,
		.flags = g->coherent ? MIGRATE_VMA_SELECT_DEVICE_COHERENT : MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
	};

	return migrate_vma_setup(&m);
}
`)));
		assert.deepEqual(fn(file, 'pin').calls[0]!.follFlags, ['FOLL_WRITE', 'FOLL_LONGTERM']);
		assert.equal(fn(file, 'get').calls[0]!.kind, 'gup');
		assert.deepEqual(fn(file, 'get').calls[0]!.follFlags, []);
		const flags = fn(file, 'go').structs[0]!.fields['flags']!;
		assert.deepEqual(flags.flags, ['MIGRATE_VMA_SELECT_DEVICE_COHERENT', 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE']);
		assert.equal(flags.flagsExact, false);
	});
});
