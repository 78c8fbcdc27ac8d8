// Where the e2e tests write their screenshots. A plain test run must not touch tracked files,
// so by default they go to target/kefu-test/screenshots (ignored by git). Updating the ones
// the docs show is an explicit choice:
//   KEFU_UPDATE_SCREENSHOTS=1 (or scripts/test-browser.sh --update-screenshots) → docs/screenshots
//   KEFU_SCREENSHOT_DIR=DIR                                                    → DIR (wins)
import path from 'node:path';

export function screenshotDir(root, env = process.env) {
  if (env.KEFU_SCREENSHOT_DIR) return path.resolve(env.KEFU_SCREENSHOT_DIR);
  if (env.KEFU_UPDATE_SCREENSHOTS === '1') return path.join(root, 'docs', 'screenshots');
  return path.join(root, 'target', 'kefu-test', 'screenshots');
}
