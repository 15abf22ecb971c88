/**
 * Building DOM without HTML strings: every piece of text goes in through `textContent`, so a heap string such as
 * `<img src=x onerror=alert(1)>` is shown as those characters and never parsed. Text, tooltips and ARIA labels also
 * pass through `displayText`: bidi overrides and control characters show as escapes, huge strings are cut.
 */
import { displayText } from '../shared/displayText';

export type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  role?: string;
  title?: string;
  [attribute: `aria-${string}`]: string | number | boolean | undefined;
  [attribute: `data-${string}`]: string | number | undefined;
  tabindex?: number;
  type?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined) continue;
      if (key === 'class') el.className = String(value);
      else el.setAttribute(key, key === 'title' || key.startsWith('aria-') ? displayText(String(value)) : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: HTMLElement, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(displayText(c)) : c);
  }
}

/** A codicon from the bundled codicon.css (`codicon-NAME`), hidden from screen readers. */
export function icon(name: string, extra = ''): HTMLElement {
  return h('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
}

export function text(tag: keyof HTMLElementTagNameMap, cls: string, value: string, title?: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = cls;
  el.textContent = displayText(value);
  if (title) el.title = displayText(title);
  return el;
}

export function clear(el: HTMLElement): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
