/*
 * The status-bar item: the kernel the active patch is judged against (from the server's status
 * notifications), or the setting when no analysed document is active. Click: Set Target Kernel.
 */
import * as vscode from 'vscode';
import { COMMANDS, LANGUAGE_IDS, type StatusParams } from '../../common/protocol';
import { SETTINGS_SECTION } from '../../common/settings';
import type { KernelSource } from '../../server/src/core/findings';

/** Every source the core names (the compiler checks that none is missing). */
const SOURCE_TEXT: Readonly<Record<KernelSource, string>> = {
	'setting': 'from the migrateLens.kernelVersion setting',
	'tree': 'from the kernel tree\'s Makefile',
	'base-commit': 'from the base-commit trailer',
	'subject': 'from the kernel its subject names (a stable backport)',
	'date': 'from the mail\'s date',
	'newest': 'the newest kernel modelled',
};

export class KernelStatusBar implements vscode.Disposable {
	private readonly item: vscode.StatusBarItem;
	private readonly disposables: vscode.Disposable[] = [];

	constructor(private readonly statusOf: (uri: string) => StatusParams | undefined) {
		this.item = vscode.window.createStatusBarItem('migrateLens.kernel', vscode.StatusBarAlignment.Right, 100);
		this.item.name = 'Migrate Lens Kernel';
		this.item.command = COMMANDS.setKernel;
		this.disposables.push(
			vscode.window.onDidChangeActiveTextEditor(() => this.update()),
			vscode.workspace.onDidChangeConfiguration((e) => {
				if (e.affectsConfiguration(SETTINGS_SECTION)) {
					this.update();
				}
			}),
		);
		this.update();
	}

	update(): void {
		const editor = vscode.window.activeTextEditor;
		if (!editor || !LANGUAGE_IDS.includes(editor.document.languageId)) {
			this.item.hide();
			return;
		}
		const status = this.statusOf(editor.document.uri.toString());
		const setting = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('kernelVersion', 'auto');
		if (!status) {
			this.item.text = `$(versions) Linux ${setting === 'auto' ? 'auto' : setting}`;
			this.item.tooltip = 'Migrate Lens: not analysed yet. Click to set the target kernel version.';
		} else if (status.state === 'declined') {
			this.item.text = '$(versions) Migrate Lens: too large';
			this.item.tooltip = `${status.reason ?? 'The document was not analysed.'} Click to set the target kernel version.`;
		} else {
			const range = status.kernels.length > 1 ? ` (${status.kernels[0]}–${status.kernels[status.kernels.length - 1]})` : '';
			this.item.text = `$(versions) Linux ${status.kernel}${range}`;
			const counts = status.findings;
			const md = new vscode.MarkdownString();
			md.appendMarkdown(`**Migrate Lens** judges this document against **Linux ${status.kernel}**, ${SOURCE_TEXT[status.kernelSource as KernelSource] ?? status.kernelSource}.\n\n`);
			if (status.kernels.length > 1) {
				md.appendMarkdown(`Its messages assume ${status.kernels.join(', ')}.\n\n`);
			}
			md.appendMarkdown(`${status.messages} message(s), ${status.callSites} call site(s); ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info.\n\n`);
			md.appendMarkdown('Click to set the target kernel version.');
			this.item.tooltip = md;
		}
		this.item.show();
	}

	dispose(): void {
		this.item.dispose();
		for (const d of this.disposables) {
			d.dispose();
		}
	}
}
