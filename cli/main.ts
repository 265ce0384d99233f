/*
 * migrate-lens: the command-line face of the analysis core.
 *
 *   migrate-lens check [--kernel X.Y] [--format text|json|sarif] [--tree DIR] FILE... | -
 *   migrate-lens simulate SCENARIO.json
 *
 * Contract 1 and 2 of DESIGN.md. Exit status: 0 clean, 1 findings of warning or above, 2 usage or input error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFiles, type CheckedFile } from './check';
import { formatText, formatJson, formatSarif } from './format';
import { simulate } from '../server/src/core/model/simulate';
import { TOOL_VERSION } from '../server/src/core/version';

const USAGE = `usage: migrate-lens check [--kernel X.Y] [--format text|json|sarif] [--tree DIR] FILE... | -
       migrate-lens simulate SCENARIO.json | -
       migrate-lens --version`;

class UsageError extends Error { }

interface CheckArgs {
	kernel?: string;
	format: 'text' | 'json' | 'sarif';
	tree?: string;
	files: string[];
}

function parseCheckArgs(argv: string[]): CheckArgs {
	const args: CheckArgs = { format: 'text', files: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const value = (): string => {
			const eq = a.indexOf('=');
			if (eq >= 0) {
				return a.slice(eq + 1);
			}
			const v = argv[++i];
			if (v === undefined) {
				throw new UsageError(`${a} needs a value`);
			}
			return v;
		};
		if (a === '--kernel' || a.startsWith('--kernel=')) {
			args.kernel = value();
		} else if (a === '--format' || a.startsWith('--format=')) {
			const f = value();
			if (f !== 'text' && f !== 'json' && f !== 'sarif') {
				throw new UsageError(`unknown format '${f}' (text, json or sarif)`);
			}
			args.format = f;
		} else if (a === '--tree' || a.startsWith('--tree=')) {
			args.tree = value();
		} else if (a === '-' || !a.startsWith('-')) {
			args.files.push(a);
		} else {
			throw new UsageError(`unknown option '${a}'`);
		}
	}
	if (args.files.length === 0) {
		throw new UsageError('no input files (give FILE... or - for standard input)');
	}
	return args;
}

async function runCheck(argv: string[]): Promise<number> {
	const args = parseCheckArgs(argv);
	const results: CheckedFile[] = await checkFiles(args.files, { kernel: args.kernel, tree: args.tree });
	const out = args.format === 'json' ? formatJson(results) : args.format === 'sarif' ? formatSarif(results) : formatText(results);
	await writeOut(out);
	for (const r of results) {
		if (r.error) {
			process.stderr.write(`migrate-lens: ${r.path}: ${r.error}\n`);
		}
	}
	if (results.some((r) => r.error)) {
		return 2;
	}
	return results.some((r) => r.findings.some((f) => f.severity !== 'info')) ? 1 : 0;
}

async function runSimulate(argv: string[]): Promise<number> {
	if (argv.length !== 1) {
		throw new UsageError('simulate takes one scenario file (or -)');
	}
	const file = argv[0];
	let text: string;
	try {
		text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
	} catch (e) {
		process.stderr.write(`migrate-lens: cannot read ${file}: ${(e as Error).message}\n`);
		return 2;
	}
	let input: unknown;
	try {
		input = JSON.parse(text);
	} catch (e) {
		const result = { steps: [], notifications: [], final: [], warnings: [], errors: [`${path.basename(file)} is not JSON: ${(e as Error).message}`] };
		await writeOut(JSON.stringify(result, null, 2) + '\n');
		process.stderr.write(`migrate-lens: ${result.errors[0]}\n`);
		return 2;
	}
	const result = simulate(input);
	await writeOut(JSON.stringify(result, null, 2) + '\n');
	if (result.errors.length > 0) {
		process.stderr.write(`migrate-lens: malformed scenario: ${result.errors[0]}\n`);
		return 2;
	}
	return 0;
}

function writeOut(text: string): Promise<void> {
	return new Promise((resolve) => {
		if (process.stdout.write(text)) {
			resolve();
		} else {
			process.stdout.once('drain', () => resolve());
		}
	});
}

export async function main(argv: string[]): Promise<number> {
	try {
		const [cmd, ...rest] = argv;
		switch (cmd) {
			case 'check':
				return await runCheck(rest);
			case 'simulate':
				return await runSimulate(rest);
			case '--version':
			case '-V':
				await writeOut(`migrate-lens ${TOOL_VERSION}\n`);
				return 0;
			case '--help':
			case '-h':
			case 'help':
				await writeOut(USAGE + '\n');
				return 0;
			default:
				throw new UsageError(cmd === undefined ? 'no command' : `unknown command '${cmd}'`);
		}
	} catch (e) {
		if (e instanceof UsageError || (e as { usage?: boolean })?.usage) {
			process.stderr.write(`migrate-lens: ${(e as Error).message}\n${USAGE}\n`);
			return 2;
		}
		process.stderr.write(`migrate-lens: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
		return 2;
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).then((code) => {
		process.exitCode = code;
	}, (e) => {
		process.stderr.write(`migrate-lens: ${String(e)}\n`);
		process.exitCode = 2;
	});
}
