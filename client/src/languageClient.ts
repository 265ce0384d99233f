/*
 * Creates the language client: the bundled server (dist/server.js) started over IPC, serving
 * `kernel-patch` and `diff` documents of any scheme, with the `migrateLens` settings synchronised.
 * MIGRATE_LENS_SERVER_PATH points the client at another server build (development, tests).
 */
import * as vscode from 'vscode';
import {
	CloseAction,
	ErrorAction,
	LanguageClient,
	RevealOutputChannelOn,
	type ErrorHandler,
	TransportKind,
	type LanguageClientOptions,
	type ServerOptions,
} from 'vscode-languageclient/node';
import { COMMANDS, LANGUAGE_IDS, type InitializationOptions } from '../../common/protocol';
import { SETTINGS_SECTION } from '../../common/settings';

/** How many unexpected server exits within RESTART_WINDOW_MS are restarted before giving up. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

/**
 * Restarts a server that died, telling the user each time, and stops (with a message pointing at
 * the output channel) when it keeps dying — never silently.
 */
export function restartingErrorHandler(output: vscode.LogOutputChannel, now: () => number = Date.now): ErrorHandler {
	const exits: number[] = [];
	return {
		error: (error, _message, count) => {
			output.error(`language server connection error: ${error?.message ?? String(error)}`);
			return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
		},
		closed: () => {
			const t = now();
			exits.push(t);
			while (exits.length > 0 && t - exits[0] > RESTART_WINDOW_MS) {
				exits.shift();
			}
			if (exits.length > MAX_RESTARTS) {
				output.error(`language server stopped ${exits.length} times in ${RESTART_WINDOW_MS / 60000} minutes; not restarting`);
				return { action: CloseAction.DoNotRestart, message: `Migrate Lens: the language server stopped ${exits.length} times in a few minutes and will not be restarted. See the Migrate Lens output for details; reload the window to try again.` };
			}
			output.warn(`language server stopped unexpectedly; restarting (${exits.length} of ${MAX_RESTARTS})`);
			void vscode.window.showWarningMessage(`Migrate Lens: the language server stopped unexpectedly and was restarted (${exits.length} of ${MAX_RESTARTS}).`);
			return { action: CloseAction.Restart, handled: true };
		},
	};
}

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
		errorHandler: restartingErrorHandler(output),
		// Hovers link rule ids to their documentation through this command only.
		markdown: { isTrusted: { enabledCommands: [COMMANDS.showRuleDoc] }, supportHtml: false },
	};
	return new LanguageClient('migrateLens', 'Migrate Lens', serverOptions, clientOptions);
}
