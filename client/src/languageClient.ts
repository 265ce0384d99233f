/*
 * Creates the language client: the bundled server (dist/server.js) started over IPC, serving
 * `kernel-patch` and `diff` documents of any scheme, with the `migrateLens` settings synchronised.
 * MIGRATE_LENS_SERVER_PATH points the client at another server build (development, tests).
 */
import * as vscode from 'vscode';
import {
	LanguageClient,
	RevealOutputChannelOn,
	TransportKind,
	type LanguageClientOptions,
	type ServerOptions,
} from 'vscode-languageclient/node';
import { COMMANDS, LANGUAGE_IDS, type InitializationOptions } from '../../common/protocol';
import { SETTINGS_SECTION } from '../../common/settings';

export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
	const module = process.env.MIGRATE_LENS_SERVER_PATH || context.asAbsolutePath('dist/server.js');
	const serverOptions: ServerOptions = {
		run: { module, transport: TransportKind.ipc },
		debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
	};
	const initializationOptions: InitializationOptions = {
		settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration(SETTINGS_SECTION))),
		extensionRoot: context.extensionPath,
	};
	const clientOptions: LanguageClientOptions = {
		documentSelector: LANGUAGE_IDS.map((language) => ({ language })),
		synchronize: { configurationSection: SETTINGS_SECTION },
		outputChannel: output,
		revealOutputChannelOn: RevealOutputChannelOn.Never,
		initializationOptions,
		// Hovers link rule ids to their documentation through this command only.
		markdown: { isTrusted: { enabledCommands: [COMMANDS.showRuleDoc] }, supportHtml: false },
	};
	return new LanguageClient('migrateLens', 'Migrate Lens', serverOptions, clientOptions);
}
