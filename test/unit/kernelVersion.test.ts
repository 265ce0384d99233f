/*
 * Which kernel a message is judged against (server/src/core/kernelVersion.ts): the order of the
 * sources, and the kernel a stable backport's subject names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ingestText } from '../../server/src/core/ingest/index';
import { kernelFromMakefile, kernelFromSubject, resolveKernel } from '../../server/src/core/kernelVersion';
import { parseSubject } from '../../server/src/core/ingest/headers';
import { NEWEST_KERNEL, formatKernel } from '../../server/src/core/model/kernel';

/** A one-message mail with the given subject and date, and a base-commit trailer when given. */
function mail(subject: string, date = 'Tue, 3 Mar 2020 10:00:00 +0000', base?: string) {
	const text = [
		'From: Dev <dev@example.invalid>',
		`Subject: ${subject}`,
		`Date: ${date}`,
		'Message-ID: <k@example.invalid>',
		'',
		'Body.',
		'',
		...(base ? [`base-commit: ${base}`, ''] : []),
	].join('\n');
	const msg = ingestText(text).messages[0];
	assert.ok(msg, 'the mail parses into one message');
	return msg;
}

const tags = (subject: string): string[] => parseSubject(subject).tags;

describe('kernelFromSubject', () => {
	it('reads the kernel of stable backports and AUTOSEL mails', () => {
		assert.deepEqual(kernelFromSubject(tags('[PATCH AUTOSEL 5.4 065/459] drm/nouveau: fix sizeof')), { major: 5, minor: 4 });
		assert.deepEqual(kernelFromSubject(tags('[PATCH 6.1 12/34] mm/migrate_device: fix')), { major: 6, minor: 1 });
		assert.deepEqual(kernelFromSubject(tags('[PATCH 5.10.y] mm: fix')), { major: 5, minor: 10 });
		assert.deepEqual(kernelFromSubject(tags('[PATCH for-6.6] mm: fix')), { major: 6, minor: 6 });
		assert.deepEqual(kernelFromSubject(tags('[PATCH linux-5.15.y] mm: fix')), { major: 5, minor: 15 });
		assert.deepEqual(kernelFromSubject(tags('[PATCH stable v5.4] mm: fix')), { major: 5, minor: 4 });
		assert.deepEqual(kernelFromSubject(tags('[PATCH 6.12.3] mm: fix')), { major: 6, minor: 12 });
	});

	it('takes no series position, patch version or other tag for a kernel', () => {
		assert.equal(kernelFromSubject(tags('[PATCH v3 2/7] mm: fix')), undefined);
		assert.equal(kernelFromSubject(tags('[RFC PATCH 1/4] mm: use current as owner')), undefined);
		assert.equal(kernelFromSubject(tags('[PATCH -next] mm: fix')), undefined);
		assert.equal(kernelFromSubject(tags('[PATCH 1.2] mm: fix')), undefined);
		assert.equal(kernelFromSubject(tags('[PATCH 9.9] mm: fix')), undefined, 'newer than any kernel modelled');
		assert.equal(kernelFromSubject(undefined), undefined);
	});
});

describe('resolveKernel', () => {
	it('takes the setting first, then the tree, then base-commit', () => {
		const m = mail('[PATCH AUTOSEL 5.4 1/2] x', undefined, 'abc123');
		const dates = (sha: string): number | undefined => (sha === 'abc123' ? Date.UTC(2022, 0, 15) : undefined);
		assert.deepEqual(resolveKernel(m, { explicit: '6.1', treeMakefile: 'VERSION = 5\nPATCHLEVEL = 10\n', commitDates: dates }), { version: { major: 6, minor: 1 }, text: '6.1', source: 'setting' });
		assert.equal(resolveKernel(m, { explicit: 'auto', treeMakefile: 'VERSION = 5\nPATCHLEVEL = 10\n', commitDates: dates }).source, 'tree');
		const fromBase = resolveKernel(m, { commitDates: dates });
		assert.equal(fromBase.source, 'base-commit');
		// Mid-January 2022 is the 5.17 merge window: a patch based there targets 5.17.
		assert.equal(fromBase.text, '5.17');
	});

	it('judges a stable backport by the kernel its subject names, not by the date it was posted', () => {
		// Posted in February 2020 (5.6 development), for the 5.4 stable tree.
		const m = mail('[PATCH AUTOSEL 5.4 065/459] drm/nouveau: fix', 'Fri, 14 Feb 2020 10:55:15 -0500');
		assert.deepEqual(resolveKernel(m, {}), { version: { major: 5, minor: 4 }, text: '5.4', source: 'subject' });
		const plain = mail('[PATCH] drm/nouveau: fix', 'Fri, 14 Feb 2020 10:55:15 -0500');
		const byDate = resolveKernel(plain, {});
		assert.equal(byDate.source, 'date');
		assert.notEqual(byDate.text, '5.4');
	});

	it('falls back to the newest kernel modelled without any source', () => {
		assert.deepEqual(resolveKernel(undefined, {}), { version: NEWEST_KERNEL, text: formatKernel(NEWEST_KERNEL), source: 'newest' });
	});

	it('reads VERSION and PATCHLEVEL from a Makefile, and nothing from other text', () => {
		assert.deepEqual(kernelFromMakefile('# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n'), { major: 6, minor: 12 });
		assert.equal(kernelFromMakefile('all:\n\techo hi\n'), undefined);
	});
});
