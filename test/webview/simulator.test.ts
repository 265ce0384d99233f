/*
 * Browser tests of the simulator panel: the HTML the extension serves, in Debian's Chromium.
 * Expected values come from the core simulator called here, never from the panel itself.
 * Run: node --import tsx --test test/webview/*.test.ts
 */

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { simulate } from '../../server/src/core/model/simulate.ts';
import type { FinalPage, Scenario, ScenarioPage, SimResult } from '../../server/src/core/model/scenario.ts';
import { simulatorCsp } from '../../common/simulatorHtml.ts';
import { isSimulatorState } from '../../common/webviewProtocol.ts';
import { PRESETS } from '../../media/src/presets.ts';
import {
	applyTheme, buildWebview, ensureResultsDir, haveChromium, hook, launch, openPanel, posted, sendToWebview, serve,
	type HookCell, type OpenedPage, type Served,
} from './harness.ts';

const skip = haveChromium ? false : 'Chromium not found (set CHROMIUM_PATH or install the chromium package)';

function expectedStates(scenario: Scenario, result: SimResult, phase: number): Array<ScenarioPage | FinalPage> {
	if (phase === 0) {
		return scenario.pages;
	}
	if (phase === scenario.steps.length) {
		return result.final;
	}
	return simulate({ ...scenario, steps: scenario.steps.slice(0, phase) }).final;
}

async function clickPhase(page: Page, phase: number): Promise<void> {
	await page.click(`.phase-chip[data-phase="${phase}"]`);
	assert.equal(await hook<number>(page, 'phase'), phase);
	assert.equal(await page.getAttribute(`.phase-chip[data-phase="${phase}"]`, 'aria-current'), 'step');
}

async function choosePreset(page: Page, id: string): Promise<void> {
	if (await page.inputValue('#preset') === id) {
		return;
	}
	await page.selectOption('#preset', id);
	await page.waitForFunction((want) => (document.getElementById('preset') as HTMLSelectElement).value === want, id);
}

/** Checks every cell of the current phase against the simulator's own answer. */
function checkCells(cells: HookCell[], scenario: Scenario, result: SimResult, phase: number): void {
	const states = expectedStates(scenario, result, phase);
	assert.equal(cells.length, scenario.pages.length);
	for (const cell of cells) {
		const want = states[cell.index];
		assert.equal(cell.state, want.state, `phase ${phase}, page ${cell.index}: state`);
		if (want.state === 'device-private' || want.state === 'device-coherent') {
			assert.equal(cell.owner, want.owner ?? null, `phase ${phase}, page ${cell.index}: owner`);
		}
		assert.match(cell.label, new RegExp(`^Page ${cell.index}: `));
	}
	if (phase === 0) {
		return;
	}
	const step = scenario.steps[phase - 1];
	const res = result.steps[phase - 1];
	const setupFirst = (k: number): number => {
		for (let j = k; j >= 0; j--) {
			const s = scenario.steps[j];
			if (s.op === 'setup') {
				return s.first;
			}
		}
		return 0;
	};
	for (const cell of cells) {
		switch (step.op) {
			case 'setup': {
				const rel = cell.index - step.first;
				if (rel < 0 || rel >= step.count) {
					assert.equal(cell.inRange, false);
					break;
				}
				const entry = res.src?.[rel];
				assert.ok(entry, `setup src[${rel}] exists`);
				assert.deepEqual(cell.srcFlags, entry.flags, `setup page ${cell.index}: src flags`);
				assert.equal(cell.why, entry.why, `setup page ${cell.index}: why`);
				const selected = entry.flags.includes('MIGRATE');
				assert.equal(['selected', 'empty-slot'].includes(cell.mark), selected, `setup page ${cell.index}: mark ${cell.mark}`);
				break;
			}
			case 'copy': {
				const first = setupFirst(phase - 2);
				const dst = res.dst?.[cell.index - first];
				if (dst) {
					assert.deepEqual(cell.dstFlags, dst.flags, `copy page ${cell.index}: dst flags`);
					assert.equal(cell.mark === 'filled', dst.flags.includes('VALID'), `copy page ${cell.index}: mark ${cell.mark}`);
				}
				break;
			}
			case 'pages': {
				const first = setupFirst(phase - 2);
				const migrated = res.migrated?.[cell.index - first];
				if (migrated !== undefined) {
					assert.equal(cell.mark, migrated ? 'migrated' : 'failed', `pages page ${cell.index}`);
				}
				break;
			}
			case 'finalize': {
				// The verdict of the latest migrate_vma_pages() decides: moved, or back where it was.
				const pagesAt = scenario.steps.slice(0, phase - 1).map((s) => s.op).lastIndexOf('pages');
				const setupAt = scenario.steps.slice(0, phase - 1).map((s) => s.op).lastIndexOf('setup');
				const migrated = pagesAt > setupAt ? result.steps[pagesAt].migrated?.[cell.index - setupFirst(pagesAt)] : undefined;
				if (migrated !== undefined) {
					assert.equal(cell.mark === 'moved', migrated, `finalize page ${cell.index}: mark ${cell.mark}`);
				}
				break;
			}
			case 'pin': {
				const rel = cell.index - step.first;
				const pinned = (res.pinned as boolean[] | undefined)?.[rel];
				if (pinned !== undefined) {
					assert.equal(cell.mark === 'pin-failed', !pinned, `pin page ${cell.index}: mark ${cell.mark}`);
				}
				break;
			}
			default:
				break;
		}
	}
}

async function checkTimeline(page: Page, result: SimResult): Promise<void> {
	const items = await page.$$eval('.tl-item', (nodes) => nodes.map((n) => ({
		event: n.querySelector('.tl-event')?.textContent ?? '',
		owner: n.querySelector('.tl-owner strong')?.textContent ?? '',
		skip: n.querySelector('.tl-skip')?.textContent ?? '',
		inval: Array.from(n.querySelectorAll('.tl-inval')).map((x) => x.textContent ?? ''),
	})));
	assert.equal(items.length, result.notifications.length, 'one timeline entry per notification');
	result.notifications.forEach((n, i) => {
		assert.equal(items[i].event, n.event);
		assert.equal(items[i].owner, n.owner ?? 'NULL');
		if (n.event === 'MMU_NOTIFY_MIGRATE' && n.owner) {
			assert.ok(items[i].skip.includes(n.owner), `the owner filter names ${n.owner}`);
			assert.ok(items[i].inval.every((t) => !t.startsWith(`↯ ${n.owner} `)), 'the owner does not invalidate its own migration');
		} else {
			assert.equal(items[i].skip, '', 'nobody filters an invalidation without owner');
		}
	});
}

describe('simulator webview in Chromium', { skip }, () => {
	let browser: Browser;
	let served: Served;
	const open: OpenedPage[] = [];

	before(async () => {
		served = await serve(await buildWebview());
		browser = await launch();
	});

	after(async () => {
		for (const p of open) {
			await p.close().catch(() => undefined);
		}
		await browser?.close();
		await served?.close();
	});

	async function panel(options: Parameters<typeof openPanel>[2] = {}): Promise<OpenedPage> {
		const p = await openPanel(browser, served, options);
		open.push(p);
		return p;
	}

	it('serves the extension\'s HTML with a nonce CSP, loads cleanly and says ready', async () => {
		const { page, consoleErrors } = await panel();
		const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
		assert.equal(csp, simulatorCsp(served.origin, served.nonce));
		assert.match(csp ?? '', /default-src 'none'; script-src 'nonce-[A-Za-z0-9]{32}'; style-src /);
		assert.deepEqual((await posted(page)).filter((m) => m.type === 'ready'), [{ type: 'ready' }]);
		assert.deepEqual(consoleErrors, []);
		assert.deepEqual(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations), []);
		assert.deepEqual([...new Set(served.requests)].sort(), ['/', '/simulator.css', '/simulator.js']);
		// The policy is live: an inline script without the nonce is refused.
		await page.evaluate(() => {
			const s = document.createElement('script');
			s.textContent = 'window.__inlineRan = true;';
			document.body.appendChild(s);
		});
		await page.waitForFunction(() => (window as unknown as { __cspViolations: string[] }).__cspViolations.length > 0);
		assert.equal(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan), undefined);
	});

	for (const preset of PRESETS) {
		it(`preset "${preset.label}": every phase and the notifier timeline match simulate()`, async () => {
			const { page, consoleErrors } = await panel();
			await choosePreset(page, preset.id);
			const scenario = preset.build();
			const result = simulate(scenario);
			assert.deepEqual(result.errors, []);
			assert.deepEqual(await hook<Scenario>(page, 'scenario'), scenario);
			const phases = await hook<unknown[]>(page, 'phases');
			assert.equal(phases.length, scenario.steps.length + 1);
			for (let phase = 0; phase <= scenario.steps.length; phase++) {
				await clickPhase(page, phase);
				checkCells(await hook<HookCell[]>(page, 'cells'), scenario, result, phase);
			}
			await checkTimeline(page, result);
			assert.deepEqual(consoleErrors, []);
		});
	}

	it('is usable from the keyboard alone', async () => {
		const { page } = await panel();
		const scenario = PRESETS.find((p) => p.id === 'mixed-owner')!.build();
		const n = scenario.pages.length;
		await page.focus('.page-map');
		for (let i = 0; i < 3; i++) {
			await page.keyboard.press('ArrowRight');
		}
		assert.equal(await hook<number>(page, 'focus'), 3);
		assert.equal(await page.textContent('#details-heading'), 'Page 3');
		assert.match(await page.textContent('.page-map-frame [aria-live]') ?? '', /^Page 3: system anon/);
		const cols = await hook<number>(page, 'columns');
		await page.keyboard.press('ArrowDown');
		assert.equal(await hook<number>(page, 'focus'), Math.min(n - 1, 3 + cols));
		await page.keyboard.press('Control+End');
		assert.equal(await hook<number>(page, 'focus'), n - 1);
		await page.keyboard.press('Control+Home');
		assert.equal(await hook<number>(page, 'focus'), 0);
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		// Enter steps through the phases, Shift+Enter goes back.
		await page.keyboard.press('Enter');
		assert.equal(await hook<number>(page, 'phase'), 1);
		await page.keyboard.press('Enter');
		assert.equal(await hook<number>(page, 'phase'), 2);
		await page.keyboard.press('Shift+Enter');
		assert.equal(await hook<number>(page, 'phase'), 1);
		// Page 4 is gpu0's own device-private page: SELECT_SYSTEM leaves it out, and the pane says why.
		const cell = (await hook<HookCell[]>(page, 'cells'))[4];
		assert.equal(cell.mark, 'not-selected');
		assert.match(await page.textContent('#page-details .why') ?? '', /SELECT_DEVICE_PRIVATE is not set/);
		assert.match(await page.textContent('.page-map-frame [aria-live]') ?? '', /^Page 4: device-private of gpu0/);
		// Shift+arrows select a range; the page editor then edits all of it.
		await page.keyboard.press('Shift+ArrowRight');
		await page.keyboard.press('Shift+ArrowRight');
		assert.deepEqual(await hook<number[]>(page, 'selection'), [4, 5, 6]);
		assert.equal(await page.textContent('#page-editor-heading'), 'What if pages 4–6 were all…');
		await page.keyboard.press('Escape');
		assert.deepEqual(await hook<number[]>(page, 'selection'), []);
		// The stepper answers to arrows once focused.
		await page.focus('.phase-chip[aria-current="step"]');
		await page.keyboard.press('ArrowRight');
		assert.equal(await hook<number>(page, 'phase'), 2);
		assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-phase')), '2');
		await page.keyboard.press('End');
		assert.equal(await hook<number>(page, 'phase'), scenario.steps.length);
		// Every control is labelled for screen readers.
		const unlabelled = await page.$$eval('input, select', (nodes) => nodes.filter((n) => {
			const id = n.id;
			return !(id && document.querySelector(`label[for="${id}"]`)) && !n.closest('label') && !n.getAttribute('aria-label');
		}).length);
		assert.equal(unlabelled, 0);
		assert.equal(await page.getAttribute('.page-map', 'role'), 'application');
		assert.match(await page.getAttribute('.page-map', 'aria-label') ?? '', /Page map, 16 pages/);
	});

	it('reruns the simulator at once on what-if edits of pages, flags, owner and kernel', async () => {
		const { page, consoleErrors } = await panel();
		const agree = async (): Promise<Scenario> => {
			const scenario = await hook<Scenario>(page, 'scenario');
			assert.deepEqual(await hook<SimResult>(page, 'result'), simulate(scenario), 'the panel shows simulate() of the scenario it holds');
			return scenario;
		};
		// A page: gpu0's own device-private page 4 becomes a system page, and then migrates.
		await page.focus('.page-map');
		for (let i = 0; i < 4; i++) {
			await page.keyboard.press('ArrowRight');
		}
		await page.selectOption('.page-editor select', 'system');
		let scenario = await agree();
		assert.equal(scenario.pages[4].state, 'system');
		await clickPhase(page, scenario.steps.length);
		assert.equal((await hook<HookCell[]>(page, 'cells'))[4].state, 'device-private');
		assert.equal(await page.inputValue('#preset'), '__custom');
		// Pinned: the page now fails the reference-count check at setup.
		await page.check('.page-editor label:has-text("pinned") input');
		scenario = await agree();
		assert.equal(scenario.pages[4].pinned, true);
		assert.deepEqual(simulate(scenario).steps[0].src?.[4].flags, []);
		// Flags: without SYSTEM only the holes are selected.
		await page.uncheck('.step-card[data-step="0"] label:has-text("SYSTEM") input');
		scenario = await agree();
		assert.deepEqual((scenario.steps[0] as { flags?: string[] }).flags, []);
		await clickPhase(page, 1);
		const selected = (await hook<HookCell[]>(page, 'cells')).filter((c) => c.mark !== 'not-selected').map((c) => c.index);
		assert.deepEqual(selected, scenario.pages.flatMap((p, i) => (p.state === 'none' ? [i] : [])));
		await page.check('.step-card[data-step="0"] label:has-text("SYSTEM") input');
		// The owner: the notifier now carries gpu1, so gpu1 skips it and gpu0 must invalidate.
		await page.fill('.step-card[data-step="0"] .field-row:has(label:has-text("pgmap_owner")) input', 'gpu1');
		scenario = await agree();
		assert.equal(await page.textContent('.tl-item .tl-owner strong'), 'gpu1');
		assert.match(await page.textContent('.tl-item .tl-skip') ?? '', /gpu1 skips it/);
		// The kernel: on 5.8 flags and pgmap_owner do not exist; the simulator says so.
		await page.selectOption('#kernel', '5.8');
		scenario = await agree();
		assert.equal(scenario.kernel, '5.8');
		assert.ok((await hook<SimResult>(page, 'result')).warnings.length > 0);
		assert.match(await page.textContent('.banner.warning summary') ?? '', /from the simulator/);
		// Reset undoes every edit.
		await page.click('button:has-text("Reset")');
		assert.deepEqual(await hook<Scenario>(page, 'scenario'), PRESETS.find((p) => p.id === 'mixed-owner')!.build());
		assert.deepEqual(consoleErrors, []);
	});

	it('talks to the host: open with origin, reveal, save, load, copy, kernel, and keeps its state', async () => {
		const { page } = await panel();
		const scenario = PRESETS.find((p) => p.id === 'system-anon')!.build();
		scenario.pages[2] = { state: 'device-private', owner: 'acme0', writable: true };
		const origin = { file: 'file:///work/patches/0002-drm-acme-migrate.patch', line: 42, subject: '[PATCH 2/3] drm/acme: migrate buffers to VRAM', callText: 'migrate_vma_setup(&args)' };
		await sendToWebview(page, { type: 'open', scenario, origin });
		assert.deepEqual(await hook<Scenario>(page, 'scenario'), scenario);
		const originText = await page.textContent('.origin') ?? '';
		assert.ok(originText.includes(`${origin.file}:42`));
		assert.ok(originText.includes(origin.subject));
		assert.ok(originText.includes(origin.callText));
		assert.equal(await page.inputValue('#preset'), '__origin');

		await page.click('.origin button.link');
		await page.click('button:has-text("Save…")');
		await page.click('button:has-text("Load…")');
		await page.click('#copy-review');
		const messages = (await posted(page)).filter((m) => m.type !== 'ready');
		assert.deepEqual(messages[0], { type: 'revealOrigin', origin });
		assert.equal(messages[1].type, 'save');
		assert.deepEqual(messages[1].scenario, scenario);
		assert.equal(typeof messages[1].suggestedName, 'string');
		assert.deepEqual(messages[2], { type: 'requestLoad' });
		assert.equal(messages[3].type, 'copyText');
		const text = String(messages[3].text);
		const flat = text.replace(/\s+/g, ' ');
		assert.match(text, /^Simulated with Migrate Lens, assuming Linux 6\.8\./);
		assert.ok(flat.includes(`${origin.file}:42`));
		assert.ok(flat.includes('1. migrate_vma_setup'));
		assert.ok(flat.includes('MMU_NOTIFY_MIGRATE, owner gpu0'));
		assert.ok(text.split('\n').every((line) => line.length <= 78), 'wrapped for a mail reply');

		// The host answers a load request.
		const loaded = PRESETS.find((p) => p.id === 'flags-zero')!.build();
		await sendToWebview(page, { type: 'loaded', scenario: loaded, fileName: 'flags-zero.scenario.json' });
		assert.deepEqual(await hook<Scenario>(page, 'scenario'), loaded);
		assert.match(await page.textContent('.status-text') ?? '', /Loaded flags-zero\.scenario\.json/);
		await sendToWebview(page, { type: 'loaded', scenario: { hello: 'world' }, fileName: 'other.json' });
		assert.deepEqual(await hook<Scenario>(page, 'scenario'), loaded, 'a non-scenario file changes nothing');
		assert.match(await page.textContent('.status-text') ?? '', /other\.json is not a simulator scenario/);
		await sendToWebview(page, { type: 'loaded', scenario: { kernel: '6.8', vma: {}, pages: [{ state: 'bogus' }], steps: [] }, fileName: 'bad.json' });
		assert.ok((await page.textContent('.banner.error') ?? '').length > 0, 'the simulator\'s errors are shown');
		assert.deepEqual(await hook<SimResult>(page, 'result'), simulate({ kernel: '6.8', vma: {}, pages: [{ state: 'bogus' as never }], steps: [] }));
		await sendToWebview(page, { type: 'open', scenario: 'not a scenario' });
		assert.equal((await hook<Scenario>(page, 'scenario')).pages[0].state, 'bogus', 'a malformed message is ignored');

		// Back to the call, then the kernel from the host.
		await page.selectOption('#preset', '__origin');
		assert.deepEqual(await hook<Scenario>(page, 'scenario'), scenario);
		await sendToWebview(page, { type: 'setKernel', kernel: '6.1' });
		assert.equal((await hook<Scenario>(page, 'scenario')).kernel, '6.1');
		assert.equal((await hook<SimResult>(page, 'result')).kernel, '6.1');
		await sendToWebview(page, { type: 'notice', level: 'error', text: 'Could not save x.json' });
		assert.equal(await page.textContent('.status-text'), 'Could not save x.json');
		await clickPhase(page, 3);

		// What VS Code would hand back after a reload restores the panel as it was.
		const saved = await page.evaluate(() => (window as unknown as { __getSavedState: () => unknown }).__getSavedState());
		assert.ok(isSimulatorState(saved));
		assert.equal(saved.phase, 3);
		assert.deepEqual(saved.origin, origin);
		const restored = await panel({ savedState: saved });
		assert.deepEqual(await hook<Scenario>(restored.page, 'scenario'), (saved as { scenario: Scenario }).scenario);
		assert.equal(await hook<number>(restored.page, 'phase'), 3);
		assert.ok((await restored.page.textContent('.origin') ?? '').includes(origin.subject));

		// And the state the host bootstraps into the HTML (a revived panel) is drawn at once.
		served.initialState = { version: 1, scenario: loaded, phase: 2 };
		try {
			const revived = await panel();
			assert.deepEqual(await hook<Scenario>(revived.page, 'scenario'), loaded);
			assert.equal(await hook<number>(revived.page, 'phase'), 2);
		} finally {
			served.initialState = undefined;
		}
	});

	it('renders hostile owners, file names and subjects as inert text under the CSP', async () => {
		const payloads = [
			'<script>window.__pwned = "script"</script>',
			'<img src=x onerror="window.__pwned=\'img\'">',
			'javascript:window.__pwned="js"',
			'</script><script>window.__pwned="breakout"</script>',
			'"><svg onload="window.__pwned=\'svg\'"></svg>',
			'<iframe src="javascript:alert(1)"></iframe>',
		];
		const hostile: Scenario = {
			title: payloads[0],
			notes: payloads[1],
			kernel: '6.8',
			vma: { anonymous: true, read: true, write: true },
			pages: [
				{ state: 'system', writable: true },
				...payloads.map((owner) => ({ state: 'device-private' as const, owner, writable: true })),
				{ state: 'device-coherent', owner: payloads[3] },
			],
			steps: [
				{ op: 'setup', flags: ['SYSTEM', 'DEVICE_PRIVATE'], pgmapOwner: payloads[2], first: 0, count: payloads.length + 2, faultPage: null },
				{ op: 'copy', to: 'device-private', owner: payloads[4], skip: [] },
				{ op: 'pages' },
				{ op: 'finalize' },
			],
		};
		const origin = { file: 'javascript:window.__pwned="link"', line: 7, subject: payloads[1], callText: payloads[5] };
		// Route 1: bootstrapped into the HTML. Route 2: the open message. Route 3: a loaded file.
		served.initialState = { version: 1, scenario: hostile, origin, fromCall: true };
		let opened: OpenedPage;
		try {
			opened = await panel();
			assert.equal((served.html.match(/<\/script>/g) ?? []).length, 2, 'the bootstrapped JSON cannot close its element');
		} finally {
			served.initialState = undefined;
		}
		const { page, dialogs, consoleErrors } = opened;
		assert.deepEqual(await hook<Scenario>(page, 'scenario'), hostile);
		await sendToWebview(page, { type: 'open', scenario: hostile, origin });
		await sendToWebview(page, { type: 'loaded', scenario: hostile, fileName: payloads[1] });
		await sendToWebview(page, { type: 'notice', level: 'info', text: payloads[0] });
		await page.selectOption('#preset', '__origin');
		// Visit everything that shows those strings: phases, hover cards, the details pane, the review text.
		const box = await page.$('.page-canvas');
		const rect = await box!.boundingBox();
		for (let phase = 0; phase <= hostile.steps.length; phase++) {
			await clickPhase(page, phase);
			for (let i = 0; i < hostile.pages.length; i++) {
				const cell = await hook<{ x: number; y: number; size: number }>(page, 'cellBox', i);
				await page.mouse.move(rect!.x + cell.x + cell.size / 2, rect!.y + cell.y + cell.size / 2);
				await page.mouse.down();
				await page.mouse.up();
			}
		}
		await page.click('.origin button.link');
		await page.click('#copy-review');
		const text = await page.evaluate(() => document.body.textContent ?? '');
		for (const p of [payloads[0], payloads[1], payloads[5]]) {
			assert.ok(text.includes(p), `shown literally: ${p}`);
		}
		assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined, 'no payload ran');
		assert.deepEqual(dialogs, []);
		assert.deepEqual(await page.$$eval('img, svg, iframe, object, embed', (n) => n.length), 0);
		assert.equal(await page.$$eval('script', (n) => n.length), 2);
		assert.equal(await page.$$eval('a[href]', (n) => n.length), 0);
		assert.deepEqual(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations), [], 'nothing even tried to run');
		assert.deepEqual(consoleErrors, []);
		assert.equal(page.url(), `${served.origin}/`, 'no navigation');
		assert.ok(!served.requests.some((r) => r !== '/' && r !== '/simulator.js' && r !== '/simulator.css'), `only the panel's own files were fetched: ${served.requests.join(' ')}`);
		const reveal = (await posted(page)).find((m) => m.type === 'revealOrigin');
		assert.deepEqual(reveal, { type: 'revealOrigin', origin }, 'the host gets the file name as data');
	});

	it('follows the theme: VS Code variables when present, light or dark fallbacks when absent', async () => {
		const bg = async (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
		const pixel = async (page: Page, index: number) => {
			const cell = await hook<{ x: number; y: number; size: number }>(page, 'cellBox', index);
			return page.evaluate(({ x, y }) => {
				const canvas = document.querySelector('.page-canvas') as HTMLCanvasElement;
				const scale = canvas.width / canvas.getBoundingClientRect().width;
				return Array.from(canvas.getContext('2d')!.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data);
			}, { x: cell.x + 3, y: cell.y + cell.size / 2 });
		};
		const light = await panel({ colorScheme: 'light' });
		assert.equal(await bg(light.page), 'rgb(255, 255, 255)');
		const dark = await panel({ colorScheme: 'dark' });
		assert.equal(await bg(dark.page), 'rgb(31, 31, 31)');
		// Page 0 is a system page: charts.blue of the theme in force.
		await applyTheme(dark.page, 'light');
		assert.equal(await bg(dark.page), 'rgb(255, 255, 255)');
		assert.deepEqual(await pixel(dark.page, 0), [0x1a, 0x85, 0xff, 255]);
		await applyTheme(dark.page, 'dark');
		assert.equal(await bg(dark.page), 'rgb(31, 31, 31)');
		assert.deepEqual(await pixel(dark.page, 0), [0x37, 0x94, 0xff, 255]);
		await applyTheme(dark.page, 'high-contrast');
		assert.equal(await bg(dark.page), 'rgb(0, 0, 0)');
	});

	it('draws 4,096 pages and redraws after what-if edits (timings logged, not asserted)', async () => {
		const { page, consoleErrors } = await panel();
		const timings = await page.evaluate(async () => {
			const api = (window as unknown as { __migrateLens: Record<string, (...a: unknown[]) => unknown> }).__migrateLens;
			const out: Record<string, number> = {};
			const preset = document.getElementById('preset') as HTMLSelectElement;
			let t = performance.now();
			preset.value = 'large';
			preset.dispatchEvent(new Event('change'));
			out.openLargePreset = performance.now() - t;
			out.cells = (api.cells() as unknown[]).length;
			t = performance.now();
			api.setPhase(1);
			out.phaseSetup = performance.now() - t;
			t = performance.now();
			api.setPhase(2);
			out.phaseCopy = performance.now() - t;
			t = performance.now();
			api.setPhase(4);
			out.phaseFinalize = performance.now() - t;
			const state = document.querySelector('.page-editor select') as HTMLSelectElement;
			t = performance.now();
			state.value = 'device-private';
			state.dispatchEvent(new Event('change'));
			out.whatIfPageState = performance.now() - t;
			const kernel = document.getElementById('kernel') as HTMLSelectElement;
			t = performance.now();
			kernel.value = '6.1';
			kernel.dispatchEvent(new Event('change'));
			out.whatIfKernel = performance.now() - t;
			t = performance.now();
			api.setPhase(1);
			out.phaseSetupAfterEdit = performance.now() - t;
			const inner = api.timings() as Record<string, number>;
			out.lastSimulate = inner.simulate;
			out.lastPaint = inner.paint;
			return out;
		});
		assert.equal(timings.cells, 4096);
		const result = simulate(await hook<Scenario>(page, 'scenario'));
		assert.deepEqual(await hook<SimResult>(page, 'result'), result);
		assert.equal((await hook<HookCell[]>(page, 'cells')).length, 4096);
		assert.deepEqual(consoleErrors, []);
		const rounded = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10]));
		console.log(`webview timings (ms, 4096 pages): ${JSON.stringify(rounded)}`);
		fs.writeFileSync(path.join(ensureResultsDir(), 'webview-timings.json'), `${JSON.stringify(rounded, null, '\t')}\n`);
	});

	it('saves screenshots at 1280x800 in light, dark and high contrast', async () => {
		const dir = ensureResultsDir();
		const shots: Array<{ name: string; theme: 'light' | 'dark' | 'high-contrast'; preset: string; phase: number; focus: number }> = [
			{ name: 'simulator-light', theme: 'light', preset: 'mixed-owner', phase: 1, focus: 4 },
			{ name: 'simulator-dark', theme: 'dark', preset: 'mixed-owner', phase: 1, focus: 4 },
			{ name: 'simulator-dark-nouveau-5.6', theme: 'dark', preset: 'nouveau-mixed', phase: 4, focus: 6 },
			{ name: 'simulator-light-coherent-pin', theme: 'light', preset: 'coherent-longterm', phase: 3, focus: 2 },
			{ name: 'simulator-dark-large', theme: 'dark', preset: 'large', phase: 1, focus: 1030 },
			{ name: 'simulator-high-contrast', theme: 'high-contrast', preset: 'mixed-owner', phase: 3, focus: 8 },
		];
		for (const shot of shots) {
			const { page } = await panel({ colorScheme: shot.theme === 'light' ? 'light' : 'dark' });
			await applyTheme(page, shot.theme);
			await choosePreset(page, shot.preset);
			await hook(page, 'setPhase', shot.phase);
			await page.focus('.page-map');
			const cols = await hook<number>(page, 'columns');
			for (let i = 0; i < shot.focus % cols; i++) {
				await page.keyboard.press('ArrowRight');
			}
			for (let i = 0; i < Math.floor(shot.focus / cols); i++) {
				await page.keyboard.press('ArrowDown');
			}
			assert.equal(await hook<number>(page, 'focus'), shot.focus);
			const file = path.join(dir, `${shot.name}.png`);
			await page.screenshot({ path: file });
			assert.ok(fs.statSync(file).size > 10_000);
		}
	});
});
