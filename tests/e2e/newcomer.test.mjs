// What a newcomer types first, in the demo shop (issue 13): every reply must be sensible.
// Out-of-scope questions get no unrelated answer; covered ones, asked loosely or with typos,
// get their entry (or a "did you mean" that offers it), never the out-of-scope reply; asking
// for a person opens the hand-off form at once. Entries are read from the KB sources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, readKb, openWidget, ask } from './helpers.mjs';

let env;
const zh = readKb('zh-CN');
const en = readKb('en');
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

/** What a bot bubble offers: the entry it answers with, the "did you mean" picks, a person. */
async function offer(bubble) {
  const entry = await bubble.getAttribute('data-entry');
  const row = bubble.locator('xpath=..');
  const picks = await row.locator('.kefu-chip[data-act="pick"]').evaluateAll((els) => els.map((e) => e.dataset.arg));
  const human = await row.locator('.kefu-chip[data-act="human"]').count();
  return { entry, picks, human, text: await bubble.innerText() };
}

async function page(path) {
  const p = await newPage(env.browser);
  await p.goto(`${env.url}/${path}`);
  await openWidget(p);
  return p;
}

/** The entry (or one of the picks) is one of `ids`, and the reply is not a bare hand-off. */
function offers(o, ids, what) {
  for (const id of ids) assert.ok(zh.has(id) || en.has(id), `${id} is not a KB entry`);
  const hit = ids.includes(o.entry) || o.picks.some((p) => ids.includes(p));
  assert.ok(hit, `${what}: expected one of ${ids.join(', ')}; got entry ${o.entry}, picks ${o.picks.join(', ')}: ${o.text}`);
}

test('"do you sell cars" gets no answer from the KB: the shop says what it covers and offers a person', async () => {
  const p = await page('en.html');
  const o = await offer(await ask(p, 'do you sell cars'));
  assert.equal(o.entry, null, `answered with ${o.entry}: ${o.text}`);
  assert.deepEqual(o.picks, [], `offered ${o.picks}`);
  assert.ok(o.human > 0, 'a person is offered');
  // The reply names the shop's topics (its categories), so the shopper knows what to ask.
  const categories = [...new Set([...en.values()].map((e) => e.category))];
  const named = categories.filter((c) => o.text.toLowerCase().includes(c.toLowerCase()));
  assert.ok(named.length >= 2, `no KB category named: ${o.text}`);
  await p.context().close();
});

test('"你们卖汽车吗" gets no answer from the zh-CN KB either', async () => {
  const p = await page('index.html');
  const o = await offer(await ask(p, '你们卖汽车吗'));
  assert.equal(o.entry, null, `answered with ${o.entry}: ${o.text}`);
  assert.ok(o.human > 0);
  await p.context().close();
});

test('"优惠券用不了怎么办" is a coupon question, not a broken product', async () => {
  const p = await page('index.html');
  const o = await offer(await ask(p, '优惠券用不了怎么办'));
  const coupons = [...zh.values()].filter((e) => e.id.startsWith('coupon')).map((e) => e.id);
  offers(o, coupons, 'coupon');
  // No repair / replacement talk: that is the quality-complaint route.
  for (const w of ['维修', '换新', '质量问题']) {
    const inKb = o.entry && zh.get(o.entry).answer.includes(w);
    assert.ok(inKb || !o.text.includes(w), `"${w}" in ${o.text}`);
  }
  await p.context().close();
});

test('"when does it ship" finds the dispatch-time entry', async () => {
  const p = await page('en.html');
  const o = await offer(await ask(p, 'when does it ship'));
  offers(o, ['dispatch-time'], 'when does it ship');
  await p.context().close();
});

test('"can i retrun a opened item" (typo, loose grammar) finds the returns entries', async () => {
  const p = await page('en.html');
  const o = await offer(await ask(p, 'can i retrun a opened item'));
  offers(o, ['return-conditions', 'return-7-day'], 'retrun');
  await p.context().close();
});

test('"亲 在吗 我想问下退货" (a greeting, then the topic in one word) is offered the returns entries', async () => {
  const p = await page('index.html');
  const o = await offer(await ask(p, '亲 在吗 我想问下退货'));
  offers(o, ['return-7-day', 'return-conditions', 'return-shipping-change-of-mind', 'return-how-to-send'], '问下退货');
  assert.ok(!o.text.includes('帮不上忙'), o.text);
  await p.context().close();
});

for (const [path, text] of [['index.html', '转人工'], ['en.html', 'talk to a person']]) {
  test(`"${text}" opens the hand-off form straight away`, async () => {
    const p = await page(path);
    await ask(p, text);
    await p.waitForSelector('kefu-chat .kefu-handoff:not([hidden])', { timeout: 5000 });
    // The description field has the focus: the shopper can type at once.
    const focused = await p.evaluate(() => document.querySelector('kefu-chat').shadowRoot.activeElement?.id);
    assert.equal(focused, 'kefu-f-desc');
    await p.context().close();
  });
}

test('"我有个问题" is asked what the question is, and the question that follows is answered', async () => {
  const p = await page('index.html');
  const o = await offer(await ask(p, '我有个问题'));
  assert.equal(o.entry, null, `answered with ${o.entry}: ${o.text}`);
  assert.deepEqual(o.picks, [], `offered ${o.picks}`);
  assert.ok(!o.text.includes('帮不上忙'), `out-of-scope reply to an opener: ${o.text}`);
  const next = await offer(await ask(p, '退款多久到账'));
  offers(next, ['refund-time'], 'the question after the opener');
  await p.context().close();
});

test('an ID number typed with an order request is hidden, said to be hidden, and the order number asked for', async () => {
  const p = await page('index.html');
  const id = '11010519491231002X';
  const o = await offer(await ask(p, `我的身份证是${id} 帮我查下订单`));
  assert.ok(o.text.includes('隐去'), `no word that the ID was hidden: ${o.text}`);
  assert.ok(o.text.includes('订单号'), `the order number is not asked for: ${o.text}`);
  // The shopper's own bubble keeps only the last four characters.
  const mine = await p.locator('kefu-chat .kefu-log .kefu-shopper').last().innerText();
  assert.ok(!mine.includes(id.slice(0, 14)) && mine.includes('002X'), `shopper bubble: ${mine}`);
  await p.context().close();
});

test('"第二个" typed after "did you mean" answers the second entry offered', async () => {
  const p = await page('index.html');
  const o = await offer(await ask(p, '我想退货'));
  assert.ok(o.picks.length >= 2, `no "did you mean" for 我想退货: ${o.text}`);
  const next = await offer(await ask(p, '第二个'));
  assert.equal(next.entry, o.picks[1], `typed choice: ${next.text}`);
  await p.context().close();
});

test('a tapped "did you mean" choice reaches the page as a gap record naming the entry chosen', async () => {
  const p = await page('index.html');
  await p.evaluate(() => {
    window.kefuGaps = [];
    document.querySelector('kefu-chat').addEventListener('kefu:gap', (e) => window.kefuGaps.push(e.detail));
  });
  const o = await offer(await ask(p, '我想退货'));
  assert.ok(o.picks.length >= 2, `no "did you mean" for 我想退货: ${o.text}`);
  await p.locator(`kefu-chat .kefu-chip[data-act="pick"][data-arg="${o.picks[1]}"]`).last().click();
  await p.waitForFunction(() => window.kefuGaps.some((g) => g.decision === 'picked'));
  const gaps = await p.evaluate(() => window.kefuGaps);
  assert.equal(gaps[0].decision, 'clarify');
  const picked = gaps.find((g) => g.decision === 'picked');
  assert.equal(picked.chosen, o.picks[1]);
  assert.equal(picked.text, '我想退货');
  await p.context().close();
});

for (const [path, text, word] of [['index.html', '你是机器人吗', '转人工'], ['en.html', 'are you a real person?', 'talk to a person']]) {
  test(`"${text}" is told it is an assistant and how to reach a person, without the form forced open`, async () => {
    const p = await page(path);
    const o = await offer(await ask(p, text));
    assert.equal(o.entry, null, `answered with ${o.entry}: ${o.text}`);
    assert.deepEqual(o.picks, [], `offered ${o.picks}`);
    assert.ok(o.text.includes(word), `no way to a person named: ${o.text}`);
    assert.ok(await p.locator('kefu-chat .kefu-handoff:not([hidden])').count() === 0, 'the hand-off form opened');
    // Asking as the reply says opens it.
    await ask(p, word);
    await p.waitForSelector('kefu-chat .kefu-handoff:not([hidden])', { timeout: 5000 });
    await p.context().close();
  });
}

test('"发错颜色了" (wrong colour sent) is answered with the wrong-item entry, not how to change an order', async () => {
  const p = await page('index.html');
  const o = await offer(await ask(p, '发错颜色了'));
  assert.equal(o.entry, 'wrong-item', `${o.entry}: ${o.text}`);
  await p.context().close();
});

test('"路由器怎么重置" (simplified, 么 its only telling character) is replied to in simplified script', async () => {
  const p = await page('index.html');
  const o = await offer(await ask(p, '路由器怎么重置'));
  // Characters only the traditional script writes, all common in the widget's own replies.
  const traditional = [...'們這個為請問給準確還題說幫'];
  const found = traditional.filter((c) => o.text.includes(c));
  assert.deepEqual(found, [], `traditional characters in: ${o.text}`);
  await p.context().close();
});

test('a complaint answered from the KB shows the promise and the offer of a person under the answer', async () => {
  // The 1-hour promise holds in working hours (the demo shop's 09:00–22:00); after hours the
  // promise is the next opening. The page's clock is set to 10:00 today, so the test does not
  // depend on when it runs.
  const p = await newPage(env.browser);
  const ten = new Date();
  ten.setHours(10, 0, 0, 0);
  await p.clock.setFixedTime(ten);
  await p.goto(`${env.url}/index.html`);
  await openWidget(p);
  const o = await offer(await ask(p, '发错货了'));
  assert.equal(o.entry, 'wrong-item', `${o.entry}: ${o.text}`);
  assert.ok(o.human > 0, 'a person is offered');
  // The reply policy's own lines (what `kefu ask` prints under the answer) are shown too.
  const note = await p.locator('kefu-chat .kefu-log .kefu-note').last().innerText();
  assert.ok(note.includes('1 小时'), `no response-time promise: ${note}`);
  assert.ok(note.includes('给人工客服留言'), `no offer of a person: ${note}`);
  await p.context().close();
});

test('"没用" under an answer: asked again, the answer gets a thumbs-down, and the hand-off form starts from the question it missed', async () => {
  const p = await page('index.html');
  const first = await offer(await ask(p, '退款多久到账'));
  assert.ok(first.entry, `no answer: ${first.text}`);
  const o = await offer(await ask(p, '没用'));
  assert.equal(o.entry, null, o.text);
  assert.ok(o.human > 0, `no person offered: ${o.text}`);
  const down = p.locator(`kefu-chat .kefu-msg[data-entry="${first.entry}"] .kefu-vote-btn[data-act="down"]`).last();
  assert.equal(await down.getAttribute('aria-pressed'), 'true');
  await p.locator('kefu-chat .kefu-chip[data-act="human"]').last().click();
  await p.waitForSelector('kefu-chat .kefu-handoff:not([hidden])', { timeout: 5000 });
  const desc = await p.evaluate(() => document.querySelector('kefu-chat').shadowRoot.getElementById('kefu-f-desc').value);
  assert.ok(desc.includes('退款多久到账'), `description: ${desc}`);
  await p.context().close();
});
