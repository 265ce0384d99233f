/*
 * A least-recently-used map from strings, bounded by the total length of its keys: what the
 * extractor's caches (parsed units by their text, file facts by their hunks) keep, where the key
 * is as long as what it stands for.
 */

export class TextLru<V> {
	private readonly map = new Map<string, V>();
	private chars = 0;
	hits = 0;
	misses = 0;

	/** `maxChars`: the key characters kept in all. */
	constructor(readonly maxChars: number) { }

	/** The value of `key` (now the most recently used), if kept. */
	get(key: string): V | undefined {
		const hit = this.map.get(key);
		if (hit !== undefined) {
			this.map.delete(key);
			this.map.set(key, hit);
			this.hits++;
		} else {
			this.misses++;
		}
		return hit;
	}

	/** Keeps `value` under `key` (replacing what was there); the least recently used go until the keys fit. */
	set(key: string, value: V): void {
		if (key.length > this.maxChars) {
			return;
		}
		if (this.map.has(key)) {
			this.map.set(key, value);
			return;
		}
		this.map.set(key, value);
		this.chars += key.length;
		for (const k of this.map.keys()) {
			if (this.chars <= this.maxChars) {
				break;
			}
			this.map.delete(k);
			this.chars -= k.length;
		}
	}

	/** Characters of the keys kept. */
	get size(): number {
		return this.chars;
	}

	clear(): void {
		this.map.clear();
		this.chars = 0;
	}
}
