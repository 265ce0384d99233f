/*
 * What the UI needs to know about kernel versions: the versions to offer, and whether a name
 * exists on the chosen kernel (read from the model's version table, never restated here).
 */

import { KERNEL_RELEASES, OLDEST_KERNEL, NEWEST_KERNEL, cmpKernel, formatKernel, parseKernel, type KernelVersion } from '../../server/src/core/model/kernel.ts';
import { existsIn, lookupSymbol } from '../../server/src/core/model/versions.ts';

/** Every modelled kernel, oldest first, as `major.minor`. */
export function kernelChoices(): string[] {
	return KERNEL_RELEASES.filter((r) => cmpKernel(r.version, OLDEST_KERNEL) >= 0 && cmpKernel(r.version, NEWEST_KERNEL) <= 0).map((r) => formatKernel(r.version));
}

export function kernelOf(text: unknown): KernelVersion {
	return (typeof text === 'string' ? parseKernel(text) : undefined) ?? NEWEST_KERNEL;
}

export interface NameInfo {
	/** The name exists on the kernel. */
	exists: boolean;
	/** `5.9+`, `5.7–5.8`, `–5.15`, or '' when always there. */
	span: string;
	summary: string;
}

/** Availability of an API name (`MIGRATE_VMA_SELECT_SYSTEM`, `pgmap_owner` of `struct migrate_vma`, …). */
export function nameInfo(name: string, kernel: KernelVersion, parent?: string): NameInfo {
	const sym = lookupSymbol(name, parent);
	if (!sym) {
		return { exists: true, span: '', summary: '' };
	}
	const span = sym.since && sym.until ? `${sym.since}–${sym.until}` : sym.since ? `${sym.since}+` : sym.until ? `–${sym.until}` : '';
	return { exists: existsIn(sym, kernel), span, summary: sym.summary };
}

export function kernelAtLeast(kernel: KernelVersion, text: string): boolean {
	const other = parseKernel(text);
	return other !== undefined && cmpKernel(kernel, other) >= 0;
}
