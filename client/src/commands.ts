/*
 * The "Migrate Lens" commands. Each asks the server (custom requests in common/protocol.ts) or
 * VS Code for what it needs; none analyses anything itself.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
	COMMANDS,
	CheckDocumentRequest,
	LANGUAGE_IDS,
	ReviewReplyRequest,
	SimulateScenarioRequest,
	type CheckDocumentParams,
	type ReviewReplyParams,
	type ReviewReplyResult,
	type SimulateScenarioParams,
	type SimulateScenarioResult,
	type StatusParams,
} from '../../common/protocol';
import { SETTINGS_SECTION } from '../../common/settings';
import { isScenarioLike, isSimulatorOrigin } from '../../common/webviewProtocol';
import { KERNEL_RELEASES, formatKernel, parseKernel } from '../../server/src/core/model/kernel';
import { SimulatorPanel } from './simulatorPanel';

/** Files "Check Workspace Patches" looks at. */
export const PATCH_GLOB = '**/*.{patch,diff,mbox,mbx,eml}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.git/**,**/dist/**}';
const MAX_FILES = 2000;

function servedEditor(): vscode.TextEditor | undefined {
	const e = vscode.window.activeTextEditor;
	return e && LANGUAGE_IDS.includes(e.document.languageId) ? e : undefined;
}

function errorText(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

export function registerCommands(context: vscode.ExtensionContext, client: () => LanguageClient | undefined, ready: Promise<void>): void {
	const reg = (id: string, fn: (...args: unknown[]) => unknown): void => {
		context.subscriptions.push(vscode.commands.registerCommand(id, fn));
	};

	const request = async <P, R>(method: string, params: P): Promise<R> => {
		await ready;
		const c = client();
		if (!c) {
			throw new Error('the Migrate Lens language server is not running');
		}
		return c.sendRequest(method, params) as Promise<R>;
	};

	reg(COMMANDS.openSimulator, (scenario?: unknown, origin?: unknown) => {
		if (isScenarioLike(scenario)) {
			SimulatorPanel.createOrShow(context.extensionUri, { scenario, origin: isSimulatorOrigin(origin) ? origin : undefined });
		} else {
			SimulatorPanel.createOrShow(context.extensionUri);
		}
	});

	reg(COMMANDS.simulateAtCursor, async () => {
		const editor = servedEditor();
		if (!editor) {
			void vscode.window.showInformationMessage('Simulate Call at Cursor works in a patch or diff document.');
			return;
		}
		try {
			const params: SimulateScenarioParams = {
				textDocument: { uri: editor.document.uri.toString() },
				position: { line: editor.selection.active.line, character: editor.selection.active.character },
			};
			const result = await request<SimulateScenarioParams, SimulateScenarioResult | null>(SimulateScenarioRequest.method, params);
			if (!result) {
				void vscode.window.showInformationMessage('No migrate_vma_setup() call in this message of the document.');
				return;
			}
			SimulatorPanel.createOrShow(context.extensionUri, { scenario: result.scenario, origin: result.origin });
		} catch (e) {
			void vscode.window.showErrorMessage(`Simulate Call at Cursor: ${errorText(e)}`);
		}
	});

	reg(COMMANDS.copyReviewReply, async () => {
		const editor = servedEditor();
		if (!editor) {
			void vscode.window.showInformationMessage('Copy Findings as Review Reply works in a patch or diff document.');
			return;
		}
		try {
			const sel = editor.selection;
			const params: ReviewReplyParams = {
				textDocument: { uri: editor.document.uri.toString() },
				range: sel.isEmpty ? undefined : { start: { line: sel.start.line, character: sel.start.character }, end: { line: sel.end.line, character: sel.end.character } },
			};
			const reply = await request<ReviewReplyParams, ReviewReplyResult>(ReviewReplyRequest.method, params);
			if (reply.findings === 0) {
				void vscode.window.showInformationMessage(sel.isEmpty ? 'Migrate Lens found nothing to comment on in this document.' : 'Migrate Lens found nothing to comment on in the selection.');
				return;
			}
			await vscode.env.clipboard.writeText(reply.text);
			void vscode.window.showInformationMessage(`Copied ${reply.findings} finding${reply.findings === 1 ? '' : 's'} as a review reply.`);
		} catch (e) {
			void vscode.window.showErrorMessage(`Copy Findings as Review Reply: ${errorText(e)}`);
		}
	});

	reg(COMMANDS.setKernel, async (version?: unknown) => {
		const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
		const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
		const apply = async (value: string): Promise<void> => {
			await config.update('kernelVersion', value, target);
			if (value !== 'auto') {
				SimulatorPanel.current?.setKernel(value);
			}
		};
		// Called with a version (from a test, a keybinding or another extension): apply it as given.
		if (typeof version === 'string' && version.trim()) {
			const value = version.trim();
			if (value !== 'auto' && !parseKernel(value)) {
				void vscode.window.showErrorMessage(`Migrate Lens: '${value}' is not a kernel version (use auto or e.g. 6.1).`);
				return;
			}
			await apply(value === 'auto' ? 'auto' : formatKernel(parseKernel(value)!));
			return;
		}
		const current = config.get<string>('kernelVersion', 'auto');
		type Item = vscode.QuickPickItem & { value: string };
		const items: Item[] = [
			{ label: 'auto', value: 'auto', description: current === 'auto' ? '(current)' : undefined, detail: 'From the kernel tree, the base-commit or the mail date; else the newest modelled' },
			...[...KERNEL_RELEASES].reverse().filter((r) => r.version.major > 4 || r.version.minor >= 14).map((r): Item => {
				const v = formatKernel(r.version);
				return { label: v, value: v, description: `${r.date}${r.certain ? '' : ' (expected)'}${current === v ? ' (current)' : ''}` };
			}),
		];
		const pick = await vscode.window.showQuickPick(items, { title: 'Target kernel version', placeHolder: `Findings assume this kernel (now: ${current})` });
		if (pick) {
			await apply(pick.value);
		}
	});

	reg(COMMANDS.showRuleDoc, async (id?: unknown) => {
		const dir = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules');
		let ruleId = typeof id === 'string' ? id : undefined;
		if (!ruleId) {
			let ids: string[] = [];
			try {
				ids = (await vscode.workspace.fs.readDirectory(dir)).map(([name]) => name).filter((n) => n.endsWith('.md')).map((n) => n.slice(0, -3)).sort();
			} catch {
				ids = [];
			}
			if (ids.length === 0) {
				void vscode.window.showInformationMessage('No rule documentation is installed.');
				return;
			}
			ruleId = await vscode.window.showQuickPick(ids, { title: 'Show Rule Documentation', placeHolder: 'Rule id' });
			if (!ruleId) {
				return;
			}
		}
		if (!/^[a-z0-9-]+$/.test(ruleId)) {
			return;
		}
		const uri = vscode.Uri.joinPath(dir, `${ruleId}.md`);
		try {
			await vscode.workspace.fs.stat(uri);
		} catch {
			void vscode.window.showInformationMessage(`No documentation for rule ${ruleId}.`);
			return;
		}
		try {
			await vscode.commands.executeCommand('markdown.showPreview', uri);
		} catch {
			await vscode.window.showTextDocument(uri, { preview: true });
		}
	});

	reg(COMMANDS.checkWorkspace, async () => {
		if (!vscode.workspace.workspaceFolders?.length) {
			void vscode.window.showInformationMessage('Open a folder to check its patches.');
			return;
		}
		const files = await vscode.workspace.findFiles(PATCH_GLOB, EXCLUDE_GLOB, MAX_FILES);
		if (files.length === 0) {
			void vscode.window.showInformationMessage('No .patch, .diff, .mbox or .eml files in the workspace.');
			return;
		}
		const totals = { error: 0, warning: 0, info: 0, flagged: 0, failed: 0 };
		await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Migrate Lens: checking patches', cancellable: true }, async (progress, token) => {
			const decoder = new TextDecoder('utf-8');
			for (let i = 0; i < files.length && !token.isCancellationRequested; i++) {
				const uri = files[i];
				progress.report({ message: vscode.workspace.asRelativePath(uri), increment: 100 / files.length });
				try {
					const text = decoder.decode(await vscode.workspace.fs.readFile(uri));
					const s = await request<CheckDocumentParams, StatusParams>(CheckDocumentRequest.method, { uri: uri.toString(), text });
					totals.error += s.findings.error;
					totals.warning += s.findings.warning;
					totals.info += s.findings.info;
					if (s.findings.error + s.findings.warning > 0) {
						totals.flagged++;
					}
					if (s.state === 'failed') {
						totals.failed++;
					}
				} catch {
					totals.failed++;
				}
			}
		});
		const summary = `Checked ${files.length} file${files.length === 1 ? '' : 's'}: ${totals.error} error(s), ${totals.warning} warning(s) in ${totals.flagged} file(s)${totals.failed ? `; ${totals.failed} could not be checked` : ''}.`;
		const show = await vscode.window.showInformationMessage(summary, 'Show Problems');
		if (show) {
			await vscode.commands.executeCommand('workbench.actions.view.problems');
		}
	});
}
