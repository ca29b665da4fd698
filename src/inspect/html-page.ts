// One self-contained HTML page for a trace (no network, no external file): the text with a unit's values as background
// colours, a unit picker, the units ranked by --find or --match, and the top predictions on hover. The page's data sits in
// one JSON block (id "charlm-data") that tests and scripts can read; the values of each unit are stored as signed bytes
// scaled by the unit's largest magnitude, in base64.

import type { Trace } from './trace.js';
import { colourAt, positionOnScale, type Scale } from './colour-scale.js';
import { gateNames, scaleOf, unitsOf, type Quantity } from './quantities.js';

export interface PageRanking {
  readonly title: string;
  readonly units: readonly { readonly quantity: Quantity & { kind: 'cell' | 'hidden' | 'gate' }; readonly label: string }[];
}

export interface PageOptions {
  readonly title: string;
  readonly initial: Quantity;
  readonly ranking: PageRanking | null;
}

/** Gates go into the page only while the page stays below this many stored values (a byte each). */
const MAX_GATE_VALUES = 8_000_000;

/** What the page embeds: each series is one unit's values over the text. */
export interface PageData {
  readonly title: string;
  readonly symbols: readonly string[];
  readonly surprise: readonly (number | null)[];
  readonly predictions: readonly (readonly [string, number][])[];
  /** series[layer][kind][unit]: one unit's values (kind: cell, hidden or a gate name). */
  readonly series: readonly Record<string, readonly Series[]>[];
  /** The colour scale of the surprise. */
  readonly surpriseScale: Scale;
  readonly initial: Quantity;
  readonly ranking: PageRanking | null;
}

/** One unit's values: the colour scale the terminal would use, and the values as signed bytes of their largest magnitude. */
interface Series { readonly scale: Scale; readonly absMax: number; readonly bytes: string }

function encodeSeries(quantity: Quantity, values: ArrayLike<number>): Series {
  let absMax = 0;
  for (let i = 0; i < values.length; i++) absMax = Math.max(absMax, Math.abs(values[i]));
  const bytes = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = absMax > 0 ? Math.round((values[i] / absMax) * 127) : 0;
  return { scale: scaleOf(quantity, values), absMax, bytes: Buffer.from(bytes.buffer).toString('base64') };
}

/** Column `unit` of an (N, width) buffer starting at column `first`. */
function column(buffer: Float32Array, N: number, width: number, index: number): Float32Array {
  const out = new Float32Array(N);
  for (let n = 0; n < N; n++) out[n] = buffer[n * width + index];
  return out;
}

export function pageData(trace: Trace, opts: PageOptions): PageData {
  const N = trace.symbols.length;
  const gateValues = trace.layers.reduce((s, l) => s + (l.gates?.length ?? 0), 0);
  const series = trace.layers.map((layer, l) => {
    const kinds: Record<string, Series[]> = {};
    const units = (kind: 'cell' | 'hidden' | 'gate'): number[] => Array.from({ length: unitsOf(trace, l, kind) }, (_, u) => u);
    if (layer.cells !== null) {
      kinds.cell = units('cell').map((unit) => encodeSeries({ kind: 'cell', layer: l, unit }, column(layer.cells!, N, layer.cellWidth, unit)));
    }
    kinds.hidden = units('hidden').map((unit) => encodeSeries({ kind: 'hidden', layer: l, unit }, column(layer.hiddens, N, layer.hiddenWidth, unit)));
    if (layer.gates !== null && gateValues <= MAX_GATE_VALUES) {
      gateNames(trace.cell).forEach((gate, g) => {
        kinds[gate] = units('gate').map((unit) => encodeSeries({ kind: 'gate', layer: l, gate, unit },
          column(layer.gates!, N, layer.gateWidth, g * trace.hiddenSize + unit)));
      });
    }
    return kinds;
  });
  return {
    title: opts.title, symbols: trace.symbols,
    surprise: Array.from(trace.surprise, (s) => (Number.isFinite(s) ? Math.round(s * 1000) / 1000 : null)),
    predictions: trace.predictions.map((p) => p.map((q) => [q.symbol, Math.round(q.prob * 1000) / 1000] as [string, number])),
    series, surpriseScale: scaleOf({ kind: 'surprise' }, trace.surprise), initial: opts.initial, ranking: opts.ranking,
  };
}

/** JSON that may sit inside a <script> element: "<" escaped, so no "</script>" or "<!--" can appear. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function renderHtmlPage(trace: Trace, opts: PageOptions): string {
  const data = pageData(trace, opts);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(opts.title)}</title>
<style>${PAGE_CSS}</style></head>
<body>
<h1>${escapeHtml(opts.title)}</h1>
<div id="controls">
  <label>layer <select id="layer"></select></label>
  <label>show <select id="kind"></select></label>
  <label>unit <input id="unit" type="number" min="0" value="0"></label>
  <span id="legend"><span id="legend-min"></span><span id="legend-bar"></span><span id="legend-max"></span></span>
  <span id="label"></span>
</div>
<div id="main"><div id="text"></div><div id="ranking"></div></div>
<div id="tip" hidden></div>
<script type="application/json" id="charlm-data">${scriptSafeJson(data)}</script>
<script>var positionOnScale = ${positionOnScale.toString()};
var colourAt = ${colourAt.toString()};
${PAGE_SCRIPT}</script>
</body></html>
`;
}

const PAGE_CSS = `
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.2em; }
#controls { display: flex; gap: 1em; align-items: center; flex-wrap: wrap; margin-bottom: 1em; }
#legend { display: inline-flex; align-items: center; gap: 0.4em; font-family: monospace; }
#legend-bar { display: inline-block; width: 12em; height: 1em; border: 1px solid #999; }
#main { display: flex; gap: 2em; align-items: flex-start; }
#text { font-family: monospace; font-size: 15px; line-height: 1.6; white-space: pre-wrap; flex: 3; }
#text span { cursor: default; }
#text span.nl { color: #999; }
#ranking { flex: 1; font-size: 0.9em; }
#ranking button { display: block; width: 100%; text-align: left; margin: 2px 0; font-family: monospace; cursor: pointer; }
#ranking button.on { background: #333; color: #fff; }
#tip { position: fixed; background: #fff; border: 1px solid #888; padding: 0.4em 0.6em; font-family: monospace;
  font-size: 13px; pointer-events: none; box-shadow: 0 2px 6px rgba(0,0,0,.2); white-space: pre; }
`;

// The page's script: decodes the series, colours each character with the terminal's scale and colours (colour-scale.ts,
// embedded before it), and wires the picker, the ranking buttons and the hover tip.
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('charlm-data').textContent);
  var text = document.getElementById('text'), tip = document.getElementById('tip');
  var layerSel = document.getElementById('layer'), kindSel = document.getElementById('kind'), unitIn = document.getElementById('unit');
  var spans = [];
  data.symbols.forEach(function (s, i) {
    if (s === '') { spans.push(null); return; }
    var span = document.createElement('span');
    span.textContent = s === '\\n' ? '\\u21b5' : s;
    span.dataset.i = String(i);
    if (s === '\\n') span.className = 'nl';
    text.appendChild(span);
    if (s === '\\n') text.appendChild(document.createElement('br'));
    spans.push(span);
  });
  function decode(entry) {
    var bin = atob(entry.bytes), out = new Float64Array(bin.length);
    for (var i = 0; i < bin.length; i++) { var b = bin.charCodeAt(i); out[i] = (b > 127 ? b - 256 : b) / 127 * entry.absMax; }
    return out;
  }
  function colour(v, scale) { return 'rgb(' + colourAt(positionOnScale(v, scale), scale.diverging).join(', ') + ')'; }
  var current = null;
  function selected() {
    var kind = kindSel.value;
    if (kind === 'surprise') return { values: data.surprise, scale: data.surpriseScale };
    var entry = data.series[+layerSel.value][kind][+unitIn.value];
    return { values: decode(entry), scale: entry.scale };
  }
  function paint() {
    var kind = kindSel.value, list = kind === 'surprise' ? [] : data.series[+layerSel.value][kind];
    unitIn.max = String(Math.max(0, list.length - 1));
    var sel = selected(), v = sel.values, scale = sel.scale, min = scale.min, max = scale.max;
    spans.forEach(function (s, i) { if (s) s.style.backgroundColor = colour(v[i], scale); });
    current = v;
    document.getElementById('legend-min').textContent = min.toFixed(2);
    document.getElementById('legend-max').textContent = max.toFixed(2);
    document.getElementById('legend-bar').style.background = 'linear-gradient(to right, ' +
      [0, 0.25, 0.5, 0.75, 1].map(function (t) { return colour(min + t * (max - min), scale); }).join(', ') + ')';
    document.getElementById('label').textContent = kind === 'surprise' ? 'surprise (nats)' :
      'layer ' + layerSel.value + ' unit ' + unitIn.value + ' ' + kind;
    document.querySelectorAll('#ranking button').forEach(function (b) {
      b.classList.toggle('on', b.dataset.layer === layerSel.value && b.dataset.kind === kind && b.dataset.unit === unitIn.value);
    });
  }
  function fillKinds() {
    var keep = kindSel.value;
    kindSel.innerHTML = '';
    Object.keys(data.series[+layerSel.value]).concat(['surprise']).forEach(function (k) {
      var o = document.createElement('option'); o.value = k; o.textContent = k; kindSel.appendChild(o);
    });
    if (keep) kindSel.value = keep;
    if (!kindSel.value) kindSel.selectedIndex = 0;
  }
  data.series.forEach(function (_, l) {
    var o = document.createElement('option'); o.value = String(l); o.textContent = String(l); layerSel.appendChild(o);
  });
  function show(q) {
    if (q.kind !== 'surprise') layerSel.value = String(q.layer);
    fillKinds();
    kindSel.value = q.kind === 'gate' ? q.gate : q.kind;
    if (q.kind !== 'surprise' && q.unit !== null) unitIn.value = String(q.unit);
    paint();
  }
  if (data.ranking) {
    var box = document.getElementById('ranking');
    var h = document.createElement('h2'); h.style.fontSize = '1em'; h.textContent = data.ranking.title; box.appendChild(h);
    data.ranking.units.forEach(function (r, i) {
      var b = document.createElement('button'), q = r.quantity;
      b.textContent = (i + 1) + '. ' + r.label;
      b.dataset.layer = String(q.layer); b.dataset.kind = q.kind === 'gate' ? q.gate : q.kind; b.dataset.unit = String(q.unit);
      b.addEventListener('click', function () { show(q); });
      box.appendChild(b);
    });
  }
  layerSel.addEventListener('change', function () { fillKinds(); paint(); });
  kindSel.addEventListener('change', paint);
  unitIn.addEventListener('input', paint);
  text.addEventListener('mousemove', function (e) {
    var i = e.target && e.target.dataset ? e.target.dataset.i : undefined;
    if (i === undefined) { tip.hidden = true; return; }
    var n = +i, p = data.predictions[n] || [];
    tip.textContent = 'position ' + n + '  ' + JSON.stringify(data.symbols[n]) +
      '\\nvalue ' + (current[n] === null ? '\\u2013' : Number(current[n]).toFixed(3)) +
      '   surprise ' + (data.surprise[n] === null ? '\\u2013' : data.surprise[n].toFixed(3)) + ' nats' +
      (p.length ? '\\nnext: ' + p.map(function (q) { return JSON.stringify(q[0]) + ' ' + q[1].toFixed(3); }).join('  ') : '');
    tip.hidden = false;
    tip.style.left = (e.clientX + 14) + 'px'; tip.style.top = (e.clientY + 14) + 'px';
  });
  text.addEventListener('mouseleave', function () { tip.hidden = true; });
  show(data.initial);
})();
`;
