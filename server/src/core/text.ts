/*
 * Text scans that stay linear on hostile input, for the core's stages alike. Delimited spans
 * (`<id>`, `(comment)`, a C block comment): the regular expressions they replace
 * (`/<[^>]*>/g`, `/\/\*[\s\S]*?\*\//g`) try every later opener once an opener has no closer, and
 * so backtrack quadratically on hostile text (a header of 100 000 `<`).
 */

/** The characters `.` of a regular expression does not match. */
export const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * Each span from an `open` to the first `close` after it, left to right, without overlaps: where
 * `open[^close]*close` (or `open[\s\S]*?close` for delimiters longer than one character) matches.
 * An opener without a closer ends the scan: no later opener has one either.
 */
export function delimitedSpans(text: string, open: string, close: string): Array<[start: number, end: number]> {
	const out: Array<[number, number]> = [];
	let i = 0;
	for (;;) {
		const a = text.indexOf(open, i);
		if (a < 0) {
			return out;
		}
		const b = text.indexOf(close, a + open.length);
		if (b < 0) {
			return out;
		}
		i = b + close.length;
		out.push([a, i]);
	}
}

/** `text` with each of its `delimitedSpans` replaced by `by`. */
export function replaceDelimited(text: string, open: string, close: string, by: string): string {
	let out = '';
	let i = 0;
	for (const [a, b] of delimitedSpans(text, open, close)) {
		out += text.slice(i, a) + by;
		i = b;
	}
	return i === 0 ? text : out + text.slice(i);
}
