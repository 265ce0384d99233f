/*
 * The webview's handle on VS Code: `acquireVsCodeApi()` may be called once per page. Outside VS Code
 * (a plain browser) a stand-in keeps state in memory and drops messages, so the page still works.
 */

import type { SimulatorState, WebviewToHostMessage } from '../../common/webviewProtocol.ts';

export interface VsCodeApi {
	postMessage(message: WebviewToHostMessage): void;
	getState(): unknown;
	setState(state: SimulatorState): void;
}

declare const acquireVsCodeApi: undefined | (() => { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): unknown });

export function getVsCodeApi(): VsCodeApi {
	if (typeof acquireVsCodeApi === 'function') {
		const api = acquireVsCodeApi();
		return {
			postMessage: (message) => api.postMessage(message),
			getState: () => api.getState(),
			setState: (state) => {
				api.setState(state);
			},
		};
	}
	let memory: unknown;
	return {
		postMessage: () => undefined,
		getState: () => memory,
		setState: (state) => {
			memory = state;
		},
	};
}
