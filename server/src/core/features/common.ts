/*
 * Small helpers the feature modules share: reading document lines, finding the message and the
 * functions at a position, comparing positions.
 */
import type { Analysis, MessageAnalysis } from '../analyze';
import type { FunctionFacts, Loc } from '../extract/types';
import type { DocRange, Pos } from '../ingest/types';
import { splitLines } from '../ingest/lines';

/** Read access to the editor's text, line by line (0-based, without the line break). */
export interface DocLines {
	lineCount: number;
	lineAt(line: number): string;
	/** The line break the document uses (`\n` when not told). */
	eol?: string;
}

/** Lines of a whole text, split the way the editor splits them. */
export function linesOf(text: string): DocLines {
	const lines = splitLines(text);
	// A final line break starts one more (empty) editor line.
	if (text.length === 0 || /[\r\n]$/.test(text)) {
		lines.push('');
	}
	const crlf = text.indexOf('\r\n');
	const lf = text.indexOf('\n');
	return { lineCount: lines.length, lineAt: (n) => lines[n] ?? '', eol: crlf >= 0 && crlf + 1 === lf ? '\r\n' : '\n' };
}

export function cmpPos(a: Pos, b: Pos): number {
	return a.line - b.line || a.character - b.character;
}

/** Whether `p` lies in `r` (start inclusive, end inclusive so a cursor after the last char counts). */
export function inRange(p: Pos, r: DocRange): boolean {
	return cmpPos(p, r.start) >= 0 && cmpPos(p, r.end) <= 0;
}

export function locRange(loc: Loc): DocRange {
	return { start: { line: loc.line, character: loc.character }, end: { line: loc.endLine, character: loc.endCharacter } };
}

export function inLoc(p: Pos, loc: Loc): boolean {
	return inRange(p, locRange(loc));
}

/** The analysed message whose range holds the line (messages end where the next begins). */
export function messageAt(analysis: Analysis | undefined, pos: Pos): MessageAnalysis | undefined {
	if (!analysis) {
		return undefined;
	}
	let best: MessageAnalysis | undefined;
	for (const m of analysis.messages) {
		const r = m.message.range;
		if (pos.line >= r.start.line && (pos.line < r.end.line || (pos.line === r.end.line && r.end.character > 0) || r.end.line === r.start.line)) {
			return m;
		}
		if (r.start.line <= pos.line) {
			best = m;
		}
	}
	return best;
}

/** Post-image functions of a message, with their file path. */
export function postFunctions(m: MessageAnalysis | undefined): FunctionFacts[] {
	const out: FunctionFacts[] = [];
	for (const f of m?.facts?.files ?? []) {
		if (f.image === 'post') {
			out.push(...f.functions);
		}
	}
	return out;
}

/** The post-image functions whose range holds the position (innermost last). */
export function functionsAt(m: MessageAnalysis | undefined, pos: Pos): FunctionFacts[] {
	return postFunctions(m).filter((fn) => inLoc(pos, fn.loc));
}
