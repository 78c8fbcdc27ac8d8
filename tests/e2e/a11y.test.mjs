// Accessibility: axe-core finds nothing in the widget (light, dark, phone; with answers,
// "did you mean" buttons and the hand-off form on screen), and the screenshots are taken
// from the same states: into target/kefu-test/screenshots, or docs/screenshots when a run
// means to update them (KEFU_UPDATE_SCREENSHOTS=1, see screenshot-dir.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setup, W, ask, SCREENSHOTS } from './helpers.mjs';
import { drawImage } from './kefu-serve.mjs';

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
  // The hand-off form with a photo (thumbnail and its remove button) and an error message.
  await p.click('kefu-chat .kefu-human');
  const photo = await drawImage(p, { width: 1200, height: 900 });
  await p.setInputFiles('kefu-chat #kefu-f-photos', [
    { name: 'cup.jpg', mimeType: 'image/jpeg', buffer: photo },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') },
  ]);
  await p.waitForFunction(() => {
    const r = document.querySelector('kefu-chat').shadowRoot;
    return r.querySelectorAll('.kefu-thumb').length === 1 && !r.querySelector('.kefu-thumb-busy') && r.querySelector('.kefu-photo-error').textContent;
  });
  await p.waitForTimeout(200);
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'handoff.png') });
  // The case in the chat, with its photo and status.
  await p.fill('kefu-chat #kefu-f-desc', '杯子到货就碎了');
  await p.click('kefu-chat .kefu-handoff [type="submit"]');
  await p.waitForSelector('kefu-chat .kefu-case-status[data-status="sent"]');
  await p.waitForTimeout(200);
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'handoff-sent.png') });
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
  // On a phone the form offers the camera (capture) next to the gallery; inputs stay 16 px.
  await p.tap('kefu-chat .kefu-compose .kefu-human');
  assert.equal(await p.locator('kefu-chat [data-act="take-photo"]').isVisible(), true);
  assert.equal(await p.getAttribute('kefu-chat #kefu-f-camera', 'capture'), 'environment');
  assert.equal(await p.getAttribute('kefu-chat #kefu-f-camera', 'accept'), 'image/*');
  const sizes = await p.evaluate(() => [...document.querySelector('kefu-chat').shadowRoot.querySelectorAll('.kefu-handoff input, .kefu-handoff textarea')]
    .filter((e) => e.type !== 'file').map((e) => getComputedStyle(e).fontSize));
  assert.ok(sizes.length >= 2 && sizes.every((f) => f === '16px'), sizes.join());
  assert.deepEqual(await axe(p), []);
  await p.screenshot({ path: path.join(SCREENSHOTS, 'mobile-handoff.png') });
  await p.context().close();
});

test('phone 320×568: the header subtitle keeps to two lines at most, and the header to the screen', async () => {
  // Lines of the subtitle, whether its text runs past its box, and the header's right edge.
  const measure = (p) => p.evaluate(() => {
    const root = document.querySelector('kefu-chat').shadowRoot;
    const sub = root.querySelector('.kefu-sub');
    const lines = Math.round(sub.getBoundingClientRect().height / parseFloat(getComputedStyle(sub).lineHeight));
    const right = Math.max(...[...root.querySelectorAll('.kefu-head > *')].map((e) => e.getBoundingClientRect().right));
    return { text: sub.textContent, lines, wide: sub.scrollWidth > sub.clientWidth, right };
  });
  for (const shop of ['en.html', 'index.html']) {
    const p = await page({ viewport: { width: 320, height: 568 }, isMobile: true, hasTouch: true });
    await p.goto(`${env.url}/${shop}`);
    await p.tap(W.launcher);
    await p.waitForSelector(W.ready, { timeout: 30000 });
    const m = await measure(p);
    assert.ok(m.lines <= 2 && !m.wide && m.right <= 320, `${shop}: ${JSON.stringify(m)}`);
    if (shop === 'en.html') {
      // A live agent's long name in it: cut at two lines, the whole text still read out.
      const long = 'Maximiliana Alexandrovna Featherstonehaugh-Worthington · live agent';
      await p.evaluate((t) => { document.querySelector('kefu-chat').shadowRoot.querySelector('.kefu-sub').textContent = t; }, long);
      const m = await measure(p);
      assert.ok(m.lines <= 2 && !m.wide && m.right <= 320 && m.text === long, JSON.stringify(m));
    }
    await p.context().close();
  }
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

test('phone: the panel follows the visual viewport (on-screen keyboard) and keeps clear of the safe areas', async () => {
  const p = await page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await p.goto(`${env.url}/index.html`);
  assert.match(await p.getAttribute('meta[name="viewport"]', 'content'), /viewport-fit=cover/);
  await p.tap(W.launcher);
  await p.waitForSelector(W.ready, { timeout: 30000 });
  const box = () => p.locator(W.panel).boundingBox();
  assert.equal(Math.round((await box()).height), 844);
  // The keyboard opens: the visual viewport shrinks to 500 px and scrolls by 40 px.
  await p.evaluate(() => {
    Object.defineProperty(visualViewport, 'height', { configurable: true, get: () => 500 });
    Object.defineProperty(visualViewport, 'offsetTop', { configurable: true, get: () => 40 });
    visualViewport.dispatchEvent(new Event('resize'));
  });
  await p.waitForFunction(() => Math.round(document.querySelector('kefu-chat').shadowRoot.querySelector('.kefu-panel').getBoundingClientRect().height) === 500);
  await p.waitForTimeout(300); // the panel's entrance animation
  const b = await box();
  assert.ok(Math.abs(b.y - 40) <= 1 && Math.abs(b.height - 500) <= 1, `panel at ${b.y}, ${b.height} px high`);
  // The composer stays inside what is visible.
  const input = await p.locator(W.input).boundingBox();
  assert.ok(input.y + input.height <= 540, `input at ${input.y}+${input.height}`);
  // Safe-area insets pad the full-screen panel (header, sides, composer).
  const css = await (await fetch(`${env.url}/kefu/${await p.evaluate(() => document.querySelector('kefu-chat').shadowRoot.querySelector('link[rel=stylesheet]').href.split('/').pop())}`)).text();
  for (const side of ['top', 'right', 'bottom', 'left']) assert.ok(css.includes(`env(safe-area-inset-${side})`), side);
  await p.context().close();
});

test('reduced motion turns the widget\'s animations off', async () => {
  const p = await page({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  await p.goto(`${env.url}/index.html`);
  await p.click(W.launcher);
  await p.waitForSelector(W.ready, { timeout: 30000 });
  const anim = await p.evaluate(() => {
    const r = document.querySelector('kefu-chat').shadowRoot;
    return [getComputedStyle(r.querySelector('.kefu-panel')).animationName, getComputedStyle(r.querySelector('.kefu-launcher')).transitionDuration];
  });
  assert.deepEqual(anim, ['none', '0s']);
  await p.context().close();
});

test('phone: the full-screen panel is modal, Tab cycles inside it; a desktop panel lets Tab leave', async () => {
  const inPanel = (p) => p.evaluate(() => {
    const root = document.querySelector('kefu-chat').shadowRoot;
    return !!root.activeElement && !!root.activeElement.closest('.kefu-panel');
  });
  const phone = await page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(`${env.url}/index.html`);
  await phone.click(W.launcher);
  await phone.waitForSelector(W.ready, { timeout: 30000 });
  assert.equal(await phone.locator(W.panel).getAttribute('aria-modal'), 'true');
  for (let i = 0; i < 25; i++) {
    await phone.keyboard.press('Tab');
    assert.ok(await inPanel(phone), `Tab ${i + 1} left the full-screen panel`);
  }
  for (let i = 0; i < 5; i++) {
    await phone.keyboard.press('Shift+Tab');
    assert.ok(await inPanel(phone), `Shift+Tab ${i + 1} left the full-screen panel`);
  }
  await phone.context().close();

  const desk = await page({ viewport: { width: 1280, height: 800 } });
  await desk.goto(`${env.url}/index.html`);
  await desk.click(W.launcher);
  await desk.waitForSelector(W.ready, { timeout: 30000 });
  assert.equal(await desk.locator(W.panel).getAttribute('aria-modal'), 'false');
  let left = false;
  for (let i = 0; i < 25 && !left; i++) {
    await desk.keyboard.press('Tab');
    left = !(await inPanel(desk));
  }
  assert.ok(left, 'on a desktop, Tab reaches the page again');
  await desk.context().close();
});

test('right-to-left messages read right to left; zero-width characters are not a message', async () => {
  const p = await page({ viewport: { width: 1280, height: 800 } });
  await p.goto(`${env.url}/en.html`);
  await p.click(W.launcher);
  await p.waitForSelector(W.ready, { timeout: 30000 });
  const before = await p.locator('kefu-chat .kefu-msg').count();
  await p.fill(W.input, '\u200b\u200c\u200d\ufeff');
  await p.press(W.input, 'Enter');
  await p.waitForTimeout(300);
  assert.equal(await p.locator('kefu-chat .kefu-msg').count(), before, 'nothing sent');
  await ask(p, 'مرحبا، أين طلبي؟');
  const bubble = p.locator('kefu-chat .kefu-msg .kefu-bubble').filter({ hasText: 'مرحبا' });
  assert.equal(await bubble.evaluate((b) => getComputedStyle(b).direction), 'rtl');
  assert.equal(await p.locator(W.input).getAttribute('dir'), 'auto');
  await p.context().close();
});
