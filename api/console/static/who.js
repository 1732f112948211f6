// The Who has access panel: who holds a permission on a resource (GET
// /v1/resources/{uri}/users), a page at a time with a "More" button.
import { call, errorView, query } from './api.js';
import { busy, el, settle, show } from './dom.js';
import { chain } from './chain.js';

export function setupWho() {
  const form = document.getElementById('who-form');
  const area = document.getElementById('who-result');
  const more = document.getElementById('who-more');
  let next = null; // the next page's request, null when there is none

  async function load(req, append) {
    busy(area);
    more.hidden = true;
    try {
      const r = await call('GET', `/v1/resources/${encodeURIComponent(req.resource)}/users${query({ ...req.params, cursor: req.cursor })}`);
      const rows = (Array.isArray(r.users) ? r.users : []).map(rowView);
      const body = append ? area.querySelector('tbody') : null;
      if (body) {
        body.append(...rows);
        settle(area, 'done');
      } else {
        show(area, 'done', tableView(req, rows));
      }
      next = typeof r.cursor === 'string' && r.cursor !== '' ? { ...req, cursor: r.cursor } : null;
      more.hidden = next === null;
    } catch (err) {
      show(area, 'error', errorView(err));
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load(request(), false);
  });
  more.addEventListener('click', () => {
    if (next) load(next, true);
  });
}

// request is the first page's request as the form holds it.
function request() {
  const v = (id) => document.getElementById(id).value;
  return {
    resource: v('who-resource'),
    params: { permission: v('who-permission'), grant: String(document.getElementById('who-grant').checked), limit: v('who-limit') },
    cursor: '',
  };
}

function tableView(req, rows) {
  return [
    el('h3', { 'data-field': 'question' }, `${req.params.permission} on ${req.resource}`, req.params.grant === 'true' ? ' (may grant)' : ''),
    rows.length === 0 ? el('p', { class: 'muted' }, 'nobody') : null,
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'user'), el('th', {}, 'via'))), el('tbody', {}, rows)),
  ];
}

function rowView(u) {
  const via = Array.isArray(u.via) ? u.via : [];
  return el('tr', { class: 'who-row', 'data-user': u.user },
    el('td', { class: 'value' }, u.user ?? ''),
    el('td', {}, via.map((v) => chain(v))));
}
