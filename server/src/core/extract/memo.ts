/*
 * Facts of one file of a patch in one image, kept by what they are computed from: the file's
 * hunks (texts, markers, line numbers, sections) and where each of their lines sits in the
 * document. The same hunks come again when a message is edited elsewhere (the editor re-reads the
 * message, but its diff did not change), when a reply quotes them, when a patch is re-sent or
 * cross-posted, or when an archive holds the same mail twice.
 *
 * The key counts document lines from the file's header line, so a file that only moved (lines
 * were added or removed above it) is a hit as well: its facts are then copied with every
 * location moved by the same number of lines. Facts are plain data and nothing changes them once
 * extracted, so a hit at the same place hands back the very same object.
 */

import type { FileDiff, LineOrigin, RecoveredLine } from '../ingest/types';
import { DocLine } from '../ingest/lines';
import type { FileFacts, Image } from './types';
import { TextLru } from './lru';

/**
 * Default size of the memo, in characters of keys (about the hunk text it stands for, twice). On
 * the 2020 nouveau archive a memo of every file (3.8M key characters) held 22 MB of keys and
 * facts, about 6 bytes a key character: 1M characters cost some 6 MB.
 */
export const FACTS_MEMO_CHARS = 1024 * 1024;

const SEP = '\u0001';

function originKey(o: LineOrigin, base: number): string {
	let k = `${o.range.start.line - base},${o.range.start.character},${o.range.end.line - base},${o.range.end.character},${o.exact ? 1 : 0}`;
	for (const s of o.segments) {
		k += `;${s.col},${s.line - base},${s.character}`;
	}
	return k;
}

function lineKey(l: RecoveredLine, base: number): string {
	const where = l instanceof DocLine ? `@${l.docLine - base},${l.docCh}` : originKey(l.origin, base);
	return `${l.quoteDepth}${l.flattened ? 'f' : ''}${where}${SEP}${l.text}`;
}

/** The first document line of a file's diff: the line its locations are counted from in the key. */
export function baseLine(f: FileDiff): number {
	const h = f.header;
	return h instanceof DocLine ? h.docLine : h.origin.range.start.line;
}

/**
 * Everything `extractFile` reads of a file (without a kernel tree), in one string, with document
 * lines counted from `base`.
 */
export function fileKey(f: FileDiff, image: Image, base: number): string {
	const parts: string[] = [image, f.path, f.oldPath ?? '\u0002', f.newPath ?? '\u0002', String(f.quoteDepth), f.binary ? 'b' : '', lineKey(f.header, base)];
	for (const h of f.hunks) {
		parts.push(`@${h.oldStart},${h.oldCount},${h.newStart},${h.newCount},${h.quoteDepth},${h.countsMatch === false ? 0 : 1}`, h.section, lineKey(h.header, base));
		for (const d of h.lines) {
			parts.push(`${d.kind}${d.oldLine ?? ''},${d.newLine ?? ''}`, d.text, lineKey(d.source, base));
		}
	}
	return parts.join(SEP);
}

function isLoc(x: Record<string, unknown>): boolean {
	return typeof x.line === 'number' && typeof x.endLine === 'number' && typeof x.endCharacter === 'number' && typeof x.image === 'string';
}

/** A copy of `facts` with every location moved down by `delta` lines (shared objects stay shared). */
export function shiftFacts(facts: FileFacts, delta: number): FileFacts {
	const seen = new Map<object, unknown>();
	const copy = (x: unknown): unknown => {
		if (x === null || typeof x !== 'object') {
			return x;
		}
		const done = seen.get(x);
		if (done !== undefined) {
			return done;
		}
		if (Array.isArray(x)) {
			const out: unknown[] = [];
			seen.set(x, out);
			for (const v of x) {
				out.push(copy(v));
			}
			return out;
		}
		const src = x as Record<string, unknown>;
		const out: Record<string, unknown> = {};
		seen.set(x, out);
		for (const k of Object.keys(src)) {
			out[k] = copy(src[k]);
		}
		if (isLoc(src)) {
			out.line = (src.line as number) + delta;
			out.endLine = (src.endLine as number) + delta;
		}
		return out;
	};
	return copy(facts) as FileFacts;
}

interface Entry {
	base: number;
	facts: FileFacts;
}

/** Facts by file key, least recently used first out, bounded by the characters of its keys. */
export class FactsMemo {
	private readonly lru: TextLru<Entry>;
	hits = 0;
	moved = 0;
	misses = 0;

	constructor(readonly maxChars: number = FACTS_MEMO_CHARS) {
		this.lru = new TextLru(maxChars);
	}

	/** The facts of `f` in `image`, from the memo or from `make` (whose result is then kept). */
	get(f: FileDiff, image: Image, make: () => FileFacts): FileFacts {
		const base = baseLine(f);
		const key = fileKey(f, image, base);
		const hit = this.lru.get(key);
		if (hit) {
			if (hit.base === base) {
				this.hits++;
				return hit.facts;
			}
			this.moved++;
			const moved = { base, facts: shiftFacts(hit.facts, base - hit.base) };
			this.lru.set(key, moved);
			return moved.facts;
		}
		this.misses++;
		const facts = make();
		this.lru.set(key, { base, facts });
		return facts;
	}

	clear(): void {
		this.lru.clear();
	}
}
