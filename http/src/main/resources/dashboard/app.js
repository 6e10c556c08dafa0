// Tidewatch dashboard: plain JavaScript over the public API (/api/v1) and /metrics; no private endpoints.
'use strict';

const API = '/api/v1';
const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
  children.forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
};
const time = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z');
const num = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toLocaleString(undefined, { maximumFractionDigits: 2 }));

// ---- tokens: kept in this browser session; several may be given (one per role), each call uses one that works.
let tokens = (sessionStorage.getItem('tidewatch.tokens') || '').split(/\s+/).filter(Boolean);
const workingToken = {}; // route kind -> token that was accepted

function showError(message) {
  const box = $('#error');
  box.textContent = message;
  box.hidden = !message;
}

async function call(path, kind, init = {}) {
  const candidates = workingToken[kind] ? [workingToken[kind], ...tokens] : tokens;
  let last;
  for (const token of candidates.length ? candidates : [null]) {
    const headers = Object.assign({}, init.headers, token ? { Authorization: `Bearer ${token}` } : {});
    last = await fetch(API + path, Object.assign({}, init, { headers }));
    if (last.status !== 401 && last.status !== 403) {
      if (token) workingToken[kind] = token;
      break;
    }
  }
  if (!last.ok) {
    let detail = last.statusText;
    try { detail = (await last.json()).detail || detail; } catch (e) { /* not a problem document */ }
    throw new Error(`${last.status}: ${detail}`);
  }
  return last;
}
const getJson = async (path, kind) => (await call(path, kind)).json();

/** Reads a Server-Sent Events stream with fetch (EventSource cannot send a bearer token). */
async function sse(path, kind, onEvent, signal, onOpen = () => {}) {
  const response = await call(path, kind, { signal, headers: { Accept: 'text/event-stream' } });
  onOpen();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = {};
      block.split('\n').forEach((line) => {
        const colon = line.indexOf(':');
        if (colon > 0) event[line.slice(0, colon)] = (event[line.slice(0, colon)] ? event[line.slice(0, colon)] + '\n' : '') + line.slice(colon + 1).trimStart();
      });
      if (event.data) onEvent(event);
    }
  }
}

// ---- views
const views = { cluster: startCluster, stream: startStream, entity: () => {} };
let stopCurrent = () => {};
function show(view) {
  document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('active', b.dataset.view === view));
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== `view-${view}`; });
  stopCurrent();
  showError('');
  stopCurrent = views[view]() || (() => {});
  location.hash = view;
}

function every(ms, task) {
  let timer = null;
  let stopped = false;
  const run = async () => {
    try { await task(); } catch (e) { showError(e.message); }
    if (!stopped) timer = setTimeout(run, ms);
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}

// Cluster: members and shards, refreshed every 5 s.
function startCluster() {
  return every(5000, async () => {
    const [cluster, shards] = await Promise.all([getJson('/cluster', 'operator'), getJson('/cluster/shards', 'operator')]);
    $('#cluster-self').textContent = `this node: ${cluster.self}`;
    $('#cluster-members tbody').replaceChildren(...cluster.members.map((m) => el('tr', { class: 'member' },
      el('td', {}, m.address), el('td', { class: 'status' }, m.status), el('td', {}, m.roles.join(', ')),
      el('td', {}, m.reachable ? 'yes' : 'NO'), el('td', {}, m.address === cluster.leader ? 'leader' : ''))));
    const rows = [];
    shards.types.forEach((t) => t.nodes.forEach((n) => rows.push(el('tr', {},
      el('td', {}, t.type), el('td', {}, n.address), el('td', {}, n.shards), el('td', {}, num(n.entities))))));
    $('#cluster-shards tbody').replaceChildren(...rows);
  });
}

// Live stream: rates from /metrics every 2 s, and alerts as they happen.
function sumOf(metricsText, name) {
  let total = null;
  metricsText.split('\n').forEach((line) => {
    if (line.startsWith(name + '{') || line.startsWith(name + ' ')) {
      const value = parseFloat(line.slice(line.lastIndexOf(' ') + 1));
      if (!Number.isNaN(value)) total = (total || 0) + value;
    }
  });
  return total;
}

function startStream() {
  const rates = [];
  let previous = null;
  const stopMetrics = every(2000, async () => {
    const text = await (await fetch('/metrics')).text();
    const ingested = sumOf(text, 'tidewatch_readings_ingested_total') || 0;
    const now = Date.now();
    if (previous) rates.push(Math.max(0, (ingested - previous.ingested) / ((now - previous.at) / 1000)));
    previous = { ingested, at: now };
    while (rates.length > 60) rates.shift();
    $('#rate').textContent = rates.length ? num(rates[rates.length - 1]) : '…';
    $('#lag').textContent = num(sumOf(text, 'tidewatch_kafka_consumer_lag'));
    $('#dead-letters').textContent = num(sumOf(text, 'tidewatch_dead_letters_total') || 0);
    $('#ingested').textContent = num(ingested);
    drawSpark($('#rate-chart'), rates);
  });
  const feed = $('#alert-feed');
  const addAlert = (a, fresh) => {
    const item = el('li', { class: fresh ? 'alert new' : 'alert' },
      `${time(a.ts)} `, el('span', { class: 'rule' }, a.rule), ` ${a.entityType}/${a.entityId} ${a.metric} = ${num(a.value)}`
        + (a.previous !== null && a.previous !== undefined ? ` (vs ${num(a.previous)})` : ''));
    item.addEventListener('click', () => openEntity(a.entityType, a.entityId));
    fresh ? feed.prepend(item) : feed.append(item);
    while (feed.children.length > 100) feed.lastChild.remove();
  };
  const aborter = new AbortController();
  getJson('/alerts?limit=20', 'reader').then((page) => { feed.replaceChildren(); page.items.forEach((a) => addAlert(a, false)); })
    .catch((e) => showError(e.message));
  $('#alert-feed-status').textContent = 'connecting…';
  sse('/stream/alerts', 'reader', (event) => addAlert(JSON.parse(event.data), true), aborter.signal,
    () => { $('#alert-feed-status').textContent = 'live'; })
    .catch((e) => { if (!aborter.signal.aborted) { $('#alert-feed-status').textContent = `disconnected: ${e.message}`; } });
  return () => { stopMetrics(); aborter.abort(); };
}

function drawSpark(svg, values) {
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / 59) * 600},${78 - (v / max) * 74}`).join(' ');
  svg.innerHTML = `<polyline class="mean" points="${points}"></polyline>`;
}

// Entity: live state over SSE, windows chart, alerts, journal replay.
let stopEntity = () => {};
function openEntity(type, id) {
  $('#entity-type').value = type;
  $('#entity-id').value = id;
  show('entity');
  loadEntity(type, id);
}

async function loadEntity(type, id) {
  stopEntity();
  showError('');
  const base = `/entities/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
  let state;
  try {
    state = await getJson(base, 'reader');
  } catch (e) {
    showError(e.message);
    $('#entity').hidden = true;
    return;
  }
  $('#entity').hidden = false;
  $('#entity-title').textContent = `${type} ${id}`;
  $('#journal tbody').replaceChildren();
  $('#replay-status').textContent = '';
  const specs = [...new Set([...state.recentWindows, ...state.openWindows].map((w) => w.spec))];
  const metrics = Object.keys(state.lastValues).sort();
  fillSelect($('#chart-spec'), specs, specs.find((s) => s.startsWith('tumbling')) || specs[0]);
  fillSelect($('#chart-metric'), metrics.length ? metrics : [''], metrics[0] || '');
  const chart = () => drawWindows(base).catch((e) => showError(e.message));
  $('#chart-spec').onchange = chart;
  $('#chart-metric').onchange = chart;
  renderState(state);
  chart();
  loadAlerts(base);
  $('#replay').onclick = () => replay(base);

  const aborter = new AbortController();
  let recent = JSON.stringify(state.recentWindows);
  $('#entity-live').textContent = 'connecting…';
  sse(`/stream${base}`, 'reader', (event) => {
    const next = JSON.parse(event.data);
    renderState(next);
    if (JSON.stringify(next.recentWindows) !== recent) { recent = JSON.stringify(next.recentWindows); chart(); }
    if (next.anomalies !== state.anomalies) { state = next; loadAlerts(base); }
  }, aborter.signal, () => { $('#entity-live').textContent = 'live'; }).catch((e) => { if (!aborter.signal.aborted) $('#entity-live').textContent = `disconnected: ${e.message}`; });
  stopEntity = () => aborter.abort();
}

function fillSelect(select, values, selected) {
  select.replaceChildren(...values.map((v) => el('option', { value: v }, v || '(count)')));
  select.value = selected;
}

function renderState(s) {
  const tiles = [['Readings', s.readings], ['Late', s.lateReadings], ['Duplicates', s.duplicates],
    ['Anomalies', s.anomalies], ['Last sequence nr', s.lastSeqNr],
    ['Watermark', s.watermarkMs > 0 ? time(s.watermarkMs) : '–']];
  $('#entity-counters').replaceChildren(...tiles.map(([label, value]) => el('div', { class: 'tile' },
    el('span', { class: 'label' }, label), el('span', { class: 'value' }, typeof value === 'number' ? num(value) : value))));
  $('#entity-values tbody').replaceChildren(...Object.keys(s.lastValues).sort().map((m) => el('tr', {},
    el('td', {}, m), el('td', {}, num(s.lastValues[m])), el('td', {}, num(s.metricCounts[m])))));
}

async function drawWindows(base) {
  const spec = $('#chart-spec').value;
  const metric = $('#chart-metric').value;
  const query = `?limit=120${spec ? `&spec=${encodeURIComponent(spec)}` : ''}${metric ? `&metric=${encodeURIComponent(metric)}` : ''}`;
  const windows = (await getJson(`${base}/windows${query}`, 'reader')).items.slice().reverse();
  const svg = $('#window-chart');
  if (!windows.length) {
    svg.innerHTML = '<text x="20" y="130">No closed windows yet: they appear once the watermark passes a window\'s end.</text>';
    return;
  }
  const value = (w, key) => (metric ? w[key] : w.count);
  const lo = Math.min(...windows.map((w) => value(w, 'min')));
  const hi = Math.max(...windows.map((w) => value(w, 'max')));
  const t0 = windows[0].start;
  const t1 = windows[windows.length - 1].start;
  const x = (t) => 50 + (t1 === t0 ? 350 : ((t - t0) / (t1 - t0)) * 730);
  const y = (v) => 230 - (hi === lo ? 100 : ((v - lo) / (hi - lo)) * 210);
  const band = windows.map((w) => `${x(w.start)},${y(value(w, 'max'))}`)
    .concat(windows.slice().reverse().map((w) => `${x(w.start)},${y(value(w, 'min'))}`)).join(' ');
  const mean = windows.map((w) => `${x(w.start)},${y(value(w, 'mean'))}`).join(' ');
  const dots = windows.map((w) => `<circle class="point" cx="${x(w.start)}" cy="${y(value(w, 'mean'))}" r="3"><title>${time(w.start)}: mean ${num(value(w, 'mean'))}, ${w.count} readings</title></circle>`).join('');
  svg.innerHTML = `<line class="axis" x1="50" y1="230" x2="790" y2="230"></line><line class="axis" x1="50" y1="15" x2="50" y2="230"></line>`
    + `<text x="4" y="22">${num(hi)}</text><text x="4" y="230">${num(lo)}</text>`
    + `<text x="50" y="250">${time(t0)}</text><text x="610" y="250">${time(t1)}</text>`
    + `<polygon class="band" points="${band}"></polygon><polyline class="mean" points="${mean}"></polyline>${dots}`;
}

async function loadAlerts(base) {
  try {
    const page = await getJson(`${base}/alerts?limit=20`, 'reader');
    $('#entity-alerts tbody').replaceChildren(...page.items.map((a) => el('tr', {},
      el('td', {}, time(a.ts)), el('td', { class: 'rule' }, a.rule), el('td', {}, a.metric), el('td', {}, num(a.value)),
      el('td', {}, a.previous === null || a.previous === undefined ? '' : num(a.previous)))));
  } catch (e) { showError(e.message); }
}

function summary(line) {
  const e = line.event;
  switch (line.type) {
    case 'ReadingsRecorded': return `${e.readings.length} reading(s), event time ${time(e.readings[0].ts)} … ${time(e.readings[e.readings.length - 1].ts)}`;
    case 'WindowClosed': return `${e.spec} ${time(e.start)} – ${time(e.end)}: ${e.count} reading(s)`;
    case 'AnomalyDetected': return `${e.rule} on ${e.metric}: ${num(e.value)}`;
    default: return JSON.stringify(e);
  }
}

async function replay(base) {
  const body = $('#journal tbody');
  body.replaceChildren();
  $('#replay-status').textContent = 'replaying…';
  try {
    const response = await call(`${base}/journal`, 'auditor');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let count = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
        count++;
        if (count <= 1000) {
          body.append(el('tr', { class: 'journal-event' }, el('td', {}, line.seqNr), el('td', {}, time(line.timestamp)),
            el('td', {}, line.type), el('td', {}, summary(line))));
        }
      }
    }
    $('#replay-status').textContent = `${count} event(s)${count > 1000 ? ', the first 1000 shown' : ''}`;
  } catch (e) {
    $('#replay-status').textContent = e.message.startsWith('403') ? 'needs an auditor token' : e.message;
  }
}

// ---- wiring
document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => show(b.dataset.view)));
$('#tokens').value = tokens.join(' ');
$('#token-status').textContent = tokens.length ? `${tokens.length} token(s)` : '';
$('#token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  tokens = $('#tokens').value.split(/\s+/).filter(Boolean);
  Object.keys(workingToken).forEach((k) => delete workingToken[k]);
  sessionStorage.setItem('tidewatch.tokens', tokens.join(' '));
  $('#token-status').textContent = `${tokens.length} token(s)`;
  show((location.hash || '#cluster').slice(1));
});
$('#entity-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadEntity($('#entity-type').value, $('#entity-id').value.trim());
});
$('#entity-type').addEventListener('change', () => loadIds());
async function loadIds() {
  try {
    const page = await getJson(`/entities/${$('#entity-type').value}?limit=200`, 'reader');
    $('#entity-ids').replaceChildren(...page.items.map((id) => el('option', { value: id })));
  } catch (e) { /* the list is a convenience */ }
}
const initial = (location.hash || '#cluster').slice(1);
show(views[initial] ? initial : 'cluster');
if (tokens.length) loadIds();
