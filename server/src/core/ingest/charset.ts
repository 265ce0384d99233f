/*
 * Byte decoding for MIME bodies and encoded words. Works in Node and in the browser
 * (Uint8Array and TextDecoder only, no Buffer).
 *
 * UTF-8, Latin-1 / Windows-1252 and US-ASCII are decoded here so that every output character
 * can name the byte it came from (needed for exact quoted-printable positions). Other labels go
 * through TextDecoder when the platform knows them; unknown labels fall back to UTF-8 and the
 * caller reports a problem.
 */

export type CharsetKind = 'utf-8' | 'cp1252' | 'other' | 'unknown';

export interface Charset {
	kind: CharsetKind;
	/** The label as written (lower case), for messages. */
	label: string;
	/** For `other`: a decoder the platform provided. */
	decoder?: TextDecoder;
}

const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso646-us', 'cp367', 'us', '']);
const CP1252_LABELS = new Set([
	'iso-8859-1', 'iso8859-1', 'iso_8859-1', 'iso_8859-1:1987', 'latin1', 'latin-1', 'l1', 'cp819', 'ibm819',
	'windows-1252', 'cp1252', 'x-cp1252', 'iso-ir-100', 'csisolatin1',
]);

const charsetCache = new Map<string, Charset>();

/** Resolves a charset label (`charset=` parameter or encoded-word charset). */
export function charsetFor(label: string | undefined): Charset {
	let l = (label ?? '').trim().toLowerCase();
	if (l.startsWith('"') && l.endsWith('"') && l.length >= 2) {
		l = l.slice(1, -1).trim();
	}
	const star = l.indexOf('*');
	if (star >= 0) {
		l = l.slice(0, star);
	}
	const cached = charsetCache.get(l);
	if (cached) {
		return cached;
	}
	let cs: Charset;
	if (UTF8_LABELS.has(l)) {
		cs = { kind: 'utf-8', label: l };
	} else if (CP1252_LABELS.has(l)) {
		cs = { kind: 'cp1252', label: l };
	} else if (/^utf-?(16|32)/.test(l) || /^ucs-?[24]/.test(l)) {
		// Not ASCII-compatible: lines cannot be split on LF bytes. Read as UTF-8, reported.
		cs = { kind: 'unknown', label: l };
	} else {
		let decoder: TextDecoder | undefined;
		try {
			decoder = new TextDecoder(l);
		} catch {
			decoder = undefined;
		}
		cs = decoder ? { kind: 'other', label: l, decoder } : { kind: 'unknown', label: l };
	}
	if (charsetCache.size < 256) {
		charsetCache.set(l, cs);
	}
	return cs;
}

// Windows-1252 code points for bytes 0x80..0x9F (0 = undefined, read as the C1 control).
const CP1252_HIGH = [
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

function cp1252Char(b: number): number {
	if (b >= 0x80 && b <= 0x9f) {
		return CP1252_HIGH[b - 0x80] || b;
	}
	return b;
}

/**
 * Decodes `bytes[from, to)`. When `map` is given, `map(k)` is called once per UTF-16 code unit
 * appended, with `k` the index (in `bytes`) of the first byte of the character it came from.
 */
export function decodeBytes(bytes: Uint8Array, from: number, to: number, cs: Charset, map?: (byteIndex: number) => void): string {
	if (!map && (cs.kind === 'utf-8' || cs.kind === 'unknown')) {
		// ASCII or not, these read as UTF-8 through the same decoder: no need to look at the bytes first.
		return utf8String(bytes, from, to);
	}
	if (isAscii(bytes, from, to)) {
		if (map) {
			for (let i = from; i < to; i++) {
				map(i);
			}
		}
		return utf8String(bytes, from, to);
	}
	if (cs.kind === 'cp1252') {
		let s = '';
		for (let i = from; i < to; i++) {
			s += String.fromCharCode(cp1252Char(bytes[i]));
			if (map) {
				map(i);
			}
		}
		return s;
	}
	if (cs.kind === 'other' && cs.decoder) {
		const s = cs.decoder.decode(bytes.subarray(from, to));
		if (map) {
			for (let k = 0; k < s.length; k++) {
				map(from);
			}
		}
		return s;
	}
	if (!map) {
		return utf8String(bytes, from, to);
	}
	return decodeUtf8(bytes, from, to, map);
}

let utf8Decoder: TextDecoder | undefined;

/** Whether `bytes[from, to)` are all below 0x80. */
function isAscii(bytes: Uint8Array, from: number, to: number): boolean {
	for (let i = from; i < to; i++) {
		if (bytes[i] >= 0x80) {
			return false;
		}
	}
	return true;
}

/** `bytes[from, to)` read as UTF-8 (so ASCII bytes as they are), malformed sequences as U+FFFD. */
function utf8String(bytes: Uint8Array, from: number, to: number): string {
	if (to - from <= 32) {
		// A few bytes (a quoted-printable escape run): ASCII is read without a call to the decoder.
		if (isAscii(bytes, from, to)) {
			return String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
		}
	}
	utf8Decoder ??= new TextDecoder('utf-8');
	return utf8Decoder.decode(bytes.subarray(from, to));
}

/** A forgiving UTF-8 decoder: each malformed sequence becomes U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, from: number, to: number, map?: (byteIndex: number) => void): string {
	const units: number[] = [];
	let out = '';
	const flush = (): void => {
		if (units.length > 0) {
			out += String.fromCharCode.apply(null, units);
			units.length = 0;
		}
	};
	let i = from;
	while (i < to) {
		const start = i;
		const b0 = bytes[i];
		let cp = 0xfffd;
		let need = 0;
		let min = 0;
		if (b0 < 0x80) {
			cp = b0;
			i++;
		} else if (b0 >= 0xc2 && b0 <= 0xdf) {
			need = 1;
			cp = b0 & 0x1f;
			min = 0x80;
		} else if (b0 >= 0xe0 && b0 <= 0xef) {
			need = 2;
			cp = b0 & 0x0f;
			min = 0x800;
		} else if (b0 >= 0xf0 && b0 <= 0xf4) {
			need = 3;
			cp = b0 & 0x07;
			min = 0x10000;
		} else {
			i++;
		}
		if (need > 0) {
			let j = i + 1;
			let ok = true;
			for (let k = 0; k < need; k++, j++) {
				if (j >= to || (bytes[j] & 0xc0) !== 0x80) {
					ok = false;
					break;
				}
				cp = (cp << 6) | (bytes[j] & 0x3f);
			}
			if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
				i = j;
			} else {
				cp = 0xfffd;
				i = i + 1;
				while (i < to && (bytes[i] & 0xc0) === 0x80 && i - start <= need) {
					i++;
				}
			}
		}
		if (cp >= 0x10000) {
			const v = cp - 0x10000;
			units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
			if (map) {
				map(start);
				map(start);
			}
		} else {
			units.push(cp);
			if (map) {
				map(start);
			}
		}
		if (units.length >= 4096) {
			flush();
		}
	}
	flush();
	return out;
}

function hexVal(c: number): number {
	if (c >= 48 && c <= 57) {
		return c - 48;
	}
	if (c >= 65 && c <= 70) {
		return c - 55;
	}
	if (c >= 97 && c <= 102) {
		return c - 87;
	}
	return -1;
}

/** Value of the two hex digits at `s[i]`, `s[i+1]`, or -1. */
export function hexByte(s: string, i: number): number {
	if (i + 1 >= s.length) {
		return -1;
	}
	const h = hexVal(s.charCodeAt(i));
	const l = hexVal(s.charCodeAt(i + 1));
	return h < 0 || l < 0 ? -1 : (h << 4) | l;
}

const B64 = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
	B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
}
B64['-'.charCodeAt(0)] = 62;
B64['_'.charCodeAt(0)] = 63;

/** Value of a base64 character, -1 for `=`, -2 for whitespace, -3 for anything else. */
export function base64Value(c: number): number {
	if (c < 128) {
		const v = B64[c];
		if (v >= 0) {
			return v;
		}
		if (c === 61) {
			return -1;
		}
		if (c === 32 || c === 9 || c === 10 || c === 13) {
			return -2;
		}
	}
	return -3;
}

/** Decodes a base64 string leniently (invalid characters skipped). */
export function decodeBase64String(s: string): Uint8Array {
	const out = new Uint8Array(Math.floor((s.length * 3) / 4) + 3);
	let n = 0;
	let acc = 0;
	let bits = 0;
	for (let i = 0; i < s.length; i++) {
		const v = base64Value(s.charCodeAt(i));
		if (v === -1) {
			acc = 0;
			bits = 0;
			continue;
		}
		if (v < 0) {
			continue;
		}
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (acc >> bits) & 0xff;
		}
	}
	return out.subarray(0, n);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded words in a header value; whitespace between adjacent words is dropped. */
export function decodeEncodedWords(value: string): { text: string; unknownCharsets: string[] } {
	const unknownCharsets: string[] = [];
	if (value.indexOf('=?') === -1) {
		return { text: value, unknownCharsets };
	}
	let out = '';
	let last = 0;
	let prevWasWord = false;
	ENCODED_WORD.lastIndex = 0;
	let m: RegExpExecArray | null;
	while ((m = ENCODED_WORD.exec(value)) !== null) {
		const between = value.slice(last, m.index);
		if (!(prevWasWord && /^\s*$/.test(between))) {
			out += between;
		}
		const cs = charsetFor(m[1]);
		if (cs.kind === 'unknown') {
			unknownCharsets.push(m[1]);
		}
		let bytes: Uint8Array;
		if (m[2] === 'B' || m[2] === 'b') {
			bytes = decodeBase64String(m[3]);
		} else {
			const q = m[3];
			const arr = new Uint8Array(q.length);
			let n = 0;
			for (let i = 0; i < q.length; i++) {
				const c = q.charCodeAt(i);
				if (c === 95) {
					arr[n++] = 32;
				} else if (c === 61) {
					const v = hexByte(q, i + 1);
					if (v >= 0) {
						arr[n++] = v;
						i += 2;
					} else {
						arr[n++] = 61;
					}
				} else {
					arr[n++] = c & 0xff;
				}
			}
			bytes = arr.subarray(0, n);
		}
		out += decodeBytes(bytes, 0, bytes.length, cs);
		last = m.index + m[0].length;
		prevWasWord = true;
	}
	out += value.slice(last);
	return { text: out, unknownCharsets };
}
