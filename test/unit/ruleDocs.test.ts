import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuleDocs, findExtensionRoot } from '../../server/src/ruleDocs';

describe('rule documentation on disk', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-ruledocs-'));
	fs.mkdirSync(path.join(dir, 'docs', 'rules'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'docs', 'rules', 'finalize-missing.md'), '# finalize-missing\n\nText.\n');
	fs.writeFileSync(path.join(dir, 'secret.md'), 'not a rule doc');
	fs.mkdirSync(path.join(dir, 'dist'));
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('finds the extension root from the bundle folder', () => {
		assert.equal(findExtensionRoot(path.join(dir, 'dist')), dir);
		assert.equal(findExtensionRoot(path.join(dir, 'docs', 'rules')), dir);
	});

	it('reads a rule doc by id, with its file URI', () => {
		const docs = new RuleDocs(dir);
		const p = path.join(dir, 'docs', 'rules', 'finalize-missing.md');
		assert.equal(docs.ruleDocPath('finalize-missing'), p);
		assert.equal(docs.ruleDocUri('finalize-missing'), pathToFileURL(p).toString());
		assert.match(docs.ruleDocMarkdown('finalize-missing') ?? '', /^# finalize-missing/);
		assert.deepEqual(docs.ruleIds(), ['finalize-missing']);
	});

	it('refuses ids that are not rule ids', () => {
		const docs = new RuleDocs(dir);
		for (const id of ['no-such-rule', '../secret', '../../secret', 'Finalize-Missing', '', 'a/b']) {
			assert.equal(docs.ruleDocPath(id), undefined, id);
			assert.equal(docs.ruleDocMarkdown(id), undefined, id);
		}
		assert.equal(new RuleDocs(undefined).ruleDocPath('finalize-missing'), undefined);
	});
});
