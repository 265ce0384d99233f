/*
 * Entry of the simulator webview (bundled to media/dist/simulator.js as an IIFE).
 * State comes from the webview's own saved state, else from the state the host put in the HTML,
 * else the default preset. Then it tells the host it is ready for messages.
 */

import { isSimulatorState, type SimulatorState } from '../../common/webviewProtocol.ts';
import { SimulatorApp } from './app.ts';
import { getVsCodeApi } from './vscodeApi.ts';

function bootstrapState(): SimulatorState | undefined {
	const element = document.getElementById('initial-state');
	if (!element || !element.textContent) {
		return undefined;
	}
	try {
		const value: unknown = JSON.parse(element.textContent);
		return isSimulatorState(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

function start(): void {
	const api = getVsCodeApi();
	const saved = api.getState();
	const initial = isSimulatorState(saved) ? saved : bootstrapState();
	const mount = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
	const app = new SimulatorApp(mount, api, initial);
	// Read-only hook for the browser tests and for assistive tooling: the page map's model.
	Object.defineProperty(window, '__migrateLens', { value: Object.freeze(app.testHook()), configurable: false, writable: false });
	api.postMessage({ type: 'ready' });
}

if (document.readyState === 'loading') {
	document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
	start();
}
