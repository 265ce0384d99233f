import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { copyTree, type AstNode } from '../../server/src/core/extract/ast';
import { isCFile } from '../../server/src/core/extract/index';
import { patchUnits } from '../../server/src/core/extract/source';
import { ingestText } from '../../server/src/core/ingest/index';
import { corpusFiles } from '../corpus';

let parser: Parser;

before(async () => {
	await Parser.init();
	const lang = await Language.load(path.join(__dirname, '..', '..', 'node_modules', 'tree-sitter-c', 'tree-sitter-c.wasm'));
	parser = new Parser();
	parser.setLanguage(lang);
});

/** The plain copy: every property of every node read from the cursor. */
function reference(tree: Tree): Omit<AstNode, 'parent' | 'src'>[] {
	const out: Omit<AstNode, 'parent' | 'src'>[] = [];
	const c = tree.walk();
	const walk = (): Omit<AstNode, 'parent' | 'src'> => {
		const n = {
			type: c.nodeType, named: c.nodeIsNamed, missing: c.nodeIsMissing, field: c.currentFieldName ?? null,
			start: c.startPosition, end: c.endPosition, startIndex: c.startIndex, endIndex: c.endIndex, children: [] as never[],
		};
		if (c.gotoFirstChild()) {
			do {
				(n.children as unknown[]).push(walk());
			} while (c.gotoNextSibling());
			c.gotoParent();
		}
		return n;
	};
	out.push(walk());
	c.delete();
	return out;
}

function plainOf(n: AstNode): unknown {
	return { type: n.type, named: n.named, missing: n.missing, field: n.field, start: n.start, end: n.end, startIndex: n.startIndex, endIndex: n.endIndex, children: n.children.map(plainOf) };
}

function check(src: string, what: string): boolean {
	const tree = parser.parse(src)!;
	try {
		const copy = copyTree(tree, src);
		assert.deepEqual(plainOf(copy), reference(tree)[0], what);
		const parents = (n: AstNode): void => n.children.forEach((k) => {
			assert.equal(k.parent, n);
			parents(k);
		});
		parents(copy);
		return tree.rootNode.hasError;
	} finally {
		tree.delete();
	}
}

describe('copyTree', () => {
	it('copies what the cursor reports, node for node, with and without syntax errors', () => {
		const cases: Array<[string, boolean]> = [
			['static int f(struct migrate_vma *args)\n{\n\tif (!args->cpages)\n\t\treturn -ENOMEM;\n\treturn args->npages + 1;\n}\n', false],
			// an aliased token written apart from its type (`# define` is a `#define` node)
			['#  define  X(a) ((a) + 1)\n#\tifdef CONFIG_X\nint x = X(2);\n#endif\n', false],
			// a line continuation between tokens, and CRLF line ends
			['int g(void)\r\n{\r\n\treturn a \\\n\t\t+ b;\r\n}\r\n', false],
			// text beyond the basic plane: indexes are UTF-16 units
			['const char *s = "\u{1F600} ok"; /* \u00e9t\u00e9 */ int y = s[0];\n', false],
			// missing tokens and error nodes
			['void h(void) {\n\tfoo(a;\n\tif (x\n\t\tbar();\n', true],
			['int a = ;\n}}} int b[ = { 1, 2\n', true],
		];
		for (const [src, hasError] of cases) {
			assert.equal(check(src, JSON.stringify(src)), hasError, JSON.stringify(src));
		}
	});

	it('matches the cursor on every parse unit of the corpus mails', (t) => {
		const mails = corpusFiles('mail');
		if (mails.length === 0) {
			t.skip('no corpus');
			return;
		}
		let clean = 0;
		let broken = 0;
		for (const file of mails) {
			for (const m of ingestText(fs.readFileSync(file, 'utf8')).messages) {
				for (const f of m.files) {
					if (f.binary || !isCFile(f.path)) {
						continue;
					}
					for (const image of ['post', 'pre'] as const) {
						for (const u of patchUnits(f, image)) {
							if (check(u.text, `${path.basename(file)} ${f.path} ${image}`)) {
								broken++;
							} else {
								clean++;
							}
						}
					}
				}
			}
		}
		assert.ok(clean > 50 && broken > 50, `both kinds of tree were compared (${clean} clean, ${broken} with errors)`);
	});
});
