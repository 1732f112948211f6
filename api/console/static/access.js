// The Access map panel: every grant a user holds (GET
// /v1/users/{id}/access, following cursors), drawn as a tree of the URI
// space with what the user holds at each node and how.
import { call, errorView, query } from './api.js';
import { busy, el, flag, show } from './dom.js';

// maxPages bounds how many pages one map follows.
const maxPages = 100;

export function setupAccess() {
  const form = document.getElementById('access-form');
  const area = document.getElementById('access-result');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const user = document.getElementById('access-user').value;
    busy(area);
    try {
      const { grants, complete } = await fetchAll(user);
      show(area, 'done', mapView(user, grants, complete));
    } catch (err) {
      show(area, 'error', errorView(err));
    }
  });
}

async function fetchAll(user) {
  const grants = [];
  let cursor = '';
  for (let page = 0; page < maxPages; page++) {
    const r = await call('GET', `/v1/users/${encodeURIComponent(user)}/access${query({ cursor })}`);
    if (Array.isArray(r.grants)) grants.push(...r.grants);
    cursor = typeof r.cursor === 'string' ? r.cursor : '';
    if (!cursor) return { grants, complete: true };
  }
  return { grants, complete: false };
}

function mapView(user, grants, complete) {
  return [
    el('h3', { 'data-field': 'user' }, `Access of ${user}`),
    el('p', { class: 'muted' }, `${grants.length} grant${grants.length === 1 ? '' : 's'}`,
      complete ? '' : ` (stopped after ${maxPages} pages)`),
    grants.length === 0 ? null : el('ul', { class: 'tree' }, treeView(buildTree(grants))),
  ];
}

// buildTree files each grant under its resource's segments.
export function buildTree(grants) {
  const root = { name: '', path: '', children: new Map(), grants: [] };
  for (const g of grants) {
    let node = root;
    for (const seg of String(g.resource ?? '').split('/').filter((s) => s !== '')) {
      const path = node.path ? `${node.path}/${seg}` : seg;
      if (!node.children.has(seg)) node.children.set(seg, { name: seg, path, children: new Map(), grants: [] });
      node = node.children.get(seg);
    }
    node.grants.push(g);
  }
  return root;
}

// treeView draws the root: grants on the empty resource apply everywhere.
function treeView(root) {
  const top = root.grants.length === 0 ? null :
    el('li', { class: 'node', 'data-path': '' }, el('span', { class: 'node-name' }, '(everything)'), root.grants.map(grantView));
  return [top, childrenView(root)];
}

// nodeView draws one node: its name, what the user holds there, its children.
function nodeView(node) {
  const kids = childrenView(node);
  return el('li', { class: 'node', 'data-path': node.path },
    el('span', { class: 'node-name', title: node.path }, node.name),
    node.grants.map(grantView),
    kids.length ? el('ul', {}, kids) : null);
}

function childrenView(node) {
  return [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name)).map(nodeView);
}

function grantView(g) {
  const how = [g.kind ?? 'grant', ' ', el('span', { class: 'value' }, g.id ?? '')];
  if (g.group) how.push(' via group ', el('span', { class: 'value' }, g.group));
  if (g.role) how.push(' · role ', el('span', { class: 'value' }, g.role));
  if (g.expires) how.push(` · expires ${g.expires}`);
  const perms = Array.isArray(g.permissions) ? g.permissions : [];
  return el('div', { class: 'grant', 'data-id': g.id },
    el('div', {}, how),
    el('div', { class: 'perms' }, perms.map((p) => el('span', { class: 'perm' },
      el('span', { class: 'value' }, p.action ?? ''), flag('allow', p.allow === true), flag('grant', p.grant === true),
      flag('delegate', p.delegate === true), ' '))));
}
