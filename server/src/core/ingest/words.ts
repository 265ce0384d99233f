/*
 * Testing text for any of a set of literal words in one pass. An alternation of many words
 * (`migrate|MIGRATE_|hmm_|…`) makes the regular expression engine try every alternative at almost
 * every position of the text: many of the words start with common letters. Rewritten so that each
 * alternative starts at one of a few rare characters its word contains and checks the rest of the
 * word behind it (a fixed-length look-behind), the engine passes most positions with one character
 * test. The rewrite matches somewhere exactly when the alternation does, and stays linear: each
 * position tries a bounded number of fixed-length alternatives.
 */

/** A word of an alternation: its characters, and whether a `\b` follows it there. */
interface Literal {
	text: string;
	boundaryAfter: boolean;
}

/** One alternative of a words expression: word characters, optionally followed by `\b`. */
const WORD_ALTERNATIVE = /^([A-Za-z0-9_]+)(\\b)?$/;

/**
 * The words of an alternation such as `migrate|MIGRATE_|_pfns\b`: every alternative is word
 * characters, optionally followed by `\b`; no flags. Undefined for any other expression.
 */
export function literalAlternatives(words: RegExp): Literal[] | undefined {
	if (words.flags !== '' || words.source.length === 0) {
		return undefined;
	}
	const out: Literal[] = [];
	for (const alt of words.source.split('|')) {
		const m = WORD_ALTERNATIVE.exec(alt);
		if (!m) {
			return undefined;
		}
		out.push({ text: m[1], boundaryAfter: m[2] !== undefined });
	}
	return out;
}

/**
 * Rough frequency of characters in mail and C text (per mille), to choose rare anchors. Only
 * speed depends on it: any choice gives the same answers.
 */
function weight(c: string): number {
	const LOWER = 'etaoinshrdlcumwfgypbvkjxqz';
	const k = LOWER.indexOf(c);
	if (k >= 0) {
		// e ≈ 120 … z ≈ 1
		return [120, 90, 80, 75, 70, 67, 63, 61, 60, 43, 40, 28, 28, 24, 24, 22, 20, 20, 19, 15, 10, 8, 2, 2, 1, 1][k];
	}
	if (c >= 'A' && c <= 'Z') {
		return 8;
	}
	if (c >= '0' && c <= '9') {
		return 10;
	}
	if (c === '_') {
		return 13;
	}
	if (c === ' ') {
		return 150;
	}
	return 20;
}

/** One UTF-16 code unit as a pattern that matches it alone. */
function escapeChar(c: string): string {
	return /[A-Za-z0-9_]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function escapeText(s: string): string {
	let out = '';
	for (let i = 0; i < s.length; i++) {
		out += escapeChar(s[i]);
	}
	return out;
}

/**
 * A regular expression (no flags) that matches somewhere in a text exactly when one of `literals`
 * occurs in it (with a word boundary after it where asked). Each literal is anchored at a rare
 * character it contains (chosen for all literals together, so that few distinct characters start
 * the alternatives): the expression reads that character, the rest of the literal, and looks back
 * over the whole literal.
 */
export function anchoredWords(literals: readonly Literal[]): RegExp {
	// Greedy cover: the character that anchors the most remaining literals per unit of frequency.
	const left = literals.filter((l) => l.text.length > 0);
	const groups = new Map<string, Map<string, Set<string>>>();
	while (left.length > 0) {
		const gain = new Map<string, number>();
		for (const l of left) {
			// (code units, not code points: each anchor is one unit of the text)
			for (const c of new Set(l.text.split(''))) {
				gain.set(c, (gain.get(c) ?? 0) + 1);
			}
		}
		let best = '';
		let bestScore = -1;
		for (const [c, g] of gain) {
			const score = g / weight(c);
			if (score > bestScore) {
				best = c;
				bestScore = score;
			}
		}
		// Per anchor, per text after it (with `b` first when a word boundary follows, else `n`): the
		// texts before it (one look-behind for all of them).
		const rests = groups.get(best) ?? new Map<string, Set<string>>();
		groups.set(best, rests);
		for (let i = left.length - 1; i >= 0; i--) {
			const l = left[i];
			const k = l.text.indexOf(best);
			if (k < 0) {
				continue;
			}
			left.splice(i, 1);
			const key = (l.boundaryAfter ? 'b' : 'n') + l.text.slice(k + 1);
			const before = rests.get(key) ?? new Set<string>();
			rests.set(key, before);
			before.add(l.text.slice(0, k));
		}
	}
	const parts: string[] = [];
	for (const [c, rests] of groups) {
		const alts: string[] = [];
		for (const [key, before] of rests) {
			const boundary = key[0] === 'b';
			const after = key.slice(1);
			let alt = escapeText(after) + (boundary ? '\\b' : '');
			if (!before.has('')) {
				const prefixes = [...before].map(escapeText);
				const lead = prefixes.length === 1 ? prefixes[0] : `(?:${prefixes.join('|')})`;
				alt += `(?<=${lead}${escapeText(c + after)})`;
			}
			alts.push(alt);
		}
		parts.push(alts.some((a) => a.length === 0) ? escapeChar(c) : `${escapeChar(c)}(?:${alts.join('|')})`);
	}
	return new RegExp(parts.length > 0 ? parts.join('|') : '[]');
}
