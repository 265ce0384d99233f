/*
 * `migrate-lens check`: reads files (or standard input), runs the analysis, and collects findings per file.
 * Files up to STREAM_THRESHOLD bytes are read whole, exactly as the editor sees them; larger files
 * (whole-list archives) are read in chunks, message by message, in bounded memory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { ingestText, MboxStream, parseMessage, type MessageSlice } from '../server/src/core/ingest/index';
import type { Message } from '../server/src/core/ingest/types';
import { analyzeDocument, ingestFindings, type AnalyzeOptions } from '../server/src/core/analyze';
import { sortFindings, type Finding } from '../server/src/core/findings';
import type { Extractor } from '../server/src/core/extract/index';
import { createNodeExtractor } from '../server/src/core/extract/nodeWasm';
import type { KernelTree } from '../server/src/core/extract/types';
import { explicitKernel, resolveKernel } from '../server/src/core/kernelVersion';
import { ALL_RULES } from '../server/src/core/rules/index';
import { FACT_WORDS } from '../server/src/core/extract/names';
import { ThreadWindow } from './threadWindow';

/** Files larger than this are streamed message by message. */
export const STREAM_THRESHOLD = 64 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
/** The CLI's parse cache: enough for a patch and the replies that quote it right after. */
const CLI_PARSE_CACHE_CHARS = 128 * 1024;
/**
 * The CLI's facts memo: a patch re-sent or answered a few messages later. Kept small: on the 2020
 * archive a memo that holds the whole year saves nothing measurable (the parse cache already
 * catches what repeats nearby); it would only make an archive that repeats itself look fast.
 */
const CLI_FACTS_MEMO_CHARS = 256 * 1024;
/** Streamed messages longer than this (characters) are read only in part: their first OVERSIZE_HEAD. */
export const MAX_STREAMED_MESSAGE = 16 * 1024 * 1024;
const OVERSIZE_HEAD = 1024 * 1024;
/**
 * While streaming, a message with diffs waits until no message of its series has come for this
 * many characters (see `ThreadWindow`). On the 2020 nouveau archive (33 MB) the findings are those of
 * reading it whole from a horizon of 256K characters on (with none, 87 findings instead of 44).
 */
export const SERIES_HORIZON = 4 * 1024 * 1024;
/** While streaming, the most message text (characters) held for series not yet complete. */
const SERIES_HELD_CHARS = 8 * 1024 * 1024;
/**
 * While streaming, the resident size above which a full garbage collection is run (at most once
 * per COLLECT_STEP characters read). What the check keeps alive is well under this (the current
 * message, the thread window, the caches); what V8 would otherwise let the heap grow to between
 * its own collections is not (over 600 MB on the 2020 archive repeated eight times).
 */
const RSS_BUDGET = 320 * 1024 * 1024;
/** The least reading (characters) between two such collections; doubled while what is alive after one takes half the budget. */
const COLLECT_STEP = 1024 * 1024;
const COLLECT_STEP_MAX = 64 * 1024 * 1024;

let collector: (() => void) | null | undefined;

/**
 * A full garbage collection, when the runtime lets us ask for one. Streaming a large archive
 * makes much short-lived garbage in large strings, which V8 otherwise lets pile up to a large
 * multiple of what is live; collecting now and then keeps the peak memory bounded.
 */
function collectGarbage(): void {
	if (collector === undefined) {
		try {
			v8.setFlagsFromString('--expose-gc');
			const gc = vm.runInNewContext('gc') as unknown;
			collector = typeof gc === 'function' ? (gc as () => void) : null;
		} catch {
			collector = null;
		}
	}
	collector?.();
}

export interface CheckedFile {
	path: string;
	/** The kernel version assumed: the explicit one, or the one most messages were judged against. */
	kernel: string;
	messages: number;
	callSites: number;
	findings: Finding[];
	/** Why the file could not be read, when it could not. */
	error?: string;
}

export interface CheckOptions {
	kernel?: string;
	/** A kernel source tree: its Makefile gives the version and its files complete the hunks' functions. */
	tree?: string;
	/** Where the tree-sitter wasm files are (defaults to beside the bundle). */
	wasmDir?: string;
	/** Files larger than this many bytes are streamed (default STREAM_THRESHOLD). */
	streamThreshold?: number;
	/** Size of the extractor's parse cache in characters (see `ExtractorInit.parseCacheChars`). */
	parseCacheChars?: number;
	/** Size of the extractor's facts memo in characters (see `ExtractorInit.factsMemoChars`). */
	factsMemoChars?: number;
	/** While streaming: how long (in characters read) a series is waited for (default SERIES_HORIZON). */
	seriesHorizon?: number;
}

function treeReader(dir: string): KernelTree {
	return {
		readFile(p: string): string | undefined {
			const full = path.resolve(dir, p);
			if (!full.startsWith(path.resolve(dir) + path.sep)) {
				return undefined;
			}
			try {
				return fs.readFileSync(full, 'utf8');
			} catch {
				return undefined;
			}
		},
	};
}

function mostCommon(values: string[], fallback: string): string {
	const counts = new Map<string, number>();
	let best = fallback;
	let bestCount = 0;
	for (const v of values) {
		const c = (counts.get(v) ?? 0) + 1;
		counts.set(v, c);
		if (c > bestCount) {
			best = v;
			bestCount = c;
		}
	}
	return best;
}

export async function checkFiles(files: string[], opts: CheckOptions = {}): Promise<CheckedFile[]> {
	if (opts.kernel !== undefined && opts.kernel !== 'auto' && !explicitKernel(opts.kernel)) {
		throw Object.assign(new Error(`--kernel '${opts.kernel}' is not a kernel version (e.g. 6.1)`), { usage: true });
	}
	const extractor = await createNodeExtractor(opts.wasmDir ? [opts.wasmDir] : [__dirname], { parseCacheChars: opts.parseCacheChars ?? CLI_PARSE_CACHE_CHARS, factsMemoChars: opts.factsMemoChars ?? CLI_FACTS_MEMO_CHARS });
	let treeMakefile: string | undefined;
	let tree: KernelTree | undefined;
	if (opts.tree) {
		tree = treeReader(opts.tree);
		treeMakefile = tree.readFile('Makefile');
	}
	const analyzeOpts: AnalyzeOptions = {
		kernel: opts.kernel,
		tree,
		treeMakefile,
		rules: ALL_RULES,
		onError: (what, e) => process.stderr.write(`migrate-lens: ${what} failed: ${(e as Error)?.message ?? String(e)}\n`),
	};
	const results: CheckedFile[] = [];
	for (const file of files) {
		results.push(await checkOne(file, extractor, analyzeOpts, opts.streamThreshold ?? STREAM_THRESHOLD, opts.seriesHorizon ?? SERIES_HORIZON));
	}
	return results;
}

async function checkOne(file: string, extractor: Extractor, opts: AnalyzeOptions, streamThreshold: number, horizon: number): Promise<CheckedFile> {
	const display = file === '-' ? '<stdin>' : file;
	const fallbackKernel = resolveKernel(undefined, { explicit: opts.kernel, treeMakefile: opts.treeMakefile }).text;
	let size = 0;
	if (file !== '-') {
		try {
			const st = fs.statSync(file);
			if (st.isDirectory()) {
				return { path: display, kernel: fallbackKernel, messages: 0, callSites: 0, findings: [], error: 'is a directory' };
			}
			size = st.size;
		} catch (e) {
			return { path: display, kernel: fallbackKernel, messages: 0, callSites: 0, findings: [], error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
		}
	}
	try {
		if (size > streamThreshold) {
			return await checkStreamed(file, display, extractor, opts, horizon);
		}
		const bytes = file === '-' ? fs.readFileSync(0) : fs.readFileSync(file);
		const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
		// Findings only: a message that mentions none of the API words can yield none, so it is read
		// for its headers (threads and series stay whole) and its body is passed over.
		const analysis = analyzeDocument(ingestText(text, { skipUnlessWords: FACT_WORDS }), extractor, opts);
		return {
			path: display,
			kernel: mostCommon(analysis.messages.filter((m) => m.message.files.length > 0).map((m) => m.kernel.text), analysis.messages[0]?.kernel.text ?? fallbackKernel),
			messages: analysis.document.messages.length,
			callSites: analysis.callSites,
			findings: analysis.findings,
		};
	} catch (e) {
		return { path: display, kernel: fallbackKernel, messages: 0, callSites: 0, findings: [], error: `cannot read: ${(e as Error).message}` };
	}
}

/**
 * Reads a huge mbox chunk by chunk. Messages without diffs are read and let go one by one; those
 * with diffs wait in a `ThreadWindow` until their series is complete (no message of it for
 * SERIES_HORIZON characters), and each series is then analysed as one document.
 */
async function checkStreamed(file: string, display: string, extractor: Extractor, opts: AnalyzeOptions, horizon: number): Promise<CheckedFile> {
	const stream = new MboxStream({ maxMessageChars: MAX_STREAMED_MESSAGE });
	const decoder = new TextDecoder('utf-8', { fatal: false });
	const window = new ThreadWindow(horizon, SERIES_HELD_CHARS);
	const findings: Finding[] = [];
	const kernels: string[] = [];
	let messages = 0;
	let callSites = 0;
	/** Characters of the messages read so far. */
	let read = 0;
	let collectedAt = 0;
	let collectStep = COLLECT_STEP;
	const kernelInputs = { explicit: opts.kernel, treeMakefile: opts.treeMakefile };
	// A finding's strings may be slices of the message text, and a slice keeps its whole parent
	// string (the read buffer) alive: kept findings are copied so each chunk can be freed.
	const keep = (fs: Finding[]): void => {
		for (const f of fs) {
			findings.push(JSON.parse(JSON.stringify(f)) as Finding);
		}
	};
	const analyse = (series: Message[]): void => {
		const analysis = analyzeDocument({ messages: series, problems: [] }, extractor, opts);
		keep(analysis.findings);
		callSites += analysis.callSites;
		for (const m of analysis.messages) {
			kernels.push(m.kernel.text);
		}
	};
	const take = (slices: MessageSlice[]): void => {
		for (const slice of slices) {
			// Messages that mention none of the API words cannot yield a finding: only their headers
			// (and whatever a full read would report about them) are read.
			let text = slice.text;
			let oversize: number | undefined;
			if (slice.omitted !== undefined || text.length >= MAX_STREAMED_MESSAGE) {
				// Reading a giant message line by line would take many times its size in memory (and
				// the stream kept only its first MAX_STREAMED_MESSAGE characters): its head is read
				// (headers, the first diffs) and the rest reported, not analysed.
				oversize = text.length + (slice.omitted ?? 0);
				const cut = text.lastIndexOf('\n', OVERSIZE_HEAD);
				text = text.slice(0, cut > 0 ? cut + 1 : OVERSIZE_HEAD);
			}
			const msg = parseMessage(text, slice.startLine, messages++, { skipUnlessWords: FACT_WORDS });
			if (oversize !== undefined) {
				const at = { line: msg.range.start.line, character: 0 };
				msg.problems.push({ message: `This message is ${(oversize / 1048576).toFixed(0)} M characters long; only its first ${(text.length / 1024).toFixed(0)} K characters were read.`, range: { start: at, end: at } });
			}
			if (msg.skipped) {
				if (msg.problems.length > 0) {
					keep(sortFindings(ingestFindings({ messages: [msg], problems: [] }, () => resolveKernel(msg, kernelInputs))));
				}
				if (msg.hasDiff) {
					kernels.push(resolveKernel(msg, kernelInputs).text);
				}
				continue;
			}
			read += slice.text.length + (slice.omitted ?? 0);
			const at = read;
			if (msg.files.length > 0) {
				window.add(msg, at, text.length);
			} else if (msg.problems.length > 0) {
				keep(ingestFindings({ messages: [msg], problems: [] }, () => resolveKernel(msg, kernelInputs)));
			}
			for (const series of window.due(at)) {
				analyse(series);
			}
			if (read - collectedAt >= collectStep && process.memoryUsage.rss() > RSS_BUDGET) {
				collectedAt = read;
				collectGarbage();
				// when what is alive takes half the budget, collecting cannot help much: do it less often
				collectStep = process.memoryUsage().heapUsed > RSS_BUDGET / 2 ? Math.min(collectStep * 2, COLLECT_STEP_MAX) : COLLECT_STEP;
			}
		}
	};
	const fd = fs.openSync(file, 'r');
	try {
		const buf = Buffer.allocUnsafe(CHUNK);
		for (;;) {
			const n = fs.readSync(fd, buf, 0, CHUNK, null);
			if (n <= 0) {
				break;
			}
			take(stream.push(decoder.decode(buf.subarray(0, n), { stream: true })));
		}
		take(stream.push(decoder.decode()));
		take(stream.end());
		for (const series of window.rest()) {
			analyse(series);
		}
	} finally {
		fs.closeSync(fd);
	}
	const fallback = resolveKernel(undefined, { explicit: opts.kernel, treeMakefile: opts.treeMakefile }).text;
	return { path: display, kernel: mostCommon(kernels, fallback), messages, callSites, findings: sortFindings(findings) };
}
