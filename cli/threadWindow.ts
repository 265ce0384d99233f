/*
 * Series context for a whole-list archive read in bounded memory. The rules judge a message with
 * the rest of its series (its thread, or the unthreaded `[PATCH n/M]` mails of the same length and
 * version), so the streamed check cannot analyse a message alone. Messages that carry diffs are
 * held here, grouped by every key that can tie two of them into one series (the thread root, the
 * message's own id, the series key of an unthreaded part), until no message of their group has
 * come for `horizon` characters of the archive; the group is then analysed as one document.
 *
 * In a list archive a thread's messages sit close together, so with a horizon of some MB every
 * group holds its whole series and the findings are those of reading the file whole. A thread
 * that goes on after a longer silence is analysed in parts.
 */
import type { Message } from '../server/src/core/ingest/types';
import { norm, threaded, threadRoot } from '../server/src/core/rules/missing-select-flags';

interface Group {
	keys: Set<string>;
	messages: Message[];
	/** Where (in characters read) its latest message was added. */
	last: number;
}

/** The keys that tie a message to others of its series (see `seriesOf`). */
export function seriesKeys(m: Message): string[] {
	const keys: string[] = [];
	const root = threadRoot(m);
	if (root !== undefined) {
		keys.push(`id:${root}`);
	}
	const own = norm(m.headers.messageId);
	if (own !== undefined && own !== root) {
		keys.push(`id:${own}`);
	}
	if (!threaded(m) && m.subject.total !== undefined) {
		keys.push(`series:${m.subject.total}/${m.subject.version}`);
	}
	if (keys.length === 0) {
		keys.push(`message:${m.index}`);
	}
	return keys;
}

export class ThreadWindow {
	private readonly byKey = new Map<string, Group>();
	private readonly groups = new Set<Group>();
	private held = 0;

	constructor(readonly horizon: number) { }

	/** Messages held now. */
	get size(): number {
		return this.held;
	}

	/** Holds a message that carries diffs; `at` is how far the archive has been read. */
	add(m: Message, at: number): void {
		const keys = seriesKeys(m);
		let into: Group | undefined;
		for (const k of keys) {
			const g = this.byKey.get(k);
			if (!g || g === into) {
				continue;
			}
			if (!into) {
				into = g;
				continue;
			}
			// the message ties two groups together: one series now
			const [big, small] = into.messages.length >= g.messages.length ? [into, g] : [g, into];
			for (const x of small.messages) {
				big.messages.push(x);
			}
			for (const key of small.keys) {
				big.keys.add(key);
				this.byKey.set(key, big);
			}
			big.last = Math.max(big.last, small.last);
			this.groups.delete(small);
			into = big;
		}
		if (!into) {
			into = { keys: new Set(), messages: [], last: at };
			this.groups.add(into);
		}
		for (const k of keys) {
			into.keys.add(k);
			this.byKey.set(k, into);
		}
		into.messages.push(m);
		into.last = at;
		this.held++;
	}

	/** The groups no message of which came within the horizon before `at`, each in document order. */
	due(at: number): Message[][] {
		const out: Group[] = [];
		for (const g of this.groups) {
			if (at - g.last > this.horizon) {
				out.push(g);
			}
		}
		return out.map((g) => this.release(g));
	}

	/** Every group still held (the end of the archive). */
	rest(): Message[][] {
		return [...this.groups].map((g) => this.release(g));
	}

	private release(g: Group): Message[] {
		this.groups.delete(g);
		for (const k of g.keys) {
			if (this.byKey.get(k) === g) {
				this.byKey.delete(k);
			}
		}
		this.held -= g.messages.length;
		return g.messages.sort((a, b) => a.index - b.index);
	}
}
