// The Ask panel: one decision with its explanation (POST
// /v1/authorize?explain=true).
import { call, errorView } from './api.js';
import { busy, el, kv, show } from './dom.js';
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
      el('div', { class: 'extension' }, el('h3', {}, 'Extension: scope and consent'), kv(x.extension)),
  );
}

function nearMiss(m) {
  return el('div', { class: 'near-miss', 'data-reason': m.reason },
    el('div', {}, el('strong', {}, m.reason ?? 'near miss'), ': ', m.message ?? ''),
    chain(m));
}
