/*
 * The ingest model: a document (a patch, a mail, an mbox, an archive page) read into
 * messages → files → hunks → lines. Every recovered line keeps where it sits in the
 * original document, so findings are drawn where the user looks.
 *
 * Positions are 0-based lines and UTF-16 columns of the document text as the editor holds
 * it (the CLI decodes bytes the same way before ingest).
 */

/** A position in the original document. */
export interface Pos {
	line: number;
	character: number;
}

/** A half-open range in the original document. */
export interface DocRange {
	start: Pos;
	end: Pos;
}

/**
 * How a recovered line's characters map back to the document.
 *
 * `segments` is piecewise-linear: decoded column `c` with `segments[k].col <= c` (largest such k)
 * sits at document position `(segments[k].line, segments[k].character + (c - segments[k].col))`.
 * Plain, quoted and flattened lines have one segment. Quoted-printable lines start a new segment
 * after every `=XX` escape and soft line break. Base64 lines cannot be mapped column by column:
 * they have `exact: false` and `range` covers the encoded text the line was decoded from.
 */
export interface LineOrigin {
	/** The span in the document that this line was recovered from. */
	range: DocRange;
	/** true when `segments` gives each character its own document position. */
	exact: boolean;
	segments: Array<{ col: number; line: number; character: number }>;
}

/** One line of text recovered from the document, with any quote markers removed. */
export interface RecoveredLine {
	/** The line's text after the quote prefix (`> `, `>> `, `> > `) is removed. */
	text: string;
	/** 0 for the patch itself, 1 for `> `, 2 for `>> ` or `> > ` and so on. */
	quoteDepth: number;
	origin: LineOrigin;
	/**
	 * true when the line was cut out of archive text whose line breaks (and runs of whitespace)
	 * were flattened to single spaces: indentation and context-line markers are lost.
	 */
	flattened?: boolean;
}

/** A problem met while reading; reported as an `info` finding with rule id `ingest`. */
export interface IngestProblem {
	message: string;
	range: DocRange;
}

/** The parts of a subject such as `[PATCH v3 2/7] mm: ...`. */
export interface SubjectInfo {
	raw: string;
	/** Words inside the leading bracket groups other than version and numbering: PATCH, RFC, RESEND, AUTOSEL, … */
	tags: string[];
	version?: number;
	/** Position in the series (2 of `2/7`). */
	number?: number;
	/** Series length (7 of `2/7`). */
	total?: number;
	/** The subject with `Re:`/`Fwd:` and bracket groups removed. */
	title: string;
	isReply: boolean;
}

export interface Trailers {
	/** `Fixes:` values: `<sha> ("subject")`. */
	fixes: string[];
	baseCommit?: string;
	signedOffBy: string[];
	reviewedBy: string[];
	ackedBy: string[];
}

export type DiffLineKind = '+' | '-' | ' ' | '\\';

export interface DiffLine {
	kind: DiffLineKind;
	/** The code, without the leading `+`/`-`/` ` marker. */
	text: string;
	/** Line number in the pre-image (context and `-` lines). */
	oldLine?: number;
	/** Line number in the post-image (context and `+` lines). */
	newLine?: number;
	/** The recovered line this diff line came from (its text includes the marker). */
	source: RecoveredLine;
}

export interface Hunk {
	oldStart: number;
	oldCount: number;
	newStart: number;
	newCount: number;
	/** Text after the second `@@` (often the enclosing function). */
	section: string;
	header: RecoveredLine;
	lines: DiffLine[];
	quoteDepth: number;
	/** false when the lines found do not match the header counts (normal for trimmed quotes). */
	countsMatch?: boolean;
}

export interface FileDiff {
	/** Path before the change (without `a/`), or undefined for a new file. */
	oldPath?: string;
	/** Path after the change (without `b/`), or undefined for a deleted file. */
	newPath?: string;
	/** newPath ?? oldPath. */
	path: string;
	binary: boolean;
	/** What the git headers say happened to the file (`modified` when they say nothing). */
	status?: 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';
	quoteDepth: number;
	/** The `diff --git` line, or the `---` line when there is none. */
	header: RecoveredLine;
	hunks: Hunk[];
}

export interface MessageHeaders {
	from?: string;
	subject?: string;
	date?: string;
	messageId?: string;
	inReplyTo?: string;
	references?: string[];
	contentType?: string;
	contentTransferEncoding?: string;
}

export interface Message {
	/** 0-based index of the message in the document. */
	index: number;
	range: DocRange;
	headers: MessageHeaders;
	subject: SubjectInfo;
	/** `Date:` parsed, in ms since the epoch, when it could be read. */
	dateMs?: number;
	trailers: Trailers;
	/** Every recovered body line (decoded, unquoted), in order; diff lines included. */
	body: RecoveredLine[];
	files: FileDiff[];
	problems: IngestProblem[];
	/** true when the cheap prefilter found no diff and no API identifier, so the body was not parsed. */
	skipped?: boolean;
	/**
	 * On a message skipped by `skipUnlessWords`: whether its body holds a diff (what
	 * `files.length > 0` would have been on a full read).
	 */
	hasDiff?: boolean;
}

export interface PatchDocument {
	messages: Message[];
	/** Problems not tied to one message. */
	problems: IngestProblem[];
}
