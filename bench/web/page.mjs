// The bench page: loads one engine the way a shop's page would (library or wasm + the
// serialised index, fetched in parallel), answers one probe query, and records the time since
// navigation start as "time to first usable query". bench/browser.mjs then drives it through
// window.__bench (heap, the timed query loop).
import { openFlexSearch, openKefu, openMiniSearch } from '/adapters/peers.mjs';

const params = new URLSearchParams(location.search);
const sys = params.get('sys') || 'none';
const ds = params.get('ds') || '';
const probe = params.get('probe') || 'hello';

const text = (url) => fetch(url).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${url}: HTTP ${r.status}`))));
const bytes = (url) =>
  fetch(url).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${url}: HTTP ${r.status}`))));

async function load() {
  switch (sys) {
    case 'none':
      return { engine: null };
    case 'kefu': {
      const [mod, kb] = await Promise.all([import('/engines/kefu-widget.js'), bytes(`/index/${ds}.kefu`)]);
      const wasm = await mod.default({ module_or_path: '/engines/kefu-widget.wasm' });
      if (!mod.KefuIndex) throw new Error('this kefu-widget build has no KefuIndex export');
      return { engine: openKefu(mod.KefuIndex.open(new Uint8Array(kb))), memory: wasm.memory };
    }
    case 'minisearch':
    case 'minisearch-fuzzy': {
      const [mod, json] = await Promise.all([import('/engines/minisearch.min.mjs'), text(`/index/${ds}.minisearch.json`)]);
      return { engine: openMiniSearch(mod.default, json, sys === 'minisearch-fuzzy') };
    }
    case 'flexsearch': {
      const [mod, en, json] = await Promise.all([
        import('/engines/flexsearch.min.mjs'),
        import('/engines/flexsearch-en.min.mjs'),
        text(`/index/${ds}.flexsearch.json`),
      ]);
      return { engine: openFlexSearch(mod.default, en.default, json) };
    }
    default:
      throw new Error(`unknown system ${sys}`);
  }
}

const bench = (window.__bench = { ready: false, error: null });
try {
  const { engine, memory } = await load();
  if (engine) engine.search(probe);
  bench.ttfq = performance.now();
  bench.wasmBytes = () => (memory ? memory.buffer.byteLength : 0);
  // Runs queries[from..to): warm-up of the first `warm` untimed, then each timed alone; the
  // extras (confidence, kefu's decision) afterwards, untimed.
  bench.run = (queries, warm) => {
    for (let i = 0; i < warm; i++) engine.search(queries[i]);
    const lat = new Array(queries.length);
    const results = new Array(queries.length);
    for (let i = 0; i < queries.length; i++) {
      const t = performance.now();
      results[i] = engine.search(queries[i]);
      lat[i] = performance.now() - t;
    }
    const out = results.map((r, i) => ({ labels: r.labels, ...engine.extras(queries[i], r) }));
    return { lat, out };
  };
  bench.isolated = self.crossOriginIsolated;
  bench.ready = true;
  document.getElementById('state').textContent = 'ready';
} catch (e) {
  bench.error = String(e && e.stack ? e.stack : e);
  document.getElementById('state').textContent = 'error';
}
