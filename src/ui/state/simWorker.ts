// The simulator's Web Worker: scenarios in, runs out (see Simulator). A scenario that cannot be simulated is
// answered with its error, never by dying.
import { simulateScenario } from '../../sim/simulate.ts';
import type { SimRequest, SimResponse } from './simulator.svelte.ts';

const scope = self as unknown as { onmessage: ((e: MessageEvent<SimRequest>) => void) | null; postMessage(m: SimResponse): void };

scope.onmessage = (e) => {
  const { id, scenario, profile, maxEvents } = e.data;
  const t0 = performance.now();
  try {
    const runs = simulateScenario(scenario, profile, { maxEvents });
    scope.postMessage({ id, ok: true, runs, ms: performance.now() - t0 });
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err), ms: performance.now() - t0 });
  }
};
