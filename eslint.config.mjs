// Flat ESLint config. The analysis core must stay free of the editor and of LSP:
// it serves the server, the CLI and the webview alike.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const editorImports = {
	patterns: [
		{ group: ['vscode', 'vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-*', 'vscode-languageclient', 'vscode-languageclient/*'], message: 'The analysis core must not depend on the editor or on LSP.' },
	],
};

export default tseslint.config(
	{ ignores: ['dist/**', 'media/dist/**', 'node_modules/**', 'out/**', '.tmp/**', '.e2e/**', '.fuzz/**', '.bench-cache/**', 'test-results/**', '**/*.js', '**/*.mjs'] },
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			'@typescript-eslint/no-explicit-any': 'off',
			'no-control-regex': 'off',
			'prefer-const': 'error',
			'eqeqeq': ['error', 'smart'],
		},
	},
	{
		files: ['server/src/core/**/*.ts', 'media/src/**/*.ts', 'cli/**/*.ts'],
		rules: {
			'no-restricted-imports': ['error', editorImports],
			// V8 optimises a hot function as a whole. The extractor's analyzeFunction once held 642
			// statements (43 KB of bytecode): compiling it took TurboFan 3.6 s and about 250 MB on a
			// background thread, then was thrown away, in about half the runs over a large archive
			// (peak RSS 350 -> 450-600 MB). Long phases belong in functions of their own.
			'max-statements': ['error', 150],
		},
	},
);
