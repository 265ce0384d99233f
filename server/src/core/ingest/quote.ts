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
	let i = 0;
	let depth = 0;
	const n = text.length;
	while (i < n) {
		const c = text.charCodeAt(i);
		if (c === 62) {
			depth++;
			i++;
			continue;
		}
		if (c === 32 && depth > 0 && text.charCodeAt(i + 1) === 62) {
			i++;
			continue;
		}
		break;
	}
	if (depth > 0 && i < n && text.charCodeAt(i) === 32) {
		i++;
	}
	return { depth, length: i };
}
