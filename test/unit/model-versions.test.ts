import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseKernel, type KernelVersion } from '../../server/src/core/model/kernel';
import {
	API_SYMBOLS, PFN_FLAG_BITS, SELECT_FLAG_BITS, decodeMigratePfn, decodeSelectFlags, existsIn, lookupSymbol, nameIn,
} from '../../server/src/core/model/versions';

const k = (s: string): KernelVersion => parseKernel(s)!;

describe('API_SYMBOLS table', () => {
	it('covers the identifiers of SEMANTICS.md', () => {
		const needed = [
			'migrate_vma_setup', 'migrate_vma_pages', 'migrate_vma_finalize', 'migrate_vma', 'struct migrate_vma_ops', 'alloc_and_copy', 'finalize_and_map',
			'vma', 'src', 'dst', 'cpages', 'npages', 'start', 'end', 'src_owner', 'pgmap_owner', 'flags', 'fault_page',
			'MIGRATE_PFN_VALID', 'MIGRATE_PFN_MIGRATE', 'MIGRATE_PFN_LOCKED', 'MIGRATE_PFN_WRITE', 'MIGRATE_PFN_DEVICE', 'MIGRATE_PFN_ERROR',
			'MIGRATE_PFN_COMPOUND', 'MIGRATE_PFN_SHIFT', 'MIGRATE_VMA_SELECT_SYSTEM', 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE',
			'MIGRATE_VMA_SELECT_DEVICE_COHERENT', 'MIGRATE_VMA_SELECT_COMPOUND', 'migrate_pfn', 'migrate_pfn_to_page',
			'migrate_device_range', 'migrate_device_pages', 'migrate_device_finalize', 'migrate_device_pfns',
			'migrate_device_coherent_page', 'migrate_device_coherent_folio', 'migrate_to_ram', 'page_free', 'folio_free', 'folio_split',
			'owner', 'dev_private_owner', 'hmm_range_fault', 'MMU_NOTIFY_MIGRATE', 'MMU_NOTIFY_CLEAR', 'MMU_NOTIFY_EXCLUSIVE',
			'migrate_pgmap_owner', 'mmu_notifier_range_init_owner', 'mmu_notifier_range_init_migrate',
			'FOLL_LONGTERM', 'FOLL_PIN', 'FOLL_WRITE', 'pin_user_pages', 'pin_user_pages_fast', 'get_user_pages',
			'is_pinnable_page', 'folio_is_pinnable', 'is_longterm_pinnable_page', 'folio_is_longterm_pinnable',
			'is_device_private_page', 'is_zone_device_page', 'is_device_coherent_page', 'zone_device_page_init',
			'VM_FAULT_SIGBUS', 'VM_FAULT_OOM', 'MEMORY_DEVICE_PRIVATE', 'MEMORY_DEVICE_COHERENT', 'MEMORY_DEVICE_PUBLIC',
			'make_device_exclusive_range', 'make_device_exclusive',
		];
		for (const name of needed) {
			assert.ok(lookupSymbol(name), name);
		}
	});
	it('every entry is well formed', () => {
		for (const s of API_SYMBOLS) {
			assert.ok(s.summary.length > 10, `${s.name} summary`);
			for (const key of ['since', 'until'] as const) {
				if (s[key] !== undefined) {
					assert.ok(parseKernel(s[key] as string), `${s.name}.${key}`);
				}
			}
			if (s.unreleased) {
				assert.equal(s.since, undefined, `${s.name}: unreleased names have no since`);
			} else {
				assert.ok(s.since, `${s.name}: since`);
			}
			for (const ref of [s.replacedBy, s.renamedFrom]) {
				if (ref !== undefined) {
					assert.ok(lookupSymbol(ref), `${s.name} refers to ${ref}`);
				}
			}
			if (s.bit !== undefined) {
				assert.equal(s.value, 1 << s.bit, `${s.name} value`);
			}
		}
	});
	it('lookupSymbol tells members of different structs apart', () => {
		assert.equal(lookupSymbol('owner', 'struct dev_pagemap')?.since, '5.7');
		assert.equal(lookupSymbol('owner', 'mmu_notifier_range')?.since, '5.14');
		assert.equal(lookupSymbol('src_owner', 'migrate_vma')?.parent, 'struct migrate_vma');
		assert.equal(lookupSymbol('src_owner', 'struct dev_pagemap'), undefined);
		assert.equal(lookupSymbol('migrate_vma')?.kind, 'function');
		assert.equal(lookupSymbol('struct migrate_vma')?.kind, 'type');
		assert.equal(lookupSymbol('no_such_thing'), undefined);
	});
});

describe('existsIn / nameIn', () => {
	it('src_owner exists on 5.8, not on 6.1 (pgmap_owner there)', () => {
		const so = lookupSymbol('src_owner')!;
		assert.equal(existsIn(so, k('5.8')), true);
		assert.equal(existsIn(so, k('5.6')), false);
		assert.equal(existsIn(so, k('6.1')), false);
		assert.deepEqual(nameIn('src_owner', k('5.8')), { exists: true, sym: so });
		const r = nameIn('src_owner', k('6.1'));
		assert.equal(r.exists, false);
		assert.equal(r.instead, 'pgmap_owner');
		assert.equal(nameIn('src_owner', k('5.4')).instead, undefined);
	});
	it('pgmap_owner on 5.8 is called src_owner there', () => {
		assert.deepEqual({ ...nameIn('pgmap_owner', k('5.8')), sym: undefined }, { exists: false, sym: undefined, instead: 'src_owner' });
		assert.equal(nameIn('pgmap_owner', k('5.9')).exists, true);
	});
	it('MIGRATE_PFN_LOCKED exists on 5.15, not on 5.16', () => {
		const l = lookupSymbol('MIGRATE_PFN_LOCKED')!;
		assert.equal(existsIn(l, k('5.15')), true);
		assert.equal(existsIn(l, k('5.16')), false);
		assert.equal(existsIn(l, k('4.14')), true);
		const r = nameIn('MIGRATE_PFN_LOCKED', k('5.16'));
		assert.equal(r.exists, false);
		assert.equal(r.instead, undefined);
	});
	it('follows renames forward and backward', () => {
		assert.equal(nameIn('migrate_pgmap_owner', k('6.1'), 'struct mmu_notifier_range').instead, 'owner');
		assert.equal(nameIn('owner', k('5.10'), 'struct mmu_notifier_range').instead, 'migrate_pgmap_owner');
		assert.equal(nameIn('mmu_notifier_range_init_migrate', k('5.14')).instead, 'mmu_notifier_range_init_owner');
		assert.equal(nameIn('folio_free', k('6.8')).instead, 'page_free');
		assert.equal(nameIn('page_free', k('6.19')).instead, 'folio_free');
		assert.equal(nameIn('migrate_device_coherent_page', k('6.12')).instead, 'migrate_device_coherent_folio');
		assert.equal(nameIn('migrate_device_coherent_folio', k('6.5')).instead, 'migrate_device_coherent_page');
		assert.equal(nameIn('is_pinnable_page', k('6.1')).instead, 'is_longterm_pinnable_page');
		assert.equal(nameIn('migrate_vma', k('5.4')).instead, 'migrate_vma_setup');
		assert.equal(nameIn('migrate_vma_setup', k('5.3')).instead, 'migrate_vma');
	});
	it('fields and flags appear in their release', () => {
		const at = (name: string, v: string) => nameIn(name, k(v)).exists;
		assert.equal(at('fault_page', '6.0'), false);
		assert.equal(at('fault_page', '6.1'), true);
		assert.equal(at('MIGRATE_VMA_SELECT_DEVICE_COHERENT', '5.19'), false);
		assert.equal(at('MIGRATE_VMA_SELECT_DEVICE_COHERENT', '6.0'), true);
		assert.equal(at('MIGRATE_VMA_SELECT_COMPOUND', '6.18'), false);
		assert.equal(at('MIGRATE_VMA_SELECT_COMPOUND', '6.19'), true);
		assert.equal(at('MIGRATE_PFN_DEVICE', '5.3'), true);
		assert.equal(at('MIGRATE_PFN_DEVICE', '5.4'), false);
		assert.equal(at('migrate_device_pfns', '6.14'), false);
		assert.equal(at('migrate_device_pfns', '6.15'), true);
		assert.equal(at('flags', '5.8'), false);
		assert.equal(at('MMU_NOTIFY_MIGRATE', '5.9'), true);
		assert.equal(at('MMU_NOTIFY_MIGRATE', '5.8'), false);
	});
	it('names that never shipped exist nowhere and say what shipped', () => {
		for (const v of ['5.9', '6.19', '7.0']) {
			const r = nameIn('MIGRATE_VMA_FROM_SYSTEM', k(v));
			assert.equal(r.exists, false);
			assert.equal(r.instead, 'MIGRATE_VMA_SELECT_SYSTEM');
		}
		assert.equal(nameIn('migrate_hmm_range_setup', k('7.0')).exists, false);
		assert.equal(nameIn('MIGRATE_PFN_DEVICE_PRIVATE', k('7.0')).exists, false);
	});
	it('an unknown name is reported as not existing, without a symbol', () => {
		assert.deepEqual(nameIn('frobnicate', k('6.1')), { exists: false });
	});
});

describe('decodeMigratePfn / decodeSelectFlags', () => {
	it('splits pfn and flags by kernel', () => {
		const e = (0x1234n << 6n) | 0b001011n; // VALID | MIGRATE | WRITE
		assert.deepEqual(decodeMigratePfn(e, k('6.1')), { pfn: 0x1234n, flags: ['VALID', 'MIGRATE', 'WRITE'] });
		const locked = (7n << 6n) | 0b000111n;
		assert.deepEqual(decodeMigratePfn(locked, k('5.15')).flags, ['VALID', 'MIGRATE', 'LOCKED']);
		assert.deepEqual(decodeMigratePfn(locked, k('5.16')).flags, ['VALID', 'MIGRATE', 'BIT2']);
	});
	it('gives bit 4 and bit 5 their era meaning', () => {
		const v = 0b110011;
		assert.deepEqual(decodeMigratePfn(v, k('5.3')).flags, ['VALID', 'MIGRATE', 'DEVICE', 'ERROR']);
		assert.deepEqual(decodeMigratePfn(v, k('6.8')).flags, ['VALID', 'MIGRATE', 'BIT4', 'BIT5']);
		assert.deepEqual(decodeMigratePfn(v, k('6.19')).flags, ['VALID', 'MIGRATE', 'COMPOUND', 'BIT5']);
	});
	it('takes numbers and 64-bit values, never throws', () => {
		assert.deepEqual(decodeMigratePfn(0x43, k('6.1')), { pfn: 1n, flags: ['VALID', 'MIGRATE'] });
		const big = decodeMigratePfn(0xffffffffffffffc1n, k('6.1'));
		assert.equal(big.pfn, (1n << 58n) - 1n);
		assert.deepEqual(big.flags, ['VALID']);
		assert.deepEqual(decodeMigratePfn(-1n, k('6.1')).pfn, (1n << 58n) - 1n);
		assert.deepEqual(decodeMigratePfn(Number.NaN, k('6.1')), { pfn: 0n, flags: [] });
	});
	it('decodes selection flags by kernel', () => {
		assert.deepEqual(decodeSelectFlags(3, k('5.9')), ['SYSTEM', 'DEVICE_PRIVATE']);
		assert.deepEqual(decodeSelectFlags(7, k('5.19')), ['SYSTEM', 'DEVICE_PRIVATE', 'BIT2']);
		assert.deepEqual(decodeSelectFlags(7, k('6.0')), ['SYSTEM', 'DEVICE_PRIVATE', 'DEVICE_COHERENT']);
		assert.deepEqual(decodeSelectFlags(9, k('6.19')), ['SYSTEM', 'COMPOUND']);
		assert.deepEqual(decodeSelectFlags(1, k('5.8')), ['BIT0']);
		assert.deepEqual(decodeSelectFlags(0, k('6.1')), []);
		assert.deepEqual(decodeSelectFlags(-1, k('6.1')), []);
	});
	it('the bit tables come from API_SYMBOLS', () => {
		assert.deepEqual(SELECT_FLAG_BITS.map((b) => `${b.name}=${b.bit}`), ['SYSTEM=0', 'DEVICE_PRIVATE=1', 'DEVICE_COHERENT=2', 'COMPOUND=3']);
		assert.ok(PFN_FLAG_BITS.some((b) => b.name === 'COMPOUND' && b.bit === 4));
		assert.ok(PFN_FLAG_BITS.some((b) => b.name === 'DEVICE' && b.bit === 4));
	});
});
