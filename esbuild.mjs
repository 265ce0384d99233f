// Bundles the client, the language server, the CLI and the simulator webview.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
	{ entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', platform: 'node', format: 'cjs', external: ['vscode'] },
	{ entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs' },
	{ entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs' },
	{ entryPoints: ['media/src/main.ts'], outfile: 'media/dist/simulator.js', platform: 'browser', format: 'iife' },
];

const common = {
	bundle: true,
	minify: production,
	sourcemap: !production,
	target: 'node20',
	logLevel: 'warning',
	// web-tree-sitter probes for node modules it never uses in a bundle.
	external: [],
};

// The tree-sitter runtime and the C grammar ship as wasm; the bundled server and CLI load them from dist/.
fs.mkdirSync('dist', { recursive: true });
for (const wasm of [
	path.join(path.dirname(require.resolve('web-tree-sitter')), 'web-tree-sitter.wasm'),
	path.join(path.dirname(require.resolve('tree-sitter-c/package.json')), 'tree-sitter-c.wasm'),
]) {
	fs.copyFileSync(wasm, path.join('dist', path.basename(wasm)));
}

const contexts = [];
let failed = 0;
for (const target of targets) {
	const options = { ...common, ...target, external: [...common.external, ...(target.external ?? [])] };
	if (target.platform === 'browser') {
		options.target = 'es2022';
	} else {
		// ESM dependencies (web-tree-sitter) read import.meta.url; give the CommonJS bundle one.
		options.define = { 'import.meta.url': '__import_meta_url' };
		options.banner = { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" };
	}
	try {
		if (watch) {
			const ctx = await esbuild.context(options);
			await ctx.watch();
			contexts.push(ctx);
		} else {
			await esbuild.build(options);
		}
	} catch {
		// esbuild has printed the errors; build the other bundles, then fail.
		failed++;
	}
}
if (failed > 0) {
	console.error(`${failed} of ${targets.length} bundles failed`);
	process.exitCode = 1;
} else if (!watch) {
	console.log(`built ${targets.length} bundles${production ? ' (production)' : ''}`);
}
