/*
 * notifier-self-invalidation: migrate_vma_setup() (and migrate_vma_pages() when it fills holes)
 * raises MMU_NOTIFY_MIGRATE invalidations that carry pgmap_owner. A driver that migrates with
 * owner X and mirrors the address space through an mmu notifier should skip exactly the events
 * whose owner is X — its own migration, whose device mappings it updates itself. Not skipping
 * them tears the driver's mappings down in the middle of its own migration; skipping every
 * MIGRATE event regardless of owner leaves stale device mappings when someone else migrates.
 * The owner lives in `migrate_pgmap_owner` on 5.9–5.13 and in `owner` from 5.14.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { FunctionFacts, Loc, NotifierFacts } from '../extract/types';
import type { Message } from '../ingest/types';
import type { Fix } from '../findings';
import { apiSettled, firstNew, isNullText, kernelLooksDateDerived, lineOfLoc, messageLines, previousKernel } from './missing-select-flags';
import { driverFacts, migrationOwners, scopeKey, type DriverFacts, type OwnerValue } from './owner-mismatch';
import { nameIn } from '../model/versions';

function isCallback(fn: FunctionFacts): boolean {
	const n = fn.notifier;
	if (!n) {
		return false;
	}
	// The ops table is often outside the patch: the range parameter, the name or the tests tell.
	return n.inOpsTable || fn.roles.some((r) => /invalidate/.test(r)) || /invalidat/.test(fn.name) || n.eventTests.length > 0 || n.ownerTests.length > 0;
}

function migrateEventTest(n: NotifierFacts): boolean {
	return n.eventTests.some((t) => t.event === 'MMU_NOTIFY_MIGRATE' || /MMU_NOTIFY_MIGRATE/.test(t.text));
}

/** `if (…) return` / `if (…) { goto`: the blanks around the `{` read once (`\)\s*\{?\s*` tried every split of a long run). */
export const EARLY_EXIT = /^if\s*\([^;{}]*\)\s*(?:\{\s*)?(return|goto)\b/;

/** Whether the `if` whose condition holds this test leaves the callback at once (return/goto). */
function leavesEarly(msg: Message, loc: Loc): boolean {
	const at = lineOfLoc(msg, loc);
	if (!at) {
		return false;
	}
	const lines = messageLines(msg).filter((l) => l.path === at.path && l.kind !== '-' && l.quoteDepth === at.quoteDepth);
	const i = lines.indexOf(at);
	if (i < 0) {
		return false;
	}
	const text = lines.slice(i, i + 5).map((l) => l.text).join(' ');
	const start = text.lastIndexOf('if', text.indexOf('MMU_NOTIFY_MIGRATE'));
	const from = start >= 0 ? text.slice(start) : text;
	return EARLY_EXIT.test(from);
}

function ownOwners(d: DriverFacts): OwnerValue[] {
	const out: OwnerValue[] = [];
	for (const m of d.migrations) {
		if (m.sel.era !== 'flags') {
			continue;
		}
		for (const o of migrationOwners(m.s)) {
			out.push({ text: o.text, resolved: o.resolved, loc: o.loc, from: m.ref.msg.facts });
		}
	}
	return out;
}

/** The rename of the owner field inside a comparison, where the document holds the line verbatim. */
function fieldRename(msg: Message, t: { text: string; loc: Loc }, from: string, to: string): Fix[] | undefined {
	const l = t.loc;
	if (!l.exact || l.line !== l.endLine || /quoted-printable|base64/i.test(msg.headers.contentTransferEncoding ?? '')) {
		return undefined;
	}
	const line = lineOfLoc(msg, l);
	const m = new RegExp(`->\\s*${from}\\b`).exec(t.text);
	// Column arithmetic only where nothing before the field could have been folded whitespace.
	if (!line || line.flattened || !m || m[0] !== `->${from}` || /\s/.test(t.text.slice(0, m.index))) {
		return undefined;
	}
	const at = l.character + m.index + m[0].length - from.length;
	return [{ title: `Rename ${from} to ${to}`, edits: [{ range: { start: { line: l.line, character: at }, end: { line: l.line, character: at + from.length } }, newText: to }] }];
}

export const rule: Rule = {
	id: 'notifier-self-invalidation',
	group: 'notifier',
	severity: 'warning',
	title: 'mmu-notifier callback does not skip the driver\'s own MMU_NOTIFY_MIGRATE invalidations',
	check(ctx: RuleContext): RuleFinding[] {
		if (!apiSettled(ctx, 'MMU_NOTIFY_MIGRATE')) {
			return [];
		}
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		// The owner field's name; around the rename (date-guessed kernel) both spellings are accepted.
		const guessed = kernelLooksDateDerived(ctx);
		const prev = previousKernel(ctx.kernel);
		const hasOld = nameIn('migrate_pgmap_owner', ctx.kernel, 'struct mmu_notifier_range').exists
			|| (guessed && nameIn('migrate_pgmap_owner', prev, 'struct mmu_notifier_range').exists);
		const hasNew = nameIn('owner', ctx.kernel, 'struct mmu_notifier_range').exists;
		const drivers = driverFacts(ctx);
		const scopes = new Set(ctx.facts.files.filter((f) => f.image === 'post').map((f) => scopeKey(f.path)));
		for (const key of scopes) {
			const d = drivers.get(key);
			if (!d) {
				continue;
			}
			const owners = ownOwners(d);
			const driverSkips = d.notifiers.some((r) => r.fn.notifier !== undefined && migrateEventTest(r.fn.notifier) && r.fn.notifier.ownerTests.length > 0);
			for (const ref of d.notifiers) {
				if (ref.msg.facts !== ctx.facts) {
					continue;
				}
				const n = ref.fn.notifier!;
				// The owner field of the kernel (any function reading the invalidation range).
				for (const t of n.ownerTests) {
					if (!isNewCode(t.loc)) {
						continue;
					}
					if (t.field === 'owner' && !hasNew && hasOld) {
						out.push({
							severity: 'error',
							message: `\`${n.rangeParam}->owner\` does not exist in kernel ${k}: until 5.13 the owner of a migration invalidation is \`migrate_pgmap_owner\` (renamed owner in 5.14). The patch does not build there.`,
							loc: t.loc,
							fixes: fieldRename(ctx.message, t, 'owner', 'migrate_pgmap_owner'),
						});
					} else if (t.field === 'migrate_pgmap_owner' && !hasOld && hasNew) {
						out.push({
							severity: 'error',
							message: `\`${n.rangeParam}->migrate_pgmap_owner\` does not exist in kernel ${k}: it was renamed \`owner\` in 5.14. The patch does not build there.`,
							loc: t.loc,
							fixes: fieldRename(ctx.message, t, 'migrate_pgmap_owner', 'owner'),
						});
					}
				}
				if (!isCallback(ref.fn)) {
					continue;
				}
				const migrateTest = migrateEventTest(n);
				const ownerTested = n.ownerTests.some((t) => !isNullText(t.comparedTo));
				if (migrateTest && !ownerTested) {
					const anchor = firstNew(n.eventTests.filter((t) => /MMU_NOTIFY_MIGRATE/.test(t.text) && leavesEarly(ctx.message, t.loc)).map((t) => t.loc));
					if (anchor) {
						out.push({
							severity: 'error',
							message: `This notifier skips every MMU_NOTIFY_MIGRATE invalidation without checking its owner (kernel ${k}): when another driver or the kernel migrates these pages, the device keeps mapping the old ones and reads or writes stale memory. Skip only events whose owner is this driver's pgmap owner.`,
							loc: anchor,
						});
					}
					continue;
				}
				// A driver that skips its own migrations in one callback knows the idiom: its other
				// notifiers (short-lived snapshot notifiers, …) are left alone on purpose.
				if (migrateTest || owners.length === 0 || driverSkips) {
					continue;
				}
				// No skip at all while the driver tags its migrations with an owner.
				const ownerNew = owners.find((o) => o.from === ctx.facts && isNewCode(o.loc));
				const anchor = firstNew([ref.fn.loc]) ?? ownerNew?.loc;
				if (!anchor) {
					continue;
				}
				const o = owners[0]!;
				const field = hasNew ? 'owner' : 'migrate_pgmap_owner';
				out.push({
					message: `${ref.fn.name ? `${ref.fn.name}()` : 'This notifier callback'} does not skip the driver's own migrations (kernel ${k}): migrate_vma_setup() raises MMU_NOTIFY_MIGRATE with owner \`${o.text}\`, so the callback tears down the device mappings of the very pages the driver is migrating (and may take locks the migration path already holds). Return early when \`${n.rangeParam}->event == MMU_NOTIFY_MIGRATE && ${n.rangeParam}->${field} == ${o.text}\`.`,
					loc: anchor,
					related: [{ loc: o.loc, message: 'the owner the driver migrates with' }, ...(anchor === ref.fn.loc ? [] : [{ loc: ref.fn.loc, message: 'the notifier callback' }])],
				});
			}
		}
		return out;
	},
};
