#!/usr/bin/env node
// The browser half of `bash bench/run.sh`: kefu's wasm engine, MiniSearch (default and
// fuzzy+prefix) and FlexSearch in one headless Chromium (Debian's, driven by playwright-core),
// on the data sets that `kefu-bench data` wrote, with kefu's bundles from `kefu-bench native`.
//
//   node bench/browser.mjs --data target/kefu-bench/data --pkg pkg --out target/kefu-bench/browser.json
//       [--only banking77-full,sofmattress-full] [--systems kefu,flexsearch] [--cold 3] [--warm 3]
//
// For every (data set, system): the peers' indexes are built and serialised in Node ahead of
// time (timed); the page is loaded cold (fresh browser context) and warm (same context, HTTP
// and code caches filled) and reports the time to its first answered query; the JS heap is
// read after a forced GC over CDP, plus kefu's wasm memory; then every query is timed alone in
// the page. Raw figures go to --out; `kefu-bench report` turns them into the tables.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { minify } from 'terser';
import MiniSearch from 'minisearch';
import FlexSearch from 'flexsearch';
import { buildFlexSearch, buildMiniSearch } from './lib/peers.mjs';
import { startServer } from './lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SYSTEMS = ['kefu', 'minisearch', 'minisearch-fuzzy', 'flexsearch'];
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WARM_UP = 50; // queries asked untimed before timing, as natively
const CHUNK = 250; // queries per page.evaluate (progress; timing is per query)

function fail(msg) {
  console.error(`bench/browser.mjs: error: ${msg}`);
  process.exit(1);
}

function args() {
  const a = { cold: 3, warm: 3, only: [], systems: SYSTEMS };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (v === undefined) fail(`${k} needs a value`);
    i++;
    if (k === '--data') a.data = v;
    else if (k === '--pkg') a.pkg = v;
    else if (k === '--out') a.out = v;
    else if (k === '--work') a.work = v;
    else if (k === '--only') a.only = v.split(',').filter(Boolean);
    else if (k === '--systems') a.systems = v.split(',').filter(Boolean);
    else if (k === '--cold') a.cold = Number(v);
    else if (k === '--warm') a.warm = Number(v);
    else fail(`unknown option ${k}`);
  }
  if (!a.data || !a.pkg || !a.out) fail('usage: browser.mjs --data DIR --pkg DIR --out FILE [--only a,b] [--systems …]');
  for (const s of a.systems) if (!SYSTEMS.includes(s)) fail(`unknown system ${s} (known: ${SYSTEMS.join(', ')})`);
  if (!(a.cold >= 1 && a.warm >= 1)) fail('--cold and --warm must be ≥ 1');
  a.work ||= path.join(path.dirname(a.out), 'web');
  return a;
}

/** Parses an evaluation TSV into kb rows [[label, text]] and queries [[label, text]]. */
function readTsv(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[0].trim() !== 'split\tid\tlabel\ttext') fail(`${file}:1: not an evaluation TSV`);
  const kb = [];
  const queries = [];
  lines.slice(1).forEach((line, n) => {
    if (!line.trim()) return;
    const c = line.split('\t');
    if (c.length < 4) fail(`${file}:${n + 2}: expected 4 tab-separated columns`);
    (c[0] === 'kb' ? kb : queries).push([c[2].trim(), c.slice(3).join('\t').trim()]);
  });
  return { kb, queries };
}

const sizeCache = new Map();
/** raw / gzip -9 / brotli q11 bytes of a file. */
function sizes(file, kind) {
  const st = fs.statSync(file);
  const key = `${file}:${st.mtimeMs}:${st.size}`;
  if (!sizeCache.has(key)) {
    const b = fs.readFileSync(file);
    sizeCache.set(key, {
      raw: b.length,
      gzip: zlib.gzipSync(b, { level: 9 }).length,
      br: zlib.brotliCompressSync(b, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length },
      }).length,
    });
  }
  return { name: path.basename(file), kind, ...sizeCache.get(key) };
}

/** The engines as a shop would ship them: minified ES modules, kefu's wasm-bindgen output. */
async function prepareEngines(pkg, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const files = fs.readdirSync(pkg);
  const js = files.find((f) => /^kefu-widget\.[0-9a-f]+\.js$/.test(f));
  const wasm = files.find((f) => /^kefu-widget\.[0-9a-f]+\.wasm$/.test(f));
  if (!js || !wasm) fail(`${pkg}: no kefu-widget.<hash>.js/.wasm (run scripts/build-widget.sh)`);
  const glue = fs.readFileSync(path.join(pkg, js), 'utf8');
  if (!glue.includes('KefuIndex')) fail(`${pkg}/${js}: the widget has no KefuIndex export (rebuild it)`);
  fs.copyFileSync(path.join(pkg, js), path.join(dir, 'kefu-widget.js'));
  fs.copyFileSync(path.join(pkg, wasm), path.join(dir, 'kefu-widget.wasm'));

  const nm = path.join(HERE, 'node_modules');
  const ms = fs.readFileSync(path.join(nm, 'minisearch/dist/es/index.js'), 'utf8');
  const msMin = await minify(ms, { module: true, compress: { passes: 2 }, mangle: true });
  fs.writeFileSync(path.join(dir, 'minisearch.min.mjs'), msMin.code);
  fs.copyFileSync(path.join(nm, 'flexsearch/dist/flexsearch.bundle.module.min.mjs'), path.join(dir, 'flexsearch.min.mjs'));
  // The English preset ships as an ES module with a type-only import; drop it for the browser.
  const en = fs.readFileSync(path.join(nm, 'flexsearch/dist/module/lang/en.js'), 'utf8').replace(/^import .*$/m, '');
  const enMin = await minify(en, { module: true, compress: { passes: 2 }, mangle: true });
  fs.writeFileSync(path.join(dir, 'flexsearch-en.min.mjs'), enMin.code);
  const widget = files.filter((f) => !/\.(kefu|br|gz)$/.test(f)).sort().map((f) => sizes(path.join(pkg, f), 'code'));
  return { widget };
}

const ENGINE_FILES = {
  kefu: ['kefu-widget.js', 'kefu-widget.wasm'],
  minisearch: ['minisearch.min.mjs'],
  'minisearch-fuzzy': ['minisearch.min.mjs'],
  flexsearch: ['flexsearch.min.mjs', 'flexsearch-en.min.mjs'],
};
const INDEX_FILE = {
  kefu: (ds) => `${ds}.kefu`,
  minisearch: (ds) => `${ds}.minisearch.json`,
  'minisearch-fuzzy': (ds) => `${ds}.minisearch.json`,
  flexsearch: (ds) => `${ds}.flexsearch.json`,
};

/** Builds the peers' indexes in Node (timed) and puts every index where the page fetches it. */
function prepareIndexes(data, ds, rows, dir, systems) {
  fs.mkdirSync(dir, { recursive: true });
  const build = {};
  const bundle = path.join(data, 'bundles', `${ds.name}.kefu`);
  if (systems.includes('kefu')) {
    if (!fs.existsSync(bundle)) fail(`${bundle} is missing (run kefu-bench native first)`);
    fs.copyFileSync(bundle, path.join(dir, `${ds.name}.kefu`));
  }
  if (systems.some((s) => s.startsWith('minisearch'))) {
    const t = performance.now();
    const json = buildMiniSearch(MiniSearch, rows.kb);
    build.minisearch = performance.now() - t;
    fs.writeFileSync(path.join(dir, INDEX_FILE.minisearch(ds.name)), json);
  }
  if (systems.includes('flexsearch')) {
    const t = performance.now();
    const json = buildFlexSearch(FlexSearch, enPreset, rows.kb);
    build.flexsearch = performance.now() - t;
    fs.writeFileSync(path.join(dir, INDEX_FILE.flexsearch(ds.name)), json);
  }
  build['minisearch-fuzzy'] = build.minisearch;
  return build;
}

let enPreset;
let loadCounter = 0;

/** Loads the page and waits for its first answered query; returns that time (ms). */
async function open(page, base, sys, ds, probe) {
  const url = `${base}/?sys=${sys}&ds=${encodeURIComponent(ds)}&probe=${encodeURIComponent(probe)}&n=${loadCounter++}`;
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__bench && (window.__bench.ready || window.__bench.error), null, {
    timeout: 300_000,
    polling: 20,
  });
  const b = await page.evaluate(() => ({ error: window.__bench.error, ttfq: window.__bench.ttfq, iso: window.__bench.isolated }));
  if (b.error) throw new Error(`${sys} on ${ds}: ${b.error}`);
  if (!b.iso) throw new Error('the bench page is not cross-origin isolated (COOP/COEP headers)');
  return b.ttfq;
}

async function heapUsed(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const h = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return h.usedSize;
}

async function measure(browser, base, sys, ds, rows, opts) {
  const probe = rows.queries[0]?.[1] || 'hello';
  const cold = [];
  for (let i = 0; i < opts.cold; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    cold.push(await open(page, base, sys, ds.name, probe));
    await ctx.close();
  }
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await open(page, base, sys, ds.name, probe); // fills the caches
  const warm = [];
  for (let i = 0; i < opts.warm; i++) warm.push(await open(page, base, sys, ds.name, probe));
  const heap = (await heapUsed(page)) - opts.baselineHeap;
  const wasm = await page.evaluate(() => window.__bench.wasmBytes());
  const texts = rows.queries.map((q) => q[1]);
  const lat = [];
  const out = [];
  for (let from = 0; from < texts.length; from += CHUNK) {
    const chunk = texts.slice(from, from + CHUNK);
    const warmUp = from === 0 ? Math.min(WARM_UP, chunk.length) : 0;
    const r = await page.evaluate(([q, w]) => window.__bench.run(q, w), [chunk, warmUp]);
    lat.push(...r.lat);
    out.push(...r.out);
  }
  const wasmAfter = await page.evaluate(() => window.__bench.wasmBytes());
  await ctx.close();
  if (errors.length) throw new Error(`${sys} on ${ds.name}: page errors: ${errors.join('; ')}`);
  const outcomes = ds.labelled
    ? out.map((r, i) => {
        const label = rows.queries[i][0];
        const inScope = label !== '__none__';
        const top1 = r.labels[0] === label;
        let answered;
        let right;
        if (sys === 'kefu') {
          answered = r.decision.split('\t')[0] === 'answer';
          right = answered && r.decision === `answer\t${label}`;
        } else {
          answered = r.labels.length > 0;
          right = answered && top1;
        }
        return { i: inScope, a: top1, r: r.labels.slice(0, 3).includes(label), d: answered, ok: right, c: r.conf };
      })
    : null;
  return { ttfq_cold_ms: cold, ttfq_warm_ms: warm, heap_js_bytes: heap, heap_wasm_bytes: wasm, heap_wasm_after_queries_bytes: wasmAfter, lat_ms: lat, outcomes };
}

function summary(run) {
  const s = [...run.lat_ms].sort((a, b) => a - b);
  const p = (q) => s[Math.round((s.length - 1) * q)] ?? 0;
  let acc = '';
  if (run.outcomes) {
    const ins = run.outcomes.filter((o) => o.i);
    acc = ` acc@1 ${((100 * ins.filter((o) => o.a).length) / Math.max(1, ins.length)).toFixed(1)}%`;
  }
  const med = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return `p50 ${p(0.5).toFixed(3)} ms p99 ${p(0.99).toFixed(3)} ms, ttfq ${med(run.ttfq_cold_ms).toFixed(0)}/${med(run.ttfq_warm_ms).toFixed(0)} ms, heap ${((run.heap_js_bytes + Math.max(run.heap_wasm_bytes, run.heap_wasm_after_queries_bytes)) / 1048576).toFixed(1)} MiB${acc}`;
}

async function main() {
  const a = args();
  const manifestPath = path.join(a.data, 'datasets.json');
  if (!fs.existsSync(manifestPath)) fail(`${manifestPath} is missing (run kefu-bench data first)`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const datasets = manifest.datasets.filter((d) => !a.only.length || a.only.includes(d.name));
  if (!datasets.length) fail(`no data set matches --only ${a.only.join(',')}`);
  enPreset = (await import('flexsearch/lang/en')).default;

  const engines = path.join(a.work, 'engines');
  const indexes = path.join(a.work, 'index');
  const { widget } = await prepareEngines(a.pkg, engines);
  const prepared = [];
  for (const ds of datasets) {
    const rows = readTsv(path.join(a.data, ds.tsv));
    const build = prepareIndexes(a.data, ds, rows, indexes, a.systems);
    prepared.push({ ds, rows, build });
    console.error(`browser: indexes for ${ds.name} (${rows.kb.length} rows) built`);
  }

  const loadavgStart = os.loadavg();
  const server = await startServer([
    ['/adapters/', path.join(HERE, 'lib'), false],
    ['/engines/', engines, true],
    ['/index/', indexes, true],
    ['/', path.join(HERE, 'web'), false],
  ]);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const runs = [];
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const base = [];
    for (let i = 0; i < 3; i++) {
      await open(page, server.url, 'none', '', 'hello');
      base.push(await heapUsed(page));
    }
    await ctx.close();
    const baselineHeap = Math.min(...base);
    for (const { ds, rows, build } of prepared) {
      for (const sys of a.systems) {
        const m = await measure(browser, server.url, sys, ds, rows, { ...a, baselineHeap });
        const transfer = [
          ...ENGINE_FILES[sys].map((f) => sizes(path.join(engines, f), 'code')),
          sizes(path.join(indexes, INDEX_FILE[sys](ds.name)), 'index'),
        ];
        const run = {
          system: sys,
          dataset: ds.name,
          transfer,
          index_bytes: transfer.find((f) => f.kind === 'index').raw,
          build_ms: sys === 'kefu' ? null : build[sys],
          ...m,
        };
        runs.push(run);
        console.error(`browser: ${sys.padEnd(16)} ${ds.name.padEnd(20)} ${summary(run)}`);
      }
    }
    const out = {
      chromium: `Chromium ${browser.version()}`,
      node: process.version,
      peers: {
        minisearch: `MiniSearch ${pkgVersion('minisearch')}`,
        flexsearch: `FlexSearch ${pkgVersion('flexsearch')}`,
        'playwright-core': `playwright-core ${pkgVersion('playwright-core')}`,
      },
      widget,
      loadavg_start: loadavgStart,
      loadavg_end: os.loadavg(),
      runs,
    };
    fs.mkdirSync(path.dirname(a.out), { recursive: true });
    fs.writeFileSync(a.out, JSON.stringify(out));
    console.error(`browser: ${runs.length} runs → ${a.out}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

function pkgVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
