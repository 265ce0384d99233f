/*
 * The page map: one cell per page on a canvas (thousands of pages stay cheap), with keyboard
 * navigation, range selection and a hover card. Screen readers get the focused page through a
 * live region and the details pane; the canvas itself is a single focusable control.
 */

import type { Cell, CellMark } from './model.ts';
import { css, luminance, pageLook, readPalette, type PageLook, type Palette, type Rgba } from './theme.ts';
import { h } from './dom.ts';

/** Room around the cells for the focus ring. */
const PAD = 6;

/** The largest cell, for short ranges. */
const MAX_CELL = 52;

const POSITIVE: ReadonlySet<CellMark> = new Set<CellMark>(['selected', 'empty-slot', 'in-unit', 'filled', 'migrated', 'moved', 'pinned', 'pin-migrated', 'fault', 'unpinned']);
const NEGATIVE: ReadonlySet<CellMark> = new Set<CellMark>(['not-selected', 'skipped', 'failed', 'restored', 'pin-failed', 'fault-failed']);
/** Dimmed without a verdict glyph: the step did not concern these pages. */
const QUIET: ReadonlySet<CellMark> = new Set<CellMark>(['untouched']);

export function isPositive(mark: CellMark): boolean {
	return POSITIVE.has(mark);
}

export function isNegative(mark: CellMark): boolean {
	return NEGATIVE.has(mark);
}

export interface PageMapEvents {
	/** The focused page changed (keyboard or mouse). */
	focus(index: number): void;
	/** The selection changed. */
	select(selection: ReadonlySet<number>): void;
	/** Enter / Shift+Enter: step forward or back. */
	step(delta: number): void;
	/** Hover card text for a page. */
	describe(index: number): { title: string; lines: string[] };
}

interface Layout {
	cols: number;
	rows: number;
	size: number;
	gap: number;
	gutter: number;
	width: number;
	height: number;
}

export interface CellPaint {
	look: PageLook;
	alpha: number;
	mark: CellMark;
	pinned: boolean;
	locked: boolean;
	pmd: boolean;
	emptySlot: boolean;
	/** Behind a migration entry (setup ran, finalize not yet). */
	migrating: boolean;
	/** Drawn in large cells: the page index and the owner of a device page. */
	index?: number;
	owner?: string;
}

/** Paints one cell; shared by the map and the legend swatches. */
export function paintCell(ctx: CanvasRenderingContext2D, x: number, y: number, s: number, paint: CellPaint, palette: Palette): void {
	const { look } = paint;
	ctx.save();
	ctx.globalAlpha = paint.alpha;
	const radius = s >= 12 ? 2 : 0;
	if (look.fill) {
		ctx.fillStyle = css(look.fill);
		roundRect(ctx, x, y, s, s, radius);
		ctx.fill();
		if (look.hatch && s >= 6) {
			ctx.save();
			roundRect(ctx, x, y, s, s, radius);
			ctx.clip();
			ctx.strokeStyle = css(luminance(look.fill) > 0.35 ? [0, 0, 0, 1] : [255, 255, 255, 1], 0.38);
			ctx.lineWidth = Math.max(1, s / 12);
			const step = Math.max(3, Math.round(s / 4));
			ctx.beginPath();
			for (let d = -s; d < s; d += step) {
				ctx.moveTo(x + d, y + s);
				ctx.lineTo(x + d + s, y);
			}
			ctx.stroke();
			ctx.restore();
		}
		if (palette.highContrast && palette.contrastBorder) {
			ctx.strokeStyle = css(palette.contrastBorder);
			ctx.lineWidth = 1;
			ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
		}
	} else {
		// A hole: an outline only, dashed when there is room.
		ctx.strokeStyle = css(paint.emptySlot ? palette.ok : palette.hole);
		ctx.lineWidth = paint.emptySlot ? Math.max(1.5, s / 14) : 1;
		if (s >= 8) {
			ctx.setLineDash([Math.max(2, s / 6), Math.max(2, s / 8)]);
		}
		ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
		ctx.setLineDash([]);
	}
	if (s >= 18 && look.glyph) {
		const onFill = look.fill ?? palette.bg;
		const ink = luminance(onFill) > 0.4 ? 'rgba(0,0,0,0.78)' : 'rgba(255,255,255,0.92)';
		const big = s >= 44;
		ctx.fillStyle = ink;
		ctx.font = `600 ${Math.round(s * (big ? 0.34 : 0.42))}px ${palette.fontFamily}`;
		ctx.textAlign = 'center';
		ctx.textBaseline = 'middle';
		ctx.fillText(look.glyph, x + s / 2, y + s * (big && paint.owner ? 0.44 : 0.5) + 0.5);
		if (big && paint.owner) {
			ctx.font = `500 10px ${palette.fontFamily}`;
			ctx.textAlign = 'left';
			ctx.textBaseline = 'alphabetic';
			const text = paint.owner.length > 6 ? `${paint.owner.slice(0, 5)}…` : paint.owner;
			ctx.fillText(text, x + 4, y + s - 5, s - 22);
		}
	}
	if (s >= 44 && paint.index !== undefined) {
		const onFill = look.fill ?? palette.bg;
		ctx.fillStyle = luminance(onFill) > 0.4 ? 'rgba(0,0,0,0.55)' : 'rgba(255,255,255,0.7)';
		if (!look.fill) {
			ctx.fillStyle = css(palette.muted);
		}
		ctx.font = `9px ${palette.fontFamily}`;
		ctx.textAlign = 'right';
		ctx.textBaseline = 'top';
		ctx.fillText(String(paint.index), x + s - 4, y + 3);
	}
	if (paint.migrating && s >= 6) {
		// A migration entry: the PTE no longer maps the page; drawn as an inset dashed frame.
		const inset = Math.max(1.5, s * 0.18);
		ctx.strokeStyle = css(palette.bg, 0.8);
		ctx.lineWidth = Math.max(1, s / 18);
		if (s >= 10) {
			ctx.setLineDash([Math.max(2, s / 7), Math.max(1.5, s / 10)]);
		}
		ctx.strokeRect(x + inset, y + inset, s - 2 * inset, s - 2 * inset);
		ctx.setLineDash([]);
	}
	if (paint.pmd) {
		const t = Math.max(3, Math.round(s * 0.38));
		ctx.fillStyle = css(palette.fg);
		ctx.beginPath();
		ctx.moveTo(x, y);
		ctx.lineTo(x + t, y);
		ctx.lineTo(x, y + t);
		ctx.closePath();
		ctx.fill();
	}
	ctx.globalAlpha = Math.max(paint.alpha, 0.75);
	if (paint.pinned) {
		const r = Math.max(1.5, s * 0.15);
		ctx.beginPath();
		ctx.arc(x + s - r - Math.max(1, s * 0.06), y + r + Math.max(1, s * 0.06), r, 0, Math.PI * 2);
		ctx.fillStyle = css(palette.pin);
		ctx.fill();
		if (s >= 10) {
			ctx.lineWidth = 1;
			ctx.strokeStyle = css(palette.bg);
			ctx.stroke();
		}
	}
	if (paint.locked && s >= 8) {
		const w = Math.max(3, Math.round(s * 0.3));
		const hh = Math.max(2, Math.round(s * 0.14));
		ctx.fillStyle = css(palette.fg);
		ctx.fillRect(x + Math.max(1, s * 0.08), y + s - hh - Math.max(1, s * 0.08), w, hh);
	}
	ctx.restore();
	if (s >= 20 && paint.mark !== 'none') {
		drawMarkGlyph(ctx, x, y, s, paint.mark, palette);
	}
}

function drawMarkGlyph(ctx: CanvasRenderingContext2D, x: number, y: number, s: number, mark: CellMark, palette: Palette): void {
	const positive = POSITIVE.has(mark);
	if (!positive && !NEGATIVE.has(mark)) {
		return;
	}
	const r = Math.max(4, s * 0.2);
	const cx = x + s - r + 1;
	const cy = y + s - r + 1;
	ctx.save();
	ctx.beginPath();
	ctx.arc(cx, cy, r, 0, Math.PI * 2);
	ctx.fillStyle = css(positive ? palette.ok : palette.bad);
	ctx.fill();
	ctx.lineWidth = 1;
	ctx.strokeStyle = css(palette.bg);
	ctx.stroke();
	ctx.strokeStyle = 'rgba(255,255,255,0.95)';
	ctx.lineWidth = Math.max(1.2, r / 3.2);
	ctx.lineCap = 'round';
	ctx.beginPath();
	if (positive) {
		ctx.moveTo(cx - r * 0.45, cy + r * 0.02);
		ctx.lineTo(cx - r * 0.1, cy + r * 0.38);
		ctx.lineTo(cx + r * 0.48, cy - r * 0.35);
	} else {
		const k = r * 0.38;
		ctx.moveTo(cx - k, cy - k);
		ctx.lineTo(cx + k, cy + k);
		ctx.moveTo(cx + k, cy - k);
		ctx.lineTo(cx - k, cy + k);
	}
	ctx.stroke();
	ctx.restore();
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, hgt: number, r: number): void {
	ctx.beginPath();
	if (r > 0 && typeof ctx.roundRect === 'function') {
		ctx.roundRect(x, y, w, hgt, r);
	} else {
		ctx.rect(x, y, w, hgt);
	}
}

export class PageMap {
	readonly element: HTMLElement;
	private readonly scroller: HTMLElement;
	private readonly canvas: HTMLCanvasElement;
	private readonly card: HTMLElement;
	private readonly live: HTMLElement;
	private cells: Cell[] = [];
	private ownOwner: string | null = null;
	private showMarks = false;
	private palette: Palette | undefined;
	private layout: Layout = { cols: 1, rows: 0, size: 20, gap: 2, gutter: 0, width: 0, height: 0 };
	private focusIndex = 0;
	private anchor = 0;
	private selection = new Set<number>();
	private hoverIndex = -1;
	private frame = 0;
	/** Duration of the last paint, in ms. */
	lastPaintMs = 0;

	constructor(private readonly events: PageMapEvents, labelId: string, describedBy: string) {
		this.canvas = h('canvas', { className: 'page-canvas', attrs: { 'aria-hidden': 'true' } });
		this.card = h('div', { className: 'hover-card', attrs: { 'role': 'tooltip', 'hidden': true } });
		this.live = h('div', { className: 'visually-hidden', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
		this.scroller = h('div', {
			className: 'page-map',
			attrs: {
				'tabindex': 0,
				'role': 'application',
				'aria-roledescription': 'page map',
				'aria-labelledby': labelId,
				'aria-describedby': describedBy,
			},
		}, this.canvas);
		this.element = h('div', { className: 'page-map-frame' }, this.scroller, this.card, this.live);
		this.scroller.addEventListener('keydown', (e) => this.onKey(e));
		this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
		this.canvas.addEventListener('mouseleave', () => this.hideCard());
		this.canvas.addEventListener('mousedown', (e) => this.onDown(e));
		this.scroller.addEventListener('focus', () => {
			this.scheduleDraw();
			this.announce();
		});
		this.scroller.addEventListener('blur', () => this.scheduleDraw());
		if (typeof ResizeObserver === 'function') {
			new ResizeObserver(() => this.relayout()).observe(this.element);
		}
	}

	get focused(): number {
		return this.focusIndex;
	}

	get selected(): ReadonlySet<number> {
		return this.selection;
	}

	/** The pages edits apply to: the selection, or the focused page. */
	targets(): number[] {
		if (this.selection.size > 0) {
			return [...this.selection].sort((a, b) => a - b);
		}
		return this.cells.length ? [this.focusIndex] : [];
	}

	/** A cell's box in CSS pixels relative to the canvas (for tests and tooling). */
	cellBox(index: number): { x: number; y: number; size: number } {
		const { cols, size, gap, gutter } = this.layout;
		return { x: PAD + gutter + (index % cols) * (size + gap), y: PAD + Math.floor(index / cols) * (size + gap), size };
	}

	get columns(): number {
		return this.layout.cols;
	}

	setCells(cells: Cell[], ownOwner: string | null, showMarks: boolean): void {
		const relayout = cells.length !== this.cells.length;
		this.cells = cells;
		this.ownOwner = ownOwner;
		this.showMarks = showMarks;
		if (this.focusIndex >= cells.length) {
			this.focusIndex = Math.max(0, cells.length - 1);
		}
		for (const i of [...this.selection]) {
			if (i >= cells.length) {
				this.selection.delete(i);
			}
		}
		if (relayout) {
			this.relayout();
		}
		this.draw();
		this.scroller.setAttribute('aria-label', `Page map, ${cells.length} page${cells.length === 1 ? '' : 's'}. Arrow keys move between pages, Shift with arrows selects, Enter steps to the next phase, Shift+Enter back.`);
	}

	setFocus(index: number, options: { extend?: boolean; announce?: boolean; keepSelection?: boolean } = {}): void {
		if (!this.cells.length) {
			return;
		}
		const next = Math.max(0, Math.min(this.cells.length - 1, index));
		if (options.extend) {
			this.selection = new Set(rangeBetween(this.anchor, next));
		} else {
			this.anchor = next;
			if (!options.keepSelection && this.selection.size) {
				this.selection.clear();
				this.events.select(this.selection);
			}
		}
		this.focusIndex = next;
		if (options.extend) {
			this.events.select(this.selection);
		}
		this.scrollIntoView(next);
		this.scheduleDraw();
		this.events.focus(next);
		if (options.announce !== false) {
			this.announce();
		}
	}

	/** Selects [first, first+count) and focuses its first page. */
	selectRange(first: number, count: number): void {
		if (!this.cells.length || count <= 0) {
			return;
		}
		const last = Math.min(this.cells.length - 1, first + count - 1);
		this.anchor = Math.max(0, first);
		this.focusIndex = this.anchor;
		this.selection = new Set(rangeBetween(this.anchor, last));
		this.events.select(this.selection);
		this.events.focus(this.focusIndex);
		this.scrollIntoView(this.focusIndex);
		this.scheduleDraw();
	}

	clearSelection(): void {
		if (this.selection.size) {
			this.selection.clear();
			this.events.select(this.selection);
			this.scheduleDraw();
		}
	}

	focusMap(): void {
		this.scroller.focus();
	}

	/** The colours in use (read from the theme on first paint). */
	get colors(): Palette {
		this.palette ??= readPalette();
		return this.palette;
	}

	/** Re-reads the theme colours (call when VS Code changes theme). */
	refreshTheme(): void {
		this.palette = undefined;
		this.draw();
	}

	private announce(): void {
		const cell = this.cells[this.focusIndex];
		this.live.textContent = cell ? cell.label : '';
	}

	private scrollIntoView(index: number): void {
		const { cols, size, gap } = this.layout;
		const row = Math.floor(index / Math.max(1, cols));
		const top = row * (size + gap);
		const bottom = top + size + gap + 2 * PAD;
		if (top < this.scroller.scrollTop) {
			this.scroller.scrollTop = top;
		} else if (bottom > this.scroller.scrollTop + this.scroller.clientHeight) {
			this.scroller.scrollTop = bottom - this.scroller.clientHeight;
		}
	}

	private relayout(): void {
		const n = this.cells.length;
		const width = Math.max(120, this.element.clientWidth || 600);
		const maxHeight = Math.max(160, Math.round((window.innerHeight || 800) * 0.46) - 8);
		const candidates: number[] = [];
		for (let c = 1; c <= 512; c *= 2) {
			candidates.push(c);
		}
		const layouts: Layout[] = [];
		for (const colsRaw of candidates) {
			const cols = Math.min(colsRaw, Math.max(1, n));
			const rows = Math.ceil(n / cols);
			const gutter = rows > 1 ? 10 + 7 * String(Math.max(0, (rows - 1) * cols)).length : 0;
			const rough = Math.floor((width - 2 * PAD - gutter - 4 - 2 * (cols - 1)) / cols);
			const gap = rough >= 14 ? 3 : rough >= 8 ? 2 : 1;
			const size = Math.min(MAX_CELL, Math.floor((width - 2 * PAD - gutter - 4 - gap * (cols - 1)) / cols));
			if (size < 4) {
				break;
			}
			layouts.push({ cols, rows, size, gap, gutter, width: 2 * PAD + gutter + cols * (size + gap), height: 2 * PAD + Math.max(rows * (size + gap), size) });
			if (colsRaw >= n) {
				break;
			}
		}
		const fitting = layouts.filter((l) => l.height <= maxHeight);
		const pool = fitting.length ? fitting : layouts;
		const best = pool.reduce<Layout | undefined>((acc, l) => {
			if (!acc) {
				return l;
			}
			if (fitting.length) {
				// Cells within 12% of each other count as the same size: then fewer rows win.
				const similar = Math.abs(l.size - acc.size) <= 0.12 * Math.max(l.size, acc.size);
				return similar ? (l.rows < acc.rows ? l : acc) : l.size > acc.size ? l : acc;
			}
			return l.height < acc.height ? l : acc;
		}, undefined);
		this.layout = best ?? { cols: 1, rows: n, size: 16, gap: 2, gutter: 0, width: 20, height: n * 18 };
		const dpr = window.devicePixelRatio || 1;
		this.canvas.width = Math.ceil(this.layout.width * dpr);
		this.canvas.height = Math.ceil(Math.max(this.layout.height, 1) * dpr);
		this.canvas.style.width = `${this.layout.width}px`;
		this.canvas.style.height = `${Math.max(this.layout.height, 1)}px`;
		this.draw();
	}

	private scheduleDraw(): void {
		if (this.frame) {
			return;
		}
		this.frame = requestAnimationFrame(() => {
			this.frame = 0;
			this.draw();
		});
	}

	/** Paints everything now (synchronously). */
	draw(): void {
		const started = performance.now();
		const ctx = this.canvas.getContext('2d');
		if (!ctx) {
			return;
		}
		this.palette ??= readPalette();
		const palette = this.palette;
		const dpr = window.devicePixelRatio || 1;
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
		const { cols, size, gap, gutter } = this.layout;
		const pitch = size + gap;
		// Row labels: the first page of each row; PMD (512-page) boundaries in full colour.
		if (gutter > 0) {
			ctx.font = `11px ${palette.fontFamily}`;
			ctx.textAlign = 'right';
			ctx.textBaseline = 'middle';
			const large = this.cells.length > 512 && cols < 512;
			let lastY = -Infinity;
			for (let row = 0; row * cols < this.cells.length; row++) {
				const first = row * cols;
				const pmdStart = large && first % 512 === 0;
				const y = PAD + row * pitch + size / 2;
				// Small cells: label PMD (512-page) boundaries only; otherwise every row with room.
				if ((size < 10 && large && !pmdStart) || y - lastY < 13) {
					continue;
				}
				lastY = y;
				ctx.fillStyle = css(pmdStart ? palette.fg : palette.muted);
				ctx.fillText(String(first), PAD + gutter - 6, y);
			}
		}
		if (size < 12) {
			this.drawSmall(ctx, palette);
		} else for (const cell of this.cells) {
			const col = cell.index % cols;
			const row = Math.floor(cell.index / cols);
			const x = PAD + gutter + col * pitch;
			const y = PAD + row * pitch;
			const mark = this.showMarks ? cell.mark : 'none';
			let alpha = 1;
			if (this.showMarks) {
				if (!cell.inRange) {
					alpha = 0.3;
				} else if (NEGATIVE.has(mark) || QUIET.has(mark)) {
					alpha = 0.45;
				}
			}
			paintCell(ctx, x, y, size, {
				look: pageLook(cell.page, this.ownOwner, palette),
				alpha,
				mark,
				pinned: !!cell.page.pinned,
				locked: !!cell.page.locked,
				pmd: !!cell.page.pmd,
				emptySlot: mark === 'empty-slot',
				migrating: !!cell.page.migrating,
				index: cell.index,
				owner: cell.page.state === 'device-private' || cell.page.state === 'device-coherent' ? cell.page.owner : undefined,
			}, palette);
		}
		// PMD boundaries in a large map: a thin rule above each 512-page block.
		if (this.cells.length > 512 && cols < 512 && 512 % cols === 0) {
			ctx.fillStyle = css(palette.muted, 0.6);
			for (let first = 512; first < this.cells.length; first += 512) {
				const y = PAD + (first / cols) * pitch - gap / 2 - 0.5;
				ctx.fillRect(PAD + gutter, y, cols * pitch - gap, 1);
			}
		}
		for (const i of this.selection) {
			this.outline(ctx, i, palette.selection, 0.9, this.layout.size >= 10 ? 2 : 1, true, 0);
		}
		if (this.hoverIndex >= 0 && this.hoverIndex < this.cells.length) {
			this.outline(ctx, this.hoverIndex, palette.fg, 0.6, 1, false, 1);
		}
		if (this.cells.length) {
			const focused = document.activeElement === this.scroller;
			// A ring in the background colour under the focus ring keeps it visible on any fill.
			const big = this.layout.size >= 10;
			this.outline(ctx, this.focusIndex, palette.bg, 1, big ? 2 : 1, false, 0);
			this.outline(ctx, this.focusIndex, palette.focus, focused ? 1 : 0.7, focused ? 2.5 : 1.5, false, big ? 2 : 1);
		}
		this.lastPaintMs = performance.now() - started;
	}

	/**
	 * Small cells (large ranges): one path per fill colour and opacity, then the few markers.
	 * Thousands of cells paint in a few milliseconds this way.
	 */
	private drawSmall(ctx: CanvasRenderingContext2D, palette: Palette): void {
		const { cols, size, gap, gutter } = this.layout;
		const pitch = size + gap;
		const batches = new Map<string, number[]>();
		const holes: number[] = [];
		const extras: Cell[] = [];
		for (const cell of this.cells) {
			const mark = this.showMarks ? cell.mark : 'none';
			let alpha = 1;
			if (this.showMarks) {
				if (!cell.inRange) {
					alpha = 0.3;
				} else if (NEGATIVE.has(mark) || QUIET.has(mark)) {
					alpha = 0.45;
				}
			}
			const look = pageLook(cell.page, this.ownOwner, palette);
			if (!look.fill) {
				holes.push(cell.index, alpha, mark === 'empty-slot' ? 1 : 0);
			} else {
				const key = css(look.fill, alpha);
				let list = batches.get(key);
				if (!list) {
					list = [];
					batches.set(key, list);
				}
				list.push(cell.index);
			}
			if (cell.page.pinned || cell.page.pmd || cell.page.migrating || (look.hatch && size >= 6)) {
				extras.push(cell);
			}
		}
		for (const [style, list] of batches) {
			ctx.fillStyle = style;
			ctx.beginPath();
			for (const i of list) {
				ctx.rect(PAD + gutter + (i % cols) * pitch, PAD + Math.floor(i / cols) * pitch, size, size);
			}
			ctx.fill();
		}
		ctx.lineWidth = 1;
		for (let k = 0; k < holes.length; k += 3) {
			const i = holes[k];
			ctx.strokeStyle = css(holes[k + 2] ? palette.ok : palette.hole, holes[k + 1]);
			ctx.strokeRect(PAD + gutter + (i % cols) * pitch + 0.5, PAD + Math.floor(i / cols) * pitch + 0.5, size - 1, size - 1);
		}
		for (const cell of extras) {
			const x = PAD + gutter + (cell.index % cols) * pitch;
			const y = PAD + Math.floor(cell.index / cols) * pitch;
			const alpha = this.showMarks && !cell.inRange ? 0.3 : 1;
			const look = pageLook(cell.page, this.ownOwner, palette);
			if (look.hatch && look.fill && size >= 6) {
				ctx.strokeStyle = css(luminance(look.fill) > 0.35 ? [0, 0, 0, 1] : [255, 255, 255, 1], 0.45 * alpha);
				ctx.beginPath();
				ctx.moveTo(x, y + size);
				ctx.lineTo(x + size, y);
				ctx.stroke();
			}
			if (cell.page.pinned) {
				ctx.fillStyle = css(palette.pin, alpha);
				ctx.fillRect(x + size / 2, y, Math.ceil(size / 2), Math.ceil(size / 2));
			}
			if (cell.page.pmd) {
				ctx.fillStyle = css(palette.fg, alpha);
				ctx.fillRect(x, y, Math.max(2, Math.floor(size / 2)), Math.max(2, Math.floor(size / 2)));
			}
			if (cell.page.migrating && size >= 6) {
				ctx.fillStyle = css(palette.bg, 0.9);
				ctx.fillRect(x + size / 2 - 1, y + size / 2 - 1, 2, 2);
			}
		}
	}

	/** Strokes a ring of `width` around a cell, `offset` px outside its edge. */
	private outline(ctx: CanvasRenderingContext2D, index: number, color: Rgba, alpha: number, width: number, fill: boolean, offset = 0.5): void {
		const { cols, size, gap, gutter } = this.layout;
		const pitch = size + gap;
		const x = PAD + gutter + (index % cols) * pitch;
		const y = PAD + Math.floor(index / cols) * pitch;
		if (fill) {
			ctx.fillStyle = css(color, 0.35);
			ctx.fillRect(x, y, size, size);
		}
		ctx.strokeStyle = css(color, alpha);
		ctx.lineWidth = width;
		const o = offset + width / 2;
		ctx.strokeRect(x - o, y - o, size + 2 * o, size + 2 * o);
	}

	private hit(event: MouseEvent): number {
		const rect = this.canvas.getBoundingClientRect();
		const x = event.clientX - rect.left - PAD - this.layout.gutter;
		const y = event.clientY - rect.top - PAD;
		const pitch = this.layout.size + this.layout.gap;
		if (x < 0 || y < 0) {
			return -1;
		}
		const col = Math.floor(x / pitch);
		const row = Math.floor(y / pitch);
		if (col >= this.layout.cols) {
			return -1;
		}
		const index = row * this.layout.cols + col;
		return index < this.cells.length ? index : -1;
	}

	private onMove(event: MouseEvent): void {
		const index = this.hit(event);
		if (index !== this.hoverIndex) {
			this.hoverIndex = index;
			this.scheduleDraw();
		}
		if (index < 0) {
			this.hideCard();
			return;
		}
		const { title, lines } = this.events.describe(index);
		this.card.replaceChildren(h('div', { className: 'hover-title', text: title }), ...lines.map((line) => h('div', { className: 'hover-line', text: line })));
		this.card.hidden = false;
		const frame = this.element.getBoundingClientRect();
		const cardWidth = this.card.offsetWidth || 280;
		let left = event.clientX - frame.left + 14;
		if (left + cardWidth > frame.width) {
			left = Math.max(0, event.clientX - frame.left - cardWidth - 14);
		}
		this.card.style.left = `${left}px`;
		this.card.style.top = `${event.clientY - frame.top + 16}px`;
	}

	private hideCard(): void {
		this.card.hidden = true;
		if (this.hoverIndex !== -1) {
			this.hoverIndex = -1;
			this.scheduleDraw();
		}
	}

	private onDown(event: MouseEvent): void {
		const index = this.hit(event);
		if (index < 0) {
			return;
		}
		event.preventDefault();
		this.scroller.focus();
		if (event.shiftKey) {
			this.setFocus(index, { extend: true });
		} else if (event.ctrlKey || event.metaKey) {
			if (this.selection.size === 0 && this.focusIndex !== index) {
				this.selection.add(this.focusIndex);
			}
			if (this.selection.has(index)) {
				this.selection.delete(index);
			} else {
				this.selection.add(index);
			}
			this.anchor = index;
			this.events.select(this.selection);
			this.setFocus(index, { keepSelection: true });
		} else {
			this.setFocus(index);
		}
	}

	private onKey(event: KeyboardEvent): void {
		const cols = this.layout.cols;
		const n = this.cells.length;
		let target: number | undefined;
		switch (event.key) {
			case 'ArrowRight':
				target = this.focusIndex + 1;
				break;
			case 'ArrowLeft':
				target = this.focusIndex - 1;
				break;
			case 'ArrowDown':
				target = this.focusIndex + cols;
				break;
			case 'ArrowUp':
				target = this.focusIndex - cols;
				break;
			case 'Home':
				target = event.ctrlKey || event.metaKey ? 0 : this.focusIndex - (this.focusIndex % cols);
				break;
			case 'End':
				target = event.ctrlKey || event.metaKey ? n - 1 : Math.min(n - 1, this.focusIndex - (this.focusIndex % cols) + cols - 1);
				break;
			case 'PageDown':
				target = this.focusIndex + cols * Math.max(1, Math.floor(this.scroller.clientHeight / (this.layout.size + this.layout.gap)) - 1);
				break;
			case 'PageUp':
				target = this.focusIndex - cols * Math.max(1, Math.floor(this.scroller.clientHeight / (this.layout.size + this.layout.gap)) - 1);
				break;
			case 'Enter':
				event.preventDefault();
				this.events.step(event.shiftKey ? -1 : 1);
				return;
			case ' ':
				event.preventDefault();
				if (this.selection.has(this.focusIndex)) {
					this.selection.delete(this.focusIndex);
				} else {
					this.selection.add(this.focusIndex);
				}
				this.anchor = this.focusIndex;
				this.events.select(this.selection);
				this.scheduleDraw();
				return;
			case 'Escape':
				if (this.selection.size) {
					event.preventDefault();
					this.clearSelection();
				}
				return;
			case 'a':
				if (event.ctrlKey || event.metaKey) {
					event.preventDefault();
					this.selectRange(0, n);
				}
				return;
			default:
				return;
		}
		event.preventDefault();
		if (n === 0) {
			return;
		}
		const clamped = Math.max(0, Math.min(n - 1, target));
		this.setFocus(clamped, { extend: event.shiftKey });
	}
}

function rangeBetween(a: number, b: number): number[] {
	const lo = Math.min(a, b);
	const hi = Math.max(a, b);
	const out: number[] = [];
	for (let i = lo; i <= hi; i++) {
		out.push(i);
	}
	return out;
}
