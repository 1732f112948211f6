// Chains: how a user reaches a permission, drawn as steps
// user → group or membership → record → role → permission → resource.
import { el, flag } from './dom.js';

// Fields a chain draws in order; the rest of an object's fields (but the
// ones describing it) follow as extra steps, so nothing sent is hidden.
const order = ['user', 'app', 'installation', 'tenant', 'group', 'id', 'role', 'permission', 'action', 'resource'];
const described = new Set(['principal', 'kind', 'reason', 'message', 'grant', 'delegate', 'allow', 'via']);

// chain draws one path; kind names the id's step (record, membership, …).
export function chain(p) {
  const steps = [];
  for (const key of order) {
    if (!present(p[key])) continue;
    const label = key === 'id' ? (p.kind || 'source') : key;
    steps.push(step(label, p[key]));
  }
  for (const [key, value] of Object.entries(p)) {
    if (order.includes(key) || described.has(key) || !present(value)) continue;
    steps.push(step(key, typeof value === 'object' ? JSON.stringify(value) : value));
  }
  const flags = ['grant', 'delegate'].filter((f) => typeof p[f] === 'boolean').map((f) => flag(f, p[f]));
  return el('ol', { class: 'chain', 'data-principal': p.principal }, steps, flags.length ? el('li', { class: 'flags' }, flags) : null);
}

function step(label, value) {
  return el('li', { class: 'step', 'data-step': label },
    el('span', { class: 'label' }, label), el('span', { class: 'value' }, String(value)));
}

function present(v) {
  return v !== undefined && v !== null && v !== '';
}
