import uPlot from '/console/lib/uplot/uPlot.esm.js';
import { api, path } from './api.js';
import { h, replace, errorBox, table, time } from './dom.js';

const MINUTE = 60_000;
const RANGES = [
  ['1h', 'Last hour', 60 * MINUTE, '1m'],
  ['6h', 'Last 6 hours', 360 * MINUTE, '5m'],
  ['24h', 'Last 24 hours', 1440 * MINUTE, '15m'],
  ['7d', 'Last 7 days', 7 * 1440 * MINUTE, '1h'],
  ['30d', 'Last 30 days', 30 * 1440 * MINUTE, '1d'],
];
const INTERVALS = ['1m', '5m', '15m', '1h', '1d'];
const AGGREGATES = ['avg', 'min', 'max', 'count', 'sum', 'range', 'stdev', 'variance'];

/**
 * A numeric field's history as one aggregate per bucket (the historian's summarize with
 * `interval`), over a range the person picks; the same figures as a table for screen readers.
 */
export function historyChart(section, type, id, fields) {
  const out = h('div');
  const plot = h('div', { class: 'chart', id: 'chart', role: 'img', 'aria-label': 'History chart' });
  const list = h('datalist', { id: 'chart-fields' }, fields.map((f) => h('option', { value: f })));
  const form = h('form', { 'aria-label': 'History chart settings' },
    h('label', {}, 'Field', h('input', { name: 'field', id: 'chart-field', list: 'chart-fields', required: true, value: fields[0] || '' })),
    h('label', {}, 'Event id (optional)', h('input', { name: 'event', id: 'chart-event' })),
    h('label', {}, 'Range', h('select', { name: 'range', id: 'chart-range' },
      RANGES.map(([value, label]) => h('option', { value }, label)), h('option', { value: 'custom' }, 'From … to …'))),
    h('label', {}, 'From', h('input', { name: 'from', id: 'chart-from', type: 'datetime-local' })),
    h('label', {}, 'To', h('input', { name: 'to', id: 'chart-to', type: 'datetime-local' })),
    h('label', {}, 'Bucket', h('select', { name: 'interval', id: 'chart-interval' },
      h('option', { value: 'auto' }, 'automatic'), INTERVALS.map((i) => h('option', { value: i }, i)))),
    h('label', {}, 'Aggregate', h('select', { name: 'aggregate', id: 'chart-aggregate' },
      AGGREGATES.map((a) => h('option', { value: a }, a)))),
    h('button', { type: 'submit', id: 'draw-chart' }, 'Draw'));
  replace(section, h('h2', { id: 'history-title' }, 'History'), list, form, out, plot);

  let chart = null;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(out);
    const values = Object.fromEntries(new FormData(form).entries());
    try {
      const query = queryOf(values);
      const { data } = await api('GET', '/api/v0001/historian' + path(type, id) + '?' + query);
      if (chart) chart.destroy();
      chart = draw(plot, values.field.trim(), data);
      replace(out, summary(values.field.trim(), data));
    } catch (e) {
      replace(out, errorBox(e));
    }
  });
  if (fields.length > 0) form.requestSubmit();
}

function queryOf({ field, event, range, from, to, interval, aggregate }) {
  let start;
  let end;
  let automatic;
  if (range === 'custom') {
    start = Date.parse(from);
    end = Date.parse(to);
    if (isNaN(start) || isNaN(end)) throw new Error('Pick both “From” and “To” for a custom range.');
    if (start >= end) throw new Error('“From” must be before “To”.');
    const length = end - start;
    automatic = INTERVALS.find((i) => length / intervalMillis(i) <= 1000) || '1d';
  } else {
    const chosen = RANGES.find(([value]) => value === range);
    end = Date.now();
    start = end - chosen[2];
    automatic = chosen[3];
  }
  // buckets start on whole intervals, so the range is widened to them
  const bucket = interval === 'auto' ? automatic : interval;
  const step = intervalMillis(bucket);
  start = Math.floor(start / step) * step;
  end = Math.ceil(end / step) * step;
  const query = new URLSearchParams({
    summarize: `{${field.trim()}}`, summarize_type: aggregate, interval: bucket, start: String(start), end: String(end),
  });
  if (event && event.trim()) query.set('evt_type', event.trim());
  return query;
}

function intervalMillis(interval) {
  const unit = { m: MINUTE, h: 60 * MINUTE, d: 1440 * MINUTE }[interval.slice(-1)];
  return Number(interval.slice(0, -1)) * unit;
}

function draw(container, field, data) {
  const xs = data.buckets.map((b) => b.start.$date / 1000);
  const ys = data.buckets.map((b) => (b.evt[field] === undefined ? null : b.evt[field]));
  container.dataset.buckets = String(xs.length);
  container.dataset.values = String(ys.filter((y) => y !== null).length);
  container.replaceChildren();
  const width = Math.max(320, container.clientWidth || 800);
  return new uPlot({
    width,
    height: 300,
    series: [{}, { label: `${data.summarize_type} of ${field}`, stroke: '#0b5cad', width: 2, spanGaps: false, points: { show: true } }],
    scales: { x: { time: true } },
  }, [xs, ys], container);
}

function summary(field, data) {
  const filled = data.buckets.filter((b) => b.evt[field] !== null && b.evt[field] !== undefined);
  return h('details', {},
    h('summary', { id: 'chart-summary' }, `${data.buckets.length} buckets of ${data.interval}, ${filled.length} with values (${data.summarize_type} of ${field})`),
    table([
      ['From', (b) => time(b.start)],
      ['To', (b) => time(b.end)],
      [data.summarize_type, (b) => (b.evt[field] ?? '—')],
    ], filled, { id: 'chart-table' }));
}
