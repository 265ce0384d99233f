// Runs the test files under the given folders with Node's test runner (Node 20 has no globs).
//   node scripts/run-tests.mjs test/unit test/grammar ...
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function collect(dir, out) {
	if (!fs.existsSync(dir)) {
		return;
	}
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			collect(p, out);
		} else if (entry.name.endsWith('.test.ts')) {
			out.push(p);
		}
	}
}

const files = [];
for (const dir of process.argv.slice(2)) {
	collect(dir, files);
}
files.sort();
if (files.length === 0) {
	console.error(`run-tests: no *.test.ts under ${process.argv.slice(2).join(', ')}`);
	process.exit(1);
}
const reporter = process.env.CI ? 'spec' : 'spec';
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
