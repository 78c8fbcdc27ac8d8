// A static server for the bench page, on 127.0.0.1 only. Routes are URL prefixes mapped to
// folders. It sends what a production CDN would: gzip when the browser accepts it, long
// immutable caching for engines and indexes (so a warm load is served from the browser's
// cache), and COOP/COEP headers so the page is cross-origin isolated and performance.now()
// has 5 µs resolution instead of 100 µs.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.kefu': 'application/octet-stream',
};

/**
 * Starts the server. `routes`: [[urlPrefix, folder, immutable]], first match wins.
 * Resolves to {url, close()}.
 */
export function startServer(routes) {
  const gz = new Map(); // file path → {mtime, gzip bytes}
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = null;
    let immutable = false;
    for (const [prefix, dir, imm] of routes) {
      if (url.pathname.startsWith(prefix)) {
        const rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
        const p = path.resolve(dir, rel);
        if (p.startsWith(path.resolve(dir) + path.sep)) {
          file = p;
          immutable = imm;
        }
        break;
      }
    }
    let stat = null;
    try {
      stat = file && fs.statSync(file);
    } catch {}
    if (!stat || !stat.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const headers = {
      'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'last-modified': stat.mtime.toUTCString(),
      vary: 'accept-encoding',
    };
    if (!immutable && req.headers['if-modified-since'] === headers['last-modified']) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    let body = fs.readFileSync(file);
    if (/\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      let c = gz.get(file);
      if (!c || c.mtime !== stat.mtimeMs) {
        c = { mtime: stat.mtimeMs, bytes: zlib.gzipSync(body, { level: 6 }) };
        gz.set(file, c);
      }
      body = c.bytes;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
