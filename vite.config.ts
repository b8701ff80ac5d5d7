import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { viteSingleFile } from 'vite-plugin-singlefile';

const workerModule = fileURLToPath(new URL('./src/ui/state/newSimWorker.ts', import.meta.url));
const workerEntry = fileURLToPath(new URL('./src/ui/state/simWorker.ts', import.meta.url));

/**
 * How a build starts the simulation worker (`newSimWorker.ts`). Build only: the dev server serves the worker as is.
 * - The normal build: one simulator in the bundle, not two. Vite builds a `new Worker(...)` script as a bundle of its
 *   own, with its own copy of everything it imports; instead the worker is emitted as a second entry chunk of the
 *   page's build, so the modules both use (the simulator) land in one shared chunk. A module worker imports chunks.
 * - `single`: the worker's bundle inlined in the page (Vite's `?worker&inline`, started from a blob), since a page
 *   opened from file:// cannot start a worker from a file.
 */
function simWorkerChunk(single: boolean): Plugin {
  return {
    name: 'sim-worker-chunk',
    apply: 'build',
    load(id) {
      if (id !== workerModule) return null;
      if (single) return `import W from ${JSON.stringify(workerEntry + '?worker&inline')};\nexport default () => new W();`;
      const ref = this.emitFile({ type: 'chunk', id: workerEntry, name: 'simWorker' });
      return `export default () => new Worker(import.meta.ROLLUP_FILE_URL_${ref}, { type: 'module' });`;
    },
  };
}

export default defineConfig(({ mode }) => {
  // `npm run build:single`: dist-single/index.html, the whole app in one file that runs from file://, offline.
  const single = mode === 'single';
  return {
    plugins: [svelte(), simWorkerChunk(single), ...(single ? [viteSingleFile()] : [])],
    // Relative base: the built app works from any folder, a USB stick or file share at a talk.
    base: './',
    publicDir: 'static',
    resolve: {
      // Component tests need Svelte's browser build, not its server one.
      ...(process.env.VITEST ? { conditions: ['browser'] } : {}),
      // d3-zoom without d3-transition: the charts never animate a zoom; d3's scales without d3-color: they never
      // blend colours (see the modules).
      alias: {
        'd3-transition': fileURLToPath(new URL('./src/ui/chart/noTransitions.ts', import.meta.url)),
        'd3-color': fileURLToPath(new URL('./src/ui/chart/noColours.ts', import.meta.url)),
      },
    },
    // No modulepreload polyfill (0.3 KB): a browser without `<link rel=modulepreload>` (Safari before 17) loads the
    // chunks as they are imported instead, a little later; it changes nothing else.
    build: { target: 'es2022', modulePreload: { polyfill: false }, chunkSizeWarningLimit: 600, ...(single ? { outDir: 'dist-single' } : {}) },
    test: {
      include: ['tests/unit/**/*.test.ts'],
      // d3 through Vite, not Node: the tests see the d3 the bundle has, with the aliases above.
      server: { deps: { inline: [/\/d3(-[a-z]+)?\//] } },
      environment: 'node',
      testTimeout: 20000,
    },
  };
});
