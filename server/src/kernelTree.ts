/*
 * A kernel source tree on disk (node-only): the `migrateLens.kernelTree` setting, else a
 * workspace folder that is one. Gives the extractor whole functions and the kernel version its
 * top Makefile names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KernelTree } from './core/extract/types';

/** Files larger than this are not read from the tree. */
const MAX_TREE_FILE = 4 * 1024 * 1024;

export interface DiskTree {
	root: string;
	makefile: string;
	tree: KernelTree;
}

/** True when the folder looks like a kernel tree: a top Makefile with VERSION/PATCHLEVEL and an mm/ folder. */
export function isKernelTree(dir: string): boolean {
	try {
		const mk = fs.readFileSync(path.join(dir, 'Makefile'), 'utf8').slice(0, 4096);
		return /^VERSION\s*=\s*\d+/m.test(mk) && /^PATCHLEVEL\s*=\s*\d+/m.test(mk) && fs.statSync(path.join(dir, 'mm')).isDirectory();
	} catch {
		return false;
	}
}

export function openKernelTree(dir: string): DiskTree | undefined {
	const root = path.resolve(dir);
	if (!isKernelTree(root)) {
		return undefined;
	}
	const makefile = fs.readFileSync(path.join(root, 'Makefile'), 'utf8').slice(0, 4096);
	const cache = new Map<string, string | undefined>();
	const tree: KernelTree = {
		readFile(rel: string): string | undefined {
			if (typeof rel !== 'string' || rel.length === 0 || rel.length > 4096) {
				return undefined;
			}
			if (cache.has(rel)) {
				return cache.get(rel);
			}
			const full = path.resolve(root, rel);
			let text: string | undefined;
			if (full.startsWith(root + path.sep)) {
				try {
					const st = fs.statSync(full);
					text = st.isFile() && st.size <= MAX_TREE_FILE ? fs.readFileSync(full, 'utf8') : undefined;
				} catch {
					text = undefined;
				}
			}
			cache.set(rel, text);
			return text;
		},
	};
	return { root, makefile, tree };
}

/** The tree to use: the setting when it names one, else the first workspace folder that is one. */
export function findKernelTree(setting: string, folders: string[]): DiskTree | undefined {
	if (setting) {
		return openKernelTree(setting);
	}
	for (const f of folders) {
		const t = openKernelTree(f);
		if (t) {
			return t;
		}
	}
	return undefined;
}
