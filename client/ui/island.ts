/**
 * A Preact component on the page: rendered into a host element that takes no box of its own
 * (`display: contents`), so the component's card sits in the page's grid as a hand-made card
 * does. The page is moving to Preact card by card; the rest still appends DOM elements.
 */
import { render, type VNode } from 'preact';

export function island(vnode: VNode): HTMLElement {
  const host = document.createElement('div');
  host.className = 'island';
  render(vnode, host);
  return host;
}
