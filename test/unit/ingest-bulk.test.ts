/*
 * The whole nouveau list for 2020 (../shared/corpus/bulk/nouveau-2020.mbox.xz, 2,468 messages,
 * mboxrd), read chunk by chunk with MboxStream and the cheap prefilter. Skipped with a message
 * when xz or the file is missing. Timing targets live in `npm run bench`, not here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { corpusRoot } from '../corpus';
import { MboxStream, parseMessage, type Message } from '../../server/src/core/ingest/index';

const XZ_FILE = path.join(corpusRoot, 'bulk', 'nouveau-2020.mbox.xz');

function unpack(): string {
	if (!fs.existsSync(XZ_FILE)) {
		return `skip: ${XZ_FILE} not found`;
	}
	try {
		return execFileSync('xz', ['-dc', XZ_FILE], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
	} catch (e) {
		return `skip: xz failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
	}
}

const text = unpack();
const skip = text.startsWith('skip: ') ? text.slice(6) : false;

describe('ingest: bulk mbox (nouveau 2020)', { skip }, () => {
	const slices: Array<{ text: string; startLine: number }> = [];
	const messages: Message[] = [];
	const CHUNK = 64 * 1024;
	const stream = new MboxStream();
	let i = 0;
	const take = (got: Array<{ text: string; startLine: number }>): void => {
		for (const s of got) {
			slices.push(s);
			messages.push(parseMessage(s.text, s.startLine, i++, { prefilter: true }));
		}
	};
	if (!skip) {
		for (let pos = 0; pos < text.length; pos += CHUNK) {
			take(stream.push(text.slice(pos, pos + CHUNK)));
		}
		take(stream.end());
	}

	it('reads 2,468 messages', () => {
		assert.equal(messages.length, 2468);
	});

	it('each message starts at its From_ line; the slices cover the document', () => {
		assert.equal(slices.map((s) => s.text).join(''), text);
		const starts = new Set<number>();
		let line = 0;
		let from = 0;
		for (;;) {
			if (text.startsWith('From ', from)) {
				starts.add(line);
			}
			const nl = text.indexOf('\n', from);
			if (nl < 0) {
				break;
			}
			from = nl + 1;
			line++;
		}
		for (const m of messages) {
			assert.ok(starts.has(m.range.start.line), `message ${m.index} starts on a From_ line`);
		}
	});

	it('never skips a message that mentions migrate_vma or carries a hunk', () => {
		let withApi = 0;
		for (let k = 0; k < slices.length; k++) {
			if (slices[k].text.includes('migrate_vma') || /^[> ]*@@ -\d/m.test(slices[k].text)) {
				withApi++;
				assert.notEqual(messages[k].skipped, true, `message ${k}`);
			}
		}
		assert.ok(withApi > 100);
		assert.ok(messages.some((m) => m.skipped === true));
	});

	it('reads headers of every message and the diffs of the patches', () => {
		assert.ok(messages.filter((m) => m.subject.raw.length > 0).length >= 2460);
		assert.ok(messages.filter((m) => m.dateMs !== undefined).length >= 2460);
		const patches = messages.filter((m) => m.files.some((f) => f.quoteDepth === 0));
		assert.ok(patches.length > 1000);
		for (const m of messages) {
			for (const f of m.files) {
				for (const h of f.hunks) {
					assert.ok(h.header.text.startsWith('@@ '));
				}
			}
		}
	});
});
