// What the shopper writes must never make kefu-server refuse the case: the outbox drops a
// case refused with a 4xx for good, so the widget has to send only what the server takes.
// Against the real receiver (`kefu serve`, release binary, fresh SQLite), the agent's side
// read through the inbox API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, W, ask } from './helpers.mjs';
import { startServed, stopServed, inShadow, drawImage } from './kefu-serve.mjs';

let browser, kefu, agent;
before(async () => { ({ browser, kefu, agent } = await startServed()); });
after(() => stopServed({ browser, kefu }));

const root = inShadow;

async function shop(pagePath = '/en.html') {
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${kefu.url}${pagePath}`);
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  return page;
}

/** Sends the open hand-off form; resolves with the case id and the status it ends in. */
async function send(page) {
  const before = await page.locator('kefu-chat .kefu-case').count();
  await page.click('kefu-chat .kefu-handoff [type="submit"]');
  await page.waitForFunction((n) => document.querySelector('kefu-chat').shadowRoot.querySelectorAll('.kefu-case').length > n, before);
  const row = page.locator('kefu-chat .kefu-case').last();
  await row.locator('.kefu-case-status:is([data-status="sent"], [data-status="local"])').waitFor({ timeout: 20000 });
  return { id: await row.getAttribute('data-case'), status: await row.locator('.kefu-case-status').getAttribute('data-status') };
}

test('control characters pasted into the chat or the form do not cost the shopper the case', async () => {
  const page = await shop();
  // Text from a terminal (BEL, ESC) and from Word (a manual line break is U+000B).
  await ask(page, 'my parcel\u0007 is late\u001b[31m');
  const shown = await root(page, `return [...r.querySelectorAll('.kefu-shopper')].at(-1).textContent`);
  assert.doesNotMatch(shown, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, JSON.stringify(shown));
  await page.click('kefu-chat .kefu-compose .kefu-human');
  await page.fill('kefu-chat #kefu-f-desc', 'Still not here.\u000bSecond line\u0000 \u0085third');
  const { id, status } = await send(page);
  assert.equal(status, 'sent', 'the server took the case');
  const detail = await agent.caseDetail(id);
  const text = JSON.stringify(detail);
  assert.match(text, /my parcel is late\[31m/);
  assert.match(text, /Still not here\.\\nSecond line \\nthird/);
  assert.deepEqual(page.problems.filter((p) => /422/.test(p)), []);
  await page.context().close();
});

test('a long conversation of long messages still fits the server: the oldest messages make way', async () => {
  const page = await shop('/index.html');
  // 60 messages of 2,000 Chinese characters: about 360 KB of text, over the 256 KiB a case may be.
  const long = '我的订单还没到，已经等了很久很久，'.repeat(120).slice(0, 1990);
  for (let i = 0; i < 60; i++) {
    await page.evaluate((t) => kefu('ask', t), `${i} ${long}`);
  }
  await page.waitForFunction(() => kefu.stats().messages >= 120);
  await page.click('kefu-chat .kefu-compose .kefu-human');
  await page.fill('kefu-chat #kefu-f-desc', '订单一直没到');
  await page.fill('kefu-chat #kefu-f-order', '2024052112345678');
  const { id, status } = await send(page);
  assert.equal(status, 'sent', 'the server took the case');
  const detail = await agent.caseDetail(id);
  const lines = detail.messages;
  assert.ok(Array.isArray(lines), Object.keys(detail).join());
  // It starts by saying messages were left out, and ends with the newest ones.
  assert.match(lines[0].text, /前面 \d+ 条消息未附上/);
  const text = JSON.stringify(lines);
  assert.match(text, /59 我的订单/);
  assert.doesNotMatch(text, /"0 我的订单/);
  await page.context().close();
});

test('a case the server refuses is not announced as passed on: its text goes back into the form', async () => {
  const page = await shop();
  // Whatever the reason (a proxy in front of the server, a rule the widget did not foresee).
  await page.route('**/api/cases', (route) => (route.request().method() === 'POST'
    ? route.fulfill({ status: 422, contentType: 'application/json', body: '{"error":{"code":"invalid_field","message":"no","field":"description"}}' })
    : route.continue()));
  await ask(page, 'my cup arrived broken');
  await page.click('kefu-chat .kefu-compose .kefu-human');
  await page.fill('kefu-chat #kefu-f-desc', 'The cup was in pieces, the box crushed');
  await page.click('kefu-chat .kefu-handoff [type="submit"]');
  const row = page.locator('kefu-chat .kefu-case').last();
  await row.locator('.kefu-case-status[data-status="refused"]').waitFor({ timeout: 20000 });
  assert.equal(await row.locator('.kefu-case-status').textContent(), 'Not delivered');
  const last = await root(page, `return [...r.querySelectorAll('.kefu-msg')].at(-1).textContent`);
  assert.match(last, /couldn't be delivered/);
  assert.doesNotMatch(last, /passed to the shop's team/);
  assert.ok(await page.locator('kefu-chat .kefu-handoff').isVisible(), 'the form is open again');
  assert.equal(await page.inputValue('kefu-chat #kefu-f-desc'), 'The cup was in pieces, the box crushed');
  await page.context().close();
});

test('a message left in the plain form while the widget could not load, refused later, goes back into the form', async () => {
  // The loader's plain form keeps a message it could not send on the device; the widget sends
  // it when it starts. Refused then, it is in no chat: its words must still not be dropped.
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${kefu.url}/en.html`);
  const id = '0b7c1a52-5f0e-4d7a-9a51-2f4a3c8d9e10';
  const body = { id, locale: 'en', transcript: [], order_number: '2023112312345678', contact: null,
    description: 'Left while the chat was down: the lid is cracked', triage: 'product', tags: ['handoff:unavailable'] };
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [`kefu.outbox.${id}`, JSON.stringify(body)]);
  await page.route('**/api/cases', (route) => (route.request().method() === 'POST'
    ? route.fulfill({ status: 422, contentType: 'application/json', body: '{"error":{"code":"invalid_field","message":"no","field":"description"}}' })
    : route.continue()));
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  await page.locator('kefu-chat .kefu-handoff').waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await page.inputValue('kefu-chat #kefu-f-desc'), body.description);
  assert.equal(await page.inputValue('kefu-chat #kefu-f-order'), body.order_number);
  const last = await root(page, `return [...r.querySelectorAll('.kefu-msg')].at(-1).textContent`);
  assert.match(last, /couldn't be delivered/);
  await page.context().close();
});

test('more photos picked than allowed: refused files make room for the next ones, and every file left out is named', async () => {
  const page = await shop();
  const png = await drawImage(page, { width: 800, height: 600, type: 'image/png' });
  await page.click('kefu-chat .kefu-compose .kefu-human');
  const files = [
    { name: 'zero.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) },
    { name: 'text.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('hello world') },
    { name: 'cut.png', mimeType: 'image/png', buffer: png.subarray(0, 100) },
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => ({ name: `ok${i}.png`, mimeType: 'image/png', buffer: png })),
  ];
  await page.setInputFiles('kefu-chat #kefu-f-photos', files);
  // The form takes 5 (data-photos default): the first five good ones.
  await page.waitForFunction(() => {
    const r = document.querySelector('kefu-chat').shadowRoot;
    return r.querySelectorAll('.kefu-handoff .kefu-thumb').length === 5 && !r.querySelector('.kefu-thumb-busy')
      && /not added/.test(r.querySelector('.kefu-photo-error').textContent);
  }, null, { timeout: 20000 });
  const said = await page.locator('kefu-chat .kefu-photo-error').textContent();
  for (const name of ['zero.jpg', 'text.jpg', 'cut.png', 'ok6.png', 'ok7.png']) assert.match(said, new RegExp(name.replace('.', '\\.')), said);
  for (const name of ['ok1.png', 'ok5.png']) assert.doesNotMatch(said, new RegExp(name.replace('.', '\\.')), said);
  assert.match(said, /up to 5 photos: “ok6\.png”, “ok7\.png” not added/);
  // A later pick while the form is full says so at once.
  await page.setInputFiles('kefu-chat #kefu-f-photos', [{ name: 'ok8.png', mimeType: 'image/png', buffer: png }]);
  await page.locator('kefu-chat .kefu-photo-error').filter({ hasText: '“ok8.png” not added' }).waitFor();
  await page.context().close();
});
