// "Leave an e-mail" and "e-mail me this conversation" end to end: headless Chromium on the
// demo shop served by a real `kefu serve` whose SMTP settings point at a small SMTP receiver
// written here on node:net (greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA with dot
// unstuffing, RSET, NOOP, QUIT). The shopper talks to the bot, leaves an address, hands the
// case to a person, gets the agent's reply and asks for the transcript; the receiver must get
// one mail to that address with the bot's answer (from the KB file), the agent's reply and
// the card number masked. A second server without SMTP: the action says why and nothing the
// shopper typed is lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { launch, newPage, W, ask, readKb, firstParagraph, setup } from './helpers.mjs';
import { freshDb, startKefu, inbox, sleep, AGENT, waitFor } from './kefu-serve.mjs';

const zh = readKb('zh-CN');
const SHOP_NAME = 'Demo Shop';

/** A minimal SMTP receiver on 127.0.0.1; `messages` holds {from, to, data} per accepted mail. */
function startSmtp() {
  const messages = [];
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let inData = false;
    let data = [];
    let from = '';
    let to = [];
    const say = (s) => sock.write(`${s}\r\n`);
    say('220 mx.test.local ESMTP kefu e2e receiver');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push({ from, to, data: data.join('\r\n') });
            say('250 2.0.0 queued');
          } else {
            data.push(line.startsWith('.') ? line.slice(1) : line);
          }
          continue;
        }
        const cmd = line.toUpperCase();
        const addr = () => (/<([^>]*)>/.exec(line) || [])[1] || '';
        if (cmd.startsWith('EHLO ')) sock.write('250-mx.test.local\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n');
        else if (cmd.startsWith('HELO ')) say('250 mx.test.local');
        else if (cmd.startsWith('MAIL FROM:')) { from = addr(); to = []; say('250 2.1.0 ok'); }
        else if (cmd.startsWith('RCPT TO:')) { to.push(addr()); say('250 2.1.5 ok'); }
        else if (cmd === 'DATA') { inData = true; data = []; say('354 end with <CRLF>.<CRLF>'); }
        else if (cmd === 'RSET') { to = []; say('250 2.0.0 ok'); }
        else if (cmd === 'NOOP') say('250 2.0.0 ok');
        else if (cmd === 'QUIT') { say('221 2.0.0 bye'); sock.end(); }
        else say('502 5.5.2 not implemented');
      }
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    port: server.address().port,
    messages,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  })));
}

/** {subject, to, text} of a received mail, decoded as a mail client would. */
function readMail(raw) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = {};
  let last = null;
  for (const l of head.split('\r\n')) {
    if (/^[ \t]/.test(l) && last) headers[last] += l;
    else {
      const m = /^([^:]+):\s*(.*)$/.exec(l);
      if (m) { last = m[1].toLowerCase(); headers[last] = m[2]; }
    }
  }
  const words = (v) => v.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=\s*/g, (_, cs, enc, t) => (enc.toLowerCase() === 'b'
    ? Buffer.from(t, 'base64')
    : Buffer.from(t.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (x, h) => String.fromCharCode(parseInt(h, 16))), 'latin1')
  ).toString('utf8'));
  let body = rest.join('\r\n\r\n');
  const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
  if (cte === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable') {
    body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (x, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return { subject: words(headers.subject || ''), to: headers.to || '', type: headers['content-type'] || '', text: body.replace(/\r\n/g, '\n') };
}

let browser, smtp, kefu, agent;
before(async () => {
  smtp = await startSmtp();
  const { db } = freshDb();
  kefu = await startKefu({
    db,
    args: ['--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--mail-from', `${SHOP_NAME} <service@shop.example>`, '--smtp-timeout', '5s'],
  });
  agent = await inbox(kefu.url);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await kefu?.stop('SIGTERM');
  await smtp?.close();
});

async function shop(base) {
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/index.html`);
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 30000 });
  return page;
}

const M = {
  open: 'kefu-chat .kefu-head [data-act="mail"]',
  form: 'kefu-chat .kefu-mail',
  email: 'kefu-chat #kefu-m-email',
  error: 'kefu-chat #kefu-m-email-error',
  note: 'kefu-chat #kefu-mail-note',
  save: 'kefu-chat .kefu-mail [data-act="save-email"]',
  send: 'kefu-chat .kefu-mail [type="submit"]',
};
const system = (page) => page.locator('kefu-chat .kefu-log .kefu-system');

test('the shopper leaves an e-mail, gets an agent reply, and e-mails the conversation to themself', async () => {
  const page = await shop(kefu.url);
  // A question the KB answers, and a message with a bank-card number in it.
  const entry = zh.get('return-without-box');
  const answer = firstParagraph(entry);
  await ask(page, entry.questions[0]);
  const card = '4111 1111 1111 1111';
  await ask(page, `退款能退到我的卡 ${card} 吗`);

  // The envelope opens the form; a wrong address is refused in place, and stays there.
  await page.click(M.open);
  await page.waitForSelector(`${M.form}:not([hidden])`);
  assert.equal(await page.getAttribute(M.open, 'aria-expanded'), 'true');
  await page.fill(M.email, 'lily.example.com');
  await page.click(M.send);
  const err = page.locator(M.error);
  await err.waitFor({ state: 'visible' });
  assert.ok((await err.innerText()).includes('@'), await err.innerText());
  assert.equal(await page.getAttribute(M.email, 'aria-invalid'), 'true');
  assert.equal(await page.inputValue(M.email), 'lily.example.com', 'what was typed stays');
  const address = `lily.${Date.now().toString(36)}@example.com`;
  await page.fill(M.email, address);
  const notices = await system(page).count();
  await page.click(M.save);
  await waitFor(async () => (await system(page).count()) > notices);
  await page.waitForSelector(`${M.form}[hidden]`, { state: 'attached' });

  // The hand-off form offers the saved address; the case carries it to the inbox.
  await page.click('kefu-chat .kefu-compose .kefu-human');
  assert.equal(await page.inputValue('kefu-chat #kefu-f-email'), address);
  // Letters in the marker: a long run of digits could pass for a bank card and be masked.
  const marker = `mail-e2e-${Date.now().toString(36)}`;
  await page.fill('kefu-chat #kefu-f-desc', `想把包装盒丢了的退货问清楚 ${marker}`);
  if (await page.isVisible('kefu-chat #kefu-f-order')) await page.fill('kefu-chat #kefu-f-order', '');
  await page.click('kefu-chat .kefu-handoff [type="submit"]');
  await page.locator('kefu-chat .kefu-case .kefu-case-status').filter({ hasText: '已送达' }).waitFor({ timeout: 20000 });
  let id;
  await waitFor(async () => {
    const q = await agent.queue('all');
    id = q.cases.find((c) => c.summary.includes(marker))?.id;
    return !!id;
  });
  const detail = await agent.caseDetail(id);
  assert.equal(detail.email, address, 'the agent sees the address');

  // The agent replies; the reply shows in the widget.
  const reply = `您好，没有包装盒也可以退，我已经为您登记了 ${marker}`;
  await agent.reply(id, reply);
  await page.locator('kefu-chat .kefu-agent').filter({ hasText: marker }).waitFor({ timeout: 20000 });

  // "E-mail me this conversation": one mail to that address.
  await page.click(M.open);
  assert.equal(await page.inputValue(M.email), address, 'the address is remembered');
  assert.equal(await page.isDisabled(M.send), false);
  const before = smtp.messages.length;
  await page.click(M.send);
  await waitFor(() => smtp.messages.length > before, 20000);
  await page.waitForSelector(`${M.form}[hidden]`, { state: 'attached', timeout: 15000 });
  const sentNotice = await system(page).last().innerText();
  assert.ok(sentNotice.length > 0);
  await sleep(500);
  assert.equal(smtp.messages.length, before + 1, 'exactly one mail');
  const m = smtp.messages.at(-1);
  assert.deepEqual(m.to, [address]);
  assert.equal(m.from, 'service@shop.example');
  const mail = readMail(m.data);
  assert.ok(mail.type.toLowerCase().startsWith('text/plain'), mail.type);
  assert.ok(mail.subject.includes(SHOP_NAME), mail.subject);
  assert.ok(mail.to.includes(address), mail.to);
  const t = mail.text;
  assert.ok(t.includes(entry.questions[0]), `the shopper's question:\n${t}`);
  assert.ok(t.includes(answer), `the bot's answer from the KB (${answer}):\n${t}`);
  assert.ok(t.includes(reply), `the agent's reply:\n${t}`);
  assert.ok(t.includes(AGENT.name), `the agent's name:\n${t}`);
  assert.ok(t.includes('**** **** **** 1111') && !t.includes(card), `card number masked:\n${t}`);
  assert.ok(t.indexOf(answer) < t.indexOf(reply), 'the bot part comes before the case');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await page.context().close();
});

test('without SMTP the e-mail action says why, the address can still be left, nothing typed is lost', async () => {
  const { db } = freshDb();
  const plain = await startKefu({ db });
  try {
    const page = await shop(plain.url);
    const draft = '这句话还没发出去';
    await page.fill(W.input, draft);
    await page.click(M.open);
    await page.waitForSelector(`${M.form}:not([hidden])`);
    // The server says it cannot send mail: the button is disabled and a line says why.
    await page.waitForFunction((sel) => document.querySelector('kefu-chat').shadowRoot.querySelector(sel.replace('kefu-chat ', '')).disabled, M.send);
    const note = page.locator(M.note);
    await note.waitFor({ state: 'visible' });
    assert.ok((await note.innerText()).length > 10, await note.innerText());
    assert.equal(await page.getAttribute(M.note, 'data-kind'), 'unavailable');
    // The API answers the same as JSON.
    const r = await fetch(`${plain.url}/api/transcripts`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: crypto.randomUUID(), email: 'a@example.com', locale: 'zh-CN', lines: [] }),
    });
    assert.equal(r.status, 503);
    assert.equal((await r.json()).error.code, 'mail_not_configured');
    // Saving the address still works; the composer kept what was typed.
    await page.fill(M.email, 'amy@example.com');
    await page.click(M.save);
    await page.waitForSelector(`${M.form}[hidden]`, { state: 'attached' });
    assert.equal(await page.inputValue(W.input), draft);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('kefu.v1.email')), 'amy@example.com');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  } finally {
    await plain.stop('SIGTERM');
  }
});

test('a server without the e-mail endpoints (an older one, the test stand-in) disables sending the same way', async () => {
  const env = await setup();
  try {
    const page = await newPage(env.browser, { viewport: { width: 1280, height: 800 } });
    await page.goto(`${env.url}/index.html`);
    await page.click(W.launcher);
    await page.waitForSelector(W.ready, { timeout: 30000 });
    await page.click(M.open);
    await page.waitForFunction((sel) => document.querySelector('kefu-chat').shadowRoot.querySelector(sel.replace('kefu-chat ', '')).disabled, M.send);
    assert.equal(await page.getAttribute(M.note, 'data-kind'), 'unavailable');
    // Enter in the field keeps the address (there is nothing to send with).
    await page.fill(M.email, 'amy@example.com');
    await page.press(M.email, 'Enter');
    await page.waitForSelector(`${M.form}[hidden]`, { state: 'attached' });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('kefu.v1.email')), 'amy@example.com');
    await page.context().close();
  } finally {
    await env.close();
  }
});
