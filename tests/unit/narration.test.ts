import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import type { ModelRun, TaskSpan } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { narrate } from '../../src/ui/state/narration.ts';
import { NO_REPORTS, lazy, loadScenario } from './helpers.ts';

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
    ['convoy', convoy, 1, 0, 'threads at 0.00 s: The main thread holds the GIL; crunch and chatty I/O are queued (the main thread is still submitting).'],
    ['convoy', convoy, 1, 0.1, 'threads at 0.10 s: crunch runs; chatty I/O waits for the GIL, which crunch holds.'],
    ['convoy', convoy, 1, 1.0, 'threads at 1.00 s: crunch runs; chatty I/O waits for the GIL, which crunch holds.'],
    // The convoy: at 5 ms the chatty thread is still going at 1.0 s; at 1 ms it was done by 0.5 s.
    ['convoy', convoy, 1, 1.3, 'threads at 1.30 s: crunch holds the GIL; crunch runs; chatty I/O is done.'],
    ['convoy', convoy, 2, 0.5, 'threads at 0.50 s: crunch holds the GIL; crunch runs; chatty I/O is done.'],
    ['convoy', convoy, 3, 0.1, 'processes at 0.10 s: crunch runs; chatty I/O waits on I/O.'],
    ['convoy', convoy, 4, 0.1, 'asyncio at 0.10 s: The loop runs crunch; crunch runs; chatty I/O is queued (not started by the loop yet).'],
    ['convoy', convoy, 0, 0.5, 'sequential at 0.50 s: crunch runs; chatty I/O is queued (one task after another).'],
    ['convoy', convoy, 1, 2.1, 'threads: all 2 tasks done after 2.03 s.'],
    ['blocking-loop', blocking, 0, 0, 'asyncio at 0.00 s: The loop is idle; coro 1, coro 2, coro 3, coro 4, time.sleep and coro 5 are queued (not started by the loop yet).'],
    ['blocking-loop', blocking, 0, 0.02, 'asyncio at 0.02 s: The loop runs coro 2; coro 2 runs; coro 1 waits on I/O; coro 3, coro 4, time.sleep and coro 5 are queued (not started by the loop yet).'],
    ['blocking-loop', blocking, 0, 1.2, 'asyncio at 1.20 s: The loop runs time.sleep, stuck in a blocking call; time.sleep blocks the loop in a blocking call; coro 1, coro 2, coro 3 and coro 4 are ready but blocked: the loop is stuck in time.sleep\'s blocking call; coro 5 is queued (not started by the loop yet).'],
    ['blocking-loop', blocking, 0, 2.2, 'asyncio at 2.20 s: The loop is idle; coro 5 waits on I/O; coro 1, coro 2, coro 3, coro 4 and time.sleep are done.'],
    ['blocking-loop', blocking, 1, 1.2, 'threads at 1.20 s: time.sleep waits on I/O; coro 1, coro 2, coro 3, coro 4 and coro 5 are done.'],
    ['blocking-loop', blocking, 2, 1.2, 'sequential at 1.20 s: coro 2 waits on I/O; coro 3, coro 4, time.sleep and coro 5 are queued (one task after another); coro 1 is done.'],
    ['blocking-loop', blocking, 0, 5, 'asyncio: all 6 tasks done after 3.07 s.'],
  ];
  it.each(cases)('%s, model %i, at %f s', (_, of, model, t, sentence) => {
    const { s, runs } = of();
    expect(narrate(runs[model], s, t)).toBe(sentence);
  });
});

describe('narration on a hand-made timeline: every state, and the instants at span edges', () => {
  const sc: Scenario = {
    name: 's', description: '', cores: 1, seed: 0, models: [],
    tasks: ['a', 'b', 'c', 'd'].map((name) => ({ name, steps: [{ kind: 'cpu' as const, seconds: 1 }] })),
  };
  const sp = (task: number, ...xs: [TaskSpan['state'], number, number][]): TaskSpan[] => xs.map(([state, start, end]) => ({ task, state, start, end, step: 0 }));
  const run = (model: ModelRun['model'], extra: Partial<ModelRun> = {}): ModelRun => ({
    model, config: { model } as ModelRun['config'], cores: 1, makespan: 4, tasks: [], coreSegments: [], gil: [], loop: [], summary: {} as ModelRun['summary'], ...NO_REPORTS,
    taskSpans: [sp(0, ['running', 0, 1], ['done', 1, 4]), sp(1, ['cpu-wait', 0, 1], ['running', 1, 2], ['done', 2, 4]), sp(2, ['cpu-wait', 0, 2], ['blocked', 2, 3], ['done', 3, 4]), sp(3, ['queued', 0, 3], ['io', 3, 4])],
    ...extra,
  });
  const cases: [string, ModelRun, number, string][] = [
    ['at 0: one runs, two wait for a core (a list of two), one is queued', run('processes'), 0, 'processes at 0.00 s: a runs; b and c wait for a free core (the only core is busy); d is queued (the only worker is busy).'],
    ['at a span\'s end the next span counts', run('processes'), 1, 'processes at 1.00 s: b runs; c waits for a free core (the only core is busy); d is queued (the only worker is busy); a is done.'],
    ['blocked, and several done', run('processes'), 2.5, 'processes at 2.50 s: c is ready but blocked by the loop; d is queued (the only worker is busy); a and b are done.'],
    ['waiting on I/O, three done', run('processes'), 3, 'processes at 3.00 s: d waits on I/O; a, b and c are done.'],
    ['at the makespan: all done', run('processes'), 4, 'processes: all 4 tasks done after 4.00 s.'],
    ['just before the makespan: not yet', run('processes'), 3.999, 'processes at 4.00 s: d waits on I/O; a, b and c are done.'],
    ['threads: who holds the GIL, up to the instant it passes on', run('threads', { gil: [{ task: 0, thread: 1, start: 0, end: 1, forced: false }, { task: -1, thread: 0, start: 1, end: 2, forced: false }] }), 1, 'threads at 1.00 s: The main thread holds the GIL; b runs; c waits for a free core (the only core is busy); d is queued (the main thread is still submitting); a is done.'],
    ['threads with nobody holding the GIL say nothing of it', run('threads', { gil: [{ task: 0, thread: 1, start: 0, end: 1, forced: false }] }), 1.5, 'threads at 1.50 s: b runs; c waits for a free core (the only core is busy); d is queued; a is done.'],
    ['a GIL lane is narrated only for threads', run('processes', { gil: [{ task: 0, thread: 1, start: 0, end: 1, forced: false }] }), 0.5, 'processes at 0.50 s: a runs; b and c wait for a free core (the only core is busy); d is queued (the only worker is busy).'],
    ['asyncio: what the loop runs, from the instant it starts', run('asyncio', { loop: [{ task: 1, step: 0, kind: 'cpu', start: 1, end: 2 }] }), 1, 'asyncio at 1.00 s: The loop runs b; b runs; c waits for a free core (the only core is busy); d is queued (not started by the loop yet); a is done.'],
    ['asyncio: the loop idle at the instant a span ends', run('asyncio', { loop: [{ task: 1, step: 0, kind: 'cpu', start: 1, end: 2 }] }), 2, 'asyncio at 2.00 s: The loop is idle; c is ready but blocked by the loop; d is queued (not started by the loop yet); a and b are done.'],
  ];
  it.each(cases)('%s', (_, r, t, sentence) => expect(narrate(r, sc, t)).toBe(sentence));
});
