// Starts the app's Web Worker (`simWorker.ts`). This module is served as is by the dev server and in tests; a build
// replaces it (vite.config.ts's `simWorkerChunk` plugin):
// - `npm run build`: the worker is a second entry chunk of the page's own build, so the simulator is one chunk that
//   both the page and the worker import, not a copy in each;
// - `npm run build:single`: the worker's code is inlined in the page (one file that runs from file://).
export default (): Worker => new Worker(new URL('./simWorker.ts', import.meta.url), { type: 'module' });
