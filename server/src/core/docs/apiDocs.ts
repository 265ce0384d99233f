/*
 * Hover prose for the identifiers of the device-memory migration API, in our own words (from
 * SEMANTICS.md). Versions, signatures and one-line summaries are NOT repeated here: they come from
 * model/versions.ts, the single source of truth; this file adds what a reviewer needs beyond the
 * summary and the rules that check the identifier's pitfalls.
 *
 * Keys are `parent::name` for members (`struct migrate_vma::flags`) and `name` for top-level
 * symbols, exactly as `docKey()` builds them from an ApiSymbol.
 *
 * EXTRA_SYMBOLS documents identifiers the version table does not model (hmm_range fields,
 * interval-notifier helpers, …); their hovers say that no version history is modelled.
 */
import { EMNE, EMVD, SDP, SDPO, SHR, SM, SMNR, SMO, type ApiSymbol } from '../model/versions';

export interface Pitfall {
	/** Rule id from the catalogue (DESIGN.md). */
	rule: string;
	/** What goes wrong, in one sentence. */
	text: string;
}

export interface ApiDoc {
	/** Paragraphs of markdown after the summary. */
	details: string;
	pitfalls?: Pitfall[];
}

/** The key of a symbol's entry in {@link API_DOCS}. */
export function docKey(sym: Pick<ApiSymbol, 'name' | 'parent'>): string {
	return sym.parent ? `${sym.parent}::${sym.name}` : sym.name;
}

const P = {
	setupUnchecked: { rule: 'setup-result-unchecked', text: 'the return value is ignored, so a rejected range (-EINVAL) is treated as migrated.' },
	finalizeMissing: { rule: 'finalize-missing', text: 'a path after a successful setup leaves without migrate_vma_finalize(): pages stay locked, isolated and behind migration entries, and CPU accesses hang.' },
	pagesMissing: { rule: 'pages-missing', text: 'destinations were filled but migrate_vma_pages() is never called before finalize, so nothing moves and finalize maps un-migrated pages.' },
	dstWithoutCheck: { rule: 'dst-without-migrate-check', text: 'a destination is allocated and stored for an entry without testing MIGRATE_PFN_MIGRATE in src first.' },
	migrateUnchecked: { rule: 'migrate-flag-unchecked', text: 'after migrate_vma_pages() the device mapping or commit is done without testing MIGRATE_PFN_MIGRATE per entry.' },
	srcModified: { rule: 'src-modified', text: 'the driver writes into src[] after setup; the core owns that array until finalize.' },
	chunkEnd: { rule: 'chunk-end-from-invariant', text: 'a chunked loop advances start but derives end from a value that does not move, so only the first chunk migrates.' },
	arraySize: { rule: 'pfn-array-size', text: 'src/dst must hold (end - start) >> PAGE_SHIFT unsigned longs; sizeof a pointer, a short count or a small on-stack array overflows or truncates.' },
	arrayAlloc: { rule: 'pfn-array-alloc-unchecked', text: 'the src/dst allocation is not checked for NULL before setup.' },
	cpages: { rule: 'cpages-as-success', text: 'cpages counts what setup selected (holes included), not what migrated; success is read per entry after migrate_vma_pages().' },
	selectFlags: { rule: 'missing-select-flags', text: 'on 5.9+ a struct without flags (0) collects only empty slots: present pages are silently left where they are.' },
	pgmapOwner: { rule: 'missing-pgmap-owner', text: 'without pgmap_owner no device page is selected, and the driver cannot recognise its own MMU_NOTIFY_MIGRATE invalidations.' },
	ownerMismatch: { rule: 'owner-mismatch', text: 'the owner given here is not the one the driver stores in dev_pagemap.owner, so its device pages are never selected.' },
	deviceAsSystem: { rule: 'device-private-source-as-system', text: 'when the selection can return device pages, the copy path must not DMA-map or address a source page as system memory.' },
	hmmOwner: { rule: 'hmm-range-owner-missing', text: 'an hmm_range without dev_private_owner makes hmm_range_fault() fault the driver\'s own device pages back to RAM (or fail).' },
	faultPage: { rule: 'fault-page-missing', text: 'on 6.1+ a migrate_to_ram() handler must pass fault_page = vmf->page, or the faulting page looks pinned and is never migrated.' },
	faultRelocked: { rule: 'fault-page-relocked', text: 'on 6.15+ the core already holds the faulting page locked; locking it again in the handler deadlocks.' },
	sigbus: { rule: 'migrate-to-ram-sigbus', text: 'returning VM_FAULT_SIGBUS for a recoverable condition (nothing selected, a race) kills the process instead of retrying the fault.' },
	notZeroed: { rule: 'migrate-to-ram-dst-not-zeroed', text: 'the system page allocated for migrate_to_ram() is not zeroed, so a failed device copy exposes stale memory to user space.' },
	selfInval: { rule: 'notifier-self-invalidation', text: 'the invalidate callback does not skip MMU_NOTIFY_MIGRATE events carrying the driver\'s own owner, so its own migrations tear down its mappings.' },
	longtermCoherent: { rule: 'longterm-pin-coherent', text: 'FOLL_LONGTERM on device-coherent memory migrates it to system RAM first (or fails with -EBUSY).' },
	pinBlocks: { rule: 'pin-blocks-migration', text: 'a page held by a GUP pin or reference fails migration silently: setup still returns 0 and the entry simply loses MIGRATE.' },
	notInKernel: { rule: 'api-not-in-kernel', text: 'the name does not exist in the target kernel; the finding names what that kernel has instead.' },
} satisfies Record<string, Pitfall>;

const EMT = 'enum memory_type';

export const API_DOCS: Readonly<Record<string, ApiDoc>> = Object.freeze({
	// ---- the three-step API --------------------------------------------------------------------
	migrate_vma_setup: {
		details: 'Hold the mm\'s mmap lock (read is enough) from setup until finalize; the whole `[start, end)` must lie inside `vma`. '
			+ 'The only error is -EINVAL: a NULL or special (VM_IO/VM_PFNMAP/…), hugetlb or DAX vma, a range shorter than a page or outside the vma, a NULL `src`/`dst`, and on 6.1+ a `fault_page` that is not device-private (6.15+: or not locked). '
			+ 'Everything else returns 0, even when nothing was selected: pinned pages, pages it could not lock and pages of another owner are simply left out (their `src[]` entry is 0).\n\n'
			+ 'After a 0 return, `src[i]` is 0 (not migrating), MIGRATE without VALID (an empty slot the driver may fill) or VALID|MIGRATE (a locked, unmapped page whose content is stable).',
		pitfalls: [P.setupUnchecked, P.finalizeMissing, P.cpages, P.selectFlags, P.arraySize, P.arrayAlloc, P.chunkEnd],
	},
	migrate_vma_pages: {
		details: 'Call it once the driver has copied the data and filled `dst[]`. An entry with an empty `dst` loses MIGRATE; so does one whose page gained a reference after setup, a page-cache page, or an empty slot the core cannot fill (non-anonymous vma, userfaultfd, charge failure). '
			+ 'Nothing is returned: success is `src[i] & MIGRATE_PFN_MIGRATE` afterwards, and only then may the driver point its own page tables at the new page.',
		pitfalls: [P.migrateUnchecked, P.pagesMissing, P.dstWithoutCheck],
	},
	migrate_vma_finalize: {
		details: 'Setup leaves pages locked, off the LRU, with extra references and with migration entries in the page table. Until finalize runs, CPU accesses to the range wait, reclaim cannot see the pages and references leak. '
			+ 'So every path after a successful setup must reach it, error paths included (skipping it is harmless only when `cpages` is 0).',
		pitfalls: [P.finalizeMissing, P.pagesMissing],
	},
	migrate_vma: {
		details: 'The driver\'s `alloc_and_copy` code corresponds to what now sits between `migrate_vma_setup()` and `migrate_vma_pages()`, and `finalize_and_map` to what sits between `migrate_vma_pages()` and `migrate_vma_finalize()`. '
			+ 'It returned 0 even when nothing migrated; -EINVAL for a bad vma or range. Compiled only with CONFIG_MIGRATE_VMA_HELPER.',
		pitfalls: [P.notInKernel],
	},
	[SMO]: {
		details: 'Only the pre-5.4 one-call `migrate_vma()` took it. A patch for 5.4 or later that still fills this table targets an API that no longer exists.',
		pitfalls: [P.notInKernel],
	},
	[`${SMO}::alloc_and_copy`]: {
		details: 'Called with the collected pages locked and unmapped. For every VALID|MIGRATE entry (and every MIGRATE-only empty slot) the driver could allocate, copy and store `migrate_pfn(new) | MIGRATE_PFN_LOCKED` in dst; for device→RAM it had to fill every entry or write MIGRATE_PFN_ERROR. It must never touch src.',
		pitfalls: [P.notInKernel, P.srcModified],
	},
	[`${SMO}::finalize_and_map`]: {
		details: 'Called after the core moved the page state: the driver reads which src entries kept MIGRATE and updates its page tables. It must not change src or dst.',
		pitfalls: [P.notInKernel, P.migrateUnchecked],
	},
	[SM]: {
		details: 'Zero the whole struct before filling it (`= { … }`, `= {}` or memset): fields the caller does not know about must be 0. '
			+ 'Inputs: `vma`, `start`, `end`, `src`, `dst`, and depending on the kernel `src_owner` (5.7–5.8), `flags` and `pgmap_owner` (5.9+), `fault_page` (6.1+). Outputs: `cpages`, `npages`, the contents of `src`.',
		pitfalls: [P.selectFlags, P.pgmapOwner, P.arraySize],
	},
	[`${SM}::vma`]: {
		details: 'Setup rejects (-EINVAL) a NULL vma, a hugetlb or DAX vma, and VM_SPECIAL vmas (VM_IO, VM_DONTEXPAND, VM_PFNMAP, VM_MIXEDMAP). A range that crosses into the next vma must be split by the caller.',
	},
	[`${SM}::src`]: {
		details: 'Setup clears and writes one entry per page: 0 (left out), MIGRATE without VALID (empty slot: hole or zero page), or `pfn << 6 | VALID | MIGRATE [| WRITE]` (a selected page). '
			+ '`migrate_vma_pages()` clears MIGRATE on entries that fail. Treat the array as read-only after setup (6.19+: the core itself rewrites entries when it splits a THP).',
		pitfalls: [P.srcModified, P.arraySize, P.arrayAlloc],
	},
	[`${SM}::dst`]: {
		details: 'For each entry the driver wants to migrate: a locked destination page as `migrate_pfn(page_to_pfn(page))` (plus MIGRATE_PFN_LOCKED before 5.16, MIGRATE_PFN_COMPOUND for a PMD-sized destination on 6.19+). '
			+ 'Leave 0 to skip an entry, except in a migrate_to_ram() handler, which must migrate the faulting page. Only entries whose src has MIGRATE may get a destination.',
		pitfalls: [P.dstWithoutCheck, P.arraySize, P.arrayAlloc],
	},
	[`${SM}::cpages`]: {
		details: 'Counts entries still carrying MIGRATE after setup, empty slots included. It is an upper bound: pages can still fail in `migrate_vma_pages()`. 0 means nothing is pending (finalize is then harmless to skip).',
		pitfalls: [P.cpages],
	},
	[`${SM}::npages`]: {
		details: 'Set by setup to the number of entries written; the arrays must be at least that long. Callers that reuse one struct across loop iterations rely on setup to reset it.',
	},
	[`${SM}::start`]: {
		details: 'Rounded down to a page boundary by setup (an unaligned start is not an error). Must lie inside the vma.',
		pitfalls: [P.chunkEnd],
	},
	[`${SM}::end`]: {
		details: 'The page count is computed from the raw `end - start` before rounding, so a range shorter than one page is rejected (-EINVAL). Must not go past `vma->vm_end`; a chunked loop must compute it from the moving start.',
		pitfalls: [P.chunkEnd, P.arraySize],
	},
	[`${SM}::src_owner`]: {
		details: 'The 5.7–5.8 selection switch: NULL migrated system pages and holes only; non-NULL migrated only the device-private pages of that owner and skipped every present system page. '
			+ 'In 5.9 it became `pgmap_owner` plus `flags`, which say the direction explicitly.',
		pitfalls: [P.notInKernel, P.pgmapOwner],
	},
	[`${SM}::pgmap_owner`]: {
		details: 'Device pages (private with MIGRATE_VMA_SELECT_DEVICE_PRIVATE, coherent with …_DEVICE_COHERENT) are selected only when their `dev_pagemap.owner` equals it. '
			+ 'It also travels with the MMU_NOTIFY_MIGRATE invalidation setup raises, so set it in both directions (even system→device) to recognise your own migrations in the notifier.',
		pitfalls: [P.pgmapOwner, P.ownerMismatch, P.selfInval],
	},
	[`${SM}::flags`]: {
		details: 'Any combination of MIGRATE_VMA_SELECT_SYSTEM, …_DEVICE_PRIVATE, …_DEVICE_COHERENT (6.0+) and …_COMPOUND (6.19+). The core does not validate it: 0 is accepted and collects only empty slots of an anonymous vma.',
		pitfalls: [P.selectFlags, P.deviceAsSystem],
	},
	[`${SM}::fault_page`]: {
		details: 'Set it to `vmf->page` in a migrate_to_ram() handler. The fault path holds an extra reference on that page (and from 6.15 its lock); without fault_page the core takes that reference for a pin and refuses to migrate the page, so the fault repeats.',
		pitfalls: [P.faultPage, P.faultRelocked],
	},

	// ---- migrate-pfn encoding ------------------------------------------------------------------------
	MIGRATE_PFN_VALID: { details: 'Without it `migrate_pfn_to_page()` returns NULL. A src entry with MIGRATE but not VALID is an empty slot: there is no source page, and the driver may supply a zeroed destination.' },
	MIGRATE_PFN_MIGRATE: {
		details: 'The per-entry verdict: set by setup on selected entries, cleared by setup\'s unmap step and by `migrate_vma_pages()` when an entry fails. Test it before giving an entry a destination and again before mapping the result.',
		pitfalls: [P.dstWithoutCheck, P.migrateUnchecked],
	},
	MIGRATE_PFN_LOCKED: {
		details: 'Drivers OR-ed it into every dst entry up to 5.15; the core never checked it. Since 5.16 collection keeps only pages it could lock, and the name is gone: code that still uses it does not compile.',
		pitfalls: [P.notInKernel],
	},
	MIGRATE_PFN_WRITE: { details: 'The CPU permission of the new mapping comes from the old migration entry (or from VM_WRITE for holes), not from this bit in dst.' },
	MIGRATE_PFN_DEVICE: { details: 'Bit 4 was reused in 6.19 for MIGRATE_PFN_COMPOUND.', pitfalls: [P.notInKernel] },
	MIGRATE_PFN_ERROR: { details: 'The pre-5.4 way for `alloc_and_copy` to say a device→RAM copy failed. Since 5.4 a migrate_to_ram() handler returns VM_FAULT_SIGBUS (only for unrecoverable device errors) instead.', pitfalls: [P.notInKernel] },
	MIGRATE_PFN_COMPOUND: { details: 'Arrays stay page-granular: the head slot carries the pfn and COMPOUND, the other 511 slots are 0. A driver that can only allocate base pages fills per-page dst entries without COMPOUND and the core splits the source.' },
	MIGRATE_PFN_DEVICE_PRIVATE: { details: 'Part of a proposal to take device-private memory out of the physical address space (device-private "pfns" would no longer be real pfns). Not merged in any modelled kernel.' },
	MIGRATE_PFN_SHIFT: { details: 'Has been 6 in every release (5 in the pre-merge HMM postings). Entries are `unsigned long`, so arrays of anything narrower are a bug.' },
	migrate_pfn: { details: 'The only correct way to build a dst entry (it sets VALID). Add MIGRATE_PFN_LOCKED only before 5.16 and MIGRATE_PFN_COMPOUND only for a PMD-sized destination on 6.19+.' },
	migrate_pfn_to_page: {
		details: 'NULL for empty slots and skipped entries, so check the result. With DEVICE_PRIVATE or DEVICE_COHERENT selection the page may be device memory: test `is_device_private_page()` / `is_zone_device_page()` before treating it as system RAM.',
		pitfalls: [P.deviceAsSystem],
	},
	migrate_pfn_from_page: { details: 'Would replace `migrate_pfn(page_to_pfn(page))` if device-private pages leave the physical address space. Not merged in any modelled kernel.' },

	// ---- selection ---------------------------------------------------------------------------------------
	[EMVD]: { details: 'Proposed in 2020 as a direction (`MIGRATE_VMA_FROM_*`); merged in 5.9 as a bit mask of which source pages setup may collect.' },
	[`${EMVD}::MIGRATE_VMA_SELECT_SYSTEM`]: {
		details: 'The system→device direction: anonymous pages (and written copies in private file mappings) can move; page-cache and shmem pages are collected but fail in `migrate_vma_pages()`. Swapped-out pages are never collected.',
		pitfalls: [P.selectFlags],
	},
	[`${EMVD}::MIGRATE_VMA_SELECT_DEVICE_PRIVATE`]: {
		details: 'The device→system direction (migrate_to_ram, eviction). Needs `pgmap_owner` equal to the pages\' `dev_pagemap.owner`; pages of another owner are never selected. Combined with SYSTEM, the copy path must tell the two kinds of source apart.',
		pitfalls: [P.pgmapOwner, P.ownerMismatch, P.deviceAsSystem],
	},
	[`${EMVD}::MIGRATE_VMA_SELECT_DEVICE_COHERENT`]: {
		details: 'Coherent device memory never faults, so moving it back to RAM needs an explicit migration with this flag and the owner (FOLL_LONGTERM pins do it implicitly).',
		pitfalls: [P.ownerMismatch, P.deviceAsSystem, P.longtermCoherent],
	},
	[`${EMVD}::MIGRATE_VMA_SELECT_COMPOUND`]: {
		details: 'Needs CONFIG_ARCH_ENABLE_THP_MIGRATION and a PMD-aligned range; otherwise units are split (or treated as single pages with a warning).',
	},
	[`${EMVD}::MIGRATE_VMA_FROM_SYSTEM`]: { details: 'A patch using this name was written against a review-time draft, not a released kernel.', pitfalls: [P.notInKernel] },
	[`${EMVD}::MIGRATE_VMA_FROM_DEVICE_PRIVATE`]: { details: 'A patch using this name was written against a review-time draft, not a released kernel.', pitfalls: [P.notInKernel] },
	hmm_migrate: { details: 'Early HMM postings only; the merged helper was migrate_vma() with migrate_vma_ops.', pitfalls: [P.notInKernel] },
	hmm_pfn_t: { details: 'Early HMM postings only; the merged encoding is the MIGRATE_PFN_* bits over `unsigned long`.', pitfalls: [P.notInKernel] },

	// ---- PFN-based helpers ---------------------------------------------------------------------------------
	migrate_device_range: {
		details: 'No vma: pages are found by pfn, free device pages are skipped, busy ones are trylocked and all their mappings are replaced by migration entries. Follow it with the copy, `migrate_device_pages()` and `migrate_device_finalize()`.',
		pitfalls: [P.finalizeMissing, P.pagesMissing],
	},
	migrate_device_pfns: {
		details: 'The caller fills `src_pfns` with pfns (not migrate-pfn entries); the function rewrites them in place as entries. Used by drm_pagemap eviction.',
		pitfalls: [P.finalizeMissing],
	},
	migrate_device_pages: { details: 'Same per-entry rules as migrate_vma_pages(): read success from MIGRATE afterwards.', pitfalls: [P.migrateUnchecked] },
	migrate_device_finalize: { details: 'Mandatory after migrate_device_range()/migrate_device_pfns(), like migrate_vma_finalize() after setup.', pitfalls: [P.finalizeMissing] },
	migrate_device_coherent_page: { details: 'Used by GUP for FOLL_LONGTERM on coherent memory; drivers do not normally call it. Large folios are not supported.', pitfalls: [P.longtermCoherent] },
	migrate_device_coherent_folio: { details: 'Used by GUP for FOLL_LONGTERM on coherent memory; drivers do not normally call it. Large folios are not supported.', pitfalls: [P.longtermCoherent] },
	migrate_hmm_range_setup: { details: 'Would let a driver start a migration from an hmm_range_fault() snapshot (`hmm_range->migrate`). Not in any modelled release: a patch using it depends on unmerged mm work.', pitfalls: [P.notInKernel] },
	[`${SHR}::HMM_PFN_MIGRATE`]: { details: 'Only meaningful with migrate_hmm_range_setup(); not in any modelled release.', pitfalls: [P.notInKernel] },
	[`${SHR}::HMM_PFN_COMPOUND`]: { details: 'Only meaningful with migrate_hmm_range_setup(); not in any modelled release.', pitfalls: [P.notInKernel] },

	// ---- dev_pagemap ------------------------------------------------------------------------------------------
	[SDP]: { details: 'A driver registers one (memremap_pages / devm_memremap_pages) per device-memory range, with `type` (MEMORY_DEVICE_PRIVATE or …_COHERENT), `ops` and, from 5.7, `owner`.' },
	[`${SDP}::owner`]: {
		details: 'The value the driver must also pass as `pgmap_owner` (src_owner on 5.7–5.8) when migrating its pages back, as `dev_private_owner` in its hmm_range, and compare against in its notifier. Several devices may share one owner (e.g. an XGMI hive).',
		pitfalls: [P.ownerMismatch, P.hmmOwner],
	},
	[SDPO]: { details: 'Before 5.3 device-memory faults went through the hmm_devmem fault callback instead.' },
	[`${SDPO}::migrate_to_ram`]: {
		details: 'Typical body: `vma = vmf->vma`, the faulting page\'s range, `flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE`, `pgmap_owner` = the driver\'s owner, `fault_page = vmf->page` (6.1+), a zeroed system destination, copy, pages, finalize. '
			+ 'If setup selected nothing (someone else migrated the page) return 0 so the fault is retried. VM_FAULT_OOM is fine when no page can be allocated. On 6.15+ the page arrives locked: do not lock it again.',
		pitfalls: [P.faultPage, P.faultRelocked, P.sigbus, P.notZeroed],
	},
	'struct hmm_devmem_ops': { details: 'HMM\'s own device-memory registration (hmm_devmem_add) carried these callbacks; 5.3 folded device memory into plain dev_pagemap with dev_pagemap_ops.', pitfalls: [P.notInKernel] },
	[`${SDPO}::page_free`]: { details: 'From 6.1 free device-private pages have refcount 0 and are handed out again with zone_device_page_init().' },
	[`${SDPO}::folio_free`]: { details: 'Receives large device-private folios on 6.19+, so driver bookkeeping must handle more than one page.' },
	[`${SDPO}::folio_split`]: { details: 'Partial unmap, mprotect or mremap of a PMD-mapped device-private folio splits it; the driver updates its per-page data here.' },
	'struct hmm_devmem_ops::fault': { details: 'A patch for 5.3 or later implements `dev_pagemap_ops.migrate_to_ram` instead.', pitfalls: [P.notInKernel] },
	page_pgmap: { details: 'Use it instead of reading `page->pgmap` directly on kernels that have it.' },

	[EMT]: { details: 'A dev_pagemap\'s `type`. The migration API deals with MEMORY_DEVICE_PRIVATE (not CPU-addressable) and MEMORY_DEVICE_COHERENT (CPU-addressable, 6.0+); fs-dax and p2p types never take part in migrate_vma.' },

	// ---- memory types -------------------------------------------------------------------------------------------
	[`${EMT}::MEMORY_DEVICE_PRIVATE`]: {
		details: 'Cannot be pinned: GUP faults such pages back to RAM first. Migrated in with SELECT_SYSTEM, out through migrate_to_ram() or SELECT_DEVICE_PRIVATE, evicted with migrate_device_range()/migrate_device_pfns().',
		pitfalls: [P.deviceAsSystem],
	},
	[`${EMT}::MEMORY_DEVICE_PUBLIC`]: { details: 'Had no in-tree users when it was removed.', pitfalls: [P.notInKernel] },
	[`${EMT}::MEMORY_DEVICE_COHERENT`]: {
		details: 'Only anonymous private memory can be migrated into it. Short-term pins are allowed; FOLL_LONGTERM makes GUP migrate the page to RAM first. Moving it back otherwise needs SELECT_DEVICE_COHERENT with the owner.',
		pitfalls: [P.longtermCoherent, P.deviceAsSystem],
	},

	// ---- page predicates and allocation ------------------------------------------------------------------------
	is_device_private_page: { details: 'The test a copy loop needs before DMA-mapping a source page when the selection includes DEVICE_PRIVATE: a device-private page has no CPU-addressable memory.', pitfalls: [P.deviceAsSystem] },
	is_device_public_page: { details: 'Gone with MEMORY_DEVICE_PUBLIC in 5.3.', pitfalls: [P.notInKernel] },
	is_device_coherent_page: { details: 'Coherent pages are CPU-addressable but belong to the device: a copy path should use the device address, not DMA-map them as RAM.', pitfalls: [P.deviceAsSystem] },
	is_zone_device_page: { details: 'Broader than the device-private test: also true for coherent, fs-dax and p2p pages.', pitfalls: [P.deviceAsSystem] },
	zone_device_page_init: { details: 'The destination page of a system→device migration must be locked; on 6.1+ this call returns it locked with one reference.' },
	zone_device_folio_init: { details: 'Used for PMD-sized device destinations (MIGRATE_PFN_COMPOUND).' },

	// ---- hmm_range ------------------------------------------------------------------------------------------------
	hmm_range_fault: {
		details: 'Run it inside an mmu_interval_read_begin()/mmu_interval_read_retry() loop. Device-private pages are reported as-is only when their owner equals `dev_private_owner`; any other device-private page is faulted back to RAM (or the call fails when faulting is not requested).',
		pitfalls: [P.hmmOwner],
	},
	[SHR]: {
		details: 'Filled by the driver before hmm_range_fault(): `notifier` and `notifier_seq` (from mmu_interval_read_begin()), `start`/`end`, `hmm_pfns`, `default_flags`/`pfn_flags_mask`, and `dev_private_owner` so the driver\'s own device-private pages are reported instead of faulted back.',
		pitfalls: [P.hmmOwner],
	},
	[`${SHR}::hmm_pfns`]: { details: 'Check each entry for HMM_PFN_VALID before mapping it; device-private pages of `dev_private_owner` come back as their device pfn.' },
	hmm_vma_fault: { details: 'Part of the early HMM mirror API.', pitfalls: [P.notInKernel] },
	[`${SHR}::dev_private_owner`]: {
		details: 'Set it to the same value as your `dev_pagemap.owner`. Left NULL, a GPU fault on memory the driver itself migrated to the device faults it back to RAM (or fails), which defeats the migration.',
		pitfalls: [P.hmmOwner],
	},

	// ---- notifiers ------------------------------------------------------------------------------------------------
	[EMNE]: { details: 'Read from `range->event` in an invalidate callback to decide whether an invalidation concerns the driver.' },
	[`${EMNE}::MMU_NOTIFY_UNMAP`]: { details: 'The mapping goes away for good: drop device mappings and stop using the range.' },
	[`${EMNE}::MMU_NOTIFY_CLEAR`]: { details: 'Before 5.9 migrate_vma raised this event too, so drivers could not tell their own migrations apart.' },
	[`${EMNE}::MMU_NOTIFY_PROTECTION_VMA`]: { details: 'Device mappings must follow the new protection.' },
	[`${EMNE}::MMU_NOTIFY_PROTECTION_PAGE`]: { details: 'Device mappings of those pages must follow the new protection.' },
	[`${EMNE}::MMU_NOTIFY_SOFT_DIRTY`]: { details: 'Device write access must be revoked so writes are tracked.' },
	[`${EMNE}::MMU_NOTIFY_RELEASE`]: { details: 'Everything device-side for this mm must be torn down.' },
	[`${EMNE}::MMU_NOTIFY_MIGRATE`]: {
		details: 'The usual skip test is `range->event == MMU_NOTIFY_MIGRATE && range->owner == <own owner>` (`migrate_pgmap_owner` on 5.9–5.13). A driver that skips must update its own device page tables for the pages it migrates.',
		pitfalls: [P.selfInval, P.pgmapOwner],
	},
	[`${EMNE}::MMU_NOTIFY_EXCLUSIVE`]: { details: 'Like MIGRATE, a driver can recognise its own exclusive-access requests by the owner.' },
	[SMNR]: { details: 'What an invalidate callback receives. `event` with the owner (`migrate_pgmap_owner` on 5.9–5.13, `owner` from 5.14) lets a driver recognise invalidations its own migrations caused.', pitfalls: [P.selfInval] },
	[`${SMNR}::event`]: { details: 'Compare against MMU_NOTIFY_MIGRATE together with the owner to skip self-inflicted invalidations.', pitfalls: [P.selfInval] },
	[`${SMNR}::migrate_pgmap_owner`]: { details: 'Code for 5.14+ reads `range->owner` instead.', pitfalls: [P.notInKernel, P.selfInval] },
	[`${SMNR}::owner`]: { details: 'Equal to the `pgmap_owner` of the migration that raised the invalidation; NULL when the migration did not set one.', pitfalls: [P.selfInval] },
	mmu_notifier_range_init: { details: 'Plain invalidations carry no owner; migration code uses the owner variant.' },
	mmu_notifier_range_init_migrate: { details: 'Renamed mmu_notifier_range_init_owner() in 5.14 when EXCLUSIVE also needed an owner.', pitfalls: [P.notInKernel] },
	mmu_notifier_range_init_owner: { details: 'The core uses it for migration (owner = pgmap_owner) and device-exclusive access.' },
	make_device_exclusive_range: { details: 'Raises MMU_NOTIFY_EXCLUSIVE with the owner passed in.' },
	make_device_exclusive: { details: 'Raises MMU_NOTIFY_EXCLUSIVE with the owner passed in.' },

	// ---- pinning -------------------------------------------------------------------------------------------------------
	FOLL_WRITE: { details: 'Faults pages in writable, so empty and zero-page slots get real pages before the pin.' },
	FOLL_LONGTERM: {
		details: 'GUP-fast refuses pages that are not long-term pinnable and the slow path migrates them first: device-coherent pages go to RAM (v6.0+), failing with -EBUSY if they cannot. A long-term pin on a system page makes every later migration of that page fail silently.',
		pitfalls: [P.longtermCoherent, P.pinBlocks],
	},
	FOLL_PIN: { details: 'Pinned pages have an elevated refcount, which setup\'s unmap step and migrate_vma_pages() read as "in use": the page is not migrated and no error is returned.', pitfalls: [P.pinBlocks] },
	get_user_pages_longterm: { details: 'Superseded by passing FOLL_LONGTERM to the regular GUP calls.', pitfalls: [P.notInKernel] },
	get_user_pages: { details: 'A reference taken here and still held when setup or migrate_vma_pages() runs makes that page fail to migrate.', pitfalls: [P.pinBlocks] },
	get_user_pages_fast: { details: 'A reference taken here and still held when setup or migrate_vma_pages() runs makes that page fail to migrate.', pitfalls: [P.pinBlocks] },
	get_user_pages_remote: { details: 'A reference taken here and still held when setup or migrate_vma_pages() runs makes that page fail to migrate.', pitfalls: [P.pinBlocks] },
	pin_user_pages: { details: 'Pinned pages are not migrated until unpin_user_pages(); with FOLL_LONGTERM device-coherent pages are moved to RAM first.', pitfalls: [P.pinBlocks, P.longtermCoherent] },
	pin_user_pages_fast: { details: 'Pinned pages are not migrated until unpinned.', pitfalls: [P.pinBlocks, P.longtermCoherent] },
	pin_user_pages_remote: { details: 'Pinned pages are not migrated until unpinned.', pitfalls: [P.pinBlocks, P.longtermCoherent] },
	unpin_user_page: { details: 'Until it runs, the page cannot migrate.' },
	unpin_user_pages: { details: 'Until it runs, the pages cannot migrate.' },
	is_pinnable_page: { details: 'Before 6.0 it did not exclude device-coherent pages, which is why FOLL_LONGTERM could pin them in place.', pitfalls: [P.longtermCoherent] },
	folio_is_pinnable: { details: 'Before 6.0 it did not exclude device-coherent folios.', pitfalls: [P.longtermCoherent] },
	is_longterm_pinnable_page: { details: 'False for device-coherent, CMA and ZONE_MOVABLE pages; the shared zero page is allowed.', pitfalls: [P.longtermCoherent] },
	folio_is_longterm_pinnable: { details: 'False for device-coherent, CMA and ZONE_MOVABLE folios (and FS-DAX around 6.15); the shared zero page is allowed.', pitfalls: [P.longtermCoherent] },

	// ---- fault codes -----------------------------------------------------------------------------------------------------
	VM_FAULT_SIGBUS: {
		details: 'From migrate_to_ram() it is a last resort for an unrecoverable device error. When setup selected nothing or lost a race, return 0 and let the fault retry.',
		pitfalls: [P.sigbus],
	},
	VM_FAULT_OOM: { details: 'The right answer from migrate_to_ram() when no system page can be allocated.' },
	VM_FAULT_RETRY: { details: 'The mmap lock was dropped; the fault will be retried.' },
	VM_FAULT_NOPAGE: { details: 'Nothing more for the fault path to install.' },
	VM_FAULT_MAJOR: { details: 'Accounting only.' },
	VM_FAULT_HWPOISON: { details: 'The access hits a poisoned page.' },
});

/**
 * Identifiers a reviewer meets around this API that the version table does not model. Their
 * hovers carry no version history.
 */
export interface ExtraSymbol {
	name: string;
	parent?: string;
	kind: 'field' | 'flag' | 'function' | 'callback';
	signature?: string;
	summary: string;
	pitfalls?: Pitfall[];
}

export const EXTRA_SYMBOLS: readonly ExtraSymbol[] = Object.freeze([
	{ name: 'notifier', parent: SHR, kind: 'field', summary: 'The mmu_interval_notifier whose sequence number guards this snapshot.' },
	{ name: 'notifier_seq', parent: SHR, kind: 'field', summary: 'The value of mmu_interval_read_begin() the snapshot is valid for; check it with mmu_interval_read_retry() under the driver lock before using the pfns.' },
	{ name: 'start', parent: SHR, kind: 'field', summary: 'First address of the snapshot.' },
	{ name: 'end', parent: SHR, kind: 'field', summary: 'End of the snapshot, exclusive.' },
	{ name: 'default_flags', parent: SHR, kind: 'field', summary: 'HMM_PFN_REQ_* requests applied to every page (fault in, require write).' },
	{ name: 'pfn_flags_mask', parent: SHR, kind: 'field', summary: 'Which bits of the per-page input entries are honoured as requests.' },
	{ name: 'HMM_PFN_VALID', kind: 'flag', summary: 'hmm_range_fault() output: the entry has a pfn.' },
	{ name: 'HMM_PFN_WRITE', kind: 'flag', summary: 'hmm_range_fault() output: the CPU mapping is writable.' },
	{ name: 'HMM_PFN_ERROR', kind: 'flag', summary: 'hmm_range_fault() output: the page cannot be accessed.' },
	{ name: 'HMM_PFN_REQ_FAULT', kind: 'flag', summary: 'hmm_range_fault() input: fault the page in if it is not present (device-private pages of another owner are migrated back).' },
	{ name: 'HMM_PFN_REQ_WRITE', kind: 'flag', summary: 'hmm_range_fault() input: require a writable mapping.' },
	{ name: 'type', parent: SDP, kind: 'field', summary: 'MEMORY_DEVICE_PRIVATE, MEMORY_DEVICE_COHERENT, … — decides how the pages are mapped and migrated.' },
	{ name: 'ops', parent: SDP, kind: 'field', summary: 'The dev_pagemap_ops (migrate_to_ram, page_free/folio_free, folio_split).' },
	{ name: 'invalidate', parent: 'struct mmu_interval_notifier_ops', kind: 'callback', signature: 'bool (*invalidate)(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq)',
		summary: 'Called before the CPU page table of the interval changes; the driver bumps the sequence and tears down its mappings — except for invalidations its own migrations raise.', pitfalls: [P.selfInval] },
	{ name: 'mmu_interval_notifier_insert', kind: 'function', summary: 'Registers an interval notifier over a range of an mm.' },
	{ name: 'mmu_interval_read_begin', kind: 'function', summary: 'Starts a read section for hmm_range_fault(); returns the sequence to store in `notifier_seq`.' },
	{ name: 'mmu_interval_read_retry', kind: 'function', summary: 'True when an invalidation ran since read_begin: the snapshot must be taken again.' },
	{ name: 'mmu_interval_set_seq', kind: 'function', summary: 'Called from the invalidate callback, under the driver lock, to publish the new sequence.' },
	{ name: 'alloc_page_vma', kind: 'function', summary: 'Allocates a system page for a vma address; in migrate_to_ram() ask for a zeroed page (__GFP_ZERO) or clear it.', pitfalls: [P.notZeroed] },
	{ name: 'dma_map_page', kind: 'function', summary: 'Maps a system page for device DMA. Never give it a device-private page: it has no CPU physical memory behind it.', pitfalls: [P.deviceAsSystem] },
] satisfies ExtraSymbol[]);
