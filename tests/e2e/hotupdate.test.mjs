// Hot update of a knowledge base (issue 15): the real `kefu serve` (release binary) serves a
// temp copy of pkg/; a shopper asks something the KB cannot answer; the merchant adds an
// entry and runs `kefu build` into the served folder (bundle + .br/.gz, each renamed into
// place); a widget opened afterwards in a new tab of the same browser (same HTTP cache)
// answers with the new entry. Then the other way a merchant deploys: only the new bundle is
// copied over, the .br/.gz of the previous one stay next to it — the server must not serve
// them, and the next widget still gets the new KB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, launch, newPage, testPage, openWidget, ask } from './helpers.mjs';
import { KEFU, freshDb, startKefu } from './kefu-serve.mjs';

const WORKSHOP = {
  question: 'Do you offer telescope calibration workshops?',
  entry: `
---
id: telescope-workshop
questions:
  - Do you offer telescope calibration workshops?
  - telescope calibration workshop
  - stargazing class for telescope owners
category: general
tags: [telescope, workshop]
locale: en
---
Yes: our free **telescope calibration workshop** runs every Saturday at 10:00 in the Shanghai store.
`,
  answer: 'telescope calibration workshop runs every Saturday',
};
const RENTAL = {
  question: 'Can I rent a telescope for the weekend?',
  entry: `
---
id: telescope-rental
questions:
  - Can I rent a telescope for the weekend?
  - telescope rental
  - hire a telescope
category: general
tags: [telescope, rental]
locale: en
---
Yes: **telescope rental** costs ¥50 per weekend, deposit ¥500, at the Shanghai store.
`,
  answer: 'telescope rental costs ¥50 per weekend',
};

let browser, kefu, tmp, pkg, kb, context;
before(async () => {
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'kefu.js'))) throw new Error('pkg/ is missing: run scripts/build-widget.sh');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-hot-'));
  pkg = path.join(tmp, 'pkg');
  kb = path.join(tmp, 'kb');
  fs.cpSync(path.join(ROOT, 'pkg'), pkg, { recursive: true });
  fs.cpSync(path.join(ROOT, 'www', 'demo', 'kb', 'en'), kb, { recursive: true });
  const { db } = freshDb();
  kefu = await startKefu({ db, pkg });
  browser = await launch();
  context = (await newPage(browser, { viewport: { width: 1280, height: 800 } })).context();
});
after(async () => {
  await browser?.close();
  await kefu?.stop('SIGTERM');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function build(out, extra = []) {
  const r = spawnSync(KEFU, ['build', kb, '-o', out, '-q', ...extra], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kefu build failed: ${r.stderr}`);
}

/** A new tab (same browser context: same HTTP cache) with the widget open on the en bundle. */
async function shopper() {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  await testPage(page, kefu.url, '/hot.html', { 'data-kb': '/kefu/kb-en.kefu', 'data-handoff-url': null }, { lang: 'en' });
  await openWidget(page);
  return page;
}

async function reply(page, question) {
  return (await (await ask(page, question)).innerText()).replace(/\s+/g, ' ');
}

/** The bundle as a browser gets it: brotli if offered, else gzip (what the server sends). */
async function fetchBundle(encoding) {
  const r = await fetch(`${kefu.url}/kefu/kb-en.kefu`, { headers: { 'accept-encoding': encoding } });
  assert.equal(r.status, 200);
  return { encoding: r.headers.get('content-encoding'), etag: r.headers.get('etag'), cache: r.headers.get('cache-control'), bytes: Buffer.from(await r.arrayBuffer()) };
}

test('a KB rebuilt into the served folder reaches the next widget opened', async () => {
  const first = await shopper();
  const before = await reply(first, WORKSHOP.question);
  assert.ok(!before.includes(WORKSHOP.answer), `answered before the entry existed: ${before}`);
  const served = await fetchBundle('br');
  assert.equal(served.encoding, 'br');
  assert.equal(served.cache, 'no-cache', 'bundles must be revalidated on every use');
  assert.match(served.etag, /^"[0-9a-f]{32}-br"$/);

  // The merchant adds the entry and rebuilds straight into the served folder.
  fs.appendFileSync(path.join(kb, 'general.md'), WORKSHOP.entry);
  build(path.join(pkg, 'kb-en.kefu'));
  const built = fs.readFileSync(path.join(pkg, 'kb-en.kefu'));
  const now = await fetchBundle('br');
  assert.equal(now.encoding, 'br', 'kefu build wrote a fresh .br');
  assert.notEqual(now.etag, served.etag, 'the ETag follows the content');
  assert.ok(fs.readdirSync(pkg).every((f) => !f.includes('.tmp')), 'temporary files left in pkg/');

  const second = await shopper();
  const after = await reply(second, WORKSHOP.question);
  assert.ok(after.includes(WORKSHOP.answer), `the new entry did not reach the widget: ${after}`);
  assert.ok(built.length > 10000);
  // The first tab keeps its loaded KB; nothing broke there.
  assert.deepEqual([...first.problems, ...second.problems], []);
  await first.close();
  await second.close();
});

test('a bundle copied over its stale .br/.gz is served, not the stale copies', async () => {
  const stale = await fetchBundle('br');
  // Built elsewhere without copies, then only the bundle is copied into the served folder.
  fs.appendFileSync(path.join(kb, 'general.md'), RENTAL.entry);
  const elsewhere = path.join(tmp, 'out', 'kb-en.kefu');
  fs.mkdirSync(path.dirname(elsewhere), { recursive: true });
  build(elsewhere, ['--no-compress']);
  assert.ok(!fs.existsSync(`${elsewhere}.br`));
  fs.copyFileSync(elsewhere, path.join(pkg, 'kb-en.kefu'));
  assert.ok(fs.existsSync(path.join(pkg, 'kb-en.kefu.br')), 'the old .br is still there');

  const br = await fetchBundle('br');
  assert.equal(br.encoding, null, 'the stale .br was served');
  assert.ok(br.bytes.equals(fs.readFileSync(elsewhere)));
  assert.notEqual(br.etag.replace(/-br"$/, '"'), stale.etag.replace(/-br"$/, '"'));
  const gz = await fetchBundle('gzip');
  assert.equal(gz.encoding, 'gzip', 'compressed on the fly');

  const page = await shopper();
  const text = await reply(page, RENTAL.question);
  assert.ok(text.includes(RENTAL.answer), `the copied bundle did not reach the widget: ${text}`);
  // Still the previous entry too: this is the whole new KB.
  assert.ok((await reply(page, WORKSHOP.question)).includes(WORKSHOP.answer));
  assert.deepEqual(page.problems, []);
  await page.close();
});
