#!/usr/bin/env node
// Measures the widget in headless Chromium and prints the figures:
//   click → ready, cold cache (new browser context) and warm cache (reload, HTTP cache warm),
//   send → answer (keydown to the answer in the DOM), wasm heap after loading the demo KB,
//   bytes on the wire per file (brotli, as served).
//   node tests/e2e/measure.mjs [runs=5] [--pkg DIR] [--out FILE]
//       (writes target/kefu-test/measure.json, or --out; --pkg serves another built widget at
//       /kefu/ instead of pkg/, as bench/run.sh does with KEFU_BENCH_PKG)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setup, launch, testPage, ROOT } from './helpers.mjs';
import { startServer } from '../server.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined) throw new Error(`${name} needs a value`);
  argv.splice(i, 2);
  return v;
};
const PKG = option('--pkg');
const OUT = option('--out') || path.join(ROOT, 'target', 'kefu-test', 'measure.json');
const RUNS = Number(argv[0] || 5);
if (!(RUNS >= 1)) throw new Error(`runs must be ≥ 1, not ${argv[0]}`);
const QUESTIONS = ['七天无理由退货怎么申请', '退貨運費誰出', '空气炸锅能放整只鸡吗', '多久发货', '发票怎么开', '在台湾110V能用吗'];

// Clicks the launcher inside the page and resolves when the panel is open and ready (the
// ready state in the DOM), and when that state has been painted (the next frame):
// [ready, painted] in ms.
const CLICK_TO_READY = () => new Promise((resolve) => {
  const root = document.querySelector('kefu-chat').shadowRoot;
  const ready = () => {
    const p = root.querySelector('.kefu-panel');
    return p && p.dataset.state === 'ready' && !p.hidden;
  };
  const t0 = performance.now();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    obs.disconnect();
    const t = performance.now() - t0;
    requestAnimationFrame(() => setTimeout(() => resolve([t, performance.now() - t0]), 0));
  };
  const obs = new MutationObserver(() => { if (ready()) finish(); });
  obs.observe(root, { subtree: true, childList: true, attributes: true });
  root.querySelector('.kefu-launcher').click();
  if (ready()) finish();
});

// Enter in the input → the answer bubble in the DOM (synchronous), and → the next frame
// (the answer laid out and painted).
const SEND_TO_ANSWER = (q) => new Promise((resolve) => {
  const root = document.querySelector('kefu-chat').shadowRoot;
  const input = root.querySelector('.kefu-input');
  const before = root.querySelectorAll('.kefu-log .kefu-bot').length;
  input.value = q;
  const t0 = performance.now();
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
  const dom = root.querySelectorAll('.kefu-log .kefu-bot').length > before ? performance.now() - t0 : -1;
  requestAnimationFrame(() => setTimeout(() => resolve([dom, performance.now() - t0, window.kefu.stats().lastReplyMs]), 0));
});

// The largest KB we test with: banking77 (77 intents, ~10 000 questions), built from the
// shared evaluation file when it is there.
const B77 = path.join(ROOT, 'target', 'kefu-test', 'kb-banking77.kefu');
const B77_TSV = path.join(ROOT, '..', 'shared', 'eval', 'banking77', 'full.tsv');
const KEFU = path.join(ROOT, 'target', 'release', 'kefu');

async function banking77(env) {
  // Rebuilt when the CLI is newer than the cached bundle (its format may have changed).
  const stale = !fs.existsSync(B77) || (fs.existsSync(KEFU) && fs.statSync(B77).mtimeMs < fs.statSync(KEFU).mtimeMs);
  if (stale && fs.existsSync(B77_TSV) && fs.existsSync(KEFU)) {
    fs.mkdirSync(path.dirname(B77), { recursive: true });
    execFileSync(KEFU, ['build', B77_TSV, '-o', B77, '-q']);
  }
  if (!fs.existsSync(B77)) return null;
  const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const bytes = fs.readFileSync(B77);
  await page.route('**/kefu/kb-banking77.kefu', (r) => r.fulfill({ body: bytes, contentType: 'application/octet-stream' }));
  await testPage(page, env.url, '/t/banking77.html', { 'data-kb': '/kefu/kb-banking77.kefu', 'data-locale': 'en', 'data-preload': 'intent' }, { lang: 'en' });
  await page.waitForSelector('kefu-chat .kefu-launcher');
  const [ready] = await page.evaluate(CLICK_TO_READY);
  await page.waitForTimeout(300);
  const times = [];
  for (const q of ['my card still has not arrived', 'why was I charged a fee for a transfer', 'how do I change my PIN']) {
    times.push((await page.evaluate(SEND_TO_ANSWER, q))[0]);
  }
  const st = await page.evaluate(() => window.kefu.stats());
  await ctx.close();
  return { bundleBytes: bytes.length, entries: st.entries, heapBytes: st.heapBytes, openBundleMs: st.openBundleMs, clickToReadyMs: ready, sendToAnswerMs: times };
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const fmt = (a) => `median ${median(a).toFixed(1)} ms (min ${Math.min(...a).toFixed(1)}, max ${Math.max(...a).toFixed(1)}, n=${a.length})`;

async function setupWith(pkg) {
  if (!pkg) return setup();
  const dir = path.resolve(pkg);
  if (!fs.existsSync(path.join(dir, 'kefu.js'))) throw new Error(`${dir}: no kefu.js (not a built widget)`);
  const server = await startServer({ port: 0, pkg: dir });
  const browser = await launch();
  return { server, browser, url: server.url, close: async () => { await browser.close(); await server.close(); } };
}

const env = await setupWith(PKG);
try {
  const cold = [], warm = [], warmOpen = [], coldPaint = [], warmPaint = [], send = [], painted = [], policy = [], heap = [];
  let transfer = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    // Clicked right after load, well before the idle preload (3 s): a truly cold start.
    await page.goto(`${env.url}/index.html`);
    await page.evaluate(() => sessionStorage.clear());
    await page.waitForSelector('kefu-chat .kefu-launcher');
    const [c, cp] = await page.evaluate(CLICK_TO_READY);
    cold.push(c);
    coldPaint.push(cp);
    if (i === 0) {
      transfer = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/kefu/'))
        .map((e) => ({ file: e.name.split('/').pop(), transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })));
      await page.waitForTimeout(300); // let the post-ready warm-up run, as a shopper typing would
      for (const q of QUESTIONS) {
        const [dom, frame, reply] = await page.evaluate(SEND_TO_ANSWER, q);
        send.push(dom);
        painted.push(frame);
        policy.push(reply);
      }
      heap.push((await page.evaluate(() => window.kefu.stats())).heapBytes);
    }
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.waitForSelector('kefu-chat .kefu-launcher');
    const [w, wp] = await page.evaluate(CLICK_TO_READY);
    warm.push(w);
    warmPaint.push(wp);
    warmOpen.push((await page.evaluate(() => window.kefu.stats())).openBundleMs);
    await ctx.close();
  }
  if (send.some((t) => t < 0)) throw new Error('a question got no answer bubble');
  const b77 = await banking77(env);
  const widgetBytes = transfer.filter((t) => !t.file.endsWith('.kefu')).reduce((s, t) => s + t.encoded, 0);
  const result = {
    clickToReadyColdMs: cold, clickToReadyWarmMs: warm, openBundleWarmMs: warmOpen, clickToPaintColdMs: coldPaint, clickToPaintWarmMs: warmPaint, sendToAnswerMs: send, sendToPaintMs: painted,
    replyPolicyMs: policy, wasmHeapBytes: heap[0], banking77: b77,
    transfer, widgetEncodedBytes: widgetBytes, when: new Date().toISOString(),
  };
  console.log('kefu widget figures (headless Chromium, localhost, brotli as served):');
  console.log(`  click → ready, cold cache : ${fmt(cold)}`);
  console.log(`  click → ready, warm cache : ${fmt(warm)}`);
  console.log(`    of which opening the KB : ${fmt(warmOpen)}  (Engine::open: checks, manifest, word lists, index)`);
  console.log(`  click → painted, cold     : ${fmt(coldPaint)}`);
  console.log(`  click → painted, warm     : ${fmt(warmPaint)}`);
  console.log(`  send → answer in the DOM  : ${fmt(send)}`);
  console.log(`  send → next frame painted : ${fmt(painted)}`);
  console.log(`  of which reply policy     : ${fmt(policy)}  (kefu-core respond(), search included)`);
  console.log(`  wasm heap after demo KB   : ${(heap[0] / 1048576).toFixed(2)} MiB (${heap[0]} bytes)`);
  if (b77) {
    console.log(`  wasm heap after banking77 : ${(b77.heapBytes / 1048576).toFixed(2)} MiB (${b77.heapBytes} bytes; bundle ${b77.bundleBytes} bytes, ${b77.entries} entries, opened in ${b77.openBundleMs.toFixed(1)} ms, click → ready ${b77.clickToReadyMs.toFixed(0)} ms, send → answer ${b77.sendToAnswerMs.map((t) => t.toFixed(1)).join(' / ')} ms)`);
  } else {
    console.log('  wasm heap after banking77 : skipped (no ../shared/eval/banking77/full.tsv)');
  }
  console.log('  on the wire (encoded bytes per file):');
  for (const t of transfer) console.log(`    ${t.file.padEnd(34)} ${String(t.encoded).padStart(8)}  (decoded ${t.decoded})`);
  console.log(`    ${'widget without KB'.padEnd(34)} ${String(widgetBytes).padStart(8)}`);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(result, null, 2));
} finally {
  await env.close();
}
