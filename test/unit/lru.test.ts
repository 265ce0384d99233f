import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextLru } from '../../server/src/core/extract/lru';

describe('TextLru', () => {
	it('keeps keys up to its size, letting the least recently used go first', () => {
		const lru = new TextLru<number>(6);
		lru.set('aa', 1);
		lru.set('bb', 2);
		lru.set('cc', 3);
		assert.equal(lru.get('aa'), 1, 'aa is now the most recently used');
		lru.set('dd', 4);
		assert.equal(lru.get('bb'), undefined, 'bb went');
		assert.equal(lru.get('aa'), 1);
		assert.equal(lru.get('cc'), 3);
		assert.equal(lru.size, 6);
		assert.equal(lru.hits, 3);
		assert.equal(lru.misses, 1);
	});

	it('replaces a value in place, and refuses a key longer than its size', () => {
		const lru = new TextLru<string>(4);
		lru.set('ab', 'x');
		lru.set('ab', 'y');
		assert.equal(lru.get('ab'), 'y');
		assert.equal(lru.size, 2);
		lru.set('abcde', 'z');
		assert.equal(lru.get('abcde'), undefined);
		lru.clear();
		assert.equal(lru.size, 0);
		assert.equal(lru.get('ab'), undefined);
	});
});
