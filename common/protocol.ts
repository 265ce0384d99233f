/*
 * The custom LSP messages between the Migrate Lens client (client/src/extension.ts) and its
 * language server (server/src/server.ts), declared once for both sides, plus the ids of the
 * client commands the server names in code lenses and code actions.
 *
 * All methods live under `migrateLens/`. Positions and ranges are LSP ones (0-based, UTF-16).
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Scenario } from '../server/src/core/model/scenario';
import type { SimulatorOrigin } from './webviewProtocol';

/** Client commands (contributed in package.json, category "Migrate Lens"). */
export const COMMANDS = Object.freeze({
	/** Simulate the `migrate_vma_setup()` call at (or nearest above) the cursor. */
	simulateAtCursor: 'migrateLens.simulateAtCursor',
	/** Open the simulator; arguments `(scenario?: Scenario, origin?: SimulatorOrigin)` (code lenses pass both). */
	openSimulator: 'migrateLens.openSimulator',
	/** Analyse every patch, diff and mbox file of the workspace. */
	checkWorkspace: 'migrateLens.checkWorkspace',
	/** Pick the kernel version findings assume (writes `migrateLens.kernelVersion`). */
	setKernel: 'migrateLens.setKernel',
	/** Show a rule's documentation; argument `(ruleId?: string)`. */
	showRuleDoc: 'migrateLens.showRuleDoc',
	/** Copy the findings of the active document as a plain-text review reply. */
	copyReviewReply: 'migrateLens.copyReviewReply',
});

/** The document languages the server analyses. */
export const LANGUAGE_IDS: readonly string[] = Object.freeze(['kernel-patch', 'diff']);

/** Counts of findings by severity. */
export interface FindingCounts {
	error: number;
	warning: number;
	info: number;
}

/**
 * Server → client, after every analysis of a document (open, change, or `checkDocument`): the
 * kernel in force and what was found. The client shows the kernel of the active document in the
 * status bar; tests wait on it instead of sleeping.
 */
export interface StatusParams {
	uri: string;
	/** The document version analysed (absent for `checkDocument`). */
	version?: number;
	/**
	 * `analyzed`: diagnostics were published; `declined`: the document is larger than
	 * `migrateLens.maxDocumentSize` and was not analysed; `failed`: analysis threw (logged).
	 */
	state: 'analyzed' | 'declined' | 'failed';
	/** The kernel in force: the one most messages with a diff assume (`6.1`). */
	kernel: string;
	/** How it was chosen: `setting`, `tree`, `base-commit`, `date` or `newest`. */
	kernelSource: string;
	/** Every distinct kernel the document's messages assume, oldest first. */
	kernels: string[];
	messages: number;
	callSites: number;
	findings: FindingCounts;
	/** Analysis time, in milliseconds. */
	durationMs: number;
	/** For `declined` and `failed`: why, in one sentence. */
	reason?: string;
}

export const StatusNotification = Object.freeze({
	method: 'migrateLens/status' as const,
	type: new NotificationType<StatusParams>('migrateLens/status'),
});

export interface TextDocumentRef {
	uri: string;
}

export interface SimulateScenarioParams {
	textDocument: TextDocumentRef;
	position: { line: number; character: number };
}

export interface SimulateScenarioResult {
	/** A Contract 2 scenario built from the call's flags, owner, fault page, range and kernel. */
	scenario: Scenario;
	/** Where the call is (the document's URI and the call's 1-based line). */
	origin: SimulatorOrigin;
	/** The one-line summary the code lens shows. */
	summary: string;
}

/**
 * Client → server ("Simulate Call at Cursor"): the scenario of the `migrate_vma_setup()` call at
 * the position, else the nearest one above it in the same message, else the first after it.
 * `null` when the message has no such call.
 */
export const SimulateScenarioRequest = Object.freeze({
	method: 'migrateLens/simulateScenario' as const,
	type: new RequestType<SimulateScenarioParams, SimulateScenarioResult | null, void>('migrateLens/simulateScenario'),
});

export interface ReviewReplyParams {
	textDocument: TextDocumentRef;
	/** Only findings that start inside this range; the whole document when absent or empty. */
	range?: { start: { line: number; character: number }; end: { line: number; character: number } };
	/** Include `info` findings (default false: warnings and errors only). */
	includeInfo?: boolean;
}

export interface ReviewReplyResult {
	/** Plain text, ready to paste under a reply's headers. Empty when nothing was found. */
	text: string;
	/** How many findings it comments on. */
	findings: number;
}

/** Client → server ("Copy Findings as Review Reply"). */
export const ReviewReplyRequest = Object.freeze({
	method: 'migrateLens/reviewReply' as const,
	type: new RequestType<ReviewReplyParams, ReviewReplyResult, void>('migrateLens/reviewReply'),
});

export interface CheckDocumentParams {
	uri: string;
	/** The file's text as the editor would decode it. */
	text: string;
}

/**
 * Client → server ("Check Workspace Patches"): analyse a file that is not open and publish its
 * diagnostics under `uri`. Answers with the same status the notification carries.
 */
export const CheckDocumentRequest = Object.freeze({
	method: 'migrateLens/checkDocument' as const,
	type: new RequestType<CheckDocumentParams, StatusParams, void>('migrateLens/checkDocument'),
});

/** What `initializationOptions` may carry (all optional). */
export interface InitializationOptions {
	/** The `migrateLens` settings at start (used when the client cannot answer `workspace/configuration`). */
	settings?: unknown;
	/** The extension's install folder (holds `docs/rules/`); default: found from the server's own location. */
	extensionRoot?: string;
}
