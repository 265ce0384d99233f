// Bundles the client, the language server, the CLI and the simulator webview.
import * as esbuild from 'esbuild';

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

const contexts = [];
for (const target of targets) {
	const options = { ...common, ...target, external: [...common.external, ...(target.external ?? [])] };
	if (target.platform === 'browser') {
		options.target = 'es2022';
	}
	if (watch) {
		const ctx = await esbuild.context(options);
		await ctx.watch();
		contexts.push(ctx);
	} else {
		await esbuild.build(options);
	}
}
if (!watch) {
	console.log(`built ${targets.length} bundles${production ? ' (production)' : ''}`);
}
