/*
 * The webview's plain-Node parts: the panel HTML and its CSP, the message guards, the view model
 * and the review comment. (The browser tests drive the same code in Chromium.)
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeAttribute, jsonForScriptElement, makeNonce, simulatorCsp, simulatorHtml } from '../../common/simulatorHtml.ts';
import { isHostToWebviewMessage, isSimulatorState, isWebviewToHostMessage } from '../../common/webviewProtocol.ts';
import { simulate } from '../../server/src/core/model/simulate.ts';
import { cellsAt, computeView, formatRanges, notifierVerdicts, statesAt } from '../../media/src/model.ts';
import { PRESETS } from '../../media/src/presets.ts';
import { reviewComment, wrap } from '../../media/src/review.ts';

describe('simulatorHtml', () => {
	it('pins scripts to the nonce and everything else to the webview source', () => {
		const nonce = makeNonce();
		const html = simulatorHtml({ scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/dist/simulator.js', styleUri: 'https://x/simulator.css', cspSource: 'https://*.vscode-cdn.net', nonce });
		const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
		assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://*.vscode-cdn.net; img-src https://*.vscode-cdn.net data:; font-src https://*.vscode-cdn.net`);
		assert.equal(simulatorCsp('https://*.vscode-cdn.net', nonce), csp);
		const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
		assert.deepEqual(scripts.map((attrs) => /nonce="/.test(attrs) || /type="application\/json"/.test(attrs)), [true, true]);
		assert.ok(!/\son\w+=/.test(html), 'no inline event handlers');
		assert.ok(!/style="/.test(html), 'no inline styles');
	});

	it('makes fresh 32-character alphanumeric nonces', () => {
		const nonces = new Set(Array.from({ length: 50 }, () => makeNonce()));
		assert.equal(nonces.size, 50);
		for (const n of nonces) {
			assert.match(n, /^[A-Za-z0-9]{32}$/);
		}
	});

	it('bootstraps any state as JSON that cannot close its element', () => {
		const state = { title: '</script><script>alert(1)</script>', notes: '<!-- x', amp: 'a&b', line: '\u2028', nested: { s: '</SCRIPT >' } };
		const html = simulatorHtml({ scriptUri: 's.js', styleUri: 's.css', cspSource: 'self', nonce: 'n', initialState: state });
		assert.equal((html.match(/<\/script/gi) ?? []).length, 2);
		const json = /<script type="application\/json" id="initial-state">([\s\S]*?)<\/script>/.exec(html)?.[1];
		assert.deepEqual(JSON.parse(json ?? ''), state);
		assert.equal(jsonForScriptElement(undefined), 'null');
		assert.equal(escapeAttribute('a"b<c>&'), 'a&quot;b&lt;c&gt;&amp;');
		const quoted = simulatorHtml({ scriptUri: 'x" onload="alert(1)', styleUri: 's.css', cspSource: 'self', nonce: 'n' });
		assert.ok(quoted.includes('src="x&quot; onload=&quot;alert(1)"'));
	});
});

describe('webview protocol guards', () => {
	const scenario = PRESETS[0].build();

	it('accept the messages each side sends', () => {
		for (const m of [
			{ type: 'open', scenario },
			{ type: 'open', scenario, origin: { file: 'a.patch', line: 3, subject: 's', callText: 'c' } },
			{ type: 'loaded', scenario: { anything: true }, fileName: 'f.json' },
			{ type: 'setKernel', kernel: '6.1' },
			{ type: 'notice', level: 'error', text: 'x' },
		]) {
			assert.ok(isHostToWebviewMessage(m), JSON.stringify(m).slice(0, 60));
		}
		for (const m of [
			{ type: 'ready' },
			{ type: 'requestLoad' },
			{ type: 'save', scenario, suggestedName: 'x' },
			{ type: 'copyText', text: 't', what: 'w' },
			{ type: 'revealOrigin', origin: { file: 'a.patch', line: 3 } },
		]) {
			assert.ok(isWebviewToHostMessage(m), JSON.stringify(m).slice(0, 60));
		}
	});

	it('reject everything else', () => {
		for (const m of [null, 'open', [], { type: 'open' }, { type: 'open', scenario: { pages: [] } }, { type: 'open', scenario, origin: { file: 1, line: 2 } },
			{ type: 'setKernel', kernel: 6.1 }, { type: 'notice', level: 'warn', text: 'x' }, { type: 'save', scenario }, { type: 'ready' }, { type: 'eval', code: '1' }]) {
			assert.equal(isHostToWebviewMessage(m), false, JSON.stringify(m));
		}
		for (const m of [undefined, { type: 'open', scenario }, { type: 'copyText', text: 1, what: 'w' }, { type: 'revealOrigin', origin: { file: 'a', line: 'x' } }]) {
			assert.equal(isWebviewToHostMessage(m), false, JSON.stringify(m));
		}
	});

	it('only restore a state of the current version', () => {
		assert.ok(isSimulatorState({ version: 1, scenario, phase: 2, focus: 0, preset: 'x', fromCall: true, origin: { file: 'f', line: 1 } }));
		assert.equal(isSimulatorState({ version: 2, scenario }), false);
		assert.equal(isSimulatorState({ version: 1, scenario: { pages: 'x', steps: [] } }), false);
		assert.equal(isSimulatorState({ version: 1, scenario, phase: '2' }), false);
	});
});

describe('view model', () => {
	for (const preset of PRESETS.filter((p) => p.id !== 'large')) {
		it(`"${preset.label}": phase states are the simulator's, step by step`, () => {
			const scenario = preset.build();
			const view = computeView(scenario, simulate);
			assert.equal(view.phases.length, scenario.steps.length + 1);
			for (let k = 0; k <= scenario.steps.length; k++) {
				const want = k === 0 ? scenario.pages : simulate({ ...scenario, steps: scenario.steps.slice(0, k) }).final;
				assert.deepEqual(statesAt(view, k).map((p) => [p.state, p.owner]), want.map((p) => [p.state, p.owner]));
				const cells = cellsAt(view, k);
				assert.equal(cells.length, scenario.pages.length);
				assert.ok(cells.every((c) => (k === 0 ? c.mark === 'none' : true)));
			}
		});
	}

	it('names who filters each invalidation by owner', () => {
		const view = computeView(PRESETS.find((p) => p.id === 'mixed-owner')!.build(), simulate);
		const verdicts = notifierVerdicts(view);
		assert.equal(verdicts.length, view.result.notifications.length);
		assert.ok(verdicts.length > 0);
		for (const v of verdicts) {
			assert.equal(v.ignoredBy, 'gpu0');
			assert.deepEqual(v.invalidate, ['gpu1']);
		}
		const old = computeView(PRESETS.find((p) => p.id === 'nouveau-mixed')!.build(), simulate);
		for (const v of notifierVerdicts(old)) {
			assert.equal(v.ignoredBy, null, 'before 5.9 no invalidation carries an owner');
			assert.deepEqual(v.invalidate, ['gpu0', 'gpu1']);
		}
	});

	it('survives a malformed scenario and a throwing simulator', () => {
		const bad = computeView({ kernel: '6.8', vma: {}, pages: [{ state: 'bogus' as never }], steps: [{ op: 'nope' } as never] }, simulate);
		assert.ok(bad.result.errors.length > 0);
		assert.equal(bad.phases.length, 1);
		assert.equal(cellsAt(bad, 0).length, 1);
		const thrown = computeView(PRESETS[0].build(), () => {
			throw new Error('boom');
		});
		assert.match(thrown.result.errors[0], /boom/);
	});

	it('formats index lists as ranges', () => {
		assert.equal(formatRanges([7, 0, 1, 2, 3, 9, 10]), '0–3, 7, 9–10');
		assert.equal(formatRanges([]), '');
	});
});

describe('review comment', () => {
	it('wraps to mail width and keeps every word', () => {
		const text = 'The quick brown fox jumps over the lazy dog '.repeat(6).trim();
		const lines = wrap(text, 30, '  - ', '    ');
		assert.ok(lines.every((l) => l.length <= 30));
		assert.equal(lines.join(' ').replace(/\s+/g, ' ').replace(/^ - /, '').trim(), `- ${text}`.replace(/^- /, ''));
	});

	it('tells each step\'s outcome per group of pages, in plain text', () => {
		const view = computeView(PRESETS.find((p) => p.id === 'mixed-owner')!.build(), simulate);
		const text = reviewComment(view, { file: 'drivers/gpu/drm/acme/acme_svm.c', line: 88, subject: '[PATCH] drm/acme: migrate', callText: 'migrate_vma_setup(&args)' });
		assert.ok(text.includes('drivers/gpu/drm/acme/acme_svm.c:88'));
		assert.ok(text.split('\n').every((l) => l.length <= 78));
		assert.ok(/[^\x20-\x7e\n]/.test(text) === false, 'ASCII only');
		const flat = text.replace(/\s+/g, ' ');
		const setup = view.result.steps[0];
		const selected = (setup.src ?? []).map((e, i) => (e.flags.includes('MIGRATE') && e.flags.includes('VALID') ? i : -1)).filter((i) => i >= 0);
		assert.ok(flat.includes(`pages ${formatRanges(selected.filter((i) => view.scenario.pages[i].writable)).replace(/–/g, '-')}: VALID|MIGRATE|WRITE`));
		assert.ok(flat.includes(`1. migrate_vma_setup (flags SYSTEM, owner gpu0, pages 0-15): ret 0, cpages ${setup.cpages}`));
		assert.ok(flat.includes('MMU_NOTIFY_MIGRATE, owner gpu0'));
	});
});
