/*
 * The Migrate Lens extension: starts the language server, shows the kernel in force in the status
 * bar, registers the commands and the simulator panel's serializer. `activate()` returns an API
 * whose promises tests wait on instead of sleeping.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { StatusNotification, type StatusParams } from '../../common/protocol';
import { createLanguageClient } from './languageClient';
import { registerCommands } from './commands';
import { KernelStatusBar } from './statusBar';
import { registerSimulatorSerializer } from './simulatorPanel';

/** When this module's own code began to run: the bundle (dist/client.js) and all it bundles were loaded. */
const loadedAt = performance.now();

/**
 * When activation reached each step, in `performance.now()` milliseconds of the extension host
 * (the clock its other extensions and tests read too). `npm run bench -- --only activation`
 * reports them; nothing else reads them.
 */
export interface ActivationTimings {
	/** The bundle was loaded (its top-level code ran). */
	loaded: number;
	/** `activate()` was entered. */
	activateStart: number;
	/** `activate()` returned. */
	activateEnd: number;
	/** The language client was running (the server had answered `initialize`); unset before that. */
	clientReady?: number;
}

export interface MigrateLensApi {
	/** Resolves once the language server has started (rejects if it could not). */
	ready: Promise<void>;
	/** The running client, once `ready` resolved. */
	client(): LanguageClient | undefined;
	/** The last status the server sent for a document (by URI string). */
	lastStatus(uri: string): StatusParams | undefined;
	/** Resolves with the next status for `uri` that passes `test` (or the last one, if it already does). */
	waitForStatus(uri: string, test?: (s: StatusParams) => boolean, timeoutMs?: number): Promise<StatusParams>;
	/** When activation reached each step. */
	timings: ActivationTimings;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): MigrateLensApi {
	const timings: ActivationTimings = { loaded: loadedAt, activateStart: performance.now(), activateEnd: NaN };
	const output = vscode.window.createOutputChannel('Migrate Lens', { log: true });
	context.subscriptions.push(output);
	registerSimulatorSerializer(context);

	const statuses = new Map<string, StatusParams>();
	const emitter = new vscode.EventEmitter<StatusParams>();
	context.subscriptions.push(emitter);
	const statusBar = new KernelStatusBar((uri) => statuses.get(uri));
	context.subscriptions.push(statusBar);

	const c = createLanguageClient(context, output);
	const ready = c.start().then(() => {
		timings.clientReady = performance.now();
		client = c;
		context.subscriptions.push(c.onNotification(StatusNotification.method, (s: StatusParams) => {
			statuses.set(s.uri, s);
			emitter.fire(s);
			statusBar.update();
		}));
	});
	ready.catch((e: unknown) => {
		output.error(`The Migrate Lens language server did not start: ${e instanceof Error ? e.message : String(e)}`);
	});

	registerCommands(context, () => client, ready);

	timings.activateEnd = performance.now();
	return {
		ready,
		timings,
		client: () => client,
		lastStatus: (uri) => statuses.get(uri),
		waitForStatus(uri, test = () => true, timeoutMs = 30000): Promise<StatusParams> {
			const last = statuses.get(uri);
			if (last && test(last)) {
				return Promise.resolve(last);
			}
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => {
					sub.dispose();
					reject(new Error(`no Migrate Lens status for ${uri} within ${timeoutMs} ms`));
				}, timeoutMs);
				const sub = emitter.event((s) => {
					if (s.uri === uri && test(s)) {
						clearTimeout(timer);
						sub.dispose();
						resolve(s);
					}
				});
			});
		},
	};
}

export function deactivate(): Thenable<void> | undefined {
	const c = client;
	client = undefined;
	return c?.stop();
}
