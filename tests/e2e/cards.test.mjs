// Product cards (issue 15): an entry's `products:` are shown under its answer as a row of
// links (image, title, price) that open in a new tab with rel="noopener noreferrer", under the
// strict CSP of the demo server. The expected products are read from the KB sources, never
// hard-coded; a test-only KB checks that a title holding HTML is shown as text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, setup, newPage, W, readKb, openWidget, ask, testPage } from './helpers.mjs';
import { startServer } from '../server.mjs';
import { KEFU } from './kefu-serve.mjs';

let env;
const zh = readKb('zh-CN');
const en = readKb('en');
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** What the cards under `bubble` show: [{title, price, href, target, rel, img: {...} | null}]. */
function cardsOf(bubble) {
  return bubble.locator('.kefu-cards .kefu-card').evaluateAll((els) => els.map((a) => {
    const img = a.querySelector('img');
    return {
      title: a.querySelector('.kefu-card-title')?.textContent ?? null,
      price: a.querySelector('.kefu-card-price')?.textContent ?? null,
      href: a.getAttribute('href'),
      target: a.getAttribute('target'),
      rel: a.getAttribute('rel'),
      tag: a.tagName,
      style: a.getAttribute('style'),
      img: img && {
        src: img.getAttribute('src'), alt: img.getAttribute('alt'), loading: img.getAttribute('loading'),
        width: img.getAttribute('width'), height: img.getAttribute('height'), style: img.getAttribute('style'),
      },
    };
  }));
}

/** The cards as the KB source describes them. */
function expected(products) {
  return products.map((p) => ({
    title: p.title,
    price: p.price ?? null,
    href: p.url,
    target: '_blank',
    rel: 'noopener noreferrer',
    tag: 'A',
    style: null,
    img: p.image ? { src: p.image, alt: p.title, loading: 'lazy', width: '160', height: '120', style: null } : null,
  }));
}

async function waitImagesLoaded(page, entry) {
  await page.waitForFunction((id) => {
    const imgs = [...document.querySelector('kefu-chat').shadowRoot
      .querySelectorAll(`.kefu-bot[data-entry="${id}"] .kefu-card-img`)];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, entry, { timeout: 15000 });
}

const CASES = [
  { name: 'zh-CN', page: '/index.html', kb: zh, ask: '空气炸锅能放整只鸡吗', entry: 'air-fryer-spec' },
  { name: 'zh-CN', page: '/index.html', kb: zh, ask: '小家电在国外能用吗？', entry: 'voltage-plug' },
  { name: 'en', page: '/en.html', kb: en, ask: 'What size is the air fryer?', entry: 'air-fryer-spec' },
  { name: 'en', page: '/en.html', kb: en, ask: 'Can I use your appliances abroad?', entry: 'voltage-plug' },
];

for (const c of CASES) {
  test(`${c.name}: "${c.ask}" shows the product cards of ${c.entry}`, async () => {
    const products = c.kb.get(c.entry).products;
    assert.ok(products.length > 0, `${c.entry} has no products in the ${c.name} KB`);
    const page = await newPage(env.browser);
    await page.goto(`${env.url}${c.page}`);
    await openWidget(page);
    const bubble = await ask(page, c.ask);
    assert.equal(await bubble.getAttribute('data-entry'), c.entry);
    assert.deepEqual(await cardsOf(bubble), expected(products));
    // The images are same-origin and load under the demo's CSP (img-src 'self').
    await waitImagesLoaded(page, c.entry);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('entries without products show no cards', async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.url}/en.html`);
  await openWidget(page);
  const bubble = await ask(page, 'how do i descale the kettel');
  assert.equal(await bubble.getAttribute('data-entry'), 'care-kettle-descale');
  assert.equal(en.get('care-kettle-descale').products.length, 0);
  assert.equal(await bubble.locator('.kefu-cards').count(), 0);
  await page.context().close();
});

test('a product title holding HTML is shown as text, and unsafe urls never become cards', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-cards-'));
  let server;
  try {
    const kb = path.join(tmp, 'kb');
    const pkg = path.join(tmp, 'pkg');
    fs.mkdirSync(kb);
    fs.cpSync(path.join(ROOT, 'pkg'), pkg, { recursive: true });
    const title = 'Mug <b>bold</b> <img src=x onerror="window.__pwned=1"> & co';
    fs.writeFileSync(path.join(kb, 'mug.md'), `---
id: mug-spec
questions:
  - How big is the enamel mug?
  - enamel mug size
category: product
locale: en
products:
  - title: '${title.replace(/'/g, "''")}'
    url: /en.html?mug=1
    image: /shop/img/kettle.svg
    price: "$39.90"
---
The enamel mug holds **350 ml**.
`);
    const r = spawnSync(KEFU, ['build', kb, '-o', path.join(pkg, 'kb-cards.kefu'), '-q'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `kefu build failed: ${r.stderr}`);
    // `kefu check` refuses a javascript: product url, on its line.
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'x.md'),
      '---\nid: x\nquestions: [q]\ncategory: product\nproducts:\n  - title: X\n    url: javascript:alert(1)\n---\nA.\n');
    const chk = spawnSync(KEFU, ['check', bad], { encoding: 'utf8' });
    assert.notEqual(chk.status, 0);
    assert.match(chk.stdout + chk.stderr, /x\.md:7: error: product url `javascript:alert\(1\)` is not allowed/);

    server = await startServer({ port: 0, pkg });
    const page = await newPage(env.browser);
    await testPage(page, server.url, '/cards.html', { 'data-kb': '/kefu/kb-cards.kefu', 'data-handoff-url': null }, { lang: 'en' });
    await openWidget(page);
    const bubble = await ask(page, 'How big is the enamel mug?');
    assert.equal(await bubble.getAttribute('data-entry'), 'mug-spec');
    const cards = await cardsOf(bubble);
    assert.deepEqual(cards, expected([{ title, url: '/en.html?mug=1', image: '/shop/img/kettle.svg', price: '$39.90' }]));
    // Text, not markup: no <b> and only the card's own <img> inside the card.
    const card = bubble.locator('.kefu-card');
    assert.equal(await card.locator('b').count(), 0);
    assert.equal(await card.locator('img').count(), 1);
    assert.equal(await bubble.locator('.kefu-card-title').innerText(), title);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await waitImagesLoaded(page, 'mug-spec');
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  } finally {
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
