/*
 * The language server: LSP wiring only. Each handler finds the document's analysis and makes one
 * core call (hover, lenses, outline, fixes, review reply), inside try/catch: a handler that fails
 * logs and answers empty, and the server keeps serving. Transport-agnostic: main.ts passes the
 * node connection, tests may pass any other.
 */
import {
	CodeActionKind,
	SymbolKind,
	TextDocumentSyncKind,
	TextDocuments,
	type CodeAction,
	type CodeLens,
	type Connection,
	type Diagnostic,
	type DocumentSymbol,
	type InitializeParams,
	type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import type { AnalyzeOptions } from './core/analyze';
import type { Extractor } from './core/extract/index';
import { createNodeExtractor } from './core/extract/nodeWasm';
import { resolveKernel, type ResolvedKernel } from './core/kernelVersion';
import { ALL_RULES } from './core/rules/index';
import type { Rule } from './core/rules/types';
import { hoverAt } from './core/features/hover';
import { lensNear, setupCallLenses, type CallLens } from './core/features/codeLens';
import { documentOutline, type OutlineKind, type OutlineSymbol } from './core/features/symbols';
import { quickFixesFor } from './core/features/quickFixes';
import { reviewReply } from './core/features/reviewReply';
import { findingsOfDiagnostics } from './core/features/diagnostics';
import { AnalysisHost, type DocumentState } from './documents';
import { findExtensionRoot, RuleDocs } from './ruleDocs';
import { findKernelTree, type DiskTree } from './kernelTree';
import { debugRules } from './debugRules';
import {
	COMMANDS,
	CheckDocumentRequest,
	ReviewReplyRequest,
	SimulateScenarioRequest,
	type CheckDocumentParams,
	type InitializationOptions,
	type ReviewReplyParams,
	type ReviewReplyResult,
	type SimulateScenarioParams,
	type SimulateScenarioResult,
	type StatusParams,
} from '../../common/protocol';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, readSettings, type MigrateLensSettings } from '../../common/settings';

export interface ServerOptions {
	/** Folders to look for the wasm files in (default: the server's own folder, then node_modules). */
	wasmDirs?: string[];
	/** Rules added to the catalogue (tests); see also debugRules.ts. */
	extraRules?: Rule[];
}

const SYMBOL_KIND: Record<OutlineKind, SymbolKind> = {
	message: SymbolKind.Module,
	patch: SymbolKind.Package,
	file: SymbolKind.File,
	hunk: SymbolKind.Function,
};

function toDocumentSymbol(s: OutlineSymbol): DocumentSymbol {
	return {
		name: s.name || ' ',
		detail: s.detail,
		kind: SYMBOL_KIND[s.kind],
		range: s.range,
		selectionRange: s.selectionRange,
		children: s.children.map(toDocumentSymbol),
	};
}

interface FixData {
	uri: string;
	version?: number;
	finding: number;
	fix: number;
}

function isFixData(x: unknown): x is FixData {
	const d = x as FixData;
	return typeof d === 'object' && d !== null && typeof d.uri === 'string' && typeof d.finding === 'number' && typeof d.fix === 'number';
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
	const documents = new TextDocuments(TextDocument);
	let settings: MigrateLensSettings = { ...DEFAULT_SETTINGS };
	let canPullConfig = false;
	let canResolveEdits = false;
	let folders: string[] = [];
	let tree: DiskTree | undefined;
	let ruleDocs = new RuleDocs(findExtensionRoot());
	const rules: Rule[] = [...ALL_RULES, ...(options.extraRules ?? []), ...debugRules()];

	const log = (level: 'info' | 'warn' | 'error', text: string): void => {
		if (level === 'error') {
			connection.console.error(text);
		} else if (level === 'warn') {
			connection.console.warn(text);
		} else {
			connection.console.info(text);
		}
	};

	let extractor: Promise<Extractor> | undefined;
	const getExtractor = (): Promise<Extractor> => {
		extractor ??= createNodeExtractor(options.wasmDirs ?? [__dirname]);
		extractor.catch(() => {
			extractor = undefined;
		});
		return extractor;
	};

	const analyzeOptions = (): AnalyzeOptions => ({
		kernel: settings.kernelVersion,
		treeMakefile: tree?.makefile,
		tree: tree?.tree,
		severities: settings.severity,
		rules,
	});
	const defaultKernel = (): ResolvedKernel => resolveKernel(undefined, { explicit: settings.kernelVersion, treeMakefile: tree?.makefile });
	const ruleHref = (id: string): string | undefined => ruleDocs.ruleDocUri(id);

	const host = new AnalysisHost(connection, getExtractor, {
		analyzeOptions,
		maxDocumentSize: () => settings.maxDocumentSize,
		ruleHref,
		defaultKernel,
		log,
	});

	const reloadTree = (): void => {
		try {
			tree = findKernelTree(settings.kernelTree, folders);
		} catch (e) {
			tree = undefined;
			log('warn', `kernel tree: ${String(e)}`);
		}
		if (settings.kernelTree && !tree) {
			log('warn', `migrateLens.kernelTree: ${settings.kernelTree} is not a kernel source tree (no top Makefile with VERSION/PATCHLEVEL and no mm/); ignored.`);
		} else if (tree) {
			log('info', `using the kernel tree at ${tree.root}`);
		}
	};

	const applySettings = (raw: unknown): void => {
		const next = readSettings(raw);
		if (JSON.stringify(next) === JSON.stringify(settings)) {
			// Editors re-send unchanged settings (e.g. right after start): nothing to redo.
			return;
		}
		settings = next;
		reloadTree();
		host.clearCaches();
		for (const doc of documents.all()) {
			host.schedule(doc, 0);
		}
	};

	const pullSettings = async (): Promise<void> => {
		if (!canPullConfig) {
			return;
		}
		try {
			applySettings(await connection.workspace.getConfiguration(SETTINGS_SECTION));
		} catch (e) {
			log('warn', `could not read the ${SETTINGS_SECTION} settings: ${String(e)}`);
		}
	};

	/** The analysis of an open document's current version (undefined for unknown or declined documents). */
	const stateOf = async (uri: string): Promise<DocumentState | undefined> => {
		const doc = documents.get(uri);
		if (!doc) {
			return host.lastState(uri);
		}
		return host.stateFor(doc);
	};

	const guard = <P, R>(what: string, empty: R, handler: (p: P) => Promise<R> | R) => async (p: P): Promise<R> => {
		try {
			return await handler(p);
		} catch (e) {
			log('error', `${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
			return empty;
		}
	};

	connection.onInitialize((params: InitializeParams): InitializeResult => {
		const caps = params.capabilities;
		canPullConfig = !!caps.workspace?.configuration;
		canResolveEdits = !!caps.textDocument?.codeAction?.resolveSupport?.properties?.includes('edit');
		const init = (params.initializationOptions ?? {}) as InitializationOptions;
		if (init.extensionRoot) {
			ruleDocs = new RuleDocs(init.extensionRoot);
		}
		folders = (params.workspaceFolders ?? [])
			.map((f) => f.uri)
			.concat(params.workspaceFolders ? [] : params.rootUri ? [params.rootUri] : [])
			.filter((u) => u.startsWith('file:'))
			.map((u) => fileURLToPath(u));
		settings = readSettings(init.settings);
		reloadTree();
		void getExtractor().catch((e: unknown) => log('error', `the C parser could not be loaded: ${String(e)}`));
		return {
			capabilities: {
				textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Full },
				hoverProvider: true,
				codeLensProvider: { resolveProvider: false },
				documentSymbolProvider: { label: 'Patch' },
				codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: true },
			},
			serverInfo: { name: 'migrate-lens' },
		};
	});

	connection.onInitialized(() => {
		void pullSettings();
	});

	connection.onDidChangeConfiguration((change) => {
		if (canPullConfig) {
			void pullSettings();
		} else {
			const s = (change.settings as Record<string, unknown> | undefined)?.[SETTINGS_SECTION];
			applySettings(s);
		}
	});

	documents.onDidOpen((e) => host.schedule(e.document, 0));
	documents.onDidChangeContent((e) => host.schedule(e.document));
	documents.onDidClose((e) => host.close(e.document));

	connection.onHover(guard('hover', null, async (p) => {
		const s = await stateOf(p.textDocument.uri);
		if (!s || s.declined) {
			return null;
		}
		const h = hoverAt(s.lines, p.position, { kernel: defaultKernel(), analysis: s.analysis, ruleHref });
		return h ? { contents: { kind: 'markdown', value: h.markdown }, range: h.range } : null;
	}));

	const lensOrigin = (uri: string, l: CallLens): SimulateScenarioResult['origin'] => ({ file: uri, ...l.origin });

	connection.onCodeLens(guard('code lens', [] as CodeLens[], async (p) => {
		const s = await stateOf(p.textDocument.uri);
		if (!s?.analysis) {
			return [];
		}
		const out: CodeLens[] = [];
		for (const l of setupCallLenses(s.analysis)) {
			out.push({ range: l.range, command: { title: '$(play) Simulate', command: COMMANDS.openSimulator, arguments: [l.scenario, lensOrigin(p.textDocument.uri, l)] } });
			out.push({ range: l.range, command: { title: l.summary, command: '' } });
		}
		return out;
	}));

	connection.onDocumentSymbol(guard('document symbols', [] as DocumentSymbol[], async (p) => {
		const s = await stateOf(p.textDocument.uri);
		return s?.analysis ? documentOutline(s.analysis.document, s.lines).map(toDocumentSymbol) : [];
	}));

	connection.onCodeAction(guard('code actions', [] as CodeAction[], async (p) => {
		const s = await stateOf(p.textDocument.uri);
		if (!s?.analysis) {
			return [];
		}
		const out: CodeAction[] = [];
		const docs = new Set<string>();
		for (const { finding, index } of findingsOfDiagnostics(s.analysis, p.context.diagnostics, s.version)) {
			const diagnostic = p.context.diagnostics.find((d) => d.code === finding.rule && d.range.start.line === finding.range.start.line) as Diagnostic | undefined;
			const fixes = quickFixesFor(finding, { analysis: s.analysis, lines: s.lines });
			fixes.forEach((fix, k) => {
				const action: CodeAction = {
					title: fix.title,
					kind: CodeActionKind.QuickFix,
					diagnostics: diagnostic ? [diagnostic] : undefined,
					isPreferred: k === 0,
				};
				if (canResolveEdits) {
					action.data = { uri: p.textDocument.uri, version: s.version, finding: index, fix: k } satisfies FixData;
				} else {
					action.edit = { changes: { [p.textDocument.uri]: fix.edits } };
				}
				out.push(action);
			});
			if (!docs.has(finding.rule) && ruleDocs.ruleDocPath(finding.rule)) {
				docs.add(finding.rule);
				out.push({
					title: `Show documentation for ${finding.rule}`,
					kind: CodeActionKind.QuickFix,
					diagnostics: diagnostic ? [diagnostic] : undefined,
					command: { title: `Show documentation for ${finding.rule}`, command: COMMANDS.showRuleDoc, arguments: [finding.rule] },
				});
			}
		}
		return out;
	}));

	connection.onCodeActionResolve(guard('code action resolve', {} as CodeAction, async (action: CodeAction) => {
		if (!isFixData(action.data)) {
			return action;
		}
		const data = action.data;
		const s = await stateOf(data.uri);
		if (!s?.analysis || (data.version !== undefined && s.version !== data.version)) {
			log('warn', `code action "${action.title}": the document changed since it was offered`);
			return action;
		}
		const finding = s.analysis.findings[data.finding];
		const fix = finding ? quickFixesFor(finding, { analysis: s.analysis, lines: s.lines })[data.fix] : undefined;
		if (!fix) {
			return action;
		}
		const doc = documents.get(data.uri);
		return {
			...action,
			edit: doc
				? { documentChanges: [{ textDocument: { uri: data.uri, version: doc.version }, edits: fix.edits }] }
				: { changes: { [data.uri]: fix.edits } },
		};
	}));

	connection.onRequest(SimulateScenarioRequest.method, guard('simulate scenario', null as SimulateScenarioResult | null, async (p: SimulateScenarioParams) => {
		const s = await stateOf(p.textDocument.uri);
		if (!s?.analysis) {
			return null;
		}
		const l = lensNear(s.analysis, p.position);
		return l ? { scenario: l.scenario, origin: lensOrigin(p.textDocument.uri, l), summary: l.summary } : null;
	}));

	connection.onRequest(ReviewReplyRequest.method, guard('review reply', { text: '', findings: 0 } as ReviewReplyResult, async (p: ReviewReplyParams) => {
		const s = await stateOf(p.textDocument.uri);
		if (!s?.analysis) {
			return { text: '', findings: 0 };
		}
		const empty = !p.range || (p.range.start.line === p.range.end.line && p.range.start.character === p.range.end.character);
		return reviewReply(s.analysis, { range: empty ? undefined : p.range, includeInfo: p.includeInfo, lines: s.lines });
	}));

	const failedStatus = (uri: string, reason: string): StatusParams => ({
		uri, state: 'failed', kernel: defaultKernel().text, kernelSource: defaultKernel().source, kernels: [], messages: 0, callSites: 0,
		findings: { error: 0, warning: 0, info: 0 }, durationMs: 0, reason,
	});

	connection.onRequest(CheckDocumentRequest.method, async (p: CheckDocumentParams): Promise<StatusParams> => {
		try {
			if (typeof p?.uri !== 'string' || typeof p.text !== 'string') {
				return failedStatus(String(p?.uri), 'checkDocument needs a uri and a text');
			}
			if (documents.get(p.uri)) {
				// Open documents are analysed from the editor's text.
				const s = await stateOf(p.uri);
				return s?.status ?? failedStatus(p.uri, 'not analysed');
			}
			return await host.checkText(p.uri, p.text);
		} catch (e) {
			log('error', `checkDocument ${p?.uri}: ${String(e)}`);
			return failedStatus(String(p?.uri), String(e));
		}
	});

	connection.onShutdown(() => {
		void extractor?.then((x) => x.dispose(), () => undefined);
	});

	documents.listen(connection);
	connection.listen();
}
