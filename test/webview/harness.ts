/*
 * Browser harness for the simulator webview: bundles media/src/main.ts, serves the exact HTML the
 * extension serves (common/simulatorHtml.ts) on a localhost port, and drives Debian's Chromium
 * with playwright-core. A stand-in `acquireVsCodeApi` records what the page posts and keeps its
 * state, the way VS Code's webview host does.
 */

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makeNonce, simulatorHtml } from '../../common/simulatorHtml.ts';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const resultsDir = path.join(repoRoot, 'test-results');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = fs.existsSync(chromiumPath);

const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** Bundles the webview into a temporary folder (the same options as esbuild.mjs's webview target). */
export async function buildWebview(): Promise<string> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-lens-webview-'));
	const outfile = path.join(dir, 'simulator.js');
	await esbuild.build({
		entryPoints: [path.join(repoRoot, 'media', 'src', 'main.ts')],
		bundle: true,
		format: 'iife',
		platform: 'browser',
		target: 'es2022',
		outfile,
		logLevel: 'silent',
	});
	return outfile;
}

export interface Served {
	origin: string;
	/** Paths requested so far (anything but /, /simulator.js, /simulator.css is unexpected). */
	requests: string[];
	/** The state to bootstrap into the next HTML served (like the host's `initialState`). */
	initialState: unknown;
	/** The last nonce served. */
	nonce: string;
	/** The last HTML served. */
	html: string;
	close(): Promise<void>;
}

export async function serve(scriptFile: string): Promise<Served> {
	const css = fs.readFileSync(path.join(repoRoot, 'media', 'simulator.css'));
	const js = fs.readFileSync(scriptFile);
	const served: Served = {
		origin: '',
		requests: [],
		initialState: undefined,
		nonce: '',
		html: '',
		close: async () => undefined,
	};
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		served.requests.push(url.pathname);
		if (url.pathname === '/' || url.pathname === '/index.html') {
			served.nonce = makeNonce();
			served.html = simulatorHtml({
				scriptUri: `${served.origin}/simulator.js`,
				styleUri: `${served.origin}/simulator.css`,
				cspSource: served.origin,
				nonce: served.nonce,
				initialState: served.initialState,
			});
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
			res.end(served.html);
		} else if (url.pathname === '/simulator.js') {
			res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
			res.end(js);
		} else if (url.pathname === '/simulator.css') {
			res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
			res.end(css);
		} else if (url.pathname === '/favicon.ico') {
			// Browsers ask for it on their own; VS Code webviews do not. Not counted as page traffic.
			served.requests.pop();
			res.writeHead(204);
			res.end();
		} else {
			res.writeHead(404);
			res.end();
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	served.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	served.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
	return served;
}

export async function launch(): Promise<Browser> {
	return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}

/**
 * Runs before any page script: the stand-in VS Code API, a recorder of CSP violations.
 * `savedState` plays the part of the state VS Code keeps for a webview across reloads.
 * Written as source text: tsx would wrap a function's inner names in helpers the page lacks.
 */
function standIn(savedState: unknown): string {
	return `(() => {
	const w = window;
	const posted = [];
	let state = ${JSON.stringify(savedState ?? null)};
	let acquired = false;
	w.__posted = posted;
	w.__cspViolations = [];
	w.__getSavedState = () => state;
	w.acquireVsCodeApi = () => {
		if (acquired) {
			throw new Error('acquireVsCodeApi called twice');
		}
		acquired = true;
		return {
			postMessage: (message) => { posted.push(JSON.parse(JSON.stringify(message))); },
			getState: () => state,
			setState: (value) => { state = JSON.parse(JSON.stringify(value)); return value; },
		};
	};
	document.addEventListener('securitypolicyviolation', (event) => {
		w.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
	});
})();`;
}

export interface OpenedPage {
	context: BrowserContext;
	page: Page;
	consoleErrors: string[];
	dialogs: string[];
	close(): Promise<void>;
}

export async function openPanel(browser: Browser, served: Served, options: { savedState?: unknown; colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<OpenedPage> {
	const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light', deviceScaleFactor: 1 });
	const page = await context.newPage();
	const consoleErrors: string[] = [];
	const dialogs: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') {
			consoleErrors.push(message.text());
		}
	});
	page.on('pageerror', (error) => { consoleErrors.push(`pageerror: ${error.message}`); if (process.env.ML_DEBUG) console.log(error); });
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	await page.addInitScript({ content: standIn(options.savedState) });
	await page.goto(`${served.origin}/`);
	await page.waitForFunction(() => (window as unknown as { __migrateLens?: unknown }).__migrateLens !== undefined);
	return { context, page, consoleErrors, dialogs, close: () => context.close() };
}

export type ThemeName = 'light' | 'dark' | 'high-contrast';

/** Applies a VS Code theme the way the webview host does: variables on <html>, a class on <body>. */
export async function applyTheme(page: Page, theme: ThemeName): Promise<void> {
	const themes = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'webview', 'themes.json'), 'utf8')) as Record<string, { bodyClass: string; variables: Record<string, string> }>;
	const chosen = themes[theme];
	await page.evaluate(({ bodyClass, variables }) => {
		const root = document.documentElement;
		for (const [name, value] of Object.entries(variables)) {
			root.style.setProperty(name, value);
		}
		document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
		document.body.classList.add(bodyClass);
	}, chosen);
	// Let the theme observer repaint the canvas.
	await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Messages the page posted to the host so far. */
export async function posted(page: Page): Promise<Array<Record<string, unknown>>> {
	return page.evaluate(() => (window as unknown as { __posted: Array<Record<string, unknown>> }).__posted);
}

/** Sends a host → webview message the way VS Code delivers it (a window `message` event). */
export async function sendToWebview(page: Page, message: unknown): Promise<void> {
	await page.evaluate((data) => {
		window.dispatchEvent(new MessageEvent('message', { data }));
	}, message);
}

export interface HookCell {
	index: number;
	state: string;
	owner: string | null;
	pinned: boolean;
	migrating: boolean;
	inRange: boolean;
	mark: string;
	srcFlags: string[] | null;
	dstFlags: string[] | null;
	why: string | null;
	label: string;
}

/** Calls a function of the page's test hook (`window.__migrateLens`). */
export async function hook<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
	return page.evaluate(({ name, args }) => {
		const api = (window as unknown as { __migrateLens: Record<string, (...a: unknown[]) => unknown> }).__migrateLens;
		return api[name](...args);
	}, { name, args }) as Promise<T>;
}

export function ensureResultsDir(): string {
	fs.mkdirSync(resultsDir, { recursive: true });
	return resultsDir;
}
