/*
 * Stage 3 contract: the facts tree-sitter-c finds in a patch's hunks (and, when a kernel tree is
 * open, in the whole functions around them). No judgement lives here: rules read these facts and
 * decide. Everything a rule may want to point at carries a `Loc` in the original document.
 *
 * Conventions used throughout:
 * - Texts (`text`, `args`, `valueText`…) are the C source of the node with runs of whitespace
 *   (newlines included) folded to one space.
 * - Every fact belongs to one image: `post` (context + `+` lines: the code as the patch leaves it)
 *   or `pre` (context + `-` lines: the code before it). Rules report defects on the post image and
 *   only on nodes whose `loc.lineKind` is `+`; pre-image facts let a rule say "this hunk fixes …".
 * - Lists are in document order unless said otherwise.
 */

import type { DocRange } from '../ingest/types';

export type Image = 'post' | 'pre';

/**
 * Where the line a node starts on came from:
 * `+`, `-`, ` ` — a diff line of the patch (its marker);
 * `tree` — a line of the workspace kernel file that the patch does not show;
 * `synthetic` — text the extractor made up to let a fragment parse (a wrapper function, a gap
 * placeholder, closing braces). Only `+` lines are the patch's own new code.
 */
export type LineKind = '+' | '-' | ' ' | 'tree' | 'synthetic';

/** A range in the original document (0-based lines, UTF-16 columns, end exclusive) plus origin. */
export interface Loc {
	line: number;
	character: number;
	endLine: number;
	endCharacter: number;
	/**
	 * false when columns could not be mapped one by one (base64 bodies: the range covers the
	 * encoded text the line came from) or when the node starts on a `tree`/`synthetic` line (the
	 * range is then the header of the nearest hunk of that file).
	 */
	exact: boolean;
	/** The patched file (`FileDiff.path`). */
	kernelFile?: string;
	/** 1-based line of the node's start in that file's image (post-image numbering for `post`, pre-image for `pre`). */
	kernelLine?: number;
	image: Image;
	/** The kind of the line the node starts on. */
	lineKind: LineKind;
	/** True when any line the node spans is a `+` line (post) or a `-` line (pre). */
	touchesChange: boolean;
	/** 0 for a patch, 1 for `> +`, … */
	quoteDepth: number;
}

/** A C expression as written, with its location. */
export interface Expr {
	text: string;
	loc: Loc;
}

/** A value given to a struct field (designated initialiser or assignment). */
export interface FieldValue extends Expr {
	field: string;
	/** `init`: `.field = v` in an initialiser; `assign`: `x.field = v` / `x->field = v`. */
	via: 'init' | 'assign';
	/**
	 * The text after substituting identifiers by their `#define` bodies (from the same file, as far
	 * as the patch or tree shows them) and by the initialiser of a local or file-scope variable that
	 * is assigned exactly once. Equal to `text` when nothing was substituted.
	 */
	resolved: string;
	/** `MIGRATE_VMA_SELECT_*` / `FOLL_*` / `MIGRATE_PFN_*` / `GFP`-style names found in `resolved`. */
	flags: string[];
	/** true when `resolved` is only flag names joined by `|` (no conditional, no call, no unknown identifier). */
	flagsExact: boolean;
	/** true when the assignment sits inside a loop of its function. */
	inLoop: boolean;
}

export type StructHow = 'designated' | 'assign' | 'memset+assign' | 'param' | 'pointer' | 'unknown';

/** One `struct migrate_vma` the function works with. */
export interface MigrateVmaStruct {
	/** The variable as used: `args`, `migrate`, `m->migrate`. */
	name: string;
	/**
	 * `designated`: declared with `= { .field = … }`; `assign`: declared (possibly `= { 0 }`/`{}`)
	 * then fields assigned; `memset+assign`: cleared with memset then assigned; `param`: a
	 * `struct migrate_vma *` parameter; `pointer`: a local pointer; `unknown`: only its uses are
	 * visible (the declaration is outside the patch).
	 */
	how: StructHow;
	/** Where it is declared (absent for `unknown`). */
	declLoc?: Loc;
	/** true when the declaration zero-initialises it (`= {}`, `= { 0 }`, designated, memset, kzalloc). */
	zeroed: boolean;
	/**
	 * The value of each field that is in force at the first setup call on this struct (the last
	 * textual assignment before it, else the initialiser); when there is no setup call, the last
	 * value in the function.
	 */
	fields: Record<string, FieldValue>;
	/** Every initialiser entry and field assignment, in order. */
	assignments: FieldValue[];
	/** Index into `FunctionFacts.calls` of each call that takes this struct. */
	callIndexes: number[];
}

export type ApiCallKind =
	| 'setup' | 'pages' | 'finalize'
	| 'device-range' | 'device-pfns' | 'device-pages' | 'device-finalize' | 'device-coherent'
	| 'old-migrate-vma' | 'hmm-setup'
	| 'hmm-range-fault' | 'pin' | 'gup'
	| 'notifier-insert' | 'notifier-range-init' | 'notifier-begin' | 'notifier-retry'
	| 'pfn-to-page' | 'migrate-pfn'
	| 'page-alloc' | 'device-page-init' | 'page-lock' | 'page-unlock' | 'page-put'
	| 'dma-map' | 'dma-unmap' | 'page-copy' | 'page-zero'
	| 'device-page-test' | 'memremap'
	| 'array-alloc' | 'array-free';

/** How the value of a call is consumed. */
export interface ResultUse {
	/**
	 * `ignored`: an expression statement; `assigned`: stored into `variable`; `condition`: tested
	 * directly (`if (f())`, `if (WARN_ON(f()))`, `if (f() < 0)`); `returned`: `return f();`;
	 * `argument`: passed to another call (not a condition wrapper); `other`: anything else.
	 */
	kind: 'ignored' | 'assigned' | 'condition' | 'returned' | 'argument' | 'other';
	variable?: string;
	/**
	 * true when the value is tested: directly, or through `variable` in a later condition,
	 * `return`, or comparison before the variable is assigned again.
	 */
	checked: boolean;
	/** Where the test is. */
	checkLoc?: Loc;
}

export interface ApiCall {
	callee: string;
	kind: ApiCallKind;
	/** Argument texts. */
	args: string[];
	argLocs: Loc[];
	/** The `struct migrate_vma` the call works on (`args` for `&args`, `migrate` for `migrate`). */
	structVar?: string;
	/** From the callee name to the closing parenthesis. */
	loc: Loc;
	result: ResultUse;
	/** Number of loops around the call inside the function. */
	loopDepth: number;
	/**
	 * Enclosing statements from the function body inward: `if`, `else`, `for`, `while`, `do`,
	 * `switch`, `case`, `block`, `label:NAME`.
	 */
	path: string[];
	/** `FOLL_*` names in the flags argument of GUP/pin calls (after local substitution). */
	follFlags?: string[];
	/** `GFP_*`/`__GFP_*` names in a gfp argument (allocation calls). */
	gfpFlags?: string[];
}

/** How a path from a setup call leaves the function (or reaches something that ends the search). */
export type ExitKind =
	/** a `return` statement */
	| 'return'
	/** falling off the end of a complete function body */
	| 'end'
	/** falling off the end of a fragment whose rest is not in the patch */
	| 'fragment-end'
	/** reaching a setup call on the same struct again (the next loop iteration, or a later setup) */
	| 'next-setup';

export interface ExitPath {
	kind: ExitKind;
	/** The `return` statement or the closing brace / fragment end. */
	loc: Loc;
	/** Text of the returned value, when any. */
	returnValue?: string;
	/** Labels passed on the way (entered by `goto` or by falling through), in order. */
	viaLabels: string[];
	/** `migrate_vma_pages`/`migrate_device_pages` was called on the way (for the same struct when known). */
	pages: boolean;
	/** `migrate_vma_finalize`/`migrate_device_finalize` was called on the way. */
	finalize: boolean;
	/** The path took the branch where the setup call failed (non-zero / negative result). */
	setupFailed: boolean;
	/** The path took a branch where `cpages` was tested to be zero. */
	noPagesSelected: boolean;
	/** The path crosses lines the patch does not show (a gap between stitched hunks). */
	throughGap: boolean;
	/** Helper calls on the way that receive the struct (or its `src`/`dst`): they may do pages/finalize. */
	structPassedTo: string[];
}

/** The control flow after one setup call. */
export interface SetupFlow {
	/** Index into `FunctionFacts.calls`. */
	callIndex: number;
	structVar?: string;
	/** Distinct ways out of the function (deduplicated by kind, location and flags); capped. */
	exits: ExitPath[];
	/** true when the exit list was cut short. */
	truncated: boolean;
}

/** A write to `src[i]` or `dst[i]`. */
export interface PfnWrite {
	array: 'src' | 'dst';
	/** The array expression: `args->dst`, `migrate->dst`, `dst`. */
	arrayText: string;
	indexText: string;
	valueText: string;
	/** `MIGRATE_PFN_*` names in the value (after local substitution). */
	flags: string[];
	/** true when the value is built with `migrate_pfn(…)`. */
	usesMigratePfn: boolean;
	/** `=`, `|=`, `&=`, … */
	operator: string;
	loc: Loc;
}

/** A test of an entry's flags: `src[i] & MIGRATE_PFN_MIGRATE`, `!(args->src[i] & MIGRATE_PFN_VALID)`. */
export interface PfnTest {
	array: 'src' | 'dst' | 'scalar';
	/** What is tested: the array element or scalar variable text. */
	subjectText: string;
	flags: string[];
	/** The whole condition it sits in (or the expression). */
	conditionText: string;
	loc: Loc;
}

/** A `migrate_pfn_to_page(x)` and what the function does with the page. */
export interface PageUse {
	/** The argument text (`args->src[i]`, `src`, `*src_pfns`). */
	fromText: string;
	/** Which array the entry comes from when known (`scalar` = a parameter or local holding one entry). */
	from: 'src' | 'dst' | 'scalar' | 'unknown';
	/** The variable the page is stored in (`spage`), when any. */
	variable?: string;
	loc: Loc;
	/** Calls that take the page (or `page_to_pfn(page)`, `page_folio(page)`): callee, kind when an API, loc. */
	passedTo: Array<{ callee: string; kind?: ApiCallKind; argIndex: number; loc: Loc }>;
	/** `is_device_private_page` / `is_zone_device_page` / `is_device_coherent_page` / folio variants tested on it. */
	deviceTests: Array<{ callee: string; loc: Loc; negated: boolean }>;
	/** `if (!page)` / `if (page)` / `page == NULL`. */
	nullChecked: boolean;
	/** DMA mapping calls that take it (`dma_map_page`, …). */
	dmaMapped: Loc[];
	/** Copy/clear calls that take it. */
	copied: Loc[];
}

/** A loop whose body indexes `src`/`dst` arrays. */
export interface PfnLoop {
	loc: Loc;
	/** `for` / `while` / `do`. */
	kind: 'for' | 'while' | 'do';
	indexVar?: string;
	/** The loop condition text (`i < npages`). */
	conditionText: string;
	/** Array expressions read or written as `X[index]` in the body, by role. */
	arrays: Array<{ role: 'src' | 'dst'; text: string }>;
	tests: PfnTest[];
	writes: PfnWrite[];
	/** Indexes into `FunctionFacts.pageUses` of `migrate_pfn_to_page` calls in the body. */
	pageUseIndexes: number[];
	/** Callee names called in the body, in order (deduplicated). */
	callees: string[];
	/** Setup/pages/finalize calls inside the body (chunked loops), as call indexes. */
	apiCallIndexes: number[];
	/** Calls in the body that receive an element of `src`/`dst` (`copy_one(args->src[i], …)`). */
	elementPassedTo: Array<{ callee: string; role: 'src' | 'dst'; argIndex: number; loc: Loc }>;
}

/** What happens after one `migrate_vma_pages()` (or `migrate_device_pages()`) call. */
export interface AfterPages {
	callIndex: number;
	structVar?: string;
	/** Calls after it (textually) up to the next finalize on the same struct or the end. */
	calls: Array<{
		callee: string;
		kind?: ApiCallKind;
		args: string[];
		loc: Loc;
		/** A `MIGRATE_PFN_MIGRATE` test lies between the pages call and this call, or guards it. */
		afterMigrateTest: boolean;
		/** The call receives the struct, its `src`/`dst`, its `start`, or an array filled before pages. */
		usesMigration: boolean;
	}>;
	/** `MIGRATE_PFN_MIGRATE` tests between the pages call and the next finalize/end. */
	migrateTests: Loc[];
	/** Index of the finalize call that ends this region, when any. */
	finalizeIndex?: number;
}

/** A loop that calls setup (or the struct's start/end change inside a loop). */
export interface ChunkLoop {
	loc: Loc;
	kind: 'for' | 'while' | 'do';
	structVar?: string;
	conditionText: string;
	/** Assignments to the struct's `start`/`end` inside the loop. */
	fieldAssigns: Array<{ field: string; text: string; loc: Loc; identifiers: string[]; fromFieldOf?: string[] }>;
	/** Variables (and `x.field` / `x->field` texts) the loop changes: update clause and body assignments. */
	advanced: string[];
	/** The loop's update clause text. */
	updateText?: string;
	/** Whether `cpages`/`npages` of the struct are reset inside the loop before setup. */
	resetsCounters: boolean;
	apiCallIndexes: number[];
}

/** A `src`/`dst` array: allocation, on-stack declaration, or address of a scalar. */
export interface PfnArray {
	/** The destination: `args.src`, `migrate->dst`, `src_pfns`, `buf`. */
	target: string;
	role: 'src' | 'dst' | 'both' | 'unknown';
	how: 'alloc' | 'stack' | 'scalar' | 'alias';
	/** Allocation call (`kcalloc`, `kvcalloc`, `kmalloc_array`, `kzalloc`, `kvmalloc`, …). */
	allocator?: string;
	/** Element count text (kcalloc/kmalloc_array first argument; array declarator size). */
	countText?: string;
	/** Element size text (`sizeof(*args.src)`), or the whole byte-size expression for kmalloc-style calls. */
	sizeText?: string;
	/** Element type text for declarations (`unsigned long`). */
	elementType?: string;
	gfpFlags?: string[];
	/** Tested against NULL after allocation (`if (!x)`, `if (!a || !b)`, `x == NULL`). */
	nullChecked: boolean;
	loc: Loc;
}

/** A `sizeof(…)` whose operand names a src/dst array (element-size checks). */
export interface SizeofUse {
	text: string;
	operandText: string;
	/** true for `sizeof(*x)`, `sizeof(x[0])`; false for `sizeof(x)` or `sizeof(type)`. */
	dereferenced: boolean;
	loc: Loc;
}

/** A read of `cpages`. */
export interface CpagesUse {
	/** `x.cpages` / `x->cpages`. */
	text: string;
	structVar: string;
	/** `condition`: inside an if/while/for condition or `?:`; `compare`: in a comparison elsewhere; `return`; `assign`: stored; `argument`; `other`. */
	context: 'condition' | 'compare' | 'return' | 'assign' | 'argument' | 'other';
	/** The enclosing condition or statement text. */
	contextText: string;
	loc: Loc;
}

/** A `return` inside a `migrate_to_ram` handler. */
export interface FaultReturn {
	valueText: string;
	/** `VM_FAULT_*` names in the value (after local substitution). */
	vmFault: string[];
	/** Condition texts of the enclosing ifs, innermost first (`else` branches prefixed with `!`). */
	conditions: string[];
	/** The return is reached when the setup result was non-zero (under its failure test). */
	afterSetupFailure: boolean;
	loc: Loc;
}

/** A function whose parameter is `struct vm_fault *` (a `migrate_to_ram` handler or helper). */
export interface MigrateToRamFacts {
	vmfParam: string;
	/** Named in a `dev_pagemap_ops` table's `.migrate_to_ram` in the same file. */
	inOpsTable: boolean;
	returns: FaultReturn[];
	/** Assignments of `VM_FAULT_*` values to a variable (`ret = VM_FAULT_SIGBUS; goto out;`). */
	faultValueAssigns: FaultReturn[];
	/** `fault_page` set on a migrate_vma struct here (value text and loc). */
	faultPage?: Expr;
	/** Page allocations (`alloc_page_vma`, `alloc_pages*`, `folio_alloc`, `vma_alloc_folio`, …). */
	dstAllocs: Array<{ callee: string; args: string[]; gfpFlags: string[]; zeroed: boolean; loc: Loc }>;
	/** Zeroing calls (`clear_highpage`, `clear_page`, `memset`, `folio_zero_range`…). */
	zeroCalls: Array<{ callee: string; loc: Loc }>;
	/** Locking of the faulting page: `lock_page(vmf->page)`, `folio_lock(page_folio(vmf->page))`, trylocks. */
	faultPageLocks: Array<{ callee: string; argText: string; loc: Loc }>;
	faultPageUnlocks: Array<{ callee: string; argText: string; loc: Loc }>;
}

/** Tests in an mmu-notifier invalidate callback. */
export interface NotifierFacts {
	rangeParam: string;
	/** Named as `.invalidate` / `.invalidate_range_start` in an ops table of the same file. */
	inOpsTable: boolean;
	/** Comparisons against `->event` (`range->event == MMU_NOTIFY_MIGRATE`). */
	eventTests: Array<{ text: string; event?: string; operator: string; loc: Loc }>;
	/** Comparisons against `->owner` / `->migrate_pgmap_owner`. */
	ownerTests: Array<{ field: string; comparedTo: string; operator: string; text: string; loc: Loc }>;
	/** Whole conditions that test the event and the owner together (the self-invalidation skip). */
	skipConditions: Expr[];
}

/** A `struct hmm_range` built in the function (designated initialiser or field assignments). */
export interface HmmRangeFacts {
	name: string;
	how: StructHow;
	declLoc?: Loc;
	fields: Record<string, FieldValue>;
	assignments: FieldValue[];
}

/** A `struct dev_pagemap` set up (field assignments or designated initialiser). */
export interface PgmapSetup {
	/** `pgmap`, `&drm->dmem->pagemap`, `chunk->pagemap`. */
	name: string;
	fields: Record<string, FieldValue>;
	loc: Loc;
}

/** An initialised ops table or struct at file scope (or static in a function). */
export interface OpsTable {
	/** `dev_pagemap_ops`, `migrate_vma_ops`, `mmu_interval_notifier_ops`, `mmu_notifier_ops`, `dev_pagemap`, `hmm_range`… */
	type: string;
	name: string;
	fields: Record<string, FieldValue>;
	loc: Loc;
}

/** An API identifier as written (for version checks). */
export interface ApiIdentifier {
	name: string;
	/** `call`: a callee; `field`: after `.`/`->` or in a designator; `type`: struct/type name; `name`: any other identifier. */
	role: 'call' | 'field' | 'type' | 'name';
	loc: Loc;
}

export interface FunctionFacts {
	/** The function name (from the definition, or from the hunk section for a wrapped fragment; `''` when unknown). */
	name: string;
	file: string;
	image: Image;
	/** The definition (or fragment) range. */
	loc: Loc;
	/** `patch`: built from hunks; `tree`: taken whole from the kernel tree. */
	source: 'patch' | 'tree';
	/** The header came from the patch (not synthesised from the hunk section or made up). */
	hasRealHeader: boolean;
	/** The closing brace came from the patch or tree (not added by the extractor). */
	hasRealEnd: boolean;
	/** Lines between stitched hunks are missing. */
	hasGaps: boolean;
	/** hasRealHeader && hasRealEnd && !hasGaps. */
	complete: boolean;
	/** Contains lines changed by the patch in this image (`+` for post, `-` for pre). */
	changed: boolean;
	/** Storage class, qualifiers and type of the definition (`static vm_fault_t`), as the header shows it (a synthesised header: the hunk section's); `''` for loose statements. */
	returnType: string;
	/** Parameters as far as the header shows them (a header made from a cut hunk section may lack some). */
	params: Array<{ name: string; type: string }>;
	structs: MigrateVmaStruct[];
	/** Every API call (see `ApiCallKind`), in document order. */
	calls: ApiCall[];
	setupFlows: SetupFlow[];
	pfnLoops: PfnLoop[];
	pageUses: PageUse[];
	/** `MIGRATE_PFN_*` tests anywhere in the function (loops included). */
	pfnTests: PfnTest[];
	/** Writes to src/dst entries anywhere in the function (loops included). */
	pfnWrites: PfnWrite[];
	afterPages: AfterPages[];
	chunkLoops: ChunkLoop[];
	arrays: PfnArray[];
	sizeofs: SizeofUse[];
	cpagesUses: CpagesUse[];
	migrateToRam?: MigrateToRamFacts;
	notifier?: NotifierFacts;
	hmmRanges: HmmRangeFacts[];
	pgmaps: PgmapSetup[];
	/** Other calls in the function (not API calls), callee names with locs — for helper tracking. */
	otherCalls: Array<{ callee: string; args: string[]; loc: Loc }>;
	/** Role of the function in an ops table of the same file: `migrate_to_ram`, `alloc_and_copy`, `finalize_and_map`, `invalidate`, `page_free`… */
	roles: string[];
}

/** Facts for one file of one message, in one image. */
export interface FileFacts {
	path: string;
	image: Image;
	quoteDepth: number;
	/** `tree` when the whole file came from the workspace kernel tree. */
	source: 'patch' | 'tree';
	functions: FunctionFacts[];
	/** Initialised tables at file scope (ops tables, static dev_pagemap/hmm_range initialisers). */
	tables: OpsTable[];
	/** `#define NAME body` seen in this file (patch lines or tree). */
	defines: Record<string, string>;
	identifiers: ApiIdentifier[];
	/** Parse units (groups of stitched hunks) and syntax errors, for diagnostics. */
	units: number;
	errorNodes: number;
}

export interface ExtractProblem {
	message: string;
	range: DocRange;
}

export interface MessageFacts {
	messageIndex: number;
	subject: string;
	/**
	 * One entry per C file (`.c`, `.h`, `.inc`) and image: post images first, then pre images. A
	 * new file has no pre image, a deleted one no post image; files whose hunks never mention the
	 * API are left out (see `mentionsApi` in names.ts).
	 */
	files: FileFacts[];
	problems: ExtractProblem[];
}

export interface DocumentFacts {
	messages: MessageFacts[];
}

/** Read access to a kernel tree (paths relative to its top). */
export interface KernelTree {
	readFile(path: string): string | undefined;
}

export interface ExtractOptions {
	/** When given, functions touched by a hunk are taken whole from the file (patch applied in memory). */
	tree?: KernelTree;
	/** Extract the pre image too (default true). */
	preImage?: boolean;
}
