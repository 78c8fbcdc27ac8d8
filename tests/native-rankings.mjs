#!/usr/bin/env node
// Writes the native (CLI) rankings of the parity queries, for the wasm test to compare with:
//   node tests/native-rankings.mjs KEFU_BIN BUNDLE_DIR QUERIES_TSV OUT_TSV
// BUNDLE_DIR holds kb-<locale>.kefu; OUT_TSV lines: locale, query, rank, entry id, score.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [kefu, dir, queries, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: native-rankings.mjs KEFU_BIN BUNDLE_DIR QUERIES_TSV OUT_TSV');
  process.exit(2);
}
const lines = ['# locale\tquery\trank\tid\tscore (written by tests/native-rankings.mjs from `kefu ask --json -n 5`)'];
let n = 0;
for (const line of fs.readFileSync(queries, 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#')) continue;
  const [locale, query] = line.split('\t');
  const json = execFileSync(kefu, ['ask', '--json', '-n', '5', path.join(dir, `kb-${locale}.kefu`), query], { encoding: 'utf8' });
  const r = JSON.parse(json);
  if (!r.hits.length) lines.push([locale, query, 0, '-', 0].join('\t'));
  r.hits.forEach((h, i) => lines.push([locale, query, i + 1, h.id, h.score].join('\t')));
  n++;
}
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`native rankings of ${n} queries → ${out}`);
