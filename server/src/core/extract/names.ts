/*
 * Names of the API the extractor recognises: which callee is which kind of call, which
 * identifiers are worth recording for version checks, and how flag names look.
 */

import type { ApiCallKind } from './types';

const EXACT_KINDS: Record<string, ApiCallKind> = {
	migrate_vma_setup: 'setup',
	migrate_vma_pages: 'pages',
	migrate_vma_finalize: 'finalize',
	migrate_device_range: 'device-range',
	migrate_device_pfns: 'device-pfns',
	migrate_device_pages: 'device-pages',
	migrate_device_finalize: 'device-finalize',
	migrate_device_coherent_page: 'device-coherent',
	migrate_device_coherent_folio: 'device-coherent',
	migrate_vma: 'old-migrate-vma',
	migrate_hmm_range_setup: 'hmm-setup',
	hmm_range_fault: 'hmm-range-fault',
	mmu_interval_notifier_insert: 'notifier-insert',
	mmu_interval_notifier_insert_locked: 'notifier-insert',
	mmu_notifier_register: 'notifier-insert',
	mmu_interval_read_begin: 'notifier-begin',
	mmu_interval_read_retry: 'notifier-retry',
	mmu_interval_check_retry: 'notifier-retry',
	mmu_notifier_range_init: 'notifier-range-init',
	mmu_notifier_range_init_migrate: 'notifier-range-init',
	mmu_notifier_range_init_owner: 'notifier-range-init',
	migrate_pfn_to_page: 'pfn-to-page',
	migrate_pfn_to_folio: 'pfn-to-page',
	migrate_pfn: 'migrate-pfn',
	zone_device_page_init: 'device-page-init',
	zone_device_folio_init: 'device-page-init',
	lock_page: 'page-lock',
	trylock_page: 'page-lock',
	folio_lock: 'page-lock',
	folio_trylock: 'page-lock',
	unlock_page: 'page-unlock',
	folio_unlock: 'page-unlock',
	put_page: 'page-put',
	folio_put: 'page-put',
	dma_map_page: 'dma-map',
	dma_map_page_attrs: 'dma-map',
	dma_map_single: 'dma-map',
	dma_map_resource: 'dma-map',
	dma_map_pfn: 'dma-map',
	dma_map_sg: 'dma-map',
	dma_map_sgtable: 'dma-map',
	dma_unmap_page: 'dma-unmap',
	dma_unmap_page_attrs: 'dma-unmap',
	dma_unmap_single: 'dma-unmap',
	dma_unmap_resource: 'dma-unmap',
	copy_highpage: 'page-copy',
	copy_user_highpage: 'page-copy',
	folio_copy: 'page-copy',
	copy_page: 'page-copy',
	memcpy_to_page: 'page-copy',
	memcpy_from_page: 'page-copy',
	clear_highpage: 'page-zero',
	clear_page: 'page-zero',
	clear_user_highpage: 'page-zero',
	folio_zero_range: 'page-zero',
	folio_zero_user: 'page-zero',
	is_device_private_page: 'device-page-test',
	is_zone_device_page: 'device-page-test',
	is_device_coherent_page: 'device-page-test',
	folio_is_device_private: 'device-page-test',
	folio_is_zone_device: 'device-page-test',
	folio_is_device_coherent: 'device-page-test',
	is_pinnable_page: 'device-page-test',
	is_longterm_pinnable_page: 'device-page-test',
	folio_is_pinnable: 'device-page-test',
	folio_is_longterm_pinnable: 'device-page-test',
	memremap_pages: 'memremap',
	devm_memremap_pages: 'memremap',
	memunmap_pages: 'memremap',
	devm_memunmap_pages: 'memremap',
	kcalloc: 'array-alloc',
	kvcalloc: 'array-alloc',
	kmalloc_array: 'array-alloc',
	kvmalloc_array: 'array-alloc',
	kzalloc: 'array-alloc',
	kmalloc: 'array-alloc',
	kvzalloc: 'array-alloc',
	kvmalloc: 'array-alloc',
	vzalloc: 'array-alloc',
	vmalloc: 'array-alloc',
	vcalloc: 'array-alloc',
	vmalloc_array: 'array-alloc',
	vmalloc_array_noprof: 'array-alloc',
	kfree: 'array-free',
	kvfree: 'array-free',
	vfree: 'array-free',
};

/** Page allocators (the migrate_to_ram destination). */
const PAGE_ALLOCATORS = /^(alloc_page_vma|alloc_pages_vma|alloc_page|alloc_pages|alloc_pages_node|__alloc_pages|alloc_pages_mpol|folio_alloc|vma_alloc_folio|vma_alloc_zeroed_movable_folio|alloc_highpage|__page_cache_alloc)(_noprof)?$/;

/** GUP calls that pin (FOLL_PIN semantics). */
const PIN_CALLS = /^(pin_user_pages|pin_user_pages_fast|pin_user_pages_remote|pin_user_pages_unlocked|pin_user_page|pin_user_pages_fast_only|memfd_pin_folios|unpin_user_pages?(_dirty_lock)?)$/;
/** GUP calls that take references. */
const GUP_CALLS = /^(get_user_pages|get_user_pages_fast|get_user_pages_remote|get_user_pages_unlocked|get_user_pages_fast_only|get_user_page_vma_remote|__get_user_pages|__get_user_pages_locked|internal_get_user_pages_fast|__gup_longterm_locked)$/;

export function callKind(callee: string): ApiCallKind | undefined {
	const k = EXACT_KINDS[callee];
	if (k) {
		return k;
	}
	if (PAGE_ALLOCATORS.test(callee)) {
		return 'page-alloc';
	}
	if (PIN_CALLS.test(callee)) {
		return 'pin';
	}
	if (GUP_CALLS.test(callee)) {
		return 'gup';
	}
	return undefined;
}

/** Kinds that a migration "call site" consists of. */
export const SETUP_KINDS: ReadonlySet<ApiCallKind> = new Set<ApiCallKind>(['setup', 'device-range', 'device-pfns', 'old-migrate-vma', 'hmm-setup']);
export const PAGES_KINDS: ReadonlySet<ApiCallKind> = new Set<ApiCallKind>(['pages', 'device-pages']);
export const FINALIZE_KINDS: ReadonlySet<ApiCallKind> = new Set<ApiCallKind>(['finalize', 'device-finalize']);

/** Identifiers recorded for version checks (exact names). */
const API_IDENTIFIERS = new Set<string>([
	...Object.keys(EXACT_KINDS).filter((n) => !/^(k|kv|v)(m|z|c)?alloc|^k?v?free|^dma_|^lock_page|^unlock_page|^put_page|^folio_(put|lock|unlock|trylock)|^trylock_page|^copy_|^clear_|^memcpy/.test(n)),
	'src_owner', 'pgmap_owner', 'fault_page', 'migrate_pgmap_owner', 'dev_private_owner', 'cpages', 'npages',
	'alloc_and_copy', 'finalize_and_map', 'migrate_vma_ops', 'migrate_to_ram', 'page_free', 'folio_free', 'folio_split',
	'dev_pagemap_ops', 'dev_pagemap', 'migrate_vma', 'hmm_range', 'hmm_migrate', 'hmm_pfn_t', 'hmm_devmem', 'hmm_devmem_ops',
	'hmm_vma_fault', 'hmm_vma_get_pfns', 'hmm_mirror', 'hmm_mirror_register',
	'MMU_NOTIFY_MIGRATE', 'MMU_NOTIFY_EXCLUSIVE', 'make_device_exclusive_range', 'make_device_exclusive',
	'migrate_vma_direction', 'migrate_pfn_from_page', 'page_pgmap', 'pfn_swap_entry_to_page',
	'is_device_private_entry', 'is_device_exclusive_entry', 'device_private_entry_to_page',
	'FOLL_LONGTERM', 'FOLL_PIN', 'CONFIG_MIGRATE_VMA_HELPER', 'CONFIG_DEVICE_PRIVATE',
	'HMM_PFN_MIGRATE', 'HMM_PFN_COMPOUND',
]);

const API_PREFIXES = /^(MIGRATE_PFN_|MIGRATE_VMA_|MEMORY_DEVICE_|migrate_vma_|migrate_device_|HMM_PFN_|hmm_range_|zone_device_|mmu_notifier_range_init)/;

export function isApiIdentifier(name: string): boolean {
	return API_IDENTIFIERS.has(name) || API_PREFIXES.test(name);
}

/** Flag-like names in an expression text. */
const FLAG_NAME = /\b(MIGRATE_VMA_SELECT_\w+|MIGRATE_PFN_\w+|FOLL_\w+|__GFP_\w+|GFP_\w+|VM_FAULT_\w+|MEMORY_DEVICE_\w+|MMU_NOTIFY_\w+|HMM_PFN_\w+)\b/g;

export function flagNames(text: string): string[] {
	const out: string[] = [];
	for (const m of text.matchAll(FLAG_NAME)) {
		if (!out.includes(m[1]!)) {
			out.push(m[1]!);
		}
	}
	return out;
}

/** True when text is flag names (or 0 / parenthesised) joined by `|`. */
export function isPureFlagExpression(text: string): boolean {
	const t = text.replace(/[()\s]/g, '');
	if (t === '') {
		return false;
	}
	return t.split('|').every((p) => /^(MIGRATE_VMA_SELECT_\w+|MIGRATE_PFN_\w+|FOLL_\w+|__GFP_\w+|GFP_\w+|VM_FAULT_\w+|0)$/.test(p));
}

/** Names that test whether a page is device memory. */
export const DEVICE_TEST_CALLS = /^(is_device_private_page|is_zone_device_page|is_device_coherent_page|folio_is_device_private|folio_is_zone_device|folio_is_device_coherent)$/;

/** Fields of `struct migrate_vma` (all versions); used to recognise a struct whose declaration is not shown. */
export const MIGRATE_VMA_FIELDS = new Set(['vma', 'src', 'dst', 'cpages', 'npages', 'start', 'end', 'src_owner', 'pgmap_owner', 'flags', 'fault_page']);
/** Fields that only `struct migrate_vma` has (enough on their own to recognise it). */
export const MIGRATE_VMA_ONLY_FIELDS = new Set(['cpages', 'src_owner', 'pgmap_owner', 'fault_page']);

/**
 * Words without which a file's hunks cannot hold any fact the extractor reports (API names,
 * handler and notifier types, GUP, pagemaps, pfn arrays). Files without them are not parsed.
 */
const RELEVANT = /migrate|MIGRATE_|hmm_|HMM_|pagemap|pgmap|vm_fault|mmu_notifier|mmu_interval|MMU_NOTIFY|_user_page|FOLL_|zone_device|device_private|device_coherent|MEMORY_DEVICE|pinnable|_pfns\b/;

export function mentionsApi(text: string): boolean {
	return RELEVANT.test(text);
}

/**
 * Words without which a whole message can yield no fact and so no finding: the `RELEVANT` words
 * (a file is extracted only when its hunks mention one) and the API names rules read straight
 * from a diff's text. Whole-list readers (`migrate-lens check` on a large mbox) skip the bodies of
 * messages that mention none of them (`ParseOptions.skipUnlessWords`). A rule that starts reading
 * some other word from the raw diff must add it here.
 */
export const FACT_WORDS: RegExp = new RegExp(`${RELEVANT.source}|DEVICE_PRIVATE|DEVICE_COHERENT|ZONE_DEVICE|fault_page|src_owner|cpages|alloc_and_copy|finalize_and_map|page_free|folio_free|folio_split|pgmap_owner|longterm|LONGTERM`);

const isWordChar = (c: string): boolean => /\w/.test(c);

/** A `name (` found in text: the name, where it starts, and where its `(` is. */
export interface CallAt {
	name: string;
	index: number;
	paren: number;
}

/**
 * The first `name (` in `text` from `from` on: what `/([A-Za-z_]\w*)\s*\(/` finds, in one linear
 * pass. The regular expression backtracks quadratically over a long word that no `(` follows, and
 * hunks and mails may hold such words (a hostile or mangled line of 100 000 letters).
 */
export function firstCall(text: string, from = 0): CallAt | undefined {
	const n = text.length;
	let i = Math.max(0, from);
	while (i < n) {
		if (!isWordChar(text[i]!)) {
			i++;
			continue;
		}
		let end = i;
		let start = -1;
		while (end < n && isWordChar(text[end]!)) {
			if (start < 0 && !/\d/.test(text[end]!)) {
				start = end;
			}
			end++;
		}
		let k = end;
		while (k < n && /\s/.test(text[k]!)) {
			k++;
		}
		if (start >= 0 && text[k] === '(') {
			return { name: text.slice(start, end), index: start, paren: k };
		}
		i = end;
	}
	return undefined;
}
