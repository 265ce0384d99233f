/*
 * Helpers for the extension-host tests: open fixtures, wait on VS Code's own events (never fixed
 * sleeps), and read what the extension produced through the vscode API.
 */
import * as vscode from 'vscode';

export const EXTENSION_ID = 'migrate-lens.migrate-lens';
/** The simulator webview's view type (common/webviewProtocol.ts SIMULATOR_VIEW_TYPE). */
export const SIMULATOR_VIEW_TYPE = 'migrateLens.simulator';
/** The default wait for anything the language server computes. */
export const WAIT_MS = 30_000;

/**
 * What the extension's `activate()` returns (client/src/extension.ts MigrateLensApi), as far as
 * the tests use it. Declared here rather than imported: the suite talks to the extension only
 * through what VS Code hands out.
 */
export interface StatusLike {
	uri: string;
	version?: number;
	state: 'analyzed' | 'declined' | 'failed';
	kernel: string;
	kernelSource: string;
	findings: { error: number; warning: number; info: number };
}

/** When activation reached each step (client/src/extension.ts ActivationTimings). */
export interface TimingsLike {
	loaded: number;
	activateStart: number;
	activateEnd: number;
	clientReady?: number;
}

export interface ApiLike {
	ready: Promise<void>;
	timings: TimingsLike;
	lastStatus(uri: string): StatusLike | undefined;
	waitForStatus(uri: string, test?: (s: StatusLike) => boolean, timeoutMs?: number): Promise<StatusLike>;
}

/** A document of the fixture workspace (the launchers open a copy of test/fixtures/e2e). */
export function fixtureUri(name: string): vscode.Uri {
	const folder = vscode.workspace.workspaceFolders?.[0];
	if (!folder) {
		throw new Error('no workspace folder is open: the launcher must open the fixture workspace');
	}
	return vscode.Uri.joinPath(folder.uri, name);
}

export async function openFixture(name: string): Promise<vscode.TextEditor> {
	const doc = await vscode.workspace.openTextDocument(fixtureUri(name));
	return vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
}

/** The 0-based line of the first line holding `needle` (from `from` on); throws when absent. */
export function lineOf(doc: vscode.TextDocument, needle: string, from = 0): number {
	for (let i = from; i < doc.lineCount; i++) {
		if (doc.lineAt(i).text.includes(needle)) {
			return i;
		}
	}
	throw new Error(`no line holds ${JSON.stringify(needle)} in ${doc.uri.path}`);
}

/** The position of `needle` on the first line that holds it (at `offset` characters into it). */
export function positionOf(doc: vscode.TextDocument, needle: string, offset = 0): vscode.Position {
	const line = lineOf(doc, needle);
	return new vscode.Position(line, doc.lineAt(line).text.indexOf(needle) + offset);
}

/** A diagnostic's rule id: the code is a string, or `{ value, target }` when it links to the rule's page. */
export function ruleOf(d: vscode.Diagnostic): string | undefined {
	const c = d.code;
	if (c === undefined) {
		return undefined;
	}
	return typeof c === 'object' ? String(c.value) : String(c);
}

export function describeDiagnostics(ds: readonly vscode.Diagnostic[]): string {
	if (ds.length === 0) {
		return '(none)';
	}
	return ds.map((d) => `  line ${d.range.start.line + 1} ${vscode.DiagnosticSeverity[d.severity]} [${ruleOf(d)}] ${d.message.slice(0, 100)}`).join('\n');
}

function withTimeout<T>(what: string, timeoutMs: number, start: (resolve: (v: T) => void, dispose: vscode.Disposable[]) => void, onTimeout: () => string = () => ''): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const disposables: vscode.Disposable[] = [];
		const finish = (): void => {
			clearTimeout(timer);
			for (const d of disposables) {
				d.dispose();
			}
		};
		const timer = setTimeout(() => {
			finish();
			reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${onTimeout()}`));
		}, timeoutMs);
		start((v) => {
			finish();
			resolve(v);
		}, disposables);
	});
}

/**
 * Resolves with the diagnostics of `uri` once `test` accepts them: at once when the current ones
 * do, else on the `onDidChangeDiagnostics` event that makes it true.
 */
export function waitForDiagnostics(uri: vscode.Uri, test: (ds: vscode.Diagnostic[]) => boolean, what: string, timeoutMs = WAIT_MS): Promise<vscode.Diagnostic[]> {
	return withTimeout(`diagnostics: ${what}`, timeoutMs, (resolve, disposables) => {
		const check = (): void => {
			const ds = vscode.languages.getDiagnostics(uri);
			if (test(ds)) {
				resolve(ds);
			}
		};
		disposables.push(vscode.languages.onDidChangeDiagnostics((e) => {
			if (e.uris.some((u) => u.toString() === uri.toString())) {
				check();
			}
		}));
		check();
	}, () => `; the document has:\n${describeDiagnostics(vscode.languages.getDiagnostics(uri))}`);
}

/** The open tabs that show the simulator panel. */
export function simulatorTabs(): vscode.Tab[] {
	return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(SIMULATOR_VIEW_TYPE));
}

/** Resolves once a simulator tab is open (at once if one is). */
export function waitForSimulatorTab(timeoutMs = WAIT_MS): Promise<vscode.Tab> {
	return withTimeout('the simulator panel', timeoutMs, (resolve, disposables) => {
		const check = (): void => {
			const tab = simulatorTabs()[0];
			if (tab) {
				resolve(tab);
			}
		};
		disposables.push(vscode.window.tabGroups.onDidChangeTabs(check));
		check();
	}, () => `; open tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ') || '(none)'}`);
}

export async function closeSimulatorTabs(): Promise<void> {
	const tabs = simulatorTabs();
	if (tabs.length > 0) {
		await vscode.window.tabGroups.close(tabs);
	}
}

/** Hover contents as plain text. */
export function hoverText(hovers: readonly vscode.Hover[]): string {
	return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}
