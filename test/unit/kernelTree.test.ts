import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findKernelTree, isKernelTree, openKernelTree } from '../../server/src/kernelTree';

function makeTree(version: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-tree-'));
	const [major, minor] = version.split('.');
	fs.writeFileSync(path.join(dir, 'Makefile'), `# SPDX-License-Identifier: GPL-2.0\nVERSION = ${major}\nPATCHLEVEL = ${minor}\nSUBLEVEL = 0\n`);
	fs.mkdirSync(path.join(dir, 'mm'));
	fs.mkdirSync(path.join(dir, 'drivers', 'gpu'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'drivers', 'gpu', 'x.c'), 'int x;\n');
	return dir;
}

describe('kernel tree on disk', () => {
	const tree = makeTree('6.1');
	const notTree = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-nottree-'));
	fs.writeFileSync(path.join(notTree, 'Makefile'), 'all:\n\techo hi\n');
	fs.writeFileSync(path.join(path.dirname(tree), `${path.basename(tree)}-secret.c`), 'secret');
	after(() => {
		for (const d of [tree, notTree]) {
			fs.rmSync(d, { recursive: true, force: true });
		}
		fs.rmSync(path.join(path.dirname(tree), `${path.basename(tree)}-secret.c`), { force: true });
	});

	it('recognises a kernel tree by its Makefile and mm/', () => {
		assert.equal(isKernelTree(tree), true);
		assert.equal(isKernelTree(notTree), false);
		assert.equal(isKernelTree(path.join(tree, 'nope')), false);
	});

	it('reads files inside the tree only', () => {
		const t = openKernelTree(tree)!;
		assert.match(t.makefile, /PATCHLEVEL = 1/);
		assert.equal(t.tree.readFile('drivers/gpu/x.c'), 'int x;\n');
		assert.equal(t.tree.readFile('drivers/gpu/missing.c'), undefined);
		assert.equal(t.tree.readFile(`../${path.basename(tree)}-secret.c`), undefined);
		assert.equal(t.tree.readFile('/etc/passwd'), undefined);
		assert.equal(t.tree.readFile('drivers'), undefined);
	});

	it('prefers the setting, else the first workspace folder that is a tree', () => {
		assert.equal(findKernelTree('', [notTree, tree])?.root, tree);
		assert.equal(findKernelTree(tree, [notTree])?.root, tree);
		assert.equal(findKernelTree(notTree, [tree]), undefined);
		assert.equal(findKernelTree('', [notTree]), undefined);
	});
});
