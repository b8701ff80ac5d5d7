// `npm test`: unit, machine, property and fidelity tests (vitest), then the browser tests (Playwright).
import { spawnSync } from 'node:child_process';

const run = (cmd, args, env = process.env) => spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;
const unit = run('npx', ['vitest', 'run']);
if (unit !== 0) process.exit(unit);
process.exit(run('node', ['tests/e2e/run.mjs']));
