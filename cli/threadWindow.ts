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
 * that goes on after a longer silence is analysed in parts, and so is a series that grows past
 * `maxChars` (the window never holds more than that, whatever the archive holds).
 */
import type { Message } from '../server/src/core/ingest/types';
import { norm, threaded, threadRoot } from '../server/src/core/rules/missing-select-flags';

interface Group {
	keys: Set<string>;
	messages: Message[];
	/** Where (in characters read) its latest message was added. */
	last: number;
	/** Characters of its messages. */
	chars: number;
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
	private heldChars = 0;

	constructor(readonly horizon: number, readonly maxChars = Infinity) { }

	/** Messages held now. */
	get size(): number {
		return this.held;
	}

	/** Characters held now. */
	get chars(): number {
		return this.heldChars;
	}

	/** Holds a message that carries diffs (`chars` long); `at` is how far the archive has been read. */
	add(m: Message, at: number, chars = 0): void {
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
			big.chars += small.chars;
			this.groups.delete(small);
			into = big;
		}
		if (!into) {
			into = { keys: new Set(), messages: [], last: at, chars: 0 };
			this.groups.add(into);
		}
		for (const k of keys) {
			into.keys.add(k);
			this.byKey.set(k, into);
		}
		into.messages.push(m);
		into.last = at;
		into.chars += chars;
		this.held++;
		this.heldChars += chars;
	}

	/**
	 * The groups no message of which came within the horizon before `at`, then (while the window
	 * holds more than `maxChars`) the groups that were started first; each in document order.
	 */
	due(at: number): Message[][] {
		const out: Message[][] = [];
		for (const g of this.groups) {
			if (at - g.last > this.horizon) {
				out.push(this.release(g));
			}
		}
		while (this.heldChars > this.maxChars && this.groups.size > 0) {
			out.push(this.release(this.groups.values().next().value!));
		}
		return out;
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
		this.heldChars -= g.chars;
		return g.messages.sort((a, b) => a.index - b.index);
	}
}
