#!/usr/bin/env node
// Writes the native (CLI) replies of the parity conversations, for the wasm test to compare with:
//   node tests/native-replies.mjs KEFU_BIN BUNDLE_DIR CONVERSATIONS_TSV OUT_JSONL NOW_MS
// BUNDLE_DIR holds kb-<locale>.kefu (zh-TW conversations use the zh-CN one); each output line
// is {locale, messages, now, decision, entry, triage, policy} from `kefu ask --json --now-ms`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [kefu, dir, input, out, now] = process.argv.slice(2);
if (!now) {
  console.error('usage: native-replies.mjs KEFU_BIN BUNDLE_DIR CONVERSATIONS_TSV OUT_JSONL NOW_MS');
  process.exit(2);
}
const lines = [];
for (const line of fs.readFileSync(input, 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#')) continue;
  const [locale, ...messages] = line.split('\t');
  const bundle = path.join(dir, `kb-${locale === 'en' ? 'en' : 'zh-CN'}.kefu`);
  const json = execFileSync(kefu, ['ask', '--json', '--now-ms', now, bundle, ...messages], { encoding: 'utf8' });
  const r = JSON.parse(json);
  lines.push(JSON.stringify({ locale, messages, now: Number(now), decision: r.decision, entry: r.entry, triage: r.triage, policy: r.policy }));
}
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`native replies of ${lines.length} conversations → ${out}`);
