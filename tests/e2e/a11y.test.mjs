// Accessibility: axe-core finds nothing in the widget (light, dark, phone; with answers,
// "did you mean" buttons and the hand-off form on screen), and the screenshots in
// docs/screenshots are taken from the same states.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setup, W, ask, SCREENSHOTS } from './helpers.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let env;
before(async () => { env = await setup(); fs.mkdirSync(SCREENSHOTS, { recursive: true }); });
after(async () => { await env?.close(); });

async function page(opts) {
  // axe is injected as a script, which the strict CSP forbids: this context bypasses CSP
  // (the CSP itself is covered by csp.test.mjs).
  const ctx = await env.browser.newContext({ bypassCSP: true, ...opts });
  return ctx.newPage();
}

async function axe(p) {
  await p.addScriptTag({ path: AXE });
  const r = await p.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  // Findings inside the widget (its shadow root) or on the launcher; the demo shop's own
  // page is checked too, as merchants copy it.
  return r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

async function conversation(p, url, questions) {
  await p.goto(url);
  await p.click(W.launcher);
  await p.waitForSelector(W.ready, { timeout: 30000 });
  for (const q of questions) await ask(p, q);
  await p.waitForTimeout(250); // the panel's entrance animation
}

test('desktop, light: zero axe violations; screenshot', async () => {
  const p = await page({ viewport: { width: 1280, height: 800 } });
  await conversation(p, `${env.url}/index.html`, ['空气炸锅能放整只鸡吗', '退貨運費誰出']);
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'desktop.png') });
  await p.click('kefu-chat .kefu-human');
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'handoff.png') });
  await p.context().close();
});

test('desktop, dark: zero axe violations; screenshot', async () => {
  const p = await page({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  await conversation(p, `${env.url}/en.html`, ['how do i descale the kettel', 'when will my order ship']);
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'dark.png') });
  await p.context().close();
});

test('phone 375×812: full-screen panel, 16 px inputs, zero axe violations; screenshot', async () => {
  const p = await page({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await p.goto(`${env.url}/product.html`);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'mobile-closed.png') });
  await p.tap(W.launcher);
  await p.waitForSelector(W.ready, { timeout: 30000 });
  await ask(p, '在台湾110V能用吗');
  await p.waitForTimeout(250);
  const box = await p.locator(W.panel).boundingBox();
  assert.deepEqual([box.x, box.y, box.width, Math.round(box.height)], [0, 0, 375, 812]);
  const font = await p.evaluate(() => getComputedStyle(document.querySelector('kefu-chat').shadowRoot.querySelector('.kefu-input')).fontSize);
  assert.equal(font, '16px');
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'mobile.png') });
  await p.context().close();
});

test('the corrupt-bundle state has zero axe violations too', async () => {
  const p = await page({ viewport: { width: 1280, height: 800 } });
  await p.route('**/kb-zh-CN.kefu', (r) => r.fulfill({ status: 200, body: Buffer.from('KEFU but not really') }));
  await p.goto(`${env.url}/index.html`);
  await p.click(W.launcher);
  await p.waitForSelector('kefu-chat .kefu-panel[data-state="error"]', { timeout: 30000 });
  await p.waitForTimeout(250);
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'error.png') });
  await p.context().close();
});

test('the loader\'s fallback form (no wasm) has zero axe violations too', async () => {
  const p = await page({ viewport: { width: 1280, height: 800 } });
  await p.route('**/*.wasm', (r) => r.abort('failed'));
  await p.goto(`${env.url}/en.html`);
  await p.click(W.launcher);
  await p.waitForSelector('kefu-chat .kefu-fb', { timeout: 30000 });
  await p.waitForTimeout(250);
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'fallback.png') });
  await p.context().close();
});
