import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vite.config.ts';

// The unit tests Stryker runs against each mutant (`npm run mutate`): every unit test except the SVG snapshot files,
// which fail on any change at all and so would "kill" mutants without stating any rule. Properties run 25 random
// cases per mutant instead of 100-500 (see tests/unit/helpers.ts).
export default mergeConfig(
  base,
  defineConfig({
    test: { exclude: ['tests/unit/gantt-svg.test.ts', 'node_modules/**'], env: { PROPERTY_RUNS: '25' } },
  }),
);
