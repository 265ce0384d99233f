/*
 * UI tests: Migrate Lens installed from its packaged .vsix (code-server --install-extension) into a
 * fresh code-server, driven through the workbench in headless Chromium like a user would: the
 * command palette, the editor's squiggles and hovers, the simulator webview, a notification.
 * Screenshots go to test-results/e2e/ui-*.png.
 *
 *   node --import tsx --test test/e2e/ui.test.ts
 *
 * The .vsix is MIGRATE_LENS_E2E_VSIX when set (scripts/e2e-run.mjs sets it), else it is packaged
 * first with scripts/e2e-package.mjs (which needs `node esbuild.mjs` to have run).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import {
	REPO,
	RESULTS_DIR,
	installVsix,
	launchChromium,
	makeSandbox,
	startCodeServer,
	waitForWorkbench,
	workbenchUrl,
	type CodeServer,
} from './codeServer';

const UI_TIMEOUT = 30_000;

function vsixPath(): string {
	if (process.env.MIGRATE_LENS_E2E_VSIX) {
		return path.resolve(process.env.MIGRATE_LENS_E2E_VSIX);
	}
	const out = execFileSync(process.execPath, [path.join(REPO, 'scripts', 'e2e-package.mjs')], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	const last = out.trim().split('\n').pop() ?? '';
	return path.join(REPO, last.slice(0, last.indexOf(':')));
}

async function shot(page: Page, name: string): Promise<string> {
	const file = path.join(RESULTS_DIR, `ui-${name}.png`);
	await page.screenshot({ path: file });
	return file;
}

/** Runs a UI step; when it fails, leaves a screenshot of the moment (ui-<name>-failed.png). */
async function step(page: Page, name: string, body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (e) {
		await shot(page, `${name}-failed`).catch(() => undefined);
		throw e;
	}
}

/** Runs a command from the command palette (F1) by its full title. */
async function runCommand(page: Page, title: string): Promise<void> {
	await page.keyboard.press('F1');
	const input = page.locator('.quick-input-widget input.input');
	await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
	await input.fill(`>${title}`);
	const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
	await row.waitFor({ state: 'visible', timeout: 10_000 });
	await row.click();
}

/** Opens a file of the workspace with Quick Open (Ctrl+P). */
async function openFile(page: Page, name: string): Promise<void> {
	await page.keyboard.press('Control+P');
	const input = page.locator('.quick-input-widget input.input');
	await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
	await input.fill(name);
	const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
	await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
	await page.keyboard.press('Enter');
	await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ timeout: UI_TIMEOUT });
}

/** The simulator's document inside its webview (an iframe holding the active-frame iframe). */
function simulatorFrame(page: Page): FrameLocator {
	return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

describe('Migrate Lens in code-server, installed from its .vsix', { timeout: 240_000 }, () => {
	let server: CodeServer | undefined;
	let browser: Browser | undefined;
	let context: BrowserContext;
	let page: Page;
	let installLog = '';

	before(async () => {
		fs.mkdirSync(RESULTS_DIR, { recursive: true });
		const vsix = vsixPath();
		assert.ok(fs.existsSync(vsix), `no .vsix at ${vsix}`);
		const dirs = makeSandbox('ui');
		installLog = installVsix(dirs, vsix);
		server = await startCodeServer({ dirs, logFile: path.join(RESULTS_DIR, 'ui-server.log') });
		browser = await launchChromium();
		context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
		await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
		page = await context.newPage();
		const pageLog = fs.createWriteStream(path.join(RESULTS_DIR, 'ui-page.log'));
		page.on('console', (m) => pageLog.write(`[${m.type()}] ${m.text()}\n`));
		await page.goto(workbenchUrl(server, dirs.workspace));
		await waitForWorkbench(page);
	});

	after(async () => {
		await browser?.close().catch(() => undefined);
		await server?.stop();
	});

	it('installs from the .vsix, not from the source folder', () => {
		assert.match(installLog, /migrate-lens-[\d.]+\.vsix' was successfully installed/, installLog);
		const installed = fs.readdirSync(server!.dirs.extensions).filter((d) => d.startsWith('migrate-lens.migrate-lens-'));
		assert.equal(installed.length, 1, `one installed copy: ${installed.join(', ')}`);
		const root = path.join(server!.dirs.extensions, installed[0]);
		assert.ok(fs.existsSync(path.join(root, 'dist', 'server.js')), 'the installed copy has the bundled server');
		assert.ok(!fs.existsSync(path.join(root, 'client', 'src')), 'the installed copy has no sources');
	});

	it('draws diagnostics as squiggles in a patch mail, and F8 shows a finding with its rule id', () => step(page, 'diagnostics', async () => {
		await openFile(page, 'acme-migrate.patch');
		// The problems count in the status bar comes from our diagnostics.
		await page.locator('.statusbar-item[id="status.problems"]', { hasText: /[1-9]/ }).first().waitFor({ timeout: 60_000 });
		// Go to Next Problem: the editor scrolls to the first finding and shows it inline.
		await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 300, y: 10 } });
		await page.keyboard.press('F8');
		const marker = page.locator('.marker-widget').first();
		await marker.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
		const text = await marker.innerText();
		assert.match(text, /migrate-lens/, `the finding names its source: ${text}`);
		assert.match(text, /finalize-missing|migrate-flag-unchecked|api-not-in-kernel/, `the finding names its rule: ${text}`);
		await shot(page, 'diagnostics-marker');
		await page.keyboard.press('Escape');
		await marker.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
		// The squiggle of that finding is now on screen; hovering it shows the message again.
		const squiggle = page.locator('.monaco-editor .view-overlays .squiggly-error').first();
		await squiggle.waitFor({ state: 'attached', timeout: UI_TIMEOUT });
		const box = await squiggle.boundingBox();
		assert.ok(box && box.width > 0, 'the error squiggle is drawn');
		await page.mouse.move(box.x + Math.min(20, box.width / 2), box.y + box.height / 2);
		const hover = page.locator('.monaco-hover', { hasText: 'migrate-lens' }).first();
		await hover.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
		await shot(page, 'diagnostics');
		await page.mouse.move(5, 5);
	}));

	it('opens the simulator from the command palette, and a click in it reaches the extension', () => step(page, 'simulator', async () => {
		await runCommand(page, 'Migrate Lens: Open Simulator');
		await page.locator('.tabs-container .tab', { hasText: 'Simulator' }).first().waitFor({ timeout: UI_TIMEOUT });
		const frame = simulatorFrame(page);
		const copy = frame.locator('#copy-review');
		await copy.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
		await shot(page, 'simulator');
		// "Copy as review comment" posts copyText to the extension, which copies it and answers
		// with a notice the panel shows in its status line.
		await copy.click();
		const answer = frame.locator('text=/Copied the review comment|Could not copy/').first();
		await answer.waitFor({ timeout: UI_TIMEOUT });
		const said = await answer.innerText();
		await answer.scrollIntoViewIfNeeded();
		await shot(page, 'simulator-click');
		assert.match(said, /Copied the review comment to the clipboard/, `the extension answered: ${said}`);
		const clip = await page.evaluate(() => navigator.clipboard.readText());
		assert.ok(clip.trim().length > 0, 'the clipboard holds the review comment');
	}));

	it('simulates the call at the cursor, and the origin link in the panel brings the editor back to it', () => step(page, 'simulate-at-cursor', async () => {
		const fixture = fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'e2e', 'acme-migrate.patch'), 'utf8').split('\n');
		const callLine = fixture.findIndex((l) => l.includes('migrate_vma_setup(&mig)')) + 1;
		assert.ok(callLine > 0);
		// Start from a clean editor area, so the patch's editor (not the panel) has the focus.
		await runCommand(page, 'View: Close All Editors');
		await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: UI_TIMEOUT });
		await openFile(page, 'acme-migrate.patch');
		// Put the cursor on the call (Go to Line), then run the command from the palette.
		await page.keyboard.press('Control+G');
		await page.locator('.quick-input-widget input.input').fill(`:${callLine}`);
		await page.keyboard.press('Enter');
		await page.locator('.statusbar-item', { hasText: `Ln ${callLine},` }).first().waitFor({ timeout: UI_TIMEOUT });
		await runCommand(page, 'Migrate Lens: Simulate Call at Cursor');
		const frame = simulatorFrame(page);
		const origin = frame.locator('.origin button.link', { hasText: `acme-migrate.patch:${callLine}` });
		await origin.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
		await shot(page, 'simulate-at-cursor');
		// Move the editor's cursor away, then follow the panel's link back (revealOrigin → the extension).
		await page.locator('.tabs-container .tab', { hasText: 'acme-migrate.patch' }).first().click();
		await page.keyboard.press('Control+Home');
		await page.locator('.statusbar-item', { hasText: 'Ln 1,' }).first().waitFor({ timeout: UI_TIMEOUT });
		await origin.click();
		await page.locator('.statusbar-item', { hasText: `Ln ${callLine},` }).first().waitFor({ timeout: UI_TIMEOUT });
	}));

	it('checks the workspace from the palette and reports in a notification', () => step(page, 'check-workspace', async () => {
		await runCommand(page, 'Migrate Lens: Check Workspace Patches');
		const toast = page.locator('.notification-toast', { hasText: 'Checked 2 files' }).first();
		await toast.waitFor({ timeout: 60_000 });
		const text = await toast.innerText();
		// Let the toast finish sliding in before the picture (a trial hover waits until it is stable).
		await toast.hover({ trial: true });
		await shot(page, 'check-workspace');
		// v1 has errors, v2 none: one file is flagged.
		assert.match(text, /in 1 file/, text);
	}));
});
