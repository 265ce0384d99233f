/*
 * Colours for the canvas, read from the CSS custom properties in simulator.css (which follow
 * VS Code's --vscode-* variables and fall back to sensible defaults). Re-read on theme change.
 */

import type { FinalPage } from '../../server/src/core/model/scenario.ts';

export type Rgba = [number, number, number, number];

export interface Palette {
	fg: Rgba;
	bg: Rgba;
	muted: Rgba;
	focus: Rgba;
	selection: Rgba;
	ok: Rgba;
	bad: Rgba;
	pin: Rgba;
	system: Rgba;
	file: Rgba;
	zero: Rgba;
	swap: Rgba;
	hole: Rgba;
	dpOwn: Rgba;
	dpForeign: Rgba;
	dcOwn: Rgba;
	dcForeign: Rgba;
	contrastBorder: Rgba | null;
	highContrast: boolean;
	dark: boolean;
	fontFamily: string;
}

let probe: HTMLElement | undefined;

/** Resolves any CSS colour (including var() and color-mix()) to RGBA via a probe element. */
export function resolveColor(css: string, fallback: Rgba): Rgba {
	if (!css.trim()) {
		return fallback;
	}
	if (!probe) {
		probe = document.createElement('span');
		probe.className = 'color-probe';
		probe.setAttribute('aria-hidden', 'true');
		document.body.appendChild(probe);
	}
	probe.style.color = '';
	probe.style.color = css;
	if (!probe.style.color) {
		return fallback;
	}
	return parseComputedColor(getComputedStyle(probe).color) ?? fallback;
}

/** Parses `rgb(…)`, `rgba(…)` and `color(srgb …)` as browsers report computed colours. */
export function parseComputedColor(text: string): Rgba | undefined {
	let m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(text.trim());
	if (m) {
		const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number(m[4].slice(0, -1)) / 100 : Number(m[4]);
		return [Number(m[1]), Number(m[2]), Number(m[3]), a];
	}
	m = /^color\(srgb\s+([\d.e-]+)\s+([\d.e-]+)\s+([\d.e-]+)(?:\s*\/\s*([\d.]+%?))?\s*\)$/i.exec(text.trim());
	if (m) {
		const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number(m[4].slice(0, -1)) / 100 : Number(m[4]);
		return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255, a];
	}
	return undefined;
}

export function mix(a: Rgba, b: Rgba, t: number): Rgba {
	return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t, a[3] + (b[3] - a[3]) * t];
}

/** Composites a (with its alpha) over an opaque b. */
export function flatten(a: Rgba, b: Rgba): Rgba {
	return [a[0] * a[3] + b[0] * (1 - a[3]), a[1] * a[3] + b[1] * (1 - a[3]), a[2] * a[3] + b[2] * (1 - a[3]), 1];
}

export function css(c: Rgba, alpha = 1): string {
	return `rgba(${Math.round(c[0])}, ${Math.round(c[1])}, ${Math.round(c[2])}, ${+(c[3] * alpha).toFixed(3)})`;
}

/** Relative luminance (sRGB), for picking a legible glyph colour on a cell. */
export function luminance(c: Rgba): number {
	const lin = (v: number) => {
		const s = v / 255;
		return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
	};
	return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

function token(style: CSSStyleDeclaration, name: string, fallback: Rgba): Rgba {
	return resolveColor(style.getPropertyValue(name), fallback);
}

export function readPalette(): Palette {
	const style = getComputedStyle(document.documentElement);
	const bodyClass = document.body.classList;
	const highContrast = bodyClass.contains('vscode-high-contrast') || bodyClass.contains('vscode-high-contrast-light');
	const bg = flatten(token(style, '--ml-bg', [255, 255, 255, 1]), [255, 255, 255, 1]);
	const fg = token(style, '--ml-fg', [59, 59, 59, 1]);
	const dark = luminance(bg) < 0.3;
	const contrastRaw = style.getPropertyValue('--vscode-contrastBorder').trim();
	return {
		fg,
		bg,
		dark,
		highContrast,
		muted: token(style, '--ml-muted', [113, 113, 113, 1]),
		focus: token(style, '--ml-focus', [0, 95, 184, 1]),
		selection: token(style, '--ml-selection', [173, 214, 255, 1]),
		ok: token(style, '--ml-ok', [56, 138, 52, 1]),
		bad: token(style, '--ml-bad', [229, 20, 0, 1]),
		pin: token(style, '--ml-pin', [229, 20, 0, 1]),
		system: token(style, '--ml-s-system', [26, 133, 255, 1]),
		file: token(style, '--ml-s-file', [191, 136, 3, 1]),
		zero: flatten([...fg.slice(0, 3), 0.2] as Rgba, bg),
		swap: flatten([...fg.slice(0, 3), 0.5] as Rgba, bg),
		hole: flatten([...fg.slice(0, 3), 0.45] as Rgba, bg),
		dpOwn: token(style, '--ml-s-dp-own', [177, 128, 215, 1]),
		dpForeign: token(style, '--ml-s-dp-foreign', [209, 134, 22, 1]),
		dcOwn: token(style, '--ml-s-dc-own', [56, 138, 52, 1]),
		dcForeign: token(style, '--ml-s-dc-foreign', [22, 130, 140, 1]),
		contrastBorder: contrastRaw ? resolveColor(contrastRaw, fg) : null,
		fontFamily: style.getPropertyValue('--ml-font').trim() || 'system-ui, sans-serif',
	};
}

/** How a page is painted: fill, whether hatched (swap, foreign device memory) and its glyph. */
export interface PageLook {
	fill: Rgba | null;
	hatch: boolean;
	glyph: string;
	/** Key for the legend. */
	key: LegendKey;
}

export type LegendKey = 'none' | 'zero' | 'system' | 'file' | 'swap' | 'dp-own' | 'dp-foreign' | 'dc-own' | 'dc-foreign';

export function pageLook(page: FinalPage, ownOwner: string | null, palette: Palette): PageLook {
	switch (page.state) {
		case 'none':
			return { fill: null, hatch: false, glyph: '', key: 'none' };
		case 'zero':
			return { fill: palette.zero, hatch: false, glyph: '0', key: 'zero' };
		case 'system':
			return { fill: palette.system, hatch: false, glyph: 'S', key: 'system' };
		case 'file':
			return { fill: palette.file, hatch: false, glyph: 'F', key: 'file' };
		case 'swap':
			return { fill: palette.swap, hatch: true, glyph: 'W', key: 'swap' };
		case 'device-private': {
			const own = ownOwner !== null && page.owner === ownOwner;
			return { fill: own ? palette.dpOwn : palette.dpForeign, hatch: !own, glyph: 'D', key: own ? 'dp-own' : 'dp-foreign' };
		}
		case 'device-coherent': {
			const own = ownOwner !== null && page.owner === ownOwner;
			return { fill: own ? palette.dcOwn : palette.dcForeign, hatch: !own, glyph: 'C', key: own ? 'dc-own' : 'dc-foreign' };
		}
		default:
			return { fill: palette.muted, hatch: false, glyph: '?', key: 'none' };
	}
}
