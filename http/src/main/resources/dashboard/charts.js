// Tidewatch dashboard: the charts (Apache ECharts, served from its WebJar at /vendor/echarts.min.js) and the
// reading of /metrics (Prometheus text). Every chart of the dashboard is drawn through Charts.draw.
'use strict';

const Charts = (() => {
  const drawn = new Map(); // element id -> the last option drawn, to draw again when the theme changes
  let dark = localStorage.getItem('tidewatch.theme') === 'dark';

  const base = () => ({
    useUTC: true, // the dashboard writes every time in UTC
    backgroundColor: 'transparent',
    animation: false,
    grid: { left: 56, right: 56, top: 36, bottom: 36 },
    tooltip: { trigger: 'axis' },
    legend: { top: 4 },
  });

  function instance(id) {
    const node = document.getElementById(id);
    return echarts.getInstanceByDom(node) || echarts.init(node, dark ? 'dark' : null);
  }

  /** Draws (or redraws) the chart in element {@code id}; {@code option} is merged over the dashboard's defaults. */
  function draw(id, option) {
    const full = Object.assign(base(), option);
    drawn.set(id, full);
    instance(id).setOption(full, { notMerge: true });
  }

  /** Wall mode: ECharts takes a theme when a chart is made, so every chart is made again. */
  function setDark(on) {
    dark = on;
    localStorage.setItem('tidewatch.theme', on ? 'dark' : 'light');
    drawn.forEach((option, id) => {
      const node = document.getElementById(id);
      const old = echarts.getInstanceByDom(node);
      if (old) old.dispose();
      echarts.init(node, on ? 'dark' : null).setOption(option, { notMerge: true });
    });
  }

  window.addEventListener('resize', () => drawn.forEach((option, id) => {
    const chart = echarts.getInstanceByDom(document.getElementById(id));
    if (chart) chart.resize();
  }));

  // ---- /metrics: samples of the Prometheus text format, {name, labels, value}
  function parse(text) {
    const samples = [];
    text.split('\n').forEach((line) => {
      if (!line || line.startsWith('#')) return;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) return;
      const labels = {};
      (m[2] || '').replace(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g, (all, k, v) => { labels[k] = v; return ''; });
      samples.push({ name: m[1], labels, value: parseFloat(m[3]) });
    });
    return samples;
  }

  const sum = (samples, name) => samples.filter((s) => s.name === name && !Number.isNaN(s.value))
    .reduce((total, s) => (total === null ? 0 : total) + s.value, null);

  /** Values of one metric by one label's value (e.g. active entities by type). */
  function byLabel(samples, name, label) {
    const out = {};
    samples.filter((s) => s.name === name && !Number.isNaN(s.value))
      .forEach((s) => { out[s.labels[label]] = (out[s.labels[label]] || 0) + s.value; });
    return out;
  }

  /**
   * The q-quantile of a histogram over the interval between two scrapes, in the histogram's unit, as Prometheus'
   * histogram_quantile(q, rate(...)) gives it: bucket counts summed over label sets, differenced, interpolated
   * linearly within the bucket. Null when nothing was observed in the interval.
   */
  function quantile(before, after, name, q) {
    if (!before) return null;
    const buckets = (samples) => {
      const out = new Map();
      samples.filter((s) => s.name === `${name}_bucket`).forEach((s) => {
        const le = s.labels.le === '+Inf' ? Infinity : parseFloat(s.labels.le);
        out.set(le, (out.get(le) || 0) + s.value);
      });
      return out;
    };
    const then = buckets(before);
    const now = buckets(after);
    const bounds = [...now.keys()].sort((a, b) => a - b);
    const delta = bounds.map((le) => now.get(le) - (then.get(le) || 0));
    const total = delta[delta.length - 1];
    if (!total || total <= 0) return null;
    const rank = q * total;
    for (let i = 0; i < bounds.length; i++) {
      if (delta[i] >= rank) {
        if (bounds[i] === Infinity) return bounds[i - 1] ?? null;
        const lower = i === 0 ? 0 : bounds[i - 1];
        const below = i === 0 ? 0 : delta[i - 1];
        const inBucket = delta[i] - below;
        return inBucket > 0 ? lower + (bounds[i] - lower) * ((rank - below) / inBucket) : bounds[i];
      }
    }
    return null;
  }

  return { draw, setDark, isDark: () => dark, parse, sum, byLabel, quantile };
})();
