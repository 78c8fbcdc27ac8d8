// The loader: one tag, no widget bytes before the shopper shows intent, everything fetched in
// parallel after, and the kefu(...) queue replayed once the widget is up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, W, readKb, firstParagraph, testPage, ROOT, ask } from './helpers.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const WIDGET = /\/kefu\/(kefu-widget\.[0-9a-f]+\.(js|wasm)|kefu\.[0-9a-f]+\.css|kb-[\w-]+\.kefu)$/;

test('nothing but the loader is fetched before interaction; then all four files in parallel', async () => {
  const page = await newPage(env.browser);
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), at: Date.now() }));
  await page.goto(`${env.url}/index.html`);
  await page.waitForSelector(W.launcher);
  // The default idle preload waits 3 s after `load`; well inside that window nothing moves.
  await page.waitForTimeout(1200);
  const early = requests.filter((r) => WIDGET.test(r.url));
  assert.deepEqual(early.map((r) => r.url), [], 'widget files fetched before any interaction');
  assert.ok(requests.some((r) => r.url.endsWith('/kefu/kefu.js')), 'the loader itself was fetched');
  assert.equal(await page.locator('kefu-chat .kefu-panel').count(), 0, 'no panel before the widget loads');

  await page.hover(W.launcher);
  await page.waitForFunction(() => window.kefu.stats()?.state === 'ready', null, { timeout: 30000 });
  const late = requests.filter((r) => WIDGET.test(r.url));
  const kinds = late.map((r) => r.url.split('/').pop().replace(/\.[0-9a-f]{10}\./, '.'));
  assert.deepEqual(kinds.sort(), ['kb-zh-CN.kefu', 'kefu-widget.js', 'kefu-widget.wasm', 'kefu.css'].sort());
  const spread = Math.max(...late.map((r) => r.at)) - Math.min(...late.map((r) => r.at));
  assert.ok(spread < 500, `requests started ${spread} ms apart: not in parallel`);
  // Hover only loads: the panel stays closed.
  assert.equal(await page.locator(W.panel).getAttribute('hidden'), '');
  await page.context().close();
});

test('idle preload loads the widget without opening it; preload=intent never does', async () => {
  const page = await newPage(env.browser);
  await testPage(page, env.url, '/t/idle.html', { 'data-idle-delay': '0' });
  await page.waitForFunction(() => window.kefu.stats()?.state === 'ready', null, { timeout: 30000 });
  assert.equal(await page.locator(W.panel).getAttribute('hidden'), '');
  await page.context().close();

  const page2 = await newPage(env.browser);
  const seen = [];
  page2.on('request', (r) => { if (WIDGET.test(r.url())) seen.push(r.url()); });
  await testPage(page2, env.url, '/t/intent.html', { 'data-idle-delay': '0', 'data-preload': 'intent' });
  await page2.waitForTimeout(1500);
  assert.deepEqual(seen, []);
  await page2.context().close();
});

test('calls queued before the widget loads are replayed: on, identify, ask', async () => {
  const kb = readKb('zh-CN');
  const page = await newPage(env.browser);
  await testPage(page, env.url, '/t/queue.html', { 'data-preload': 'intent' }, { stub: true });
  // Queue through the stub before anything loaded.
  await page.evaluate(() => {
    window.__events = [];
    kefu('on', 'open', () => window.__events.push('open'));
    kefu('on', 'ready', (shop) => window.__events.push('ready:' + shop));
    kefu('identify', { name: '小王', orderNumber: '2024052112345678' });
    kefu('ask', '空氣炸鍋能放一整隻雞嗎');
  });
  await page.waitForSelector(W.ready, { timeout: 30000 });
  const answer = page.locator('kefu-chat .kefu-bot[data-entry="air-fryer-spec"]');
  await answer.waitFor();
  assert.ok((await answer.innerText()).includes(firstParagraph(kb.get('air-fryer-spec'))));
  const events = await page.evaluate(() => window.__events);
  assert.ok(events.includes('open'), JSON.stringify(events));
  assert.ok(events.includes('ready:栗子家居'), JSON.stringify(events));
  // identify() reached the hand-off form.
  await page.click('kefu-chat .kefu-human');
  assert.equal(await page.inputValue('kefu-chat #kefu-f-order'), '2024052112345678');
  await page.context().close();
});

test('kefu("locale") switches the interface language', async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.url}/index.html`);
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  assert.equal(await page.getAttribute('kefu-chat .kefu-send', 'aria-label'), '发送');
  await page.evaluate(() => kefu('locale', 'zh-Hant-TW'));
  assert.equal(await page.getAttribute('kefu-chat .kefu-send', 'aria-label'), '送出');
  await page.evaluate(() => kefu('locale', 'en'));
  assert.equal(await page.getAttribute('kefu-chat .kefu-send', 'aria-label'), 'Send');
  assert.equal(await page.getAttribute(W.launcher, 'aria-label'), 'Chat with us');
  // The greeting still comes from the KB; the conversation survived the switch.
  assert.ok((await page.locator(W.bot).first().innerText()).includes('栗子家居'));
  await page.context().close();
});

test('kefu("locale") while the hand-off or e-mail form is open keeps what the shopper typed, and the focus', async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.url}/en.html`);
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  await page.click('kefu-chat .kefu-compose .kefu-human');
  await page.fill('kefu-chat #kefu-f-desc', 'The lid of my kettle came off');
  await page.fill('kefu-chat #kefu-f-order', '2024052112345678');
  await page.fill('kefu-chat #kefu-f-email', 'li@example.com');
  await page.focus('kefu-chat #kefu-f-order');
  await page.evaluate(() => kefu('locale', 'zh-TW'));
  assert.ok(await page.locator('kefu-chat .kefu-handoff').isVisible(), 'the form is still open');
  assert.equal(await page.getAttribute('kefu-chat .kefu-panel', 'lang'), 'zh-TW');
  assert.equal(await page.inputValue('kefu-chat #kefu-f-desc'), 'The lid of my kettle came off');
  assert.equal(await page.inputValue('kefu-chat #kefu-f-order'), '2024052112345678');
  assert.equal(await page.inputValue('kefu-chat #kefu-f-email'), 'li@example.com');
  assert.equal(await page.evaluate(() => document.querySelector('kefu-chat').shadowRoot.activeElement?.id), 'kefu-f-order');
  // The e-mail form too.
  await page.click('kefu-chat .kefu-handoff [data-act="cancel-form"]');
  await page.click('kefu-chat [data-act="mail"]');
  await page.fill('kefu-chat #kefu-m-email', 'wang@example.com');
  await page.evaluate(() => kefu('locale', 'en'));
  assert.ok(await page.locator('kefu-chat .kefu-mail').isVisible(), 'the e-mail form is still open');
  assert.equal(await page.inputValue('kefu-chat #kefu-m-email'), 'wang@example.com');
  assert.equal(await page.evaluate(() => document.querySelector('kefu-chat').shadowRoot.activeElement?.id), 'kefu-m-email');
  await page.context().close();
});

test('a second loader tag on the page is ignored with one console warning naming the cause', async () => {
  const { CSP } = await import('../server.mjs');
  const page = await newPage(env.browser);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  // A theme that includes the tag in its layout, and a plugin that adds it again.
  await page.route(`${env.url}/t/twice.html`, (r) => r.fulfill({
    status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>
<script src="/kefu/kefu.js" data-kb="/kefu/kb-en.kefu" data-preload="intent"></script>
<script src="/kefu/kefu.js" data-kb="/kefu/kb-en.kefu" data-preload="intent"></script></head>
<body><h1>Shop</h1></body></html>`,
  }));
  await page.goto(`${env.url}/t/twice.html`);
  await page.waitForSelector(W.launcher);
  assert.equal(await page.locator('kefu-chat').count(), 1, 'one launcher');
  const twice = warnings.filter((w) => /kefu\.js.*twice/.test(w));
  assert.equal(twice.length, 1, JSON.stringify(warnings));
  // The first tag's chat works.
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** Background colours of the launcher and the open panel's header, and where the launcher sits. */
async function drawn(page) {
  return page.evaluate(() => {
    const r = document.querySelector('kefu-chat').shadowRoot;
    const bg = (sel) => { const e = r.querySelector(sel); return e && getComputedStyle(e).backgroundColor; };
    const box = r.querySelector('.kefu-launcher').getBoundingClientRect();
    return { launcher: bg('.kefu-launcher'), head: bg('.kefu-head'), right: box.right > innerWidth / 2, svg: r.querySelector('.kefu-launcher svg').getBoundingClientRect().height };
  });
}

test('data-color that is no #rgb / #rrggbb and data-position that is neither right nor left are ignored everywhere, with one warning each naming the setting and its form', async () => {
  const DEFAULT = 'rgb(37, 99, 235)';
  const cases = [
    [{ 'data-color': 'red', 'data-position': 'middle' }, DEFAULT, true],
    [{ 'data-color': ' #e4393c', 'data-position': 'Left' }, DEFAULT, true],
    [{ 'data-color': '#e4393c', 'data-position': 'left' }, 'rgb(228, 57, 60)', false],
  ];
  for (const [i, [attrs, colour, right]] of cases.entries()) {
    const page = await newPage(env.browser);
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await testPage(page, env.url, `/t/settings-${i}.html`, { ...attrs, 'data-preload': 'intent' });
    await page.waitForSelector(W.launcher);
    let d = await drawn(page);
    assert.equal(d.launcher, colour, `launcher before the widget loads ${JSON.stringify(attrs)}`);
    assert.equal(d.right, right);
    assert.equal(d.svg, 28, 'the icon stays 28 px square');
    await page.click(W.launcher);
    await page.waitForSelector(W.ready, { timeout: 30000 });
    d = await drawn(page);
    assert.equal(d.launcher, colour, 'launcher with the widget');
    // The header is the accent: the brand colour, darkened for contrast when needed.
    if (colour === DEFAULT) assert.equal(d.head, DEFAULT, 'header default too');
    else assert.notEqual(d.head, DEFAULT);
    assert.equal(d.right, right);
    const named = (name, form) => warnings.filter((w) => w.includes(`data-${name}`) && w.includes(form));
    if (colour === DEFAULT) {
      assert.equal(named('color', '#rgb or #rrggbb').length, 1, JSON.stringify(warnings));
      assert.equal(named('position', 'right or left').length, 1, JSON.stringify(warnings));
    } else {
      assert.deepEqual(warnings.filter((w) => /data-(color|position)/.test(w)), []);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('the README\'s one-tag embed works as written: the bundle it names is the one its build step makes', async () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const merchants = readme.slice(readme.indexOf('## For merchants'), readme.indexOf('## For content staff'));
  const tag = /<script async src="\/kefu\/kefu\.js"([^>]*)><\/script>/.exec(merchants);
  assert.ok(tag, 'the one-tag embed');
  const attrs = Object.fromEntries([...tag[1].matchAll(/(data-[\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const kb = attrs['data-kb'];
  assert.match(kb, /^\/kefu\//, 'a bundle under /kefu/, where pkg/ is served');
  const file = kb.slice('/kefu/'.length);
  // pkg/ as built does not hold it: the README says how to make it there.
  const build = new RegExp(`kefu build (\\S+) -o pkg/${file.replace('.', '\\.')}\\b`).exec(merchants);
  assert.ok(build, `the README says how to build pkg/${file}`);
  // Its step, with the demo KB for "your KB", into a copy of what it writes (pkg/ stays as built).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-readme-'));
  execFileSync(path.join(ROOT, 'target', 'release', 'kefu'), ['build', path.join(ROOT, 'www/demo/kb/zh-CN'), '-o', path.join(dir, file)], { stdio: 'pipe' });
  const page = await newPage(env.browser);
  await page.route(`**${kb}`, (r) => r.fulfill({ status: 200, contentType: 'application/octet-stream', body: fs.readFileSync(path.join(dir, file)) }));
  await testPage(page, env.url, '/t/readme.html', attrs);
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  const entry = readKb('zh-CN').values().next().value;
  const reply = await ask(page, entry.questions[0]);
  assert.equal(await reply.getAttribute('data-entry'), entry.id);
  assert.deepEqual(page.problems, []);
  fs.rmSync(dir, { recursive: true, force: true });
  await page.context().close();
});
