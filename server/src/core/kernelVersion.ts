/*
 * Which kernel a message is judged against (DESIGN.md "Kernel version"):
 * an explicit setting or --kernel; the kernel tree's top Makefile; a base-commit we can date; the
 * kernel a stable backport's subject names (`[PATCH AUTOSEL 5.4 …]`); the mail's Date: mapped to
 * the kernel a patch posted then targets; otherwise the newest we model.
 */
import type { Message } from './ingest/types';
import type { KernelSource } from './findings';
import { cmpKernel, formatKernel, kernelTargetForDate, NEWEST_KERNEL, parseKernel, type KernelVersion } from './model/kernel';

export interface ResolvedKernel {
	version: KernelVersion;
	text: string;
	source: KernelSource;
}

export interface KernelInputs {
	/** The setting or CLI flag; `auto`, empty or undefined defer to the other sources. */
	explicit?: string;
	/** The top Makefile of a kernel tree, when one is known. */
	treeMakefile?: string;
	/** Dates of commits we know, by (abbreviated) hash, for `base-commit:`. */
	commitDates?: (sha: string) => number | undefined;
}

/** Reads `VERSION = 6` and `PATCHLEVEL = 1` from a kernel top-level Makefile. */
export function kernelFromMakefile(text: string): KernelVersion | undefined {
	const major = /^VERSION\s*=\s*(\d+)\s*$/m.exec(text);
	const minor = /^PATCHLEVEL\s*=\s*(\d+)\s*$/m.exec(text);
	if (!major || !minor) {
		return undefined;
	}
	return { major: Number(major[1]), minor: Number(minor[1]) };
}

/** The oldest release a subject may name as its target (older numbers are not kernel versions here). */
const OLDEST_NAMED: KernelVersion = { major: 3, minor: 0 };

/**
 * The kernel a backport's subject names: `[PATCH AUTOSEL 5.4 065/459]`, `[PATCH 6.1 12/34]`,
 * `[PATCH 5.10.y]`, `[PATCH for-6.6]`, `[PATCH linux-5.15.y]`, `[PATCH stable v5.4]`. Takes the
 * subject's bracket tags; a number outside 3.0 … the newest modelled kernel is not taken for one.
 */
export function kernelFromSubject(tags: readonly string[] | undefined): KernelVersion | undefined {
	for (const tag of tags ?? []) {
		const m = /^(?:for-|linux-|v)?(\d)\.(\d{1,2})(?:\.y|\.\d{1,3})?$/i.exec(tag);
		if (!m) {
			continue;
		}
		const v = { major: Number(m[1]), minor: Number(m[2]) };
		if (cmpKernel(v, OLDEST_NAMED) >= 0 && cmpKernel(v, NEWEST_KERNEL) <= 0) {
			return v;
		}
	}
	return undefined;
}

/** Whether an explicit setting names a version (rather than `auto`). */
export function explicitKernel(setting: string | undefined): KernelVersion | undefined {
	if (!setting || setting.trim().toLowerCase() === 'auto') {
		return undefined;
	}
	return parseKernel(setting.trim());
}

export function resolveKernel(msg: Message | undefined, inputs: KernelInputs): ResolvedKernel {
	const done = (version: KernelVersion, source: KernelSource): ResolvedKernel => ({ version, source, text: formatKernel(version) });
	const explicit = explicitKernel(inputs.explicit);
	if (explicit) {
		return done(explicit, 'setting');
	}
	if (inputs.treeMakefile) {
		const v = kernelFromMakefile(inputs.treeMakefile);
		if (v) {
			return done(v, 'tree');
		}
	}
	const base = msg?.trailers.baseCommit;
	if (base && inputs.commitDates) {
		const ms = inputs.commitDates(base);
		if (ms !== undefined) {
			return done(kernelTargetForDate(ms), 'base-commit');
		}
	}
	const named = kernelFromSubject(msg?.subject.tags);
	if (named) {
		return done(named, 'subject');
	}
	if (msg?.dateMs !== undefined && Number.isFinite(msg.dateMs)) {
		return done(kernelTargetForDate(msg.dateMs), 'date');
	}
	return done(NEWEST_KERNEL, 'newest');
}
