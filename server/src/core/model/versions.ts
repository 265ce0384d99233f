/*
 * The one source of truth for which identifier of the device-memory migration API exists in
 * which kernel (SEMANTICS.md §1, §2, §6–§8). Rules, hovers, the simulator and the decoders all
 * read this table. Summaries are our own words.
 *
 * `since` / `until` are inclusive kernel versions (`until` = the last kernel that has it).
 * `unreleased: true` marks names seen only in postings or in the mm tree: they exist in no
 * modelled release, and `replacedBy` then names what shipped instead (if anything).
 * Confidence: V verified, D derived, U uncertain (SEMANTICS.md legend).
 */
import { type KernelVersion, cmpKernel, parseKernel } from './kernel';

export type ApiKind =
	| 'function' | 'field' | 'flag' | 'pfn-flag' | 'enum' | 'notifier-event' | 'notifier-field'
	| 'pagemap-op' | 'fault-code' | 'gup-flag' | 'type' | 'memory-type' | 'callback';

export interface ApiSymbol {
	name: string;
	kind: ApiKind;
	/** The containing struct/enum, e.g. `struct migrate_vma`. */
	parent?: string;
	since?: string;
	/** The last kernel that has it. */
	until?: string;
	replacedBy?: string;
	renamedFrom?: string;
	signature?: string;
	value?: number;
	confidence: 'V' | 'D' | 'U';
	summary: string;
	/** Seen in postings or a development tree only: exists in no modelled release. */
	unreleased?: boolean;
	/** For a bit flag: its bit number (value === 1 << bit). */
	bit?: number;
}

/** Parent names of struct members and enum constants, shared with the hover docs. */
export const SM = 'struct migrate_vma';
export const SMO = 'struct migrate_vma_ops';
export const SDP = 'struct dev_pagemap';
export const SDPO = 'struct dev_pagemap_ops';
export const SHR = 'struct hmm_range';
export const SMNR = 'struct mmu_notifier_range';
export const EMVD = 'enum migrate_vma_direction';
export const EMNE = 'enum mmu_notifier_event';
const EMT = 'enum memory_type';

function s(sym: ApiSymbol): ApiSymbol {
	return Object.freeze(sym);
}

export const API_SYMBOLS: readonly ApiSymbol[] = Object.freeze([
	// ---- The three-step API (5.4+) and its pre-5.4 predecessor --------------------------------
	s({ name: 'migrate_vma_setup', kind: 'function', since: '5.4', confidence: 'V', signature: 'int migrate_vma_setup(struct migrate_vma *args)',
		summary: 'First step of a device migration: checks the arguments (only -EINVAL can come back), walks the range, and locks, unmaps and isolates every page it selects. src[] and cpages describe the selection.' }),
	s({ name: 'migrate_vma_pages', kind: 'function', since: '5.4', confidence: 'V', signature: 'void migrate_vma_pages(struct migrate_vma *migrate)',
		summary: 'Second step: for every entry that still has MIGRATE and a destination in dst[], moves the struct page state to the new page (or inserts it into an empty slot). Entries that fail lose MIGRATE in src[]; read success per entry afterwards.' }),
	s({ name: 'migrate_vma_finalize', kind: 'function', since: '5.4', confidence: 'V', signature: 'void migrate_vma_finalize(struct migrate_vma *migrate)',
		summary: 'Last step, mandatory after every successful setup: replaces migration entries with mappings of the new page (success) or the old one (failure), unlocks and releases both pages.' }),
	s({ name: 'migrate_vma', kind: 'function', since: '4.14', until: '5.3', replacedBy: 'migrate_vma_setup', confidence: 'V',
		signature: 'int migrate_vma(const struct migrate_vma_ops *ops, struct vm_area_struct *vma, unsigned long start, unsigned long end, unsigned long *src, unsigned long *dst, void *private)',
		summary: 'The original one-call migration helper: collects, locks and unmaps the range, then calls ops->alloc_and_copy and ops->finalize_and_map. Replaced in 5.4 by migrate_vma_setup/pages/finalize.' }),
	s({ name: 'struct migrate_vma_ops', kind: 'type', since: '4.14', until: '5.3', replacedBy: 'struct migrate_vma', confidence: 'V',
		summary: 'Callback table of the pre-5.4 migrate_vma(): alloc_and_copy and finalize_and_map.' }),
	s({ name: 'alloc_and_copy', kind: 'callback', parent: SMO, since: '4.14', until: '5.3', replacedBy: 'migrate_vma_setup', confidence: 'V',
		summary: 'Pre-5.4 callback run after collection: the driver allocates destinations, copies, and fills dst[] (with MIGRATE_PFN_LOCKED). Its code now sits between migrate_vma_setup() and migrate_vma_pages().' }),
	s({ name: 'finalize_and_map', kind: 'callback', parent: SMO, since: '4.14', until: '5.3', replacedBy: 'migrate_vma_pages', confidence: 'V',
		summary: 'Pre-5.4 callback run after the core moved page state: the driver reads which src[] entries kept MIGRATE and updates its page tables. Its code now sits between migrate_vma_pages() and migrate_vma_finalize().' }),
	s({ name: 'struct migrate_vma', kind: 'type', since: '5.4', confidence: 'V',
		summary: 'Argument block of the three-step API (public in include/linux/migrate.h since 5.4; private to mm/migrate.c before).' }),

	// ---- struct migrate_vma fields ----------------------------------------------------------
	s({ name: 'vma', kind: 'field', parent: SM, since: '5.4', confidence: 'V', summary: 'The single vma the whole range must lie in.' }),
	s({ name: 'src', kind: 'field', parent: SM, since: '5.4', confidence: 'V', summary: 'Array of (end-start)>>PAGE_SHIFT migrate-pfn entries written by setup; the caller must not change it.' }),
	s({ name: 'dst', kind: 'field', parent: SM, since: '5.4', confidence: 'V', summary: 'Array of destination entries the driver fills (migrate_pfn(pfn) of a locked page) between setup and migrate_vma_pages(); 0 skips an entry.' }),
	s({ name: 'cpages', kind: 'field', parent: SM, since: '5.4', confidence: 'V', summary: 'Output: how many entries were selected (holes and zero-page slots included). An upper bound, not a success count.' }),
	s({ name: 'npages', kind: 'field', parent: SM, since: '5.4', confidence: 'V', summary: 'Output: how many src entries setup wrote.' }),
	s({ name: 'start', kind: 'field', parent: SM, since: '5.4', confidence: 'V', summary: 'First address of the range (rounded down to a page).' }),
	s({ name: 'end', kind: 'field', parent: SM, since: '5.4', confidence: 'V', summary: 'End of the range, exclusive (rounded down to a page).' }),
	s({ name: 'src_owner', kind: 'field', parent: SM, since: '5.7', until: '5.8', replacedBy: 'pgmap_owner', confidence: 'V',
		summary: '5.7–5.8 only: NULL selects system pages and holes; non-NULL selects only device-private pages whose dev_pagemap.owner equals it. Renamed pgmap_owner (with flags) in 5.9.' }),
	s({ name: 'pgmap_owner', kind: 'field', parent: SM, since: '5.9', renamedFrom: 'src_owner', confidence: 'V',
		summary: 'Owner cookie compared with dev_pagemap.owner of device pages, and passed to MMU notifiers so the driver can ignore its own invalidations.' }),
	s({ name: 'flags', kind: 'field', parent: SM, since: '5.9', confidence: 'V',
		summary: 'MIGRATE_VMA_SELECT_* filter of which source pages are collected. Not validated; 0 collects only holes.' }),
	s({ name: 'fault_page', kind: 'field', parent: SM, since: '6.1', confidence: 'V',
		summary: 'The device-private page a migrate_to_ram() handler was called for. Lets the core account for the fault path\'s extra reference (and, from 6.15, its page lock). Must be device-private (and locked from 6.15) or setup returns -EINVAL.' }),

	// ---- migrate-pfn encoding -------------------------------------------------------------------
	s({ name: 'MIGRATE_PFN_VALID', kind: 'pfn-flag', since: '4.14', value: 1, bit: 0, confidence: 'V', summary: 'The entry carries a pfn.' }),
	s({ name: 'MIGRATE_PFN_MIGRATE', kind: 'pfn-flag', since: '4.14', value: 2, bit: 1, confidence: 'V', summary: 'In src: the entry is selected and, after migrate_vma_pages(), migrated. Without VALID it is an empty slot.' }),
	s({ name: 'MIGRATE_PFN_LOCKED', kind: 'pfn-flag', since: '4.14', until: '5.15', value: 4, bit: 2, confidence: 'V',
		summary: 'Up to 5.15: in src, collection took the page lock; in dst, the driver states the new page is locked. Removed in 5.16 (collection keeps only locked pages).' }),
	s({ name: 'MIGRATE_PFN_WRITE', kind: 'pfn-flag', since: '4.14', value: 8, bit: 3, confidence: 'V', summary: 'In src: the old mapping was writable. In dst: a driver convention only.' }),
	s({ name: 'MIGRATE_PFN_DEVICE', kind: 'pfn-flag', since: '4.14', until: '5.3', value: 16, bit: 4, confidence: 'V', summary: 'Up to 5.3: the src entry is a device page. Removed in 5.4.' }),
	s({ name: 'MIGRATE_PFN_ERROR', kind: 'pfn-flag', since: '4.14', until: '5.3', value: 32, bit: 5, confidence: 'V', summary: 'Up to 5.3: written into dst when a device→RAM copy failed; CPU access then gets SIGBUS. Removed in 5.4.' }),
	s({ name: 'MIGRATE_PFN_COMPOUND', kind: 'pfn-flag', since: '6.19', value: 16, bit: 4, confidence: 'V', summary: 'From 6.19: head entry of a PMD-sized unit (src or dst); the following 511 slots are 0.' }),
	s({ name: 'MIGRATE_PFN_DEVICE_PRIVATE', kind: 'pfn-flag', unreleased: true, value: 32, bit: 5, confidence: 'V', summary: 'Proposed in 2026 (not in a release): marks a pfn that belongs to a device-private page.' }),
	s({ name: 'MIGRATE_PFN_SHIFT', kind: 'pfn-flag', since: '4.14', value: 6, confidence: 'V', summary: 'The pfn sits above the flag bits: entry = pfn << 6 | flags.' }),
	s({ name: 'migrate_pfn', kind: 'function', since: '4.14', confidence: 'V', signature: 'unsigned long migrate_pfn(unsigned long pfn)', summary: 'Builds an entry from a pfn: pfn << MIGRATE_PFN_SHIFT | MIGRATE_PFN_VALID.' }),
	s({ name: 'migrate_pfn_to_page', kind: 'function', since: '4.14', confidence: 'V', signature: 'struct page *migrate_pfn_to_page(unsigned long mpfn)', summary: 'The page of an entry, or NULL when VALID is not set (holes, zero-page slots, skipped entries).' }),
	s({ name: 'migrate_pfn_from_page', kind: 'function', unreleased: true, replacedBy: 'migrate_pfn', confidence: 'V', summary: 'Proposed in 2026 (not in a release): builds an entry from a page, tagging device-private pages.' }),

	// ---- selection flags ------------------------------------------------------------------------
	s({ name: 'enum migrate_vma_direction', kind: 'type', since: '5.9', confidence: 'V', summary: 'The MIGRATE_VMA_SELECT_* bits (despite the name, a filter of source pages, not a direction).' }),
	s({ name: 'MIGRATE_VMA_SELECT_SYSTEM', kind: 'flag', parent: EMVD, since: '5.9', value: 1, bit: 0, confidence: 'V', summary: 'Collect ordinary system pages and zero-page mappings.' }),
	s({ name: 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE', kind: 'flag', parent: EMVD, since: '5.9', value: 2, bit: 1, confidence: 'V', summary: 'Collect device-private pages whose owner equals pgmap_owner.' }),
	s({ name: 'MIGRATE_VMA_SELECT_DEVICE_COHERENT', kind: 'flag', parent: EMVD, since: '6.0', value: 4, bit: 2, confidence: 'V', summary: 'Collect device-coherent pages whose owner equals pgmap_owner.' }),
	s({ name: 'MIGRATE_VMA_SELECT_COMPOUND', kind: 'flag', parent: EMVD, since: '6.19', value: 8, bit: 3, confidence: 'V', summary: 'Collect PMD-sized units (THPs, device-private THPs, empty aligned PMDs) as one COMPOUND entry instead of splitting them.' }),
	s({ name: 'MIGRATE_VMA_FROM_SYSTEM', kind: 'flag', parent: EMVD, unreleased: true, replacedBy: 'MIGRATE_VMA_SELECT_SYSTEM', confidence: 'V', summary: 'A 2020 review-time name for the system selection; shipped as MIGRATE_VMA_SELECT_SYSTEM.' }),
	s({ name: 'MIGRATE_VMA_FROM_DEVICE_PRIVATE', kind: 'flag', parent: EMVD, unreleased: true, replacedBy: 'MIGRATE_VMA_SELECT_DEVICE_PRIVATE', confidence: 'V', summary: 'A 2020 review-time name; shipped as MIGRATE_VMA_SELECT_DEVICE_PRIVATE.' }),
	s({ name: 'hmm_migrate', kind: 'function', unreleased: true, replacedBy: 'migrate_vma', confidence: 'V', summary: 'HMM v15 (2017) posting name; what shipped in 4.14 was migrate_vma().' }),
	s({ name: 'hmm_pfn_t', kind: 'type', unreleased: true, replacedBy: 'MIGRATE_PFN_VALID', confidence: 'V', summary: 'HMM v15 (2017) posting type; what shipped was the MIGRATE_PFN_* encoding.' }),

	// ---- PFN-based helpers (no vma) ---------------------------------------------------------------
	s({ name: 'migrate_device_range', kind: 'function', since: '6.1', confidence: 'V', signature: 'int migrate_device_range(unsigned long *src_pfns, unsigned long start, unsigned long npages)',
		summary: 'Selects a contiguous range of device pfns (in-use, lockable pages only) and unmaps all their users; used to evict device memory.' }),
	s({ name: 'migrate_device_pfns', kind: 'function', since: '6.15', confidence: 'D', signature: 'int migrate_device_pfns(unsigned long *src_pfns, unsigned long npages)',
		summary: 'Like migrate_device_range() for a caller-filled, non-contiguous pfn array.' }),
	s({ name: 'migrate_device_pages', kind: 'function', since: '6.1', confidence: 'V', signature: 'void migrate_device_pages(unsigned long *src_pfns, unsigned long *dst_pfns, unsigned long npages)',
		summary: 'migrate_vma_pages() without a vma: no holes; a COMPOUND source with base destinations fails instead of splitting.' }),
	s({ name: 'migrate_device_finalize', kind: 'function', since: '6.1', confidence: 'V', signature: 'void migrate_device_finalize(unsigned long *src_pfns, unsigned long *dst_pfns, unsigned long npages)',
		summary: 'migrate_vma_finalize() without a vma; the copy must be complete and visible first.' }),
	s({ name: 'migrate_device_coherent_page', kind: 'function', since: '6.0', until: '6.11', replacedBy: 'migrate_device_coherent_folio', confidence: 'D',
		signature: 'int migrate_device_coherent_page(struct page *page)',
		summary: 'Moves one device-coherent page to system RAM (used by FOLL_LONGTERM pinning); 0 or -EBUSY.' }),
	s({ name: 'migrate_device_coherent_folio', kind: 'function', since: '6.12', renamedFrom: 'migrate_device_coherent_page', confidence: 'D',
		signature: 'int migrate_device_coherent_folio(struct folio *folio)',
		summary: 'Folio version of migrate_device_coherent_page(): moves a small device-coherent folio to system RAM; 0 or -EBUSY.' }),
	s({ name: 'migrate_hmm_range_setup', kind: 'function', unreleased: true, replacedBy: 'migrate_vma_setup', confidence: 'V',
		summary: 'Seen in the 2026 mm tree only: builds the migration from hmm_range_fault() output (HMM_PFN_MIGRATE).' }),
	s({ name: 'HMM_PFN_MIGRATE', kind: 'flag', parent: SHR, unreleased: true, confidence: 'V', summary: 'Seen in the 2026 mm tree only: hmm_range_fault() marks pfns to migrate.' }),
	s({ name: 'HMM_PFN_COMPOUND', kind: 'flag', parent: SHR, unreleased: true, confidence: 'V', summary: 'Seen in the 2026 mm tree only: a PMD-sized unit in hmm_range_fault() output.' }),

	// ---- dev_pagemap -------------------------------------------------------------------------------
	s({ name: 'struct dev_pagemap', kind: 'type', since: '4.14', confidence: 'D', summary: 'Describes a ZONE_DEVICE memory range: its type, owner and ops.' }),
	s({ name: 'owner', kind: 'field', parent: SDP, since: '5.7', confidence: 'V', summary: 'Driver cookie identifying whose device memory this is; compared with pgmap_owner (src_owner on 5.7–5.8) and hmm_range.dev_private_owner.' }),
	s({ name: 'struct dev_pagemap_ops', kind: 'type', since: '5.3', confidence: 'D', summary: 'Callbacks of a dev_pagemap: page_free/folio_free, migrate_to_ram, folio_split, …' }),
	s({ name: 'migrate_to_ram', kind: 'pagemap-op', parent: SDPO, since: '5.3', confidence: 'V', signature: 'vm_fault_t (*migrate_to_ram)(struct vm_fault *vmf)',
		summary: 'Called on a CPU fault on a device-private entry (and when GUP meets one): the driver must migrate at least the faulting page back to RAM, or return 0 so the fault is retried; VM_FAULT_SIGBUS only on unrecoverable device errors.' }),
	s({ name: 'page_free', kind: 'pagemap-op', parent: SDPO, since: '5.3', until: '6.18', replacedBy: 'folio_free', confidence: 'D', summary: 'Called when the last reference to a device page is dropped, so the driver can reuse it. Renamed folio_free in 6.19.' }),
	s({ name: 'folio_free', kind: 'pagemap-op', parent: SDPO, since: '6.19', renamedFrom: 'page_free', confidence: 'V', summary: 'Called when a device folio (possibly large) is freed.' }),
	s({ name: 'folio_split', kind: 'pagemap-op', parent: SDPO, since: '6.19', confidence: 'V', summary: 'Called when a large device-private folio is split, so the driver can fix up its per-page data.' }),
	s({ name: 'struct hmm_devmem_ops', kind: 'type', since: '4.14', until: '5.2', replacedBy: 'struct dev_pagemap_ops', confidence: 'D', summary: 'Pre-5.3 HMM device-memory callbacks (fault, free); replaced by struct dev_pagemap_ops.' }),
		s({ name: 'fault', kind: 'callback', parent: 'struct hmm_devmem_ops', since: '4.14', until: '5.2', replacedBy: 'migrate_to_ram', confidence: 'D', summary: 'Pre-5.3 device-memory fault callback of hmm_devmem; replaced by dev_pagemap_ops.migrate_to_ram.' }),
	s({ name: 'page_pgmap', kind: 'function', since: '6.15', confidence: 'U', signature: 'struct dev_pagemap *page_pgmap(const struct page *page)', summary: 'Accessor that replaced direct page->pgmap reads (version uncertain).' }),

	// ---- memory types ---------------------------------------------------------------------------------
	s({ name: 'enum memory_type', kind: 'type', since: '4.14', confidence: 'D', summary: 'The kinds of ZONE_DEVICE memory a dev_pagemap can describe.' }),
		s({ name: 'MEMORY_DEVICE_PRIVATE', kind: 'memory-type', parent: EMT, since: '4.14', confidence: 'V', summary: 'Device memory the CPU cannot address; mapped by device-private swap-type entries that fault to migrate_to_ram.' }),
	s({ name: 'MEMORY_DEVICE_PUBLIC', kind: 'memory-type', parent: EMT, since: '4.14', until: '5.2', replacedBy: 'MEMORY_DEVICE_COHERENT', confidence: 'V', summary: 'Early CPU-coherent device memory type; removed in 5.3 (the coherent type returned in 6.0).' }),
	s({ name: 'MEMORY_DEVICE_COHERENT', kind: 'memory-type', parent: EMT, since: '6.0', confidence: 'V', summary: 'CPU-addressable, cache-coherent device memory mapped by normal PTEs; never faults; not long-term pinnable.' }),

	// ---- page predicates and allocation --------------------------------------------------------------
	s({ name: 'is_device_private_page', kind: 'function', since: '4.14', confidence: 'D', signature: 'bool is_device_private_page(const struct page *page)', summary: 'True for a MEMORY_DEVICE_PRIVATE page.' }),
	s({ name: 'is_device_public_page', kind: 'function', since: '4.14', until: '5.2', confidence: 'D', signature: 'bool is_device_public_page(const struct page *page)', summary: 'True for a MEMORY_DEVICE_PUBLIC page; removed with that type.' }),
	s({ name: 'is_device_coherent_page', kind: 'function', since: '6.0', confidence: 'V', signature: 'bool is_device_coherent_page(const struct page *page)', summary: 'True for a MEMORY_DEVICE_COHERENT page.' }),
	s({ name: 'is_zone_device_page', kind: 'function', since: '4.14', confidence: 'D', signature: 'bool is_zone_device_page(const struct page *page)', summary: 'True for any ZONE_DEVICE page (private, coherent, fs-dax, p2p, …).' }),
	s({ name: 'zone_device_page_init', kind: 'function', since: '6.1', confidence: 'V', signature: 'void zone_device_page_init(struct page *page)',
		summary: 'Since 6.1 free device-private pages have refcount 0; a driver hands out a page with this, which sets the refcount and locks it.' }),
	s({ name: 'zone_device_folio_init', kind: 'function', since: '6.19', confidence: 'D', summary: 'Large-folio counterpart of zone_device_page_init() for device-private THPs.' }),

	// ---- hmm_range --------------------------------------------------------------------------------------
	s({ name: 'hmm_range_fault', kind: 'function', since: '5.2', renamedFrom: 'hmm_vma_fault', confidence: 'U', signature: 'int hmm_range_fault(struct hmm_range *range)',
		summary: 'Snapshots (and optionally faults in) the CPU page table for a range; device-private pages of dev_private_owner are reported instead of being faulted back.' }),
	s({ name: 'hmm_vma_fault', kind: 'function', since: '4.14', until: '5.1', replacedBy: 'hmm_range_fault', confidence: 'U', summary: 'Early HMM mirror fault helper, superseded by hmm_range_fault().' }),
	s({ name: 'struct hmm_range', kind: 'type', since: '4.14', confidence: 'D', summary: 'Describes a range for hmm_range_fault(): addresses, the pfn array, default and per-pfn fault flags, and the device-private owner.' }),
	s({ name: 'hmm_pfns', kind: 'field', parent: SHR, since: '5.8', confidence: 'U', summary: 'Output array of hmm_range_fault(): one HMM_PFN_* encoded entry per page.' }),
		s({ name: 'dev_private_owner', kind: 'field', parent: SHR, since: '5.7', confidence: 'D',
		summary: 'Device-private pages with this owner are returned as-is by hmm_range_fault(); others are faulted back to RAM. Leave it unset and your own device pages get migrated back.' }),

	// ---- MMU notifiers ----------------------------------------------------------------------------------
	s({ name: 'struct mmu_notifier_range', kind: 'type', since: '5.0', confidence: 'D', summary: 'One invalidation handed to MMU notifier callbacks: mm, start, end, event, flags and (5.9+) an owner.' }),
		s({ name: 'enum mmu_notifier_event', kind: 'type', since: '5.0', confidence: 'D', summary: 'Why an invalidation happens (unmap, clear, protection change, migrate, …).' }),
	s({ name: 'MMU_NOTIFY_UNMAP', kind: 'notifier-event', parent: EMNE, since: '5.0', value: 0, confidence: 'D', summary: 'The range is being unmapped (munmap).' }),
	s({ name: 'MMU_NOTIFY_CLEAR', kind: 'notifier-event', parent: EMNE, since: '5.0', value: 1, confidence: 'D', summary: 'Page-table entries are being cleared; also what migration raised before MMU_NOTIFY_MIGRATE existed.' }),
	s({ name: 'MMU_NOTIFY_PROTECTION_VMA', kind: 'notifier-event', parent: EMNE, since: '5.0', value: 2, confidence: 'D', summary: 'Protection of a vma changes (mprotect).' }),
	s({ name: 'MMU_NOTIFY_PROTECTION_PAGE', kind: 'notifier-event', parent: EMNE, since: '5.0', value: 3, confidence: 'D', summary: 'Protection of some pages changes.' }),
	s({ name: 'MMU_NOTIFY_SOFT_DIRTY', kind: 'notifier-event', parent: EMNE, since: '5.0', value: 4, confidence: 'D', summary: 'Soft-dirty tracking write-protects pages.' }),
	s({ name: 'MMU_NOTIFY_RELEASE', kind: 'notifier-event', parent: EMNE, since: '5.6', value: 5, confidence: 'U', summary: 'The mm is going away.' }),
	s({ name: 'MMU_NOTIFY_MIGRATE', kind: 'notifier-event', parent: EMNE, since: '5.9', value: 6, confidence: 'V',
		summary: 'Raised by migrate_vma_setup() over the whole range (and by migrate_vma_pages() when filling holes), carrying pgmap_owner; a driver skips its own migrations by checking event and owner.' }),
	s({ name: 'MMU_NOTIFY_EXCLUSIVE', kind: 'notifier-event', parent: EMNE, since: '5.14', value: 7, confidence: 'V', summary: 'Raised when a page is made device-exclusive; owner is the value given to make_device_exclusive().' }),
	s({ name: 'event', kind: 'notifier-field', parent: SMNR, since: '5.0', confidence: 'D', summary: 'The mmu_notifier_event of this invalidation.' }),
	s({ name: 'migrate_pgmap_owner', kind: 'notifier-field', parent: SMNR, since: '5.9', until: '5.13', replacedBy: 'owner', confidence: 'V', summary: '5.9–5.13: owner of an MMU_NOTIFY_MIGRATE invalidation. Renamed owner in 5.14.' }),
	s({ name: 'owner', kind: 'notifier-field', parent: SMNR, since: '5.14', renamedFrom: 'migrate_pgmap_owner', confidence: 'V', summary: 'Owner of a MIGRATE or EXCLUSIVE invalidation (pgmap_owner / the make_device_exclusive owner).' }),
	s({ name: 'mmu_notifier_range_init', kind: 'function', since: '5.0', confidence: 'D', summary: 'Initialises an invalidation range with its event.' }),
	s({ name: 'mmu_notifier_range_init_migrate', kind: 'function', since: '5.9', until: '5.13', replacedBy: 'mmu_notifier_range_init_owner', confidence: 'V', summary: '5.9–5.13: initialises a MIGRATE invalidation with its pgmap owner.' }),
	s({ name: 'mmu_notifier_range_init_owner', kind: 'function', since: '5.14', renamedFrom: 'mmu_notifier_range_init_migrate', confidence: 'V', summary: 'Initialises an invalidation that carries an owner.' }),
	s({ name: 'make_device_exclusive_range', kind: 'function', since: '5.14', until: '6.14', replacedBy: 'make_device_exclusive', confidence: 'U', summary: 'Makes pages exclusive to a device (atomics) by replacing CPU PTEs with device-exclusive entries.' }),
	s({ name: 'make_device_exclusive', kind: 'function', since: '6.15', renamedFrom: 'make_device_exclusive_range', confidence: 'U', summary: 'Single-page successor of make_device_exclusive_range().' }),

	// ---- GUP and pinning ---------------------------------------------------------------------------------
	s({ name: 'FOLL_WRITE', kind: 'gup-flag', since: '4.14', confidence: 'V', summary: 'GUP for writing (breaks COW). Predates this API.' }),
	s({ name: 'FOLL_LONGTERM', kind: 'gup-flag', since: '5.2', confidence: 'D',
		summary: 'The pin may be held indefinitely: pages that must stay movable (device-coherent, CMA, ZONE_MOVABLE) are migrated first; device-private pages are faulted back to RAM.' }),
	s({ name: 'FOLL_PIN', kind: 'gup-flag', since: '5.6', confidence: 'D', summary: 'Set internally by pin_user_pages*(): a DMA pin, released with unpin_user_page(s)().' }),
	s({ name: 'get_user_pages_longterm', kind: 'function', since: '4.15', until: '5.1', replacedBy: 'FOLL_LONGTERM', confidence: 'D', summary: 'Older long-term GUP entry point, replaced by the FOLL_LONGTERM flag.' }),
	s({ name: 'get_user_pages', kind: 'function', since: '4.14', confidence: 'V', summary: 'Takes page references (not pins); each one still makes the page fail migration while held.' }),
	s({ name: 'get_user_pages_fast', kind: 'function', since: '4.14', confidence: 'V', summary: 'Lockless GUP with references.' }),
	s({ name: 'get_user_pages_remote', kind: 'function', since: '4.14', confidence: 'V', summary: 'GUP on another mm.' }),
	s({ name: 'pin_user_pages', kind: 'function', since: '5.6', confidence: 'D', summary: 'Pins pages (FOLL_PIN). A pinned page fails migration until unpinned.' }),
	s({ name: 'pin_user_pages_fast', kind: 'function', since: '5.6', confidence: 'D', summary: 'Lockless pin; with FOLL_LONGTERM it falls back to the slow path for pages that are not long-term pinnable.' }),
	s({ name: 'pin_user_pages_remote', kind: 'function', since: '5.6', confidence: 'D', summary: 'Pins pages of another mm.' }),
	s({ name: 'unpin_user_page', kind: 'function', since: '5.6', confidence: 'D', summary: 'Releases one FOLL_PIN pin.' }),
	s({ name: 'unpin_user_pages', kind: 'function', since: '5.6', confidence: 'D', summary: 'Releases FOLL_PIN pins.' }),
	s({ name: 'is_pinnable_page', kind: 'function', since: '5.13', until: '5.19', replacedBy: 'is_longterm_pinnable_page', confidence: 'U', summary: 'Whether a page may be long-term pinned in place. Renamed in 6.0.' }),
	s({ name: 'folio_is_pinnable', kind: 'function', since: '5.18', until: '5.19', replacedBy: 'folio_is_longterm_pinnable', confidence: 'U', summary: 'Folio form of is_pinnable_page(). Renamed in 6.0.' }),
	s({ name: 'is_longterm_pinnable_page', kind: 'function', since: '6.0', until: '6.3', renamedFrom: 'is_pinnable_page', replacedBy: 'folio_is_longterm_pinnable', confidence: 'U', summary: 'Whether a page may be long-term pinned in place (false for device-coherent pages). The page form later went away.' }),
	s({ name: 'folio_is_longterm_pinnable', kind: 'function', since: '6.0', renamedFrom: 'folio_is_pinnable', confidence: 'V', summary: 'Whether a folio may be long-term pinned in place; device-coherent folios are not.' }),

	// ---- fault codes ---------------------------------------------------------------------------------------
	s({ name: 'VM_FAULT_SIGBUS', kind: 'fault-code', since: '4.14', confidence: 'V', summary: 'The access gets SIGBUS. In migrate_to_ram() only for unrecoverable device errors.' }),
	s({ name: 'VM_FAULT_OOM', kind: 'fault-code', since: '4.14', confidence: 'V', summary: 'Out of memory; acceptable from migrate_to_ram() when no system page could be allocated.' }),
	s({ name: 'VM_FAULT_RETRY', kind: 'fault-code', since: '4.14', confidence: 'V', summary: 'The fault dropped the mmap lock and must be retried.' }),
	s({ name: 'VM_FAULT_NOPAGE', kind: 'fault-code', since: '4.14', confidence: 'V', summary: 'The handler installed the PTE itself.' }),
	s({ name: 'VM_FAULT_MAJOR', kind: 'fault-code', since: '4.14', confidence: 'V', summary: 'The fault needed I/O (e.g. swap-in).' }),
	s({ name: 'VM_FAULT_HWPOISON', kind: 'fault-code', since: '4.14', confidence: 'V', summary: 'The page is poisoned.' }),
]);

// ---- lookups ------------------------------------------------------------------------------------------

function normParent(p: string | undefined): string | undefined {
	if (p === undefined) {
		return undefined;
	}
	const t = p.trim().replace(/\s+/g, ' ');
	return /^(struct|enum) /.test(t) ? t : `struct ${t}`;
}

const BY_NAME = new Map<string, ApiSymbol[]>();
for (const sym of API_SYMBOLS) {
	const list = BY_NAME.get(sym.name);
	if (list) {
		list.push(sym);
	} else {
		BY_NAME.set(sym.name, [sym]);
	}
}

/**
 * A symbol by name. With `parent` (`struct migrate_vma`, or just `migrate_vma`) only a member of
 * that struct/enum matches; without it, a top-level symbol is preferred, then the first member
 * with that name.
 */
export function lookupSymbol(name: string, parent?: string): ApiSymbol | undefined {
	if (typeof name !== 'string') {
		return undefined;
	}
	const list = BY_NAME.get(name.trim());
	if (!list) {
		return undefined;
	}
	const p = normParent(parent);
	if (p !== undefined) {
		const enumForm = p.replace(/^struct /, 'enum ');
		return list.find((x) => x.parent === p || x.parent === enumForm);
	}
	return list.find((x) => x.parent === undefined) ?? list[0];
}

function ver(s: string | undefined): KernelVersion | undefined {
	return s === undefined ? undefined : parseKernel(s);
}

/** Whether the symbol exists in kernel v. Unreleased names exist in none. */
export function existsIn(sym: ApiSymbol, v: KernelVersion): boolean {
	if (sym.unreleased) {
		return false;
	}
	const since = ver(sym.since);
	const until = ver(sym.until);
	if (since && cmpKernel(v, since) < 0) {
		return false;
	}
	if (until && cmpKernel(v, until) > 0) {
		return false;
	}
	return true;
}

function same(a: ApiSymbol, name: string): ApiSymbol | undefined {
	return lookupSymbol(name, a.parent) ?? lookupSymbol(name);
}

/**
 * Whether `name` exists in v and, if not, the name to use there instead: for a name that is gone,
 * what replaced it (following renames forward); for a name that is too new, what it was called
 * then (or what it replaced). `instead` is undefined when v has no counterpart.
 */
export function nameIn(name: string, v: KernelVersion, parent?: string): { exists: boolean; sym?: ApiSymbol; instead?: string } {
	const sym = lookupSymbol(name, parent);
	if (!sym) {
		return { exists: false };
	}
	if (existsIn(sym, v)) {
		return { exists: true, sym };
	}
	// Forward: follow replacedBy until something exists in v.
	const seen = new Set<ApiSymbol>([sym]);
	let cur: ApiSymbol | undefined = sym;
	while (cur?.replacedBy) {
		const next = same(cur, cur.replacedBy);
		if (!next || seen.has(next)) {
			break;
		}
		if (existsIn(next, v)) {
			return { exists: false, sym, instead: next.name };
		}
		seen.add(next);
		cur = next;
	}
	// Backward: what this name was called before, or what it replaced.
	cur = sym;
	const back = new Set<ApiSymbol>([sym]);
	while (cur) {
		let prev: ApiSymbol | undefined = cur.renamedFrom ? same(cur, cur.renamedFrom) : undefined;
		if (!prev) {
			const target: ApiSymbol = cur;
			prev = API_SYMBOLS.find((x) => x.replacedBy === target.name && !x.unreleased && x !== target && (x.parent === target.parent || x.parent === undefined || target.parent === undefined));
		}
		if (!prev || back.has(prev)) {
			break;
		}
		if (existsIn(prev, v)) {
			return { exists: false, sym, instead: prev.name };
		}
		back.add(prev);
		cur = prev;
	}
	return { exists: false, sym };
}

// ---- decoders -----------------------------------------------------------------------------------------

export interface FlagBit {
	/** The suffix after MIGRATE_PFN_ / MIGRATE_VMA_SELECT_ (`VALID`, `SYSTEM`, …). */
	name: string;
	bit: number;
	sym: ApiSymbol;
}

function bitsOf(kind: ApiKind, prefix: string): readonly FlagBit[] {
	return Object.freeze(API_SYMBOLS
		.filter((x) => x.kind === kind && x.bit !== undefined && x.name.startsWith(prefix))
		.map((x) => Object.freeze({ name: x.name.slice(prefix.length), bit: x.bit as number, sym: x })));
}

/** Every MIGRATE_PFN_* bit the model knows (bits 4 and 5 have had different meanings). */
export const PFN_FLAG_BITS: readonly FlagBit[] = bitsOf('pfn-flag', 'MIGRATE_PFN_');
/** Every MIGRATE_VMA_SELECT_* bit (and the never-merged names, which no kernel decodes). */
export const SELECT_FLAG_BITS: readonly FlagBit[] = bitsOf('flag', 'MIGRATE_VMA_SELECT_');

/** MIGRATE_PFN_SHIFT: 6 in every release. */
export const MIGRATE_PFN_SHIFT = 6;

function decodeBits(value: bigint, table: readonly FlagBit[], v: KernelVersion, width: number): string[] {
	const out: string[] = [];
	for (let b = 0; b < width; b++) {
		if ((value >> BigInt(b)) & 1n) {
			const hit = table.find((f) => f.bit === b && existsIn(f.sym, v));
			out.push(hit ? hit.name : `BIT${b}`);
		}
	}
	return out;
}

function toBig(value: bigint | number): bigint {
	if (typeof value === 'bigint') {
		return BigInt.asUintN(64, value);
	}
	if (typeof value !== 'number' || !Number.isFinite(value)) {
		return 0n;
	}
	return BigInt.asUintN(64, BigInt(Math.trunc(value)));
}

/**
 * Splits a migrate-pfn entry into its pfn and the flag suffixes kernel v gives its low bits
 * (`VALID`, `MIGRATE`, `LOCKED`, `WRITE`, `DEVICE`, `ERROR`, `COMPOUND`). A bit v does not define
 * is reported as `BITn`. The value is taken as an unsigned 64-bit word.
 */
export function decodeMigratePfn(value: bigint | number, v: KernelVersion): { pfn: bigint; flags: string[] } {
	const x = toBig(value);
	return { pfn: x >> BigInt(MIGRATE_PFN_SHIFT), flags: decodeBits(x, PFN_FLAG_BITS, v, MIGRATE_PFN_SHIFT) };
}

/**
 * The MIGRATE_VMA_SELECT_* suffixes (`SYSTEM`, `DEVICE_PRIVATE`, `DEVICE_COHERENT`, `COMPOUND`)
 * set in value on kernel v; bits v does not define come back as `BITn` (the kernel ignores them).
 */
export function decodeSelectFlags(value: number, v: KernelVersion): string[] {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
		return [];
	}
	const x = BigInt(Math.trunc(value));
	let width = 0;
	while (x >> BigInt(width) !== 0n && width < 64) {
		width++;
	}
	return decodeBits(x, SELECT_FLAG_BITS, v, width);
}
