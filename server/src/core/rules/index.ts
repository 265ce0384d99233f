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
import { rule as missingSelectFlags } from './missing-select-flags';
import { rule as missingPgmapOwner } from './missing-pgmap-owner';
import { rule as ownerMismatch } from './owner-mismatch';
import { rule as devicePrivateSourceAsSystem } from './device-private-source-as-system';
import { rule as hmmRangeOwnerMissing } from './hmm-range-owner-missing';
import { rule as faultPageMissing } from './fault-page-missing';
import { rule as faultPageRelocked } from './fault-page-relocked';
import { rule as migrateToRamSigbus } from './migrate-to-ram-sigbus';
import { rule as migrateToRamDstNotZeroed } from './migrate-to-ram-dst-not-zeroed';
import { rule as notifierSelfInvalidation } from './notifier-self-invalidation';
import { rule as longtermPinCoherent } from './longterm-pin-coherent';
import { rule as pinBlocksMigration } from './pin-blocks-migration';
import { rule as apiNotInKernel } from './api-not-in-kernel';

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
	missingSelectFlags,
	missingPgmapOwner,
	ownerMismatch,
	devicePrivateSourceAsSystem,
	hmmRangeOwnerMissing,
	faultPageMissing,
	faultPageRelocked,
	migrateToRamSigbus,
	migrateToRamDstNotZeroed,
	notifierSelfInvalidation,
	longtermPinCoherent,
	pinBlocksMigration,
	apiNotInKernel,
];

/** The rule with this id, if any. */
export function ruleById(id: string): Rule | undefined {
	return ALL_RULES.find((r) => r.id === id);
}
