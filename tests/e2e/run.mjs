// Browser tests: find (or install) a Chromium, build the app (and its single file), run Playwright against `vite preview`.
import { spawnSync } from 'node:child_process';
import { findBrowser } from '../find-browser.mjs';

const browser = await findBrowser();
const env = { ...process.env, CHROMIUM_PATH: browser };
const run = (args) => spawnSync('npx', args, { stdio: 'inherit', env }).status ?? 1;
if (run(['vite', 'build', '--logLevel', 'warn']) !== 0) process.exit(1);
// The single file (offline.spec.ts opens it from file://).
if (run(['vite', 'build', '--mode', 'single', '--logLevel', 'warn']) !== 0) process.exit(1);
process.exit(run(['playwright', 'test', ...process.argv.slice(2)]));
