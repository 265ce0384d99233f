/*
 * The rule contract. A rule reads the facts extraction found in one message (and, for series
 * facts, in the other messages of the same document), with the kernel version in force, and
 * returns findings. Rules never throw on purpose; the runner catches what they throw anyway.
 */
import type { Message } from '../ingest/types';
import type { Loc, MessageFacts, FileFacts, FunctionFacts } from '../extract/types';
import type { Fix, Severity } from '../findings';
import type { KernelVersion } from '../model/kernel';

export interface SeriesMessage {
	message: Message;
	facts: MessageFacts;
}

export interface RuleContext {
	message: Message;
	facts: MessageFacts;
	kernel: KernelVersion;
	/** `6.1`. */
	kernelText: string;
	/** Every analysed message of the document (this one included), for facts set elsewhere in a series or thread. */
	series: SeriesMessage[];
}

export interface RuleFinding {
	/** Defaults to the rule's severity. */
	severity?: Severity;
	message: string;
	loc: Loc;
	related?: Array<{ loc: Loc; message: string }>;
	fixes?: Fix[];
	tags?: Array<'unnecessary' | 'deprecated'>;
}

export type RuleGroup = 'protocol' | 'selection' | 'fault' | 'notifier' | 'pinning' | 'versions';

export interface Rule {
	/** Stable id from the catalogue. */
	id: string;
	group: RuleGroup;
	severity: Severity;
	/** One line, for docs and SARIF `shortDescription`. */
	title: string;
	check(ctx: RuleContext): RuleFinding[];
}

/** The post-image functions of a message (what the patch leaves), with their file. */
export function* postFunctions(facts: MessageFacts): Generator<{ file: FileFacts; fn: FunctionFacts }> {
	for (const file of facts.files) {
		if (file.image !== 'post') {
			continue;
		}
		for (const fn of file.functions) {
			yield { file, fn };
		}
	}
}

/** The pre-image functions of a message (what the patch removes or changes). */
export function* preFunctions(facts: MessageFacts): Generator<{ file: FileFacts; fn: FunctionFacts }> {
	for (const file of facts.files) {
		if (file.image !== 'pre') {
			continue;
		}
		for (const fn of file.functions) {
			yield { file, fn };
		}
	}
}

/** Whether a finding may be reported at this location: only on the patch's own new code (`+` lines). */
export function isNewCode(loc: Loc): boolean {
	return loc.image === 'post' && loc.lineKind === '+';
}
