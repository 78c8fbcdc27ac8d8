// Shared setup for the e2e tests: the static server, Debian's Chromium through
// playwright-core, and readers of the demo KB sources (answers are asserted from the KB
// files, never hard-coded).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../server.mjs';
import { screenshotDir } from './screenshot-dir.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** target/kefu-test/screenshots, or docs/screenshots on KEFU_UPDATE_SCREENSHOTS=1 (see screenshot-dir.mjs). */
export const SCREENSHOTS = screenshotDir(ROOT);

export const CHROMIUM = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .find((p) => fs.existsSync(p));

export async function launch() {
  if (!CHROMIUM) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Starts the server and a browser; returns {server, browser, url, close}. */
export async function setup() {
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'kefu.js'))) throw new Error('pkg/ is missing: run scripts/build-widget.sh');
  const server = await startServer({ port: 0 });
  const browser = await launch();
  return { server, browser, url: server.url, close: async () => { await browser.close(); await server.close(); } };
}

/**
 * A page that records CSP violations, console errors and page errors in `page.problems`.
 */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return page;
}

/** Plain text of a Markdown answer body as the widget shows it (no ** or link syntax). */
export function plain(md) {
  return md.replace(/\*\*(.+?)\*\*/g, '$1').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');
}

/** The indented lines under `name:` in a front matter (empty when the field has none). */
function block(front, name) {
  const m = new RegExp(`^${name}:[ \\t]*\\n((?:[ \\t]+.*\\n?|[ \\t]*\\n)*)`, 'm').exec(front);
  return m ? m[1] : '';
}

/** `products:` items: [{title, url, image, price}] (YAML scalars, quotes removed). */
function readProducts(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^\s+(-\s+)?(title|url|image|price):\s*(.*)$/.exec(line);
    if (!m) continue;
    if (m[1]) out.push({});
    if (!out.length) continue;
    let v = m[3].trim();
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1);
    out[out.length - 1][m[2]] = v;
  }
  return out;
}

/** Entries of a demo KB: {id, title, questions, category, answer (Markdown), quickReplies, products}. */
export function readKb(locale) {
  const dir = path.join(ROOT, 'www', 'demo', 'kb', locale);
  const out = new Map();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const parts = text.split(/^---$/m);
    for (let i = 1; i + 1 < parts.length; i += 2) {
      const front = parts[i], body = parts[i + 1].trim();
      const id = /^id:\s*(.+)$/m.exec(front)?.[1].trim();
      if (!id) continue;
      const questions = [...block(front, 'questions').matchAll(/^\s+-\s+(.+)$/gm)].map((m) => m[1].trim());
      const products = readProducts(block(front, 'products'));
      const qr = /^quick_replies:\s*\[(.*)\]/m.exec(front)?.[1].split(',').map((s) => s.trim()).filter(Boolean) ?? [];
      const title = questions[0];
      const category = /^category:\s*(.+)$/m.exec(front)?.[1].trim();
      out.set(id, { id, title, questions, category, answer: body, quickReplies: qr, products });
    }
  }
  return out;
}

/** The first paragraph of an answer, as plain text (a stable thing to look for). */
export function firstParagraph(entry) {
  const md = entry.answer.split(/\n\s*\n/)[0].split('\n')[0];
  return plain(md).replace(/^(\d+\.|-|\*)\s+/, '').trim();
}

/** Locators inside the widget's shadow root (Playwright's CSS pierces open shadow roots). */
export const W = {
  launcher: 'kefu-chat .kefu-launcher',
  panel: 'kefu-chat .kefu-panel',
  ready: 'kefu-chat .kefu-panel[data-state="ready"]:not([hidden])',
  input: 'kefu-chat .kefu-input',
  log: 'kefu-chat .kefu-log',
  bot: 'kefu-chat .kefu-log .kefu-bot',
};

export async function openWidget(page) {
  await page.click(W.launcher);
  await page.waitForSelector(W.ready, { timeout: 15000 });
}

export async function ask(page, text) {
  const before = await page.locator(W.bot).count();
  await page.fill(W.input, text);
  await page.press(W.input, 'Enter');
  await page.waitForFunction((n) => {
    const root = document.querySelector('kefu-chat').shadowRoot;
    return root.querySelectorAll('.kefu-log .kefu-bot').length > n;
  }, before);
  return page.locator(W.bot).last();
}

/**
 * Serves a minimal shop page at `path` (with the strict CSP header) that embeds the loader
 * with `attrs` (data-kb defaults to the zh-CN bundle), and navigates to it.
 * `stub: true` loads /shop/shop.js first (the queue stub), `lang` sets <html lang>.
 */
/**
 * A test page ([`testPage`]) with `attrs` on the loader tag, its console warnings collected,
 * and an analytics-style `handoff` listener that records each case's description in
 * `window.__seen` and takes none. `failWasm`: the widget's wasm never loads (the loader's own
 * fallback form takes over).
 */
export async function watchedPage(env, path, attrs, { failWasm = false } = {}) {
  const page = await newPage(env.browser);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  if (failWasm) await page.route('**/*.wasm', (r) => r.abort('failed'));
  await testPage(page, env.url, path, attrs);
  await page.waitForFunction(() => window.kefu && window.kefu.loaded);
  await page.evaluate(() => { window.__seen = []; kefu('on', 'handoff', (c) => window.__seen.push(c.description)); });
  return { page, warnings };
}

/** Cases still waiting in the widget's IndexedDB outbox (a delivered one leaves only a tombstone, `done`). */
export function outboxSize(page) {
  return page.evaluate(() => new Promise((ok, fail) => {
    const open = indexedDB.open('kefu');
    open.onerror = fail;
    open.onsuccess = () => {
      const r = open.result.transaction('cases').objectStore('cases').getAll();
      r.onsuccess = () => ok(r.result.filter((c) => !c.done).length);
      r.onerror = fail;
    };
  }));
}

/** Leaves `text` through the widget's hand-off form; the case bubble it makes. */
export async function leaveMessage(page, text) {
  await page.click('kefu-chat .kefu-compose .kefu-human');
  await page.fill('kefu-chat #kefu-f-desc', text);
  await page.click('kefu-chat .kefu-handoff [type="submit"]');
  return page.locator('kefu-chat .kefu-case').filter({ hasText: text });
}

/** Opens the loader's fallback form (the widget failed to load) and sends `text` from it. */
export async function sendFallback(page, text) {
  await page.click(W.launcher);
  await page.locator('kefu-chat .kefu-fb').waitFor({ timeout: 30000 });
  const area = page.locator('kefu-chat .kefu-fb textarea');
  const status = page.locator('kefu-chat .kefu-fb [role="status"]');
  await area.fill(text);
  await page.click('kefu-chat .kefu-fb form > button');
  return { area, status };
}

export async function testPage(page, base, path, attrs = {}, { stub = false, lang = 'zh-CN' } = {}) {
  const { CSP } = await import('../server.mjs');
  const all = { 'data-kb': '/kefu/kb-zh-CN.kefu', 'data-handoff-url': '/api/cases', ...attrs };
  const attrText = Object.entries(all).filter(([, v]) => v != null)
    .map(([k, v]) => ` ${k}="${String(v).replace(/"/g, '&quot;')}"`).join('');
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"><title>test</title>
${stub ? '<script src="/shop/shop.js"></script>' : ''}
<script async src="/kefu/kefu.js"${attrText}></script></head>
<body><h1>Test shop</h1><p><a href="/">home</a></p></body></html>`;
  await page.route(`${base}${path}`, (route) => route.fulfill({
    status: 200, contentType: 'text/html; charset=utf-8', body: html,
    headers: { 'Content-Security-Policy': CSP },
  }));
  await page.goto(`${base}${path}`);
}
