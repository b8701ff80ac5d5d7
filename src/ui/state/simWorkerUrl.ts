// The URL of the app's Web Worker (`simWorker.ts`). In a build, vite.config.ts's `simWorkerChunk` plugin replaces
// this module: the worker becomes a second entry of the page's own build, so that the simulator is one chunk that
// both the page and the worker import, not a copy in each. In the dev server and in tests the module is served as is.
export default new URL('./simWorker.ts', import.meta.url).href;
