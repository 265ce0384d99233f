/*
 * Output formats of `migrate-lens check` (Contract 1): text like a compiler, JSON, SARIF 2.1.0.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckedFile } from './check';
import type { Finding } from '../server/src/core/findings';
import { TOOL_NAME, TOOL_VERSION } from '../server/src/core/version';
import { ALL_RULES } from '../server/src/core/rules/index';

function quoted(f: Finding): string {
	return f.quoteDepth > 0 ? ` (in quoted code, depth ${f.quoteDepth})` : '';
}

/** `FILE:LINE:COL: SEVERITY: MESSAGE [rule-id]`, 1-based. */
export function formatText(files: CheckedFile[]): string {
	const out: string[] = [];
	for (const file of files) {
		for (const f of file.findings) {
			out.push(`${file.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity}: ${f.message}${quoted(f)} [${f.rule}]`);
		}
	}
	return out.length ? out.join('\n') + '\n' : '';
}

export function formatJson(files: CheckedFile[]): string {
	const doc = {
		tool: { name: TOOL_NAME, version: TOOL_VERSION },
		files: files.map((file) => ({
			path: file.path,
			kernel: file.kernel,
			messages: file.messages,
			callSites: file.callSites,
			...(file.error ? { error: file.error } : {}),
			findings: file.findings.map((f) => ({
				rule: f.rule,
				severity: f.severity,
				message: f.message,
				line: f.range.start.line + 1,
				column: f.range.start.character + 1,
				endLine: f.range.end.line + 1,
				endColumn: f.range.end.character + 1,
				kernelFile: f.kernelFile ?? null,
				kernelLine: f.kernelLine ?? null,
				quoteDepth: f.quoteDepth,
				subject: f.subject ?? null,
				kernel: f.kernel,
				kernelSource: f.kernelSource ?? null,
				messageIndex: f.messageIndex,
				related: (f.related ?? []).map((r) => ({ line: r.range.start.line + 1, column: r.range.start.character + 1, message: r.message })),
			})),
		})),
	};
	return JSON.stringify(doc, null, 2) + '\n';
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** SARIF wants a URI: `file://` for absolute paths, a relative reference otherwise. */
function artifactUri(p: string): string {
	if (path.isAbsolute(p)) {
		return pathToFileURL(p).href;
	}
	return p.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export function formatSarif(files: CheckedFile[]): string {
	const ruleIds = ['ingest', ...ALL_RULES.map((r) => r.id)];
	const rules = [
		{ id: 'ingest', shortDescription: { text: 'A problem met while reading the patch mail.' }, defaultConfiguration: { level: 'note' } },
		...ALL_RULES.map((r) => ({
			id: r.id,
			shortDescription: { text: r.title },
			helpUri: `https://example.invalid/migrate-lens/docs/rules/${r.id}.md`,
			defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
			properties: { group: r.group },
		})),
	];
	const results = [];
	for (const file of files) {
		for (const f of file.findings) {
			const region = {
				startLine: f.range.start.line + 1,
				startColumn: f.range.start.character + 1,
				endLine: f.range.end.line + 1,
				endColumn: f.range.end.character + 1,
			};
			const index = ruleIds.indexOf(f.rule);
			results.push({
				ruleId: f.rule,
				...(index >= 0 ? { ruleIndex: index } : {}),
				level: SARIF_LEVEL[f.severity],
				message: { text: `${f.message}${quoted(f)}` },
				locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(file.path) }, region } }],
				...(f.related?.length ? {
					relatedLocations: f.related.map((r, i) => ({
						id: i,
						message: { text: r.message },
						physicalLocation: { artifactLocation: { uri: artifactUri(file.path) }, region: { startLine: r.range.start.line + 1, startColumn: r.range.start.character + 1 } },
					})),
				} : {}),
				properties: { kernel: f.kernel, quoteDepth: f.quoteDepth, kernelFile: f.kernelFile ?? null, kernelLine: f.kernelLine ?? null, subject: f.subject ?? null },
			});
		}
	}
	const sarif = {
		$schema: 'https://json.schemastore.org/sarif-2.1.0.json',
		version: '2.1.0',
		runs: [{
			tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: 'https://example.invalid/migrate-lens', rules } },
			artifacts: files.map((f) => ({ location: { uri: artifactUri(f.path) } })),
			results,
		}],
	};
	return JSON.stringify(sarif, null, 2) + '\n';
}
