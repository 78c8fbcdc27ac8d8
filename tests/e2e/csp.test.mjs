// The strict Content-Security-Policy a careful shop sends (no inline script or style, no eval,
// only 'wasm-unsafe-eval' for the wasm): the whole flow runs with zero violations and no
// console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, W, openWidget, ask, testPage, watchedPage, leaveMessage, sendFallback, outboxSize } from './helpers.mjs';
import { CSP } from '../server.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('demo pages send the strict CSP', async () => {
  for (const p of ['/index.html', '/en.html', '/product.html', '/kefu/kefu.js']) {
    const r = await fetch(env.url + p);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('content-security-policy'), CSP);
  }
  assert.match(CSP, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(CSP, /style-src 'self'(;|$)/);
  const wasm = (await fetch(`${env.url}/kefu/`)).status; // no directory listing
  assert.equal(wasm, 404);
});

test('open, ask, quick reply, vote, hand-off, locale switch, reload: zero CSP violations', async () => {
  const page = await newPage(env.browser);
  const response = await page.goto(`${env.url}/product.html`);
  assert.equal(response.headers()['content-security-policy'], CSP);
  // The shop's own "ask" buttons use the queue API.
  await page.click('[data-kefu-ask]');
  await page.waitForSelector(W.ready, { timeout: 30000 });
  await page.locator(W.bot).nth(1).waitFor();
  await ask(page, '第一次用要空烧吗');
  const chip = page.locator('kefu-chat .kefu-chip[data-act="pick"]').first();
  if (await chip.count()) await chip.click();
  const vote = page.locator('kefu-chat .kefu-vote-btn').first();
  if (await vote.count()) await vote.click();
  await page.click('kefu-chat .kefu-human');
  await page.fill('kefu-chat #kefu-f-desc', 'CSP check');
  await page.click('kefu-chat .kefu-handoff [type="submit"]');
  await page.evaluate(() => kefu('locale', 'en'));
  await page.reload();
  await page.waitForSelector(W.ready, { timeout: 30000 });
  await page.waitForTimeout(300);
  const violations = await page.evaluate(() => window.__csp);
  assert.deepEqual(violations, []);
  assert.deepEqual(page.problems, []);
  // The widget's styles really applied (a blocked stylesheet would leave the panel static).
  const pos = await page.evaluate(() => getComputedStyle(document.querySelector('kefu-chat').shadowRoot.querySelector('.kefu-panel')).position);
  assert.equal(pos, 'absolute');
  await page.context().close();
});

test('shop CSS cannot reach into the widget', async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.url}/index.html`);
  await openWidget(page);
  // shop.css sets `button { text-transform: uppercase }`; the shadow DOM keeps it out.
  const tt = await page.evaluate(() => getComputedStyle(document.querySelector('kefu-chat').shadowRoot.querySelector('.kefu-human')).textTransform);
  assert.equal(tt, 'none');
  await page.context().close();
});

test('hostile shop CSS (resets, a grey filter on body, overlays) leaves the launcher and the panel in the corner', async () => {
  const sheets = {
    'all-unset': '* { all: unset }',
    'position-relative': '* { position: relative !important }',
    // The grey of a mourning day: a filter on body holds position: fixed descendants.
    'body-filter': 'body { filter: grayscale(1) }',
    'body-transform': 'body { transform: translateX(0); min-height: 3000px }',
    'overlay': 'body::after { content: ""; position: fixed; inset: 0; z-index: 2147483647 }',
  };
  for (const [name, css] of Object.entries(sheets)) {
    const page = await newPage(env.browser, { viewport: { width: 1024, height: 700 } });
    await page.route(`${env.url}/hostile-${name}.css`, (r) => r.fulfill({ status: 200, contentType: 'text/css', body: css }));
    await page.route(`${env.url}/hostile-${name}.html`, (r) => r.fulfill({
      status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="/hostile-${name}.css">
<script async src="/kefu/kefu.js" data-kb="/kefu/kb-en.kefu"></script></head>
<body><h1>Shop</h1><p>Text</p></body></html>`,
    }));
    await page.goto(`${env.url}/hostile-${name}.html`);
    await page.click(W.launcher);
    await page.waitForSelector(W.ready, { timeout: 30000 });
    const box = (sel) => page.locator(sel).boundingBox();
    const launcher = await box(W.launcher), panel = await box(W.panel);
    // The launcher in the bottom right corner (20 px in), the panel above it, on screen.
    assert.deepEqual([launcher.x, launcher.y], [1024 - 20 - 56, 700 - 20 - 56], `${name}: launcher at ${JSON.stringify(launcher)}`);
    assert.ok(panel.y >= 0 && panel.y + panel.height <= launcher.y && panel.x + panel.width === 1024 - 20,
      `${name}: panel at ${JSON.stringify(panel)}`);
    await ask(page, 'where is my parcel');
    await page.context().close();
  }
});

test('a zoom the shop sets on html or body leaves the whole open panel on screen, on a phone and a desktop', async () => {
  // `html { zoom: 2 }` (an "elder mode", a design scaled to the window) reaches the widget: the
  // panel used to be sized by the unzoomed screen and then zoomed, taller than the screen.
  const sheets = ['html { zoom: 2 }', 'body { zoom: 2 }', 'html { zoom: 1.5 } body { zoom: 2 }', 'html { zoom: 0.5 }'];
  const screens = {
    desktop: { viewport: { width: 1280, height: 800 } },
    phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  };
  for (const [screen, opts] of Object.entries(screens)) {
    for (const [i, css] of sheets.entries()) {
      const what = `${screen}, ${css}`;
      const page = await newPage(env.browser, opts);
      await page.route(`${env.url}/zoom-${i}.css`, (r) => r.fulfill({ status: 200, contentType: 'text/css', body: css }));
      await page.route(`${env.url}/zoom-${i}.html`, (r) => r.fulfill({
        status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP },
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"><title>t</title>
<link rel="stylesheet" href="/zoom-${i}.css">
<script async src="/kefu/kefu.js" data-kb="/kefu/kb-en.kefu"></script></head>
<body><h1>Shop</h1><p>Text</p></body></html>`,
      }));
      await page.goto(`${env.url}/zoom-${i}.html`);
      await page.click(W.launcher);
      await page.waitForSelector(W.ready, { timeout: 30000 });
      await ask(page, 'where is my parcel');
      await page.waitForTimeout(300); // the panel's entrance animation
      const { width, height } = opts.viewport;
      const box = async (sel) => {
        const b = await page.locator(sel).boundingBox();
        assert.ok(b && b.x >= -0.5 && b.y >= -0.5 && b.x + b.width <= width + 0.5 && b.y + b.height <= height + 0.5,
          `${what}: ${sel} at ${JSON.stringify(b)}, outside the ${width}×${height} screen`);
        return b;
      };
      const panel = await box(W.panel);
      for (const sel of ['kefu-chat .kefu-head', 'kefu-chat .kefu-head [data-act="close"]', W.input, 'kefu-chat .kefu-send', 'kefu-chat .kefu-human']) await box(sel);
      // Room to read the conversation, and the latest answer in it.
      const log = await box(W.log);
      assert.ok(log.height >= 120, `${what}: the messages get ${log.height} px`);
      const answer = await page.locator(W.bot).last().boundingBox();
      assert.ok(answer.y < log.y + log.height && answer.y + answer.height > log.y + 20,
        `${what}: the answer at ${JSON.stringify(answer)}, the log at ${JSON.stringify(log)}`);
      if (screen === 'desktop') {
        // Beside the page, above the launcher, not over it.
        const launcher = await page.locator(W.launcher).boundingBox();
        assert.ok(panel.y + panel.height <= launcher.y + 0.5, `${what}: panel at ${JSON.stringify(panel)}, launcher at ${JSON.stringify(launcher)}`);
      } else {
        assert.deepEqual([panel.x, panel.y, panel.width, panel.height].map(Math.round), [0, 0, width, height], `${what}: full screen`);
      }
      // Text stays readable, never smaller than the widget's own 15 px (16 px in the input).
      const px = await page.evaluate(() => {
        const r = document.querySelector('kefu-chat').shadowRoot, input = r.querySelector('.kefu-input');
        return parseFloat(getComputedStyle(input).fontSize) * (input.currentCSSZoom ?? 1);
      });
      assert.ok(px >= 16, `${what}: input text ${px} px`);
      // Every part answers a click where it is drawn: the header's close button too.
      await page.click('kefu-chat .kefu-head [data-act="close"]', { timeout: 5000 });
      await page.locator(W.panel).waitFor({ state: 'hidden' });
      assert.deepEqual(page.problems, [], what);
      await page.context().close();
    }
  }
});

// A hand-off URL on another origin, which the shop's CSP (connect-src 'self') does not allow:
// every request to it fails at once, exactly as when the device is offline, but for good.
const BLOCKED_URL = 'http://127.0.0.2:9/api/cases';

test('a hand-off URL the page\'s CSP blocks: the widget says the message cannot be sent from this page, not "saved, sent later"', async () => {
  const { page, warnings } = await watchedPage(env, '/t/csp-blocked-handoff.html', { 'data-handoff-url': BLOCKED_URL });
  await openWidget(page);
  const leave = (text) => leaveMessage(page, text);
  const row = await leave('杯子碎了 csp-blocked');
  await row.locator('.kefu-case-status[data-status="unsent"]').waitFor({ timeout: 20000 });
  const log = await page.locator(W.log).innerText();
  assert.match(log, /无法发送留言/);
  assert.doesNotMatch(log, /联网后会自动发送/, 'no promise to send it later');
  assert.match(await row.innerText(), /杯子碎了 csp-blocked/, 'the words stay in the chat, to copy');
  assert.equal(await outboxSize(page), 0, 'nothing left waiting to be retried for ever');
  assert.deepEqual(await page.evaluate(() => window.__seen), ['杯子碎了 csp-blocked'], 'the page\'s handoff event still fired');
  assert.ok(warnings.some((w) => /Content-Security-Policy/.test(w) && w.includes(BLOCKED_URL)), JSON.stringify(warnings));
  // A listener that takes the case: passed to the shop's team.
  await page.evaluate(() => kefu('on', 'handoff', (c, e) => e.preventDefault()));
  const taken = await leave('盖子松了 csp-taken');
  await taken.locator('.kefu-case-status[data-status="local"]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('kefu-chat .kefu-system').last().innerText(), /已交给本店客服/);
  await page.context().close();
});

test('a hand-off URL the page\'s CSP blocks: the loader\'s form says so, keeps the text in the field and nothing on the device', async () => {
  const { page } = await watchedPage(env, '/t/csp-blocked-fallback.html', { 'data-handoff-url': BLOCKED_URL }, { failWasm: true });
  const { area, status } = await sendFallback(page, '客服打不开 fb-csp-blocked');
  await status.filter({ hasText: '无法发送' }).waitFor();
  assert.doesNotMatch(await status.innerText(), /已保存/);
  assert.equal(await area.inputValue(), '客服打不开 fb-csp-blocked');
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kefu.outbox.')).length), 0);
  assert.deepEqual(await page.evaluate(() => window.__seen), ['客服打不开 fb-csp-blocked']);
  // Taken by a DOM listener: sent.
  await page.evaluate(() => document.querySelector('kefu-chat').addEventListener('kefu:handoff', (e) => e.preventDefault()));
  await page.click('kefu-chat .kefu-fb form > button');
  await status.filter({ hasText: '已发送' }).waitFor();
  assert.equal(await area.inputValue(), '');
  await page.context().close();
});
