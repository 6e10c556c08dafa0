// Tidewatch dashboard: plain JavaScript over the public API (/api/v1) and /metrics; no private endpoints. Charts
// are drawn by charts.js (Apache ECharts).
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

// ---- tokens: kept in this browser session; several may be given (one per role). GET /token tells each one's
// roles once, so every call sends the token of its route's role and nothing is tried in vain.
let tokens = (sessionStorage.getItem('tidewatch.tokens') || '').split(/\s+/).filter(Boolean);
let tokenFor = {}; // role -> token

function showError(message) {
  const box = $('#error');
  box.textContent = message;
  box.hidden = !message;
}

async function learnRoles() {
  tokenFor = {};
  let unknown = 0;
  for (const token of tokens) {
    const response = await fetch(`${API}/token`, { headers: { Authorization: `Bearer ${token}` } });
    if (response.ok) {
      (await response.json()).roles.forEach((role) => { tokenFor[role] = tokenFor[role] || token; });
    } else {
      unknown++;
    }
  }
  const roles = Object.keys(tokenFor).sort();
  $('#token-status').textContent = (roles.length ? roles.join(', ') : '')
    + (unknown ? `${roles.length ? '; ' : ''}${unknown} token(s) not known to this node` : '');
}

async function call(path, role, init = {}) {
  const token = tokenFor[role];
  if (!token) throw new Error(`needs a ${role} token: paste one above`);
  const headers = Object.assign({}, init.headers, { Authorization: `Bearer ${token}` });
  const response = await fetch(API + path, Object.assign({}, init, { headers }));
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not a problem document */ }
    throw new Error(`${response.status}: ${detail}`);
  }
  return response;
}
const getJson = async (path, role) => (await call(path, role)).json();

/** Reads a Server-Sent Events stream with fetch (EventSource cannot send a bearer token). */
async function sse(path, role, onEvent, signal, onOpen = () => {}) {
  const response = await call(path, role, { signal, headers: { Accept: 'text/event-stream' } });
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
const views = { cluster: startCluster, overview: startOverview, incidents: startIncidents, entity: () => {}, audit: () => {} };
let stopCurrent = () => {};
function show(view) {
  if (!views[view]) view = 'cluster'; // an old link's view
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
      el('td', {}, m.reachable ? 'yes' : 'NO'), el('td', {}, m.address === cluster.leader ? 'leader' : ''),
      el('td', {}, memberAction(m.address, 'leave', 'Leave'), ' ', memberAction(m.address, 'down', 'Down')))));
    const rows = [];
    shards.types.forEach((t) => t.nodes.forEach((n) => rows.push(el('tr', {},
      el('td', {}, t.type), el('td', {}, n.address), el('td', {}, n.shards), el('td', {}, num(n.entities))))));
    $('#cluster-shards tbody').replaceChildren(...rows);
  });
}

/** A button that asks the cluster to let a member leave or to down it, once the operator has confirmed. */
function memberAction(address, action, label) {
  const button = el('button', { class: `member-${action}`, type: 'button' }, label);
  button.addEventListener('click', async () => {
    const question = action === 'down'
      ? `Down ${address}? It is removed from the cluster at once, without handing over its shards; do this only for a member that is gone.`
      : `Let ${address} leave? It hands over its shards and stops.`;
    if (!confirm(question)) return;
    try {
      await call(`/cluster/members/${encodeURIComponent(address)}/${action}`, 'operator', { method: 'POST' });
    } catch (e) { showError(e.message); }
  });
  return button;
}

// Overview: rates, lag, latencies and entities from /metrics every 2 s (kept for 15 minutes), alerts as they happen.
const SAMPLE_MS = 2000;
const HISTORY_MS = 15 * 60 * 1000;

function startOverview() {
  const history = []; // {at, readings, deadLetters, produceP50, produceP99, persistP99, active: {type: n}}
  let previous = null;
  const stopMetrics = every(SAMPLE_MS, async () => {
    const samples = Charts.parse(await (await fetch('/metrics')).text());
    const now = Date.now();
    const ingested = Charts.sum(samples, 'tidewatch_readings_ingested_total') || 0;
    const dead = Charts.sum(samples, 'tidewatch_dead_letters_total') || 0;
    if (previous) {
      const seconds = (now - previous.at) / 1000;
      history.push({
        at: now,
        readings: Math.max(0, (ingested - previous.ingested) / seconds),
        deadLetters: Math.max(0, (dead - previous.dead) / seconds),
        produceP50: ms(Charts.quantile(previous.samples, samples, 'tidewatch_ingest_latency_seconds', 0.5)),
        produceP99: ms(Charts.quantile(previous.samples, samples, 'tidewatch_ingest_latency_seconds', 0.99)),
        persistP99: ms(Charts.quantile(previous.samples, samples, 'tidewatch_persist_seconds', 0.99)),
        active: Charts.byLabel(samples, 'tidewatch_entities_active', 'type'),
      });
    }
    previous = { at: now, ingested, dead, samples };
    while (history.length && history[0].at < now - HISTORY_MS) history.shift();
    const last = history[history.length - 1] || {};
    const active = Charts.byLabel(samples, 'tidewatch_entities_active', 'type');
    $('#rate').textContent = history.length ? num(last.readings) : '…';
    $('#lag').textContent = num(Charts.sum(samples, 'tidewatch_kafka_consumer_lag'));
    $('#dead-letters').textContent = num(dead);
    $('#ingested').textContent = num(ingested);
    $('#active').textContent = num(Object.values(active).reduce((a, b) => a + b, 0));
    $('#produce-p99').textContent = last.produceP99 == null ? '–' : `${num(last.produceP99)} ms`;
    $('#persist-p99').textContent = last.persistP99 == null ? '–' : `${num(last.persistP99)} ms`;
    drawOverview(history, samples);
  });
  const feed = $('#alert-feed');
  const addAlert = (a, fresh) => {
    const item = el('li', { class: fresh ? 'alert new' : 'alert' },
      `${time(a.ts)} `, severityBadge(a), ' ', el('span', { class: 'rule' }, a.rule), ` ${a.entityType}/${a.entityId} ${a.metric} = ${num(a.value)}`
        + (a.previous !== null && a.previous !== undefined ? ` (vs ${num(a.previous)})` : ''));
    item.addEventListener('click', () => openEntity(a.entityType, a.entityId));
    fresh ? feed.prepend(item) : feed.append(item);
    while (feed.children.length > 100) feed.lastChild.remove();
  };
  const stopIncidents = every(INCIDENTS_SAMPLE_MS, async () => {
    const bySeverity = await openIncidentsBySeverity();
    incidentHistory.push(Object.assign({ at: Date.now() }, bySeverity));
    while (incidentHistory.length && incidentHistory[0].at < Date.now() - HISTORY_MS) incidentHistory.shift();
    $('#open-incidents').textContent = num(SEVERITIES.reduce((sum, s) => sum + bySeverity[s], 0));
    $('#open-incidents-split').textContent = SEVERITIES.slice().reverse().map((s) => `${bySeverity[s]} ${s}`).join(' · ');
    drawIncidents();
  });
  const aborter = new AbortController();
  getJson('/alerts?limit=20', 'reader').then((page) => { feed.replaceChildren(); page.items.forEach((a) => addAlert(a, false)); })
    .catch((e) => showError(e.message));
  $('#alert-feed-status').textContent = 'connecting…';
  sse('/stream/alerts', 'reader', (event) => addAlert(JSON.parse(event.data), true), aborter.signal,
    () => { $('#alert-feed-status').textContent = 'live'; })
    .catch((e) => { if (!aborter.signal.aborted) { $('#alert-feed-status').textContent = `disconnected: ${e.message}`; } });
  return () => { stopMetrics(); stopIncidents(); aborter.abort(); };
}

// Open incidents of the whole cluster by severity, from the read side (GET /incidents), every 10 s.
const SEVERITIES = ['warning', 'error', 'critical'];
const SEVERITY_COLOURS = { warning: '#e3b505', error: '#f07c1b', critical: '#b3261e' };
const INCIDENTS_SAMPLE_MS = 10000;
const incidentHistory = []; // {at, warning, error, critical}, kept across visits like the page's other history

async function openIncidentsBySeverity() {
  const counts = { warning: 0, error: 0, critical: 0 };
  let cursor = null;
  do { // every page: the count is of all open incidents
    const page = await getJson(`/incidents?state=open&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, 'reader');
    page.items.forEach((i) => { counts[i.severity] = (counts[i.severity] || 0) + 1; });
    cursor = page.next;
  } while (cursor);
  return counts;
}

function drawIncidents() {
  Charts.draw('chart-incidents', {
    xAxis: { type: 'time', min: Date.now() - HISTORY_MS, max: Date.now() },
    yAxis: { type: 'value', name: 'open incidents', minInterval: 1 },
    series: SEVERITIES.map((s) => ({ name: s, type: 'line', step: 'end', stack: 'open', showSymbol: false,
      itemStyle: { color: SEVERITY_COLOURS[s] }, areaStyle: { opacity: 0.5 },
      data: incidentHistory.map((h) => [h.at, h[s]]) })),
  });
}

// Incidents: the open ones of all entities (again on every transition), the transitions as they happen, and the
// notifications the notifier gave up on, which an operator may send again.
function startIncidents() {
  const refresh = async () => {
    const page = await getJson('/incidents?state=open&limit=200', 'reader');
    $('#incidents-status').textContent = `${page.items.length}${page.next ? '+' : ''} open`;
    $('#open-incidents-table tbody').replaceChildren(...page.items.map((i) => el('tr', { class: 'incident' },
      el('td', {}, time(i.openedAt)), el('td', {}, severityBadge(i)), el('td', {}, entityLink(i.entityType, i.entityId)),
      el('td', { class: 'rule' }, i.rule), el('td', {}, i.metric), el('td', {}, i.escalatedAt ? time(i.escalatedAt) : ''))));
  };
  const stopRefresh = every(10000, refresh);
  const feed = $('#transition-feed');
  feed.replaceChildren();
  const aborter = new AbortController();
  $('#transition-feed-status').textContent = 'connecting…';
  sse('/stream/incidents', 'reader', (event) => {
    const t = JSON.parse(event.data);
    const item = el('li', { class: `transition new ${t.transition}` }, `${time(t.at)} `, severityBadge(t), ' ',
      el('span', { class: 'rule' }, t.transition), ` ${t.rule} on ${t.metric} of `, entityLink(t.entityType, t.entityId),
      ` (${t.incidentId})`);
    feed.prepend(item);
    while (feed.children.length > 100) feed.lastChild.remove();
    refresh().catch((e) => showError(e.message));
  }, aborter.signal, () => { $('#transition-feed-status').textContent = 'live'; })
    .catch((e) => { if (!aborter.signal.aborted) $('#transition-feed-status').textContent = `disconnected: ${e.message}`; });
  loadFailedNotifications();
  loadSilences();
  return () => { stopRefresh(); aborter.abort(); };
}

// Silences: an operator mutes notifications of matching incidents until a time (journaled by the node).
const SILENCE_FOR_MS = { '15m': 15 * 60000, '1h': 3600000, '4h': 4 * 3600000, '1d': 86400000 };

async function loadSilences() {
  if (!tokenFor.operator) {
    $('#silences-status').textContent = 'needs an operator token';
    $('#silences tbody').replaceChildren();
    return;
  }
  try {
    const page = await getJson('/silences?state=active', 'operator');
    $('#silences-status').textContent = page.items.length ? `${page.items.length} active` : 'none active';
    $('#silences tbody').replaceChildren(...page.items.map((s) => {
      const expire = el('button', { type: 'button', class: 'expire' }, 'Expire');
      expire.addEventListener('click', async () => {
        if (!confirm(`Expire the silence on ${matchersText(s.matchers)}? Its notifications go out again from now on.`)) return;
        try {
          await call(`/silences/${encodeURIComponent(s.id)}`, 'operator', { method: 'DELETE' });
        } catch (e) { showError(e.message); }
        loadSilences();
      });
      return el('tr', { class: 'silence' }, el('td', {}, matchersText(s.matchers)), el('td', {}, time(s.endsAt)),
        el('td', {}, s.comment || ''), el('td', {}, s.createdBy || ''), el('td', {}, s.state), el('td', {}, expire));
    }));
  } catch (e) { $('#silences-status').textContent = e.message; }
}

const matchersText = (m) => Object.entries(m).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(', ');

async function createSilence() {
  const matchers = {};
  [['entityType', '#silence-type'], ['entityId', '#silence-entity'], ['rule', '#silence-rule'], ['severity', '#silence-severity']]
    .forEach(([key, sel]) => { const v = $(sel).value.trim(); if (v) matchers[key] = v; });
  const body = { matchers, endsAt: Date.now() + SILENCE_FOR_MS[$('#silence-for').value], comment: $('#silence-comment').value.trim(),
    createdBy: 'dashboard' };
  try {
    await call('/silences', 'operator', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    $('#silence-comment').value = '';
  } catch (e) { showError(e.message); }
  loadSilences();
}

async function loadFailedNotifications() {
  if (!tokenFor.operator) {
    $('#failed-status').textContent = 'needs an operator token';
    $('#failed-notifications tbody').replaceChildren();
    return;
  }
  try {
    const page = await getJson('/notifications/failed?limit=100', 'operator');
    $('#failed-status').textContent = page.items.length ? `${page.items.length}${page.next ? '+' : ''}` : 'none';
    $('#failed-notifications tbody').replaceChildren(...page.items.map((f) => {
      const resend = el('button', { type: 'button', class: 'resend' }, 'Resend');
      resend.addEventListener('click', async () => {
        resend.disabled = true;
        try {
          await call(`/notifications/failed/${encodeURIComponent(f.id)}/resend`, 'operator', { method: 'POST' });
        } catch (e) { showError(e.message); }
        loadFailedNotifications();
      });
      return el('tr', { class: 'failed-notification' }, el('td', {}, time(f.failedAt)), el('td', {}, f.receiver),
        el('td', {}, f.transitionIds.join(', ')), el('td', {}, f.attempts), el('td', {}, f.reason), el('td', {}, resend));
    }));
  } catch (e) { $('#failed-status').textContent = e.message; }
}

/** An entity's name that opens it in the entity view. */
function entityLink(type, id) {
  const link = el('span', { class: 'entity-link' }, `${type}/${id}`);
  link.addEventListener('click', () => openEntity(type, id));
  return link;
}

/** An alert's severity as a coloured badge (alerts journaled before severities have none). */
const severityBadge = (a) => el('span', { class: `severity ${a.severity || 'none'}` }, a.severity || '–');

const ms = (seconds) => (seconds === null ? null : seconds * 1000);

function drawOverview(history, samples) {
  const line = (name, key, extra = {}) => Object.assign({
    name, type: 'line', showSymbol: false, data: history.map((h) => [h.at, h[key]]),
  }, extra);
  const timeAxis = { type: 'time', min: Date.now() - HISTORY_MS, max: Date.now() };
  Charts.draw('chart-rates', {
    xAxis: timeAxis,
    yAxis: [{ type: 'value', name: 'readings/s' }, { type: 'value', name: 'dead letters/s', splitLine: { show: false } }],
    series: [line('readings/s', 'readings', { areaStyle: { opacity: 0.15 } }),
      line('dead letters/s', 'deadLetters', { yAxisIndex: 1 })],
  });
  Charts.draw('chart-latency', {
    xAxis: timeAxis,
    yAxis: { type: 'value', name: 'ms' },
    series: [line('produce → state p50', 'produceP50'), line('produce → state p99', 'produceP99'),
      line('journal write p99', 'persistP99')],
  });
  const types = [...new Set(history.flatMap((h) => Object.keys(h.active)))].sort();
  Charts.draw('chart-entities', {
    xAxis: timeAxis,
    yAxis: { type: 'value', name: 'entities', minInterval: 1 },
    series: types.map((t) => ({ name: t, type: 'line', step: 'end', showSymbol: false,
      data: history.map((h) => [h.at, h.active[t] || 0]) })),
  });
  const lag = samples.filter((s) => s.name === 'tidewatch_kafka_consumer_lag' && !Number.isNaN(s.value))
    .sort((a, b) => Number(a.labels.partition) - Number(b.labels.partition));
  Charts.draw('chart-lag', {
    tooltip: { trigger: 'item' },
    xAxis: { type: 'category', name: 'partition', data: lag.map((s) => `${s.labels.topic}/${s.labels.partition}`) },
    yAxis: { type: 'value', name: 'records behind', minInterval: 1 },
    series: [{ name: 'consumer lag', type: 'bar', data: lag.map((s) => s.value) }],
  });
}

// Entity: live state over SSE, windows chart, alerts; its audit is a view of its own.
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
  entityWindows = [];
  entityAlerts = [];
  entityLate = state.recentLate || [];
  entityLateCount = state.lateReadings;
  $('#entity-title').textContent = `${type} ${id}`;
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
  loadIncidents(base);

  const aborter = new AbortController();
  let recent = JSON.stringify(state.recentWindows);
  $('#entity-live').textContent = 'connecting…';
  sse(`/stream${base}`, 'reader', (event) => {
    const next = JSON.parse(event.data);
    renderState(next);
    if (JSON.stringify(next.recentWindows) !== recent) { recent = JSON.stringify(next.recentWindows); chart(); }
    if (next.lateReadings !== entityLateCount) { entityLateCount = next.lateReadings; entityLate = next.recentLate; renderWindows(); }
    if (next.anomalies !== state.anomalies) { state = next; loadAlerts(base); loadIncidents(base); }
  }, aborter.signal, () => { $('#entity-live').textContent = 'live'; }).catch((e) => { if (!aborter.signal.aborted) $('#entity-live').textContent = `disconnected: ${e.message}`; });
  stopEntity = () => aborter.abort();
}

function fillSelect(select, values, selected) {
  select.replaceChildren(...values.map((v) => el('option', { value: v }, v || '(count)')));
  select.value = selected;
}

function renderState(s) {
  renderCounters($('#entity-counters'), s);
  renderValues($('#entity-values tbody'), s);
}

function renderCounters(container, s) {
  const tiles = [['Readings', s.readings], ['Late', s.lateReadings], ['Duplicates', s.duplicates],
    ['Anomalies', s.anomalies], ['Last sequence nr', s.lastSeqNr],
    ['Watermark', s.watermarkMs > 0 ? time(s.watermarkMs) : '–']];
  container.replaceChildren(...tiles.map(([label, value]) => el('div', { class: 'tile' },
    el('span', { class: 'label' }, label), el('span', { class: 'value' }, typeof value === 'number' ? num(value) : value))));
}

function renderValues(tbody, s) {
  tbody.replaceChildren(...Object.keys(s.lastValues).sort().map((m) => el('tr', {},
    el('td', {}, m), el('td', {}, num(s.lastValues[m])), el('td', {}, num(s.metricCounts[m])))));
}

// The entity's closed windows of one spec and metric: mean as a line in a min–max band on a time axis (zoomable),
// its alerts on that metric and its latest late readings (their window had closed) as marks at their time and value.
let entityWindows = [];
let entityAlerts = [];
let entityIncidents = [];
let entityLate = []; // the latest late readings, as the state lists them
let entityLateCount = 0;
async function drawWindows(base) {
  const spec = $('#chart-spec').value;
  const metric = $('#chart-metric').value;
  const query = `?limit=120${spec ? `&spec=${encodeURIComponent(spec)}` : ''}${metric ? `&metric=${encodeURIComponent(metric)}` : ''}`;
  entityWindows = (await getJson(`${base}/windows${query}`, 'reader')).items.slice().reverse();
  renderWindows();
}

function renderWindows() {
  const metric = $('#chart-metric').value;
  const windows = entityWindows;
  $('#window-chart-empty').hidden = windows.length > 0;
  const value = (w, key) => (metric ? w[key] : w.count);
  const byStart = new Map(windows.map((w) => [w.start, w]));
  const alerts = entityAlerts.filter((a) => a.metric === metric);
  // Incidents of this metric as bands over event time, from the hit that opened one to the reading that resolved it
  // (to the newest window while open).
  const lastEnd = windows.length ? windows[windows.length - 1].end : null;
  const incidents = entityIncidents.filter((i) => i.metric === metric && i.openedTs !== null && i.openedTs !== undefined)
    .map((i) => [{ name: `${i.rule} ${i.severity}${i.state === 'open' ? ' (open)' : ''}`, xAxis: i.openedTs,
      itemStyle: { color: SEVERITY_COLOURS[i.severity] || '#999', opacity: 0.18 } },
    { xAxis: i.resolvedTs || Math.max(lastEnd || i.openedTs, i.openedTs) }]);
  const late = entityLate.filter((r) => (metric ? r.metrics[metric] !== undefined : true))
    .map((r) => [r.ts, metric ? r.metrics[metric] : 1]);
  Charts.draw('window-chart', {
    legend: { top: 4, data: ['mean', 'min–max', 'alerts', 'late readings', 'incidents'] },
    tooltip: {
      trigger: 'axis',
      formatter: (points) => {
        const w = byStart.get(points[0].value[0]);
        if (!w) return '';
        const rows = metric
          ? [['readings', w.count], ['min', w.min], ['max', w.max], ['mean', w.mean], ['stddev', w.stddev]]
          : [['events', w.count]];
        return `${time(w.start)} – ${time(w.end)}<br>${rows.map(([k, v]) => `${k}: <b>${num(v)}</b>`).join('<br>')}`;
      },
    },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', scale: true, name: metric || 'count' },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 4 }],
    grid: { left: 56, right: 24, top: 36, bottom: 56 },
    series: [
      { name: 'min', type: 'line', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, tooltip: { show: false },
        data: windows.map((w) => [w.start, value(w, 'min')]) },
      { name: 'min–max', type: 'line', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 },
        itemStyle: { color: '#4fa3d1' }, areaStyle: { color: '#4fa3d1', opacity: 0.3 },
        data: windows.map((w) => [w.start, value(w, 'max') - value(w, 'min')]) },
      { name: 'mean', type: 'line', symbolSize: 6, itemStyle: { color: '#2b8cbe' }, data: windows.map((w) => [w.start, value(w, 'mean')]) },
      { name: 'alerts', type: 'scatter', symbol: 'triangle', symbolSize: 12, itemStyle: { color: '#d1342f' },
        data: alerts.map((a) => [a.ts, a.value]) },
      { name: 'late readings', type: 'scatter', symbol: 'diamond', symbolSize: 9, itemStyle: { color: '#8a8f98' },
        tooltip: { show: false }, data: late },
      { name: 'incidents', type: 'line', data: [], itemStyle: { color: '#b3261e' },
        markArea: { silent: true, label: { show: true, position: 'insideTop', fontSize: 10 }, data: incidents } },
    ],
  });
}

async function loadAlerts(base) {
  try {
    const page = await getJson(`${base}/alerts?limit=20`, 'reader');
    entityAlerts = page.items;
    renderWindows();
    $('#entity-alerts tbody').replaceChildren(...page.items.map((a) => el('tr', {},
      el('td', {}, time(a.ts)), el('td', {}, severityBadge(a)), el('td', { class: 'rule' }, a.rule), el('td', {}, a.metric), el('td', {}, num(a.value)),
      el('td', {}, a.previous === null || a.previous === undefined ? '' : num(a.previous)))));
  } catch (e) { showError(e.message); }
}

async function loadIncidents(base) {
  try {
    entityIncidents = (await getJson(`${base}/incidents?limit=50`, 'reader')).items;
    renderWindows();
    $('#entity-incidents tbody').replaceChildren(...entityIncidents.map((i) => el('tr', { class: 'incident' },
      el('td', {}, i.openedTs ? time(i.openedTs) : ''), el('td', {}, severityBadge(i)), el('td', { class: 'rule' }, i.rule),
      el('td', {}, i.metric), el('td', {}, i.state), el('td', {}, i.resolvedTs ? time(i.resolvedTs) : ''))));
  } catch (e) { showError(e.message); }
}

function summary(line) {
  const e = line.event;
  switch (line.type) {
    case 'ReadingsRecorded': return `${e.readings.length} reading(s), event time ${time(e.readings[0].ts)} … ${time(e.readings[e.readings.length - 1].ts)}`;
    case 'WindowClosed': return `${e.spec} ${time(e.start)} – ${time(e.end)}: ${e.count} reading(s)`;
    case 'AnomalyDetected': return `${e.rule} on ${e.metric}: ${num(e.value)}`;
    case 'EntityRegistered': return `first seen ${time(e.firstSeenMs)}`;
    case 'IncidentChanged': return `incident ${e.incidentId} ${e.transition}: ${e.rule} on ${e.metric}, ${e.severity}`;
    default: return JSON.stringify(e);
  }
}

// Audit: an entity's journal page by page, and its state rebuilt as of a sequence number or a moment.
const JOURNAL_PAGE = 50;
let audit = null; // {base, from}

function openAudit(type, id) {
  $('#audit-type').value = type;
  $('#audit-id').value = id;
  show('audit');
  audit = { base: `/entities/${encodeURIComponent(type)}/${encodeURIComponent(id)}`, from: 1 };
  $('#audit').hidden = false;
  $('#audit-title').textContent = `${type} ${id}`;
  $('#asof-state').hidden = true;
  $('#asof-status').textContent = '';
  journalPage();
}

async function journalPage() {
  const { base, from } = audit;
  const body = $('#journal tbody');
  $('#journal-status').textContent = 'reading…';
  try {
    const text = await (await call(`${base}/journal?fromSeq=${from}&toSeq=${from + JOURNAL_PAGE - 1}`, 'auditor')).text();
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    // A row that holds a whole command lists its entries as parts (seq.part); its state is the one after the last.
    body.replaceChildren(...lines.map((line) => {
      const last = !line.part || line.part === line.parts;
      const here = el('button', { type: 'button', class: 'state-here' }, 'state here');
      here.addEventListener('click', () => stateAsOf(`asOfSeq=${line.seqNr}`, `after event ${line.seqNr}`));
      return el('tr', { class: 'journal-event' }, el('td', {}, line.part ? `${line.seqNr}.${line.part}` : line.seqNr),
        el('td', {}, time(line.timestamp)), el('td', {}, line.type), el('td', {}, summary(line)),
        el('td', {}, last ? here : ''));
    }));
    const lastSeq = lines.length ? lines[lines.length - 1].seqNr : from - 1;
    $('#journal-status').textContent = lines.length
      ? `events ${num(lines[0].seqNr)}–${num(lastSeq)}` : 'no events in this range';
    $('#journal-earlier').disabled = from <= 1;
    $('#journal-later').disabled = lastSeq < from + JOURNAL_PAGE - 1;
  } catch (e) {
    $('#journal-status').textContent = e.message;
  }
}

async function stateAsOf(query, label) {
  $('#asof-status').textContent = 'rebuilding…';
  try {
    const s = await getJson(`${audit.base}/state?${query}`, 'auditor');
    renderCounters($('#asof-counters'), s);
    renderValues($('#asof-values tbody'), s);
    $('#asof-state').hidden = false;
    $('#asof-status').textContent = label;
  } catch (e) {
    $('#asof-status').textContent = e.message;
  }
}

// ---- wiring
document.body.classList.toggle('dark', Charts.isDark());
$('#wall-mode').addEventListener('click', () => {
  Charts.setDark(!Charts.isDark());
  document.body.classList.toggle('dark', Charts.isDark());
});
document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => show(b.dataset.view)));
$('#tokens').value = tokens.join(' ');
$('#token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  tokens = $('#tokens').value.split(/\s+/).filter(Boolean);
  sessionStorage.setItem('tidewatch.tokens', tokens.join(' '));
  await learnRoles();
  show((location.hash || '#cluster').slice(1));
  loadIds();
});
$('#entity-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadEntity($('#entity-type').value, $('#entity-id').value.trim());
});
$('#entity-type').addEventListener('change', () => loadIds());
$('#open-audit').addEventListener('click', () => openAudit($('#entity-type').value, $('#entity-id').value.trim()));
$('#audit-form').addEventListener('submit', (event) => {
  event.preventDefault();
  openAudit($('#audit-type').value, $('#audit-id').value.trim());
});
$('#silence-form').addEventListener('submit', (event) => { event.preventDefault(); createSilence(); });
$('#journal-earlier').addEventListener('click', () => { audit.from = Math.max(1, audit.from - JOURNAL_PAGE); journalPage(); });
$('#journal-later').addEventListener('click', () => { audit.from += JOURNAL_PAGE; journalPage(); });
$('#asof-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const at = $('#asof').value.trim();
  stateAsOf(/^\d+$/.test(at) ? `asOfSeq=${at}` : `asOf=${encodeURIComponent(at)}`, /^\d+$/.test(at) ? `after event ${at}` : `at ${at}`);
});
async function loadIds() {
  try {
    const page = await getJson(`/entities/${$('#entity-type').value}?limit=200`, 'reader');
    $('#entity-ids').replaceChildren(...page.items.map((id) => el('option', { value: id })));
  } catch (e) { /* the list is a convenience */ }
}
const initial = (location.hash || '#cluster').slice(1);
learnRoles().catch((e) => showError(e.message)).then(() => {
  show(initial);
  if (tokens.length) loadIds();
});
