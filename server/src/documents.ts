/*
 * LSP glue: keeps one analysis per open document version, runs it (debounced on edits), publishes
 * diagnostics and the status notification. The analysis itself is one core call
 * (IncrementalAnalyzer.analyzeText); this file only schedules, caches and reports.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis, AnalyzeOptions } from './core/analyze';
import type { ResolvedKernel } from './core/kernelVersion';
import type { Extractor } from './core/extract/index';
import { IncrementalAnalyzer } from './core/features/incremental';
import { declinedDiagnostic, diagnosticsFor } from './core/features/diagnostics';
import { linesOf, type DocLines } from './core/features/common';
import { StatusNotification, type StatusParams } from '../../common/protocol';

/** How long an edit waits before it is analysed. */
export const DEBOUNCE_MS = 150;

export interface HostOptions {
	analyzeOptions(): AnalyzeOptions;
	maxDocumentSize(): number;
	ruleHref(id: string): string | undefined;
	/** The kernel when no message says otherwise (the setting, the tree, or the newest). */
	defaultKernel(): ResolvedKernel;
	log(level: 'info' | 'warn' | 'error', text: string): void;
}

export interface DocumentState {
	uri: string;
	version?: number;
	lines: DocLines;
	analysis?: Analysis;
	declined?: boolean;
	status: StatusParams;
}

export class AnalysisHost {
	private readonly states = new Map<string, DocumentState>();
	private readonly timers = new Map<string, { version: number; timer: ReturnType<typeof setTimeout> }>();
	private readonly analyzers = new Map<string, IncrementalAnalyzer>();
	/** The analysis running for each document, with the version it reads. */
	private readonly inflight = new Map<string, { version?: number; promise: Promise<DocumentState | undefined> }>();
	private readonly closedDocs = new WeakSet<TextDocument>();
	/** Bumped when settings change: analyses started before read old settings and are dropped. */
	private generation = 0;

	constructor(
		private readonly connection: Connection,
		private readonly extractor: () => Promise<Extractor>,
		private readonly opts: HostOptions,
	) { }

	/**
	 * Analyse after the debounce delay (0: at once). A pending run of the same version is kept
	 * (opening a document reports it opened and changed: the open's immediate run wins).
	 */
	schedule(doc: TextDocument, delay = DEBOUNCE_MS): void {
		const pending = this.timers.get(doc.uri);
		if (pending && pending.version === doc.version) {
			return;
		}
		this.cancel(doc.uri);
		this.timers.set(doc.uri, {
			version: doc.version,
			timer: setTimeout(() => {
				this.timers.delete(doc.uri);
				void this.run(doc);
			}, delay),
		});
	}

	cancel(uri: string): void {
		const t = this.timers.get(uri);
		if (t) {
			clearTimeout(t.timer);
			this.timers.delete(uri);
		}
	}

	/** The analysis of the document's current version, running it now if it is pending. */
	async stateFor(doc: TextDocument): Promise<DocumentState | undefined> {
		const s = this.states.get(doc.uri);
		if (s && s.version === doc.version && !this.timers.has(doc.uri)) {
			return s;
		}
		this.cancel(doc.uri);
		return this.run(doc);
	}

	/** The last state of a document, whatever its version (for documents checked but not open). */
	lastState(uri: string): DocumentState | undefined {
		return this.states.get(uri);
	}

	/** Forget a closed document and clear its diagnostics. */
	close(doc: TextDocument): void {
		const uri = doc.uri;
		this.closedDocs.add(doc);
		this.inflight.delete(uri);
		this.cancel(uri);
		this.states.delete(uri);
		this.analyzers.delete(uri);
		void this.connection.sendDiagnostics({ uri, diagnostics: [] });
	}

	/** Drop every cache (settings or kernel tree changed). */
	clearCaches(): void {
		this.generation++;
		for (const a of this.analyzers.values()) {
			a.clear();
		}
		this.states.clear();
		this.inflight.clear();
	}

	/** Analyse text that is not open in the editor (Check Workspace Patches). */
	async checkText(uri: string, text: string): Promise<StatusParams> {
		const s = await this.analyze(uri, undefined, text);
		// A checked file keeps no incremental cache: it is not being edited.
		this.analyzers.delete(uri);
		if (!s) {
			throw new Error(`${uri} could not be analysed`);
		}
		return s.status;
	}

	/** Runs (or joins) the analysis of the document's current version. */
	private run(doc: TextDocument): Promise<DocumentState | undefined> {
		const uri = doc.uri;
		const current = this.inflight.get(uri);
		if (current && current.version === doc.version) {
			return current.promise;
		}
		const promise = this.analyze(uri, doc.version, doc.getText(), doc).catch((e: unknown) => {
			this.opts.log('error', `analysis of ${uri} failed: ${errorText(e)}`);
			return undefined;
		});
		this.inflight.set(uri, { version: doc.version, promise });
		void promise.finally(() => {
			if (this.inflight.get(uri)?.promise === promise) {
				this.inflight.delete(uri);
			}
		});
		return promise;
	}

	/**
	 * Analyses one version. For an open document, an analysis that finds the document changed
	 * under it (while the parser loaded or between extraction slices) hands over to the newer
	 * version and publishes nothing for the old one.
	 */
	private async analyze(uri: string, version: number | undefined, text: string, doc?: TextDocument): Promise<DocumentState | undefined> {
		const started = Date.now();
		const generation = this.generation;
		const limit = this.opts.maxDocumentSize();
		const empty = { error: 0, warning: 0, info: 0 };
		const fallback = this.opts.defaultKernel();
		const base = { uri, version, kernel: fallback.text, kernelSource: fallback.source, kernels: [] as string[], messages: 0, callSites: 0, findings: empty };
		if (text.length > limit) {
			const d = declinedDiagnostic(text.length, limit);
			this.opts.log('info', `${uri}: ${d.message}`);
			const status: StatusParams = { ...base, state: 'declined', durationMs: Date.now() - started, reason: d.message, findings: { ...empty, info: 1 } };
			const state: DocumentState = { uri, version, lines: linesOf(''), declined: true, status };
			this.states.set(uri, state);
			await this.connection.sendDiagnostics({ uri, version, diagnostics: [d] });
			this.notify(status);
			return state;
		}
		let extractor: Extractor;
		try {
			extractor = await this.extractor();
		} catch (e) {
			const reason = `the C parser could not be loaded: ${errorText(e)}`;
			this.opts.log('error', reason);
			const status: StatusParams = { ...base, state: 'failed', durationMs: Date.now() - started, reason };
			const state: DocumentState = { uri, version, lines: linesOf(''), status };
			this.states.set(uri, state);
			this.notify(status);
			return state;
		}
		const stale = (): boolean => generation !== this.generation || (doc !== undefined && (doc.version !== version || this.closed(doc)));
		if (doc && stale()) {
			return this.closed(doc) ? undefined : this.run(doc);
		}
		let analyzer = this.analyzers.get(uri);
		if (!analyzer) {
			analyzer = new IncrementalAnalyzer(extractor);
			this.analyzers.set(uri, analyzer);
		}
		let errors = 0;
		const options = this.opts.analyzeOptions();
		const onError = (what: string, e: unknown): void => {
			errors++;
			if (errors <= 5) {
				this.opts.log('error', `${uri}: ${what} threw: ${errorText(e)}`);
			} else if (errors === 6) {
				this.opts.log('error', `${uri}: more errors in this analysis are not logged`);
			}
		};
		let analysis: Analysis;
		try {
			const r = await analyzer.analyzeTextAsync(text, { ...options, onError }, { shouldStop: stale });
			if (!r) {
				if (doc && !this.closed(doc)) {
					return this.run(doc);
				}
				return generation !== this.generation ? this.analyze(uri, version, text) : undefined;
			}
			analysis = r.analysis;
		} catch (e) {
			const reason = `analysis failed: ${errorText(e)}`;
			this.opts.log('error', `${uri}: ${reason}`);
			analyzer.clear();
			const status: StatusParams = { ...base, state: 'failed', durationMs: Date.now() - started, reason };
			const state: DocumentState = { uri, version, lines: linesOf(''), status };
			this.states.set(uri, state);
			await this.connection.sendDiagnostics({ uri, version, diagnostics: [] });
			this.notify(status);
			return state;
		}
		const diagnostics = diagnosticsFor(analysis, uri, version, (id) => this.opts.ruleHref(id));
		const status = statusOf(analysis, uri, version, Date.now() - started, fallback);
		const state: DocumentState = { uri, version, lines: linesOf(text), analysis, status };
		this.states.set(uri, state);
		await this.connection.sendDiagnostics({ uri, version, diagnostics });
		this.notify(status);
		return state;
	}

	private closed(doc: TextDocument): boolean {
		return this.closedDocs.has(doc);
	}

	private notify(status: StatusParams): void {
		void this.connection.sendNotification(StatusNotification.method, status);
	}
}

function errorText(e: unknown): string {
	return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** The status of an analysis: the kernel most messages with a diff assume, and the counts. */
export function statusOf(analysis: Analysis, uri: string, version: number | undefined, durationMs: number, fallback: ResolvedKernel): StatusParams {
	const withDiff = analysis.messages.filter((m) => m.message.files.length > 0);
	const pool = withDiff.length > 0 ? withDiff : analysis.messages;
	const tally = new Map<string, { n: number; source: string; major: number; minor: number }>();
	for (const m of pool) {
		const t = tally.get(m.kernel.text);
		if (t) {
			t.n++;
		} else {
			tally.set(m.kernel.text, { n: 1, source: m.kernel.source, major: m.kernel.version.major, minor: m.kernel.version.minor });
		}
	}
	let kernel = fallback.text;
	let kernelSource: string = fallback.source;
	let best = -1;
	for (const [k, t] of tally) {
		if (t.n > best) {
			best = t.n;
			kernel = k;
			kernelSource = t.source;
		}
	}
	const kernels = [...tally.entries()].sort((a, b) => a[1].major - b[1].major || a[1].minor - b[1].minor).map(([k]) => k);
	const findings = { error: 0, warning: 0, info: 0 };
	for (const f of analysis.findings) {
		findings[f.severity]++;
	}
	return {
		uri,
		version,
		state: 'analyzed',
		kernel,
		kernelSource,
		kernels,
		messages: analysis.messages.length,
		callSites: analysis.callSites,
		findings,
		durationMs,
	};
}
