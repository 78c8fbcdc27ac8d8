// The screenshots of a plain test run land outside tracked files; docs/screenshots is written
// only on the explicit opt-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { screenshotDir } from './screenshot-dir.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = path.join(ROOT, 'docs', 'screenshots');

test('default screenshot folder is untracked and ignored, not docs/screenshots', () => {
  const dir = screenshotDir(ROOT, {});
  assert.ok(dir.startsWith(path.join(ROOT, 'target') + path.sep), dir);
  assert.notEqual(dir, DOCS);
  let git = true;
  try { execFileSync('git', ['-C', ROOT, 'rev-parse', '--git-dir'], { stdio: 'ignore' }); } catch { git = false; }
  if (git) {
    // Ignored by git (exit 0), and no tracked file lives there.
    execFileSync('git', ['-C', ROOT, 'check-ignore', '-q', path.join(dir, 'desktop.png')]);
    const tracked = execFileSync('git', ['-C', ROOT, 'ls-files', '--', dir], { encoding: 'utf8' });
    assert.equal(tracked, '');
  }
});

test('docs/screenshots only on the opt-in; an explicit folder wins', () => {
  assert.equal(screenshotDir(ROOT, { KEFU_UPDATE_SCREENSHOTS: '1' }), DOCS);
  assert.notEqual(screenshotDir(ROOT, { KEFU_UPDATE_SCREENSHOTS: '0' }), DOCS);
  assert.equal(screenshotDir(ROOT, { KEFU_SCREENSHOT_DIR: '/tmp/shots', KEFU_UPDATE_SCREENSHOTS: '1' }), '/tmp/shots');
});
