import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_DOCUMENT_SIZE, DEFAULT_SETTINGS, readSettings } from '../../common/settings';

describe('settings', () => {
	it('fills every missing or malformed field with its default', () => {
		assert.deepEqual(readSettings(undefined), DEFAULT_SETTINGS);
		assert.deepEqual(readSettings('nonsense'), DEFAULT_SETTINGS);
		assert.deepEqual(readSettings({ kernelVersion: 6.1, severity: [], trace: 'x', kernelTree: 3, maxDocumentSize: -5 }), DEFAULT_SETTINGS);
		assert.equal(DEFAULT_SETTINGS.maxDocumentSize, DEFAULT_MAX_DOCUMENT_SIZE);
	});

	it('keeps valid values and normalises severities', () => {
		const s = readSettings({
			kernelVersion: ' 6.1 ',
			severity: { 'finalize-missing': 'Error', 'cpages-as-success': 'information', 'pin-blocks-migration': 'off', 'bad': 'loud', 'n': 3 },
			trace: { server: 'verbose' },
			kernelTree: ' /src/linux ',
			maxDocumentSize: 1234.9,
		});
		assert.deepEqual(s, {
			kernelVersion: '6.1',
			severity: { 'finalize-missing': 'error', 'cpages-as-success': 'info', 'pin-blocks-migration': 'off' },
			trace: { server: 'verbose' },
			kernelTree: '/src/linux',
			maxDocumentSize: 1234,
		});
	});
});
