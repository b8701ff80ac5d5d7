import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const workerUrlModule = fileURLToPath(new URL('./src/ui/state/simWorkerUrl.ts', import.meta.url));
const workerEntry = fileURLToPath(new URL('./src/ui/state/simWorker.ts', import.meta.url));

/**
 * One simulator in the bundle, not two: Vite builds a `new Worker(...)` script as a bundle of its own, with its own
 * copy of everything it imports. Instead the worker is emitted as a second entry chunk of the page's build, so the
 * modules both use (the simulator) land in one shared chunk, and `simWorkerUrl.ts` exports that entry's URL.
 * A module worker can import chunks, so nothing else changes. Build only: the dev server serves the worker as is.
 */
function simWorkerChunk(): Plugin {
  return {
    name: 'sim-worker-chunk',
    apply: 'build',
    load(id) {
      if (id !== workerUrlModule) return null;
      const ref = this.emitFile({ type: 'chunk', id: workerEntry, name: 'simWorker' });
      return `export default new URL(import.meta.ROLLUP_FILE_URL_${ref}, import.meta.url).href;`;
    },
  };
}

export default defineConfig({
  plugins: [svelte(), simWorkerChunk()],
  // Relative base: the built app works from any folder, a USB stick or file share at a talk.
  base: './',
  publicDir: 'static',
  // Component tests need Svelte's browser build, not its server one.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  build: { target: 'es2022', chunkSizeWarningLimit: 600 },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20000,
  },
});
