#!/usr/bin/env node
// Installs code-server (VS Code's server, web workbench and extension host) for the e2e tests into
// .e2e/ of the repository, working around what cannot be downloaded here:
//   - @vscode/ripgrep fetches ripgrep from GitHub at install time; it first looks for the tarball in
//     $TMPDIR/vscode-ripgrep-cache-<ver>/, so we put one there holding Debian's `rg`;
//   - installing as root needs npm_config_unsafe_perm; node-pty's build calls `npx node-gyp`, which
//     needs npm_config_yes; the `kerberos` addon needs libkrb5-dev (scripts/system-deps.sh).
// Idempotent: returns at once when the wanted version is already installed.
//   node scripts/e2e-install.mjs            installs if missing, prints the code-server path
//   E2E_DIR=/somewhere node scripts/...     installs elsewhere (default: <repo>/.e2e)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where code-server lives for the e2e tests. */
export function e2eDir() {
	return process.env.E2E_DIR ? path.resolve(process.env.E2E_DIR) : path.join(repo, '.e2e');
}

/** The code-server package folder. */
export function codeServerRoot(dir = e2eDir()) {
	return path.join(dir, 'node_modules', 'code-server');
}

/** The version installed in `dir`, or undefined. */
function installedVersion(dir) {
	try {
		const pkg = JSON.parse(fs.readFileSync(path.join(codeServerRoot(dir), 'package.json'), 'utf8'));
		// A finished install has the VS Code server's own modules built too.
		const server = path.join(codeServerRoot(dir), 'lib', 'vscode', 'out', 'server-main.js');
		return fs.existsSync(server) ? pkg.version : undefined;
	} catch {
		return undefined;
	}
}

function which(cmd) {
	for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
		const p = path.join(d, cmd);
		try {
			fs.accessSync(p, fs.constants.X_OK);
			return p;
		} catch {
			// keep looking
		}
	}
	return undefined;
}

function run(cmd, args, options) {
	const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
	if (r.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
	}
}

/** Installs code-server if needed; returns the path of its launcher script. */
export function ensureCodeServer({ quiet = false } = {}) {
	const dir = e2eDir();
	const bin = path.join(codeServerRoot(dir), 'out', 'node', 'entry.js');
	if (installedVersion(dir) === CODE_SERVER_VERSION) {
		return bin;
	}
	const log = quiet ? () => {} : (m) => console.error(`e2e-install: ${m}`);
	const started = Date.now();
	fs.mkdirSync(dir, { recursive: true });
	if (!fs.existsSync(path.join(dir, 'package.json'))) {
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'migrate-lens-e2e', private: true }, null, '\t') + '\n');
	}
	// The ripgrep tarball @vscode/ripgrep would download, made from the system's rg.
	const tmp = path.join(dir, 'tmp');
	const cache = path.join(tmp, RIPGREP_CACHE);
	fs.mkdirSync(cache, { recursive: true });
	const tarball = path.join(cache, RIPGREP_TARBALL);
	if (!fs.existsSync(tarball)) {
		const rg = which('rg');
		if (!rg) {
			throw new Error('ripgrep (rg) is not installed: run scripts/system-deps.sh');
		}
		const stage = fs.mkdtempSync(path.join(tmp, 'rg-'));
		fs.copyFileSync(rg, path.join(stage, 'rg'));
		fs.chmodSync(path.join(stage, 'rg'), 0o755);
		run('tar', ['-czf', tarball, '-C', stage, 'rg']);
		fs.rmSync(stage, { recursive: true, force: true });
	}
	log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (about a minute on a cold cache)`);
	const env = {
		...process.env,
		TMPDIR: tmp,
		npm_config_unsafe_perm: 'true',
		npm_config_yes: 'true',
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		npm_config_update_notifier: 'false',
	};
	run('npm', ['install', '--no-save', '--no-package-lock', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
		cwd: dir,
		env,
		stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
	});
	if (installedVersion(dir) !== CODE_SERVER_VERSION) {
		throw new Error(`code-server@${CODE_SERVER_VERSION} did not install into ${dir}`);
	}
	log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		console.log(ensureCodeServer());
	} catch (e) {
		console.error(`e2e-install: ${e instanceof Error ? e.message : String(e)}`);
		process.exit(1);
	}
}
