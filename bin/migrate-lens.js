#!/usr/bin/env node
'use strict';
// The CLI lives in the esbuild bundle; build it on first use in a fresh checkout.
const path = require('path');
const fs = require('fs');
const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
	require('child_process').execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
}
require(bundle).main(process.argv.slice(2)).then((code) => {
	process.exitCode = code;
}, (e) => {
	process.stderr.write(`migrate-lens: ${String(e)}\n`);
	process.exitCode = 2;
});
