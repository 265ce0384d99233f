/*
 * The size of the packaged extension: a .vsix in the repository root if there is one, else one
 * built with `vsce package --no-dependencies` into .bench-cache/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, log, mb, round, target, type BenchResult } from './lib';

/** Where activation is measured (it needs a VS Code instance). */
const ACTIVATION = 'measured by the activation benchmark (npm run bench -- --only activation)';

function newestVsix(dir: string): string | undefined {
	if (!fs.existsSync(dir)) {
		return undefined;
	}
	const found = fs.readdirSync(dir).filter((f) => f.endsWith('.vsix')).map((f) => path.join(dir, f));
	found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
	return found[0];
}

export function benchVsix(build: boolean): BenchResult {
	const id = 'vsix';
	const title = 'Packaged extension (.vsix)';
	let file = newestVsix(ROOT);
	let how = 'found in the repository root';
	if (!file && build) {
		const out = path.join(ROOT, '.bench-cache', 'migrate-lens.vsix');
		fs.mkdirSync(path.dirname(out), { recursive: true });
		try {
			const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
			execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--baseContentUrl', 'https://example.invalid/migrate-lens/', '--baseImagesUrl', 'https://example.invalid/migrate-lens/', '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
			file = out;
			how = 'built with vsce package --no-dependencies';
		} catch (e) {
			log(`vsix: build failed: ${(e as Error).message.split('\n')[0]}`);
		}
	}
	if (!file) {
		return { id, title, skipped: 'no .vsix and none could be built', figures: { activation: ACTIVATION }, targets: [] };
	}
	const size = fs.statSync(file).size;
	log(`vsix: ${path.basename(file)} ${mb(size).toFixed(2)} MB`);
	return {
		id,
		title,
		figures: { file: path.relative(ROOT, file), how, MB: round(mb(size), 3), activation: ACTIVATION },
		targets: [target('.vsix size', mb(size), '<=', 3, 'MB')],
	};
}
