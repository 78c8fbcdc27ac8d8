// The agent inbox page itself (kefu serve's /inbox/), driven in headless Chromium as an
// agent would: from the keyboard, on a phone, with a nervous double click, after a colleague
// on the same screen logs out. Cases come in through the public API the widget uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { launch } from './helpers.mjs';
import { freshDb, startKefu, inbox, AGENT, waitFor } from './kefu-serve.mjs';

let kefu, data, browser, agent;
before(async () => {
  data = freshDb();
  kefu = await startKefu({ db: data.db });
  browser = await launch();
  agent = await inbox(kefu.url);
});
after(async () => {
  await browser?.close();
  await kefu?.stop();
  if (data) fs.rmSync(data.dir, { recursive: true, force: true });
});

/** A hand-off case as the widget sends it; resolves with its id. */
async function newCase(fields) {
  const id = crypto.randomUUID();
  const body = {
    id, locale: 'en', triage: 'order',
    transcript: [{ role: 'shopper', text: 'where is my parcel', at: Date.now() - 1000 }],
    ...fields,
  };
  const r = await fetch(`${kefu.url}/api/cases`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(r.status, 201, await r.text());
  return id;
}

/** A signed-in inbox page at `viewport`. */
async function signedIn(viewport = { width: 1200, height: 800 }) {
  const ctx = await browser.newContext({ viewport, locale: 'en-US' });
  const page = await ctx.newPage();
  await page.goto(`${kefu.url}/inbox/`);
  await page.fill('#login-name', AGENT.name);
  await page.fill('#login-password', AGENT.password);
  await page.press('#login-password', 'Enter');
  await page.waitForSelector('#queue li');
  return page;
}

test('a case can be opened from the keyboard alone: Tab to it, Enter', async () => {
  const marker = `keyboard ${crypto.randomUUID().slice(0, 8)}`;
  await newCase({ description: marker });
  const page = await signedIn();
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate((m) => document.activeElement?.closest?.('#queue li')?.textContent.includes(m), marker);
  }
  assert.ok(reached, 'no queue entry can take the focus');
  await page.keyboard.press('Enter');
  await page.waitForFunction((m) => document.querySelector('#detail .case-title')?.textContent === m, marker);
  await page.context().close();
});

test('a double click on "Send reply" sends the reply once', async () => {
  const marker = `double ${crypto.randomUUID().slice(0, 8)}`;
  const id = await newCase({ description: marker });
  const page = await signedIn();
  await page.locator('#queue li', { hasText: marker }).click();
  await page.waitForSelector('#detail .reply-text');
  await page.fill('#detail .reply-text', 'Your parcel left the warehouse today.');
  await page.dblclick('#detail .send');
  await waitFor(async () => (await agent.caseDetail(id)).messages.some((m) => m.role === 'agent'), 10000, 'the reply');
  await page.waitForTimeout(1500);
  const replies = (await agent.caseDetail(id)).messages.filter((m) => m.role === 'agent');
  assert.equal(replies.length, 1, `replies stored: ${replies.length}`);
  await page.context().close();
});

test('an order number with direction marks reads in the order it was typed', async () => {
  const marker = `marks ${crypto.randomUUID().slice(0, 8)}`;
  await newCase({ description: marker, order_number: '111-\u200f222-\u200f333', contact: '\u200f138-\u200f0000-\u200f1234' });
  const page = await signedIn();
  await page.locator('#queue li', { hasText: marker }).click();
  await page.waitForSelector('#detail .facts dd');
  const facts = await page.locator('#detail .facts dd').allInnerTexts();
  assert.ok(facts.includes('111-222-333'), `order shown as ${facts.join(' | ')}`);
  assert.ok(facts.includes('138-0000-1234'), `contact shown as ${facts.join(' | ')}`);
  await page.context().close();
});

test('on a phone the case is readable: not squeezed beside the queue', async () => {
  const marker = `phone ${crypto.randomUUID().slice(0, 8)}`;
  await newCase({ description: marker });
  const page = await signedIn({ width: 375, height: 700 });
  await page.locator('#queue li', { hasText: marker }).click();
  await page.waitForSelector('#detail .case-title');
  const width = await page.evaluate(() => document.getElementById('detail').getBoundingClientRect().width);
  assert.ok(width >= 300, `case pane ${width}px wide`);
  await page.context().close();
});

test('after "Log out" the next person on the same tab sees nothing of the last one\'s case or draft', async () => {
  const marker = `logout ${crypto.randomUUID().slice(0, 8)}`;
  await newCase({ description: marker });
  const page = await signedIn();
  await page.locator('#queue li', { hasText: marker }).click();
  await page.waitForSelector('#detail .reply-text');
  await page.fill('#detail .reply-text', 'a draft nobody else should read');
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible' });
  const left = await page.evaluate(() => document.getElementById('detail').textContent + document.getElementById('queue').textContent);
  assert.ok(!left.includes('a draft') && !left.includes(marker), `left on the page: ${left.slice(0, 200)}`);
  await page.context().close();
});
