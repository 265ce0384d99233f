/*
 * The HTML document of the simulator panel. No `vscode` import: the extension serves it and the
 * browser tests load exactly the same text.
 */

export interface SimulatorHtmlOptions {
	/** URI of media/dist/simulator.js as the webview sees it (`webview.asWebviewUri`). */
	scriptUri: string;
	/** URI of media/simulator.css as the webview sees it. */
	styleUri: string;
	/** `webview.cspSource`: the origin the webview may load its own resources from. */
	cspSource: string;
	/** A fresh random value per render; only the script carrying it may run. */
	nonce: string;
	/** State to draw at once (a revived panel, or the scenario it was opened with); any JSON value. */
	initialState?: unknown;
}

/** Escapes a value for an HTML attribute in double quotes. */
export function escapeAttribute(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * JSON that is safe inside a `<script type="application/json">` element: no `<`, `>` or `&` can
 * close the element or open a comment, and U+2028/2029 are escaped for old parsers.
 */
export function jsonForScriptElement(value: unknown): string {
	return (JSON.stringify(value ?? null) ?? 'null')
		.replace(/</g, '\\u003c')
		.replace(/>/g, '\\u003e')
		.replace(/&/g, '\\u0026')
		.replace(/\u2028/g, '\\u2028')
		.replace(/\u2029/g, '\\u2029');
}

/** A nonce: 32 characters from [A-Za-z0-9], from the platform's crypto generator. */
export function makeNonce(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = new Uint8Array(32);
	globalThis.crypto.getRandomValues(bytes);
	let out = '';
	for (const byte of bytes) {
		out += alphabet[byte % alphabet.length];
	}
	return out;
}

/** The Content-Security-Policy of the panel. */
export function simulatorCsp(cspSource: string, nonce: string): string {
	return [
		`default-src 'none'`,
		`script-src 'nonce-${nonce}'`,
		`style-src ${cspSource}`,
		`img-src ${cspSource} data:`,
		`font-src ${cspSource}`,
	].join('; ');
}

/** Builds the panel's HTML. */
export function simulatorHtml(options: SimulatorHtmlOptions): string {
	const csp = escapeAttribute(simulatorCsp(options.cspSource, options.nonce));
	const nonce = escapeAttribute(options.nonce);
	return `<!DOCTYPE html>
<html lang="en">
<head>
	<meta charset="UTF-8">
	<meta http-equiv="Content-Security-Policy" content="${csp}">
	<meta name="viewport" content="width=device-width, initial-scale=1.0">
	<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
	<title>migrate_vma simulator</title>
</head>
<body>
	<div id="app" class="app" aria-busy="true">
		<p class="loading">Loading the simulator…</p>
	</div>
	<script type="application/json" id="initial-state">${jsonForScriptElement(options.initialState)}</script>
	<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
