// The Ask panel: one decision with its explanation (POST
// /v1/authorize?explain=true).
import { call, errorView } from './api.js';
import { busy, el, flag, kv, show } from './dom.js';
import { chain } from './chain.js';

// Subject fields each mode sends; the mode's fields are sent as typed, so
// a blank one is refused by the server, never dropped here.
const modes = {
  'user': ['user'],
  'user+installation': ['user', 'installation'],
  'installation': ['installation'],
  'app+tenant': ['app', 'tenant'],
};

export function setupAsk() {
  const form = document.getElementById('ask-form');
  const mode = document.getElementById('ask-mode');
  const area = document.getElementById('ask-result');
  mode.addEventListener('change', () => showFields(form, mode.value));
  showFields(form, mode.value);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const question = askBody(mode.value);
    busy(area);
    try {
      const d = await call('POST', '/v1/authorize?explain=true', question);
      show(area, 'done', decisionView(question, d));
    } catch (err) {
      show(area, 'error', errorView(err));
    }
  });
}

function showFields(form, m) {
  for (const label of form.querySelectorAll('label[data-for]')) label.hidden = !modes[m].includes(label.dataset.for);
}

// askBody is the question as the form holds it.
function askBody(m) {
  const body = {};
  for (const f of modes[m]) body[f] = value(`ask-${f}`);
  body.resource = value('ask-resource');
  body.permission = value('ask-permission');
  return body;
}

function value(id) {
  return document.getElementById(id).value;
}

function decisionView(question, d) {
  const allowed = d.allowed === true;
  return [
    el('div', { class: `verdict ${allowed ? 'allowed' : 'denied'}`, 'data-field': 'verdict' }, allowed ? 'Allowed' : 'Denied'),
    el('dl', { class: 'kv' },
      el('dt', {}, 'question'), el('dd', { 'data-field': 'question' }, questionText(question)),
      el('dt', {}, 'denied by'), el('dd', { 'data-field': 'denied_by' }, d.denied_by ?? '—'),
      el('dt', {}, 'revision'), el('dd', { 'data-field': 'revision' }, String(d.revision ?? '')),
      el('dt', {}, 'decision id'), el('dd', { 'data-field': 'decision_id' }, String(d.decision_id ?? ''))),
    reasonsView(d.reasons),
    explanationView(d.explanation),
  ];
}

function questionText(q) {
  const subject = Object.entries(q).filter(([k]) => k !== 'resource' && k !== 'permission').map(([k, v]) => `${k} ${v}`);
  return `${subject.join(', ')} — ${q.permission} on ${q.resource}`;
}

function reasonsView(reasons) {
  if (!Array.isArray(reasons) || reasons.length === 0) return el('p', { class: 'muted', 'data-field': 'reasons' }, 'no reasons');
  return el('div', { 'data-field': 'reasons' }, el('h3', {}, 'Reasons'),
    el('table', {},
      el('thead', {}, el('tr', {}, ['kind', 'id', 'role', 'resource'].map((h) => el('th', {}, h)))),
      el('tbody', {}, reasons.map((r) => el('tr', { class: 'reason' },
        el('td', {}, r.kind), el('td', {}, r.id), el('td', {}, r.role ?? ''), el('td', {}, r.resource))))));
}

function explanationView(x) {
  if (x === undefined || x === null) return el('p', { class: 'muted', 'data-field': 'explanation' }, 'no explanation in the answer');
  const paths = Array.isArray(x.paths) ? x.paths : [];
  const misses = Array.isArray(x.near_misses) ? x.near_misses : [];
  return el('div', { 'data-field': 'explanation' },
    el('h3', {}, 'Paths'),
    paths.length === 0 ? el('p', { class: 'muted' }, 'no path grants this') :
      el('ul', { class: 'paths' }, paths.map((p) => el('li', { class: 'path' }, chain(p)))),
    misses.length === 0 ? null : [el('h3', {}, 'Near misses'), misses.map(nearMiss)],
    x.extension === undefined || x.extension === null ? null :
      el('div', { class: 'extension' }, el('h3', {}, 'Extension: scope and consent'), extensionView(x.extension)),
  );
}

function nearMiss(m) {
  return el('div', { class: 'near-miss', 'data-reason': m.reason },
    el('div', {}, el('strong', {}, m.reason ?? 'near miss'), ': ', m.message ?? ''),
    chain(m));
}

// Names of the extension's sides as the page titles them.
const sides = { scope: 'scope side', consented: 'consent side', requested: 'requested by the extension' };

// extensionView draws the installation's side of the intersection: each
// side's entries marked by whether they cover the request, the checks
// that pass, and any other field as it came.
function extensionView(x) {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return kv(x);
  const first = ['installation', 'extension', 'status', 'scope', 'consented', 'requested', 'covers'];
  const keys = [...first.filter((k) => k in x), ...Object.keys(x).filter((k) => !first.includes(k))];
  return el('dl', { class: 'kv' }, keys.map((k) =>
    [el('dt', {}, sides[k] ?? k), el('dd', { 'data-key': k }, sideView(x[k]))]));
}

function sideView(v) {
  if (Array.isArray(v) && v.every((e) => e !== null && typeof e === 'object' && typeof e.covers === 'boolean')) {
    if (v.length === 0) return el('span', { class: 'muted' }, 'none');
    return el('ul', {}, v.map((e) => el('li', {}, el('span', { class: 'value' }, e.resource ?? e.permission ?? JSON.stringify(e)),
      flag('covers', e.covers))));
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((b) => typeof b === 'boolean')) {
    return Object.entries(v).map(([name, on]) => flag(name, on));
  }
  return kv(v);
}
