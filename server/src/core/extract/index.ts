/*
 * Stage 3 entry point. `createExtractor()` loads web-tree-sitter and the C grammar once (async);
 * afterwards `extractMessage()` is synchronous and never throws: a file that cannot be analysed
 * becomes an `ExtractProblem`.
 *
 * Browser-safe: no fs/path here. Node callers that want the wasm files located in node_modules
 * use `nodeWasm.ts`.
 */

import { Language, Parser } from 'web-tree-sitter';
import type { FileDiff, Message, PatchDocument } from '../ingest/types';
import { extractFile } from './file';
import { ParseCache } from './ast';
import { FACTS_MEMO_CHARS, FactsMemo } from './memo';
import { mentionsApi } from './names';
import type { DocumentFacts, ExtractOptions, ExtractProblem, FileFacts, MessageFacts } from './types';

export type * from './types';

/** The two wasm files the extractor needs. */
export type WasmName = 'web-tree-sitter.wasm' | 'tree-sitter-c.wasm';

export interface ExtractorInit {
	/** A folder (path or URL) holding both wasm files (the bundled server/CLI: `dist/`). */
	wasmDir?: string;
	/** Returns the bytes of a wasm file; wins over `wasmDir`. */
	loadWasm?: (name: WasmName) => Promise<Uint8Array>;
	/**
	 * How much unit text (characters) the parse cache keeps: parsed units are reused when the same
	 * text comes again (a quoted or re-sent patch, an edit elsewhere in the document). Default
	 * 512K characters (tens of MB of tree copies); 0 turns the cache off.
	 */
	parseCacheChars?: number;
	/**
	 * How much the facts memo keeps (characters of its keys, about twice the hunk text): the facts
	 * of a file whose hunks come again unchanged (an edit elsewhere in the message, a quote, a
	 * re-sent patch) are reused, moved when the file moved. Default `FACTS_MEMO_CHARS`; 0 turns it off.
	 */
	factsMemoChars?: number;
}

/** Default size of the parse cache, in characters of unit text. */
export const PARSE_CACHE_CHARS = 512 * 1024;

export interface Extractor {
	/**
	 * Facts of one message: one `FileFacts` per C file and image, post images first. Files whose
	 * hunks never mention the API (`mentionsApi`) are left out.
	 */
	extractMessage(msg: Message, opts?: ExtractOptions): MessageFacts;
	extractDocument(doc: PatchDocument, opts?: ExtractOptions): DocumentFacts;
	/** Frees the parser. */
	dispose(): void;
	/** Empties the parse cache and the facts memo (results never depend on them; only time does). */
	clearCache?(): void;
}

let runtime: Promise<void> | undefined;
let language: Promise<Language> | undefined;

function join(dir: string, name: string): string {
	return dir.replace(/[\\/]+$/, '') + '/' + name;
}

/** Loads the runtime and the grammar (once per process / page). */
async function load(init: ExtractorInit): Promise<Language> {
	if (!runtime) {
		if (init.loadWasm) {
			const bytes = await init.loadWasm('web-tree-sitter.wasm');
			runtime = Parser.init({ wasmBinary: bytes } as object);
		} else if (init.wasmDir) {
			const dir = init.wasmDir;
			runtime = Parser.init({ locateFile: (name: string) => join(dir, name) } as object);
		} else {
			throw new Error('createExtractor needs wasmDir or loadWasm');
		}
		runtime.catch(() => {
			runtime = undefined;
		});
	}
	await runtime;
	if (!language) {
		language = init.loadWasm
			? init.loadWasm('tree-sitter-c.wasm').then((b) => Language.load(b))
			: Language.load(join(init.wasmDir!, 'tree-sitter-c.wasm'));
		language.catch(() => {
			language = undefined;
		});
	}
	return language;
}

const relevance = new WeakMap<FileDiff, boolean>();

/** Whether any hunk line or section of the file mentions the API (see `mentionsApi`). */
function relevant(f: FileDiff): boolean {
	let r = relevance.get(f);
	if (r === undefined) {
		r = f.hunks.some((h) => mentionsApi(h.section) || h.lines.some((l) => mentionsApi(l.text)));
		relevance.set(f, r);
	}
	return r;
}

/** True for files worth parsing as C. */
export function isCFile(path: string): boolean {
	return /\.(c|h|inc)$/i.test(path);
}

/**
 * Loads the parser (the runtime is initialised once per process or page: the first call's
 * `init` wins) and returns an extractor with its own parser. Rejects when the wasm files cannot
 * be loaded.
 */
export async function createExtractor(init: ExtractorInit): Promise<Extractor> {
	const lang = await load(init);
	let parser: Parser | undefined = new Parser();
	parser.setLanguage(lang);
	const cacheChars = init.parseCacheChars ?? PARSE_CACHE_CHARS;
	const cache = cacheChars > 0 ? new ParseCache(cacheChars) : undefined;
	const memoChars = init.factsMemoChars ?? FACTS_MEMO_CHARS;
	const memo = memoChars > 0 ? new FactsMemo(memoChars) : undefined;

	const extractMessage = (msg: Message, opts: ExtractOptions = {}): MessageFacts => {
		const problems: ExtractProblem[] = [];
		const files: FileFacts[] = [];
		const images = opts.preImage === false ? (['post'] as const) : (['post', 'pre'] as const);
		if (!parser) {
			problems.push({ message: 'the extractor was disposed', range: msg.range });
			return { messageIndex: msg.index, subject: msg.subject.raw, files, problems };
		}
		for (const image of images) {
			for (const f of msg.files) {
				if (f.binary || f.hunks.length === 0 || !isCFile(f.path)) {
					continue;
				}
				if (image === 'pre' && f.oldPath === undefined) {
					continue;
				}
				if (image === 'post' && f.newPath === undefined) {
					continue;
				}
				if (!relevant(f)) {
					continue;
				}
				try {
					const p = parser;
					const make = (): FileFacts => extractFile(f, image, p, opts.tree, cache);
					// a kernel tree's files can change under the same hunks: no memo then
					files.push(memo && !opts.tree ? memo.get(f, image, make) : make());
				} catch (e) {
					parser!.reset();
					problems.push({ message: `could not analyse ${f.path} (${image} image): ${e instanceof Error ? e.message : String(e)}`, range: f.header.origin.range });
				}
			}
		}
		return { messageIndex: msg.index, subject: msg.subject.raw, files, problems };
	};

	return {
		extractMessage,
		extractDocument(doc: PatchDocument, opts?: ExtractOptions): DocumentFacts {
			return { messages: doc.messages.map((m) => extractMessage(m, opts)) };
		},
		dispose(): void {
			parser?.delete();
			parser = undefined;
			cache?.clear();
			memo?.clear();
		},
		clearCache(): void {
			cache?.clear();
			memo?.clear();
		},
	};
}

/** Kinds of calls that start a migration. */
const STARTERS = new Set(['setup', 'device-range', 'device-pfns', 'old-migrate-vma', 'hmm-setup']);

/**
 * The number of migration call sites in the post images (what the CLI reports as `callSites`).
 * Each call that starts a migration — `migrate_vma_setup`, `migrate_device_range`,
 * `migrate_device_pfns`, the old `migrate_vma`, `migrate_hmm_range_setup` — is one call site. A
 * function that starts none but takes part in one counts once: it builds or uses a
 * `struct migrate_vma` (initialiser, field assignments, its `src`/`dst` entries, pages/finalize
 * calls), writes src/dst entries, calls `migrate_device_pages`/`migrate_device_finalize`, is a
 * `migrate_to_ram` handler or an `alloc_and_copy`/`finalize_and_map` callback.
 */
export function callSiteCount(facts: MessageFacts | DocumentFacts): number {
	if ('messages' in facts) {
		return facts.messages.reduce((n, m) => n + callSiteCount(m), 0);
	}
	let n = 0;
	for (const f of facts.files) {
		if (f.image !== 'post') {
			continue;
		}
		for (const fn of f.functions) {
			const starts = fn.calls.filter((c) => STARTERS.has(c.kind)).length;
			if (starts > 0) {
				n += starts;
				continue;
			}
			const takesPart = fn.structs.some((s) => s.how !== 'param' || s.assignments.length > 0 || s.callIndexes.length > 0
				|| fn.pfnWrites.length > 0 || fn.pfnLoops.some((l) => l.arrays.length > 0))
				|| fn.calls.some((c) => c.kind === 'pages' || c.kind === 'finalize' || c.kind === 'device-pages' || c.kind === 'device-finalize')
				|| fn.pfnWrites.length > 0 || fn.roles.includes('alloc_and_copy') || fn.roles.includes('finalize_and_map')
				|| fn.migrateToRam !== undefined && (fn.roles.includes('migrate_to_ram') || /migrate_to_ram/.test(fn.name) || fn.structs.length > 0);
			if (takesPart) {
				n++;
			}
		}
	}
	return n;
}
