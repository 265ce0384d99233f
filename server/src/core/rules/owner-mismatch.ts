/*
 * owner-mismatch: migrate_vma_setup() selects a device page only when its dev_pagemap's owner
 * equals `pgmap_owner` (`src_owner` on 5.7–5.8); hmm_range_fault() keeps a device-private page
 * only when its owner equals `dev_private_owner`; and a notifier recognises the driver's own
 * migration by comparing the invalidation's owner. All of these must be the same cookie the driver
 * gives its dev_pagemap — possibly in another patch of the series.
 *
 * Also exports the owner helpers and the per-driver collection of facts the notifier and pinning
 * rules use.
 */
import type { Rule, RuleContext, RuleFinding } from './types';
import { isNewCode } from './types';
import type { FieldValue, FileFacts, FunctionFacts, HmmRangeFacts, Loc, MessageFacts, MigrateVmaStruct } from '../extract/types';
import { isNullText, selectionOf, seriesOf, seriesPost, seriesPostFiles, type FnRef, type Selection } from './missing-select-flags';
import { nameIn } from '../model/versions';

// ---- owners -----------------------------------------------------------------------------------------

/** An owner expression as a list of components: `&x->y.z` → [x, y, z]; casts and `&` dropped. */
export function ownerKey(text: string): string {
	let t = text.replace(/\s+/g, '');
	for (;;) {
		const before = t;
		t = t.replace(/^\((?:const)?(?:void|struct\w+)\*\)/, '');
		t = t.replace(/^&/, '');
		if (/^\(.*\)$/.test(t) && balanced(t.slice(1, -1))) {
			t = t.slice(1, -1);
		}
		if (t === before) {
			break;
		}
	}
	return t;
}

function balanced(s: string): boolean {
	let d = 0;
	for (const c of s) {
		if (c === '(') {
			d++;
		} else if (c === ')') {
			d--;
			if (d < 0) {
				return false;
			}
		}
	}
	return d === 0;
}

function components(key: string): string[] {
	return key.split(/->|\./).filter((x) => x.length > 0);
}

/**
 * Whether two owner expressions plausibly name the same object: equal after normalising, or one
 * is a member-access suffix of the other (`drm->dev` vs `svmm->vmm->cli->drm->dev`, `mdevice` vs
 * `dmirror->mdevice`), which is how the same cookie is reached from different structs.
 */
export function sameOwner(a: string, b: string): boolean {
	const ka = ownerKey(a);
	const kb = ownerKey(b);
	if (ka === kb) {
		return true;
	}
	// The same helper or macro applied to the same object: `to_dev(drm)` vs `to_dev(svmm->drm)`.
	const fa = /^(\w+)\((.*)\)$/.exec(ka);
	const fb = /^(\w+)\((.*)\)$/.exec(kb);
	if (fa || fb) {
		return !!fa && !!fb && fa[1] === fb[1] && balanced(fa[2]!) && balanced(fb[2]!)
			&& !fa[2]!.includes(',') && !fb[2]!.includes(',') && sameOwner(fa[2]!, fb[2]!);
	}
	const ca = components(ka);
	const cb = components(kb);
	if (ca.length === 0 || cb.length === 0) {
		return false;
	}
	const [short, long] = ca.length <= cb.length ? [ca, cb] : [cb, ca];
	for (let i = 1; i <= short.length; i++) {
		if (short[short.length - i] !== long[long.length - i]) {
			return false;
		}
	}
	return true;
}

/** Whether an owner value matches any of the candidates (text or resolved form). */
export function matchesAny(v: { text: string; resolved?: string }, cands: Array<{ text: string; resolved?: string }>): boolean {
	const mine = [v.text, v.resolved].filter((x): x is string => !!x);
	return cands.some((c) => [c.text, c.resolved].filter((x): x is string => !!x).some((t) => mine.some((m) => sameOwner(m, t))));
}

// ---- per-driver facts ---------------------------------------------------------------------------

/** Files of one driver share owners: a directory under drivers/ or arch/, otherwise the file itself. */
export function scopeKey(path: string): string {
	if (/^(drivers|arch|sound|virt)\//.test(path)) {
		const i = path.lastIndexOf('/');
		return i > 0 ? path.slice(0, i) : path;
	}
	return path;
}

export interface OwnerValue {
	text: string;
	resolved?: string;
	loc: Loc;
	/** The facts of the message it was found in. */
	from?: MessageFacts;
}

export interface MigrateUse {
	ref: FnRef;
	s: MigrateVmaStruct;
	sel: Selection;
}

export interface DriverFacts {
	key: string;
	pgmapOwners: OwnerValue[];
	/** `MEMORY_DEVICE_*` types the driver gives its dev_pagemaps. */
	pgmapTypes: Array<{ type: string; loc: Loc }>;
	migrations: MigrateUse[];
	notifiers: FnRef[];
	hmmRanges: Array<{ ref: FnRef; range: HmmRangeFacts }>;
	faultHandlers: FnRef[];
	/** Functions of the driver, by name (post images). */
	functions: FnRef[];
}

function fieldOwner(f: FieldValue | undefined, from: MessageFacts): OwnerValue | undefined {
	if (!f || isNullText(f.resolved) || isNullText(f.text)) {
		return undefined;
	}
	return { text: f.text, resolved: f.resolved, loc: f.loc, from };
}

function addType(d: DriverFacts, f: FieldValue | undefined): void {
	if (!f) {
		return;
	}
	for (const m of f.resolved.matchAll(/\bMEMORY_DEVICE_\w+/g)) {
		d.pgmapTypes.push({ type: m[0], loc: f.loc });
	}
}

const driverCache = new WeakMap<readonly unknown[], Map<string, Map<string, DriverFacts>>>();

/** Everything the series shows about each driver (post images), keyed by `scopeKey`. */
export function driverFacts(ctx: RuleContext): Map<string, DriverFacts> {
	// One computation per series and kernel (every message of a series shares it).
	const series = seriesOf(ctx);
	let byKernel = driverCache.get(series);
	if (!byKernel) {
		byKernel = new Map();
		driverCache.set(series, byKernel);
	}
	const hit = byKernel.get(ctx.kernelText);
	if (hit) {
		return hit;
	}
	const out = new Map<string, DriverFacts>();
	byKernel.set(ctx.kernelText, out);
	const get = (path: string): DriverFacts => {
		const key = scopeKey(path);
		let d = out.get(key);
		if (!d) {
			d = { key, pgmapOwners: [], pgmapTypes: [], migrations: [], notifiers: [], hmmRanges: [], faultHandlers: [], functions: [] };
			out.set(key, d);
		}
		return d;
	};
	for (const { msg, file } of seriesPostFiles(ctx)) {
		const d = get(file.path);
		for (const t of file.tables) {
			if (/\bdev_pagemap$/.test(t.type)) {
				const o = fieldOwner(t.fields.owner, msg.facts);
				if (o) {
					d.pgmapOwners.push(o);
				}
				addType(d, t.fields.type);
			}
		}
	}
	for (const ref of seriesPost(ctx)) {
		const { fn, file } = ref;
		const d = get(file.path);
		d.functions.push(ref);
		for (const p of fn.pgmaps) {
			const o = fieldOwner(p.fields.owner, ref.msg.facts);
			if (o) {
				d.pgmapOwners.push(o);
			}
			addType(d, p.fields.type);
		}
		for (const s of fn.structs) {
			if (s.assignments.length === 0 && s.callIndexes.length === 0) {
				continue;
			}
			d.migrations.push({ ref, s, sel: selectionOf(s, ctx.kernel) });
		}
		if (fn.notifier) {
			d.notifiers.push(ref);
		}
		for (const r of fn.hmmRanges) {
			d.hmmRanges.push({ ref, range: r });
		}
		if (fn.migrateToRam || fn.roles.includes('migrate_to_ram')) {
			d.faultHandlers.push(ref);
		}
	}
	return out;
}

/** The driver facts for one file. */
export function driverOf(all: Map<string, DriverFacts>, file: FileFacts | string): DriverFacts | undefined {
	return all.get(scopeKey(typeof file === 'string' ? file : file.path));
}

/** The owner a migration struct carries (`pgmap_owner`, or `src_owner` on 5.7–5.8 code). */
export function migrationOwners(s: MigrateVmaStruct): FieldValue[] {
	return s.assignments.filter((a) => (a.field === 'pgmap_owner' || a.field === 'src_owner') && !isNullText(a.resolved) && !isNullText(a.text));
}

function listOwners(owners: OwnerValue[]): string {
	const uniq: string[] = [];
	for (const o of owners) {
		if (!uniq.includes(o.text)) {
			uniq.push(o.text);
		}
	}
	return uniq.map((t) => `\`${t}\``).join(', ');
}

function fnLabel(fn: FunctionFacts): string {
	return fn.name ? `${fn.name}()` : 'this function';
}

// ---- the rule -------------------------------------------------------------------------------------

export const rule: Rule = {
	id: 'owner-mismatch',
	group: 'selection',
	severity: 'error',
	title: 'Owner cookie differs from the owner the driver gives its dev_pagemap',
	check(ctx: RuleContext): RuleFinding[] {
		if (!nameIn('owner', ctx.kernel, 'struct dev_pagemap').exists) {
			return [];
		}
		const out: RuleFinding[] = [];
		const k = ctx.kernelText;
		const drivers = driverFacts(ctx);
		const ownFiles = new Set(ctx.facts.files.filter((f) => f.image === 'post').map((f) => scopeKey(f.path)));
		for (const key of ownFiles) {
			const d = drivers.get(key);
			if (!d || d.pgmapOwners.length === 0) {
				continue;
			}
			const pg = d.pgmapOwners;
			const pgRelated = pg.slice(0, 3).map((o) => ({ loc: o.loc, message: `the dev_pagemap owner: \`${o.text}\`` }));
			const newPg = pg.filter((o) => o.from === ctx.facts && isNewCode(o.loc));

			// migrate_vma owners
			for (const m of d.migrations) {
				if (m.ref.msg.facts !== ctx.facts) {
					continue;
				}
				for (const o of migrationOwners(m.s)) {
					if (matchesAny(o, pg)) {
						continue;
					}
					const anchor = isNewCode(o.loc) ? o.loc : undefined;
					const pgAnchor = !anchor ? newPg[0] : undefined;
					if (!anchor && !pgAnchor) {
						continue;
					}
					const selectsDevice = m.sel.device !== 'no';
					const field = o.field;
					const run = selectsDevice
						? `setup compares it with each device page's dev_pagemap owner, so none of this driver's pages is ever collected and they never migrate`
						: `its MMU_NOTIFY_MIGRATE invalidations carry an owner the driver's notifier does not recognise, so the driver cannot tell its own migrations apart`;
					out.push({
						severity: selectsDevice ? 'error' : 'warning',
						message: anchor
							? `\`${field} = ${o.text}\` is not the owner this driver gives its dev_pagemap (${listOwners(pg)}) (kernel ${k}): ${run}.`
							: `The dev_pagemap owner \`${pgAnchor!.text}\` differs from the \`${field}\` (\`${o.text}\`) ${fnLabel(m.ref.fn)} migrates with (kernel ${k}): ${run}.`,
						loc: anchor ?? pgAnchor!.loc,
						related: anchor ? pgRelated : [{ loc: o.loc, message: `the ${field} given to migrate_vma` }],
					});
				}
			}

			// notifier owner tests
			for (const ref of d.notifiers) {
				if (ref.msg.facts !== ctx.facts) {
					continue;
				}
				for (const t of ref.fn.notifier!.ownerTests) {
					if (!isNewCode(t.loc) || isNullText(t.comparedTo)) {
						continue;
					}
					if (matchesAny({ text: t.comparedTo }, pg)) {
						continue;
					}
					out.push({
						severity: 'warning',
						message: `The notifier compares the invalidation owner with \`${t.comparedTo}\`, but this driver's dev_pagemap owner is ${listOwners(pg)} (kernel ${k}): its own migrations carry the pgmap owner, so this test never matches them and the driver tears down its own mappings in the middle of every migration.`,
						loc: t.loc,
						related: pgRelated,
					});
				}
			}

			// hmm_range owners
			for (const { ref, range } of d.hmmRanges) {
				if (ref.msg.facts !== ctx.facts) {
					continue;
				}
				const f = range.fields.dev_private_owner;
				if (!f || !isNewCode(f.loc) || isNullText(f.resolved) || isNullText(f.text)) {
					continue;
				}
				if (matchesAny(f, pg)) {
					continue;
				}
				out.push({
					severity: 'warning',
					message: `\`dev_private_owner = ${f.text}\` is not this driver's dev_pagemap owner (${listOwners(pg)}) (kernel ${k}): hmm_range_fault() treats the driver's own device-private pages as foreign and faults them back to system memory on every device fault.`,
					loc: f.loc,
					related: pgRelated,
				});
			}
		}
		return out;
	},
};
