/** The tool's version, reported by the CLI and in JSON/SARIF output. */
export const TOOL_VERSION = '0.1.0';
export const TOOL_NAME = 'migrate-lens';
