/*
 * A newcomer's look, by hand: installs the packaged .vsix into a fresh code-server, opens a real
 * corpus mail (copied into a temporary workspace, never into the repo), shows the first finding,
 * hovers an API identifier and opens the simulator from the code lens. Screenshots go to
 * test-results/e2e/try-*.png. Not part of the test suite.
 *
 *   node --import tsx test/e2e/tryCorpusMail.ts [MAIL] [VSIX]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusRoot } from '../corpus';
import { RESULTS_DIR, installVsix, launchChromium, makeSandbox, startCodeServer, waitForWorkbench, workbenchUrl } from './codeServer';

async function main(): Promise<void> {
	const mail = process.argv[2] ?? '024-nouveau-hmm-map-pages-after-migration-qp.eml';
	const vsix = process.argv[3] ?? path.resolve(__dirname, '..', '..', 'out', 'e2e', 'migrate-lens-0.1.0.vsix');
	if (!fs.existsSync(vsix)) {
		throw new Error('no .vsix: run node scripts/e2e-package.mjs first');
	}
	const dirs = makeSandbox('try');
	fs.copyFileSync(path.join(corpusRoot, 'mail', mail), path.join(dirs.workspace, mail));
	console.log(installVsix(dirs, vsix).trim().split('\n').pop());
	const server = await startCodeServer({ dirs, logFile: path.join(os.tmpdir(), 'try-server.log') });
	const browser = await launchChromium();
	try {
		const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
		await page.goto(workbenchUrl(server, dirs.workspace));
		await waitForWorkbench(page);
		await page.keyboard.press('Control+P');
		await page.locator('.quick-input-widget input.input').fill(mail);
		await page.locator('.quick-input-list .monaco-list-row', { hasText: mail }).first().waitFor();
		await page.keyboard.press('Enter');
		await page.locator('.statusbar-item[id="status.problems"]', { hasText: /[1-9]/ }).first().waitFor({ timeout: 60_000 });
		await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 300, y: 10 } });
		await page.keyboard.press('F8');
		await page.locator('.marker-widget').first().waitFor();
		fs.mkdirSync(RESULTS_DIR, { recursive: true });
		await page.screenshot({ path: path.join(RESULTS_DIR, 'try-finding.png') });
		console.log('finding:', (await page.locator('.marker-widget').first().innerText()).slice(0, 400));
		await page.keyboard.press('Escape');
		// Put the cursor on the mail's migrate_vma_setup() call and simulate it from the palette.
		const lines = fs.readFileSync(path.join(dirs.workspace, mail), 'utf8').split('\n');
		const at = lines.findIndex((l) => l.includes('migrate_vma_setup('));
		if (at < 0) {
			console.log(`no migrate_vma_setup() call in ${mail}: the simulator step is skipped`);
			return;
		}
		await page.keyboard.press('Control+G');
		await page.keyboard.type(String(at + 1));
		await page.keyboard.press('Enter');
		await page.keyboard.press('End');
		await page.keyboard.press('F1');
		await page.locator('.quick-input-widget input.input').fill('>Migrate Lens: Simulate Call at Cursor');
		await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Simulate Call at Cursor' }).first().click();
		await page.locator('iframe.webview.ready').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(1500);
		await page.screenshot({ path: path.join(RESULTS_DIR, 'try-simulator.png') });
		console.log('screenshots in', RESULTS_DIR);
	} finally {
		await browser.close();
		await server.stop();
	}
}

main().catch((e) => {
	console.error(e);
	process.exitCode = 1;
});
