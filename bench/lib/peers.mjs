// The engines of the browser benchmark behind one small interface, used both in Node (to build
// and serialise the peers' indexes ahead of time, as a shop's build step would) and in the
// bench page (to load and query them). No imports: the caller passes each library in, so the
// same file runs in Node and in Chromium.
//
//   engine.search(query) → { labels: [best entry, 2nd, 3rd distinct entries], ... }   (timed)
//   engine.extras(query, result) → { conf: [confidence candidates], decision? }        (untimed)
//
// Every KB row is one document (label = the FAQ entry, text = one of its questions); an entry
// ranks by its best row, as kefu ranks entries by their best question.

/** MiniSearch 7: default options (the text field, the label stored for results). */
export const MINISEARCH_OPTIONS = { fields: ['text'], storeFields: ['label'] };
/** The second MiniSearch configuration: typo tolerance and prefix matching. */
export const MINISEARCH_FUZZY = { fuzzy: 0.2, prefix: true };
/** FlexSearch search options: `suggest` so a query need not match every word (else recall
 *  collapses), 20 rows (enough for 3 distinct entries and the 10-row vote). */
export const FLEX_SEARCH = { suggest: true, limit: 20 };

/** FlexSearch 0.8 index options: the best mean acc@1 on the six eval files among the
 *  configurations tried (tokenize strict/forward/tolerant, Normalize/LatinBalance/LatinAdvanced
 *  encoders, with and without the English preset, context on/off, presets "score"/"match"). */
export function flexOptions(FlexSearch, en) {
  return { tokenize: 'strict', resolution: 9, encoder: new FlexSearch.Encoder(FlexSearch.Charset.Normalize, en) };
}

const SPACE_OR_PUNCTUATION = /[\n\r\p{Z}\p{P}]+/u; // MiniSearch's default tokenizer

/** Builds MiniSearch over rows [[label, text], …]; returns its serialised JSON. */
export function buildMiniSearch(MiniSearch, rows) {
  const ms = new MiniSearch(MINISEARCH_OPTIONS);
  ms.addAll(rows.map(([label, text], id) => ({ id, label, text })));
  return JSON.stringify(ms);
}

/** Builds FlexSearch over rows; returns JSON {labels, rows: label index per row, export}. */
export function buildFlexSearch(FlexSearch, en, rows) {
  const labels = [...new Set(rows.map((r) => r[0]))];
  const pos = new Map(labels.map((l, i) => [l, i]));
  const index = new FlexSearch.Index(flexOptions(FlexSearch, en));
  rows.forEach(([, text], id) => index.add(id, text));
  const exported = {};
  const r = index.export((key, data) => {
    exported[key] = data;
  });
  if (r && typeof r.then === 'function') throw new Error('FlexSearch export went async; expected a synchronous export');
  return JSON.stringify({ labels, rows: rows.map((r) => pos.get(r[0])), export: exported });
}

/** Opens a serialised MiniSearch index; `fuzzy` selects the fuzzy+prefix search options. */
export function openMiniSearch(MiniSearch, json, fuzzy) {
  const ms = MiniSearch.loadJSON(json, MINISEARCH_OPTIONS);
  const opts = fuzzy ? MINISEARCH_FUZZY : undefined;
  return {
    search(q) {
      const hits = ms.search(q, opts);
      const labels = [];
      const scores = [];
      for (const h of hits) {
        if (!labels.includes(h.label)) {
          labels.push(h.label);
          scores.push(h.score);
          if (labels.length === 3) break;
        }
      }
      return { labels, scores };
    },
    extras(q, r) {
      const terms = q.split(SPACE_OR_PUNCTUATION).filter(Boolean).length || 1;
      const [s1 = 0, s2 = 0] = r.scores;
      return { conf: [s1, s1 / terms, s1 > 0 ? s1 / (s1 + s2) : 0] };
    },
  };
}

/** Opens a serialised FlexSearch index (see buildFlexSearch). */
export function openFlexSearch(FlexSearch, en, json) {
  const data = typeof json === 'string' ? JSON.parse(json) : json;
  const index = new FlexSearch.Index(flexOptions(FlexSearch, en));
  for (const [key, value] of Object.entries(data.export)) index.import(key, value);
  const labelOf = (id) => data.labels[data.rows[id]];
  return {
    search(q) {
      const ids = index.search(q, FLEX_SEARCH);
      const labels = [];
      for (const id of ids) {
        const l = labelOf(id);
        if (!labels.includes(l)) {
          labels.push(l);
          if (labels.length === 3) break;
        }
      }
      return { labels, ids };
    },
    // FlexSearch returns no scores: confidence = share of its top 10 rows that belong to the
    // top entry, plus 1 when every query word matches (the search without `suggest` agrees).
    extras(q, r) {
      if (!r.ids.length) return { conf: [0] };
      const top = labelOf(r.ids[0]);
      const ten = r.ids.slice(0, 10);
      const votes = ten.filter((id) => labelOf(id) === top).length / ten.length;
      const strict = index.search(q, { limit: 1 });
      const all = strict.length > 0 && labelOf(strict[0]) === top ? 1 : 0;
      return { conf: [votes + all] };
    },
  };
}

/** Wraps kefu's headless wasm API (`KefuIndex` of kefu-widget). */
export function openKefu(kb) {
  return {
    search(q) {
      const ids = kb.search(q, 10);
      return { labels: ids.slice(0, 3) };
    },
    extras(q) {
      // The shipped reply policy's decision and its calibrated confidence (what `kefu eval` scores).
      return { conf: [kb.confidence(q)], decision: kb.decide(q, 0) };
    },
  };
}
