import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ingestText } from '../../server/src/core/ingest/index';
import type { Message } from '../../server/src/core/ingest/types';
import { seriesKeys, ThreadWindow } from '../../cli/threadWindow';
import { checkFiles } from '../../cli/check';
import { corpusFiles } from '../corpus';

const DIFF = 'diff --git a/drivers/gpu/x.c b/drivers/gpu/x.c\n--- a/drivers/gpu/x.c\n+++ b/drivers/gpu/x.c\n@@ -1,1 +1,2 @@\n int a;\n+int b;\n';

function mail(headers: Record<string, string>): string {
	const h = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n');
	return `From mboxrd@z Thu Jan  1 00:00:00 1970\n${h}\n\n${DIFF}`;
}

function messages(...mails: string[]): Message[] {
	return ingestText(mails.join('\n')).messages;
}

function subjects(groups: Message[][]): string[][] {
	return groups.map((g) => g.map((m) => m.subject.raw)).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('streamed series (ThreadWindow)', () => {
	it('holds a thread together, including replies that name only their parent', () => {
		const ms = messages(
			mail({ Subject: '[PATCH 0/2] a', 'Message-ID': '<a0@x>' }),
			mail({ Subject: '[PATCH 1/2] a', 'Message-ID': '<a1@x>', 'In-Reply-To': '<a0@x>', References: '<a0@x>' }),
			mail({ Subject: 'Re: [PATCH 1/2] a', 'Message-ID': '<r1@x>', 'In-Reply-To': '<a1@x>' }),
			mail({ Subject: '[PATCH] b', 'Message-ID': '<b@x>' }),
			mail({ Subject: '[PATCH 2/3] c', 'Message-ID': '<c2@x>' }),
			mail({ Subject: '[PATCH 3/3] c', 'Message-ID': '<c3@x>' }),
		);
		assert.deepEqual(seriesKeys(ms[2]!), ['id:a1@x', 'id:r1@x']);
		const w = new ThreadWindow(100);
		ms.forEach((m, i) => w.add(m, i));
		assert.equal(w.size, 6);
		assert.deepEqual(w.due(50), []);
		assert.deepEqual(subjects(w.rest()), [
			['[PATCH 0/2] a', '[PATCH 1/2] a', 'Re: [PATCH 1/2] a'],
			['[PATCH 2/3] c', '[PATCH 3/3] c'],
			['[PATCH] b'],
		]);
		assert.equal(w.size, 0);
	});

	it('lets a series go once nothing of it came within the horizon, and starts afresh after', () => {
		const [root, reply, late] = messages(
			mail({ Subject: '[PATCH] a', 'Message-ID': '<a@x>' }),
			mail({ Subject: 'Re: [PATCH] a', 'Message-ID': '<r@x>', 'In-Reply-To': '<a@x>' }),
			mail({ Subject: 'Re: [PATCH] a', 'Message-ID': '<l@x>', 'In-Reply-To': '<a@x>' }),
		);
		const w = new ThreadWindow(10);
		w.add(root!, 0);
		w.add(reply!, 8);
		assert.deepEqual(w.due(18), [], 'the reply came 10 characters ago: still waited for');
		assert.deepEqual(subjects(w.due(19)), [['[PATCH] a', 'Re: [PATCH] a']]);
		w.add(late!, 40);
		assert.deepEqual(subjects(w.rest()), [['Re: [PATCH] a']]);
	});

	it('never holds more than its size: the series started first goes when it is full', () => {
		const [a0, b0, a1] = messages(
			mail({ Subject: '[PATCH] a', 'Message-ID': '<a@x>' }),
			mail({ Subject: '[PATCH] b', 'Message-ID': '<b@x>' }),
			mail({ Subject: 'Re: [PATCH] a', 'Message-ID': '<r@x>', 'In-Reply-To': '<a@x>' }),
		);
		const w = new ThreadWindow(1000, 250);
		w.add(a0!, 0, 100);
		w.add(b0!, 1, 100);
		assert.deepEqual(w.due(2), []);
		w.add(a1!, 2, 100);
		assert.equal(w.chars, 300);
		assert.deepEqual(subjects(w.due(3)), [['[PATCH] a', 'Re: [PATCH] a']]);
		assert.equal(w.chars, 100);
		assert.deepEqual(subjects(w.rest()), [['[PATCH] b']]);
		assert.equal(w.chars, 0);
	});

	it('gives the findings of reading the file whole when a corpus mbox is streamed', async (t) => {
		const mails = corpusFiles('mail');
		if (mails.length === 0) {
			t.skip('no corpus');
			return;
		}
		const text = mails.map((f) => {
			const m = fs.readFileSync(f, 'utf8').replace(/\r\n/g, '\n');
			return (m.startsWith('From ') ? m : `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m}`).replace(/\n*$/, '\n');
		}).join('\n');
		const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-stream-')), 'corpus.mbox');
		fs.writeFileSync(file, text);
		const wasmDir = path.join(__dirname, '..', '..', 'dist');
		const [whole] = await checkFiles([file], { wasmDir });
		const [streamed] = await checkFiles([file], { wasmDir, streamThreshold: 1 });
		// as the CLI prints them (a streamed finding is a JSON copy)
		const json = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
		assert.ok(whole!.findings.length > 20);
		assert.deepEqual(json(streamed!.findings), json(whole!.findings));
		assert.equal(streamed!.callSites, whole!.callSites);
		assert.equal(streamed!.messages, whole!.messages);
		assert.equal(streamed!.kernel, whole!.kernel);
	});

	it('judges a part with the earlier part of its series, as a whole read does', async () => {
		// part 2 calls a function that part 1 adds (after the kernel of the mails' date)
		const part1 = mail({ Subject: '[PATCH 1/2] mm: add migrate_device_pfns()', 'Message-ID': '<p1@x>', Date: 'Mon, 4 Jan 2021 10:00:00 +0000' }).replace(DIFF,
			'diff --git a/mm/migrate_device.c b/mm/migrate_device.c\n--- a/mm/migrate_device.c\n+++ b/mm/migrate_device.c\n@@ -10,3 +10,8 @@\n \treturn 0;\n }\n \n'
			+ '+int migrate_device_pfns(unsigned long *src_pfns, unsigned long npages)\n+{\n+\treturn 0;\n+}\n+\n');
		const part2 = mail({ Subject: '[PATCH 2/2] drm/gpux: evict with it', 'Message-ID': '<p2@x>', 'In-Reply-To': '<p1@x>', References: '<p1@x>', Date: 'Mon, 4 Jan 2021 10:00:01 +0000' }).replace(DIFF,
			'diff --git a/drivers/gpu/drm/gpux/svm.c b/drivers/gpu/drm/gpux/svm.c\n--- a/drivers/gpu/drm/gpux/svm.c\n+++ b/drivers/gpu/drm/gpux/svm.c\n@@ -40,5 +40,6 @@ static int gpux_evict(struct gpux_chunk *chunk)\n {\n'
			+ ' \tunsigned long *src = chunk->src;\n \n+\tmigrate_device_pfns(src, chunk->npages);\n \tmigrate_device_pages(src, chunk->dst, chunk->npages);\n \tmigrate_device_finalize(src, chunk->dst, chunk->npages);\n');
		const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-stream-')), 'series.mbox');
		fs.writeFileSync(file, `${part1}\n${part2}`);
		const wasmDir = path.join(__dirname, '..', '..', 'dist');
		const rules = (r: { findings: Array<{ rule: string }> } | undefined): string[] => r!.findings.map((f) => f.rule);
		const [whole] = await checkFiles([file], { wasmDir });
		const [streamed] = await checkFiles([file], { wasmDir, streamThreshold: 1 });
		// every message let go at once: part 2 alone uses a name that does not exist yet
		const [alone] = await checkFiles([file], { wasmDir, streamThreshold: 1, seriesHorizon: -1 });
		assert.equal(whole!.messages, 2);
		assert.deepEqual(rules(streamed), rules(whole));
		assert.ok(!rules(whole).includes('api-not-in-kernel'));
		assert.ok(rules(alone).includes('api-not-in-kernel'));
	});
});
