/*
 * Small DOM helpers. Text always goes in through `textContent` (never `innerHTML`): owners, file
 * names and subjects come from patch mails and must stay inert.
 */

export type Child = Node | string | null | undefined | false;

export interface ElementOptions {
	className?: string;
	id?: string;
	text?: string;
	title?: string;
	attrs?: Record<string, string | number | boolean | undefined>;
	/** Listeners, e.g. `{ click: () => … }`. */
	on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

/** Creates an element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
	const element = document.createElement(tag);
	if (options.className) {
		element.className = options.className;
	}
	if (options.id) {
		element.id = options.id;
	}
	if (options.text !== undefined) {
		element.textContent = options.text;
	}
	if (options.title !== undefined) {
		element.title = options.title;
	}
	for (const [name, value] of Object.entries(options.attrs ?? {})) {
		if (value === undefined || value === false) {
			continue;
		}
		element.setAttribute(name, value === true ? '' : String(value));
	}
	for (const [event, listener] of Object.entries(options.on ?? {})) {
		element.addEventListener(event, listener as EventListener);
	}
	append(element, ...children);
	return element;
}

/** Appends children; strings become text nodes. */
export function append(parent: Node, ...children: Child[]): void {
	for (const child of children) {
		if (child === null || child === undefined || child === false) {
			continue;
		}
		parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
	}
}

/** Removes every child and appends the given ones. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
	while (parent.firstChild) {
		parent.removeChild(parent.firstChild);
	}
	append(parent, ...children);
}

/** Sets or removes a boolean attribute. */
export function toggleAttribute(element: Element, name: string, on: boolean): void {
	if (on) {
		element.setAttribute(name, '');
	} else {
		element.removeAttribute(name);
	}
}

let idCounter = 0;
/** A document-unique id with a readable prefix. */
export function uid(prefix: string): string {
	idCounter += 1;
	return `${prefix}-${idCounter}`;
}
