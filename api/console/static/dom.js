// DOM helpers. Everything that came from a user or the server goes into
// the page as text: strings become text nodes, never markup.

// el builds an element with attributes or listeners (on...) and children.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  add(node, children);
  return node;
}

// add appends children: nodes as they are, anything else as text.
export function add(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// show replaces a result area's content and marks it done or failed.
export function show(area, state, ...children) {
  area.replaceChildren();
  add(area, children);
  settle(area, state);
}

// settle marks a result area done or failed, keeping its content.
export function settle(area, state) {
  area.dataset.state = state;
  area.removeAttribute('aria-busy');
}

// busy marks a result area as waiting for the server.
export function busy(area) {
  area.dataset.state = 'loading';
  area.setAttribute('aria-busy', 'true');
}

// kv renders any JSON value: objects as definition lists, arrays as lists.
export function kv(value) {
  if (Array.isArray(value)) {
    if (value.length === 0) return el('span', { class: 'muted' }, 'none');
    return el('ul', {}, value.map((v) => el('li', {}, kv(v))));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return el('span', { class: 'muted' }, 'none');
    return el('dl', { class: 'kv' }, keys.map((k) => [el('dt', {}, k), el('dd', { 'data-key': k }, kv(value[k]))]));
  }
  if (value === null || value === undefined) return el('span', { class: 'muted' }, 'null');
  return String(value);
}

// flag is a small tag for a permission flag, struck through when off.
export function flag(name, on) {
  return el('span', { class: on ? 'flag' : 'flag off', title: `${name}: ${on ? 'yes' : 'no'}` }, name);
}
