#!/usr/bin/env node
'use strict';
// The CLI lives in the esbuild bundle; build it on first use in a fresh checkout.
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
	require('child_process').execFileSync(process.execPath, [path.join(__dirname, '..', 'esbuild.mjs')], { stdio: 'inherit', cwd: path.join(__dirname, '..') });
}
require(bundle);
