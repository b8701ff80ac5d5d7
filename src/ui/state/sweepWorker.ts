// The Amdahl sweep's Web Worker: sweeps and what-ifs in, results out (see Sweep). A request that cannot be computed
// is answered with its error, never by dying.
import { sweep, whatIf } from '../../sim/amdahl.ts';
import type { SweepRequest, SweepResponse } from './sweep.svelte.ts';

const scope = self as unknown as { onmessage: ((e: MessageEvent<SweepRequest>) => void) | null; postMessage(m: SweepResponse): void };

scope.onmessage = (e) => {
  const r = e.data;
  const t0 = performance.now();
  try {
    if (r.kind === 'sweep') {
      const result = sweep(r.scenario, { cores: r.cores, maxEvents: r.maxEvents, profile: r.profile });
      scope.postMessage({ id: r.id, ok: true, kind: 'sweep', result, ms: performance.now() - t0 });
    } else {
      const result = whatIf(r.scenario, r.task, r.factor, { maxEvents: r.maxEvents, profile: r.profile });
      scope.postMessage({ id: r.id, ok: true, kind: 'what-if', result, ms: performance.now() - t0 });
    }
  } catch (err) {
    scope.postMessage({ id: r.id, ok: false, error: err instanceof Error ? err.message : String(err), ms: performance.now() - t0 });
  }
};
