/*
 * The page-by-page simulator of migrate_vma_setup / pages / finalize, GUP pins and CPU faults on
 * device-private pages (SEMANTICS.md §3–§9, DESIGN.md Contract 2). Pure, deterministic, no I/O,
 * browser-safe; never throws out of its public functions.
 *
 * Model choices (documented here because the contract leaves them open):
 * - The vma starts PMD-aligned; a PMD unit is 512 pages (x86-64, 4 KiB pages). An aligned block of
 *   512 `none` pages has no page table (pmd_none), which is what a COMPOUND hole needs.
 * - `system` is an anonymous page (including a COW copy in a private file mapping); `file` is a
 *   page-cache page. In a shared vma (`MAP_SHARED`, including shared anonymous = shmem) every
 *   present page is page cache.
 * - A page that cannot exist on the kernel (device-coherent before 6.0, a PMD-level device-private
 *   entry before 6.19, a copy into device-coherent memory before 6.0) is a scenario error. A
 *   selection key the kernel does not have (flags before 5.9, DEVICE_COHERENT before 6.0,
 *   COMPOUND before 6.19, fault_page before 6.1, src_owner outside 5.7–5.8) is ignored with a
 *   warning, as the kernel ignores unknown flag bits; between the 5.7–5.8 `srcOwner` form and the
 *   5.9+ `flags`/`pgmapOwner` form the missing one is derived from the other, with a warning.
 * - The fault page: on 6.15+ the caller (do_swap_page) holds it locked unless `faultPageLocked`
 *   is false; on 6.1–6.14 the core locks it itself during collection.
 * - Before 5.9 non-anonymous holes are collected and refused only at insertion (the exact release
 *   of the collect-time check is uncertain, SEMANTICS §4.2); after, they are not collected.
 * - Invalidations before 5.0 had no event type: they are reported as `invalidate_range_start`.
 * - A long-term pin migrating a device-coherent page raises an MMU_NOTIFY_CLEAR invalidation
 *   without owner (the rmap unmap path), per our reading; marked derived.
 * - Up to 6.18 a PMD-mapped THP (or huge zero page) is split at collect time whatever the flags
 *   (SEMANTICS §4.2 historical deltas); from 6.19 an unselected PMD is left whole.
 * - A page-cache page migrated to a system destination stays page cache (`file`).
 * - CPU accesses and pins check the vma first: no VM_READ, or a write without VM_WRITE, is
 *   VM_FAULT_SIGSEGV / -EFAULT with no change. A write fault that brings a read-only device-private
 *   entry back then makes the new mapping writable (the retried write's write-protect fault).
 * - 6.15+: a CPU fault (or GUP) on a device-private page locked by someone else does not reach
 *   migrate_to_ram (do_swap_page's trylock fails and the fault is retried).
 * Result objects (src entries, final pages) are shared between identical entries and frozen.
 */
import { type KernelVersion, NEWEST_KERNEL, OLDEST_KERNEL, cmpKernel, formatKernel, parseKernel } from './kernel';
import type {
	CopyStep, CpuFaultStep, FinalPage, Notification, PageState, PinStep, Scenario, ScenarioStep,
	SelectFlag, SetupStep, SimResult, SrcEntry, StepResult, UnpinStep,
} from './scenario';

// ---- encodings ---------------------------------------------------------------------------------

const ST_NONE = 0, ST_ZERO = 1, ST_SYSTEM = 2, ST_FILE = 3, ST_SWAP = 4, ST_DP = 5, ST_DC = 6;
const STATE_NAMES: readonly PageState[] = ['none', 'zero', 'system', 'file', 'swap', 'device-private', 'device-coherent'];
const STATE_CODE = new Map<string, number>(STATE_NAMES.map((n, i) => [n, i]));

/** Per-page flags. */
const PF_WRITE = 1, PF_PINNED = 2, PF_LOCKED = 4, PF_PMD = 8, PF_MIG = 16;

/** src entry bits (our own layout; names depend on the kernel). */
const M_VALID = 1, M_MIGRATE = 2, M_LOCKED = 4, M_WRITE = 8, M_DEVICE = 16, M_COMPOUND = 32;
/** dst entry bits. */
const D_VALID = 1, D_COMPOUND = 2;

const SEL_SYSTEM = 1, SEL_DP = 2, SEL_DC = 4, SEL_COMPOUND = 8;
const SELECT_BITS: Readonly<Record<SelectFlag, number>> = { SYSTEM: SEL_SYSTEM, DEVICE_PRIVATE: SEL_DP, DEVICE_COHERENT: SEL_DC, COMPOUND: SEL_COMPOUND };

const HPAGE_NR = 512;
/** Largest scenario accepted (16 GiB of 4 KiB pages). */
export const MAX_PAGES = 1 << 22;
const MAX_ERRORS = 100;

const EINVAL = -22, EBUSY = -16, EFAULT = -14;

const STEP_OPS = new Set(['setup', 'copy', 'pages', 'finalize', 'pin', 'unpin', 'cpu-fault']);
const COPY_TO = new Set(['system', 'device-private', 'device-coherent']);

// ---- kernel eras ---------------------------------------------------------------------------------

interface Era {
	v: KernelVersion;
	/** 4.14–5.3: migrate_vma() with callbacks. */
	oldApi: boolean;
	/** < 5.7: no owner concept. */
	noOwner: boolean;
	/** 5.7–5.8: src_owner. */
	srcOwner: boolean;
	/** 5.9+: flags and pgmap_owner. */
	flags: boolean;
	/** < 5.16: MIGRATE_PFN_LOCKED, two-stage locking. */
	lockedFlag: boolean;
	/** < 5.4: MIGRATE_PFN_DEVICE. */
	deviceFlag: boolean;
	coherent: boolean;
	faultPage: boolean;
	/** 6.15+: do_swap_page locks the device page; the core skips locking the fault page. */
	faultLocked: boolean;
	compound: boolean;
	/** 5.17+: the reference-count test applies to device-private pages. */
	dpPinCheck: boolean;
	/** < 5.9: holes of non-anonymous vmas are collected. */
	nonAnonHoles: boolean;
	event: string;
	ownerInEvent: boolean;
	typedEvents: boolean;
	handlerName: string;
	coherentFn: string;
}

function at(v: KernelVersion, major: number, minor: number): boolean {
	return cmpKernel(v, { major, minor }) >= 0;
}

function eraOf(v: KernelVersion): Era {
	return {
		v,
		oldApi: !at(v, 5, 4),
		noOwner: !at(v, 5, 7),
		srcOwner: at(v, 5, 7) && !at(v, 5, 9),
		flags: at(v, 5, 9),
		lockedFlag: !at(v, 5, 16),
		deviceFlag: !at(v, 5, 4),
		coherent: at(v, 6, 0),
		faultPage: at(v, 6, 1),
		faultLocked: at(v, 6, 15),
		compound: at(v, 6, 19),
		dpPinCheck: at(v, 5, 17),
		nonAnonHoles: !at(v, 5, 9),
		event: at(v, 5, 9) ? 'MMU_NOTIFY_MIGRATE' : at(v, 5, 0) ? 'MMU_NOTIFY_CLEAR' : 'invalidate_range_start',
		ownerInEvent: at(v, 5, 9),
		typedEvents: at(v, 5, 0),
		handlerName: at(v, 5, 3) ? 'dev_pagemap_ops.migrate_to_ram' : 'hmm_devmem_ops.fault',
		coherentFn: at(v, 6, 12) ? 'migrate_device_coherent_folio' : 'migrate_device_coherent_page',
	};
}

// ---- validation ----------------------------------------------------------------------------------

function isObj(x: unknown): x is Record<string, unknown> {
	return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isInt(x: unknown): x is number {
	return typeof x === 'number' && Number.isInteger(x);
}

class Problems {
	list: string[] = [];
	dropped = 0;
	add(msg: string): void {
		if (this.list.length < MAX_ERRORS) {
			this.list.push(msg);
		} else {
			this.dropped++;
		}
	}
	done(): string[] {
		if (this.dropped > 0) {
			this.list.push(`… and ${this.dropped} more problems`);
		}
		return this.list;
	}
}

function optBool(p: Problems, o: Record<string, unknown>, key: string, where: string): void {
	if (o[key] !== undefined && typeof o[key] !== 'boolean') {
		p.add(`${where}.${key}: expected true or false`);
	}
}

function optOwner(p: Problems, o: Record<string, unknown>, key: string, where: string): void {
	const x = o[key];
	if (x !== undefined && x !== null && typeof x !== 'string') {
		p.add(`${where}.${key}: expected a string or null`);
	}
}

function optFlags(p: Problems, o: Record<string, unknown>, where: string): void {
	const f = o.flags;
	if (f === undefined) {
		return;
	}
	if (!Array.isArray(f)) {
		p.add(`${where}.flags: expected an array of SYSTEM, DEVICE_PRIVATE, DEVICE_COHERENT, COMPOUND`);
		return;
	}
	f.forEach((x, k) => {
		if (typeof x !== 'string' || !(x in SELECT_BITS)) {
			p.add(`${where}.flags[${k}]: unknown selection flag ${JSON.stringify(x)} (expected SYSTEM, DEVICE_PRIVATE, DEVICE_COHERENT or COMPOUND)`);
		}
	});
}

function pageIndex(p: Problems, x: unknown, n: number, where: string): void {
	if (!isInt(x) || x < 0 || x >= n) {
		p.add(`${where}: expected a page index from 0 to ${n - 1}, got ${JSON.stringify(x)}`);
	}
}

function pageRange(p: Problems, o: Record<string, unknown>, n: number, where: string): void {
	if (!isInt(o.first) || !isInt(o.count)) {
		p.add(`${where}: first and count must be integers`);
		return;
	}
	if (o.first < 0 || o.count < 0 || o.first + o.count > n) {
		p.add(`${where}: pages ${o.first}..${o.first + o.count - 1} are outside the ${n} pages of the vma`);
	}
}

/**
 * Checks a scenario's shape against Contract 2. Returns the scenario (the input itself, or a shallow
 * copy with `kernel` filled in when it was missing) when there are no errors. Keys it does not
 * know are ignored.
 */
export function validateScenario(input: unknown): { scenario?: Scenario; errors: string[] } {
	const { scenario, errors } = check(input, false);
	return { scenario, errors };
}

/** The pages as typed arrays, filled while validating (one pass over a possibly huge array). */
class PageTable {
	readonly state: Uint8Array;
	readonly owner: Int32Array;
	readonly pf: Uint8Array;
	readonly owners: string[] = [];
	readonly ownerIdx = new Map<string, number>();
	constructor(readonly n: number) {
		this.state = new Uint8Array(n);
		this.owner = new Int32Array(n);
		this.pf = new Uint8Array(n);
	}
	ownerOf(name: string | null | undefined): number {
		if (name === undefined || name === null) {
			return -1;
		}
		let k = this.ownerIdx.get(name);
		if (k === undefined) {
			k = this.owners.length;
			this.owners.push(name);
			this.ownerIdx.set(name, k);
		}
		return k;
	}
}

function check(input: unknown, load: boolean): { scenario?: Scenario; errors: string[]; table?: PageTable } {
	const p = new Problems();
	if (!isObj(input)) {
		return { errors: ['the scenario must be a JSON object'] };
	}
	let kernel: KernelVersion = NEWEST_KERNEL;
	if (input.kernel !== undefined) {
		if (typeof input.kernel !== 'string') {
			p.add('kernel: expected a string such as "6.8" (a number would turn 6.10 into 6.1)');
		} else {
			const v = parseKernel(input.kernel);
			if (!v) {
				p.add(`kernel: cannot read ${JSON.stringify(input.kernel)} as a kernel version`);
			} else if (cmpKernel(v, OLDEST_KERNEL) < 0) {
				p.add(`kernel: ${formatKernel(v)} predates migrate_vma (first in ${formatKernel(OLDEST_KERNEL)})`);
			} else {
				kernel = v;
			}
		}
	}
	const era = eraOf(kernel);
	const vmaWrite = !isObj(input.vma) || input.vma.write !== false;
	let table: PageTable | undefined;
	if (input.vma !== undefined) {
		if (!isObj(input.vma)) {
			p.add('vma: expected an object');
		} else {
			for (const k of ['anonymous', 'shared', 'read', 'write', 'special', 'hugetlb', 'dax']) {
				optBool(p, input.vma, k, 'vma');
			}
		}
	}
	const pages = input.pages;
	let n = 0;
	if (!Array.isArray(pages)) {
		p.add('pages: expected an array of pages');
	} else if (pages.length > MAX_PAGES) {
		p.add(`pages: ${pages.length} pages is more than the ${MAX_PAGES} the simulator accepts`);
	} else {
		n = pages.length;
		table = load ? new PageTable(n) : undefined;
		validatePages(p, pages, era, table, vmaWrite);
	}
	if (input.steps !== undefined && !Array.isArray(input.steps)) {
		p.add('steps: expected an array of steps');
	} else if (Array.isArray(input.steps)) {
		validateSteps(p, input.steps, n, era);
	}
	const errors = p.done();
	if (errors.length > 0) {
		return { errors };
	}
	const scenario = (typeof input.kernel === 'string' ? input : { ...input, kernel: formatKernel(NEWEST_KERNEL) }) as Scenario;
	return { scenario, errors, table };
}

function validatePages(p: Problems, pages: unknown[], era: Era, table: PageTable | undefined, vmaWrite: boolean): void {
	const n = pages.length;
	for (let i = 0; i < n; i++) {
		const pg = pages[i];
		if (!isObj(pg)) {
			p.add(`pages[${i}]: expected an object with a state`);
			continue;
		}
		const st = typeof pg.state === 'string' ? STATE_CODE.get(pg.state) : undefined;
		if (st === undefined) {
			p.add(`pages[${i}].state: unknown state ${JSON.stringify(pg.state)} (expected ${STATE_NAMES.join(', ')})`);
			continue;
		}
		if (pg.owner !== undefined && pg.owner !== null && typeof pg.owner !== 'string') {
			p.add(`pages[${i}].owner: expected a string or null`);
		}
		if (pg.writable !== undefined && typeof pg.writable !== 'boolean') {
			p.add(`pages[${i}].writable: expected true or false`);
		}
		if (pg.pinned !== undefined && typeof pg.pinned !== 'boolean') {
			p.add(`pages[${i}].pinned: expected true or false`);
		}
		if (pg.locked !== undefined && typeof pg.locked !== 'boolean') {
			p.add(`pages[${i}].locked: expected true or false`);
		}
		if (pg.pmd !== undefined && typeof pg.pmd !== 'boolean') {
			p.add(`pages[${i}].pmd: expected true or false`);
		}
		if (st === ST_DC && !era.coherent) {
			p.add(`pages[${i}]: device-coherent memory does not exist before 6.0 (kernel ${formatKernel(era.v)})`);
		}
		if (table) {
			table.state[i] = st;
			const device = st === ST_DP || st === ST_DC;
			table.owner[i] = device && typeof pg.owner === 'string' ? table.ownerOf(pg.owner) : -1;
			let f = 0;
			const w = pg.writable ?? ((st === ST_SYSTEM || device) ? vmaWrite : false);
			if (w === true && st !== ST_ZERO && st !== ST_NONE && st !== ST_SWAP) {
				f |= PF_WRITE;
			}
			if (pg.pinned === true && st !== ST_NONE && st !== ST_SWAP) {
				f |= PF_PINNED;
			}
			if (pg.locked === true && st !== ST_NONE && st !== ST_SWAP && st !== ST_ZERO) {
				f |= PF_LOCKED;
			}
			if (pg.pmd === true) {
				f |= PF_PMD;
			}
			table.pf[i] = f;
		}
		if (pg.pmd === true) {
			if (i % HPAGE_NR !== 0) {
				p.add(`pages[${i}].pmd: a PMD-mapped folio starts at a multiple of ${HPAGE_NR} pages (the vma is taken as PMD-aligned)`);
			} else if (i + HPAGE_NR > n) {
				p.add(`pages[${i}].pmd: a PMD-mapped folio needs ${HPAGE_NR - 1} tail pages after its head`);
			} else if (st !== ST_SYSTEM && st !== ST_ZERO && st !== ST_DP) {
				p.add(`pages[${i}].pmd: only system THPs, the huge zero page and (6.19+) device-private folios are PMD-mapped here`);
			} else if (st === ST_DP && !era.compound) {
				p.add(`pages[${i}].pmd: PMD-level device-private entries exist from 6.19 (kernel ${formatKernel(era.v)})`);
			} else {
				const owner = pg.owner ?? null;
				for (let j = i + 1; j < i + HPAGE_NR; j++) {
					const t = pages[j];
					if (!isObj(t) || t.state !== pg.state || t.pmd === true || (st === ST_DP && (t.owner ?? null) !== owner)) {
						p.add(`pages[${j}]: a tail page of the PMD folio at ${i} must have the head's state (and owner) and no pmd flag`);
						break;
					}
				}
			}
		}
	}
}

function validateSteps(p: Problems, steps: unknown[], n: number, era: Era): void {
	let sawSetup = false;
	steps.forEach((st, k) => {
		const where = `steps[${k}]`;
		if (!isObj(st)) {
			p.add(`${where}: expected an object with an op`);
			return;
		}
		if (typeof st.op !== 'string' || !STEP_OPS.has(st.op)) {
			p.add(`${where}.op: unknown step ${JSON.stringify(st.op)} (expected ${[...STEP_OPS].join(', ')})`);
			return;
		}
		switch (st.op) {
			case 'setup':
				sawSetup = true;
				if (!isInt(st.first) || !isInt(st.count)) {
					p.add(`${where}: first and count must be integers (page offsets from the vma start)`);
				}
				optFlags(p, st, where);
				optOwner(p, st, 'pgmapOwner', where);
				optOwner(p, st, 'srcOwner', where);
				if (st.faultPage !== undefined && st.faultPage !== null) {
					pageIndex(p, st.faultPage, n, `${where}.faultPage`);
				}
				for (const b of ['faultPageLocked', 'vmaNull', 'srcNull', 'dstNull']) {
					optBool(p, st, b, where);
				}
				break;
			case 'copy':
				if (!sawSetup) {
					p.add(`${where}: copy needs a setup step before it`);
				}
				if (typeof st.to !== 'string' || !COPY_TO.has(st.to)) {
					p.add(`${where}.to: expected system, device-private or device-coherent`);
				} else if (st.to === 'device-coherent' && !era.coherent) {
					p.add(`${where}.to: device-coherent memory does not exist before 6.0 (kernel ${formatKernel(era.v)})`);
				}
				optOwner(p, st, 'owner', where);
				optBool(p, st, 'compound', where);
				if (st.skip !== undefined) {
					if (!Array.isArray(st.skip)) {
						p.add(`${where}.skip: expected an array of page indexes`);
					} else {
						st.skip.forEach((x, j) => pageIndex(p, x, n, `${where}.skip[${j}]`));
					}
				}
				break;
			case 'pages':
			case 'finalize':
				if (!sawSetup) {
					p.add(`${where}: ${st.op} needs a setup step before it`);
				}
				break;
			case 'pin':
				pageRange(p, st, n, where);
				optBool(p, st, 'longterm', where);
				optBool(p, st, 'write', where);
				break;
			case 'unpin':
				pageRange(p, st, n, where);
				break;
			case 'cpu-fault':
				pageIndex(p, st.page, n, `${where}.page`);
				optBool(p, st, 'write', where);
				optBool(p, st, 'passFaultPage', where);
				optOwner(p, st, 'pgmapOwner', where);
				optFlags(p, st, where);
				break;
		}
	});
}

// ---- the simulator ---------------------------------------------------------------------------------

interface Session {
	step: number;
	first: number;
	count: number;
	src: Uint8Array;
	why: Uint32Array;
	dst: Uint8Array;
	dstWhy: Uint32Array | null;
	dstState: number;
	dstOwner: number;
	pgmapOwner: number;
	faultPage: number;
	pagesDone: boolean;
	cpages: number;
	open: boolean;
}

/** The fault path around a migrate_to_ram() call. */
interface FaultCtx {
	/** Page with do_swap_page()'s extra reference (6.1+), or -1. */
	ref: number;
	/** Page locked by do_swap_page() (6.15+), or -1 (a whole folio for a PMD entry). */
	lockFirst: number;
	lockEnd: number;
}

const NO_FAULT: FaultCtx = { ref: -1, lockFirst: -1, lockEnd: -1 };

interface SetupArgs {
	first: number;
	count: number;
	vmaNull: boolean;
	srcNull: boolean;
	dstNull: boolean;
	/** Selection bits (5.9+ meaning); derived for older eras. */
	sel: number;
	/** 5.7–5.8: true when src_owner is non-NULL (device mode). */
	srcOwnerSet: boolean;
	owner: number;
	faultPage: number;
	faultPageLocked: boolean;
}

type Why = number;

/** Builds a why sentence naming owners a (the page's) and b (the caller's); module-level so hot loops allocate nothing. */
type WhyBuild = (s: Sim, a: number, b: number) => string;
const WHY_DC_MISMATCH: WhyBuild = (s, a, b) => `Device-coherent page of owner ${s.ownerText(a)}, but pgmap_owner is ${s.ownerText(b)}: skipped.`;
const WHY_DC_SEL: WhyBuild = (s, a) => `Device-coherent page of owner ${s.ownerText(a)} selected by SELECT_DEVICE_COHERENT: locked and unmapped.`;
const WHY_DP_SRC_MISMATCH: WhyBuild = (s, a, b) => `Device-private page of owner ${s.ownerText(a)}, but src_owner is ${s.ownerText(b)}: skipped (another driver's memory).`;
const WHY_DP_MISMATCH: WhyBuild = (s, a, b) => `Device-private page of owner ${s.ownerText(a)}, but pgmap_owner is ${s.ownerText(b)}: skipped (another driver's memory; only its own migrate_to_ram can move it).`;
const WHY_DP_ANY: WhyBuild = (s, a) => `Device-private page (owner ${s.ownerText(a)}): this kernel has no owner filter, so every device-private page in the range is collected${s.era.deviceFlag ? ' (marked MIGRATE_PFN_DEVICE)' : ''}.`;
const WHY_DP_SEL: WhyBuild = (s, a) => `Device-private page of owner ${s.ownerText(a)} selected by ${s.era.srcOwner ? 'src_owner' : 'SELECT_DEVICE_PRIVATE'}: locked and unmapped.`;
const WHY_DP_SEL_SPLIT: WhyBuild = (s, a) => `Device-private page of owner ${s.ownerText(a)} selected by SELECT_DEVICE_PRIVATE after its PMD entry was split: locked and unmapped.`;

class Sim {
	readonly era: Era;
	readonly n: number;
	readonly state: Uint8Array;
	readonly owner: Int32Array;
	readonly pf: Uint8Array;
	pins: Uint32Array | null = null;
	readonly owners: string[];
	readonly ownerIdx: Map<string, number>;
	readonly vmaAnon: boolean;
	readonly vmaShared: boolean;
	readonly vmaWrite: boolean;
	readonly vmaRead: boolean;
	readonly vmaBad: string | null;
	readonly notifications: Notification[] = [];
	readonly warnings: string[] = [];
	private readonly warned = new Set<string>();
	readonly sessions: Session[] = [];
	current: Session | null = null;
	/** Why the last setup left no session: shown by copy/pages/finalize. */
	lastNoSession: Why;

	private readonly whyText: string[] = [];
	private readonly whyIds = new Map<string, number>();
	private readonly ownerWhyCache = new Map<number, number>();
	private readonly entryCache: (SrcEntry | undefined)[] = [];
	private readonly flagCache: (readonly string[])[] = [];
	private readonly finalCache = new Map<number, FinalPage>();
	private readonly finalFast: (FinalPage | undefined)[] = [];
	readonly W: ReturnType<typeof whyTable>;

	constructor(sc: Scenario, v: KernelVersion, table: PageTable) {
		this.era = eraOf(v);
		const vma = isObj(sc.vma) ? sc.vma : {};
		const anonymous = vma.anonymous !== false;
		this.vmaShared = vma.shared === true;
		this.vmaAnon = anonymous && !this.vmaShared;
		this.vmaWrite = vma.write !== false;
		this.vmaRead = vma.read !== false;
		this.vmaBad = vma.hugetlb === true ? 'hugetlb' : vma.special === true ? 'VM_SPECIAL (VM_IO, VM_PFNMAP, VM_MIXEDMAP or VM_DONTEXPAND)' : vma.dax === true ? 'DAX' : null;
		this.W = whyTable((t) => this.wid(t), this.era);
		this.lastNoSession = this.W.noSetup;
		this.n = table.n;
		this.state = table.state;
		this.owner = table.owner;
		this.pf = table.pf;
		this.owners = table.owners;
		this.ownerIdx = table.ownerIdx;
	}

	// -- small helpers --

	ownerOf(name: string | null | undefined): number {
		if (name === undefined || name === null) {
			return -1;
		}
		let k = this.ownerIdx.get(name);
		if (k === undefined) {
			k = this.owners.length;
			this.owners.push(name);
			this.ownerIdx.set(name, k);
		}
		return k;
	}

	ownerName(k: number): string | null {
		return k < 0 ? null : this.owners[k];
	}

	ownerText(k: number): string {
		return k < 0 ? 'NULL' : JSON.stringify(this.owners[k]);
	}

	wid(text: string): Why {
		let k = this.whyIds.get(text);
		if (k === undefined) {
			k = this.whyText.length;
			this.whyText.push(text);
			this.whyIds.set(text, k);
		}
		return k;
	}

	/** A why sentence that names owners, built once per (template, owners). */
	ownerWhy(tmpl: number, a: number, b: number, build: WhyBuild): Why {
		const key = tmpl + 64 * ((a + 1) + 2097152 * (b + 1));
		let k = this.ownerWhyCache.get(key);
		if (k === undefined) {
			k = this.wid(build(this, a, b));
			this.ownerWhyCache.set(key, k);
		}
		return k;
	}

	text(w: Why): string {
		return this.whyText[w];
	}

	warn(msg: string): void {
		if (!this.warned.has(msg)) {
			this.warned.add(msg);
			this.warnings.push(msg);
		}
	}

	flagsOf(mask: number, dst: boolean): readonly string[] {
		const key = mask + (dst ? 64 : 0);
		let f = this.flagCache[key];
		if (!f) {
			const out: string[] = [];
			if (dst) {
				if (mask & D_VALID) {
					out.push('VALID');
					if (this.era.lockedFlag) {
						out.push('LOCKED');
					}
				}
				if (mask & D_COMPOUND) {
					out.push('COMPOUND');
				}
			} else {
				if (mask & M_VALID) {
					out.push('VALID');
				}
				if (mask & M_MIGRATE) {
					out.push('MIGRATE');
				}
				if (mask & M_LOCKED) {
					out.push('LOCKED');
				}
				if (mask & M_WRITE) {
					out.push('WRITE');
				}
				if (mask & M_DEVICE) {
					out.push('DEVICE');
				}
				if (mask & M_COMPOUND) {
					out.push('COMPOUND');
				}
			}
			f = Object.freeze(out);
			this.flagCache[key] = f;
		}
		return f;
	}

	entry(mask: number, why: Why, dst = false): SrcEntry {
		const key = why * 128 + mask + (dst ? 64 : 0);
		let e = this.entryCache[key];
		if (e === undefined) {
			while (this.entryCache.length <= key) {
				this.entryCache.push(undefined);
			}
			e = Object.freeze({ flags: this.flagsOf(mask, dst) as string[], why: this.whyText[why] });
			this.entryCache[key] = e;
		}
		return e;
	}

	hasExtraRef(i: number): boolean {
		return (this.pf[i] & PF_PINNED) !== 0 || (this.pins !== null && this.pins[i] > 0);
	}

	isPageCache(i: number): boolean {
		return this.state[i] === ST_FILE || (this.vmaShared && this.state[i] === ST_SYSTEM);
	}

	notify(event: string, owner: number, first: number, count: number, step: number): void {
		this.notifications.push({ event, owner: this.era.ownerInEvent ? this.ownerName(owner) : null, first, count, step });
	}

	// -- setup --

	setupArgs(st: SetupStep, stepIdx: number): SetupArgs {
		const era = this.era;
		const flags = st.flags;
		let sel = 0;
		let srcOwnerSet = false;
		let owner = -1;
		const where = `step ${stepIdx} (setup)`;
		if (era.noOwner) {
			if ((flags && flags.length > 0) || (st.pgmapOwner !== undefined && st.pgmapOwner !== null) || (st.srcOwner !== undefined && st.srcOwner !== null)) {
				this.warn(`${where}: kernel ${formatKernel(era.v)} has no selection flags and no owner; every page is a candidate, so flags/pgmapOwner/srcOwner are ignored.`);
			}
			sel = SEL_SYSTEM | SEL_DP;
		} else if (era.srcOwner) {
			if (st.srcOwner !== undefined) {
				srcOwnerSet = st.srcOwner !== null;
				owner = this.ownerOf(st.srcOwner);
				if (flags !== undefined || (st.pgmapOwner !== undefined && st.pgmapOwner !== null)) {
					this.warn(`${where}: flags and pgmapOwner do not exist on ${formatKernel(era.v)} (src_owner selects); ignored.`);
				}
			} else if (flags !== undefined || st.pgmapOwner !== undefined) {
				const dp = (flags ?? []).includes('DEVICE_PRIVATE');
				const po = st.pgmapOwner ?? null;
				srcOwnerSet = dp && po !== null;
				owner = srcOwnerSet ? this.ownerOf(po) : -1;
				this.warn(`${where}: kernel ${formatKernel(era.v)} has src_owner instead of flags/pgmap_owner; simulated as src_owner = ${srcOwnerSet ? JSON.stringify(po) : 'NULL'}.`);
			}
			sel = srcOwnerSet ? SEL_DP : SEL_SYSTEM;
		} else {
			if (flags !== undefined) {
				for (const f of flags) {
					const bit = SELECT_BITS[f];
					if (bit === SEL_DC && !era.coherent) {
						this.warn(`${where}: MIGRATE_VMA_SELECT_DEVICE_COHERENT does not exist before 6.0; the kernel ignores the bit.`);
					} else if (bit === SEL_COMPOUND && !era.compound) {
						this.warn(`${where}: MIGRATE_VMA_SELECT_COMPOUND does not exist before 6.19; the kernel ignores the bit (large folios are split).`);
					} else {
						sel |= bit;
					}
				}
				owner = this.ownerOf(st.pgmapOwner);
				if (st.srcOwner !== undefined) {
					this.warn(`${where}: src_owner exists only on 5.7–5.8 (renamed pgmap_owner in 5.9); ignored.`);
				}
			} else if (st.srcOwner !== undefined && st.pgmapOwner === undefined) {
				sel = st.srcOwner === null ? SEL_SYSTEM : SEL_DP;
				owner = this.ownerOf(st.srcOwner);
				this.warn(`${where}: src_owner exists only on 5.7–5.8; simulated as flags = ${st.srcOwner === null ? 'SYSTEM' : 'DEVICE_PRIVATE'}, pgmap_owner = ${this.ownerText(owner)}.`);
			} else {
				owner = this.ownerOf(st.pgmapOwner);
				this.warn(`${where}: flags not set: on ${formatKernel(era.v)} flags == 0 selects only empty addresses (holes).`);
			}
		}
		let faultPage = -1;
		if (st.faultPage !== undefined && st.faultPage !== null) {
			if (era.faultPage) {
				faultPage = st.faultPage;
			} else {
				this.warn(`${where}: fault_page exists from 6.1; ignored on ${formatKernel(era.v)}.`);
			}
		}
		return {
			first: st.first,
			count: st.count,
			vmaNull: st.vmaNull === true,
			srcNull: st.srcNull === true,
			dstNull: st.dstNull === true,
			sel,
			srcOwnerSet,
			owner,
			faultPage,
			faultPageLocked: st.faultPageLocked !== false,
		};
	}

	/** §4.1 argument checks, in the kernel's order; undefined when they pass. */
	argCheck(a: SetupArgs): string | undefined {
		const era = this.era;
		const start = a.first;
		const end = a.first + a.count;
		if (a.vmaNull) {
			return 'vma is NULL: -EINVAL.';
		}
		if (this.vmaBad) {
			return `the vma is ${this.vmaBad}: such vmas are refused up front with -EINVAL.`;
		}
		if (!era.oldApi && a.count <= 0) {
			return a.count === 0
				? 'The range is shorter than one page, so nr_pages is 0: -EINVAL (the check uses the unrounded length).'
				: 'end is before start, so nr_pages is negative: -EINVAL.';
		}
		if (start < 0 || start >= this.n) {
			return 'start lies outside the vma: -EINVAL.';
		}
		if (end <= 0 || end > this.n) {
			return 'end lies outside the vma (the range must sit inside the one vma passed): -EINVAL.';
		}
		if (a.srcNull || a.dstNull) {
			return `${a.srcNull ? 'src' : 'dst'} is NULL: -EINVAL.`;
		}
		if (era.oldApi && a.count <= 0) {
			return 'start >= end after rounding to pages: migrate_vma() returns -EINVAL.';
		}
		if (a.faultPage >= 0 && this.state[a.faultPage] !== ST_DP) {
			return 'fault_page is set but is not a device-private page: -EINVAL (6.1+).';
		}
		if (a.faultPage >= 0 && era.faultLocked && !a.faultPageLocked) {
			return 'fault_page is not locked by the caller: -EINVAL (6.15+; do_swap_page locks it before calling migrate_to_ram).';
		}
		return undefined;
	}

	setup(a: SetupArgs, stepIdx: number, ctx: FaultCtx): StepResult {
		const bad = this.argCheck(a);
		if (bad !== undefined) {
			this.current = null;
			this.lastNoSession = this.W.setupFailed;
			return { op: 'setup', ret: EINVAL, why: bad };
		}
		const era = this.era;
		const W = this.W;
		const first = a.first;
		const count = a.count;
		const end = first + count;
		const ses: Session = {
			step: stepIdx, first, count,
			src: new Uint8Array(count), why: new Uint32Array(count), dst: new Uint8Array(count), dstWhy: null,
			dstState: ST_NONE, dstOwner: -1, pgmapOwner: a.owner, faultPage: a.faultPage,
			pagesDone: false, cpages: 0, open: true,
		};
		if (this.current && this.current.open && ctx === NO_FAULT && held(this.current) > 0) {
			this.warn(`step ${stepIdx} (setup): a new migration starts while the one from step ${this.current.step} was never finalized.`);
		}
		this.notify(era.event, a.owner, first, count, stepIdx);
		const src = ses.src;
		const why = ses.why;
		const state = this.state;
		const pf = this.pf;
		const selSystem = (a.sel & SEL_SYSTEM) !== 0;
		const compoundOn = era.compound && (a.sel & SEL_COMPOUND) !== 0;
		let splitEnd = -1;
		let i = first;
		while (i < end) {
			const head = i - (i % HPAGE_NR);
			if ((pf[head] & PF_PMD) !== 0 && head + HPAGE_NR > i) {
				const r = this.collectPmd(ses, a, head, i, end, ctx);
				if (r.split) {
					splitEnd = head + HPAGE_NR;
					continue;
				}
				i = r.next;
				continue;
			}
			const k = i - first;
			const st = state[i];
			if ((pf[i] & PF_MIG) !== 0) {
				src[k] = 0;
				why[k] = W.migrating;
				i++;
				continue;
			}
			if (st === ST_NONE && compoundOn && this.vmaAnon && i % HPAGE_NR === 0 && i + HPAGE_NR <= end && this.allNone(i)) {
				src[k] = M_MIGRATE | M_COMPOUND;
				why[k] = W.holeCompound;
				for (let j = 1; j < HPAGE_NR; j++) {
					why[k + j] = W.holeCompoundTail;
				}
				i += HPAGE_NR;
				continue;
			}
			switch (st) {
				case ST_NONE:
					if (this.vmaAnon) {
						src[k] = M_MIGRATE;
						why[k] = W.holeAnon;
					} else if (era.nonAnonHoles) {
						src[k] = M_MIGRATE;
						why[k] = W.holeNonAnonOld;
					} else {
						why[k] = W.holeNonAnon;
					}
					break;
				case ST_ZERO:
					if (selSystem) {
						src[k] = M_MIGRATE;
						why[k] = W.zeroSel;
					} else {
						why[k] = i < splitEnd ? W.splitNoSel : era.srcOwner ? W.zeroSrcOwner : W.zeroNoSel;
					}
					break;
				case ST_SYSTEM:
				case ST_FILE:
					if (!selSystem) {
						why[k] = i < splitEnd ? W.splitNoSel : era.srcOwner ? W.sysSrcOwner : W.sysNoSel;
					} else {
						const pc = this.isPageCache(i);
						this.candidate(ses, a, i, i < splitEnd ? (pc ? W.fileSel : W.thpSplitSel) : (pc ? W.fileSel : W.sysSel), ctx);
					}
					break;
				case ST_SWAP:
					why[k] = W.swap;
					break;
				case ST_DP: {
					const w = this.dpSelect(a, this.owner[i]);
					if (w === undefined) {
						this.candidate(ses, a, i, this.dpSelWhy(a, this.owner[i], i < splitEnd), ctx);
					} else {
						why[k] = w;
					}
					break;
				}
				case ST_DC: {
					const po = this.owner[i];
					if ((a.sel & SEL_DC) === 0) {
						why[k] = W.dcNoFlag;
					} else if (po !== a.owner) {
						why[k] = this.ownerWhy(1, po, a.owner, WHY_DC_MISMATCH);
					} else {
						this.candidate(ses, a, i, this.ownerWhy(2, po, -1, WHY_DC_SEL), ctx);
					}
					break;
				}
			}
			i++;
		}
		let cpages = 0;
		for (let k = 0; k < count; k++) {
			const m = src[k];
			if (m & M_MIGRATE) {
				cpages++;
				if (m & M_VALID) {
					if (m & M_COMPOUND) {
						for (let j = 0; j < HPAGE_NR; j++) {
							pf[first + k + j] |= PF_MIG;
						}
					} else {
						pf[first + k] |= PF_MIG;
					}
				}
			}
		}
		ses.cpages = cpages;
		if (era.oldApi && cpages === 0) {
			ses.open = false;
			this.current = null;
			this.lastNoSession = W.oldReturned;
		} else {
			this.current = ses;
			this.sessions.push(ses);
		}
		const out: SrcEntry[] = new Array(count);
		for (let k = 0; k < count; k++) {
			out[k] = this.entry(src[k], why[k]);
		}
		const res: StepResult = { op: 'setup', ret: 0, cpages, npages: count, first, count, src: out };
		if (era.oldApi) {
			res.why = cpages === 0
				? 'migrate_vma() collected nothing and returned 0 before calling alloc_and_copy.'
				: 'migrate_vma() collected, locked and unmapped the range; alloc_and_copy runs next (the copy step).';
		}
		return res;
	}

	allNone(h: number): boolean {
		const state = this.state;
		const pf = this.pf;
		for (let j = h; j < h + HPAGE_NR; j++) {
			if (state[j] !== ST_NONE || (pf[j] & PF_MIG) !== 0) {
				return false;
			}
		}
		return true;
	}

	/** undefined when a device-private page of owner po is selected; otherwise why it is not. */
	dpSelect(a: SetupArgs, po: number): Why | undefined {
		const era = this.era;
		const W = this.W;
		if (era.noOwner) {
			return undefined;
		}
		if (era.srcOwner) {
			if (!a.srcOwnerSet) {
				return W.dpSrcOwnerNull;
			}
			return po === a.owner ? undefined : this.ownerWhy(3, po, a.owner, WHY_DP_SRC_MISMATCH);
		}
		if ((a.sel & SEL_DP) === 0) {
			return W.dpNoFlag;
		}
		return po === a.owner ? undefined : this.ownerWhy(4, po, a.owner, WHY_DP_MISMATCH);
	}

	dpSelWhy(_a: SetupArgs, po: number, split: boolean): Why {
		const era = this.era;
		if (era.noOwner) {
			return this.ownerWhy(5, po, -1, WHY_DP_ANY);
		}
		return split ? this.ownerWhy(7, po, -1, WHY_DP_SEL_SPLIT) : this.ownerWhy(6, po, -1, WHY_DP_SEL);
	}

	/** Lock step and unmap/pin check for a selected page (§4.2 lock step, §4.3). */
	candidate(ses: Session, a: SetupArgs, i: number, selWhy: Why, ctx: FaultCtx): void {
		const era = this.era;
		const W = this.W;
		const k = i - ses.first;
		const st = this.state[i];
		let m = M_VALID | M_MIGRATE;
		if ((this.pf[i] & PF_WRITE) !== 0) {
			m |= M_WRITE;
		}
		if (st === ST_DP && era.deviceFlag) {
			m |= M_DEVICE;
		}
		const isFault = a.faultPage === i;
		const lockedElsewhere = (this.pf[i] & PF_LOCKED) !== 0 || (i >= ctx.lockFirst && i < ctx.lockEnd);
		if (isFault && era.faultLocked && a.faultPageLocked) {
			// The caller holds the fault page locked; collection does not lock it again.
		} else if (lockedElsewhere || (isFault && era.faultLocked)) {
			ses.src[k] = 0;
			ses.why[k] = i === ctx.ref && !isFault ? W.faultLockNoFp : era.lockedFlag ? W.lockFailOld : W.lockFail;
			return;
		} else if (era.lockedFlag) {
			m |= M_LOCKED;
		}
		// Pin check in the unmap step.
		const faultRef = ctx.ref === i && !isFault;
		const extra = this.hasExtraRef(i) || faultRef;
		if (extra && !(st === ST_DP && !era.dpPinCheck)) {
			ses.src[k] = 0;
			ses.why[k] = faultRef ? W.faultRefNoFp : W.pinned;
			return;
		}
		ses.src[k] = m;
		ses.why[k] = extra ? W.dpPinnedOld : isFault ? W.faultPageOk : selWhy;
	}

	/** A PMD-mapped unit whose head is h, met at address i. */
	collectPmd(ses: Session, a: SetupArgs, h: number, i: number, end: number, ctx: FaultCtx): { next: number; split: boolean } {
		const era = this.era;
		const W = this.W;
		const pf = this.pf;
		const st = this.state[h];
		const lo = Math.max(h, ses.first);
		const hi = Math.min(h + HPAGE_NR, end);
		const aligned = lo === h && hi === h + HPAGE_NR;
		const compoundOn = era.compound && (a.sel & SEL_COMPOUND) !== 0;
		const fill = (w: Why): { next: number; split: boolean } => {
			for (let j = i; j < hi; j++) {
				ses.src[j - ses.first] = 0;
				ses.why[j - ses.first] = w;
			}
			return { next: hi, split: false };
		};
		const split = (): { next: number; split: boolean } => {
			pf[h] &= ~PF_PMD;
			return { next: i, split: true };
		};
		if ((pf[h] & PF_MIG) !== 0) {
			return fill(W.migrating);
		}
		if (!era.compound) {
			// ≤6.18 (SEMANTICS §4.2 historical deltas): every PMD-mapped THP is split before any flag or
			// owner test — the huge zero page into zero-page PTEs, a THP by trylock + split_huge_page
			// (range skipped if either fails) — and the per-PTE rules then decide.
			if (st === ST_ZERO) {
				return split();
			}
			for (let j = h; j < h + HPAGE_NR; j++) {
				if ((pf[j] & PF_LOCKED) !== 0 || (j >= ctx.lockFirst && j < ctx.lockEnd) || this.hasExtraRef(j) || ctx.ref === j) {
					return fill(W.thpSplitFail);
				}
			}
			return split();
		}
		let selected: boolean;
		let notWhy: Why = W.thpNoSel;
		if (st === ST_DP) {
			const w = this.dpSelect(a, this.owner[h]);
			selected = w === undefined;
			if (w !== undefined) {
				notWhy = w;
			}
		} else {
			selected = (a.sel & SEL_SYSTEM) !== 0;
			if (!selected && st === ST_ZERO) {
				notWhy = W.zeroNoSel;
			}
		}
		if (!selected) {
			return fill(notWhy);
		}
		if (st === ST_ZERO) {
			// The huge zero page is treated as a hole.
			if (compoundOn && this.vmaAnon && aligned) {
				const k = h - ses.first;
				ses.src[k] = M_MIGRATE | M_COMPOUND;
				ses.why[k] = W.hugeZeroCompound;
				for (let j = 1; j < HPAGE_NR; j++) {
					ses.src[k + j] = 0;
					ses.why[k + j] = W.holeCompoundTail;
				}
				return { next: hi, split: false };
			}
			return split();
		}
		let locked = false;
		let extra = false;
		let faultIn = false;
		for (let j = h; j < h + HPAGE_NR; j++) {
			if ((pf[j] & PF_LOCKED) !== 0 || (j >= ctx.lockFirst && j < ctx.lockEnd)) {
				locked = true;
			}
			if (this.hasExtraRef(j) || ctx.ref === j) {
				extra = true;
			}
			if (a.faultPage === j) {
				faultIn = true;
			}
		}
		if (faultIn && era.faultLocked && a.faultPageLocked) {
			// The caller holds the fault folio locked; collection does not lock it again.
			locked = false;
		}
		if (faultIn && ctx.ref >= h && ctx.ref < h + HPAGE_NR) {
			// The fault path's reference is expected for the fault folio.
			extra = this.hasExtraRefIn(h);
		}
		if (compoundOn && aligned) {
			if (locked) {
				return fill(W.thpLockFail);
			}
			if (extra && !(st === ST_DP && !era.dpPinCheck)) {
				return fill(W.pinned);
			}
			const k = h - ses.first;
			let m = M_VALID | M_MIGRATE | M_COMPOUND;
			if ((pf[h] & PF_WRITE) !== 0) {
				m |= M_WRITE;
			}
			ses.src[k] = m;
			ses.why[k] = st === ST_DP
				? this.ownerWhy(8, this.owner[h], -1, (s, o) => `Head of a PMD-mapped device-private folio of owner ${s.ownerText(o)}, selected as one unit with SELECT_COMPOUND.`)
				: W.thpCompound;
			for (let j = 1; j < HPAGE_NR; j++) {
				ses.src[k + j] = 0;
				ses.why[k + j] = W.thpTail;
			}
			return { next: hi, split: false };
		}
		if (locked || extra) {
			return fill(W.thpSplitFail);
		}
		return split();
	}

	hasExtraRefIn(h: number): boolean {
		for (let j = h; j < h + HPAGE_NR; j++) {
			if (this.hasExtraRef(j)) {
				return true;
			}
		}
		return false;
	}

	// -- copy (the driver's part between setup and pages) --

	copy(st: CopyStep, stepIdx: number): StepResult {
		const ses = this.current;
		if (!ses) {
			return { op: 'copy', filled: 0, dst: [], why: this.text(this.lastNoSession) };
		}
		if (ses.pagesDone) {
			this.warn(`step ${stepIdx} (copy): dst is changed after migrate_vma_pages(); the caller must not touch dst once pages ran.`);
		}
		const W = this.W;
		const to = st.to === 'system' ? ST_SYSTEM : st.to === 'device-private' ? ST_DP : ST_DC;
		const dOwner = to === ST_SYSTEM ? -1 : this.ownerOf(st.owner);
		ses.dstState = to;
		ses.dstOwner = dOwner;
		const skip = new Set<number>(st.skip ?? []);
		const compound = st.compound === true && this.era.compound;
		if (st.compound === true && !this.era.compound) {
			this.warn(`step ${stepIdx} (copy): COMPOUND destinations exist from 6.19; base pages are used.`);
		}
		const filledWhy = this.ownerWhy(9 + to, dOwner, -1, (s, o) => `The driver allocated a ${STATE_NAMES[to]} page${to === ST_SYSTEM ? '' : ` of owner ${s.ownerText(o)}`}, copied (or zeroed) the data, locked it and stored it in dst.`);
		const compoundWhy = this.ownerWhy(17 + to, dOwner, -1, (s, o) => `The driver allocated a PMD-sized ${STATE_NAMES[to]} folio${to === ST_SYSTEM ? '' : ` of owner ${s.ownerText(o)}`} for the whole COMPOUND unit (dst carries COMPOUND).`);
		const count = ses.count;
		const dst = ses.dst;
		const dw = new Uint32Array(count);
		ses.dstWhy = dw;
		const src = ses.src;
		let filled = 0;
		let k = 0;
		while (k < count) {
			const m = src[k];
			const i = ses.first + k;
			if ((m & M_MIGRATE) === 0) {
				dst[k] = 0;
				dw[k] = W.dstNotSelected;
				k++;
				continue;
			}
			if ((m & M_COMPOUND) !== 0) {
				if (compound) {
					if (skip.has(i)) {
						dst[k] = 0;
						dw[k] = W.dstSkipped;
					} else {
						dst[k] = D_VALID | D_COMPOUND;
						dw[k] = compoundWhy;
						filled++;
					}
					for (let j = 1; j < HPAGE_NR; j++) {
						dst[k + j] = 0;
						dw[k + j] = W.dstTail;
					}
				} else {
					for (let j = 0; j < HPAGE_NR; j++) {
						if (skip.has(i + j)) {
							dst[k + j] = 0;
							dw[k + j] = W.dstSkipped;
						} else {
							dst[k + j] = D_VALID;
							dw[k + j] = W.dstBaseForCompound;
							filled++;
						}
					}
				}
				k += HPAGE_NR;
				continue;
			}
			if (skip.has(i)) {
				dst[k] = 0;
				dw[k] = W.dstSkipped;
			} else {
				dst[k] = D_VALID;
				dw[k] = filledWhy;
				filled++;
			}
			k++;
		}
		const out: SrcEntry[] = new Array(count);
		for (let q = 0; q < count; q++) {
			out[q] = this.entry(dst[q], dw[q], true);
		}
		const res: StepResult = { op: 'copy', filled, dst: out };
		if (this.era.oldApi) {
			res.why = 'This is the driver\'s alloc_and_copy callback (pre-5.4 migrate_vma()).';
		}
		return res;
	}

	// -- pages (§4.5) --

	pages(stepIdx: number): StepResult {
		const ses = this.current;
		if (!ses) {
			return { op: 'pages', migrated: [], why: this.text(this.lastNoSession) };
		}
		if (ses.pagesDone) {
			this.warn(`step ${stepIdx} (pages): migrate_vma_pages() runs twice on the same migration.`);
		}
		ses.pagesDone = true;
		const W = this.W;
		const count = ses.count;
		const src = ses.src;
		const dst = ses.dst;
		const ok = new Uint8Array(count);
		const pw = new Uint32Array(count);
		const toDevice = ses.dstState === ST_DP || ses.dstState === ST_DC;
		let notified = false;
		const hole = (k: number): void => {
			const i = ses.first + k;
			if (!notified) {
				notified = true;
				this.notify(this.era.event, ses.pgmapOwner, i, ses.first + count - i, stepIdx);
			}
		};
		let k = 0;
		while (k < count) {
			const m = src[k];
			const i = ses.first + k;
			if ((m & M_MIGRATE) === 0) {
				ok[k] = 0;
				pw[k] = W.pNotSelected;
				k++;
				continue;
			}
			if (dst[k] === 0) {
				src[k] = m & ~M_MIGRATE;
				ok[k] = 0;
				pw[k] = W.pNoDst;
				if ((m & M_COMPOUND) !== 0) {
					for (let j = 1; j < HPAGE_NR; j++) {
						ok[k + j] = 0;
						pw[k + j] = W.pUnitFailed;
					}
					k += HPAGE_NR;
					continue;
				}
				k++;
				continue;
			}
			if ((m & M_COMPOUND) !== 0) {
				if ((dst[k] & D_COMPOUND) !== 0) {
					let fail: Why = -1;
					if ((m & M_VALID) === 0) {
						hole(k);
						if (!this.vmaAnon) {
							fail = W.pHoleNonAnon;
						} else if (!this.unitStillEmpty(i)) {
							fail = W.pPopulated;
						}
					} else if (toDevice && this.isPageCache(i)) {
						fail = W.pFileToDevice;
					}
					const good = fail < 0;
					if (!good) {
						src[k] = m & ~M_MIGRATE;
					} else if ((m & M_VALID) === 0) {
						this.placeUnit(i, ses.dstState, ses.dstOwner, this.vmaWrite, true);
					}
					for (let j = 0; j < HPAGE_NR; j++) {
						ok[k + j] = good ? 1 : 0;
						pw[k + j] = j === 0 ? (good ? W.pUnitOk : fail) : (good ? W.pUnitTail : W.pUnitFailed);
					}
					k += HPAGE_NR;
					continue;
				}
				// COMPOUND source, base destinations: split and rewrite the src entries.
				const base = (m & M_VALID) !== 0 ? (M_VALID | M_MIGRATE | (m & M_WRITE)) : M_MIGRATE;
				if ((m & M_VALID) !== 0) {
					this.pf[i] &= ~PF_PMD;
				}
				for (let j = 0; j < HPAGE_NR; j++) {
					src[k + j] = base;
					pw[k + j] = W.pSplit;
				}
				continue;
			}
			if ((m & M_VALID) === 0) {
				hole(k);
				let fail: Why = -1;
				if (!this.vmaAnon) {
					fail = W.pHoleNonAnon;
				} else if ((this.state[i] !== ST_NONE && this.state[i] !== ST_ZERO) || (this.pf[i] & PF_MIG) !== 0) {
					fail = W.pPopulated;
				}
				if (fail >= 0) {
					src[k] = m & ~M_MIGRATE;
					ok[k] = 0;
					pw[k] = fail;
				} else {
					this.place(i, ses.dstState, ses.dstOwner, this.vmaWrite);
					ok[k] = 1;
					pw[k] = pw[k] === W.pSplit ? W.pSplitHoleOk : W.pHoleOk;
				}
				k++;
				continue;
			}
			if (toDevice && this.isPageCache(i)) {
				src[k] = m & ~M_MIGRATE;
				ok[k] = 0;
				pw[k] = W.pFileToDevice;
			} else {
				ok[k] = 1;
				pw[k] = pw[k] === W.pSplit ? W.pSplitOk : W.pOk;
			}
			k++;
		}
		const why: string[] = new Array(count);
		const srcOut: SrcEntry[] = new Array(count);
		const migrated: boolean[] = new Array(count);
		for (let q = 0; q < count; q++) {
			migrated[q] = ok[q] === 1;
			why[q] = this.whyText[pw[q]];
			srcOut[q] = this.entry(src[q], pw[q]);
		}
		return { op: 'pages', migrated, why, src: srcOut };
	}

	unitStillEmpty(h: number): boolean {
		for (let j = h; j < h + HPAGE_NR; j++) {
			const s = this.state[j];
			if ((s !== ST_NONE && s !== ST_ZERO) || (this.pf[j] & PF_MIG) !== 0) {
				return false;
			}
		}
		return true;
	}

	/** Maps a new page of state st at i. */
	place(i: number, st: number, owner: number, writable: boolean): void {
		this.state[i] = st;
		this.owner[i] = st === ST_DP || st === ST_DC ? owner : -1;
		this.pf[i] = writable ? PF_WRITE : 0;
		if (this.pins) {
			this.pins[i] = 0;
		}
	}

	placeUnit(h: number, st: number, owner: number, writable: boolean, pmd: boolean): void {
		for (let j = h; j < h + HPAGE_NR; j++) {
			this.place(j, st, owner, writable);
		}
		if (pmd) {
			this.pf[h] |= PF_PMD;
		}
	}

	// -- finalize (§4.6) --

	finalize(stepIdx: number): StepResult {
		const ses = this.current;
		if (!ses) {
			return { op: 'finalize', moved: 0, restored: 0, why: this.text(this.lastNoSession) };
		}
		const count = ses.count;
		const src = ses.src;
		const dst = ses.dst;
		const pf = this.pf;
		let moved = 0;
		let restored = 0;
		let bogus = 0;
		let k = 0;
		while (k < count) {
			const m = src[k];
			const i = ses.first + k;
			const unit = (m & M_COMPOUND) !== 0 ? HPAGE_NR : 1;
			if ((m & M_VALID) === 0) {
				// No source page: the destination (if any) was inserted by pages() or is released now.
				if ((m & M_MIGRATE) !== 0 && dst[k] !== 0 && ses.pagesDone) {
					moved += unit;
				}
				k += unit;
				continue;
			}
			if ((m & M_MIGRATE) === 0 || dst[k] === 0) {
				for (let j = i; j < i + unit; j++) {
					pf[j] &= ~PF_MIG;
				}
				restored += unit;
				k += unit;
				continue;
			}
			if (!ses.pagesDone) {
				bogus += unit;
			}
			const w = (m & M_WRITE) !== 0;
			// §4.5: a page-cache page may move to a system destination (folio_migrate_mapping carries
			// the mapping over); the new page is still page cache, not an anonymous page.
			const to = ses.dstState === ST_SYSTEM && this.state[i] === ST_FILE ? ST_FILE : ses.dstState;
			if (unit > 1) {
				this.placeUnit(i, to, ses.dstOwner, w, (dst[k] & D_COMPOUND) !== 0);
			} else {
				this.place(i, to, ses.dstOwner, w);
			}
			moved += unit;
			k += unit;
		}
		ses.open = false;
		this.current = null;
		this.lastNoSession = this.W.finalized;
		const res: StepResult = { op: 'finalize', moved, restored };
		if (bogus > 0) {
			const msg = `step ${stepIdx} (finalize): migrate_vma_finalize() ran without migrate_vma_pages() while ${bogus} entries had a destination; it maps those destination pages although their state was never migrated (a bug).`;
			this.warn(msg);
			res.why = msg;
		} else if (this.era.oldApi) {
			res.why = 'finalize_and_map ran, then migrate_vma() restored failed entries and released the pages.';
		}
		return res;
	}

	// -- CPU fault and migrate_to_ram (§5) --

	cpuFault(st: CpuFaultStep, stepIdx: number): StepResult {
		const p = st.page;
		const write = st.write === true;
		const s = this.state[p];
		if (!this.vmaRead || (write && !this.vmaWrite)) {
			// The architecture's access check runs before any page-table handling (no handler, no change).
			return { op: 'cpu-fault', ret: 'VM_FAULT_SIGSEGV', page: p, why: !this.vmaRead
				? 'The vma has no VM_READ (PROT_NONE): the access is refused before any fault handling (SIGSEGV); nothing changes.'
				: 'A write to a vma without VM_WRITE: the access is refused before any fault handling (SIGSEGV); nothing changes.' };
		}
		if ((this.pf[p] & PF_MIG) !== 0) {
			return { op: 'cpu-fault', ret: 0, page: p, why: 'The address holds a migration entry of an unfinished migration: the CPU waits until that migration is finalized (nothing changes here).' };
		}
		switch (s) {
			case ST_NONE:
				if (this.vmaAnon) {
					this.place(p, write ? ST_SYSTEM : ST_ZERO, -1, write);
					return { op: 'cpu-fault', ret: 0, page: p, why: write ? 'Anonymous write fault: a new zeroed system page is mapped writable.' : 'Anonymous read fault: the shared zero page is mapped.' };
				}
				if (write && !this.vmaShared) {
					this.place(p, ST_SYSTEM, -1, true);
					return { op: 'cpu-fault', ret: 0, page: p, why: 'Write fault on a private file mapping: the file page is read and copied (copy-on-write); the anonymous copy is mapped writable.' };
				}
				this.place(p, ST_FILE, -1, write);
				return { op: 'cpu-fault', ret: 0, page: p, why: 'Fault on a file-backed or shared vma: the page-cache page is mapped.' };
			case ST_ZERO:
				if (write) {
					this.place(p, ST_SYSTEM, -1, true);
					return { op: 'cpu-fault', ret: 0, page: p, why: 'Write to the zero page: copy-on-write maps a new system page.' };
				}
				return { op: 'cpu-fault', ret: 0, page: p, why: 'The zero page is mapped: a read does not fault.' };
			case ST_SYSTEM:
			case ST_FILE:
				if (write && (this.pf[p] & PF_WRITE) === 0) {
					if (s === ST_FILE && !this.vmaShared) {
						this.place(p, ST_SYSTEM, -1, true);
						return { op: 'cpu-fault', ret: 0, page: p, why: 'Write to a private file mapping: copy-on-write maps an anonymous copy.' };
					}
					this.pf[p] |= PF_WRITE;
					return { op: 'cpu-fault', ret: 0, page: p, why: 'Write-protect fault: the mapping becomes writable.' };
				}
				return { op: 'cpu-fault', ret: 0, page: p, why: 'The page is mapped: no fault.' };
			case ST_SWAP:
				this.place(p, ST_SYSTEM, -1, this.vmaWrite);
				return { op: 'cpu-fault', ret: 'VM_FAULT_MAJOR', page: p, why: 'Swapped-out page: swapped in as a system page.' };
			case ST_DC:
				return { op: 'cpu-fault', ret: 0, page: p, why: 'Device-coherent memory is CPU-addressable: no fault, the page stays in device memory.' };
			default: {
				const r = this.migrateToRam(p, st, stepIdx, 'cpu-fault');
				if (r.ok && write && (this.pf[p] & PF_WRITE) === 0) {
					// The CPU retries the write: a write-protect fault makes the new (anonymous) mapping
					// writable — the whole PMD when the unit came back as one folio.
					const h = p - (p % HPAGE_NR);
					const unit = (this.pf[h] & PF_PMD) !== 0;
					for (let j = unit ? h : p; j < (unit ? h + HPAGE_NR : p + 1); j++) {
						this.pf[j] |= PF_WRITE;
					}
					r.why = `${r.why as string} The entry was read-only, so the retried write then takes a write-protect fault that makes the mapping writable.`;
				}
				return r;
			}
		}
	}

	/** The owning driver's migrate_to_ram() handler, modelled as a well-behaved driver. */
	migrateToRam(p: number, st: Partial<CpuFaultStep>, stepIdx: number, op: 'cpu-fault' | 'pin'): StepResult & { ok: boolean } {
		const era = this.era;
		const h = p - (p % HPAGE_NR);
		const pmdUnit = era.compound && (this.pf[h] & PF_PMD) !== 0;
		const first = pmdUnit ? h : p;
		const count = pmdUnit ? HPAGE_NR : 1;
		const pageOwner = this.owner[p];
		const ownerName = st.pgmapOwner !== undefined ? st.pgmapOwner : this.ownerName(pageOwner);
		const flags: SelectFlag[] = st.flags ?? (pmdUnit ? ['DEVICE_PRIVATE', 'COMPOUND'] : ['DEVICE_PRIVATE']);
		const pass = st.passFaultPage !== false;
		if (era.faultLocked) {
			// 6.15+ (SEMANTICS §1, §5): the core trylocks the device folio before calling migrate_to_ram;
			// if someone else holds the lock the handler is not called and the fault is simply retried.
			for (let j = first; j < first + count; j++) {
				if ((this.pf[j] & PF_LOCKED) !== 0) {
					return {
						op, page: p, handler: era.handlerName, ret: 0, ok: false,
						why: `${era.handlerName} is not called: the device page is locked by someone else, so do_swap_page() cannot trylock it and the fault is retried (6.15+); nothing changes until the lock is dropped.`,
					};
				}
			}
		}
		let sel = 0;
		let srcOwnerSet = false;
		if (era.noOwner) {
			sel = SEL_SYSTEM | SEL_DP;
		} else if (era.srcOwner) {
			srcOwnerSet = flags.includes('DEVICE_PRIVATE') && ownerName !== null;
			sel = srcOwnerSet ? SEL_DP : SEL_SYSTEM;
		} else {
			for (const f of flags) {
				const bit = SELECT_BITS[f];
				if ((bit !== SEL_DC || era.coherent) && (bit !== SEL_COMPOUND || era.compound)) {
					sel |= bit;
				}
			}
		}
		const a: SetupArgs = {
			first, count, vmaNull: false, srcNull: false, dstNull: false, sel, srcOwnerSet,
			owner: this.ownerOf(ownerName), faultPage: pass && era.faultPage ? p : -1, faultPageLocked: true,
		};
		const ctx: FaultCtx = {
			ref: era.faultPage ? p : -1,
			lockFirst: era.faultLocked ? first : -1,
			lockEnd: era.faultLocked ? first + count : -1,
		};
		const outer = this.current;
		const outerNo = this.lastNoSession;
		const sres = this.setup(a, stepIdx, ctx);
		const base = { op, page: p, handler: era.handlerName } as const;
		if (sres.ret !== 0) {
			this.current = outer;
			this.lastNoSession = outerNo;
			return { ...base, ret: 'VM_FAULT_SIGBUS', ok: false, setup: sres, why: `The handler's migrate_vma_setup() failed (${sres.why}); drivers turn that into VM_FAULT_SIGBUS.` };
		}
		const ses = this.current as Session | null;
		let migrated: boolean[] = [];
		if (ses) {
			this.copy({ op: 'copy', to: 'system', compound: pmdUnit }, stepIdx);
			migrated = this.pages(stepIdx).migrated ?? [];
			this.finalize(stepIdx);
		}
		this.current = outer;
		this.lastNoSession = outerNo;
		const ok = this.state[p] !== ST_DP;
		const srcEntry = sres.src ? sres.src[p - first] : undefined;
		const why = ok
			? `${era.handlerName} of owner ${this.ownerText(pageOwner)} migrated the page back to system memory${pmdUnit ? ' (the whole PMD unit)' : ''}.`
			: `${era.handlerName} of owner ${this.ownerText(pageOwner)} selected nothing for this page (${srcEntry ? srcEntry.why : 'no entry'}) and returns 0, so the CPU retries the fault and meets the same device-private entry again (livelock).`;
		return { ...base, ret: 0, ok, cpages: sres.cpages, src: sres.src, migrated, why };
	}

	// -- pinning (§7) --

	pin(st: PinStep, stepIdx: number): StepResult {
		const era = this.era;
		const write = st.write !== false;
		const longterm = st.longterm === true;
		if (!this.pins) {
			this.pins = new Uint32Array(this.n);
		}
		const pins = this.pins;
		if (!this.vmaRead || (write && !this.vmaWrite)) {
			// GUP's vma check (no FOLL_FORCE here): FOLL_WRITE needs VM_WRITE, a read pin needs VM_READ.
			return {
				op: 'pin', ret: EFAULT, pinned: new Array<boolean>(st.count).fill(false),
				why: write && !this.vmaWrite
					? 'FOLL_WRITE on a vma without VM_WRITE: GUP refuses the vma with -EFAULT before touching any page.'
					: 'The vma has no VM_READ (PROT_NONE): GUP refuses it with -EFAULT before touching any page.',
			};
		}
		const pinned: boolean[] = [];
		const why: string[] = [];
		let count = 0;
		let ret: number | undefined;
		const taken: number[] = [];
		for (let i = st.first; i < st.first + st.count; i++) {
			if ((this.pf[i] & PF_MIG) !== 0) {
				pinned.push(false);
				why.push('Behind a migration entry of an unfinished migration: GUP waits for it to be finalized; the pin stops here.');
				ret = count > 0 ? count : EBUSY;
				break;
			}
			let w = '';
			switch (this.state[i]) {
				case ST_NONE:
					if (this.vmaAnon) {
						this.place(i, write ? ST_SYSTEM : ST_ZERO, -1, write);
						w = write ? 'Empty: GUP faulted in a new system page, then pinned it.' : 'Empty: GUP mapped the zero page (read-only pin), then pinned it.';
					} else if (write && !this.vmaShared) {
						this.place(i, ST_SYSTEM, -1, true);
						w = 'Empty address in a private file mapping: FOLL_WRITE faults in the file page and copies it (copy-on-write); the anonymous copy is pinned.';
					} else {
						this.place(i, ST_FILE, -1, write);
						w = 'Empty: GUP faulted in the page-cache page, then pinned it.';
					}
					break;
				case ST_ZERO:
					if (write) {
						this.place(i, ST_SYSTEM, -1, true);
						w = 'Zero page: FOLL_WRITE breaks COW to a new system page, which is pinned.';
					} else {
						w = 'Zero page: pinned read-only (the shared zero page may be pinned, even long-term).';
					}
					break;
				case ST_SYSTEM:
				case ST_FILE:
					if (write && (this.pf[i] & PF_WRITE) === 0 && (this.state[i] === ST_SYSTEM || !this.vmaShared)) {
						this.place(i, ST_SYSTEM, -1, true);
						w = 'Read-only page: FOLL_WRITE breaks COW to a private copy, which is pinned.';
					} else {
						if (write) {
							this.pf[i] |= PF_WRITE;
						}
						w = 'Pinned in place.';
					}
					break;
				case ST_SWAP:
					this.place(i, ST_SYSTEM, -1, this.vmaWrite);
					w = 'Swapped out: GUP swapped it in, then pinned it.';
					break;
				case ST_DP: {
					const po = this.owner[i];
					const r = this.migrateToRam(i, {}, stepIdx, 'pin');
					if (!r.ok) {
						pinned.push(false);
						why.push(`Device-private pages cannot be pinned: GUP faults them back to RAM first, but ${r.why} GUP keeps retrying (shown as -EFAULT).`);
						ret = count > 0 ? count : EFAULT;
						break;
					}
					w = `Device-private pages cannot be pinned: GUP faulted it back through ${era.handlerName} (owner ${this.ownerText(po)}) and pinned the new system page.`;
					break;
				}
				case ST_DC:
					if (!longterm) {
						w = 'Device-coherent page: a short-term pin is allowed, the page stays in device memory.';
					} else if (this.hasExtraRef(i) || (this.pf[i] & PF_LOCKED) !== 0) {
						pinned.push(false);
						why.push(`FOLL_LONGTERM on a device-coherent page: ${era.coherentFn}() must move it to system memory first, but the page is ${this.hasExtraRef(i) ? 'already pinned' : 'locked'}, so it returns -EBUSY and no page of this call stays pinned.`);
						for (const t of taken) {
							pins[t]--;
						}
						pinned.fill(false);
						count = 0;
						ret = EBUSY;
						break;
					} else {
						this.notify(era.typedEvents ? 'MMU_NOTIFY_CLEAR' : 'invalidate_range_start', -1, i, 1, stepIdx);
						const wr = (this.pf[i] & PF_WRITE) !== 0;
						this.place(i, ST_SYSTEM, -1, wr || write);
						w = `FOLL_LONGTERM on a device-coherent page (not long-term pinnable): ${era.coherentFn}() moved it to a system page, which is pinned.`;
					}
					break;
			}
			if (ret !== undefined) {
				break;
			}
			pins[i]++;
			taken.push(i);
			count++;
			pinned.push(true);
			why.push(w);
		}
		return { op: 'pin', ret: ret ?? count, pinned, why };
	}

	unpin(st: UnpinStep): StepResult {
		let count = 0;
		if (this.pins) {
			for (let i = st.first; i < st.first + st.count; i++) {
				if (this.pins[i] > 0) {
					this.pins[i]--;
					count++;
				}
			}
		}
		return { op: 'unpin', ret: count, why: count === st.count ? 'Every page of the range was unpinned.' : `${count} of ${st.count} pages held a pin from a pin step and were unpinned.` };
	}

	// -- result --

	finalPages(): FinalPage[] {
		const n = this.n;
		const out: FinalPage[] = new Array(n);
		for (let i = 0; i < n; i++) {
			const st = this.state[i];
			const f = this.pf[i];
			const pinned = (f & PF_PINNED) !== 0 || (this.pins !== null && this.pins[i] > 0);
			const owner = st === ST_DP || st === ST_DC ? this.owner[i] : -1;
			const key = (st | ((f & (PF_WRITE | PF_LOCKED | PF_PMD | PF_MIG)) << 3) | (pinned ? 1 << 9 : 0)) + 1024 * (owner + 1);
			let fp = key < 65536 ? this.finalFast[key] : this.finalCache.get(key);
			if (fp === undefined) {
				const o: FinalPage = { state: STATE_NAMES[st] };
				if (owner >= 0) {
					o.owner = this.owners[owner];
				}
				if (st !== ST_NONE && st !== ST_SWAP) {
					o.writable = (f & PF_WRITE) !== 0;
				}
				if (pinned) {
					o.pinned = true;
				}
				if (f & PF_LOCKED) {
					o.locked = true;
				}
				if (f & PF_PMD) {
					o.pmd = true;
				}
				if (f & PF_MIG) {
					o.migrating = true;
				}
				fp = Object.freeze(o);
				if (key < 65536) {
					while (this.finalFast.length <= key) {
						this.finalFast.push(undefined);
					}
					this.finalFast[key] = fp;
				} else {
					this.finalCache.set(key, fp);
				}
			}
			out[i] = fp;
		}
		return out;
	}

	unfinished(): void {
		for (const ses of this.sessions) {
			if (!ses.open) {
				continue;
			}
			const n = held(ses);
			if (n > 0) {
				this.warn(this.era.oldApi
					? `The migration set up in step ${ses.step} never reaches its finalize phase: ${n} pages are shown still locked behind migration entries (on this kernel migrate_vma() always runs that phase itself).`
					: `The migration set up in step ${ses.step} was never finalized: ${n} pages stay locked behind migration entries (CPU access blocks, references leak).`);
			}
		}
	}
}

/** Pages a session holds behind migration entries (entries that carry a page, failed or not, until finalize). */
function held(ses: Session): number {
	let n = 0;
	for (let k = 0; k < ses.count; k++) {
		if ((ses.src[k] & M_VALID) !== 0) {
			n += (ses.src[k] & M_COMPOUND) !== 0 ? HPAGE_NR : 1;
		}
	}
	return n;
}

// ---- why sentences (our own words) ----------------------------------------------------------------

function whyTable(w: (t: string) => number, era: Era) {
	return {
		noSetup: w('No migration in progress: there is no setup before this step.'),
		setupFailed: w('The last migrate_vma_setup() returned -EINVAL: nothing was set up, and a driver must stop here.'),
		oldReturned: w('migrate_vma() already returned: it selected nothing, so alloc_and_copy and the later phases never ran.'),
		finalized: w('No migration in progress: the last one was already finalized (finalizing twice would unlock and release pages twice).'),
		holeAnon: w('Empty address in an anonymous vma: collected as an empty slot (MIGRATE without VALID); the driver may supply a zeroed destination.'),
		holeNonAnon: w('Empty address in a file-backed or shared vma: not collected (only anonymous memory can be populated by migration).'),
		holeNonAnonOld: w('Empty address in a file-backed or shared vma: this kernel still collects it as an empty slot; inserting a page there is refused in migrate_vma_pages().'),
		holeCompound: w('Empty, PMD-aligned 2 MiB range with SELECT_COMPOUND: the head slot stands for the whole PMD (MIGRATE|COMPOUND, no VALID).'),
		holeCompoundTail: w('Inside the PMD whose head slot carries COMPOUND: left 0.'),
		hugeZeroCompound: w('PMD-mapped huge zero page with SELECT_SYSTEM and SELECT_COMPOUND: treated as an empty PMD (MIGRATE|COMPOUND on the head slot).'),
		zeroSel: w('Mapped to the shared zero page: collected as an empty slot (MIGRATE without VALID); nothing to lock or unmap.'),
		zeroNoSel: w('Mapped to the shared zero page, but SELECT_SYSTEM is not set: skipped.'),
		zeroSrcOwner: w('Mapped to the zero page, but src_owner is set, which selects device-private pages only: skipped.'),
		sysSel: w(era.flags ? 'System page selected by SELECT_SYSTEM: locked, unmapped (a migration entry replaces the PTE) and isolated.'
			: 'System page: collected, locked, unmapped (a migration entry replaces the PTE) and isolated.'),
		sysNoSel: w('System page, but SELECT_SYSTEM is not set: skipped.'),
		sysSrcOwner: w('System page, but src_owner is set, which selects device-private pages only: skipped.'),
		fileSel: w('Page-cache (file or shmem) page: collected and unmapped, but migrate_vma_pages() will refuse to move it into device memory.'),
		thpSplitSel: w('Part of a PMD-mapped THP that was split into base pages (no SELECT_COMPOUND, or the range does not cover the whole PMD): collected as a system page.'),
		thpSplitFail: w('Part of a PMD-mapped folio that could not be locked or split (it is locked or has extra references): the whole PMD range is skipped.'),
		thpLockFail: w('Head of a PMD-mapped folio that is locked by someone else: trylock failed, the whole PMD range is skipped.'),
		thpCompound: w('Head of a PMD-mapped THP selected as one unit with SELECT_COMPOUND: VALID|MIGRATE|COMPOUND on the head slot, a PMD migration entry installed.'),
		thpTail: w('Inside the PMD unit whose head slot carries COMPOUND: left 0.'),
		thpNoSel: w('PMD-mapped THP, but SELECT_SYSTEM is not set: the whole PMD range is skipped.'),
		splitNoSel: w(era.flags
			? 'Part of a PMD mapping that this kernel split at collect time (up to 6.18 every PMD-mapped THP or huge zero page is split before any flag is tested); as a base page it is not selected because SELECT_SYSTEM is not set.'
			: 'Part of a PMD mapping that this kernel split at collect time (up to 6.18 every PMD-mapped THP or huge zero page is split first); as a base page it is not selected (src_owner selects device-private pages only).'),
		swap: w('Swapped-out page: skipped (migration never swaps pages in).'),
		dpNoFlag: w('Device-private page, but SELECT_DEVICE_PRIVATE is not set: skipped.'),
		dpSrcOwnerNull: w('Device-private page, but src_owner is NULL, which selects system pages only: skipped.'),
		dcNoFlag: w('Device-coherent page, but SELECT_DEVICE_COHERENT is not set: skipped.'),
		lockFail: w('Locked by someone else: trylock failed, so the entry is dropped (0) and not counted.'),
		lockFailOld: w('Locked by someone else: collected without LOCKED, then the second trylock in the prepare step failed, so the entry was dropped (0) and cpages decremented.'),
		pinned: w('Holds an extra reference (a pin): the reference-count check of the unmap step fails, the mapping is restored and the entry becomes 0 (setup still returns 0).'),
		dpPinnedOld: w('Device-private page with an extra reference: before 5.17 the reference-count check always let device-private pages pass, so it is collected anyway.'),
		faultPageOk: w('The fault page: its lock and the fault path\'s extra reference are accounted for, so it is collected and unmapped.'),
		faultRefNoFp: w('The faulting page: do_swap_page() holds an extra reference and fault_page was not passed, so the page looks pinned: restored, entry 0 (6.1+).'),
		faultLockNoFp: w('The faulting page: do_swap_page() holds it locked and fault_page was not passed, so trylock fails: entry 0 (6.15+).'),
		migrating: w('Already replaced by a migration entry of an earlier, unfinished migration: skipped.'),
		dstNotSelected: w('No destination: the src entry does not have MIGRATE.'),
		dstSkipped: w('The driver left dst empty for this entry (skip).'),
		dstTail: w('Covered by the COMPOUND destination of its head slot: 0.'),
		dstBaseForCompound: w('The driver could only get base pages: a base destination for this slot of a COMPOUND unit (the core will split the source).'),
		pNotSelected: w('Not migrating: the entry was 0 or lost MIGRATE during setup.'),
		pNoDst: w('The driver left dst empty: MIGRATE is cleared and finalize restores the source.'),
		pHoleOk: w('Empty slot: the new page was inserted as a fresh anonymous mapping (writable if the vma is).'),
		pHoleNonAnon: w('Empty slot in a file-backed or shared vma: a new page cannot be inserted there; MIGRATE cleared.'),
		pPopulated: w('The address was populated after setup (the CPU or GUP touched it): insertion refused; MIGRATE cleared.'),
		pFileToDevice: w('Page-cache page: it cannot be moved into device memory; MIGRATE cleared and the page is restored.'),
		pOk: w('Migrated: the page state moved to the destination; finalize maps the new page.'),
		pSplit: w('COMPOUND source with base-page destinations: the source was split and this slot migrated on its own.'),
		pSplitOk: w('COMPOUND source with base-page destinations: the source folio was split and this page migrated on its own.'),
		pSplitHoleOk: w('COMPOUND empty slot with base-page destinations: this page was inserted on its own.'),
		pUnitOk: w('PMD-sized unit migrated as one folio.'),
		pUnitTail: w('Moved together with the COMPOUND unit of its head slot.'),
		pUnitFailed: w('Part of a COMPOUND unit that did not migrate.'),
	};
}

// ---- public entry points ----------------------------------------------------------------------------

function emptyResult(kernel: string, errors: string[]): SimResult {
	return { kernel, steps: [], notifications: [], final: [], errors, warnings: [] };
}

/** Runs a scenario. Never throws: a malformed scenario comes back with `errors` and no steps. */
export function simulate(input: unknown): SimResult {
	const kernelText = isObj(input) && typeof input.kernel === 'string' ? input.kernel : formatKernel(NEWEST_KERNEL);
	try {
		const { scenario, errors, table } = check(input, true);
		if (!scenario || !table || errors.length > 0) {
			return emptyResult(kernelText, errors);
		}
		const v = parseKernel(scenario.kernel) as KernelVersion;
		const sim = new Sim(scenario, v, table);
		if (!isObj(input) || input.kernel === undefined) {
			sim.warn(`No kernel given: simulated on ${formatKernel(NEWEST_KERNEL)}, the newest modelled.`);
		} else if (cmpKernel(v, NEWEST_KERNEL) > 0) {
			sim.warn(`Kernel ${formatKernel(v)} is newer than the newest modelled (${formatKernel(NEWEST_KERNEL)}); simulated with ${formatKernel(NEWEST_KERNEL)} semantics.`);
		}
		const steps: StepResult[] = [];
		const list: ScenarioStep[] = scenario.steps ?? [];
		list.forEach((st, idx) => {
			switch (st.op) {
				case 'setup':
					steps.push(sim.setup(sim.setupArgs(st, idx), idx, NO_FAULT));
					break;
				case 'copy':
					steps.push(sim.copy(st, idx));
					break;
				case 'pages':
					steps.push(sim.pages(idx));
					break;
				case 'finalize':
					steps.push(sim.finalize(idx));
					break;
				case 'pin':
					steps.push(sim.pin(st, idx));
					break;
				case 'unpin':
					steps.push(sim.unpin(st));
					break;
				case 'cpu-fault': {
					const r = sim.cpuFault(st, idx);
					delete (r as { ok?: boolean }).ok;
					steps.push(r);
					break;
				}
			}
		});
		sim.unfinished();
		return {
			kernel: formatKernel(v),
			steps,
			notifications: sim.notifications,
			final: sim.finalPages(),
			errors: [],
			warnings: sim.warnings,
		};
	} catch (e) {
		return emptyResult(kernelText, [`internal error while simulating: ${e instanceof Error ? e.message : String(e)}`]);
	}
}
