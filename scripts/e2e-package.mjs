#!/usr/bin/env node
// Packages the extension into out/e2e/migrate-lens-<version>.vsix with vsce (no dependencies:
// dist/ holds self-contained bundles) and checks what the archive holds: everything the
// installed extension needs, and no sources, tests, node_modules or source maps.
//   node scripts/e2e-package.mjs          packages (after `node esbuild.mjs`), prints the file list
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Files the .vsix must hold (paths inside the archive). */
export const REQUIRED = [
	'extension/package.json',
	'extension/readme.md',
	'extension/LICENSE.txt',
	'extension/dist/client.js',
	'extension/dist/server.js',
	'extension/dist/web-tree-sitter.wasm',
	'extension/dist/tree-sitter-c.wasm',
	'extension/media/dist/simulator.js',
	'extension/syntaxes/kernel-patch.tmLanguage.json',
	'extension/syntaxes/language-configuration.json',
];

/** Paths the .vsix must not hold. */
export const FORBIDDEN = [
	/\.ts$/,
	/\.map$/,
	/(^|\/)node_modules\//,
	/^extension\/(test|client|server|common|cli|scripts|bench|examples|\.ci|\.e2e|\.tmp|out)\//,
	/^extension\/media\/src\//,
	/^extension\/dist\/cli\.js$/,
];

/** The entries of a zip archive: name and uncompressed size, from its central directory. */
export function zipEntries(file) {
	const buf = fs.readFileSync(file);
	let eocd = -1;
	for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
		if (buf.readUInt32LE(i) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) {
		throw new Error(`${file} is not a zip archive`);
	}
	const count = buf.readUInt16LE(eocd + 10);
	let p = buf.readUInt32LE(eocd + 16);
	const entries = [];
	for (let n = 0; n < count; n++) {
		if (buf.readUInt32LE(p) !== 0x02014b50) {
			throw new Error(`${file}: bad central directory entry ${n}`);
		}
		const size = buf.readUInt32LE(p + 24);
		const nameLen = buf.readUInt16LE(p + 28);
		const extraLen = buf.readUInt16LE(p + 30);
		const commentLen = buf.readUInt16LE(p + 32);
		entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size });
		p += 46 + nameLen + extraLen + commentLen;
	}
	return entries;
}

/** Problems with the archive's contents (empty when it is right). */
export function checkVsix(file) {
	// vsce stores README.md as readme.md.
	const names = new Set(zipEntries(file).map((e) => e.name.toLowerCase() === 'extension/readme.md' ? 'extension/readme.md' : e.name));
	const problems = [];
	for (const r of REQUIRED) {
		if (!names.has(r)) {
			problems.push(`missing ${r}`);
		}
	}
	for (const n of names) {
		if (FORBIDDEN.some((re) => re.test(n))) {
			problems.push(`should not ship ${n}`);
		}
	}
	return problems;
}

/** Builds the .vsix; returns its path. Throws when vsce fails or the contents are wrong. */
export function packageVsix({ quiet = false } = {}) {
	const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
	const outDir = path.join(repo, 'out', 'e2e');
	fs.mkdirSync(outDir, { recursive: true });
	const out = path.join(outDir, `${pkg.name}-${pkg.version}.vsix`);
	fs.rmSync(out, { force: true });
	const vsce = path.join(repo, 'node_modules', '.bin', 'vsce');
	const r = spawnSync(vsce, ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out], {
		cwd: repo,
		encoding: 'utf8',
		// vsce asks on a TTY when something is missing; never wait for an answer.
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	if (r.status !== 0 || !fs.existsSync(out)) {
		throw new Error(`vsce package failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
	}
	if (!quiet) {
		process.stderr.write(r.stderr);
	}
	const problems = checkVsix(out);
	if (problems.length > 0) {
		throw new Error(`${path.relative(repo, out)}: ${problems.join('; ')}`);
	}
	return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		const out = packageVsix();
		const entries = zipEntries(out);
		for (const e of entries) {
			console.log(`${String(e.size).padStart(9)}  ${e.name}`);
		}
		console.log(`${path.relative(repo, out)}: ${fs.statSync(out).size} bytes, ${entries.length} files`);
	} catch (e) {
		console.error(`e2e-package: ${e instanceof Error ? e.message : String(e)}`);
		process.exit(1);
	}
}
