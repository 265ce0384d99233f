/*
 * Kernel versions as the model sees them: `major.minor` only (stable and -rc suffixes are
 * dropped), a release-date table to map a mail's date to a kernel, and comparisons.
 * Pure and browser-safe.
 */

export interface KernelVersion {
	major: number;
	minor: number;
}

/** The oldest kernel the model knows (the first release with `migrate_vma`). */
export const OLDEST_KERNEL: KernelVersion = Object.freeze({ major: 4, minor: 14 });

/** The newest kernel the model describes (SEMANTICS.md "v7.x": the series after 6.19). */
export const NEWEST_KERNEL: KernelVersion = Object.freeze({ major: 7, minor: 0 });

/**
 * Accepts `6.1`, `v5.8`, `6.1.0-rc3`, `6.1-rc3`, `7.0`, `Linux 6.12.4`; returns undefined for
 * anything else (including a bare `6`).
 */
export function parseKernel(s: string): KernelVersion | undefined {
	if (typeof s !== 'string') {
		return undefined;
	}
	const m = /^\s*(?:linux[\s-]+)?v?(\d{1,3})\.(\d{1,3})(?:[.\-+~_ ][\w.\-+~ ]*)?\s*$/i.exec(s);
	if (!m) {
		return undefined;
	}
	return { major: Number(m[1]), minor: Number(m[2]) };
}

export function formatKernel(v: KernelVersion): string {
	return `${v.major}.${v.minor}`;
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function cmpKernel(a: KernelVersion, b: KernelVersion): number {
	return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** `atLeast(v, '5.9')`: v is 5.9 or newer. An unparsable `s` is a programming error: returns false. */
export function atLeast(v: KernelVersion, s: string): boolean {
	const w = parseKernel(s);
	return w !== undefined && cmpKernel(v, w) >= 0;
}

export interface KernelRelease {
	version: KernelVersion;
	/** Release date, `YYYY-MM-DD` (UTC). */
	date: string;
	/** false where the date is an expectation rather than a known release. */
	certain: boolean;
}

function rel(major: number, minor: number, date: string, certain = true): KernelRelease {
	return Object.freeze({ version: Object.freeze({ major, minor }), date, certain });
}

/**
 * Mainline release dates. 4.13 is listed only so that a patch posted during the 4.14 merge
 * window targets 4.14. 6.19 and 7.0 are expected dates (no release tag was read for them).
 */
export const KERNEL_RELEASES: readonly KernelRelease[] = Object.freeze([
	rel(4, 13, '2017-09-03'),
	rel(4, 14, '2017-11-12'),
	rel(4, 15, '2018-01-28'),
	rel(4, 16, '2018-04-01'),
	rel(4, 17, '2018-06-03'),
	rel(4, 18, '2018-08-12'),
	rel(4, 19, '2018-10-22'),
	rel(4, 20, '2018-12-23'),
	rel(5, 0, '2019-03-03'),
	rel(5, 1, '2019-05-05'),
	rel(5, 2, '2019-07-07'),
	rel(5, 3, '2019-09-15'),
	rel(5, 4, '2019-11-24'),
	rel(5, 5, '2020-01-26'),
	rel(5, 6, '2020-03-29'),
	rel(5, 7, '2020-05-31'),
	rel(5, 8, '2020-08-02'),
	rel(5, 9, '2020-10-11'),
	rel(5, 10, '2020-12-13'),
	rel(5, 11, '2021-02-14'),
	rel(5, 12, '2021-04-25'),
	rel(5, 13, '2021-06-27'),
	rel(5, 14, '2021-08-29'),
	rel(5, 15, '2021-10-31'),
	rel(5, 16, '2022-01-09'),
	rel(5, 17, '2022-03-20'),
	rel(5, 18, '2022-05-22'),
	rel(5, 19, '2022-07-31'),
	rel(6, 0, '2022-10-02'),
	rel(6, 1, '2022-12-11'),
	rel(6, 2, '2023-02-19'),
	rel(6, 3, '2023-04-23'),
	rel(6, 4, '2023-06-25'),
	rel(6, 5, '2023-08-27'),
	rel(6, 6, '2023-10-30'),
	rel(6, 7, '2024-01-07'),
	rel(6, 8, '2024-03-10'),
	rel(6, 9, '2024-05-12'),
	rel(6, 10, '2024-07-14'),
	rel(6, 11, '2024-09-15'),
	rel(6, 12, '2024-11-17'),
	rel(6, 13, '2025-01-19'),
	rel(6, 14, '2025-03-24'),
	rel(6, 15, '2025-05-25'),
	rel(6, 16, '2025-07-27'),
	rel(6, 17, '2025-09-28'),
	rel(6, 18, '2025-11-30'),
	rel(6, 19, '2026-02-08', false),
	rel(7, 0, '2026-04-12', false),
]);

const RELEASE_MS: readonly number[] = KERNEL_RELEASES.map((r) => Date.parse(`${r.date}T00:00:00Z`));

/** Index of the newest release out at `ms` (-1 before the first table entry). */
function releaseIndexAt(ms: number): number {
	let idx = -1;
	for (let i = 0; i < RELEASE_MS.length; i++) {
		if (RELEASE_MS[i] <= ms) {
			idx = i;
		} else {
			break;
		}
	}
	return idx;
}

function clamp(v: KernelVersion): KernelVersion {
	if (cmpKernel(v, OLDEST_KERNEL) < 0) {
		return OLDEST_KERNEL;
	}
	if (cmpKernel(v, NEWEST_KERNEL) > 0) {
		return NEWEST_KERNEL;
	}
	return v;
}

/**
 * The newest mainline release out on that date (ms since the epoch). Dates before 4.14 give
 * 4.14, dates after the newest release give the newest; a non-finite date gives the newest.
 */
export function kernelForDate(ms: number): KernelVersion {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) {
		return NEWEST_KERNEL;
	}
	const idx = releaseIndexAt(ms);
	return clamp(idx < 0 ? OLDEST_KERNEL : KERNEL_RELEASES[idx].version);
}

/** The release after v: 6.19 → 7.0 (the series renames after x.19), otherwise minor + 1. */
export function nextKernel(v: KernelVersion): KernelVersion {
	const idx = KERNEL_RELEASES.findIndex((r) => cmpKernel(r.version, v) === 0);
	if (idx >= 0 && idx + 1 < KERNEL_RELEASES.length) {
		return KERNEL_RELEASES[idx + 1].version;
	}
	return v.minor >= 19 ? { major: v.major + 1, minor: 0 } : { major: v.major, minor: v.minor + 1 };
}

/** Days after a release during which its merge window is open. */
export const MERGE_WINDOW_DAYS = 14;

/**
 * What a patch posted on that date targets. During the two-week merge window after release X,
 * what is posted (and merged) lands in X+1; after it closes, X+1 is in its -rc phase and only takes
 * fixes, so new work targets X+2. Mails are judged against that kernel, which also makes a patch
 * that builds on a series posted just before it see that series' API. Clamped to the modelled
 * range [4.14, NEWEST_KERNEL]; a non-finite date gives the newest.
 */
export function kernelTargetForDate(ms: number): KernelVersion {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) {
		return NEWEST_KERNEL;
	}
	const idx = releaseIndexAt(ms);
	if (idx < 0) {
		return OLDEST_KERNEL;
	}
	const next = nextKernel(KERNEL_RELEASES[idx].version);
	const inMergeWindow = ms - RELEASE_MS[idx] < MERGE_WINDOW_DAYS * 24 * 3600 * 1000;
	return clamp(inMergeWindow ? next : nextKernel(next));
}
