/*
 * Node-only helper: finds the two wasm files for `createExtractor()` — in a given folder (the
 * bundled server/CLI put them beside their script), else in node_modules.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createExtractor, type Extractor, type WasmName } from './index';

const PACKAGE_PATHS: Record<WasmName, string> = {
	'web-tree-sitter.wasm': 'web-tree-sitter/web-tree-sitter.wasm',
	'tree-sitter-c.wasm': 'tree-sitter-c/tree-sitter-c.wasm',
};

/** The path of a wasm file: `dirs` first, then node_modules. Undefined when nowhere. */
export function findWasm(name: WasmName, dirs: string[] = []): string | undefined {
	for (const d of dirs) {
		const p = path.join(d, name);
		if (fs.existsSync(p)) {
			return p;
		}
	}
	try {
		return require.resolve(PACKAGE_PATHS[name]);
	} catch {
		return undefined;
	}
}

/** Reads the wasm files from `dirs` (default: this script's folder) or node_modules. */
export function nodeWasmLoader(dirs: string[] = [__dirname]): (name: WasmName) => Promise<Uint8Array> {
	return async (name) => {
		const p = findWasm(name, dirs);
		if (!p) {
			throw new Error(`cannot find ${name} (looked in ${dirs.join(', ') || 'nothing'} and node_modules)`);
		}
		return new Uint8Array(await fs.promises.readFile(p));
	};
}

/** An extractor whose wasm files come from `dirs` or node_modules (`parseCacheChars`, `factsMemoChars`: see `ExtractorInit`). */
export function createNodeExtractor(dirs?: string[], opts: { parseCacheChars?: number; factsMemoChars?: number } = {}): Promise<Extractor> {
	return createExtractor({ loadWasm: nodeWasmLoader(dirs), parseCacheChars: opts.parseCacheChars, factsMemoChars: opts.factsMemoChars });
}
