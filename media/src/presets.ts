/*
 * Ready-made scenarios for the classic cases. Each one is a Contract 2 scenario: the panel can save
 * it, the CLI can simulate it. The driver names are made up (gpu0 is "our" driver, gpu1 another).
 */

import type { Scenario, ScenarioPage } from '../../server/src/core/model/scenario.ts';

export interface Preset {
	id: string;
	label: string;
	/** One line shown under the picker. */
	summary: string;
	build(): Scenario;
}

const anonVma = { anonymous: true, shared: false, read: true, write: true, special: false, hugetlb: false, dax: false };

function repeat(page: ScenarioPage, count: number): ScenarioPage[] {
	return Array.from({ length: count }, () => ({ ...page }));
}

export const PRESETS: readonly Preset[] = [
	{
		id: 'system-anon',
		label: 'All system anon → device',
		summary: 'Sixteen writable anonymous pages migrated to gpu0\'s device-private memory, then one faulted back by the CPU.',
		build: () => ({
			title: 'All system anon to device-private',
			notes: 'The everyday case: every page is selected, copied, migrated and mapped as device-private memory of gpu0.',
			kernel: '6.8',
			vma: { ...anonVma },
			pages: repeat({ state: 'system', writable: true }, 16),
			steps: [
				{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 16, faultPage: null },
				{ op: 'copy', to: 'device-private', owner: 'gpu0', skip: [] },
				{ op: 'pages' },
				{ op: 'finalize' },
				{ op: 'cpu-fault', page: 5 },
			],
		}),
	},
	{
		id: 'nouveau-mixed',
		label: 'Mixed range (nouveau, 5.6)',
		summary: 'System, own and foreign device-private pages, a hole and the zero page in one range, on a kernel without owners or flags.',
		build: () => ({
			title: 'Mixed normal and device-private range',
			notes: 'Before 5.7 the collector had no owner filter: device-private pages of any device were collected next to system pages. A copy loop that DMA-maps every valid source page as system memory reads the wrong address for them. Switch the kernel to 5.9 or later (SELECT_SYSTEM) to see them left alone.',
			kernel: '5.6',
			vma: { ...anonVma },
			pages: [
				...repeat({ state: 'system', writable: true }, 4),
				{ state: 'device-private', owner: 'gpu0', writable: true },
				{ state: 'device-private', owner: 'gpu0', writable: true },
				{ state: 'device-private', owner: 'gpu1', writable: true },
				{ state: 'device-private', owner: 'gpu1', writable: true },
				{ state: 'none' },
				{ state: 'none' },
				{ state: 'zero' },
				{ state: 'zero' },
				...repeat({ state: 'system', writable: false }, 2),
				{ state: 'system', writable: true, pinned: true },
				{ state: 'swap' },
			],
			steps: [
				{ op: 'setup', first: 0, count: 16, faultPage: null },
				{ op: 'copy', to: 'device-private', owner: 'gpu0', skip: [] },
				{ op: 'pages' },
				{ op: 'finalize' },
			],
		}),
	},
	{
		id: 'mixed-owner',
		label: 'Mixed range with owners (6.8)',
		summary: 'The same mixed range with SELECT_SYSTEM and pgmap_owner: device pages are skipped, the notifier names gpu0.',
		build: () => {
			const scenario = PRESETS[1].build();
			scenario.title = 'Mixed range with SELECT_SYSTEM and an owner';
			scenario.notes = 'With flags and pgmap_owner (5.9+) only system pages, holes and zero pages are selected; gpu0 can ignore the MMU_NOTIFY_MIGRATE invalidation as its own, gpu1 must invalidate.';
			scenario.kernel = '6.8';
			scenario.steps = [
				{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 16, faultPage: null },
				{ op: 'copy', to: 'device-private', owner: 'gpu0', skip: [] },
				{ op: 'pages' },
				{ op: 'finalize' },
			];
			return scenario;
		},
	},
	{
		id: 'coherent-longterm',
		label: 'Coherent pages + FOLL_LONGTERM pin',
		summary: 'Device-coherent pages of gpu0: a short-term pin leaves them in place, a FOLL_LONGTERM pin moves them to system RAM.',
		build: () => ({
			title: 'Device-coherent pages and a FOLL_LONGTERM pin',
			notes: 'Coherent device memory is CPU-addressable and may be pinned short-term where it is. It is not long-term pinnable: a FOLL_LONGTERM pin migrates each page to system memory first (6.0+).',
			kernel: '6.1',
			vma: { ...anonVma },
			pages: [
				...repeat({ state: 'device-coherent', owner: 'gpu0', writable: true }, 6),
				...repeat({ state: 'system', writable: true }, 2),
			],
			steps: [
				{ op: 'pin', first: 0, count: 4, longterm: false },
				{ op: 'unpin', first: 0, count: 4 },
				{ op: 'pin', first: 2, count: 6, longterm: true },
			],
		}),
	},
	{
		id: 'src-owner-58',
		label: 'src_owner on 5.8',
		summary: 'Setting src_owner on 5.7–5.8 selects only that owner\'s device-private pages: normal pages are silently skipped.',
		build: () => ({
			title: 'src_owner set on a system-to-device migration (5.8)',
			notes: 'On 5.7 and 5.8 a non-NULL src_owner meant "migrate from my device memory": every present system page is skipped, so a system-to-device migration that sets it moves nothing but holes.',
			kernel: '5.8',
			vma: { ...anonVma },
			pages: [
				...repeat({ state: 'system', writable: true }, 6),
				{ state: 'none' },
				{ state: 'device-private', owner: 'gpu0', writable: true },
			],
			steps: [
				{ op: 'setup', srcOwner: 'gpu0', first: 0, count: 8, faultPage: null },
				{ op: 'copy', to: 'device-private', owner: 'gpu0', skip: [] },
				{ op: 'pages' },
				{ op: 'finalize' },
			],
		}),
	},
	{
		id: 'flags-zero',
		label: 'flags left 0',
		summary: 'A 5.9+ caller that forgets MIGRATE_VMA_SELECT_*: only the holes are collected.',
		build: () => ({
			title: 'Selection flags left 0',
			notes: 'The core does not validate flags: with flags 0 setup succeeds, but only empty slots (pte_none in an anonymous vma) are selected.',
			kernel: '6.8',
			vma: { ...anonVma },
			pages: [
				...repeat({ state: 'system', writable: true }, 5),
				{ state: 'none' },
				{ state: 'none' },
				{ state: 'zero' },
			],
			steps: [
				{ op: 'setup', flags: [], pgmapOwner: 'gpu0', first: 0, count: 8, faultPage: null },
				{ op: 'copy', to: 'device-private', owner: 'gpu0', skip: [] },
				{ op: 'pages' },
				{ op: 'finalize' },
			],
		}),
	},
	{
		id: 'cpu-fault',
		label: 'CPU fault → migrate_to_ram',
		summary: 'migrate_to_ram with fault_page on 6.15: the faulting device-private page comes back to system memory.',
		build: () => ({
			title: 'CPU fault on a device-private page',
			notes: 'The handler selects DEVICE_PRIVATE with its own owner and passes fault_page (6.1+); since 6.15 the core has already locked that page.',
			kernel: '6.15',
			vma: { ...anonVma },
			pages: [
				...repeat({ state: 'device-private', owner: 'gpu0', writable: true }, 3),
				{ state: 'device-private', owner: 'gpu0', writable: true, locked: true },
				...repeat({ state: 'device-private', owner: 'gpu0', writable: true }, 4),
			],
			steps: [
				{ op: 'setup', flags: ['DEVICE_PRIVATE'], pgmapOwner: 'gpu0', first: 3, count: 1, faultPage: 3 },
				{ op: 'copy', to: 'system', skip: [] },
				{ op: 'pages' },
				{ op: 'finalize' },
			],
		}),
	},
	{
		id: 'large',
		label: 'Large range (4,096 pages)',
		summary: 'Sixteen MiB of mixed memory with PMD-mapped THPs, for the page map at scale.',
		build: () => {
			const pages: ScenarioPage[] = [];
			for (let i = 0; i < 4096; i++) {
				const block = Math.floor(i / 512);
				if (block === 2 && i % 512 === 0) {
					pages.push({ state: 'system', writable: true, pmd: true });
				} else if (block === 2) {
					pages.push({ state: 'system', writable: true });
				} else if (block === 5) {
					pages.push(i % 7 === 0 ? { state: 'none' } : { state: 'device-private', owner: i % 3 === 0 ? 'gpu1' : 'gpu0', writable: true });
				} else if (i % 97 === 0) {
					pages.push({ state: 'system', writable: true, pinned: true });
				} else if (i % 61 === 0) {
					pages.push({ state: 'swap' });
				} else if (i % 13 === 0) {
					pages.push({ state: 'zero' });
				} else if (i % 29 === 0) {
					pages.push({ state: 'none' });
				} else {
					pages.push({ state: 'system', writable: i % 5 !== 0 });
				}
			}
			return {
				title: 'Large mixed range',
				notes: 'A PMD-mapped THP at pages 1024–1535 and a block of device memory at 2560–3071.',
				kernel: '6.19',
				vma: { ...anonVma },
				pages,
				steps: [
					{ op: 'setup', flags: ['SYSTEM', 'COMPOUND'], pgmapOwner: 'gpu0', first: 0, count: 4096, faultPage: null },
					{ op: 'copy', to: 'device-private', owner: 'gpu0', skip: [] },
					{ op: 'pages' },
					{ op: 'finalize' },
				],
			};
		},
	},
];

export function findPreset(id: string | undefined): Preset | undefined {
	return PRESETS.find((preset) => preset.id === id);
}

/** The scenario a fresh panel shows. */
export const DEFAULT_PRESET_ID = 'mixed-owner';
