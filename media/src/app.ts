/*
 * The simulator panel: header and toolbar, the phase stepper, the page map, the details pane of
 * the focused page, the what-if editors and the notifier timeline. All state lives here; every
 * edit reruns the core simulator synchronously and redraws.
 */

import type { CopyStep, CpuFaultStep, PageState, PinStep, Scenario, ScenarioPage, ScenarioStep, SelectFlag, SetupStep, UnpinStep } from '../../server/src/core/model/scenario.ts';
import { simulate } from '../../server/src/core/model/simulate.ts';
import { isHostToWebviewMessage, isScenarioLike, SIMULATOR_STATE_VERSION, type HostToWebviewMessage, type SimulatorOrigin, type SimulatorState } from '../../common/webviewProtocol.ts';
import { append, h, replaceChildren, uid } from './dom.ts';
import { kernelChoices, kernelOf, nameInfo } from './kernelInfo.ts';
import { cellsAt, computeView, statesAt, formatRanges, MARK_LABEL, markCounts, notifierVerdicts, PAGE_STATE_LABEL, pageDescription, rangeText, type Cell, type CellMark, type Phase, type View } from './model.ts';
import { isNegative, isPositive, PageMap, paintCell } from './pageMap.ts';
import { DEFAULT_PRESET_ID, findPreset, PRESETS } from './presets.ts';
import { reviewComment } from './review.ts';
import { pageLook, type LegendKey } from './theme.ts';
import type { VsCodeApi } from './vscodeApi.ts';

/** Pages beyond this are not drawn (the simulator accepts more; the panel would not be usable). */
export const MAX_DRAWN_PAGES = 65536;

const STATES: PageState[] = ['none', 'zero', 'system', 'file', 'swap', 'device-private', 'device-coherent'];
const SELECT_FLAGS: SelectFlag[] = ['SYSTEM', 'DEVICE_PRIVATE', 'DEVICE_COHERENT', 'COMPOUND'];
const STEP_OPS: ScenarioStep['op'][] = ['setup', 'copy', 'pages', 'finalize', 'pin', 'unpin', 'cpu-fault'];
const OP_TITLE: Record<ScenarioStep['op'], string> = {
	'setup': 'migrate_vma_setup',
	'copy': 'driver copy',
	'pages': 'migrate_vma_pages',
	'finalize': 'migrate_vma_finalize',
	'pin': 'pin_user_pages',
	'unpin': 'unpin_user_pages',
	'cpu-fault': 'CPU fault',
};

function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

function explainPhase(phase: Phase, scenario: Scenario): string {
	const step = phase.step >= 0 ? scenario.steps[phase.step] : undefined;
	switch (phase.op) {
		case 'before':
			return 'The range as the driver finds it. Choose a phase above, or focus the map and press Enter to step through the call.';
		case 'setup':
			return 'Checks the arguments, walks the range under an mmu-notifier invalidation and collects the pages the flags and owner select. Selected pages are locked, unmapped and checked for extra references; the survivors keep MIGRATE in src[] and cpages counts them.';
		case 'copy':
			return 'The driver gives a destination to each src entry that has MIGRATE (or leaves dst 0 to skip it), copies or zeroes the data and fills dst[].';
		case 'pages':
			return 'Moves the struct page state to each destination. An entry without a destination, or one the core refuses, loses MIGRATE: read success per entry after this call, never from cpages.';
		case 'finalize':
			return 'Maps each migrated page at its destination and puts the others back, then unlocks and releases both sides. Mandatory after every successful setup.';
		case 'pin':
			return step && step.op === 'pin' && step.longterm
				? 'pin_user_pages(FOLL_LONGTERM): device-coherent pages are not long-term pinnable and move to system memory first; device-private pages are faulted back.'
				: 'A short-term pin takes a reference where the page is (coherent pages stay in device memory). While held, the extra reference makes these pages fail migration.';
		case 'unpin':
			return 'Drops the pins an earlier pin step took on this range.';
		case 'cpu-fault':
			return 'The CPU touches the page. On a device-private page do_swap_page() calls the owner\'s migrate_to_ram(), which must bring at least the faulting page back to system memory.';
		default:
			return '';
	}
}

function parseIndexList(text: string): number[] | undefined {
	const out: number[] = [];
	for (const part of text.split(/[\s,]+/).filter(Boolean)) {
		const m = /^(\d+)(?:\s*[-–]\s*(\d+))?$/.exec(part);
		if (!m) {
			return undefined;
		}
		const a = Number(m[1]);
		const b = m[2] === undefined ? a : Number(m[2]);
		for (let i = Math.min(a, b); i <= Math.max(a, b) && out.length < 1 << 20; i++) {
			out.push(i);
		}
	}
	return out;
}

function hexOffset(index: number): string {
	return `+0x${(index * 4096).toString(16)}`;
}

export class SimulatorApp {
	private scenario: Scenario;
	private baseline: Scenario;
	/** The call the panel was opened from, with its scenario as opened. */
	private call: { scenario: Scenario; origin: SimulatorOrigin } | undefined;
	/** The scenario shown is the call's (possibly edited). */
	private fromCall = false;
	private preset: string | undefined;
	private edited = false;
	private phase = 0;
	private view: View;
	private stepsSignature = '';
	/** Timings of the last update (ms): simulate, cells, draw, whole. */
	readonly timings = { simulate: 0, cells: 0, draw: 0, update: 0, firstRender: 0 };

	private readonly root: HTMLElement;
	private readonly originBox: HTMLElement;
	private readonly titleBox: HTMLElement;
	private readonly presetSelect: HTMLSelectElement;
	private readonly presetHint: HTMLElement;
	private readonly kernelSelect: HTMLSelectElement;
	private readonly problems: HTMLElement;
	private readonly stepperList: HTMLOListElement;
	private readonly prevButton: HTMLButtonElement;
	private readonly nextButton: HTMLButtonElement;
	private readonly summary: HTMLElement;
	private readonly mapCount: HTMLElement;
	private readonly map: PageMap;
	private readonly legend: HTMLElement;
	private readonly details: HTMLElement;
	private readonly pageEditor: HTMLElement;
	private readonly stepsEditor: HTMLElement;
	private readonly vmaEditor: HTMLElement;
	private readonly timeline: HTMLElement;
	private readonly status: HTMLElement;
	private readonly perf: HTMLElement;

	constructor(mount: HTMLElement, private readonly api: VsCodeApi, initial: SimulatorState | undefined) {
		const started = performance.now();
		this.root = mount;
		const fromPreset = findPreset(initial?.preset) ?? (initial ? undefined : findPreset(DEFAULT_PRESET_ID));
		this.scenario = initial ? clone(initial.scenario) : (fromPreset ?? PRESETS[0]).build();
		this.baseline = clone(initial?.baseline ?? this.scenario);
		if (initial?.origin) {
			this.call = { scenario: clone(initial.callScenario ?? initial.scenario), origin: initial.origin };
			this.fromCall = initial.fromCall ?? initial.callScenario === undefined;
		}
		this.preset = initial ? initial.preset : fromPreset?.id;
		this.edited = initial?.baseline !== undefined;
		this.phase = initial?.phase ?? 0;

		// ---- header --------------------------------------------------------------------------
		this.originBox = h('div', { className: 'origin' });
		this.titleBox = h('div', { className: 'scenario-title' });
		this.presetSelect = h('select', { id: 'preset', on: { change: () => this.onPreset() } });
		this.presetHint = h('p', { className: 'preset-hint', id: 'preset-hint' });
		this.presetSelect.setAttribute('aria-describedby', 'preset-hint');
		this.kernelSelect = h('select', { id: 'kernel', on: { change: () => this.setKernel(this.kernelSelect.value) } });
		const header = h('header', { className: 'topbar' },
			h('div', { className: 'brand' },
				h('h1', { text: 'migrate_vma simulator' }),
				this.titleBox,
				this.originBox,
			),
			h('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Scenario' } },
				h('div', { className: 'field' }, h('label', { text: 'Scenario', attrs: { for: 'preset' } }), this.presetSelect),
				h('div', { className: 'field' }, h('label', { text: 'Kernel', attrs: { for: 'kernel' } }), this.kernelSelect),
				h('div', { className: 'button-group' },
					h('button', { className: 'secondary', text: 'Load…', title: 'Load a scenario JSON file', on: { click: () => this.api.postMessage({ type: 'requestLoad' }) } }),
					h('button', { className: 'secondary', text: 'Save…', title: 'Save this scenario as a JSON file (Contract 2)', on: { click: () => this.save() } }),
					h('button', { className: 'secondary', text: 'Reset', title: 'Undo every what-if edit', on: { click: () => this.reset() } }),
					h('button', { className: 'primary', id: 'copy-review', text: 'Copy as review comment', on: { click: () => this.copyReview() } }),
				),
			),
			this.presetHint,
		);

		// ---- stepper ---------------------------------------------------------------------------
		this.prevButton = h('button', { className: 'nav-button', text: '‹', attrs: { 'aria-label': 'Previous phase', title: 'Previous phase (Shift+Enter in the map)' }, on: { click: () => this.step(-1) } });
		this.nextButton = h('button', { className: 'nav-button', text: '›', attrs: { 'aria-label': 'Next phase', title: 'Next phase (Enter in the map)' }, on: { click: () => this.step(1) } });
		this.stepperList = h('ol', { className: 'phase-list' });
		this.stepperList.addEventListener('keydown', (e) => this.onStepperKey(e));
		const stepper = h('nav', { className: 'stepper', attrs: { 'aria-label': 'Phases of the call' } }, this.prevButton, this.stepperList, this.nextButton);
		this.problems = h('div', { className: 'problems' });

		// ---- map -------------------------------------------------------------------------------
		this.summary = h('div', { className: 'phase-summary', id: 'phase-summary' });
		this.mapCount = h('span', { className: 'muted' });
		this.map = new PageMap({
			focus: () => {
				this.renderDetails();
				this.renderPageEditor();
				this.persist();
			},
			select: () => {
				this.renderDetails();
				this.renderPageEditor();
			},
			step: (delta) => this.step(delta),
			describe: (index) => this.describe(index),
		}, 'map-heading', 'page-details');
		this.legend = h('ul', { className: 'legend', attrs: { 'aria-label': 'Legend' } });
		const mapSection = h('section', { className: 'map-section', attrs: { 'aria-labelledby': 'map-heading' } },
			this.summary,
			h('div', { className: 'section-head' }, h('h2', { id: 'map-heading', text: 'Page map' }), this.mapCount),
			this.map.element,
			this.legend,
		);

		// ---- inspector ------------------------------------------------------------------------
		this.details = h('section', { className: 'card details', id: 'page-details', attrs: { 'aria-labelledby': 'details-heading', 'aria-live': 'off' } });
		this.pageEditor = h('section', { className: 'card page-editor', attrs: { 'aria-labelledby': 'page-editor-heading' } });
		this.stepsEditor = h('section', { className: 'card steps-editor', attrs: { 'aria-labelledby': 'steps-heading' } });
		this.vmaEditor = h('section', { className: 'card vma-editor', attrs: { 'aria-labelledby': 'vma-heading' } });
		const inspector = h('aside', { className: 'inspector', attrs: { 'aria-label': 'Page details and what-if' } }, this.details, this.pageEditor, this.stepsEditor, this.vmaEditor);

		// ---- timeline and status --------------------------------------------------------------
		this.timeline = h('section', { className: 'timeline', attrs: { 'aria-labelledby': 'timeline-heading' } });
		this.status = h('div', { className: 'status-text', attrs: { role: 'status', 'aria-live': 'polite' } });
		this.perf = h('div', { className: 'perf muted' });
		const footer = h('footer', { className: 'statusbar' }, this.status, this.perf);

		replaceChildren(this.root, header, stepper, this.problems, h('main', { className: 'workspace' }, h('div', { className: 'main-column' }, mapSection, this.timeline), inspector), footer);
		this.root.removeAttribute('aria-busy');

		this.fillKernelSelect();
		this.view = this.compute();
		this.renderAll(true);
		this.map.setFocus(Math.min(initial?.focus ?? 0, Math.max(0, this.scenario.pages.length - 1)), { announce: false });
		this.timings.firstRender = performance.now() - started;

		window.addEventListener('message', (event: MessageEvent) => this.onMessage(event.data));
		const themeWatcher = new MutationObserver(() => {
			this.map.refreshTheme();
			this.renderLegend();
		});
		themeWatcher.observe(document.body, { attributes: true, attributeFilter: ['class'] });
		themeWatcher.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
		document.addEventListener('keydown', (e) => this.onGlobalKey(e));
	}

	/** The origin of the scenario shown, when it is the call's. */
	private get origin(): SimulatorOrigin | undefined {
		return this.fromCall ? this.call?.origin : undefined;
	}

	// ---- public surface (host messages, tests) -------------------------------------------------

	onMessage(data: unknown): void {
		if (!isHostToWebviewMessage(data)) {
			return;
		}
		const message: HostToWebviewMessage = data;
		switch (message.type) {
			case 'open':
				this.open(message.scenario, message.origin, undefined);
				this.notice(message.origin ? `Opened the call at ${message.origin.file}:${message.origin.line}.` : 'Opened a scenario.');
				break;
			case 'loaded':
				if (!isScenarioLike(message.scenario)) {
					this.notice(`${message.fileName} is not a simulator scenario: it needs "pages" and "steps" arrays.`, 'error');
					return;
				}
				this.open(message.scenario, undefined, undefined);
				this.notice(`Loaded ${message.fileName}.`);
				break;
			case 'setKernel':
				this.setKernel(message.kernel);
				break;
			case 'notice':
				this.notice(message.text, message.level);
				break;
		}
	}

	/** The page map's model, for tests and assistive tooling. */
	testHook(): Record<string, unknown> {
		return {
			phase: () => this.phase,
			phases: () => this.view.phases.map((p) => ({ index: p.index, op: p.op, title: p.title, detail: p.detail, outcome: p.outcome, first: p.first, count: p.count })),
			cells: () => cellsAt(this.view, this.phase).map((c) => ({
				index: c.index, state: c.page.state, owner: c.page.owner ?? null, pinned: !!c.page.pinned, migrating: !!c.page.migrating,
				inRange: c.inRange, mark: c.mark, srcFlags: c.srcFlags ?? null, dstFlags: c.dstFlags ?? null, why: c.why ?? null, label: c.label,
			})),
			focus: () => this.map.focused,
			selection: () => [...this.map.selected],
			columns: () => this.map.columns,
			cellBox: (i: number) => this.map.cellBox(i),
			scenario: () => clone(this.scenario),
			result: () => clone(this.view.result),
			timings: () => ({ ...this.timings, paint: this.map.lastPaintMs }),
			setPhase: (n: number) => this.setPhase(n),
		};
	}

	// ---- state changes --------------------------------------------------------------------------

	private open(scenario: Scenario, origin: SimulatorOrigin | undefined, preset: string | undefined): void {
		this.scenario = clone(scenario);
		this.baseline = clone(scenario);
		if (origin) {
			this.call = { scenario: clone(scenario), origin };
		}
		this.fromCall = origin !== undefined;
		this.preset = preset;
		this.edited = false;
		this.phase = 0;
		this.map.clearSelection();
		this.update(true);
		this.map.setFocus(0, { announce: false });
	}

	private onPreset(): void {
		const value = this.presetSelect.value;
		if (value === '__origin' && this.call) {
			this.open(this.call.scenario, this.call.origin, undefined);
			this.notice('Back to the call from the patch.');
			return;
		}
		const preset = findPreset(value);
		if (preset) {
			this.open(preset.build(), undefined, preset.id);
			this.notice(`Preset: ${preset.label}.`);
		}
	}

	private setKernel(kernel: string): void {
		if (this.scenario.kernel === kernel) {
			return;
		}
		this.scenario.kernel = kernel;
		this.changed(true);
		this.notice(`Simulating on Linux ${kernel}.`);
	}

	private reset(): void {
		this.scenario = clone(this.baseline);
		this.edited = false;
		this.update(true);
		this.notice('Every what-if edit was undone.');
	}

	/** After an edit of `this.scenario`. */
	private changed(structural = false): void {
		this.edited = true;
		this.update(structural);
	}

	private compute(): View {
		const pages = Array.isArray(this.scenario.pages) ? this.scenario.pages.length : 0;
		if (pages > MAX_DRAWN_PAGES) {
			const view = computeView({ ...this.scenario, pages: [], steps: [] }, () => ({ kernel: String(this.scenario.kernel), steps: [], notifications: [], final: [], warnings: [], errors: [`The scenario has ${pages} pages; the panel draws at most ${MAX_DRAWN_PAGES}. Use \`migrate-lens simulate\` for it.`] }));
			return view;
		}
		const view = computeView(this.scenario, simulate, () => performance.now());
		this.timings.simulate = view.simulateMs;
		return view;
	}

	private update(structural: boolean): void {
		const started = performance.now();
		this.view = this.compute();
		this.phase = Math.max(0, Math.min(this.phase, this.view.phases.length - 1));
		this.renderAll(structural);
		this.timings.update = performance.now() - started;
		this.renderPerf();
		this.persist();
	}

	private setPhase(index: number): void {
		const next = Math.max(0, Math.min(this.view.phases.length - 1, index));
		if (next === this.phase) {
			return;
		}
		this.phase = next;
		this.renderStepper();
		this.renderSummary();
		this.renderMap();
		this.renderDetails();
		this.renderTimeline();
		this.persist();
		const phase = this.view.phases[next];
		this.notice(`${next === 0 ? 'Before the call' : `Phase ${next}: ${phase.title}`}${phase.outcome ? ` — ${phase.outcome}` : ''}.`);
	}

	private step(delta: number): void {
		this.setPhase(this.phase + delta);
	}

	private persist(): void {
		const state: SimulatorState = { version: SIMULATOR_STATE_VERSION, scenario: this.scenario, phase: this.phase, focus: this.map.focused };
		if (this.call) {
			state.origin = this.call.origin;
			state.fromCall = this.fromCall;
			if (!this.fromCall) {
				state.callScenario = this.call.scenario;
			}
		}
		if (this.edited) {
			state.baseline = this.baseline;
		}
		if (this.preset) {
			state.preset = this.preset;
		}
		this.api.setState(state);
	}

	private notice(text: string, level: 'info' | 'error' = 'info'): void {
		this.status.textContent = text;
		this.status.classList.toggle('error', level === 'error');
	}

	private save(): void {
		const title = typeof this.scenario.title === 'string' && this.scenario.title ? this.scenario.title : this.preset ?? 'scenario';
		this.api.postMessage({ type: 'save', scenario: clone(this.scenario), suggestedName: title });
	}

	private copyReview(): void {
		this.api.postMessage({ type: 'copyText', text: reviewComment(this.view, this.origin), what: 'the review comment' });
	}

	// ---- rendering -----------------------------------------------------------------------------

	private renderAll(structural: boolean): void {
		this.renderHeader();
		this.renderProblems();
		this.renderStepper();
		this.renderSummary();
		this.renderMap();
		this.renderLegend();
		this.renderDetails();
		this.renderPageEditor();
		this.renderStepsEditor(structural);
		this.renderVmaEditor(structural);
		this.renderTimeline();
		this.renderPerf();
	}

	private fillKernelSelect(): void {
		const choices = kernelChoices();
		replaceChildren(this.kernelSelect, ...choices.map((k) => h('option', { text: `Linux ${k}`, attrs: { value: k } })));
	}

	private renderHeader(): void {
		const kernel = String(this.scenario.kernel ?? '');
		if (!Array.from(this.kernelSelect.options).some((o) => o.value === kernel)) {
			this.kernelSelect.append(h('option', { text: `Linux ${kernel}`, attrs: { value: kernel } }));
		}
		this.kernelSelect.value = kernel;

		const options: HTMLOptionElement[] = [];
		if (this.call) {
			options.push(h('option', { text: `The call at ${this.call.origin.file.split(/[\\/]/).pop()}:${this.call.origin.line}`, attrs: { value: '__origin' } }));
		}
		const custom = this.edited || (!this.fromCall && !this.preset);
		if (custom) {
			options.push(h('option', { text: this.edited ? 'Edited scenario' : 'Loaded scenario', attrs: { value: '__custom', disabled: true } }));
		}
		for (const preset of PRESETS) {
			options.push(h('option', { text: preset.label, attrs: { value: preset.id } }));
		}
		replaceChildren(this.presetSelect, ...options);
		this.presetSelect.value = custom ? '__custom' : this.fromCall ? '__origin' : this.preset ?? '__custom';
		const preset = findPreset(this.preset);
		this.presetSelect.title = !this.edited && preset ? preset.summary : '';
		// The preset's one-liner only when the scenario carries no notes of its own.
		const hasNotes = typeof this.scenario.notes === 'string' && this.scenario.notes !== '';
		this.presetHint.textContent = !this.edited && preset && !hasNotes ? preset.summary : '';
		this.presetHint.hidden = !this.presetHint.textContent;

		const title = typeof this.scenario.title === 'string' ? this.scenario.title : '';
		const notes = typeof this.scenario.notes === 'string' ? this.scenario.notes : '';
		replaceChildren(this.titleBox,
			title ? h('span', { className: 'title-text', text: title }) : null,
			notes ? h('span', { className: 'notes-text', text: notes }) : null,
		);
		if (this.origin) {
			const origin = this.origin;
			replaceChildren(this.originBox,
				h('span', { className: 'muted', text: 'From ' }),
				h('button', {
					className: 'link',
					text: `${origin.file}:${origin.line}`,
					title: 'Open the call in the editor',
					on: { click: () => this.api.postMessage({ type: 'revealOrigin', origin }) },
				}),
				origin.callText ? h('code', { className: 'call-text', text: origin.callText }) : null,
				origin.subject ? h('span', { className: 'subject', text: origin.subject }) : null,
			);
			this.originBox.hidden = false;
		} else {
			replaceChildren(this.originBox);
			this.originBox.hidden = true;
		}
	}

	private renderProblems(): void {
		const { errors, warnings } = this.view.result;
		const parts: HTMLElement[] = [];
		if (errors.length) {
			parts.push(h('div', { className: 'banner error', attrs: { role: 'alert' } },
				h('strong', { text: errors.length === 1 ? 'The scenario cannot be simulated: ' : `The scenario cannot be simulated (${errors.length} problems):` }),
				errors.length === 1 ? h('span', { text: errors[0] }) : h('ul', {}, ...errors.slice(0, 12).map((e) => h('li', { text: e }))),
			));
		}
		if (warnings.length) {
			const list = h('ul', {}, ...warnings.slice(0, 20).map((w) => h('li', { text: w })));
			parts.push(h('details', { className: 'banner warning' },
				h('summary', { text: `${warnings.length} note${warnings.length === 1 ? '' : 's'} from the simulator` }),
				list,
			));
		}
		replaceChildren(this.problems, ...parts);
		this.problems.hidden = parts.length === 0;
	}

	private renderStepper(): void {
		const items = this.view.phases.map((phase) => {
			const current = phase.index === this.phase;
			const button = h('button', {
				className: `phase-chip op-${phase.op}${phase.failed ? ' failed' : ''}`,
				attrs: {
					'data-phase': phase.index,
					'aria-current': current ? 'step' : undefined,
					'tabindex': current ? 0 : -1,
					'aria-label': `${phase.index === 0 ? 'Before the call' : `Step ${phase.index}: ${phase.title}`}${phase.detail ? `, ${phase.detail}` : ''}${phase.outcome ? `, ${phase.outcome}` : ''}`,
				},
				on: { click: () => this.setPhase(phase.index) },
			},
			h('span', { className: 'chip-num', text: phase.index === 0 ? '○' : String(phase.index), attrs: { 'aria-hidden': 'true' } }),
			h('span', { className: 'chip-body', attrs: { 'aria-hidden': 'true' } },
				h('span', { className: 'chip-title', text: phase.title }),
				h('span', { className: 'chip-outcome', text: phase.outcome || phase.detail }),
			));
			return h('li', {}, button);
		});
		replaceChildren(this.stepperList, ...items);
		this.prevButton.disabled = this.phase <= 0;
		this.nextButton.disabled = this.phase >= this.view.phases.length - 1;
	}

	private onStepperKey(event: KeyboardEvent): void {
		const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
		if (!delta && event.key !== 'Home' && event.key !== 'End') {
			return;
		}
		event.preventDefault();
		const target = event.key === 'Home' ? 0 : event.key === 'End' ? this.view.phases.length - 1 : this.phase + delta;
		this.setPhase(target);
		(this.stepperList.querySelector(`[data-phase="${this.phase}"]`) as HTMLElement | null)?.focus();
	}

	private onGlobalKey(event: KeyboardEvent): void {
		const target = event.target as HTMLElement | null;
		if (target && (target.closest('input, select, textarea, button, [role="application"]'))) {
			return;
		}
		if (event.key === 'Enter') {
			event.preventDefault();
			this.step(event.shiftKey ? -1 : 1);
		}
	}

	private renderSummary(): void {
		const phase = this.view.phases[this.phase];
		const cells = cellsAt(this.view, this.phase);
		const counts = markCounts(cells);
		const countItems: HTMLElement[] = [];
		for (const [mark, n] of counts) {
			countItems.push(h('li', { className: `count ${isPositive(mark) ? 'ok' : isNegative(mark) ? 'bad' : 'neutral'}` },
				h('span', { className: 'count-glyph', text: isPositive(mark) ? '✓' : isNegative(mark) ? '✕' : '•', attrs: { 'aria-hidden': 'true' } }),
				`${n} ${MARK_LABEL[mark]}`));
		}
		const stepWhy = typeof phase.result?.why === 'string' ? phase.result.why : '';
		replaceChildren(this.summary,
			h('div', { className: 'ps-head' },
				h('span', { className: 'ps-index', text: phase.index === 0 ? 'Before' : `Step ${phase.index} of ${this.view.phases.length - 1}` }),
				h('span', { className: 'ps-title', text: phase.index === 0 ? 'Initial state' : phase.title }),
				phase.detail && phase.index > 0 ? h('span', { className: 'ps-detail', text: phase.detail }) : null,
				phase.outcome ? h('span', { className: `ps-outcome${phase.failed ? ' failed' : ''}`, text: phase.outcome }) : null,
			),
			h('p', { className: 'ps-explain', text: explainPhase(phase, this.scenario) }),
			stepWhy ? h('p', { className: 'ps-why', text: stepWhy }) : null,
			countItems.length ? h('ul', { className: 'ps-counts', attrs: { 'aria-label': 'Outcome counts' } }, ...countItems) : null,
		);
	}

	private renderMap(): void {
		const started = performance.now();
		const cells = cellsAt(this.view, this.phase);
		this.timings.cells = performance.now() - started;
		this.map.setCells(cells, this.view.ownOwner, this.phase > 0);
		this.timings.draw = this.map.lastPaintMs;
		const n = cells.length;
		this.mapCount.textContent = `${n} page${n === 1 ? '' : 's'} · ${(n * 4).toLocaleString('en-US')} KiB · ${this.map.columns} per row`;
	}

	/** What the legend last drew, so that an unchanged legend is not built again. */
	private legendShown: { signature: string; palette?: unknown } = { signature: '' };

	private renderLegend(): void {
		const palette = this.map.colors;
		const present = new Set<LegendKey>();
		let pinned = false;
		let locked = false;
		let pmd = false;
		let migrating = false;
		const last = this.view.phases.length - 1;
		for (const pages of [statesAt(this.view, 0), statesAt(this.view, this.phase), statesAt(this.view, last)]) {
			for (const page of pages) {
				present.add(pageLook(page, this.view.ownOwner, palette).key);
				pinned ||= !!page.pinned;
				locked ||= !!page.locked;
				pmd ||= !!page.pmd;
				migrating ||= !!page.migrating;
			}
		}
		const own = this.view.ownOwner;
		// The legend only changes with what it shows: keep its swatches (a canvas each) otherwise.
		const signature = JSON.stringify([[...present].sort(), pinned, locked, pmd, migrating, own]);
		if (signature === this.legendShown.signature && palette === this.legendShown.palette) {
			return;
		}
		this.legendShown = { signature, palette };
		const labels: Record<LegendKey, string> = {
			'none': 'hole',
			'zero': 'zero page',
			'system': 'system anon',
			'file': 'file / shmem',
			'swap': 'swapped out',
			'dp-own': `device-private${own ? ` · ${own}` : ''}`,
			'dp-foreign': own ? 'device-private · other owner' : 'device-private',
			'dc-own': `device-coherent${own ? ` · ${own}` : ''}`,
			'dc-foreign': own ? 'device-coherent · other owner' : 'device-coherent',
		};
		const samples: Record<LegendKey, ScenarioPage> = {
			'none': { state: 'none' },
			'zero': { state: 'zero' },
			'system': { state: 'system' },
			'file': { state: 'file' },
			'swap': { state: 'swap' },
			'dp-own': { state: 'device-private', owner: own ?? undefined },
			'dp-foreign': { state: 'device-private', owner: '\u0000other' },
			'dc-own': { state: 'device-coherent', owner: own ?? undefined },
			'dc-foreign': { state: 'device-coherent', owner: '\u0000other' },
		};
		const items: HTMLElement[] = [];
		const swatch = (draw: (ctx: CanvasRenderingContext2D) => void): HTMLCanvasElement => {
			const canvas = h('canvas', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
			const dpr = window.devicePixelRatio || 1;
			canvas.width = 16 * dpr;
			canvas.height = 16 * dpr;
			const ctx = canvas.getContext('2d');
			if (ctx) {
				ctx.scale(dpr, dpr);
				draw(ctx);
			}
			return canvas;
		};
		const base = { alpha: 1, mark: 'none' as CellMark, pinned: false, locked: false, pmd: false, emptySlot: false, migrating: false };
		for (const key of Object.keys(labels) as LegendKey[]) {
			if (!present.has(key)) {
				continue;
			}
			const look = pageLook(samples[key], own, palette);
			items.push(h('li', {}, swatch((ctx) => paintCell(ctx, 1, 1, 14, { ...base, look }, palette)), labels[key]));
		}
		const plain = pageLook({ state: 'zero' }, own, palette);
		if (pinned) {
			items.push(h('li', {}, swatch((ctx) => paintCell(ctx, 1, 1, 14, { ...base, look: plain, pinned: true }, palette)), 'pinned'));
		}
		if (locked) {
			items.push(h('li', {}, swatch((ctx) => paintCell(ctx, 1, 1, 14, { ...base, look: plain, locked: true }, palette)), 'locked'));
		}
		if (pmd) {
			items.push(h('li', {}, swatch((ctx) => paintCell(ctx, 1, 1, 14, { ...base, look: plain, pmd: true }, palette)), 'PMD head'));
		}
		if (migrating) {
			items.push(h('li', {}, swatch((ctx) => paintCell(ctx, 1, 1, 14, { ...base, look: plain, migrating: true }, palette)), 'migration entry'));
		}
		items.push(h('li', { className: 'legend-mark ok' }, h('span', { className: 'mark-dot', text: '✓', attrs: { 'aria-hidden': 'true' } }), 'took part in the step'));
		items.push(h('li', { className: 'legend-mark bad' }, h('span', { className: 'mark-dot', text: '✕', attrs: { 'aria-hidden': 'true' } }), 'left out (dimmed)'));
		replaceChildren(this.legend, ...items);
	}

	private describe(index: number): { title: string; lines: string[] } {
		const cell = cellsAt(this.view, this.phase)[index];
		if (!cell) {
			return { title: `Page ${index}`, lines: [] };
		}
		const lines = [pageDescription(cell.page)];
		if (cell.mark !== 'none') {
			lines.push(MARK_LABEL[cell.mark]);
		}
		if (cell.srcFlags !== undefined) {
			lines.push(`src: ${cell.srcFlags.length ? cell.srcFlags.join(' | ') : '0'}`);
		}
		if (cell.dstFlags !== undefined) {
			lines.push(`dst: ${cell.dstFlags.length ? cell.dstFlags.join(' | ') : '0'}`);
		}
		if (cell.why) {
			lines.push(cell.why);
		}
		return { title: `Page ${index} ${hexOffset(index)}`, lines };
	}

	private flagChips(flags: string[] | undefined, kind: 'src' | 'dst'): HTMLElement {
		if (flags === undefined) {
			return h('span', { className: 'muted', text: kind === 'src' ? 'no setup yet' : 'no copy yet' });
		}
		if (!flags.length) {
			return h('span', { className: 'chip zero', text: '0', title: 'The entry is 0: no pfn, no flags' });
		}
		const kernel = kernelOf(this.scenario.kernel);
		return h('span', { className: 'chips' }, ...flags.map((flag) => {
			const info = nameInfo(`MIGRATE_PFN_${flag}`, kernel);
			return h('span', { className: `chip flag-${flag.toLowerCase()}`, text: flag, title: info.summary ? `MIGRATE_PFN_${flag}: ${info.summary}` : `MIGRATE_PFN_${flag}` });
		}));
	}

	private renderDetails(): void {
		const cells = cellsAt(this.view, this.phase);
		const phase = this.view.phases[this.phase];
		const selection = [...this.map.selected].sort((a, b) => a - b);
		if (!cells.length) {
			replaceChildren(this.details, h('h2', { id: 'details-heading', text: 'No pages' }), h('p', { className: 'muted', text: 'The vma of this scenario has no pages. Add some under VMA below.' }));
			return;
		}
		const index = this.map.focused;
		const cell: Cell = cells[index];
		const before = statesAt(this.view, 0)[index];
		const end = statesAt(this.view, this.view.phases.length - 1)[index];
		const rows: HTMLElement[] = [];
		const row = (term: string, value: Node | string) => rows.push(h('dt', { text: term }), h('dd', {}, value));
		row('Before', pageDescription(before));
		if (this.phase > 0) {
			row(`After ${phase.title}`, pageDescription(cell.page));
		}
		if (this.phase < this.view.phases.length - 1) {
			row('At the end', pageDescription(end));
		}
		row(`src[${index}]`, this.flagChips(cell.srcFlags, 'src'));
		row(`dst[${index}]`, this.flagChips(cell.dstFlags, 'dst'));
		const verdictClass = isPositive(cell.mark) ? 'ok' : isNegative(cell.mark) ? 'bad' : 'neutral';
		const children: (HTMLElement | null)[] = [
			h('div', { className: 'details-head' },
				h('h2', { id: 'details-heading', text: `Page ${index}` }),
				h('span', { className: 'muted mono', text: hexOffset(index) }),
				cell.mark !== 'none' ? h('span', { className: `verdict ${verdictClass}`, text: `${verdictClass === 'ok' ? '✓ ' : verdictClass === 'bad' ? '✕ ' : ''}${MARK_LABEL[cell.mark]}` }) : null,
				!cell.inRange && this.phase > 0 ? h('span', { className: 'verdict neutral', text: 'outside this step' }) : null,
			),
			h('dl', { className: 'kv' }, ...rows),
			cell.why ? h('p', { className: 'why', text: cell.why }) : h('p', { className: 'why muted', text: this.phase === 0 ? 'Step to a phase to see what the kernel does with this page and why.' : 'This step does not touch this page.' }),
		];
		if (selection.length > 1) {
			children.push(h('p', { className: 'selection-note', text: `${selection.length} pages selected (${formatRanges(selection)}). Page edits below apply to all of them.` }));
		}
		replaceChildren(this.details, ...children);
	}

	// ---- what-if: pages ------------------------------------------------------------------------

	private renderPageEditor(): void {
		const targets = this.map.targets();
		const pages = this.scenario.pages;
		if (!targets.length || !Array.isArray(pages) || !pages.length) {
			replaceChildren(this.pageEditor, h('h2', { id: 'page-editor-heading', text: 'What if…' }), h('p', { className: 'muted', text: 'No page to edit.' }));
			return;
		}
		const subject = targets.length === 1 ? `page ${targets[0]}` : `pages ${formatRanges(targets)}`;
		const chosen = targets.map((i) => pages[i]).filter((p): p is ScenarioPage => !!p && typeof p === 'object');
		const common = <K extends keyof ScenarioPage>(key: K): ScenarioPage[K] | undefined | 'mixed' => {
			const values = new Set(chosen.map((p) => p[key]));
			return values.size === 1 ? chosen[0][key] : 'mixed';
		};
		const stateId = uid('page-state');
		const ownerId = uid('page-owner');
		const ownersId = uid('owners');
		const stateSelect = h('select', { id: stateId, on: { change: () => this.editPages(targets, (p) => {
			p.state = stateSelect.value as PageState;
			if (p.state === 'device-private' || p.state === 'device-coherent') {
				p.owner ??= this.view.ownOwner ?? 'gpu0';
			} else {
				delete p.owner;
			}
		}) } });
		const state = common('state');
		if (state === 'mixed') {
			stateSelect.append(h('option', { text: '(mixed)', attrs: { value: '', disabled: true } }));
		}
		for (const s of STATES) {
			stateSelect.append(h('option', { text: PAGE_STATE_LABEL[s], attrs: { value: s } }));
		}
		stateSelect.value = state === 'mixed' ? '' : String(state ?? '');
		const owner = common('owner');
		const isDevice = chosen.some((p) => p.state === 'device-private' || p.state === 'device-coherent');
		const ownerInput = h('input', {
			id: ownerId,
			attrs: { type: 'text', list: ownersId, spellcheck: 'false', placeholder: owner === 'mixed' ? '(mixed)' : 'owner', disabled: !isDevice },
			on: { input: () => this.editPages(targets, (p) => {
				if (p.state === 'device-private' || p.state === 'device-coherent') {
					p.owner = ownerInput.value;
				}
			}, false) },
		});
		ownerInput.value = owner === 'mixed' || owner === undefined ? '' : String(owner);
		const owners = h('datalist', { id: ownersId }, ...this.view.drivers.map((d) => h('option', { attrs: { value: d } })));
		const check = (key: 'writable' | 'pinned' | 'locked' | 'pmd', label: string, hint: string) => {
			const id = uid(`page-${key}`);
			const value = common(key);
			const box = h('input', { id, attrs: { type: 'checkbox' }, on: { change: () => this.editPages(targets, (p) => {
				if (box.checked) {
					p[key] = true;
				} else if (key === 'writable') {
					p.writable = false;
				} else {
					delete p[key];
				}
			}) } });
			box.checked = value === true;
			box.indeterminate = value === 'mixed';
			return h('label', { className: 'check', title: hint, attrs: { for: id } }, box, label);
		};
		const copyStep = this.scenario.steps.find((s): s is CopyStep => s?.op === 'copy');
		const setupStep = this.scenario.steps.find((s): s is SetupStep => s?.op === 'setup');
		const skipped = copyStep ? targets.every((i) => copyStep.skip?.includes(i)) : false;
		replaceChildren(this.pageEditor,
			h('h2', { id: 'page-editor-heading', text: `What if ${subject} ${targets.length === 1 ? 'were' : 'were all'}…` }),
			h('div', { className: 'form-grid' },
				h('label', { text: 'State', attrs: { for: stateId } }), stateSelect,
				h('label', { text: 'Owner', attrs: { for: ownerId } }), ownerInput,
			),
			owners,
			h('div', { className: 'checks' },
				check('writable', 'writable', 'The mapping is writable (MIGRATE_PFN_WRITE when selected)'),
				check('pinned', 'pinned', 'Holds an extra reference (a GUP pin) for the whole scenario'),
				check('locked', 'locked', 'Locked by someone else (or by the caller, for the fault page)'),
				check('pmd', 'PMD head', 'Head page of a PMD-mapped large folio; its 511 tail pages follow'),
			),
			h('div', { className: 'row-buttons' },
				copyStep ? h('button', {
					className: 'secondary small',
					text: skipped ? 'Give a destination' : 'Skip in the copy',
					title: 'Toggle these pages in the copy step\'s skip list (the driver leaves dst 0)',
					on: { click: () => {
						const skip = new Set(copyStep.skip ?? []);
						for (const i of targets) {
							if (skipped) {
								skip.delete(i);
							} else {
								skip.add(i);
							}
						}
						copyStep.skip = [...skip].sort((a, b) => a - b);
						this.changed(true);
					} },
				}) : null,
				setupStep && targets.length === 1 ? h('button', {
					className: 'secondary small',
					text: setupStep.faultPage === targets[0] ? 'Clear fault_page' : 'Make it fault_page',
					title: 'Pass this page as migrate_vma.fault_page (6.1+)',
					on: { click: () => {
						setupStep.faultPage = setupStep.faultPage === targets[0] ? null : targets[0];
						this.changed(true);
					} },
				}) : null,
			),
			h('p', { className: 'hint', text: 'Edits change the page as it is before the call; everything reruns at once.' }),
		);
	}

	private editPages(targets: number[], edit: (page: ScenarioPage) => void, rerenderEditor = true): void {
		for (const i of targets) {
			const page = this.scenario.pages[i];
			if (page && typeof page === 'object') {
				edit(page);
			}
		}
		this.edited = true;
		const started = performance.now();
		this.view = this.compute();
		this.phase = Math.min(this.phase, this.view.phases.length - 1);
		this.renderHeader();
		this.renderProblems();
		this.renderStepper();
		this.renderSummary();
		this.renderMap();
		this.renderLegend();
		this.renderDetails();
		if (rerenderEditor) {
			this.renderPageEditor();
		}
		this.renderTimeline();
		this.timings.update = performance.now() - started;
		this.renderPerf();
		this.persist();
	}

	// ---- what-if: steps -------------------------------------------------------------------------

	private renderStepsEditor(force: boolean): void {
		const signature = `${this.scenario.steps.map((s) => s?.op).join(',')}|${String(this.scenario.kernel)}|${this.phase}`;
		if (!force && signature === this.stepsSignature) {
			this.markCurrentStepCard();
			return;
		}
		this.stepsSignature = signature;
		const kernel = kernelOf(this.scenario.kernel);
		const list = h('ol', { className: 'step-list' });
		this.scenario.steps.forEach((step, k) => {
			if (!step || typeof step !== 'object') {
				return;
			}
			const remove = h('button', { className: 'icon-button', text: '✕', attrs: { 'aria-label': `Remove step ${k + 1} (${OP_TITLE[step.op] ?? step.op})`, title: 'Remove this step' }, on: { click: () => {
				this.scenario.steps.splice(k, 1);
				this.changed(true);
			} } });
			const go = h('button', { className: 'link step-go', text: `${k + 1}. ${OP_TITLE[step.op] ?? String(step.op)}`, title: 'Show this phase', on: { click: () => this.setPhase(k + 1) } });
			const card = h('li', { className: 'step-card', attrs: { 'data-step': k } }, h('div', { className: 'step-head' }, go, remove), this.stepFields(step, kernel));
			list.append(card);
		});
		const addSelect = h('select', { id: 'add-step-op' }, ...STEP_OPS.map((op) => h('option', { text: OP_TITLE[op], attrs: { value: op } })));
		const add = h('button', { className: 'secondary small', text: 'Add step', on: { click: () => this.addStep(addSelect.value as ScenarioStep['op']) } });
		replaceChildren(this.stepsEditor,
			h('h2', { id: 'steps-heading', text: 'Call and steps' }),
			list,
			h('div', { className: 'add-step' }, h('label', { text: 'New', attrs: { for: 'add-step-op' } }), addSelect, add),
		);
		this.markCurrentStepCard();
	}

	private markCurrentStepCard(): void {
		for (const card of Array.from(this.stepsEditor.querySelectorAll<HTMLElement>('.step-card'))) {
			card.classList.toggle('current', Number(card.dataset.step) === this.phase - 1);
		}
	}

	private addStep(op: ScenarioStep['op']): void {
		const n = this.scenario.pages.length;
		const targets = this.map.targets();
		const first = targets.length > 1 ? targets[0] : 0;
		const count = targets.length > 1 ? targets[targets.length - 1] - targets[0] + 1 : n;
		let step: ScenarioStep;
		switch (op) {
			case 'setup':
				step = { op: 'setup', flags: ['SYSTEM'], pgmapOwner: this.view.ownOwner ?? 'gpu0', first, count, faultPage: null };
				break;
			case 'copy':
				step = { op: 'copy', to: 'device-private', owner: this.view.ownOwner ?? 'gpu0', skip: [] };
				break;
			case 'pin':
				step = { op: 'pin', first, count, longterm: true };
				break;
			case 'unpin':
				step = { op: 'unpin', first, count };
				break;
			case 'cpu-fault':
				step = { op: 'cpu-fault', page: this.map.focused };
				break;
			default:
				step = { op } as ScenarioStep;
		}
		this.scenario.steps.push(step);
		this.changed(true);
		this.setPhase(this.scenario.steps.length);
	}

	private numberField(label: string, value: number | null | undefined, set: (v: number | null) => void, options: { allowEmpty?: boolean; min?: number; tag?: { exists: boolean; span: string; summary: string } } = {}): HTMLElement {
		const id = uid('num');
		const input = h('input', { id, attrs: { type: 'number', min: options.min ?? 0, step: 1, inputmode: 'numeric', placeholder: options.allowEmpty ? 'none' : undefined } });
		input.value = value === null || value === undefined ? '' : String(value);
		input.addEventListener('input', () => {
			const text = input.value.trim();
			if (text === '' && options.allowEmpty) {
				set(null);
			} else {
				const v = Number(text);
				if (text === '' || !Number.isInteger(v) || v < (options.min ?? 0)) {
					input.setAttribute('aria-invalid', 'true');
					return;
				}
				set(v);
			}
			input.removeAttribute('aria-invalid');
			this.changed(false);
		});
		return h('div', { className: 'field-row' }, h('label', { attrs: { for: id } }, label, options.tag ? this.versionTag(options.tag) : null), input);
	}

	private textField(label: string, value: string | null | undefined, set: (v: string | null) => void, tag?: { exists: boolean; span: string; summary: string }, placeholder = 'NULL'): HTMLElement {
		const id = uid('text');
		const input = h('input', { id, attrs: { type: 'text', spellcheck: 'false', placeholder } });
		input.value = value ?? '';
		input.addEventListener('input', () => {
			set(input.value === '' ? null : input.value);
			this.changed(false);
		});
		return h('div', { className: 'field-row' }, h('label', { attrs: { for: id } }, label, tag ? this.versionTag(tag) : null), input);
	}

	private checkField(label: string, value: boolean, set: (v: boolean) => void, tag?: { exists: boolean; span: string; summary: string }, hint?: string): HTMLElement {
		const id = uid('check');
		const box = h('input', { id, attrs: { type: 'checkbox' } });
		box.checked = value;
		box.addEventListener('change', () => {
			set(box.checked);
			this.changed(false);
		});
		return h('label', { className: `check${tag && !tag.exists ? ' unavailable' : ''}`, title: hint ?? tag?.summary, attrs: { for: id } }, box, label, tag ? this.versionTag(tag) : null);
	}

	private versionTag(tag: { exists: boolean; span: string; summary: string }): HTMLElement | null {
		if (!tag.span) {
			return null;
		}
		return h('span', {
			className: `version-tag${tag.exists ? '' : ' missing'}`,
			text: tag.span,
			title: tag.exists ? tag.summary : `Not in Linux ${String(this.scenario.kernel)}: the kernel ignores it. ${tag.summary}`,
		});
	}

	private stepFields(step: ScenarioStep, kernel: ReturnType<typeof kernelOf>): HTMLElement {
		const box = h('div', { className: 'step-fields' });
		switch (step.op) {
			case 'setup': {
				const s = step as SetupStep;
				const flagRow = h('div', { className: 'checks flags', attrs: { role: 'group', 'aria-label': 'MIGRATE_VMA_SELECT flags' } });
				for (const flag of SELECT_FLAGS) {
					const info = nameInfo(`MIGRATE_VMA_SELECT_${flag}`, kernel);
					flagRow.append(this.checkField(flag, !!s.flags?.includes(flag), (on) => {
						const set = new Set(s.flags ?? []);
						if (on) {
							set.add(flag);
						} else {
							set.delete(flag);
						}
						s.flags = SELECT_FLAGS.filter((f) => set.has(f));
					}, info, `MIGRATE_VMA_SELECT_${flag}: ${info.summary}`));
				}
				append(box,
					h('div', { className: 'sub-label', text: 'flags' }),
					flagRow,
					this.textField('pgmap_owner', s.pgmapOwner, (v) => {
						s.pgmapOwner = v;
					}, nameInfo('pgmap_owner', kernel, 'struct migrate_vma')),
					this.textField('src_owner', s.srcOwner, (v) => {
						if (v === null) {
							delete s.srcOwner;
						} else {
							s.srcOwner = v;
						}
					}, nameInfo('src_owner', kernel, 'struct migrate_vma'), 'unset'),
					h('div', { className: 'pair' },
						this.numberField('first', s.first, (v) => {
							s.first = v ?? 0;
						}),
						this.numberField('count', s.count, (v) => {
							s.count = v ?? 0;
						}),
					),
					h('div', { className: 'pair' },
						this.numberField('fault_page', s.faultPage, (v) => {
							s.faultPage = v;
						}, { allowEmpty: true, tag: nameInfo('fault_page', kernel, 'struct migrate_vma') }),
						s.faultPage !== null && s.faultPage !== undefined
							? this.checkField('locked by caller', s.faultPageLocked !== false, (on) => {
								if (on) {
									delete s.faultPageLocked;
								} else {
									s.faultPageLocked = false;
								}
							}, undefined, '6.15+: do_swap_page() holds the fault page locked; untick to see setup reject an unlocked fault_page')
							: null,
					),
					h('div', { className: 'checks args' },
						this.checkField('vma NULL', !!s.vmaNull, (on) => this.toggleKey(s, 'vmaNull', on), undefined, 'Pass a NULL vma (argument check)'),
						this.checkField('src NULL', !!s.srcNull, (on) => this.toggleKey(s, 'srcNull', on), undefined, 'Pass a NULL src array (argument check)'),
						this.checkField('dst NULL', !!s.dstNull, (on) => this.toggleKey(s, 'dstNull', on), undefined, 'Pass a NULL dst array (argument check)'),
					),
				);
				break;
			}
			case 'copy': {
				const c = step as CopyStep;
				const id = uid('copy-to');
				const to = h('select', { id }, ...(['device-private', 'device-coherent', 'system'] as const).map((t) => h('option', { text: t, attrs: { value: t } })));
				to.value = c.to;
				to.addEventListener('change', () => {
					c.to = to.value as CopyStep['to'];
					this.changed(false);
				});
				const skipId = uid('skip');
				const skip = h('input', { id: skipId, attrs: { type: 'text', placeholder: 'e.g. 2, 5–7', spellcheck: 'false' } });
				skip.value = formatRanges(c.skip ?? []);
				skip.addEventListener('input', () => {
					const list = parseIndexList(skip.value);
					if (!list) {
						skip.setAttribute('aria-invalid', 'true');
						return;
					}
					skip.removeAttribute('aria-invalid');
					c.skip = list;
					this.changed(false);
				});
				append(box,
					h('div', { className: 'field-row' }, h('label', { text: 'destination', attrs: { for: id } }), to),
					this.textField('owner', c.owner, (v) => {
						if (v === null) {
							delete c.owner;
						} else {
							c.owner = v;
						}
					}, undefined, 'none'),
					h('div', { className: 'field-row' }, h('label', { text: 'skip pages', attrs: { for: skipId } }), skip),
					this.checkField('PMD-sized destinations', !!c.compound, (on) => this.toggleKey(c, 'compound', on), nameInfo('MIGRATE_PFN_COMPOUND', kernel)),
				);
				break;
			}
			case 'pin': {
				const p = step as PinStep;
				append(box,
					h('div', { className: 'pair' },
						this.numberField('first', p.first, (v) => {
							p.first = v ?? 0;
						}),
						this.numberField('count', p.count, (v) => {
							p.count = v ?? 0;
						}),
					),
					h('div', { className: 'checks' },
						this.checkField('FOLL_LONGTERM', !!p.longterm, (on) => {
							p.longterm = on;
						}),
						this.checkField('FOLL_WRITE', p.write !== false, (on) => {
							if (on) {
								delete p.write;
							} else {
								p.write = false;
							}
						}),
					),
				);
				break;
			}
			case 'unpin': {
				const u = step as UnpinStep;
				append(box, h('div', { className: 'pair' },
					this.numberField('first', u.first, (v) => {
						u.first = v ?? 0;
					}),
					this.numberField('count', u.count, (v) => {
						u.count = v ?? 0;
					}),
				));
				break;
			}
			case 'cpu-fault': {
				const f = step as CpuFaultStep;
				append(box,
					this.numberField('page', f.page, (v) => {
						f.page = v ?? 0;
					}),
					h('div', { className: 'checks' },
						this.checkField('write access', !!f.write, (on) => this.toggleKey(f, 'write', on)),
						this.checkField('handler passes fault_page', f.passFaultPage !== false, (on) => {
							if (on) {
								delete f.passFaultPage;
							} else {
								f.passFaultPage = false;
							}
						}, nameInfo('fault_page', kernel, 'struct migrate_vma')),
					),
				);
				break;
			}
			default:
				append(box, h('p', { className: 'muted small', text: 'No arguments beyond the migrate_vma of the setup.' }));
		}
		return box;
	}

	private toggleKey<T extends object>(target: T, key: keyof T & string, on: boolean): void {
		if (on) {
			(target as Record<string, unknown>)[key] = true;
		} else {
			delete (target as Record<string, unknown>)[key];
		}
	}

	// ---- what-if: vma ---------------------------------------------------------------------------

	private renderVmaEditor(force: boolean): void {
		if (!force && this.vmaEditor.childElementCount) {
			return;
		}
		const vma = (this.scenario.vma ??= {});
		const flag = (key: 'anonymous' | 'shared' | 'read' | 'write' | 'special' | 'hugetlb' | 'dax', label: string, hint: string) =>
			this.checkField(label, !!vma[key], (on) => {
				vma[key] = on;
			}, undefined, hint);
		const countId = uid('vma-pages');
		const count = h('input', { id: countId, attrs: { type: 'number', min: 0, max: MAX_DRAWN_PAGES, step: 1 } });
		count.value = String(this.scenario.pages.length);
		count.addEventListener('change', () => {
			const n = Number(count.value);
			if (!Number.isInteger(n) || n < 0 || n > MAX_DRAWN_PAGES) {
				count.setAttribute('aria-invalid', 'true');
				return;
			}
			count.removeAttribute('aria-invalid');
			const pages = this.scenario.pages;
			while (pages.length < n) {
				pages.push({ state: 'system', writable: true });
			}
			pages.length = n;
			this.changed(true);
		});
		replaceChildren(this.vmaEditor,
			h('h2', { id: 'vma-heading', text: 'VMA' }),
			h('div', { className: 'checks' },
				flag('anonymous', 'anonymous', 'An anonymous mapping (with shared: MAP_SHARED|MAP_ANONYMOUS, which is shmem)'),
				flag('shared', 'shared', 'MAP_SHARED'),
				flag('read', 'VM_READ', 'Readable'),
				flag('write', 'VM_WRITE', 'Writable: new pages in holes are mapped writable'),
				flag('special', 'VM_SPECIAL', 'VM_IO / VM_PFNMAP / VM_MIXEDMAP / VM_DONTEXPAND: setup returns -EINVAL'),
				flag('hugetlb', 'hugetlb', 'A hugetlbfs vma: setup returns -EINVAL'),
				flag('dax', 'DAX', 'A DAX vma: setup returns -EINVAL'),
			),
			h('div', { className: 'field-row' }, h('label', { text: 'pages in the vma', attrs: { for: countId } }), count),
		);
	}

	// ---- timeline --------------------------------------------------------------------------------

	private renderTimeline(): void {
		const verdicts = notifierVerdicts(this.view);
		const phase = this.view.phases[this.phase];
		const drivers = this.view.drivers;
		const head = h('div', { className: 'section-head' },
			h('h2', { id: 'timeline-heading', text: 'MMU notifier invalidations' }),
			drivers.length ? h('span', { className: 'drivers' },
				h('span', { className: 'muted', text: 'mirrors: ' }),
				...drivers.map((d) => h('span', { className: `driver-chip${d === this.view.ownOwner ? ' own' : ''}`, text: d === this.view.ownOwner ? `${d} (migrating)` : d })),
			) : null,
		);
		if (!verdicts.length) {
			replaceChildren(this.timeline, head, h('p', { className: 'muted empty', text: this.view.result.errors.length ? 'Nothing simulated.' : 'No step raises an invalidation.' }));
			return;
		}
		const list = h('ol', { className: 'tl-list' });
		for (const v of verdicts) {
			const n = v.notification;
			const stepIndex = typeof n.step === 'number' ? n.step : -1;
			const raisedBy = this.view.phases[stepIndex + 1];
			const state = stepIndex + 1 === this.phase ? 'current' : stepIndex + 1 > this.phase ? 'future' : 'past';
			const verdictNodes: HTMLElement[] = [];
			if (v.ignoredBy) {
				verdictNodes.push(h('span', { className: 'tl-skip', text: `✓ ${v.ignoredBy} skips it (own)` }));
			}
			for (const d of v.invalidate) {
				verdictNodes.push(h('span', { className: 'tl-inval', text: `↯ ${d} invalidates` }));
			}
			if (!v.ignoredBy && n.event === 'MMU_NOTIFY_MIGRATE') {
				verdictNodes.push(h('span', { className: 'tl-warn', text: 'no owner: nobody can filter it' }));
			}
			const item = h('li', { className: `tl-item ${state}`, attrs: { 'aria-current': state === 'current' ? 'step' : undefined } },
				h('button', {
					className: 'tl-step',
					text: raisedBy ? `${raisedBy.index} · ${raisedBy.title}` : 'step ?',
					title: 'Show this phase and select the invalidated range',
					on: { click: () => {
						if (raisedBy) {
							this.setPhase(raisedBy.index);
						}
						this.map.selectRange(n.first, n.count);
					} },
				}),
				h('code', { className: 'tl-event', text: n.event }),
				h('span', { className: 'tl-owner' }, h('span', { className: 'muted', text: 'owner ' }), h('strong', { text: n.owner ?? 'NULL' })),
				h('span', { className: 'tl-range', text: rangeText(n.first, n.count) }),
				h('div', { className: 'tl-verdicts' }, ...verdictNodes),
				h('p', { className: 'tl-explain', text: v.explanation }),
			);
			list.append(item);
		}
		replaceChildren(this.timeline, head, list);
		void phase;
	}

	private renderPerf(): void {
		const n = this.scenario.pages.length;
		this.perf.textContent = `${n.toLocaleString('en-US')} pages · simulated in ${this.timings.simulate.toFixed(1)} ms · drawn in ${this.map.lastPaintMs.toFixed(1)} ms`;
	}
}
