#!/usr/bin/env node
// Measures the widget in headless Chromium and prints the figures:
//   click → ready, cold cache (new browser context) and warm cache (reload, HTTP cache warm),
//   send → answer (keydown to the answer in the DOM), wasm heap after loading the demo KB,
//   bytes on the wire per file (brotli, as served).
//   node tests/e2e/measure.mjs [runs=5]     (writes target/kefu-test/measure.json too)
import fs from 'node:fs';
import path from 'node:path';
import { setup, ROOT } from './helpers.mjs';

const RUNS = Number(process.argv[2] || 5);
const QUESTIONS = ['七天无理由退货怎么申请', '退貨運費誰出', '空气炸锅能放整只鸡吗', '多久发货', '发票怎么开', '在台湾110V能用吗'];

// Clicks the launcher inside the page and resolves when the panel is open and ready.
const CLICK_TO_READY = () => new Promise((resolve) => {
  const root = document.querySelector('kefu-chat').shadowRoot;
  const ready = () => {
    const p = root.querySelector('.kefu-panel');
    return p && p.dataset.state === 'ready' && !p.hidden;
  };
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    if (ready()) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(root, { subtree: true, childList: true, attributes: true });
  root.querySelector('.kefu-launcher').click();
  if (ready()) { obs.disconnect(); resolve(performance.now() - t0); }
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

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const fmt = (a) => `median ${median(a).toFixed(1)} ms (min ${Math.min(...a).toFixed(1)}, max ${Math.max(...a).toFixed(1)}, n=${a.length})`;

const env = await setup();
try {
  const cold = [], warm = [], send = [], painted = [], policy = [], heap = [];
  let transfer = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    // Clicked right after load, well before the idle preload (3 s): a truly cold start.
    await page.goto(`${env.url}/index.html`);
    await page.evaluate(() => sessionStorage.clear());
    await page.waitForSelector('kefu-chat .kefu-launcher');
    cold.push(await page.evaluate(CLICK_TO_READY));
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
    warm.push(await page.evaluate(CLICK_TO_READY));
    await ctx.close();
  }
  if (send.some((t) => t < 0)) throw new Error('a question got no answer bubble');
  const widgetBytes = transfer.filter((t) => !t.file.endsWith('.kefu')).reduce((s, t) => s + t.encoded, 0);
  const result = {
    clickToReadyColdMs: cold, clickToReadyWarmMs: warm, sendToAnswerMs: send, sendToPaintMs: painted,
    replyPolicyMs: policy, wasmHeapBytes: heap[0],
    transfer, widgetEncodedBytes: widgetBytes, when: new Date().toISOString(),
  };
  console.log('kefu widget figures (headless Chromium, localhost, brotli as served):');
  console.log(`  click → ready, cold cache : ${fmt(cold)}`);
  console.log(`  click → ready, warm cache : ${fmt(warm)}`);
  console.log(`  send → answer in the DOM  : ${fmt(send)}`);
  console.log(`  send → next frame painted : ${fmt(painted)}`);
  console.log(`  of which reply policy     : ${fmt(policy)}  (kefu-core respond(), search included)`);
  console.log(`  wasm heap after demo KB   : ${(heap[0] / 1048576).toFixed(2)} MiB (${heap[0]} bytes)`);
  console.log('  on the wire (encoded bytes per file):');
  for (const t of transfer) console.log(`    ${t.file.padEnd(34)} ${String(t.encoded).padStart(8)}  (decoded ${t.decoded})`);
  console.log(`    ${'widget without KB'.padEnd(34)} ${String(widgetBytes).padStart(8)}`);
  const out = path.join(ROOT, 'target', 'kefu-test');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'measure.json'), JSON.stringify(result, null, 2));
} finally {
  await env.close();
}
