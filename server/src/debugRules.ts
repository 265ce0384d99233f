/*
 * Test doubles for the language-server tests, enabled only by the MIGRATE_LENS_DEBUG_RULES
 * environment variable (a comma list); never by a user setting.
 *
 *   throw              a rule that always throws (the error must be logged, analysis goes on)
 *   setup-call=ID      a stand-in rule with id ID that reports every migrate_vma_setup() call on a
 *                      `+` line, with the struct's declaration as related location — so diagnostics,
 *                      quick fixes (keyed by ID) and the review reply can be exercised end to end
 *                      before the real rule exists
 */
import type { Rule, RuleFinding } from './core/rules/types';
import { postFunctions } from './core/rules/types';

export const DEBUG_RULES_ENV = 'MIGRATE_LENS_DEBUG_RULES';

function throwingRule(): Rule {
	return {
		id: 'debug-throwing-rule',
		group: 'protocol',
		severity: 'info',
		title: 'Always throws (debug hook)',
		check(): never {
			throw new Error('debug-throwing-rule always throws');
		},
	};
}

function setupCallRule(id: string): Rule {
	return {
		id,
		group: 'protocol',
		severity: 'warning',
		title: 'Every migrate_vma_setup() call (debug stand-in)',
		check(ctx): RuleFinding[] {
			const out: RuleFinding[] = [];
			for (const { fn } of postFunctions(ctx.facts)) {
				fn.calls.forEach((call, i) => {
					if (call.kind !== 'setup' || call.loc.lineKind !== '+') {
						return;
					}
					const s = fn.structs.find((x) => x.callIndexes.includes(i));
					out.push({
						message: `debug stand-in: migrate_vma_setup() call in ${fn.name || 'a fragment'}`,
						loc: call.loc,
						related: s?.declLoc ? [{ loc: s.declLoc, message: 'the struct migrate_vma is declared here' }] : undefined,
					});
				});
			}
			return out;
		},
	};
}

/** The debug rules an environment asks for (none unless the variable is set). */
export function debugRules(env: NodeJS.ProcessEnv = process.env): Rule[] {
	const spec = env[DEBUG_RULES_ENV];
	if (!spec) {
		return [];
	}
	const out: Rule[] = [];
	for (const item of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
		if (item === 'throw') {
			out.push(throwingRule());
		} else if (item.startsWith('setup-call')) {
			const id = item.includes('=') ? item.slice(item.indexOf('=') + 1) : 'debug-setup-call';
			if (/^[a-z0-9-]+$/.test(id)) {
				out.push(setupCallRule(id));
			}
		}
	}
	return out;
}
