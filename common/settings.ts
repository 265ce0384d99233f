/*
 * The `migrateLens.*` settings, declared once for the client (which reads them from VS Code) and
 * the server (which pulls them with `workspace/configuration`). Adding a setting: the schema in
 * package.json → this type and its sanitiser → the server's use of it.
 */

/** The configuration section every setting lives under. */
export const SETTINGS_SECTION = 'migrateLens';

export type SeveritySetting = 'error' | 'warning' | 'info' | 'off';

export type TraceSetting = 'off' | 'messages' | 'verbose';

/** Default for {@link MigrateLensSettings.maxDocumentSize}: 50 MB of text. */
export const DEFAULT_MAX_DOCUMENT_SIZE = 50 * 1024 * 1024;

export interface MigrateLensSettings {
	/** `auto` (mail date, kernel tree, …) or a version such as `6.1`. */
	kernelVersion: string;
	/** Per-rule severity overrides, by rule id; `off` silences a rule. */
	severity: Record<string, SeveritySetting>;
	trace: { server: TraceSetting };
	/** Path of a kernel source tree; empty: the workspace folder when it is one. */
	kernelTree: string;
	/** Documents longer than this many characters are not analysed (one info diagnostic says so). */
	maxDocumentSize: number;
}

export const DEFAULT_SETTINGS: Readonly<MigrateLensSettings> = Object.freeze<MigrateLensSettings>({
	kernelVersion: 'auto',
	severity: {},
	trace: { server: 'off' },
	kernelTree: '',
	maxDocumentSize: DEFAULT_MAX_DOCUMENT_SIZE,
});

const SEVERITIES = new Set<string>(['error', 'warning', 'info', 'off']);
const TRACES = new Set<string>(['off', 'messages', 'verbose']);

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Settings from whatever the editor sent (the `migrateLens` section, possibly partial or wrong):
 * every field that is missing or malformed takes its default.
 */
export function readSettings(raw: unknown): MigrateLensSettings {
	const r = isRecord(raw) ? raw : {};
	const severity: Record<string, SeveritySetting> = {};
	if (isRecord(r.severity)) {
		for (const [id, v] of Object.entries(r.severity)) {
			if (typeof v === 'string' && SEVERITIES.has(v.toLowerCase())) {
				severity[id] = v.toLowerCase() as SeveritySetting;
			} else if (typeof v === 'string' && v.toLowerCase() === 'information') {
				severity[id] = 'info';
			}
		}
	}
	const traceRaw = isRecord(r.trace) ? r.trace.server : undefined;
	const max = typeof r.maxDocumentSize === 'number' && Number.isFinite(r.maxDocumentSize) && r.maxDocumentSize > 0
		? Math.floor(r.maxDocumentSize)
		: DEFAULT_MAX_DOCUMENT_SIZE;
	const kernel = typeof r.kernelVersion === 'string' && r.kernelVersion.trim() !== '' ? r.kernelVersion.trim() : 'auto';
	return {
		kernelVersion: kernel,
		severity,
		trace: { server: typeof traceRaw === 'string' && TRACES.has(traceRaw) ? traceRaw as TraceSetting : 'off' },
		kernelTree: typeof r.kernelTree === 'string' ? r.kernelTree.trim() : '',
		maxDocumentSize: max,
	};
}
