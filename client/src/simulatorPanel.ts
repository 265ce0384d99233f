/*
 * The extension-side host of the simulator webview: one panel at a time, hardened (CSP with a
 * per-render nonce, resources only from media/), restored after a window reload by a serializer,
 * and the file and clipboard services the webview asks for.
 */

import * as vscode from 'vscode';
import type { Scenario } from '../../server/src/core/model/scenario.ts';
import { makeNonce, simulatorHtml } from '../../common/simulatorHtml.ts';
import {
	SIMULATOR_STATE_VERSION,
	SIMULATOR_VIEW_TYPE,
	isSimulatorState,
	isWebviewToHostMessage,
	type HostToWebviewMessage,
	type SimulatorOrigin,
	type SimulatorState,
	type WebviewToHostMessage,
} from '../../common/webviewProtocol.ts';

/** What to show when the panel opens: a scenario and, from a call site, where it came from. */
export interface SimulatorInit {
	scenario: Scenario;
	origin?: SimulatorOrigin;
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
	return {
		enableScripts: true,
		localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
		retainContextWhenHidden: false,
	};
}

/** Turns an origin's `file` (a URI string or a plain path) into a URI. */
export function originUri(file: string): vscode.Uri {
	return /^[a-zA-Z][\w+.-]+:/.test(file) && !/^[a-zA-Z]:[\\/]/.test(file) ? vscode.Uri.parse(file, true) : vscode.Uri.file(file);
}

/** A file name made from a title: lower-case words joined by dashes. */
function scenarioFileName(scenario: Scenario, suggested: string): string {
	const base = suggested || (typeof scenario.title === 'string' ? scenario.title : '') || 'scenario';
	const slug = base.toLowerCase().replace(/\.scenario\.json$|\.json$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
	return `${slug || 'scenario'}.scenario.json`;
}

export class SimulatorPanel {
	/** The open panel, if any. */
	static current: SimulatorPanel | undefined;

	private readonly disposables: vscode.Disposable[] = [];
	private readonly queue: HostToWebviewMessage[] = [];
	private ready = false;
	private lastSaveFolder: vscode.Uri | undefined;

	/** Shows the panel (creating it if needed) and, given a scenario, opens it. */
	static createOrShow(extensionUri: vscode.Uri, init?: SimulatorInit): SimulatorPanel {
		const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
		if (SimulatorPanel.current) {
			SimulatorPanel.current.panel.reveal(column, false);
			if (init) {
				SimulatorPanel.current.post({ type: 'open', scenario: init.scenario, origin: init.origin });
			}
			return SimulatorPanel.current;
		}
		const panel = vscode.window.createWebviewPanel(SIMULATOR_VIEW_TYPE, 'migrate_vma Simulator', column, webviewOptions(extensionUri));
		const state: SimulatorState | undefined = init
			? { version: SIMULATOR_STATE_VERSION, scenario: init.scenario, origin: init.origin, fromCall: init.origin !== undefined }
			: undefined;
		SimulatorPanel.current = new SimulatorPanel(panel, extensionUri, state);
		return SimulatorPanel.current;
	}

	/** Rebuilds the panel VS Code restored after a reload, with the state the webview last saved. */
	static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): SimulatorPanel {
		SimulatorPanel.current?.dispose();
		panel.webview.options = webviewOptions(extensionUri);
		SimulatorPanel.current = new SimulatorPanel(panel, extensionUri, isSimulatorState(state) ? state : undefined);
		return SimulatorPanel.current;
	}

	private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, initialState: SimulatorState | undefined) {
		panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'simulator-icon.svg');
		this.render(initialState);
		panel.onDidDispose(() => this.dispose(), null, this.disposables);
		panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message), null, this.disposables);
		// A hidden webview is torn down (no retainContextWhenHidden); when shown again it reloads,
		// restores its own state and says `ready` again. Queue until then.
		panel.onDidChangeViewState((event) => {
			if (!event.webviewPanel.visible) {
				this.ready = false;
			}
		}, null, this.disposables);
	}

	/** Sends a message now, or once the webview has said it is ready. */
	post(message: HostToWebviewMessage): void {
		if (this.ready) {
			void this.panel.webview.postMessage(message);
		} else {
			this.queue.push(message);
		}
	}

	/** Simulates on another kernel version (e.g. when the `migrateLens.kernel` setting changes). */
	setKernel(kernel: string): void {
		this.post({ type: 'setKernel', kernel });
	}

	dispose(): void {
		if (SimulatorPanel.current === this) {
			SimulatorPanel.current = undefined;
		}
		this.panel.dispose();
		while (this.disposables.length) {
			this.disposables.pop()?.dispose();
		}
	}

	private render(initialState: SimulatorState | undefined): void {
		const webview = this.panel.webview;
		this.ready = false;
		webview.html = simulatorHtml({
			scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'dist', 'simulator.js')).toString(),
			styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'simulator.css')).toString(),
			cspSource: webview.cspSource,
			nonce: makeNonce(),
			initialState,
		});
	}

	private receive(raw: unknown): void {
		if (!isWebviewToHostMessage(raw)) {
			return;
		}
		const message: WebviewToHostMessage = raw;
		switch (message.type) {
			case 'ready':
				this.ready = true;
				for (const queued of this.queue.splice(0)) {
					void this.panel.webview.postMessage(queued);
				}
				break;
			case 'save':
				void this.save(message.scenario, message.suggestedName);
				break;
			case 'requestLoad':
				void this.load();
				break;
			case 'copyText':
				void vscode.env.clipboard.writeText(message.text).then(
					() => this.post({ type: 'notice', level: 'info', text: `Copied ${message.what} to the clipboard.` }),
					(err: unknown) => this.post({ type: 'notice', level: 'error', text: `Could not copy: ${String(err)}` }),
				);
				break;
			case 'revealOrigin':
				void this.reveal(message.origin);
				break;
		}
	}

	private defaultFolder(): vscode.Uri | undefined {
		return this.lastSaveFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
	}

	private async save(scenario: Scenario, suggestedName: string): Promise<void> {
		const folder = this.defaultFolder();
		const name = scenarioFileName(scenario, suggestedName);
		const target = await vscode.window.showSaveDialog({
			defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
			filters: { 'Simulator scenario': ['json'] },
			saveLabel: 'Save Scenario',
			title: 'Save simulator scenario',
		});
		if (!target) {
			return;
		}
		try {
			await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(`${JSON.stringify(scenario, null, '\t')}\n`));
			this.lastSaveFolder = vscode.Uri.joinPath(target, '..');
			this.post({ type: 'notice', level: 'info', text: `Saved ${baseName(target)}.` });
		} catch (err) {
			this.post({ type: 'notice', level: 'error', text: `Could not save ${baseName(target)}: ${errorText(err)}` });
		}
	}

	private async load(): Promise<void> {
		const picked = await vscode.window.showOpenDialog({
			canSelectMany: false,
			defaultUri: this.defaultFolder(),
			filters: { 'Simulator scenario': ['json'], 'All files': ['*'] },
			openLabel: 'Load Scenario',
			title: 'Load simulator scenario',
		});
		const target = picked?.[0];
		if (!target) {
			return;
		}
		let parsed: unknown;
		try {
			const bytes = await vscode.workspace.fs.readFile(target);
			parsed = JSON.parse(new TextDecoder('utf-8').decode(bytes));
		} catch (err) {
			this.post({ type: 'notice', level: 'error', text: `Could not load ${baseName(target)}: ${errorText(err)}` });
			return;
		}
		this.lastSaveFolder = vscode.Uri.joinPath(target, '..');
		// The webview validates the scenario and shows the simulator's own errors.
		this.post({ type: 'loaded', scenario: parsed, fileName: baseName(target) });
	}

	private async reveal(origin: SimulatorOrigin): Promise<void> {
		try {
			const document = await vscode.workspace.openTextDocument(originUri(origin.file));
			const line = Math.max(0, Math.min(document.lineCount - 1, Math.floor(origin.line) - 1));
			const position = new vscode.Position(line, 0);
			await vscode.window.showTextDocument(document, {
				viewColumn: vscode.ViewColumn.One,
				selection: new vscode.Range(position, position),
				preserveFocus: false,
			});
		} catch (err) {
			this.post({ type: 'notice', level: 'error', text: `Could not open ${origin.file}: ${errorText(err)}` });
		}
	}
}

function baseName(uri: vscode.Uri): string {
	const parts = uri.path.split('/');
	return parts[parts.length - 1] || uri.toString();
}

function errorText(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

/**
 * Registers the serializer that restores the panel after a window reload. Call from `activate()`;
 * the manifest needs the `onWebviewPanel:migrateLens.simulator` activation event (implied on
 * VS Code ≥ 1.74 when the view type is contributed, but harmless to list).
 */
export function registerSimulatorSerializer(context: vscode.ExtensionContext): vscode.Disposable {
	const disposable = vscode.window.registerWebviewPanelSerializer(SIMULATOR_VIEW_TYPE, {
		async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
			SimulatorPanel.revive(panel, context.extensionUri, state);
		},
	});
	context.subscriptions.push(disposable);
	return disposable;
}
