#!/usr/bin/env node
// kefu demo/test server: serves the demo shop (www/) at /, the built widget (pkg/) at /kefu/,
// with the strict Content-Security-Policy a careful shop would send, correct MIME types
// (application/wasm for streaming compilation), brotli/gzip like a production CDN, immutable
// caching for content-hashed files and content-hash ETag revalidation for the rest. POST /api/cases takes
// hand-off cases in kefu-server's shape (a stand-in, so the widget tests run without
// kefu-server; GET /api/cases lists what arrived), PUT /api/cases/{id}/attachments/{att}
// takes photos (idempotent by id, stored as size + sha256), and it streams case events (agent replies)
// at GET /api/cases/{id}/events; POST /api/test/events {caseId, agent, text} adds one.
//
//   node tests/server.mjs [--port 8080] [--host 127.0.0.1]     (PORT env works too; 0 = any)
//
// Imported by the e2e tests: `const srv = await startServer({port: 0})`.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.kefu': 'application/octet-stream',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.kefu', '.json', '.svg', '.txt', '.md']);
const HASHED = /\.[0-9a-f]{8,}\.(js|wasm|css)$/;

/** Maps a URL path to a file: /kefu/* → pkg/*, everything else → www/*. */
export function resolve(urlPath, { www = path.join(ROOT, 'www'), pkg = path.join(ROOT, 'pkg') } = {}) {
  let p;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (p.includes('\0')) return null;
  let base = www;
  if (p === '/kefu' || p.startsWith('/kefu/')) {
    base = pkg;
    p = p.slice('/kefu'.length);
  }
  if (p.endsWith('/')) p += 'index.html';
  const file = path.resolve(base, '.' + path.posix.normalize(p));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

const packed = new Map(); // "file|version|enc" → compressed bytes
const hashes = new Map(); // "file|version" → content hash (the ETag)

/** Which version of a file: changes when it is rewritten or replaced (size, mtime, ctime, inode). */
const version = (stat) => `${stat.size}|${stat.mtimeMs}|${stat.ctimeMs}|${stat.ino}`;

function contentHash(file, stat, body) {
  const key = `${file}|${version(stat)}`;
  let h = hashes.get(key);
  if (!h) {
    h = crypto.createHash('sha256').update(body).digest('hex').slice(0, 32);
    if (hashes.size > 4096) hashes.clear();
    hashes.set(key, h);
  }
  return h;
}

// pkg/ files come with the .br/.gz copies scripts/build-widget.sh and `kefu build` wrote
// (same settings as here, as a CDN would serve them); anything else is compressed once on
// first request. Same rule as kefu serve: a copy is used only if it decompresses to exactly
// the file's bytes (a copy left from an older bundle is ignored), checked once per version.
function compressed(file, stat, enc, body) {
  const key = `${file}|${version(stat)}|${enc}`;
  let out = packed.get(key);
  if (!out) {
    const copy = file + (enc === 'br' ? '.br' : '.gz');
    let fresh = null;
    try {
      const bytes = fs.readFileSync(copy);
      const plain = enc === 'br' ? zlib.brotliDecompressSync(bytes) : zlib.gunzipSync(bytes);
      if (plain.equals(body)) fresh = bytes;
    } catch { /* missing or damaged: compress here */ }
    out = fresh || (enc === 'br'
      ? zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
      : zlib.gzipSync(body, { level: 9 }));
    if (packed.size > 4096) packed.clear();
    packed.set(key, out);
  }
  return out;
}

export async function startServer({ port = 0, host = '127.0.0.1', www, pkg, quiet = true } = {}) {
  const cases = [];
  const sessions = new Map();
  // Case events like kefu-server's GET /api/cases/{id}/events (SSE): global increasing ids,
  // replay after `last_event_id`. The tests add agent replies with POST /api/test/events.
  const events = []; // {id, caseId, type, data}
  const streams = new Set(); // {caseId, res}
  let lastEventId = 0;
  const writeEvent = (res, e) => res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ id: e.id, type: e.type, ...e.data })}\n\n`);
  const addEvent = (caseId, type, data) => {
    const e = { id: ++lastEventId, caseId, type, data: { at: Date.now(), ...data } };
    events.push(e);
    for (const s of streams) if (s.caseId === caseId) writeEvent(s.res, e);
    return e;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const headers = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
    };
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { ...headers, 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    const ev = /^\/api\/cases\/([0-9a-f-]{36})\/events$/.exec(url.pathname);
    if (ev && req.method === 'GET') {
      const c = cases.find((x) => x.id === ev[1]);
      if (!c) return send(404, 'no such case');
      if (url.searchParams.get('token') !== c.token) return send(401, 'wrong case token');
      const after = Number(req.headers['last-event-id'] ?? url.searchParams.get('last_event_id') ?? url.searchParams.get('after') ?? 0);
      res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write('retry: 3000\n\n');
      for (const e of events) if (e.caseId === c.id && e.id > after) writeEvent(res, e);
      const s = { caseId: c.id, res };
      streams.add(s);
      req.on('close', () => streams.delete(s));
      return;
    }
    // Photos, like kefu-server: idempotent by attachment id (same bytes 200, other bytes 409).
    const att = /^\/api\/cases\/([0-9a-f-]{36})\/attachments\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (att && req.method === 'PUT') {
      const c = cases.find((x) => x.id === att[1]);
      if (!c) return send(404, JSON.stringify({ error: { code: 'not_found' } }), TYPES['.json']);
      if (req.headers.authorization !== `Bearer ${c.token}`) return send(401, JSON.stringify({ error: { code: 'unauthorized' } }), TYPES['.json']);
      const parts = [];
      req.on('data', (d) => parts.push(d));
      req.on('end', () => {
        const bytes = Buffer.concat(parts);
        const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
        c.photos = c.photos || {};
        const old = c.photos[att[2]];
        if (old && old.sha256 !== sha256) return send(409, JSON.stringify({ error: { code: 'attachment_id_conflict' } }), TYPES['.json']);
        c.photos[att[2]] = { size: bytes.length, sha256 };
        send(old ? 200 : 201, JSON.stringify({ id: att[2], case_id: c.id, mime: 'image/jpeg', size: bytes.length, sha256 }), TYPES['.json']);
      });
      return;
    }
    const rating = /^\/api\/cases\/([0-9a-f-]{36})\/rating$/.exec(url.pathname);
    if (rating && req.method === 'POST') {
      const c = cases.find((x) => x.id === rating[1]);
      if (!c) return send(404, 'no such case');
      if (req.headers.authorization !== `Bearer ${c.token}`) return send(401, 'wrong case token');
      if (!events.some((e) => e.caseId === c.id && e.type === 'closed')) return send(409, 'case_not_closed');
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const r = JSON.parse(body);
        if (!Number.isInteger(r.rating) || r.rating < 1 || r.rating > 5) return send(422, 'rating 1-5');
        c.rating = r.rating;
        send(200, JSON.stringify({ rating: r.rating, rated_at: Date.now() }), TYPES['.json']);
      });
      return;
    }
    if (url.pathname === '/api/sessions' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        try {
          const b = JSON.parse(body);
          const old = sessions.get(b.id) || { messages: 0, answered: 0, handed_off: false };
          // Like kefu-server: counters only grow, handed_off only turns true.
          sessions.set(b.id, { ...b, messages: Math.max(old.messages, b.messages), answered: Math.max(old.answered, b.answered), handed_off: old.handed_off || b.handed_off });
          res.writeHead(204, headers);
          res.end();
        } catch (e) {
          send(422, String(e.message));
        }
      });
      return;
    }
    if (url.pathname === '/api/test/events' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const { caseId, type = 'message', ...data } = JSON.parse(body);
        send(201, JSON.stringify(addEvent(caseId, type, data)), TYPES['.json']);
      });
      return;
    }
    // A shopper's follow-up on a case (kefu-server's POST /api/cases/{id}/messages): Bearer
    // token, idempotent by client_msg_id; GET /api/cases lists them with their case.
    const follow = /^\/api\/cases\/([0-9a-f-]{36})\/messages$/.exec(url.pathname);
    if (follow && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const c = cases.find((x) => x.id === follow[1]);
        if (!c || req.headers.authorization !== `Bearer ${c.token}`) return send(404, JSON.stringify({ error: { code: 'not_found' } }), TYPES['.json']);
        try {
          const m = JSON.parse(body);
          c.messages ??= [];
          if (!c.messages.some((x) => x.client_msg_id && x.client_msg_id === m.client_msg_id)) c.messages.push(m);
          send(201, JSON.stringify({ id: c.messages.length, at: Date.now() }), TYPES['.json']);
        } catch (e) {
          send(400, String(e.message));
        }
      });
      return;
    }
    if (url.pathname === '/api/cases') {
      if (req.method === 'GET') return send(200, JSON.stringify(cases.map(({ token, rating, ...c }) => c)), TYPES['.json']);
      if (req.method !== 'POST') return send(405, 'method not allowed');
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => {
        body += c;
        if (body.length > 1e6) req.destroy();
      });
      req.on('end', () => {
        try {
          if (!/^application\/json/i.test(req.headers['content-type'] || '')) return send(415, 'send JSON');
          const c = JSON.parse(body);
          const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
          const problem = !c || typeof c !== 'object' ? 'not an object'
            : !uuid.test(c.id) ? 'id must be a UUID v4'
            : typeof c.locale !== 'string' ? 'locale missing'
            : !['product', 'order', 'complaint', 'urgent'].includes(c.triage) ? 'triage missing'
            : !Array.isArray(c.transcript ?? []) ? 'transcript must be an array'
            : !(c.description || '').trim() && !(c.transcript || []).length ? 'description or transcript required'
            : null;
          if (problem) return send(422, JSON.stringify({ error: { code: 'invalid_field', message: problem } }), TYPES['.json']);
          // Like kefu-server: idempotent by id — the same body again is 200, another body 409.
          const old = cases.find((x) => x.id === c.id);
          if (old) {
            const { token: _, photos: __, ...stored } = old;
            if (JSON.stringify(stored) !== JSON.stringify(c)) return send(409, JSON.stringify({ error: { code: 'case_id_conflict' } }), TYPES['.json']);
            return send(200, JSON.stringify({ id: c.id, created: false }), TYPES['.json']);
          }
          const token = crypto.randomBytes(32).toString('hex');
          cases.push({ ...c, token });
          addEvent(c.id, 'received', { deadline_at: Date.now() + 7200000, sla_seconds: 7200 });
          if (!quiet) console.log(`hand-off case ${c.id} (${c.triage}): ${c.description.slice(0, 60)}`);
          send(201, JSON.stringify({ id: c.id, token, created: true, status: 'open', events_url: `/api/cases/${c.id}/events` }), TYPES['.json']);
        } catch (e) {
          send(400, String(e.message));
        }
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    const file = resolve(url.pathname, { www, pkg });
    if (!file) return send(400, 'bad path');
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) return send(404, 'not found');
      const ext = path.extname(file);
      headers['Content-Type'] = TYPES[ext] || 'application/octet-stream';
      // Hashed files never change; the rest (pages, the loader, KB bundles) is revalidated
      // on every use against a strong ETag made from its content, so a rebuilt bundle
      // reaches the next widget opened (as kefu serve does).
      headers['Cache-Control'] = HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache';
      headers.Vary = 'Accept-Encoding';
      fs.readFile(file, (err, body) => {
        if (err) return send(500, 'read error');
        const hash = contentHash(file, stat, body);
        const accept = String(req.headers['accept-encoding'] || '');
        const enc = !COMPRESSIBLE.has(ext) ? null : /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
        headers.ETag = `"${hash}${enc === 'br' ? '-br' : enc === 'gzip' ? '-gz' : ''}"`;
        const tags = String(req.headers['if-none-match'] || '').split(',').map((t) => t.trim().replace(/^W\//, ''));
        if (tags.some((t) => t === '*' || t.replace(/-(br|gz)"$/, '"') === `"${hash}"`)) {
          res.writeHead(304, headers);
          return res.end();
        }
        if (enc) {
          body = compressed(file, stat, enc, body);
          headers['Content-Encoding'] = enc;
        }
        headers['Content-Length'] = body.length;
        res.writeHead(200, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const a = server.address();
      const close = () => new Promise((r) => {
        for (const s of streams) s.res.end();
        server.closeAllConnections?.();
        server.close(r);
      });
      ok({ server, cases, sessions, addEvent, url: `http://${host}:${a.port}`, close });
    });
  });
}

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(arg('port') ?? process.env.PORT ?? 8080);
  const host = arg('host') ?? process.env.HOST ?? '127.0.0.1';
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'kefu.js'))) {
    console.error('pkg/kefu.js is missing: run `bash scripts/build-widget.sh` first');
    process.exit(1);
  }
  const s = await startServer({ port, host, quiet: false });
  console.log(`kefu demo shop: ${s.url}/  (English: ${s.url}/en.html)`);
  console.log(`strict CSP on every response: ${CSP}`);
}
