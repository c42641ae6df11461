// Building the page without markup strings: every piece of data goes in as text (textContent or
// an attribute value), never as HTML, so a job description like <img onerror=...> stays text.

/** An element: el('td', {class: 'num', dataset: {job: id}}, 'text', child, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element, same rules as el(). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Appends children to node, skipping null, undefined and false (an action the role lacks). */
export function add(node, ...children) {
  append(node, children);
  return node;
}

/** Replaces the content of node with children. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A table with a header row and one row per item. */
export function table(id, headers, rows) {
  return el('table', {id},
    el('thead', {}, el('tr', {}, headers.map(h => el('th', {}, h)))),
    el('tbody', {}, rows));
}

/** A state badge; data-state carries the raw state for tests and styling. */
export function badge(state) {
  if (!state) return el('span', {class: 'muted'}, '—');
  return el('span', {class: `state state-${state}`, dataset: {state}}, state);
}

/** Term/definition pairs. */
export function facts(pairs) {
  return el('dl', {class: 'facts'},
    pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value ?? '—')]));
}
