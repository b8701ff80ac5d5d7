// The app's Web Worker, one script for both of its uses (one copy of the simulator in the bundle): a Simulator's
// requests (a scenario in, its runs out) and a Sweep's (`kind`: an Amdahl sweep or a what-if in, its result out).
// Whatever cannot be computed is answered with its error, never by dying.
import { sweep, whatIf } from '../../sim/amdahl.ts';
import { simulateScenario } from '../../sim/simulate.ts';
import type { SimRequest, SimResponse } from './simulator.svelte.ts';
import type { SweepRequest, SweepResponse } from './sweep.svelte.ts';

const scope = self as unknown as { onmessage: ((e: MessageEvent<SimRequest | SweepRequest>) => void) | null; postMessage(m: SimResponse | SweepResponse): void };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

scope.onmessage = (e) => {
  const r = e.data;
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  try {
    if (!('kind' in r)) scope.postMessage({ id: r.id, ok: true, runs: simulateScenario(r.scenario, r.profile, { maxEvents: r.maxEvents }), ms: ms() });
    else if (r.kind === 'sweep') scope.postMessage({ id: r.id, ok: true, kind: 'sweep', result: sweep(r.scenario, { cores: r.cores, maxEvents: r.maxEvents, profile: r.profile }), ms: ms() });
    else scope.postMessage({ id: r.id, ok: true, kind: 'what-if', result: whatIf(r.scenario, r.task, r.factor, { maxEvents: r.maxEvents, profile: r.profile }), ms: ms() });
  } catch (err) {
    scope.postMessage({ id: r.id, ok: false, error: message(err), ms: ms() });
  }
};
