/*
 * Rule documentation on disk: docs/rules/<id>.md inside the extension (node-only; the core never
 * reads files). Diagnostics link to these files and hovers link to them from pitfall lists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const RULE_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/**
 * The extension's install folder: the nearest folder at or above `start` that has `docs/rules`
 * (the bundled server runs from `dist/`, the sources from `server/src/`).
 */
export function findExtensionRoot(start: string = __dirname): string | undefined {
	let dir = path.resolve(start);
	for (let i = 0; i < 6; i++) {
		if (fs.existsSync(path.join(dir, 'docs', 'rules'))) {
			return dir;
		}
		const up = path.dirname(dir);
		if (up === dir) {
			break;
		}
		dir = up;
	}
	return undefined;
}

export class RuleDocs {
	private readonly exists = new Map<string, boolean>();

	constructor(readonly root: string | undefined) { }

	/** The path of a rule's documentation, when the file is there. */
	ruleDocPath(id: string): string | undefined {
		if (!this.root || typeof id !== 'string' || !RULE_ID.test(id)) {
			return undefined;
		}
		const p = path.join(this.root, 'docs', 'rules', `${id}.md`);
		let ok = this.exists.get(id);
		if (ok === undefined) {
			ok = fs.existsSync(p);
			this.exists.set(id, ok);
		}
		return ok ? p : undefined;
	}

	/** A `file:` URI of the rule's documentation (for diagnostic code descriptions and hover links). */
	ruleDocUri(id: string): string | undefined {
		const p = this.ruleDocPath(id);
		return p ? pathToFileURL(p).toString() : undefined;
	}

	/** The markdown of a rule's documentation, or undefined. */
	ruleDocMarkdown(id: string): string | undefined {
		const p = this.ruleDocPath(id);
		if (!p) {
			return undefined;
		}
		try {
			return fs.readFileSync(p, 'utf8');
		} catch {
			return undefined;
		}
	}

	/** Ids of every documented rule. */
	ruleIds(): string[] {
		if (!this.root) {
			return [];
		}
		try {
			return fs.readdirSync(path.join(this.root, 'docs', 'rules'))
				.filter((f) => f.endsWith('.md'))
				.map((f) => f.slice(0, -3))
				.filter((id) => RULE_ID.test(id))
				.sort();
		} catch {
			return [];
		}
	}
}

let shared: RuleDocs | undefined;

function defaultDocs(): RuleDocs {
	shared ??= new RuleDocs(findExtensionRoot());
	return shared;
}

/** docs/rules/<id>.md of this installation, when it exists. */
export function ruleDocPath(id: string): string | undefined {
	return defaultDocs().ruleDocPath(id);
}

/** The markdown of docs/rules/<id>.md of this installation, when it exists. */
export function ruleDocMarkdown(id: string): string | undefined {
	return defaultDocs().ruleDocMarkdown(id);
}
