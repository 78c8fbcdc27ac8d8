// A real `kefu serve` for the hand-off tests: the release binary on loopback with a fresh
// SQLite database in a temp folder, serving the demo shop (www/) and the built widget
// (pkg/) — plus what the tests need around it: an inbox session (an agent's side), a TCP
// proxy in front of the server that can slow uploads down and cut connections mid-body,
// and test photos made in the browser.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, launch } from './helpers.mjs';

export const KEFU = process.env.KEFU_BIN || path.join(ROOT, 'target', 'release', 'kefu');
export const AGENT = { name: 'lily', password: 'kefu-test-password-1' };

/** A fresh data folder with an inbox supervisor account. */
export function freshDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-e2e-'));
  const db = path.join(dir, 'kefu.sqlite');
  const r = spawnSyncOk(KEFU, ['serve', '--db', db, '--add-user', AGENT.name, '--role', 'supervisor'], { KEFU_PASSWORD: AGENT.password });
  if (r) throw new Error(r);
  return { dir, db };
}

function spawnSyncOk(cmd, args, env) {
  const p = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  return p.status === 0 ? null : `${cmd} ${args.join(' ')} failed: ${p.stderr || p.stdout}`;
}

/**
 * Starts `kefu serve` on 127.0.0.1 (`port` 0: any free port) with the data in `db`, serving
 * `www` (default: the repository's www/) and `pkg` (default: pkg/); resolves with
 * {url, port, stop(signal)} once it listens.
 */
export function startKefu({ db, port = 0, args = [], www = path.join(ROOT, 'www'), pkg = path.join(ROOT, 'pkg') }) {
  if (!fs.existsSync(KEFU)) throw new Error(`${KEFU} is missing: cargo build --release -p kefu-cli`);
  const proc = spawn(KEFU, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`, '--www', www,
    '--pkg', pkg, '--rate-ip', '0/0', '--rate-client', '0/0', ...args], {
    env: { ...process.env, KEFU_LOG: process.env.KEFU_LOG || 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`kefu serve did not start:\n${out}`)), 20000);
    const onData = (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const p = Number(m[1]);
        const exited = new Promise((r) => proc.once('exit', r));
        ok({
          port: p, url: `http://127.0.0.1:${p}`, proc, log: () => out,
          /** SIGKILL: a crash (nothing flushed, connections cut); SIGTERM: a graceful stop. */
          stop: async (signal = 'SIGKILL') => { if (proc.exitCode === null) proc.kill(signal); await exited; },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); if (!/listening/.test(out)) fail(new Error(`kefu serve exited (${code}):\n${out}`)); });
  });
}

/**
 * A TCP proxy on a fixed port in front of the server, so the shop's origin (and with it the
 * widget's IndexedDB and localStorage) stays the same across server restarts. It can:
 *   - `down = true`: refuse every connection (server unreachable);
 *   - `throttle(bytesPerSecond)`: slow every request body down (uploads take seconds);
 *   - `cutPut(n, after)`: cut the next n PUT requests after `after` body bytes (the
 *     connection drops mid-upload; the server sees a body that ended early);
 *   - `loseResponses(n, re)`: forward the next n requests whose first line matches `re`
 *     but drop the server's answer (the server stored it; the browser sees a network error).
 */
export async function startProxy(target) {
  const state = { target, down: false, rate: 0, cuts: [], lose: [], sockets: new Set(), seen: [] };
  const server = net.createServer((client) => {
    if (state.down) return client.destroy();
    // The upstream connection is opened when the first bytes arrive, so every request is
    // recorded in `seen` even when the server behind is down (a refused connect would
    // otherwise close the client before its request was read).
    let upstream = null;
    state.sockets.add(client);
    let cut = null; // {after, sent}
    let lose = false;
    const kill = () => { client.destroy(); upstream?.destroy(); };
    const connect = () => {
      upstream = net.connect(state.target, '127.0.0.1');
      state.sockets.add(upstream);
      upstream.on('error', kill);
      upstream.on('close', () => { client.destroy(); state.sockets.delete(upstream); });
      // Server → client, unless this answer is to be lost.
      upstream.on('data', (chunk) => {
        if (lose) return kill();
        client.write(chunk);
      });
    };
    client.on('error', kill);
    client.on('close', () => { upstream?.destroy(); state.sockets.delete(client); });
    // Client → server, chunk by chunk (paced when throttled).
    let queue = Promise.resolve();
    client.on('data', (chunk) => {
      client.pause();
      queue = queue.then(async () => {
        const head = chunk.subarray(0, 200).toString('latin1');
        const line = /^(GET|POST|PUT|DELETE|OPTIONS|HEAD) (\S+)/.exec(head);
        if (line) {
          state.seen.push(`${line[1]} ${line[2]}`);
          if (line[1] === 'PUT' && state.cuts.length) cut = { after: state.cuts.shift(), sent: 0 };
          const i = state.lose.findIndex((l) => l.re.test(`${line[1]} ${line[2]}`));
          if (i >= 0) { state.lose[i].n--; if (!state.lose[i].n) state.lose.splice(i, 1); lose = true; }
        }
        if (!upstream) connect();
        for (let off = 0; off < chunk.length;) {
          const step = state.rate ? Math.max(1024, Math.floor(state.rate / 20)) : chunk.length;
          let part = chunk.subarray(off, off + step);
          if (cut) {
            const room = cut.after - cut.sent;
            if (room <= 0) return kill();
            part = part.subarray(0, room);
            cut.sent += part.length;
          }
          if (upstream.destroyed) return;
          upstream.write(part);
          off += part.length;
          if (cut && cut.sent >= cut.after) { await sleep(150); return kill(); }
          if (state.rate) await sleep((part.length / state.rate) * 1000);
        }
        if (!client.destroyed) client.resume();
      });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    state,
    set down(v) { state.down = v; if (v) for (const s of state.sockets) s.destroy(); },
    throttle(rate) { state.rate = rate; },
    cutPut(n, after) { for (let i = 0; i < n; i++) state.cuts.push(after); },
    loseResponses(n, re) { state.lose.push({ n, re }); },
    retarget(p) { state.target = p; },
    close: () => new Promise((r) => { for (const s of state.sockets) s.destroy(); server.close(r); }),
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (async, truthy when done) until it holds or `ms` pass; `what` names it in the error. */
export async function waitFor(check, ms = 15000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** An agent's inbox session (cookie + CSRF token), talking to the server directly. */
export async function inbox(base) {
  const r = await fetch(`${base}/inbox/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(AGENT),
  });
  if (!r.ok) throw new Error(`inbox login: ${r.status} ${await r.text()}`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf } = await r.json();
  const call = async (method, p, body) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    const type = res.headers.get('content-type') || '';
    return type.includes('json') ? res.json() : Buffer.from(await res.arrayBuffer());
  };
  return {
    queue: (status = 'all') => call('GET', `/inbox/api/queue?status=${status}`),
    caseDetail: (id) => call('GET', `/inbox/api/cases/${id}`),
    attachment: (id, att) => call('GET', `/inbox/api/cases/${id}/attachments/${att}`),
    reply: (id, text) => call('POST', `/inbox/api/cases/${id}/reply`, { text }),
    close: (id, resolved = true) => call('POST', `/inbox/api/cases/${id}/close`, { resolved }),
    /** What the inbox page does when the agent opens a case / types in the reply box. */
    join: (id) => call('POST', `/inbox/api/cases/${id}/join`, {}),
    typing: (id) => call('POST', `/inbox/api/cases/${id}/typing`, {}),
  };
}

export const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

/**
 * Checks that the server holds case `c` (the widget's `handoff` event payload) exactly once,
 * with exactly its photos, each byte-identical to what the widget produced: the widget's
 * bytes (`photos[i].bytes`, read from the event's Blob) hash to the sha256 it reported; the
 * server answers a re-upload of those very bytes under the same attachment id with 200 (it
 * holds these exact bytes) rather than 409 (other bytes); and what it stored (its
 * re-encode) is what the inbox serves.
 */
export async function expectDeliveredOnce(base, agent, c, photos, token) {
  const queue = await agent.queue('all');
  const same = queue.cases.filter((x) => x.id === c.id);
  if (same.length !== 1) throw new Error(`case ${c.id} is in the queue ${same.length} times`);
  const detail = await agent.caseDetail(c.id);
  const got = detail.attachments.map((a) => a.id).sort();
  const want = c.photos.map((p) => p.id).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`attachments ${got} != announced ${want}`);
  for (const [i, p] of c.photos.entries()) {
    const bytes = photos[i];
    if (sha256(bytes) !== p.sha256) throw new Error(`photo ${p.id}: the widget's bytes do not hash to the sha256 it reported`);
    if (bytes.length !== p.size) throw new Error(`photo ${p.id}: size ${bytes.length} != reported ${p.size}`);
    const again = await fetch(`${base}/api/cases/${c.id}/attachments/${p.id}`, {
      method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/jpeg' }, body: bytes,
    });
    const body = await again.json();
    if (again.status !== 200) throw new Error(`re-upload of ${p.id}: ${again.status} ${JSON.stringify(body)} (expected 200: same bytes)`);
    const stored = await agent.attachment(c.id, p.id);
    if (sha256(stored) !== body.sha256) throw new Error(`stored bytes of ${p.id} differ from the server's own record`);
  }
  return detail;
}

/** Test photos, drawn in the page: {bytes (Buffer), type}. */
export async function drawImage(page, { width, height, type = 'image/jpeg', quality = 0.92, alpha = false }) {
  const b64 = await page.evaluate(async ({ width, height, type, quality, alpha }) => {
    const c = document.createElement('canvas');
    c.width = width; c.height = height;
    const g = c.getContext('2d');
    if (!alpha) { g.fillStyle = '#e9eef5'; g.fillRect(0, 0, width, height); }
    // Something with detail, so JPEG sizes are realistic.
    for (let i = 0; i < 60; i++) {
      g.fillStyle = `hsla(${(i * 37) % 360},70%,50%,0.6)`;
      g.beginPath();
      g.arc((i * 97) % width, (i * 53) % height, 20 + (i * 13) % (width / 6), 0, 7);
      g.fill();
    }
    g.fillStyle = '#111'; g.font = `${Math.max(12, width / 20)}px sans-serif`; g.fillText('kefu 客服 test photo', width / 10, height / 2);
    const blob = await new Promise((r) => c.toBlob(r, type, quality));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, { width, height, type, quality, alpha });
  return Buffer.from(b64, 'base64');
}

/** A JPEG with an EXIF block holding GPS coordinates and a comment naming the place. */
export function withExifGps(jpeg, secret = 'GPS 31.2304N 121.4737E home') {
  const be16 = (n) => Buffer.from([n >> 8, n & 255]);
  const be32 = (n) => Buffer.from([n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
  const entry = (tag, type, count, value) => Buffer.concat([be16(tag), be16(type), be32(count), value]);
  // TIFF: IFD0 with one entry (GPS IFD pointer), the GPS IFD (latitude ref + latitude).
  const gpsAt = 8 + 2 + 12 + 4;
  const dataAt = gpsAt + 2 + 2 * 12 + 4;
  const tiff = Buffer.concat([
    Buffer.from('MM\0*'), be32(8),
    be16(1), entry(0x8825, 4, 1, be32(gpsAt)), be32(0),
    be16(2), entry(0x0001, 2, 2, Buffer.from('N\0\0\0')), entry(0x0002, 5, 3, be32(dataAt)), be32(0),
    be32(31), be32(1), be32(13), be32(1), be32(4), be32(1),
  ]);
  const exif = Buffer.concat([Buffer.from('Exif\0\0'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), be16(exif.length + 2), exif]);
  const text = Buffer.from(secret);
  const com = Buffer.concat([Buffer.from([0xff, 0xfe]), be16(text.length + 2), text]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, com, jpeg.subarray(2)]);
}

/** A PNG that is only a header claiming `w`×`h` pixels (a decompression bomb's calling card). */
export function pngBomb(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(64))]);
}

/** What a test file against the real receiver needs: a fresh `kefu serve`, an agent logged into
 *  its inbox, and a browser. `stopServed` ends them. */
export async function startServed() {
  const { db } = freshDb();
  const kefu = await startKefu({ db });
  const agent = await inbox(kefu.url);
  const browser = await launch();
  return { kefu, agent, browser };
}

export async function stopServed({ browser, kefu } = {}) {
  await browser?.close();
  await kefu?.stop('SIGTERM');
}

/** Runs `src`, the body of a function of `r` (the widget's shadow root) and `a` (`arg`), in
 *  the page, and resolves with what it returns. */
export const inShadow = (page, src, arg) => page.evaluate(([body, a]) => {
  // eslint-disable-next-line no-new-func
  return new Function('r', 'a', body)(document.querySelector('kefu-chat').shadowRoot, a);
}, [src, arg]);
