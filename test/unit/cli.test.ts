/*
 * The CLI as CI jobs and editors use it (Contract 1 and 2): the real bundle in a child process.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { corpusRoot, haveCorpus } from '../corpus';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const example = path.join(root, 'examples', 'gpux-svm-migrate.patch');

function run(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tmpFile(name: string, content: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-cli-'));
	const p = path.join(dir, name);
	fs.writeFileSync(p, content);
	return p;
}

before(() => {
	if (!fs.existsSync(cli)) {
		const b = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, encoding: 'utf8' });
		assert.equal(b.status, 0, b.stderr);
	}
});

describe('migrate-lens check', () => {
	it('reports JSON per Contract 1 for the example, with its kernel from the Date: header', () => {
		const r = run(['check', '--format', 'json', example]);
		const out = JSON.parse(r.stdout);
		assert.equal(out.tool.name, 'migrate-lens');
		assert.match(out.tool.version, /^\d+\.\d+\.\d+/);
		assert.equal(out.files.length, 1);
		const file = out.files[0];
		assert.equal(file.path, example);
		assert.equal(file.messages, 1);
		assert.ok(file.callSites >= 1, 'the example builds one struct migrate_vma and calls setup');
		// Posted 14 Jan 2025, three days before 6.13 came out: judged as the kernel in development then.
		assert.match(file.kernel, /^6\.\d+$/);
		for (const f of file.findings) {
			for (const key of ['rule', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'kernelFile', 'kernelLine', 'quoteDepth', 'subject']) {
				assert.ok(key in f, `finding lacks ${key}`);
			}
			assert.ok(['error', 'warning', 'info'].includes(f.severity));
			assert.ok(f.line >= 1 && f.column >= 1);
		}
		const serious = file.findings.some((f: { severity: string }) => f.severity !== 'info');
		assert.equal(r.code, serious ? 1 : 0, 'exit 1 exactly when a warning or error is reported');
	});

	it('prints compiler-style text lines that point into the input file', () => {
		const json = JSON.parse(run(['check', '--format', 'json', example]).stdout);
		const r = run(['check', example]);
		const lines = r.stdout.split('\n').filter(Boolean);
		assert.equal(lines.length, json.files[0].findings.length);
		const exampleLines = fs.readFileSync(example, 'utf8').split('\n');
		for (const l of lines) {
			const m = /^(.+):(\d+):(\d+): (error|warning|info): (.+) \[([a-z-]+)\]$/.exec(l);
			assert.ok(m, `not FILE:LINE:COL: SEVERITY: MESSAGE [rule]: ${l}`);
			assert.equal(m[1], example);
			assert.ok(Number(m[2]) <= exampleLines.length);
		}
	});

	it('honours --kernel and puts it in every finding', () => {
		const out = JSON.parse(run(['check', '--kernel', '5.8', '--format', 'json', example]).stdout);
		assert.equal(out.files[0].kernel, '5.8');
		for (const f of out.files[0].findings) {
			assert.equal(f.kernel, '5.8');
		}
	});

	it('reads standard input with -', () => {
		const r = run(['check', '--format', 'json', '-'], fs.readFileSync(example, 'utf8'));
		const out = JSON.parse(r.stdout);
		assert.equal(out.files[0].path, '<stdin>');
		assert.equal(out.files[0].messages, 1);
	});

	it('reports an unreadable file on stderr, still checks the others, and exits 2', () => {
		const missing = path.join(os.tmpdir(), 'no-such-dir-ml', 'missing.patch');
		const r = run(['check', '--format', 'json', missing, example]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /missing\.patch: cannot read/);
		const out = JSON.parse(r.stdout);
		assert.equal(out.files.length, 2);
		assert.ok(out.files[0].error);
		assert.equal(out.files[1].messages, 1);
	});

	it('rejects bad usage with a one-line reason and exit 2', () => {
		for (const args of [['check'], ['check', '--format', 'xml', example], ['frobnicate'], ['check', '--kernel', 'banana', example]]) {
			const r = run(args);
			assert.equal(r.code, 2, args.join(' '));
			assert.match(r.stderr.split('\n')[0], /^migrate-lens: /);
		}
	});

	it('survives binary and broken input, reporting ingest problems instead of failing', () => {
		const bin = tmpFile('garbage.mbox', 'From x\n\0\0\u0001\u0002diff --git a/x b/x\n@@ -1,999 +1,999 @@\n+\0\n');
		const r = run(['check', '--format', 'json', bin]);
		assert.notEqual(r.code, 2, r.stderr);
		const out = JSON.parse(r.stdout);
		assert.ok(out.files[0].findings.some((f: { rule: string }) => f.rule === 'ingest'));
	});

	it('writes SARIF 2.1.0 that the official schema and the SARIF multitool accept', () => {
		const inputs = [example];
		if (haveCorpus) {
			inputs.push(path.join(corpusRoot, 'mail', '024-nouveau-hmm-map-pages-after-migration-qp.eml'));
		}
		const r = run(['check', '--format', 'sarif', ...inputs]);
		const sarif = JSON.parse(r.stdout);
		const schemaPath = require.resolve('@microsoft/sarif-multitool-linux/sarif-2.1.0.json');
		const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
		const ajv = new Ajv2020({ strict: false, allErrors: true });
		addFormats(ajv);
		const validate = ajv.compile(schema);
		assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5), null, 2));

		const multitool = path.join(path.dirname(schemaPath), 'Sarif.Multitool');
		const file = tmpFile('out.sarif', r.stdout);
		const report = file + '.validation.sarif';
		const v = spawnSync(multitool, ['validate', file, '-o', report], { encoding: 'utf8', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
		assert.equal(v.status, 0, v.stdout + v.stderr);
		const validation = JSON.parse(fs.readFileSync(report, 'utf8'));
		const errors = validation.runs[0].results.filter((x: { level?: string }) => x.level === 'error');
		assert.equal(errors.length, 0, JSON.stringify(errors, null, 1));
	});
});

describe('migrate-lens simulate', () => {
	const scenario = {
		kernel: '6.8',
		vma: { anonymous: true, shared: false, read: true, write: true },
		pages: [{ state: 'system', writable: true }, { state: 'none' }, { state: 'device-private', owner: 'other' }],
		steps: [{ op: 'setup', flags: ['SYSTEM'], pgmapOwner: 'gpu0', first: 0, count: 3 }, { op: 'copy', to: 'device-private', owner: 'gpu0' }, { op: 'pages' }, { op: 'finalize' }],
	};

	it('prints the result of a scenario as JSON and exits 0', () => {
		const r = run(['simulate', tmpFile('s.json', JSON.stringify(scenario))]);
		assert.equal(r.code, 0, r.stderr);
		const out = JSON.parse(r.stdout);
		assert.deepEqual(out.steps.map((s: { op: string }) => s.op), ['setup', 'copy', 'pages', 'finalize']);
		assert.equal(out.steps[0].ret, 0);
		// The system page and the hole are selected; the other driver's device page is not.
		assert.equal(out.steps[0].cpages, 2);
		assert.deepEqual(out.errors, []);
		assert.equal(out.final[0].state, 'device-private');
		assert.equal(out.final[2].owner, 'other');
	});

	it('gives the kernel answer for a range the kernel rejects', () => {
		const bad = { ...scenario, steps: [{ op: 'setup', flags: ['SYSTEM'], first: 0, count: 0 }] };
		const r = run(['simulate', tmpFile('s.json', JSON.stringify(bad))]);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(JSON.parse(r.stdout).steps[0].ret, -22);
	});

	it('reports a malformed scenario in errors with exit 2', () => {
		for (const text of ['{"kernel": "6.8", "pages": "lots"}', 'not json']) {
			const r = run(['simulate', tmpFile('bad.json', text)]);
			assert.equal(r.code, 2);
			const out = JSON.parse(r.stdout);
			assert.ok(out.errors.length > 0);
			assert.match(r.stderr, /^migrate-lens: /);
		}
	});
});
