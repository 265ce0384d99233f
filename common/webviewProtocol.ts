/*
 * Messages between the extension host (client/src/simulatorPanel.ts) and the simulator webview
 * (media/src/main.ts), declared once for both sides.
 *
 * Every message is a plain JSON object with a literal `type`. The webview posts `ready` once its
 * script has run; the host queues everything it wants to send until then. Both sides validate what
 * they receive with the guards below: a message that does not fit is dropped, never trusted.
 */

import type { Scenario } from '../server/src/core/model/scenario.ts';

/** The view type registered for the panel and its serializer (`onWebviewPanel:migrateLens.simulator`). */
export const SIMULATOR_VIEW_TYPE = 'migrateLens.simulator';

/** Version of {@link SimulatorState}; a state with another version is ignored on restore. */
export const SIMULATOR_STATE_VERSION = 1;

/** Where a scenario came from when it was opened from a call site in a patch. */
export interface SimulatorOrigin {
	/** The document the call is in: a URI string (`file:///…`, `untitled:…`) or a plain path. */
	file: string;
	/** 1-based line of the call in that document. */
	line: number;
	/** Subject of the patch mail the call belongs to, if known. */
	subject?: string;
	/** The call's text as written (e.g. `migrate_vma_setup(&args)`), for display only. */
	callText?: string;
}

/**
 * What the webview keeps with `setState()` and what the serializer hands back after a reload.
 * The host also bootstraps it into the HTML, so a revived panel draws at once.
 */
export interface SimulatorState {
	version: typeof SIMULATOR_STATE_VERSION;
	scenario: Scenario;
	/** The call the panel was opened from (kept while the user looks at presets). */
	origin?: SimulatorOrigin;
	/** The call's own scenario, when the panel currently shows something else. */
	callScenario?: Scenario;
	/** True when `scenario` is the call's scenario (possibly edited). */
	fromCall?: boolean;
	/** The scenario as opened or loaded, before what-if edits (for Reset), when it differs. */
	baseline?: Scenario;
	/** Selected phase: 0 is "before", k is "after step k-1". */
	phase?: number;
	/** Focused page (index into `scenario.pages`). */
	focus?: number;
	/** Name of the preset the scenario started from, if any. */
	preset?: string;
}

// ---------------------------------------------------------------------------------------------
// host → webview

/** Host → webview: show this scenario (from a command, a code lens or a call at the cursor). */
export interface OpenMessage {
	type: 'open';
	scenario: Scenario;
	origin?: SimulatorOrigin;
}

/** Host → webview: a scenario file the user picked in the open dialog (answer to `requestLoad`). */
export interface LoadedMessage {
	type: 'loaded';
	scenario: unknown;
	/** Display name of the file. */
	fileName: string;
}

/** Host → webview: change the kernel version the scenario is simulated on (e.g. the setting changed). */
export interface SetKernelMessage {
	type: 'setKernel';
	kernel: string;
}

/** Host → webview: the outcome of a `save` or `requestLoad` or `copyText`, to show in the status line. */
export interface NoticeMessage {
	type: 'notice';
	level: 'info' | 'error';
	text: string;
}

export type HostToWebviewMessage = OpenMessage | LoadedMessage | SetKernelMessage | NoticeMessage;

// ---------------------------------------------------------------------------------------------
// webview → host

/** Webview → host: the script is running; flush queued messages. */
export interface ReadyMessage {
	type: 'ready';
}

/** Webview → host: save this scenario as a Contract 2 JSON file (the host shows a save dialog). */
export interface SaveMessage {
	type: 'save';
	scenario: Scenario;
	/** A file name to propose, e.g. `mixed-range.scenario.json`. */
	suggestedName: string;
}

/** Webview → host: show an open dialog and answer with `loaded` (or a `notice` on failure). */
export interface RequestLoadMessage {
	type: 'requestLoad';
}

/** Webview → host: put this plain text on the clipboard (the "Copy as review comment" button). */
export interface CopyTextMessage {
	type: 'copyText';
	text: string;
	/** What was copied, for the confirmation notice. */
	what: string;
}

/** Webview → host: open the document of the call the scenario came from at its line. */
export interface RevealOriginMessage {
	type: 'revealOrigin';
	origin: SimulatorOrigin;
}

export type WebviewToHostMessage = ReadyMessage | SaveMessage | RequestLoadMessage | CopyTextMessage | RevealOriginMessage;

// ---------------------------------------------------------------------------------------------
// guards

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a value shaped like a {@link SimulatorOrigin}. */
export function isSimulatorOrigin(value: unknown): value is SimulatorOrigin {
	return isRecord(value)
		&& typeof value.file === 'string'
		&& typeof value.line === 'number' && Number.isFinite(value.line)
		&& (value.subject === undefined || typeof value.subject === 'string')
		&& (value.callText === undefined || typeof value.callText === 'string');
}

/** A loose shape check of a scenario (the simulator's own validation reports the details). */
export function isScenarioLike(value: unknown): value is Scenario {
	return isRecord(value) && Array.isArray(value.pages) && Array.isArray(value.steps);
}

/** Narrows what the webview receives from the host. */
export function isHostToWebviewMessage(value: unknown): value is HostToWebviewMessage {
	if (!isRecord(value)) {
		return false;
	}
	switch (value.type) {
		case 'open':
			return isScenarioLike(value.scenario) && (value.origin === undefined || isSimulatorOrigin(value.origin));
		case 'loaded':
			return typeof value.fileName === 'string';
		case 'setKernel':
			return typeof value.kernel === 'string';
		case 'notice':
			return (value.level === 'info' || value.level === 'error') && typeof value.text === 'string';
		default:
			return false;
	}
}

/** Narrows what the host receives from the webview. */
export function isWebviewToHostMessage(value: unknown): value is WebviewToHostMessage {
	if (!isRecord(value)) {
		return false;
	}
	switch (value.type) {
		case 'ready':
		case 'requestLoad':
			return true;
		case 'save':
			return isScenarioLike(value.scenario) && typeof value.suggestedName === 'string';
		case 'copyText':
			return typeof value.text === 'string' && typeof value.what === 'string';
		case 'revealOrigin':
			return isSimulatorOrigin(value.origin);
		default:
			return false;
	}
}

/** Narrows a persisted or bootstrapped state; anything else is treated as no state. */
export function isSimulatorState(value: unknown): value is SimulatorState {
	return isRecord(value)
		&& value.version === SIMULATOR_STATE_VERSION
		&& isScenarioLike(value.scenario)
		&& (value.origin === undefined || isSimulatorOrigin(value.origin))
		&& (value.callScenario === undefined || isScenarioLike(value.callScenario))
		&& (value.baseline === undefined || isScenarioLike(value.baseline))
		&& (value.fromCall === undefined || typeof value.fromCall === 'boolean')
		&& (value.phase === undefined || typeof value.phase === 'number')
		&& (value.focus === undefined || typeof value.focus === 'number')
		&& (value.preset === undefined || typeof value.preset === 'string');
}
