/*
 * The document outline: messages → patches (the diff a message carries, and each quoted diff by
 * quote depth) → files → hunks. Ranges nest: a parent's range always covers its children.
 */
import type { DocRange, FileDiff, Hunk, Message, PatchDocument, Pos } from '../ingest/types';
import { cmpPos, type DocLines } from './common';

export type OutlineKind = 'message' | 'patch' | 'file' | 'hunk';

export interface OutlineSymbol {
	name: string;
	detail?: string;
	kind: OutlineKind;
	range: DocRange;
	/** Inside `range`: what the editor highlights when the symbol is picked. */
	selectionRange: DocRange;
	children: OutlineSymbol[];
}

function minPos(a: Pos, b: Pos): Pos {
	return cmpPos(a, b) <= 0 ? a : b;
}

function maxPos(a: Pos, b: Pos): Pos {
	return cmpPos(a, b) >= 0 ? a : b;
}

function union(a: DocRange, b: DocRange): DocRange {
	return { start: minPos(a.start, b.start), end: maxPos(a.end, b.end) };
}

function clampInto(r: DocRange, outer: DocRange): DocRange {
	const start = maxPos(minPos(r.start, outer.end), outer.start);
	const end = maxPos(minPos(r.end, outer.end), start);
	return { start, end };
}

function counts(hunks: Hunk[]): { add: number; del: number } {
	let add = 0;
	let del = 0;
	for (const h of hunks) {
		for (const l of h.lines) {
			if (l.kind === '+') {
				add++;
			} else if (l.kind === '-') {
				del++;
			}
		}
	}
	return { add, del };
}

function hunkSymbol(h: Hunk): OutlineSymbol {
	const header = h.header.origin.range;
	let range = header;
	for (const l of h.lines) {
		range = union(range, l.source.origin.range);
	}
	const oldPart = h.oldCount === 1 ? `${h.oldStart}` : `${h.oldStart},${h.oldCount}`;
	const newPart = h.newCount === 1 ? `${h.newStart}` : `${h.newStart},${h.newCount}`;
	return {
		name: `@@ -${oldPart} +${newPart} @@`,
		detail: h.section.trim() || undefined,
		kind: 'hunk',
		range,
		selectionRange: clampInto(header, range),
		children: [],
	};
}

function fileSymbol(f: FileDiff): OutlineSymbol {
	const hunks = f.hunks.map(hunkSymbol);
	let range = f.header.origin.range;
	for (const h of hunks) {
		range = union(range, h.range);
	}
	const { add, del } = counts(f.hunks);
	const status = f.binary ? 'binary' : f.status && f.status !== 'modified' ? f.status : '';
	const rename = f.status === 'renamed' && f.oldPath && f.newPath ? `from ${f.oldPath}` : '';
	return {
		name: f.path,
		detail: [status, rename, `+${add} −${del}`].filter(Boolean).join(' '),
		kind: 'file',
		range,
		selectionRange: clampInto(f.header.origin.range, range),
		children: hunks,
	};
}

function patchName(depth: number): string {
	return depth === 0 ? 'patch' : `quoted patch (${'>'.repeat(depth)})`;
}

function subjectRange(m: Message, lines: DocLines | undefined): DocRange {
	const start = m.range.start;
	if (lines) {
		const last = Math.min(m.range.end.line, start.line + 80, lines.lineCount - 1);
		for (let l = start.line; l <= last; l++) {
			const text = lines.lineAt(l);
			if (text.length < 2000 && /^subject:/i.test(text)) {
				return { start: { line: l, character: 0 }, end: { line: l, character: text.length } };
			}
			if (text === '' && l > start.line) {
				break;
			}
		}
		const first = lines.lineAt(start.line);
		return { start, end: { line: start.line, character: Math.min(first.length, 2000) } };
	}
	return { start, end: start };
}

function messageSymbol(m: Message, lines: DocLines | undefined): OutlineSymbol {
	const byDepth = new Map<number, FileDiff[]>();
	for (const f of m.files) {
		const list = byDepth.get(f.quoteDepth);
		if (list) {
			list.push(f);
		} else {
			byDepth.set(f.quoteDepth, [f]);
		}
	}
	const patches: OutlineSymbol[] = [];
	for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
		const files = byDepth.get(depth)!.map(fileSymbol);
		let range = files[0].range;
		for (const f of files) {
			range = union(range, f.range);
		}
		const { add, del } = counts(byDepth.get(depth)!.flatMap((f) => f.hunks));
		patches.push({
			name: patchName(depth),
			detail: `${files.length} file${files.length === 1 ? '' : 's'}, +${add} −${del}`,
			kind: 'patch',
			range,
			selectionRange: files[0].selectionRange,
			children: files,
		});
	}
	let range = m.range;
	for (const p of patches) {
		range = union(range, p.range);
	}
	const from = m.headers.from === undefined ? undefined : senderName(m.headers.from);
	return {
		name: m.subject.raw || m.headers.subject || (m.files.length > 0 ? 'patch' : `message ${m.index + 1}`),
		detail: [from, m.headers.date].filter(Boolean).join(', ') || undefined,
		kind: 'message',
		range,
		selectionRange: clampInto(subjectRange(m, lines), range),
		children: patches,
	};
}

/**
 * A From value without its final `<address>` and without the quotes around the name: what
 * `.replace(/\s*<[^>]*>\s*$/, '').replace(/^"|"$/g, '')` leaves, linearly (the first expression
 * tried every `<` of the header, each up to its end).
 */
export function senderName(from: string): string {
	let name = from;
	const t = from.trimEnd();
	if (t.endsWith('>')) {
		const open = t.indexOf('<', t.lastIndexOf('>', t.length - 2) + 1);
		if (open >= 0) {
			let cut = open;
			while (cut > 0 && /\s/.test(from[cut - 1]!)) {
				cut--;
			}
			name = from.slice(0, cut);
		}
	}
	return name.replace(/^"|"$/g, '');
}

/**
 * The outline of a document. Messages without a diff are kept (a cover letter or a reply is a
 * place to jump to) unless the document has more than `maxMessages` of them (an mbox of a whole
 * list): then only messages with a diff are listed.
 */
export function documentOutline(doc: PatchDocument, lines?: DocLines, maxMessages = 2000): OutlineSymbol[] {
	const all = doc.messages;
	const keep = all.length > maxMessages ? all.filter((m) => m.files.length > 0) : all;
	return keep.map((m) => messageSymbol(m, lines));
}
