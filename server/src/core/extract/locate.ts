/*
 * From tree-sitter points in a unit's text to `Loc`s in the original document.
 */

import { codeOffset, positionIn, type Unit } from './source';
import type { Loc } from './types';

export interface Point {
	row: number;
	column: number;
}

export class Locator {
	private readonly changed: number[];

	constructor(readonly unit: Unit) {
		// prefix counts of changed lines, for "does this node touch the change" in O(1).
		const keep = unit.image === 'post' ? '+' : '-';
		this.changed = [0];
		let n = 0;
		for (const l of unit.lines) {
			if (l.kind === keep) {
				n++;
			}
			this.changed.push(n);
		}
	}

	node(n: { start: Point; end: Point }): Loc {
		return this.range(n.start, n.end);
	}

	/** True when rows [a, b] hold a changed line of this image. */
	touches(a: number, b: number): boolean {
		const lines = this.unit.lines.length;
		const lo = Math.max(0, Math.min(a, lines));
		const hi = Math.max(lo, Math.min(b + 1, lines));
		return this.changed[hi]! - this.changed[lo]! > 0;
	}

	range(start: Point, end: Point): Loc {
		const u = this.unit;
		const lines = u.lines;
		const sr = Math.min(start.row, lines.length - 1);
		let er = Math.min(end.row, lines.length - 1);
		if (end.row > sr && end.column === 0 && end.row <= lines.length) {
			// a node ending at the start of a line ends on the previous one.
			er = Math.max(sr, end.row - 1);
		}
		const sl = lines[sr]!;
		let line: number;
		let character: number;
		let exact = false;
		if (sl.diff) {
			const p = positionIn(sl.diff.source, start.column + codeOffset(sl.diff));
			line = p.line;
			character = p.character;
			exact = sl.diff.source.origin.exact;
		} else {
			line = sl.anchor.origin.range.start.line;
			character = sl.anchor.origin.range.start.character;
		}
		// the end: on the last row the patch shows within [sr, er].
		let endLine = line;
		let endCharacter = character;
		let r = er;
		while (r > sr && !lines[r]!.diff) {
			r--;
		}
		const el = lines[r]!;
		if (el.diff) {
			const col = r === er && end.row === er ? end.column : el.text.length;
			const p = positionIn(el.diff.source, col + codeOffset(el.diff), true);
			endLine = p.line;
			endCharacter = p.character;
		} else if (!sl.diff) {
			endLine = sl.anchor.origin.range.end.line;
			endCharacter = sl.anchor.origin.range.end.character;
		}
		if (endLine < line || (endLine === line && endCharacter < character)) {
			endLine = line;
			endCharacter = character;
		}
		const kernelLine = sl.kernelLine;
		return {
			line, character, endLine, endCharacter, exact,
			kernelFile: u.file.path,
			...(kernelLine !== undefined ? { kernelLine } : {}),
			image: u.image,
			lineKind: sl.kind,
			touchesChange: this.touches(sr, er),
			quoteDepth: sl.diff?.source.quoteDepth ?? u.file.quoteDepth,
		};
	}
}
