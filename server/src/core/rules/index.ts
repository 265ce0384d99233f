/*
 * The rule catalogue (DESIGN.md): every rule module, in catalogue order.
 */
import type { Rule } from './types';
import { rule as setupResultUnchecked } from './setup-result-unchecked';
import { rule as finalizeMissing } from './finalize-missing';
import { rule as pagesMissing } from './pages-missing';
import { rule as dstWithoutMigrateCheck } from './dst-without-migrate-check';
import { rule as migrateFlagUnchecked } from './migrate-flag-unchecked';
import { rule as srcModified } from './src-modified';
import { rule as chunkEndFromInvariant } from './chunk-end-from-invariant';
import { rule as pfnArraySize } from './pfn-array-size';
import { rule as pfnArrayAllocUnchecked } from './pfn-array-alloc-unchecked';
import { rule as cpagesAsSuccess } from './cpages-as-success';

export const ALL_RULES: readonly Rule[] = [
	setupResultUnchecked,
	finalizeMissing,
	pagesMissing,
	dstWithoutMigrateCheck,
	migrateFlagUnchecked,
	srcModified,
	chunkEndFromInvariant,
	pfnArraySize,
	pfnArrayAllocUnchecked,
	cpagesAsSuccess,
];

/** The rule with this id, if any. */
export function ruleById(id: string): Rule | undefined {
	return ALL_RULES.find((r) => r.id === id);
}
