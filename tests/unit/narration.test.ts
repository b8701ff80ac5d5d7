import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { narrate } from '../../src/ui/state/narration.ts';
import { lazy, loadScenario } from './helpers.ts';

const runsOf = (id: string) =>
  lazy(() => {
    const s = loadScenario(new URL(`../../scenarios/${id}.json`, import.meta.url).pathname);
    return { s, runs: simulateScenario(s) };
  });

describe('narration: one sentence of what happens at the playhead', () => {
  const convoy = runsOf('convoy');
  const blocking = runsOf('blocking-loop');
  // [scenario, model index, instant, sentence]
  const cases: [string, typeof convoy, number, number, string][] = [
    ['convoy', convoy, 1, 0, 'threads at 0.00 s: The main thread holds the GIL; crunch and chatty I/O are queued.'],
    ['convoy', convoy, 1, 0.1, 'threads at 0.10 s: crunch holds the GIL; crunch runs; chatty I/O waits for the GIL.'],
    ['convoy', convoy, 1, 1.0, 'threads at 1.00 s: crunch holds the GIL; crunch runs; chatty I/O waits on I/O.'],
    // The convoy: at 5 ms the chatty thread is still going at 1.0 s; at 1 ms it was done by 0.5 s.
    ['convoy', convoy, 1, 1.3, 'threads at 1.30 s: crunch holds the GIL; crunch runs; chatty I/O is done.'],
    ['convoy', convoy, 2, 0.5, 'threads at 0.50 s: crunch holds the GIL; crunch runs; chatty I/O is done.'],
    ['convoy', convoy, 3, 0.1, 'processes at 0.10 s: crunch runs; chatty I/O waits on I/O.'],
    ['convoy', convoy, 4, 0.1, 'asyncio at 0.10 s: The loop runs crunch; crunch runs; chatty I/O is queued.'],
    ['convoy', convoy, 0, 0.5, 'sequential at 0.50 s: crunch runs; chatty I/O is queued.'],
    ['convoy', convoy, 1, 2.1, 'threads: all 2 tasks done after 2.04 s.'],
    ['blocking-loop', blocking, 0, 0, 'asyncio at 0.00 s: The loop is idle; coro 1, coro 2, coro 3, coro 4, time.sleep and coro 5 are queued.'],
    ['blocking-loop', blocking, 0, 0.02, 'asyncio at 0.02 s: The loop runs coro 2; coro 2 runs; coro 1 waits on I/O; coro 3, coro 4, time.sleep and coro 5 are queued.'],
    ['blocking-loop', blocking, 0, 1.2, 'asyncio at 1.20 s: The loop runs time.sleep, stuck in a blocking call; time.sleep waits on I/O; coro 1, coro 2, coro 3 and coro 4 are ready but blocked by the loop; coro 5 is queued.'],
    ['blocking-loop', blocking, 0, 2.2, 'asyncio at 2.20 s: The loop is idle; coro 5 waits on I/O; coro 1, coro 2, coro 3, coro 4 and time.sleep are done.'],
    ['blocking-loop', blocking, 1, 1.2, 'threads at 1.20 s: time.sleep waits on I/O; coro 1, coro 2, coro 3, coro 4 and coro 5 are done.'],
    ['blocking-loop', blocking, 2, 1.2, 'sequential at 1.20 s: coro 2 waits on I/O; coro 3, coro 4, time.sleep and coro 5 are queued; coro 1 is done.'],
    ['blocking-loop', blocking, 0, 5, 'asyncio: all 6 tasks done after 3.07 s.'],
  ];
  it.each(cases)('%s, model %i, at %f s', (_, of, model, t, sentence) => {
    const { s, runs } = of();
    expect(narrate(runs[model], s, t)).toBe(sentence);
  });
});
