/*
 * The extension in a real VS Code: these tests run inside the extension host (see index.ts) with
 * Migrate Lens loaded from the repository, on a copy of the fixture workspace test/fixtures/e2e,
 * and talk to it only through the vscode API — as a user's editor would.
 *
 * acme-migrate.patch is a made-up driver patch with three defects the suite expects to see as
 * diagnostics; acme-migrate-v2.patch is the same patch fixed. With
 * MIGRATE_LENS_E2E_BREAK=missing-diagnostic the diagnostics test opens v2 where it expects v1's
 * findings, which must make it fail (the proof that this suite can fail).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
	EXTENSION_ID,
	WAIT_MS,
	closeSimulatorTabs,
	describeDiagnostics,
	hoverText,
	lineOf,
	openFixture,
	positionOf,
	ruleOf,
	simulatorTabs,
	waitForDiagnostics,
	waitForSimulatorTab,
	type ApiLike,
} from './helpers';
import { log } from './log';

const V1 = 'acme-migrate.patch';
const V2 = 'acme-migrate-v2.patch';
const BROKEN = process.env.MIGRATE_LENS_E2E_BREAK === 'missing-diagnostic';

/** A finding the suite expects in v1: its rule, a text on its line, its severity. */
interface Expected {
	rule: string;
	on: string;
	severity: vscode.DiagnosticSeverity;
}

/** v1's defects on the kernel its date implies (6.x). */
const V1_EXPECTED: Expected[] = [
	// `.src_owner` went away in 5.9 (pgmap_owner took its place).
	{ rule: 'api-not-in-kernel', on: '.src_owner', severity: vscode.DiagnosticSeverity.Warning },
	// A return after a successful migrate_vma_setup() that never finalizes.
	{ rule: 'finalize-missing', on: 'return -ENODEV;', severity: vscode.DiagnosticSeverity.Error },
	// The device commit after migrate_vma_pages() never tests MIGRATE_PFN_MIGRATE.
	{ rule: 'migrate-flag-unchecked', on: 'acme_svm_commit(', severity: vscode.DiagnosticSeverity.Error },
];

function has(ds: readonly vscode.Diagnostic[], doc: vscode.TextDocument, e: Expected): vscode.Diagnostic | undefined {
	return ds.find((d) => ruleOf(d) === e.rule && doc.lineAt(d.range.start.line).text.includes(e.on));
}

function problems(ds: readonly vscode.Diagnostic[]): vscode.Diagnostic[] {
	return ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning);
}

/** Runs Set Target Kernel Version with the version as its argument (no quick pick). */
async function setKernel(version: string): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<'late'>((resolve) => {
		timer = setTimeout(() => resolve('late'), 10_000);
	});
	const done = await Promise.race([vscode.commands.executeCommand('migrateLens.setKernel', version), late]);
	clearTimeout(timer);
	if (done === 'late') {
		await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
		throw new Error(`migrateLens.setKernel('${version}') did not finish within 10 s: the command must take the version as its argument instead of asking`);
	}
}

describe('Migrate Lens in a real VS Code', function () {
	this.timeout(WAIT_MS * 2);
	let api: ApiLike;

	// The first test checks activation itself; when a grep leaves it out, activate here.
	beforeEach(async function () {
		if (!api && !/activates/.test(this.currentTest?.title ?? '')) {
			api = await vscode.extensions.getExtension<ApiLike>(EXTENSION_ID)!.activate();
			await api.ready;
		}
	});

	after(async () => {
		await vscode.workspace.getConfiguration('migrateLens').update('kernelVersion', undefined, vscode.ConfigurationTarget.Workspace);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('activates on a patch mail and hands out its API', async () => {
		const ext = vscode.extensions.getExtension<ApiLike>(EXTENSION_ID);
		assert.ok(ext, `${EXTENSION_ID} is not installed in this VS Code`);
		const editor = await openFixture(V1);
		assert.equal(editor.document.languageId, 'kernel-patch', 'a .patch file opens as a kernel-patch document');
		api = await ext.activate();
		assert.ok(ext.isActive);
		assert.equal(typeof api.waitForStatus, 'function', 'activate() returns the readiness API');
		await api.ready;
		// The activation timestamps (what npm run bench reports) follow the order activation took.
		const t = api.timings;
		assert.ok(t.loaded > 0 && t.loaded <= t.activateStart && t.activateStart <= t.activateEnd, `bundle loaded ≤ activate() entered ≤ left: ${JSON.stringify(t)}`);
		assert.ok(t.clientReady !== undefined && t.activateEnd <= t.clientReady && t.clientReady <= performance.now(), `the client is running after activate() returned, and before now: ${JSON.stringify(t)}`);
		const status = await api.waitForStatus(editor.document.uri.toString(), (s) => s.version === editor.document.version);
		assert.equal(status.state, 'analyzed');
		assert.match(status.kernel, /^\d+\.\d+$/);
		assert.equal(status.kernelSource, 'date', 'the mail has no base-commit and no setting is made: the Date header decides');
	});

	describe('diagnostics', () => {
		it('shows each defect of the patch on its line, with the rule id as code', async () => {
			const editor = await openFixture(BROKEN ? V2 : V1);
			const doc = editor.document;
			const ds = await waitForDiagnostics(doc.uri, (all) => V1_EXPECTED.every((e) => has(all, doc, e)), `${V1_EXPECTED.map((e) => e.rule).join(', ')} in ${doc.uri.path}`);
			const status = api.lastStatus(doc.uri.toString());
			for (const e of V1_EXPECTED) {
				const d = has(ds, doc, e)!;
				assert.equal(d.severity, e.severity, `${e.rule}: severity`);
				assert.equal(d.source, 'migrate-lens');
				// The range starts on the code, not on the diff's `+`.
				assert.ok(d.range.start.character > 0, `${e.rule}: starts after the + column`);
				if (status) {
					assert.ok(d.message.includes(status.kernel), `${e.rule}: the message names the kernel assumed (${status.kernel}): ${d.message}`);
				}
			}
			assert.equal(status?.findings.error, ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length, 'the status counts the same errors');
		});

		it('shows no warning or error for the fixed v2 of the patch', async () => {
			const editor = await openFixture(V2);
			const uri = editor.document.uri;
			const status = await api.waitForStatus(uri.toString(), (s) => s.version === editor.document.version);
			assert.equal(status.state, 'analyzed');
			const found = problems(vscode.languages.getDiagnostics(uri));
			assert.deepEqual(found, [], `v2 should be clean:\n${describeDiagnostics(found)}`);
		});

		it('restarts a language server that died, and diagnostics come back', async () => {
			const editor = await openFixture(V1);
			const doc = editor.document;
			await waitForDiagnostics(doc.uri, (all) => V1_EXPECTED.every((e) => has(all, doc, e)), 'v1 findings before the crash');
			const client = (api as unknown as { client(): { state: number; onDidChangeState(f: (e: { newState: number }) => void): vscode.Disposable } }).client();
			// vscode-languageclient keeps the forked server in a private field; a crash is simulated by killing it.
			const proc = (client as unknown as { _serverProcess?: { pid?: number } })._serverProcess;
			assert.ok(proc?.pid, 'the server runs as a child process');
			const oldPid = proc.pid;
			// After the kill the client restarts the server: it becomes Running (2) again with a new process.
			const running = new Promise<void>((resolve) => {
				const sub = client.onDidChangeState((e) => {
					const pid = (client as unknown as { _serverProcess?: { pid?: number } })._serverProcess?.pid;
					log(`restart test: client state ${e.newState}, server pid ${pid}`);
					if (e.newState === 2 && pid !== undefined && pid !== oldPid) {
						sub.dispose();
						resolve();
					}
				});
			});
			log(`restart test: killing server ${oldPid} (client state ${client.state})`);
			process.kill(oldPid, 'SIGKILL');
			await running;
			log('restart test: running again');
			const newPid = (client as unknown as { _serverProcess?: { pid?: number } })._serverProcess?.pid;
			assert.ok(newPid && newPid !== oldPid, 'a new server process was started');
			// The client hands the open documents to the new server, which analyses them again.
			await waitForDiagnostics(doc.uri, (all) => V1_EXPECTED.every((e) => has(all, doc, e)), 'v1 findings after the restart');
		});
	});

	describe('language features', () => {
		let doc: vscode.TextDocument;

		before(async () => {
			doc = (await openFixture(V1)).document;
			await waitForDiagnostics(doc.uri, (all) => V1_EXPECTED.every((e) => has(all, doc, e)), 'v1 findings');
		});

		it('hovers an API function with its documentation', async () => {
			const pos = positionOf(doc, 'migrate_vma_setup(&mig)', 4);
			const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
			const text = hoverText(hovers);
			assert.ok(text.includes('migrate_vma_setup'), `hover names the function:\n${text}`);
			assert.ok(text.length > 'migrate_vma_setup'.length + 40, `hover explains it:\n${text}`);
		});

		it('hovers a field the kernel no longer has with what replaced it', async () => {
			const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'src_owner', 2));
			const text = hoverText(hovers);
			assert.ok(text.includes('src_owner'), `hover names the field:\n${text}`);
			assert.ok(text.includes('pgmap_owner'), `hover names its successor:\n${text}`);
		});

		it('offers a quick fix that renames the field, and the diagnostic goes away', async () => {
			const line = lineOf(doc, '.src_owner');
			const diagnostic = vscode.languages.getDiagnostics(doc.uri).find((d) => ruleOf(d) === 'api-not-in-kernel' && d.range.start.line === line);
			assert.ok(diagnostic, 'the api-not-in-kernel diagnostic is there');
			const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', doc.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value, 10);
			const fix = actions.find((a): a is vscode.CodeAction => 'edit' in a && a.edit !== undefined && /pgmap_owner/.test(a.title));
			assert.ok(fix, `a quick fix to pgmap_owner is offered; got: ${actions.map((a) => a.title).join(' | ')}`);
			assert.ok(await vscode.workspace.applyEdit(fix.edit!), 'the edit applies');
			try {
				assert.match(doc.lineAt(line).text, /^\+\s*\.pgmap_owner\s*= svm,$/, 'the line now uses pgmap_owner and keeps its diff + and layout');
				await waitForDiagnostics(doc.uri, (all) => !all.some((d) => ruleOf(d) === 'api-not-in-kernel' && d.range.start.line === line), 'api-not-in-kernel to go away after the fix');
			} finally {
				await vscode.window.showTextDocument(doc);
				await vscode.commands.executeCommand('workbench.action.files.revert');
			}
			assert.ok(doc.lineAt(line).text.includes('.src_owner'), 'reverted');
			await waitForDiagnostics(doc.uri, (all) => V1_EXPECTED.every((e) => has(all, doc, e)), 'v1 findings after the revert');
		});

		it('puts a Simulate code lens on the migrate_vma_setup() call', async () => {
			const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
			const line = lineOf(doc, 'migrate_vma_setup(&mig)');
			const simulate = lenses.find((l) => l.range.start.line === line && l.command?.command === 'migrateLens.openSimulator');
			assert.ok(simulate, `a simulate lens on line ${line + 1}; got: ${lenses.map((l) => `${l.range.start.line + 1}:${l.command?.title}`).join(', ')}`);
			const [scenario, origin] = simulate.command!.arguments ?? [];
			assert.ok(Array.isArray(scenario?.pages) && Array.isArray(scenario?.steps), 'the lens carries a scenario');
			assert.equal(scenario.steps[0]?.op, 'setup');
			assert.deepEqual(scenario.steps[0]?.flags, ['SYSTEM'], 'the scenario selects what the call selects');
			assert.equal(origin?.line, line + 1, 'the origin is the call (1-based line)');
			await closeSimulatorTabs();
			await vscode.commands.executeCommand(simulate.command!.command, ...simulate.command!.arguments!);
			await waitForSimulatorTab();
			await closeSimulatorTabs();
		});

		it('outlines the mail: subject, patched file, hunks', async () => {
			const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
			const names: string[] = [];
			const walk = (s: vscode.DocumentSymbol): void => {
				names.push(s.name);
				s.children.forEach(walk);
			};
			symbols.forEach(walk);
			assert.ok(names.some((n) => n.includes('drm/acme: move shared buffers into device memory')), `the subject is a symbol: ${names.join(', ')}`);
			assert.ok(names.includes('drivers/gpu/drm/acme/acme_svm.c'), `the patched file is a symbol: ${names.join(', ')}`);
			assert.ok(names.some((n) => n.startsWith('@@ -0,0 +1,')), `the hunk is a symbol: ${names.join(', ')}`);
		});
	});

	describe('commands', () => {
		it('Simulate Call at Cursor opens the simulator panel', async () => {
			await closeSimulatorTabs();
			const editor = await openFixture(V1);
			const pos = positionOf(editor.document, 'migrate_vma_setup(&mig)', 2);
			editor.selection = new vscode.Selection(pos, pos);
			assert.equal(simulatorTabs().length, 0);
			await vscode.commands.executeCommand('migrateLens.simulateAtCursor');
			const tab = await waitForSimulatorTab();
			assert.ok(tab.label.length > 0);
			await closeSimulatorTabs();
		});

		it('Set Target Kernel Version changes the diagnostics', async () => {
			const editor = await openFixture(V1);
			const doc = editor.document;
			const owner = lineOf(doc, '.src_owner');
			const flags = lineOf(doc, '.flags');
			const at = (ds: readonly vscode.Diagnostic[], line: number): boolean => ds.some((d) => ruleOf(d) === 'api-not-in-kernel' && d.range.start.line === line);
			await waitForDiagnostics(doc.uri, (ds) => at(ds, owner) && !at(ds, flags), 'the 6.x findings: src_owner is gone, the flags exist');
			try {
				// On 5.8 the patch is right to use src_owner, but MIGRATE_VMA_SELECT_SYSTEM (5.9) is too new.
				await setKernel('5.8');
				assert.equal(vscode.workspace.getConfiguration('migrateLens').get('kernelVersion'), '5.8', 'the command writes the setting');
				const ds = await waitForDiagnostics(doc.uri, (all) => !at(all, owner) && at(all, flags), 'the 5.8 findings: src_owner is fine, the flag does not exist yet');
				assert.ok(ds.find((d) => d.range.start.line === flags)!.message.includes('5.8'));
				assert.equal((await api.waitForStatus(doc.uri.toString(), (s) => s.kernel === '5.8')).kernelSource, 'setting');
				await setKernel('auto');
				assert.equal(vscode.workspace.getConfiguration('migrateLens').get('kernelVersion'), 'auto');
			} finally {
				const config = vscode.workspace.getConfiguration('migrateLens');
				if (config.get('kernelVersion') !== 'auto') {
					await config.update('kernelVersion', undefined, vscode.ConfigurationTarget.Workspace);
				}
			}
			await waitForDiagnostics(doc.uri, (ds) => at(ds, owner) && !at(ds, flags), 'the 6.x findings again after going back to auto');
		});

		it('Copy Findings as Review Reply puts the findings on the clipboard', async function () {
			const editor = await openFixture(V1);
			await waitForDiagnostics(editor.document.uri, (all) => V1_EXPECTED.every((e) => has(all, editor.document, e)), 'v1 findings');
			const marker = `clipboard-before-${Date.now()}`;
			try {
				await vscode.env.clipboard.writeText(marker);
			} catch {
				this.skip();
			}
			if (await vscode.env.clipboard.readText() !== marker) {
				// No clipboard in this browser or session.
				this.skip();
			}
			await vscode.commands.executeCommand('migrateLens.copyReviewReply');
			const text = await vscode.env.clipboard.readText();
			assert.notEqual(text, marker, 'the command replaced the clipboard');
			for (const e of V1_EXPECTED) {
				assert.ok(text.includes(e.on.replace(/\($/, '')), `the reply quotes the line of ${e.rule}:\n${text}`);
			}
		});
	});
});
