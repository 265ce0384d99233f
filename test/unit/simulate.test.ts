/*
 * The simulator against scenarios worked out by hand from SEMANTICS.md. Each scenario names the
 * section it follows. The JSON fixtures in test/fixtures/scenarios carry their expected values in an
 * `expect` key (which the simulator ignores); the inline scenarios below assert the same way.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simulate, validateScenario } from '../../server/src/core/model/simulate';
import type { FinalPage, Scenario, ScenarioPage, SimResult, SrcEntry, StepResult } from '../../server/src/core/model/scenario';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'scenarios');

// ---- expectation helpers ---------------------------------------------------------------------------

type Ranged<T> = T[] | Record<string, T>;

/** Expands `["a", "b"]` or `{ "0": x, "1-511": y }` into a per-index lookup. */
function expand<T>(spec: Ranged<T>): Map<number, T> {
	const out = new Map<number, T>();
	if (Array.isArray(spec)) {
		spec.forEach((v, i) => out.set(i, v));
		return out;
	}
	for (const [key, v] of Object.entries(spec)) {
		const m = /^(\d+)(?:-(\d+))?$/.exec(key);
		assert.ok(m, `bad range key ${key}`);
		const a = Number(m[1]);
		const b = m[2] === undefined ? a : Number(m[2]);
		for (let i = a; i <= b; i++) {
			out.set(i, v);
		}
	}
	return out;
}

function flagSet(e: SrcEntry): string {
	return [...e.flags].sort().join('|');
}

function specSet(s: string): string {
	return s === '' ? '' : s.split('|').sort().join('|');
}

function checkEntries(actual: SrcEntry[] | undefined, spec: Ranged<string>, what: string): void {
	assert.ok(actual, `${what}: missing`);
	const want = expand(spec);
	if (Array.isArray(spec)) {
		assert.equal(actual.length, spec.length, `${what}: length`);
	}
	for (const [i, s] of want) {
		assert.ok(actual[i], `${what}[${i}] missing`);
		assert.equal(flagSet(actual[i]), specSet(s), `${what}[${i}] flags (why: ${actual[i].why})`);
		assert.ok(actual[i].why.length > 10, `${what}[${i}] has a why`);
	}
}

interface StepExpect {
	op?: string;
	ret?: number | string;
	cpages?: number;
	filled?: number;
	moved?: number;
	restored?: number;
	src?: Ranged<string>;
	dst?: Ranged<string>;
	migrated?: boolean[] | Record<string, boolean>;
	pinned?: boolean[];
}

interface Expect {
	steps?: StepExpect[];
	notifications?: { event: string; owner: string | null; first: number; count: number }[];
	final?: Ranged<Partial<FinalPage>>;
	warnings?: string[];
	errors?: string[];
}

function checkStep(r: StepResult, e: StepExpect, k: number): void {
	const at = `steps[${k}]`;
	if (e.op !== undefined) {
		assert.equal(r.op, e.op, `${at}.op`);
	}
	for (const key of ['ret', 'cpages', 'filled', 'moved', 'restored'] as const) {
		if (e[key] !== undefined) {
			assert.equal(r[key], e[key], `${at}.${key} (why: ${JSON.stringify(r.why)})`);
		}
	}
	if (e.src !== undefined) {
		checkEntries(r.src, e.src, `${at}.src`);
	}
	if (e.dst !== undefined) {
		checkEntries(r.dst, e.dst, `${at}.dst`);
	}
	if (e.migrated !== undefined) {
		if (Array.isArray(e.migrated)) {
			assert.deepEqual(r.migrated, e.migrated, `${at}.migrated (why: ${JSON.stringify(r.why)})`);
		} else {
			for (const [i, v] of expand(e.migrated)) {
				assert.equal(r.migrated?.[i], v, `${at}.migrated[${i}]`);
			}
		}
	}
	if (e.pinned !== undefined) {
		assert.deepEqual(r.pinned, e.pinned, `${at}.pinned (why: ${JSON.stringify(r.why)})`);
	}
}

function checkFinal(actual: FinalPage[], spec: Ranged<Partial<FinalPage>>): void {
	if (Array.isArray(spec)) {
		assert.equal(actual.length, spec.length, 'final length');
	}
	for (const [i, want] of expand(spec)) {
		const got = actual[i];
		assert.ok(got, `final[${i}] missing`);
		assert.equal(got.state, want.state, `final[${i}].state`);
		if (want.owner !== undefined) {
			assert.equal(got.owner, want.owner, `final[${i}].owner`);
		}
		if (want.writable !== undefined) {
			assert.equal(got.writable, want.writable, `final[${i}].writable`);
		}
		for (const flag of ['pinned', 'locked', 'pmd', 'migrating'] as const) {
			assert.equal(got[flag] === true, want[flag] === true, `final[${i}].${flag}`);
		}
	}
}

function check(res: SimResult, ex: Expect): void {
	if (ex.errors !== undefined) {
		assert.ok(res.errors.length > 0, 'expected errors');
		for (const s of ex.errors) {
			assert.ok(res.errors.some((e) => e.includes(s)), `an error mentioning ${JSON.stringify(s)} in ${JSON.stringify(res.errors)}`);
		}
		assert.deepEqual(res.steps, []);
		return;
	}
	assert.deepEqual(res.errors, [], 'no errors');
	if (ex.steps) {
		assert.equal(res.steps.length, ex.steps.length, 'one result per step');
		ex.steps.forEach((e, k) => checkStep(res.steps[k], e, k));
	}
	if (ex.notifications) {
		assert.deepEqual(res.notifications.map(({ event, owner, first, count }) => ({ event, owner, first, count })), ex.notifications, 'notifications');
	}
	if (ex.final) {
		checkFinal(res.final, ex.final);
	}
	if (ex.warnings) {
		if (ex.warnings.length === 0) {
			assert.deepEqual(res.warnings, [], 'no warnings');
		}
		for (const s of ex.warnings) {
			assert.ok(res.warnings.some((w) => w.includes(s)), `a warning mentioning ${JSON.stringify(s)} in ${JSON.stringify(res.warnings)}`);
		}
	}
}

function run(sc: Record<string, unknown>, ex: Expect): SimResult {
	const res = simulate(sc);
	check(res, ex);
	return res;
}

// ---- scenario builders -------------------------------------------------------------------------------

const anon = { anonymous: true, shared: false, read: true, write: true };

function rep(page: ScenarioPage, n: number): ScenarioPage[] {
	return Array.from({ length: n }, () => ({ ...page }));
}

/** A PMD-mapped folio: its head with pmd:true and 511 tail pages. */
function pmd(page: ScenarioPage): ScenarioPage[] {
	return [{ ...page, pmd: true }, ...rep(page, 511)];
}

const fullMigration = (to: 'system' | 'device-private' | 'device-coherent', owner = 'gpu0', extra: Record<string, unknown> = {}) => [
	{ op: 'copy', to, owner, ...extra },
	{ op: 'pages' },
	{ op: 'finalize' },
];

// ---- the fixtures ---------------------------------------------------------------------------------------

describe('scenario fixtures (test/fixtures/scenarios)', () => {
	const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
	it('there are fixtures to run', () => {
		assert.ok(files.length >= 20, `found ${files.length}`);
	});
	for (const f of files) {
		it(f, () => {
			const sc = JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8')) as Record<string, unknown>;
			assert.ok(typeof sc.notes === 'string' && /§\d/.test(sc.notes), 'notes name the SEMANTICS section');
			assert.ok(sc.expect, 'has an expect block');
			run(sc, sc.expect as Expect);
		});
	}
});

// ---- §4.1 argument checks ---------------------------------------------------------------------------------

describe('§4.1 argument checks', () => {
	const pages = rep({ state: 'system' }, 4);
	const setup = (extra: Record<string, unknown>) => ({ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 4, ...extra });

	// §4.1 check 2: the vma checks come before the length check, so a hugetlb vma with count 0 names the vma.
	it('hugetlb, VM_SPECIAL and DAX vmas are -EINVAL, checked before nr_pages', () => {
		for (const bad of ['hugetlb', 'special', 'dax']) {
			const res = run({ kernel: '6.8', vma: { ...anon, [bad]: true }, pages, steps: [setup({ count: 0 })] },
				{ steps: [{ op: 'setup', ret: -22 }], notifications: [] });
			assert.match(String(res.steps[0].why), bad === 'special' ? /VM_SPECIAL/ : new RegExp(bad, 'i'));
		}
	});

	// §4.1 check 2: NULL vma.
	it('a NULL vma is -EINVAL', () => {
		run({ kernel: '5.9', vma: anon, pages, steps: [setup({ vmaNull: true })] }, { steps: [{ ret: -22 }], notifications: [] });
	});

	// §4.1 check 3 before check 4: count 0 at a start outside the vma reports the length.
	it('count 0 is -EINVAL on every era; the 5.4+ order reports nr_pages first', () => {
		for (const kernel of ['4.14', '5.4', '6.8', '7.0']) {
			run({ kernel, vma: anon, pages, steps: [setup({ count: 0 })] }, { steps: [{ ret: -22 }], notifications: [] });
		}
		const r = simulate({ kernel: '6.8', vma: anon, pages, steps: [setup({ first: 9, count: 0 })] });
		assert.match(String(r.steps[0].why), /nr_pages is 0/);
		const old = simulate({ kernel: '5.3', vma: anon, pages, steps: [setup({ first: 9, count: 0 })] });
		assert.match(String(old.steps[0].why), /start lies outside/);
	});

	// §4.1 check 6: dst NULL.
	it('a NULL dst is -EINVAL; a valid range with src and dst returns 0', () => {
		run({ kernel: '6.8', vma: anon, pages, steps: [setup({ dstNull: true })] }, { steps: [{ ret: -22 }] });
		run({ kernel: '6.8', vma: anon, pages, steps: [setup({})] }, { steps: [{ ret: 0, cpages: 4 }] });
	});

	// §4.1 check 7 exists from 6.1: on 6.0 fault_page is not a field, the key is ignored.
	it('fault_page is ignored with a warning before 6.1', () => {
		run({ kernel: '6.0', vma: anon, pages: [{ state: 'system' }, { state: 'device-private', owner: 'gpu0' }],
			steps: [{ op: 'setup', flags: ['DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 0, count: 2, faultPage: 0 }] },
		{ steps: [{ ret: 0, cpages: 1, src: ['', 'VALID|MIGRATE|WRITE'] }], warnings: ['fault_page exists from 6.1'] });
	});

	// §4.1 check 8 exists from 6.15: on 6.14 an "unlocked" fault page is accepted (the core locks it itself).
	it('an unlocked fault_page is accepted on 6.14 and collected', () => {
		run({ kernel: '6.14', vma: anon, pages: [{ state: 'device-private', owner: 'gpu0' }],
			steps: [{ op: 'setup', flags: ['DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 0, count: 1, faultPage: 0, faultPageLocked: false }] },
		{ steps: [{ ret: 0, cpages: 1, src: ['VALID|MIGRATE|WRITE'] }] });
	});

	// §4.1 check 8 with the lock held (the normal migrate_to_ram case on 6.15+): the core does not lock it again.
	it('a locked fault_page on 6.15 is collected although it is locked', () => {
		run({ kernel: '6.15', vma: anon, pages: [{ state: 'device-private', owner: 'gpu0', locked: true }, { state: 'device-private', owner: 'gpu0', locked: true }],
			steps: [{ op: 'setup', flags: ['DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 0, count: 2, faultPage: 0 }] },
		{ steps: [{ ret: 0, cpages: 1, src: ['VALID|MIGRATE|WRITE', ''] }] });
	});
});

// ---- §4.2 collection across eras ------------------------------------------------------------------------------

describe('§4.2 collection', () => {
	// §2.2: MIGRATE_PFN_LOCKED exists until 5.15; 5.16 removed it.
	it('reports LOCKED on 5.15 and not on 5.16', () => {
		const sc = (kernel: string) => ({ kernel, vma: anon, pages: [{ state: 'system', writable: false }],
			steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 1 }, ...fullMigration('device-private')] });
		run(sc('5.15'), { steps: [{ src: ['VALID|MIGRATE|LOCKED'] }, { dst: ['VALID|LOCKED'] }, { migrated: [true] }, { moved: 1 }],
			final: [{ state: 'device-private', owner: 'gpu0', writable: false }] });
		run(sc('5.16'), { steps: [{ src: ['VALID|MIGRATE'] }, { dst: ['VALID'] }, { migrated: [true] }, { moved: 1 }] });
	});

	// §4.2 historical deltas: before 5.16 a page that fails trylock is dropped by the prepare step; same observable result.
	it('a locked page is dropped on 5.15 as on 5.16, with an era-specific reason', () => {
		const sc = (kernel: string) => ({ kernel, vma: anon, pages: [{ state: 'system', locked: true }], steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 1 }] });
		const a = run(sc('5.15'), { steps: [{ cpages: 0, src: [''] }] });
		const b = run(sc('5.16'), { steps: [{ cpages: 0, src: [''] }] });
		assert.match(a.steps[0].src?.[0].why ?? '', /prepare/);
		assert.doesNotMatch(b.steps[0].src?.[0].why ?? '', /prepare/);
	});

	// §4.3 and §1 (v5.17): the reference-count test reached device-private pages only from 5.17.
	it('an extra reference on a device-private page blocks it from 5.17, not on 5.16', () => {
		const sc = (kernel: string) => ({ kernel, vma: anon, pages: [{ state: 'device-private', owner: 'gpu0', pinned: true }],
			steps: [{ op: 'setup', flags: ['DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 0, count: 1 }, ...fullMigration('system')] });
		run(sc('5.16'), { steps: [{ cpages: 1, src: ['VALID|MIGRATE|WRITE'] }, {}, { migrated: [true] }, {}], final: [{ state: 'system' }] });
		run(sc('5.17'), { steps: [{ cpages: 0, src: [''] }, {}, { migrated: [false] }, {}], final: [{ state: 'device-private', owner: 'gpu0', pinned: true }] });
	});

	// §4.2 historical deltas (5.7–5.8): src_owner NULL selects system pages and holes, never device-private pages.
	it('src_owner NULL on 5.7 collects system pages and holes, not device pages', () => {
		run({ kernel: '5.7', vma: anon,
			pages: [{ state: 'system' }, { state: 'zero' }, { state: 'none' }, { state: 'device-private', owner: 'gpu0' }],
			steps: [{ op: 'setup', srcOwner: null, first: 0, count: 4 }] },
		{ steps: [{ ret: 0, cpages: 3, src: ['VALID|MIGRATE|LOCKED|WRITE', 'MIGRATE', 'MIGRATE', ''] }],
			notifications: [{ event: 'MMU_NOTIFY_CLEAR', owner: null, first: 0, count: 4 }], warnings: ['never finalized'] });
	});

	// Contract 2 and §1 (v5.9 rename): a 5.9+ scenario run on 5.8 has its flags/pgmapOwner turned into src_owner.
	it('translates flags/pgmapOwner to src_owner on 5.8 and src_owner to flags on 5.9, with warnings', () => {
		const pages = [{ state: 'device-private', owner: 'gpu0' }, { state: 'system' }] as ScenarioPage[];
		run({ kernel: '5.8', vma: anon, pages, steps: [{ op: 'setup', flags: ['DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 0, count: 2 }] },
			{ steps: [{ cpages: 1, src: ['VALID|MIGRATE|LOCKED|WRITE', ''] }], warnings: ['src_owner = "gpu0"'] });
		run({ kernel: '5.9', vma: anon, pages, steps: [{ op: 'setup', srcOwner: 'gpu0', first: 0, count: 2 }] },
			{ steps: [{ cpages: 1, src: ['VALID|MIGRATE|LOCKED|WRITE', ''] }], notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 2 }],
				warnings: ['flags = DEVICE_PRIVATE'] });
	});

	// §4.7 rule 5: on 5.9+ a setup without flags selects only holes.
	it('a setup without flags on 5.9 collects only holes and says so', () => {
		run({ kernel: '5.9', vma: anon, pages: [{ state: 'system' }, { state: 'none' }], steps: [{ op: 'setup', pgmapOwner: 'gpu0', first: 0, count: 2 }] },
			{ steps: [{ cpages: 1, src: ['', 'MIGRATE'] }], warnings: ['flags not set'] });
	});

	// §4.2 (v5.9 cut, uncertain): before 5.9 holes of non-anonymous vmas were collected and refused at insertion.
	it('non-anonymous holes: collected then refused on 5.8, not collected on 6.8', () => {
		const sc = (kernel: string) => ({ kernel, vma: { anonymous: false, write: true }, pages: [{ state: 'none' }, { state: 'system' }],
			steps: [{ op: 'setup', flags: ['SYSTEM'], srcOwner: null, first: 0, count: 2 }, ...fullMigration('device-private')] });
		run(sc('5.8'), { steps: [{ cpages: 2, src: ['MIGRATE', 'VALID|MIGRATE|LOCKED|WRITE'] }, {}, { migrated: [false, true] }, { moved: 1 }],
			notifications: [{ event: 'MMU_NOTIFY_CLEAR', owner: null, first: 0, count: 2 }, { event: 'MMU_NOTIFY_CLEAR', owner: null, first: 0, count: 2 }],
			final: [{ state: 'none' }, { state: 'device-private', owner: 'gpu0' }] });
		run(sc('6.8'), { steps: [{ cpages: 1, src: ['', 'VALID|MIGRATE|WRITE'] }, {}, { migrated: [false, true] }, { moved: 1 }],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: null, first: 0, count: 2 }] });
	});

	// Contract 2 decision: device-coherent pages cannot exist before 6.0 → scenario error; the flag alone is ignored.
	it('device-coherent memory before 6.0 is a scenario error; the DEVICE_COHERENT flag is ignored with a warning', () => {
		run({ kernel: '5.19', vma: anon, pages: [{ state: 'device-coherent', owner: 'gpu0' }], steps: [] }, { errors: ['device-coherent memory does not exist before 6.0'] });
		run({ kernel: '5.19', vma: anon, pages: [{ state: 'system' }], steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 1 }, { op: 'copy', to: 'device-coherent', owner: 'gpu0' }] },
			{ errors: ['steps[1].to'] });
		run({ kernel: '5.19', vma: anon, pages: [{ state: 'system' }], steps: [{ op: 'setup', flags: ['DEVICE_COHERENT'], first: 0, count: 1 }] },
			{ steps: [{ cpages: 0, src: [''] }], warnings: ['DEVICE_COHERENT does not exist before 6.0'] });
	});

	// §4.2: a device-private page of another owner is not selected; a swapped page never is.
	it('a mixed range on 7.0 with both private and system flags', () => {
		run({ kernel: '7.0', vma: anon,
			pages: [{ state: 'device-private', owner: 'gpu0' }, { state: 'device-private', owner: 'gpu1' }, { state: 'swap' }, { state: 'system' }, { state: 'zero' }],
			steps: [{ op: 'setup', flags: ['SYSTEM', 'DEVICE_PRIVATE'], pgmapOwner: 'gpu1', first: 0, count: 5 }] },
		{ steps: [{ cpages: 3, src: ['', 'VALID|MIGRATE|WRITE', '', 'VALID|MIGRATE|WRITE', 'MIGRATE'] }] });
	});

	// §4.2: a second setup over pages still behind migration entries finds non-present entries and skips them.
	it('a second setup over an unfinished migration skips the pages it holds', () => {
		const res = run({ kernel: '6.8', vma: anon, pages: rep({ state: 'system' }, 2),
			steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 1 }, { op: 'setup', flags: ['SYSTEM'], first: 0, count: 2 }] },
		{ steps: [{ cpages: 1 }, { cpages: 1, src: ['', 'VALID|MIGRATE|WRITE'] }], warnings: ['never finalized'] });
		assert.match(res.steps[1].src?.[0].why ?? '', /migration entry/);
		assert.ok(res.warnings.some((w) => w.includes('never finalized: 1 pages') && w.includes('step 0')));
	});

	// §3: the one-call API returns early when nothing is collected; alloc_and_copy never runs.
	it('4.14: migrate_vma() with nothing to collect returns before alloc_and_copy', () => {
		const res = run({ kernel: '4.14', vma: anon, pages: [{ state: 'swap' }], steps: [{ op: 'setup', first: 0, count: 1 }, ...fullMigration('device-private')] },
			{ steps: [{ ret: 0, cpages: 0, src: [''] }, { filled: 0 }, { migrated: [] }, { moved: 0 }], warnings: [] });
		assert.match(String(res.steps[1].why), /alloc_and_copy/);
	});
});

// ---- §4.2 / §4.5 / §9: PMD units (6.19+) -----------------------------------------------------------------

describe('§9 PMD-sized units', () => {
	const thp = (kernel: string, flags: string[], extraSteps: Record<string, unknown>[] = []) => ({
		kernel, vma: anon, pages: [...pmd({ state: 'system', writable: true }), ...rep({ state: 'system' }, 4)],
		steps: [{ op: 'setup', flags, pgmapOwner: 'gpu0', first: 0, count: 516 }, ...extraSteps],
	});

	// §4.2 PMD-mapped THP row with SELECT_COMPOUND; §4.5 COMPOUND src + COMPOUND dst; §9.
	it('a THP with SELECT_COMPOUND migrates as one unit on 6.19', () => {
		run(thp('6.19', ['SYSTEM', 'COMPOUND'], fullMigration('device-private', 'gpu0', { compound: true })), {
			steps: [
				{ cpages: 5, src: { '0': 'VALID|MIGRATE|WRITE|COMPOUND', '1-511': '', '512-515': 'VALID|MIGRATE|WRITE' } },
				{ dst: { '0': 'VALID|COMPOUND', '1-511': '', '512-515': 'VALID' } },
				{ migrated: { '0-515': true } },
				{ moved: 516, restored: 0 },
			],
			final: { '0': { state: 'device-private', owner: 'gpu0', pmd: true }, '1-515': { state: 'device-private', owner: 'gpu0' } },
			warnings: [],
		});
	});

	// §4.2 "otherwise: folio split, then per-PTE rules".
	it('without SELECT_COMPOUND the THP is split and its pages are collected one by one', () => {
		run(thp('6.19', ['SYSTEM'], fullMigration('device-private')), {
			steps: [{ cpages: 516, src: { '0-515': 'VALID|MIGRATE|WRITE' } }, {}, { migrated: { '0-515': true } }, { moved: 516 }],
			final: { '0-515': { state: 'device-private', owner: 'gpu0' } },
		});
	});

	// §4.2 historical deltas (≤6.18): every PMD THP is split; SELECT_COMPOUND does not exist (ignored with a warning).
	it('on 6.8 SELECT_COMPOUND is ignored and the THP split', () => {
		run(thp('6.8', ['SYSTEM', 'COMPOUND']), {
			steps: [{ cpages: 516, src: { '0-515': 'VALID|MIGRATE|WRITE' } }],
			warnings: ['COMPOUND does not exist before 6.19'],
		});
	});

	// §4.5 6.19+: COMPOUND src with base-page dst → the source is split in migrate_vma_pages().
	it('a COMPOUND source with base destinations is split during pages', () => {
		run(thp('6.19', ['SYSTEM', 'COMPOUND'], fullMigration('device-private', 'gpu0', { compound: false, skip: [3] })), {
			steps: [
				{ cpages: 5 },
				{ filled: 515, dst: { '0-2': 'VALID', '3': '', '4-515': 'VALID' } },
				{ migrated: { '0-2': true, '3': false, '4-515': true }, src: { '0-2': 'VALID|MIGRATE|WRITE', '3': 'VALID|WRITE' } },
				{ moved: 515, restored: 1 },
			],
			final: { '0-2': { state: 'device-private', owner: 'gpu0' }, '3': { state: 'system' }, '4-515': { state: 'device-private', owner: 'gpu0' } },
		});
	});

	// §4.2 PMD row: "split failure or trylock failure → whole range 0".
	it('a pinned THP cannot be split: the whole PMD range is skipped', () => {
		const pages = [...pmd({ state: 'system' })];
		pages[7] = { ...pages[7], pinned: true };
		run({ kernel: '6.8', vma: anon, pages, steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 512 }] },
			{ steps: [{ cpages: 0, src: { '0-511': '' } }], final: { '0': { state: 'system', pmd: true }, '1-6': { state: 'system' }, '7': { state: 'system', pinned: true } } });
	});

	// §4.2 first table row: an empty PMD-aligned hole with SELECT_COMPOUND is one COMPOUND slot; a partial PMD is per page.
	it('empty PMD-aligned holes become COMPOUND slots; the unaligned rest stays per page', () => {
		const res = run({ kernel: '6.19', vma: anon, pages: rep({ state: 'none' }, 1024),
			steps: [{ op: 'setup', flags: ['SYSTEM', 'COMPOUND'], pgmapOwner: 'gpu0', first: 0, count: 1000 }, ...fullMigration('device-private', 'gpu0', { compound: true })] },
		{
			steps: [
				{ cpages: 1 + 488, src: { '0': 'MIGRATE|COMPOUND', '1-511': '', '512-999': 'MIGRATE' } },
				{ dst: { '0': 'VALID|COMPOUND', '1-511': '', '512-999': 'VALID' } },
				{ migrated: { '0-999': true } },
				{ moved: 1000 },
			],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 1000 }, { event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 1000 }],
			final: { '0': { state: 'device-private', owner: 'gpu0', pmd: true }, '1-999': { state: 'device-private', owner: 'gpu0' }, '1000-1023': { state: 'none' } },
		});
		assert.equal(res.final.length, 1024);
	});

	// §9 and §5: a CPU fault on a PMD-level device-private entry migrates the whole PMD with SELECT_COMPOUND.
	it('a CPU fault on a PMD device-private folio brings the whole unit back', () => {
		run({ kernel: '6.19', vma: anon, pages: pmd({ state: 'device-private', owner: 'gpu0', writable: true }), steps: [{ op: 'cpu-fault', page: 100 }] }, {
			steps: [{ op: 'cpu-fault', ret: 0, src: { '0': 'VALID|MIGRATE|WRITE|COMPOUND', '1-511': '' } }],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 512 }],
			final: { '0': { state: 'system', pmd: true, writable: true }, '1-511': { state: 'system', writable: true } },
		});
	});

	// Contract 2 decision: PMD-level device-private entries do not exist before 6.19.
	it('a PMD device-private folio before 6.19 is a scenario error', () => {
		run({ kernel: '6.18', vma: anon, pages: pmd({ state: 'device-private', owner: 'gpu0' }), steps: [] }, { errors: ['exist from 6.19'] });
	});
});

// ---- §5 faults -----------------------------------------------------------------------------------------

describe('§5 CPU faults on device-private pages', () => {
	const one = (kernel: string, step: Record<string, unknown>) => ({ kernel, vma: anon, pages: [{ state: 'device-private', owner: 'gpu0', writable: true }], steps: [{ op: 'cpu-fault', page: 0, ...step }] });

	// §4.7 rule 7: on 6.15+ do_swap_page holds the page lock; without fault_page the trylock fails.
	it('6.15 without fault_page: trylock fails, nothing migrates, the fault retries', () => {
		const res = run(one('6.15', { passFaultPage: false }), { steps: [{ ret: 0, src: [''], migrated: [false] }], final: [{ state: 'device-private', owner: 'gpu0' }] });
		assert.match(res.steps[0].src?.[0].why ?? '', /locked/);
		assert.match(String(res.steps[0].why), /livelock/);
	});

	// §1 (6.1 "fix race when faulting a device private page"): before 6.1 there is no extra reference, no fault_page needed.
	it('6.0: the handler migrates the page without fault_page', () => {
		run(one('6.0', { passFaultPage: false }), { steps: [{ ret: 0, migrated: [true] }], final: [{ state: 'system', writable: true }], warnings: [] });
	});

	// §4.7 rule 6: a handler passing another owner selects nothing.
	it('a handler passing the wrong pgmap_owner migrates nothing', () => {
		const res = run(one('6.8', { pgmapOwner: 'gpu1' }), { steps: [{ ret: 0, migrated: [false] }],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu1', first: 0, count: 1 }], final: [{ state: 'device-private', owner: 'gpu0' }] });
		assert.match(res.steps[0].src?.[0].why ?? '', /owner "gpu0".*pgmap_owner is "gpu1"/);
	});

	// §5 on 5.8: the handler sets src_owner to its owner.
	it('5.8: the handler uses src_owner', () => {
		run(one('5.8', {}), { steps: [{ ret: 0, src: ['VALID|MIGRATE|LOCKED|WRITE'], migrated: [true] }],
			notifications: [{ event: 'MMU_NOTIFY_CLEAR', owner: null, first: 0, count: 1 }], final: [{ state: 'system' }] });
	});

	// §3 "Fault path": before 5.3 the fault went to the hmm_devmem fault callback.
	it('4.14: the fault goes to the hmm_devmem fault callback', () => {
		const res = run(one('4.14', {}), { steps: [{ ret: 0, src: ['VALID|MIGRATE|LOCKED|WRITE|DEVICE'] }], final: [{ state: 'system' }] });
		assert.equal(res.steps[0].handler, 'hmm_devmem_ops.fault');
	});

	// §5: device-coherent memory never faults; other states follow ordinary fault handling.
	it('faults on coherent, empty, zero and swapped pages', () => {
		run({ kernel: '6.8', vma: anon, pages: [{ state: 'device-coherent', owner: 'gpu0' }, { state: 'none' }, { state: 'zero' }, { state: 'swap' }],
			steps: [{ op: 'cpu-fault', page: 0 }, { op: 'cpu-fault', page: 1 }, { op: 'cpu-fault', page: 2, write: true }, { op: 'cpu-fault', page: 3 }] },
		{ steps: [{ ret: 0 }, { ret: 0 }, { ret: 0 }, { ret: 'VM_FAULT_MAJOR' }], notifications: [],
			final: [{ state: 'device-coherent', owner: 'gpu0' }, { state: 'zero' }, { state: 'system', writable: true }, { state: 'system' }] });
	});

	// §4.5: a hole populated by the CPU between setup and pages cannot receive the new page.
	it('a hole the CPU fills after setup is refused in migrate_vma_pages', () => {
		run({ kernel: '6.8', vma: anon, pages: [{ state: 'none' }, { state: 'none' }],
			steps: [{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 2 }, { op: 'cpu-fault', page: 1, write: true }, ...fullMigration('device-private')] },
		{ steps: [{ cpages: 2 }, { ret: 0 }, {}, { migrated: [true, false] }, { moved: 1 }],
			final: [{ state: 'device-private', owner: 'gpu0' }, { state: 'system', writable: true }] });
	});
});

// ---- §7 pinning ----------------------------------------------------------------------------------------

describe('§7 pinning', () => {
	// §7: device-private pages cannot be pinned; GUP faults them back (raising the owner's MIGRATE invalidation).
	it('a pin on a device-private page faults it back first (6.1)', () => {
		run({ kernel: '6.1', vma: anon, pages: [{ state: 'device-private', owner: 'gpu0' }, { state: 'none' }], steps: [{ op: 'pin', first: 0, count: 2, longterm: true }] },
			{ steps: [{ ret: 2, pinned: [true, true] }], notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 1 }],
				final: [{ state: 'system', pinned: true }, { state: 'system', pinned: true, writable: true }] });
	});

	// §7: a read-only pin of an empty anonymous address maps the zero page, which may be pinned.
	it('a read-only pin of a hole pins the zero page; unpin releases it', () => {
		run({ kernel: '6.8', vma: anon, pages: [{ state: 'none' }], steps: [{ op: 'pin', first: 0, count: 1, write: false, longterm: true }, { op: 'unpin', first: 0, count: 1 }] },
			{ steps: [{ ret: 1 }, { ret: 1 }], final: [{ state: 'zero' }] });
	});

	// §4.3(c) and §7: GUP meets a migration entry and waits; in this sequential model the pin stops there.
	it('a pin over pages behind migration entries does not pin them', () => {
		run({ kernel: '6.8', vma: anon, pages: [{ state: 'system' }], steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 1 }, { op: 'pin', first: 0, count: 1 }, { op: 'finalize' }] },
			{ steps: [{ cpages: 1 }, { ret: -16, pinned: [false] }, { restored: 1 }], final: [{ state: 'system' }] });
	});
});

// ---- §6 notifications by era --------------------------------------------------------------------------

describe('§6 notification events by era', () => {
	const sc = (kernel: string) => ({ kernel, vma: anon, pages: [{ state: 'none' }], steps: [{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 1 }, ...fullMigration('device-private')] });
	it('MMU_NOTIFY_MIGRATE with owner from 5.9, MMU_NOTIFY_CLEAR without owner on 5.0–5.8, untyped before 5.0', () => {
		const ev = (kernel: string) => simulate(sc(kernel)).notifications.map((n) => `${n.event}/${n.owner}`);
		assert.deepEqual(ev('5.9'), ['MMU_NOTIFY_MIGRATE/gpu0', 'MMU_NOTIFY_MIGRATE/gpu0']);
		assert.deepEqual(ev('5.8'), ['MMU_NOTIFY_CLEAR/null', 'MMU_NOTIFY_CLEAR/null']);
		assert.deepEqual(ev('5.0'), ['MMU_NOTIFY_CLEAR/null', 'MMU_NOTIFY_CLEAR/null']);
		assert.deepEqual(ev('4.20'), ['invalidate_range_start/null', 'invalidate_range_start/null']);
	});
	it('a failed setup raises no notification; step indexes are recorded', () => {
		const res = simulate({ ...sc('6.8'), steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 0 }, ...sc('6.8').steps] });
		assert.deepEqual(res.notifications.map((n) => n.step), [1, 3]);
	});
});

// ---- review cases: hand-worked from SEMANTICS.md, each once wrong or untested ----------------------------

describe('review: hand-worked corner cases', () => {
	// §4.5 (only device destinations refuse a folio with a mapping; folio_migrate_mapping carries the
	// mapping to a system destination) and §11 (page-cache pages never move into device memory): a
	// file page moved to system RAM is still page cache, so a second migration to the device fails.
	it('a page-cache page migrated to system memory stays page cache and still cannot go to the device', () => {
		const setup = { op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 1 };
		run({ kernel: '6.8', vma: { anonymous: false, shared: false, write: true }, pages: [{ state: 'file' }],
			steps: [setup, ...fullMigration('system'), setup, ...fullMigration('device-private')] }, {
			steps: [
				{ ret: 0, cpages: 1, src: ['VALID|MIGRATE'] }, { dst: ['VALID'] }, { migrated: [true], src: ['VALID|MIGRATE'] }, { moved: 1, restored: 0 },
				{ ret: 0, cpages: 1, src: ['VALID|MIGRATE'] }, { dst: ['VALID'] }, { migrated: [false], src: ['VALID'] }, { moved: 0, restored: 1 },
			],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 1 }, { event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 1 }],
			final: [{ state: 'file', writable: false }],
			warnings: [],
		});
	});

	// §4.2 historical deltas: up to 6.18 every PMD-mapped THP is split at collect time, before any
	// flag test (huge zero page: split into zero-page PTEs; THP: trylock + split, skipped if either
	// fails). §4.2 latest table: on 6.19 a PMD without SELECT_SYSTEM is skipped whole, not split.
	it('a PMD THP or huge zero page not selected is still split on 6.18, left whole on 6.19', () => {
		const sc = (kernel: string, pages: ScenarioPage[]) => ({ kernel, vma: anon, pages,
			steps: [{ op: 'setup', flags: ['DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 0, count: 512 }] });
		const thp = pmd({ state: 'system', writable: true });
		const hzp = pmd({ state: 'zero' });
		const none = { steps: [{ ret: 0, cpages: 0, src: { '0-511': '' } }], notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 512 }] };
		const a = run(sc('6.18', thp), { ...none, final: { '0-511': { state: 'system', writable: true } } });
		assert.match(a.steps[0].src?.[0].why ?? '', /split/);
		run(sc('6.19', thp), { ...none, final: { '0': { state: 'system', writable: true, pmd: true }, '1-511': { state: 'system', writable: true } } });
		run(sc('6.18', hzp), { ...none, final: { '0-511': { state: 'zero', writable: false } } });
		run(sc('6.19', hzp), { ...none, final: { '0': { state: 'zero', pmd: true }, '1-511': { state: 'zero' } } });
		// A locked THP cannot be trylocked for the split: the range is skipped and the PMD stays.
		const locked = pmd({ state: 'system', writable: true });
		locked[0] = { ...locked[0], locked: true };
		run(sc('6.18', locked), { ...none, final: { '0': { state: 'system', pmd: true, locked: true }, '1-511': { state: 'system' } } });
	});

	// §1 (6.15 "Trylock device page in do_swap_page") and §5: on 6.15+ the core trylocks the device
	// page before calling migrate_to_ram and retries the fault if it cannot; the handler never runs.
	// On 6.14 the handler runs and its own collection fails the trylock.
	it('a CPU fault on a device-private page locked by someone else: no handler on 6.15, a failed trylock on 6.14', () => {
		const sc = (kernel: string, step: Record<string, unknown>) => ({ kernel, vma: anon,
			pages: [{ state: 'device-private', owner: 'gpu0', locked: true }], steps: [step] });
		const a = run(sc('6.15', { op: 'cpu-fault', page: 0 }), { steps: [{ op: 'cpu-fault', ret: 0 }], notifications: [],
			final: [{ state: 'device-private', owner: 'gpu0', writable: true, locked: true }] });
		assert.equal(a.steps[0].src, undefined);
		assert.match(String(a.steps[0].why), /not called/);
		run(sc('6.14', { op: 'cpu-fault', page: 0 }), { steps: [{ op: 'cpu-fault', ret: 0, cpages: 0, src: [''], migrated: [false] }],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 1 }],
			final: [{ state: 'device-private', owner: 'gpu0', locked: true }] });
		// GUP faults device-private pages back through the same path: on 6.15 it cannot, so nothing is pinned.
		run(sc('6.15', { op: 'pin', first: 0, count: 1 }), { steps: [{ op: 'pin', ret: -14, pinned: [false] }], notifications: [],
			final: [{ state: 'device-private', owner: 'gpu0', locked: true }] });
	});

	// §11 and §4.4: the CPU mapping's permission comes from the old entry (existing pages) or VM_WRITE
	// (holes, zero page). A read fault brings a read-only entry back read-only; a write access then
	// retries and takes an ordinary write-protect fault, so the page ends writable.
	it('read-only private anon pages: device entry read-only, back read-only on a read, writable after a write', () => {
		const pages: ScenarioPage[] = [{ state: 'system', writable: false }, { state: 'system', writable: true }, { state: 'none' }, { state: 'zero' }];
		run({ kernel: '6.8', vma: anon, pages,
			steps: [{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 4 }, ...fullMigration('device-private'), { op: 'cpu-fault', page: 0 }, { op: 'cpu-fault', page: 1, write: true }] }, {
			steps: [
				{ ret: 0, cpages: 4, src: ['VALID|MIGRATE', 'VALID|MIGRATE|WRITE', 'MIGRATE', 'MIGRATE'] },
				{ filled: 4 }, { migrated: [true, true, true, true] }, { moved: 4, restored: 0 },
				{ op: 'cpu-fault', ret: 0, src: ['VALID|MIGRATE'], migrated: [true] },
				{ op: 'cpu-fault', ret: 0, src: ['VALID|MIGRATE|WRITE'], migrated: [true] },
			],
			notifications: [
				{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 4 },
				{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 2, count: 2 },
				{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 1 },
				{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 1, count: 1 },
			],
			final: [{ state: 'system', writable: false }, { state: 'system', writable: true },
				{ state: 'device-private', owner: 'gpu0', writable: true }, { state: 'device-private', owner: 'gpu0', writable: true }],
		});
		run({ kernel: '6.8', vma: anon, pages: [{ state: 'device-private', owner: 'gpu0', writable: false }], steps: [{ op: 'cpu-fault', page: 0, write: true }] },
			{ steps: [{ ret: 0, src: ['VALID|MIGRATE'], migrated: [true] }], final: [{ state: 'system', writable: true }] });
		// Without VM_WRITE every destination entry is read-only, holes and zero page included.
		run({ kernel: '6.8', vma: { anonymous: true, write: false }, pages: [{ state: 'system' }, { state: 'none' }, { state: 'zero' }],
			steps: [{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 3 }, ...fullMigration('device-private')] }, {
			steps: [{ cpages: 3, src: ['VALID|MIGRATE', 'MIGRATE', 'MIGRATE'] }, {}, { migrated: [true, true, true] }, { moved: 3 }],
			final: { '0-2': { state: 'device-private', owner: 'gpu0', writable: false } },
		});
	});

	// §11: PROT_NONE (no VM_READ) is not rejected by migrate_vma_setup(); a CPU access or GUP on such a
	// vma, or a write / FOLL_WRITE on a vma without VM_WRITE, is refused before any fault handling.
	it('access checks: SIGSEGV / -EFAULT without VM_READ or VM_WRITE, while setup still selects', () => {
		run({ kernel: '6.8', vma: { anonymous: true, read: false, write: false }, pages: [{ state: 'none' }, { state: 'device-private', owner: 'gpu0' }],
			steps: [{ op: 'cpu-fault', page: 1 }, { op: 'pin', first: 0, count: 2, write: false },
				{ op: 'setup', flags: ['SYSTEM', 'DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 0, count: 2 }, { op: 'finalize' }] }, {
			steps: [{ ret: 'VM_FAULT_SIGSEGV' }, { ret: -14, pinned: [false, false] }, { ret: 0, cpages: 2, src: ['MIGRATE', 'VALID|MIGRATE'] }, { restored: 1 }],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 2 }],
			final: [{ state: 'none' }, { state: 'device-private', owner: 'gpu0', writable: false }],
		});
		run({ kernel: '6.8', vma: { anonymous: true, write: false }, pages: [{ state: 'system' }, { state: 'zero' }, { state: 'none' }],
			steps: [{ op: 'cpu-fault', page: 0, write: true }, { op: 'cpu-fault', page: 1, write: true }, { op: 'pin', first: 0, count: 3 },
				{ op: 'pin', first: 2, count: 1, write: false }] }, {
			steps: [{ ret: 'VM_FAULT_SIGSEGV' }, { ret: 'VM_FAULT_SIGSEGV' }, { ret: -14, pinned: [false, false, false] }, { ret: 1, pinned: [true] }],
			final: [{ state: 'system', writable: false }, { state: 'zero' }, { state: 'zero', pinned: true }],
		});
	});

	// §11: private file mappings whose pages were written (COW anonymous copies) do migrate; a write
	// fault (or a FOLL_WRITE pin) on an empty address of such a mapping makes that anonymous copy.
	it('a write to an empty address of a private file mapping makes an anonymous copy, which migrates unless pinned', () => {
		run({ kernel: '6.8', vma: { anonymous: false, shared: false, write: true }, pages: [{ state: 'none' }, { state: 'none' }, { state: 'none' }],
			steps: [{ op: 'cpu-fault', page: 0, write: true }, { op: 'pin', first: 1, count: 1 }, { op: 'cpu-fault', page: 2 },
				{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 3 }, ...fullMigration('device-private')] }, {
			steps: [{ ret: 0 }, { ret: 1, pinned: [true] }, { ret: 0 },
				{ ret: 0, cpages: 2, src: ['VALID|MIGRATE|WRITE', '', 'VALID|MIGRATE'] }, { dst: ['VALID', '', 'VALID'] },
				{ migrated: [true, false, false] }, { moved: 1, restored: 1 }],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 3 }],
			final: [{ state: 'device-private', owner: 'gpu0', writable: true }, { state: 'system', writable: true, pinned: true }, { state: 'file', writable: false }],
		});
	});

	// §2.3 / §4.2 pte_none row / §4.7 rule 5 on 5.9, where flags first exist: flags 0 collects only the
	// holes of an anonymous vma; §2.2 dst still carries LOCKED (until 5.15); §4.5 second invalidation
	// from the first hole to the end of the range.
	it('flags 0 on 5.9 migrates only the holes', () => {
		run({ kernel: '5.9', vma: anon,
			pages: [{ state: 'none' }, { state: 'zero' }, { state: 'system' }, { state: 'device-private', owner: 'gpu0' }, { state: 'none' }],
			steps: [{ op: 'setup', flags: [], pgmapOwner: 'gpu0', first: 0, count: 5 }, ...fullMigration('device-private')] }, {
			steps: [
				{ ret: 0, cpages: 2, src: ['MIGRATE', '', '', '', 'MIGRATE'] },
				{ filled: 2, dst: ['VALID|LOCKED', '', '', '', 'VALID|LOCKED'] },
				{ migrated: [true, false, false, false, true] },
				{ moved: 2, restored: 0 },
			],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 5 }, { event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 5 }],
			final: [{ state: 'device-private', owner: 'gpu0', writable: true }, { state: 'zero' }, { state: 'system', writable: true },
				{ state: 'device-private', owner: 'gpu0', writable: true }, { state: 'device-private', owner: 'gpu0', writable: true }],
			warnings: [],
		});
	});

	// §7: FOLL_LONGTERM on device-coherent memory migrates it first (migrate_device_coherent_page on
	// 6.0–6.11, _folio from 6.12) with an owner-less MMU_NOTIFY_CLEAR from the rmap unmap; a read-only
	// long-term pin keeps the mapping read-only; a short-term pin leaves the page in device memory.
	it('long-term pin on device-coherent memory on 6.0 and 6.12; short-term pin stays', () => {
		for (const [kernel, fn] of [['6.0', 'migrate_device_coherent_page'], ['6.12', 'migrate_device_coherent_folio']]) {
			const res = run({ kernel, vma: anon, pages: [{ state: 'device-coherent', owner: 'gpu0', writable: false }, { state: 'device-coherent', owner: 'gpu0' }],
				steps: [{ op: 'pin', first: 0, count: 1, longterm: true, write: false }, { op: 'pin', first: 1, count: 1 }] }, {
				steps: [{ ret: 1, pinned: [true] }, { ret: 1, pinned: [true] }],
				notifications: [{ event: 'MMU_NOTIFY_CLEAR', owner: null, first: 0, count: 1 }],
				final: [{ state: 'system', writable: false, pinned: true }, { state: 'device-coherent', owner: 'gpu0', writable: true, pinned: true }],
			});
			assert.ok(String(res.steps[0].why).includes(`${fn}()`), String(res.steps[0].why));
		}
	});

	// §4.5 (6.19+): a COMPOUND empty slot given base-page destinations becomes 512 single insertions;
	// a skipped slot stays empty. One second invalidation from the hole to the end.
	it('a COMPOUND hole with base destinations is inserted page by page on 6.19', () => {
		run({ kernel: '6.19', vma: anon, pages: rep({ state: 'none' }, 512),
			steps: [{ op: 'setup', flags: ['SYSTEM', 'COMPOUND'], pgmapOwner: 'gpu0', first: 0, count: 512 }, ...fullMigration('device-private', 'gpu0', { skip: [5] })] }, {
			steps: [
				{ cpages: 1, src: { '0': 'MIGRATE|COMPOUND', '1-511': '' } },
				{ filled: 511, dst: { '0-4': 'VALID', '5': '', '6-511': 'VALID' } },
				{ migrated: { '0-4': true, '5': false, '6-511': true }, src: { '0-4': 'MIGRATE', '5': '', '6-511': 'MIGRATE' } },
				{ moved: 511 },
			],
			notifications: [{ event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 512 }, { event: 'MMU_NOTIFY_MIGRATE', owner: 'gpu0', first: 0, count: 512 }],
			final: { '0-4': { state: 'device-private', owner: 'gpu0', writable: true }, '5': { state: 'none' }, '6-511': { state: 'device-private', owner: 'gpu0', writable: true } },
		});
	});
});

// ---- malformed input -------------------------------------------------------------------------------------

describe('malformed scenarios', () => {
	const good = { kernel: '6.8', vma: anon, pages: [{ state: 'system' }], steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 1 }] };
	const bad: [string, unknown, string][] = [
		['not an object', 42, 'JSON object'],
		['an array', [], 'JSON object'],
		['unknown page state', { ...good, pages: [{ state: 'resident' }] }, 'pages[0].state'],
		['pages missing', { kernel: '6.8', steps: [] }, 'pages'],
		['kernel as a number', { ...good, kernel: 6.1 }, 'kernel'],
		['kernel before 4.14', { ...good, kernel: '4.9' }, 'predates'],
		['unreadable kernel', { ...good, kernel: 'banana' }, 'kernel'],
		['unknown op', { ...good, steps: [{ op: 'migrate' }] }, 'steps[0].op'],
		['skip out of range', { ...good, steps: [...good.steps, { op: 'copy', to: 'system', skip: [3] }] }, 'steps[1].skip[0]'],
		['fault page out of range', { ...good, steps: [{ op: 'setup', first: 0, count: 1, faultPage: 5 }] }, 'faultPage'],
		['cpu-fault page out of range', { ...good, steps: [{ op: 'cpu-fault', page: -1 }] }, 'steps[0].page'],
		['pin range outside the vma', { ...good, steps: [{ op: 'pin', first: 0, count: 2 }] }, 'steps[0]'],
		['first not an integer', { ...good, steps: [{ op: 'setup', first: '0', count: 1 }] }, 'first and count'],
		['unknown flag', { ...good, steps: [{ op: 'setup', flags: ['ALL'], first: 0, count: 1 }] }, 'flags[0]'],
		['copy without a setup', { ...good, steps: [{ op: 'copy', to: 'system' }] }, 'needs a setup'],
		['wrong boolean', { ...good, pages: [{ state: 'system', pinned: 'yes' }] }, 'pinned'],
		['misaligned pmd', { ...good, pages: [{ state: 'system' }, { state: 'system', pmd: true }] }, 'pmd'],
		['copy.to unknown', { ...good, steps: [...good.steps, { op: 'copy', to: 'gpu' }] }, 'to'],
	];
	for (const [name, input, mention] of bad) {
		it(`${name} → errors, no steps, no exception`, () => {
			const res = simulate(input);
			assert.ok(res.errors.length > 0, 'errors');
			assert.ok(res.errors.some((e) => e.includes(mention)), `mentions ${mention}: ${JSON.stringify(res.errors)}`);
			assert.deepEqual(res.steps, []);
			assert.deepEqual(res.final, []);
			assert.equal(validateScenario(input).scenario, undefined);
		});
	}

	it('caps the error list', () => {
		const res = simulate({ kernel: '6.8', pages: rep({ state: 'nope' as ScenarioPage['state'] }, 500), steps: [] });
		assert.ok(res.errors.length <= 101);
		assert.match(res.errors[res.errors.length - 1], /more problems/);
	});

	it('ignores keys it does not know', () => {
		const res = simulate({ ...good, title: 't', notes: 'n', expect: { x: 1 }, colour: 'blue',
			pages: [{ state: 'system', comment: 'hi' }], steps: [{ ...good.steps[0], label: 'go' }] });
		assert.deepEqual(res.errors, []);
		assert.equal(res.steps[0].cpages, 1);
	});

	it('a missing kernel means the newest modelled, with a warning', () => {
		const { kernel: _k, ...rest } = good;
		const v = validateScenario(rest);
		assert.deepEqual(v.errors, []);
		assert.equal(v.scenario?.kernel, '7.0');
		const res = simulate(rest);
		assert.equal(res.kernel, '7.0');
		assert.ok(res.warnings.some((w) => w.includes('No kernel given')));
	});

	it('a kernel newer than modelled is simulated with the newest semantics, with a warning', () => {
		const res = simulate({ ...good, kernel: 'v7.3-rc1' });
		assert.equal(res.kernel, '7.3');
		assert.ok(res.warnings.some((w) => w.includes('newer than the newest modelled')));
	});

	it('is deterministic and does not modify its input', () => {
		const sc = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'contract-example-6.8.json'), 'utf8')) as Scenario;
		const before = JSON.stringify(sc);
		const a = JSON.stringify(simulate(sc));
		const b = JSON.stringify(simulate(sc));
		assert.equal(a, b);
		assert.equal(JSON.stringify(sc), before);
	});
});
