/*
 * The suite's output channel. Every line starts with LINE_PREFIX so a launcher can tell the
 * suite's output from the workbench's and the extensions' own logging, which reach it through the
 * same channel (code-server's `codeAutomationLog`, the desktop's stdout).
 */
import * as util from 'node:util';

export const LINE_PREFIX = '[e2e] ';

const originalLog = console.log.bind(console);

/** Prints like console.log, each line prefixed. */
export function log(...args: unknown[]): void {
	const text = util.format(...args);
	originalLog(text.split('\n').map((l) => LINE_PREFIX + l).join('\n'));
}
