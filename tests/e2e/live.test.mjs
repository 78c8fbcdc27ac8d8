// Live chat against the real receiver (`kefu serve`, release binary, fresh SQLite), the agent
// acting through the inbox API the inbox page uses: "agent is typing…", an agent joining
// (header, routing of the shopper's next message), new-reply alerts while the page is
// hidden (title flash, the optional sound, notifications asked for only after a hand-off),
// and the whole conversation coming back in a new tab or a later visit, from this device
// (IndexedDB) or, for the case, from the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { newPage, W, ask, SCREENSHOTS } from './helpers.mjs';
import { startServed, stopServed, inShadow, drawImage, sleep, AGENT, waitFor } from './kefu-serve.mjs';

let browser, kefu, agent;
before(async () => { ({ browser, kefu, agent } = await startServed()); });
after(() => stopServed({ browser, kefu }));

const root = inShadow;

/** A page of `ctx` (or a new context) on the demo shop with the chat open. */
async function shop(ctx) {
  const page = ctx ? await ctx.newPage() : await newPage(browser, { viewport: { width: 1280, height: 800 } });
  page.problems ??= [];
  await page.goto(`${kefu.url}/index.html`);
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  return page;
}

/** Asks the bot something, then hands off with `photos` (JPEG buffers); returns the case id. */
async function handOff(page, marker, photos = []) {
  await ask(page, `收到的杯子碎了 ${marker}`);
  await page.click('kefu-chat .kefu-compose .kefu-human');
  await page.fill('kefu-chat #kefu-f-desc', `杯子碎了，盒子也压扁了 ${marker}`);
  await page.fill('kefu-chat #kefu-f-order', '2024052112345678');
  if (photos.length) {
    await page.setInputFiles('kefu-chat #kefu-f-photos', photos.map((b, i) => ({ name: `p${i}.jpg`, mimeType: 'image/jpeg', buffer: b })));
    await page.waitForFunction((n) => {
      const r = document.querySelector('kefu-chat').shadowRoot;
      return r.querySelectorAll('.kefu-thumb').length >= n && !r.querySelector('.kefu-thumb-busy');
    }, photos.length);
  }
  await page.click('kefu-chat .kefu-handoff [type="submit"]');
  const row = page.locator('kefu-chat .kefu-case').last();
  await row.locator('.kefu-case-status[data-status="sent"]').waitFor({ timeout: 20000 });
  return row.getAttribute('data-case');
}

const sub = (page) => page.locator('kefu-chat .kefu-sub').innerText();
const typing = (page) => page.locator('kefu-chat .kefu-typing');
const logBox = (page) => page.locator(W.log).boundingBox();

/** document.hidden / visibilityState as the page's tab being in the background or not. */
async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('agent types: the shopper sees it; the agent joins: header and routing follow; closing brings the bot back', async () => {
  const page = await shop();
  const id = await handOff(page, 'live-1');
  assert.equal(await sub(page), '智能客服 · 秒回');
  assert.equal(await typing(page).getAttribute('aria-live'), 'polite');
  assert.equal(await typing(page).innerText(), '');
  const box = await logBox(page);

  // Typing (through the inbox API): shown, without moving the log, and gone by itself.
  await agent.typing(id);
  await typing(page).filter({ hasText: '客服正在输入' }).waitFor({ timeout: 10000 });
  assert.ok(await typing(page).isVisible());
  assert.deepEqual(await logBox(page), box, 'the indicator moves nothing');
  const shownAt = Date.now();
  await waitFor(async () => (await typing(page).innerText()) === '', 12000, 'the indicator to expire');
  assert.ok(Date.now() - shownAt > 3000, 'it stays a few seconds');
  assert.ok(!(await typing(page).isVisible()));

  // The agent joins (what opening the case in the inbox does).
  const joined = await agent.join(id);
  assert.equal(joined.joined, true);
  await page.locator('kefu-chat .kefu-joined').filter({ hasText: `${AGENT.name} 已加入对话` }).waitFor({ timeout: 10000 });
  await waitFor(async () => (await sub(page)) === `${AGENT.name} · 人工客服`, 5000, 'the header to name the agent');
  assert.equal(await page.locator('kefu-chat .kefu-avatar').innerText(), AGENT.name[0].toUpperCase());

  // From now on the shopper's messages go to the agent, not the bot.
  const bots = await page.locator(W.bot).count();
  await page.fill(W.input, '能换成白色的吗');
  await page.press(W.input, 'Enter');
  await waitFor(async () => (await agent.caseDetail(id)).messages.some((m) => m.role === 'shopper' && m.source === 'live' && m.text === '能换成白色的吗'), 10000, 'the message to reach the agent');
  await sleep(300);
  assert.equal(await page.locator(W.bot).count(), bots, 'the bot did not answer it');

  // Typing, then the reply: the indicator goes when the reply arrives.
  await agent.typing(id);
  await typing(page).filter({ hasText: '客服正在输入' }).waitFor({ timeout: 10000 });
  await page.locator(W.panel).screenshot({ path: path.join(SCREENSHOTS, 'live-agent-typing.png') });
  await agent.reply(id, '可以，白色的明天发出。');
  await page.locator('kefu-chat .kefu-agent').filter({ hasText: '白色的明天发出' }).waitFor({ timeout: 10000 });
  assert.equal(await typing(page).innerText(), '');

  // Closed: the header is the bot's again.
  await agent.close(id, true);
  await waitFor(async () => (await sub(page)) === '智能客服 · 秒回', 10000, 'the header to go back to the bot');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a reply while the page is hidden flashes the title (and chimes when the shopper turned the sound on); visible again restores it', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript(() => {
    window.__tones = 0;
    window.__asked = 0;
    window.__notes = [];
    const Ctx = window.AudioContext;
    if (Ctx) {
      const make = Ctx.prototype.createOscillator;
      Ctx.prototype.createOscillator = function () { window.__tones++; return make.call(this); };
    }
    if (window.Notification) {
      const ask = Notification.requestPermission.bind(Notification);
      Notification.requestPermission = (...a) => { window.__asked++; return ask(...a); };
    }
  });
  const page = await shop(ctx);
  const own = await page.title();
  assert.equal(await page.evaluate(() => window.__asked), 0, 'no permission prompt on page load');
  const id = await handOff(page, 'live-2');
  assert.equal(await page.evaluate(() => window.__asked), 1, 'notifications asked for after the hand-off (the shopper\'s gesture)');

  // Sound is off by default: a hidden reply flashes the title but makes no sound.
  await setHidden(page, true);
  await agent.reply(id, '第一条回复');
  await waitFor(async () => (await page.title()).startsWith('(1) 【新回复】'), 10000, 'the title to flash');
  assert.ok((await page.title()).includes(own), 'the page\'s own title stays readable');
  // It alternates with the page's own title.
  const seen = new Set();
  const end = Date.now() + 2600;
  while (Date.now() < end) { seen.add(await page.title()); await sleep(100); }
  assert.ok(seen.has(own) && [...seen].some((t) => t.startsWith('(1) ')), [...seen].join(' | '));
  await agent.reply(id, '第二条回复');
  await waitFor(async () => (await page.title()).startsWith('(2) '), 10000, 'the count to go up');
  assert.equal(await page.evaluate(() => window.__tones), 0, 'no sound unless turned on');
  await setHidden(page, false);
  await waitFor(async () => (await page.title()) === own, 3000, 'the title to be restored');
  await sleep(1200);
  assert.equal(await page.title(), own, 'and it stays restored');

  // The shopper turns the sound on (JS API), clicks in the panel (a gesture), looks away.
  await page.evaluate(() => kefu('sound', true));
  await page.click(W.input);
  await setHidden(page, true);
  await agent.reply(id, '第三条回复');
  await waitFor(async () => (await page.evaluate(() => window.__tones)) >= 2, 10000, 'the chime');
  await setHidden(page, false);
  await ctx.close();
});

test('with notifications allowed, a reply while the page is hidden becomes a notification with the agent\'s words; none while the shopper looks', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['notifications'] });
  // Records every notification the page constructs, then lets the browser's own constructor
  // run (headless Chromium may refuse to show it; the widget's call is what is tested).
  await ctx.addInitScript(() => {
    window.__shown = [];
    const Real = window.Notification;
    if (!Real) return;
    class Recorded extends Real {
      constructor(title, options) {
        window.__shown.push([title, options && options.body]);
        super(title, options);
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    Recorded.requestPermission = Real.requestPermission.bind(Real);
    window.Notification = Recorded;
  });
  const page = await shop(ctx);
  const id = await handOff(page, 'live-n');
  await agent.reply(id, '看得见时的回复');
  await page.locator('kefu-chat .kefu-agent').filter({ hasText: '看得见时的回复' }).waitFor({ timeout: 10000 });
  await sleep(300);
  assert.deepEqual(await page.evaluate(() => window.__shown), [], 'no notification while the page is visible');
  await setHidden(page, true);
  await agent.reply(id, '页面隐藏时的回复');
  await waitFor(async () => (await page.evaluate(() => window.__shown)).some(([, body]) => (body || '').includes('页面隐藏时的回复')),
    10000, 'a notification carrying the reply');
  const [[title]] = await page.evaluate(() => window.__shown);
  assert.ok(title && title.length > 0, 'the notification has a title');
  await ctx.close();
});

/** Whether the canvas of photo `n` in the case bubble has been painted (not blank). */
async function photoPainted(page, n) {
  return root(page, `
    const c = r.querySelectorAll('.kefu-case canvas[data-thumb]')[a];
    if (!c || !c.hasAttribute('data-painted')) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) lit++;
    return lit > d.length / 8;`, n);
}

test('a new tab or a later visit shows the whole conversation again: from this device, or the case from the server; a new conversation forgets it', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await shop(ctx);
  const question = '退货运费谁出';
  const answer = await ask(page, question);
  const answerText = (await answer.innerText()).split('\n').find((l) => l.trim().length > 6).trim();
  const photo = await drawImage(page, { width: 900, height: 700 });
  const id = await handOff(page, 'live-3', [photo]);
  await agent.reply(id, '照片收到了，马上处理。');
  await page.locator('kefu-chat .kefu-agent').filter({ hasText: '马上处理' }).waitFor({ timeout: 10000 });
  await sleep(500); // the last save reaches IndexedDB

  const expectWhole = async (p, what) => {
    const log = p.locator(W.log);
    await log.filter({ hasText: '马上处理' }).waitFor({ timeout: 15000 });
    const text = await log.innerText();
    for (const [name, want] of [['the shopper\'s question', question], ['the bot\'s answer', answerText.slice(0, 12)],
      ['the case', '杯子碎了，盒子也压扁了 live-3'], ['the agent\'s reply', '照片收到了，马上处理。']]) {
      assert.ok(text.includes(want), `${what}: ${name} (${want}) missing from:\n${text}`);
    }
    await waitFor(() => photoPainted(p, 0), 10000, `${what}: the case photo`);
  };

  // A new tab of the same browser: from IndexedDB.
  const tab = await shop(ctx);
  await expectWhole(tab, 'new tab');
  assert.equal(await tab.locator('kefu-chat .kefu-agent').count(), 1, 'the reply is shown once');
  // The stream goes on from where that conversation left off: a new reply arrives once.
  await agent.reply(id, '已补发。');
  await tab.locator('kefu-chat .kefu-agent').filter({ hasText: '已补发' }).waitFor({ timeout: 10000 });
  assert.equal(await tab.locator('kefu-chat .kefu-agent').count(), 2);
  await page.close();

  // This device lost it (IndexedDB cleared, the case link kept): the case comes from the
  // server, photos included.
  await tab.evaluate(async () => {
    sessionStorage.clear();
    await new Promise((ok, fail) => {
      const req = indexedDB.open('kefu');
      req.onsuccess = () => {
        const db = req.result;
        const tx = db.transaction(['history', 'photos'], 'readwrite');
        tx.objectStore('history').clear();
        tx.objectStore('photos').clear();
        tx.oncomplete = () => { db.close(); ok(); };
        tx.onerror = () => fail(tx.error);
      };
      req.onerror = () => fail(req.error);
    });
  });
  await tab.reload();
  await tab.click(W.launcher);
  await tab.waitForSelector(W.ready, { timeout: 30000 });
  await expectWhole(tab, 'from the server');
  assert.equal(await root(tab, `return r.querySelector('.kefu-case canvas[data-thumb]').getAttribute('data-source')`), 'server');
  assert.equal(await tab.locator('kefu-chat .kefu-agent').count(), 2, 'both replies, once each');

  // "New conversation" forgets it, in this tab and the next.
  await tab.click('kefu-chat .kefu-head [data-act="new"]');
  const fresh = await shop(ctx);
  await sleep(800);
  const text = await fresh.locator(W.log).innerText();
  assert.ok(!text.includes(question) && !text.includes('马上处理'), text);
  assert.deepEqual(tab.problems ?? [], []);
  await ctx.close();
});

test('a second tab open before the hand-off shows the agent\'s replies too, and sends to the agent', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // The shopper has the shop open in two tabs; the widget of the second is already up.
  const second = await shop(ctx);
  const first = await shop(ctx);
  const id = await handOff(first, 'two-tabs');
  await agent.join(id);
  await agent.reply(id, '您好，我是客服，两个页面都能看到吗？');
  for (const page of [first, second]) {
    await page.locator('kefu-chat .kefu-agent').filter({ hasText: '两个页面都能看到吗' }).waitFor({ timeout: 10000 });
  }
  // Written in the second tab, it reaches the agent (not the bot).
  const bots = await second.locator(W.bot).count();
  await second.fill(W.input, '能看到，谢谢');
  await second.press(W.input, 'Enter');
  await waitFor(async () => (await agent.caseDetail(id)).messages.some((m) => m.role === 'shopper' && m.text === '能看到，谢谢'), 10000, 'the second tab\'s message to reach the agent');
  assert.equal(await second.locator(W.bot).count(), bots, 'the bot did not answer it');
  await ctx.close();
});
