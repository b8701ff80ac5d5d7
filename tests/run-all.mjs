// `npm test`: unit, machine, property and fidelity tests (vitest), then the browser tests (Playwright).
// CI=1 for both: a snapshot or screenshot that is missing or different fails; none is ever written by a test run.
// To record one on purpose: `npx vitest run -u FILE` or `npm run test:e2e -- --update-snapshots`, then review the diff.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, CI: '1' };
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;
const unit = run('npx', ['vitest', 'run']);
if (unit !== 0) process.exit(unit);
process.exit(run('node', ['tests/e2e/run.mjs']));
