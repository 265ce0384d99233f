import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
	KERNEL_RELEASES, NEWEST_KERNEL, OLDEST_KERNEL, atLeast, cmpKernel, formatKernel, kernelForDate,
	kernelTargetForDate, nextKernel, parseKernel,
} from '../../server/src/core/model/kernel';

const day = (s: string) => Date.parse(`${s}T12:00:00Z`);

describe('parseKernel / formatKernel', () => {
	it('reads the usual spellings', () => {
		const cases: [string, string][] = [
			['6.1', '6.1'], ['v5.8', '5.8'], ['6.1.0-rc3', '6.1'], ['6.1-rc3', '6.1'], ['7.0', '7.0'],
			['  6.12.4 ', '6.12'], ['Linux 6.6', '6.6'], ['V4.14', '4.14'], ['6.10', '6.10'],
		];
		for (const [s, want] of cases) {
			const v = parseKernel(s);
			assert.ok(v, s);
			assert.equal(formatKernel(v), want, s);
		}
	});
	it('keeps 6.10 apart from 6.1', () => {
		assert.notEqual(cmpKernel(parseKernel('6.10')!, parseKernel('6.1')!), 0);
		assert.ok(cmpKernel(parseKernel('6.10')!, parseKernel('6.9')!) > 0);
	});
	it('rejects what is not a version', () => {
		for (const s of ['', '6', 'v', 'six.one', '6.x', '6.1abc', 'rc3', '.1']) {
			assert.equal(parseKernel(s), undefined, JSON.stringify(s));
		}
		assert.equal(parseKernel(undefined as unknown as string), undefined);
	});
});

describe('cmpKernel / atLeast', () => {
	it('orders by major then minor', () => {
		assert.ok(cmpKernel({ major: 5, minor: 19 }, { major: 6, minor: 0 }) < 0);
		assert.ok(cmpKernel({ major: 7, minor: 0 }, { major: 6, minor: 19 }) > 0);
		assert.equal(cmpKernel({ major: 5, minor: 9 }, { major: 5, minor: 9 }), 0);
	});
	it('atLeast compares against a version string', () => {
		const v = parseKernel('5.9')!;
		assert.equal(atLeast(v, '5.9'), true);
		assert.equal(atLeast(v, '5.8'), true);
		assert.equal(atLeast(v, '5.10'), false);
		assert.equal(atLeast(v, 'nonsense'), false);
	});
});

describe('release table and dates', () => {
	it('is ordered by version and by date, from 4.13 to the newest', () => {
		for (let i = 1; i < KERNEL_RELEASES.length; i++) {
			assert.ok(cmpKernel(KERNEL_RELEASES[i - 1].version, KERNEL_RELEASES[i].version) < 0);
			assert.ok(KERNEL_RELEASES[i - 1].date < KERNEL_RELEASES[i].date);
			assert.deepEqual(nextKernel(KERNEL_RELEASES[i - 1].version), KERNEL_RELEASES[i].version);
		}
		assert.deepEqual(KERNEL_RELEASES[KERNEL_RELEASES.length - 1].version, NEWEST_KERNEL);
		assert.equal(formatKernel(NEWEST_KERNEL), '7.0');
	});
	it('maps dates to the release out on that day', () => {
		assert.equal(formatKernel(kernelForDate(day('2019-11-24'))), '5.4');
		assert.equal(formatKernel(kernelForDate(day('2019-11-23'))), '5.3');
		assert.equal(formatKernel(kernelForDate(day('2020-08-02'))), '5.8');
		assert.equal(formatKernel(kernelForDate(day('2020-10-11'))), '5.9');
		assert.equal(formatKernel(kernelForDate(day('2022-12-11'))), '6.1');
		assert.equal(formatKernel(kernelForDate(day('2023-01-15'))), '6.1');
	});
	it('clamps to the modelled range', () => {
		assert.deepEqual(kernelForDate(day('2015-01-01')), OLDEST_KERNEL);
		assert.deepEqual(kernelForDate(day('2099-01-01')), NEWEST_KERNEL);
		assert.deepEqual(kernelForDate(Number.NaN), NEWEST_KERNEL);
	});
	it('a patch posted in a merge window targets the next release, later postings the one after', () => {
		// 5.3 came out on 2019-09-15: the 5.4 merge window was open.
		assert.equal(formatKernel(kernelTargetForDate(day('2019-09-20'))), '5.4');
		// 5.2 came out on 2019-07-07; in August 5.3 was in -rc, so new work (the v3 of "turn migrate_vma upside down") went to 5.4.
		assert.equal(formatKernel(kernelTargetForDate(day('2019-08-14'))), '5.4');
		// 5.8 came out on 2020-08-02: merge window for 5.9.
		assert.equal(formatKernel(kernelTargetForDate(day('2020-08-05'))), '5.9');
		// 6.0 came out on 2022-10-02; the 6.1 merge window had closed by 2022-10-20.
		assert.equal(formatKernel(kernelTargetForDate(day('2022-10-20'))), '6.2');
		// 4.20 (2018-12-23) is followed by 5.0, then 5.1.
		assert.equal(formatKernel(kernelTargetForDate(day('2019-02-01'))), '5.1');
		assert.equal(formatKernel(kernelTargetForDate(day('2026-03-01'))), '7.0');
		// 4.13 came out on 2017-09-03: by October new work targeted 4.15.
		assert.equal(formatKernel(kernelTargetForDate(day('2017-10-01'))), '4.15');
		assert.deepEqual(kernelTargetForDate(day('2012-01-01')), OLDEST_KERNEL);
		assert.deepEqual(kernelTargetForDate(day('2099-01-01')), NEWEST_KERNEL);
	});
	it('nextKernel renames the series after x.19', () => {
		assert.equal(formatKernel(nextKernel({ major: 6, minor: 19 })), '7.0');
		assert.equal(formatKernel(nextKernel({ major: 4, minor: 20 })), '5.0');
		assert.equal(formatKernel(nextKernel({ major: 5, minor: 19 })), '6.0');
		assert.equal(formatKernel(nextKernel({ major: 7, minor: 0 })), '7.1');
	});
});
