/*
 * Quote prefixes: `> `, `>> `, `> > `, `>+` … The depth is the number of `>` markers; single
 * spaces between markers and one space after the last belong to the prefix.
 */

export interface QuotePrefix {
	depth: number;
	/** Length of the prefix in characters. */
	length: number;
}

export function quotePrefix(text: string): QuotePrefix {
	return quotePrefixAt(text, 0, text.length);
}

/** `quotePrefix` of the line `text[from, to)`, read in place. */
export function quotePrefixAt(text: string, from: number, to: number): QuotePrefix {
	let i = from;
	let depth = 0;
	while (i < to) {
		const c = text.charCodeAt(i);
		if (c === 62) {
			depth++;
			i++;
			continue;
		}
		if (c === 32 && depth > 0 && i + 1 < to && text.charCodeAt(i + 1) === 62) {
			i++;
			continue;
		}
		break;
	}
	if (depth > 0 && i < to && text.charCodeAt(i) === 32) {
		i++;
	}
	return { depth, length: i - from };
}
