import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import type { ModelRun, TaskSpan } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { narrate } from '../../src/ui/state/narration.ts';
import { parseScenario } from '../../src/sim/schema.ts';
import { stepScenario } from '../../src/sim/story.ts';
import { NO_REPORTS, lazy, loadScenario, scenario } from './helpers.ts';

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
    ['convoy', convoy, 1, 1.3, 'threads at 1.30 s: crunch runs, holding the GIL; chatty I/O is done.'],
    ['convoy', convoy, 2, 0.5, 'threads at 0.50 s: crunch runs, holding the GIL; chatty I/O is done.'],
    ['convoy', convoy, 3, 0.1, 'processes at 0.10 s: crunch runs; chatty I/O waits on I/O.'],
    ['convoy', convoy, 4, 0.1, 'asyncio at 0.10 s: The loop runs crunch; chatty I/O is queued (not started by the loop yet).'],
    ['convoy', convoy, 0, 0.5, 'sequential at 0.50 s: crunch runs; chatty I/O is queued (one task after another).'],
    ['convoy', convoy, 1, 2.1, 'threads: both tasks done after 2.03 s.'],
    ['blocking-loop', blocking, 0, 0, 'asyncio at 0.00 s: The loop is idle; coro 1, coro 2, coro 3, coro 4, time.sleep and coro 5 are queued (not started by the loop yet).'],
    ['blocking-loop', blocking, 0, 0.02, 'asyncio at 0.02 s: The loop runs coro 2; coro 1 waits on I/O; coro 3, coro 4, time.sleep and coro 5 are queued (not started by the loop yet).'],
    ['blocking-loop', blocking, 0, 1.2, 'asyncio at 1.20 s: time.sleep blocks the loop in a blocking call; coro 1, coro 2, coro 3 and coro 4 are ready but blocked: the loop is stuck in time.sleep\'s blocking call; coro 5 is queued (not started by the loop yet).'],
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

describe('the end of a clean run counts its tasks in words', () => {
  it.each([
    [1, 'sequential: the one task done after 1.00 s.'],
    [2, 'sequential: both tasks done after 2.00 s.'],
    [3, 'sequential: all 3 tasks done after 3.00 s.'],
  ])('%i tasks: %s', (n, sentence) => {
    const sc = scenario(1, Array.from({ length: n }, (_, i) => [`t${i}`, ['cpu', 1]] as [string, [string, number]]), [{ model: 'sequential' }]);
    const [run] = simulateScenario(sc);
    expect(narrate(run, sc, run.makespan)).toBe(sentence);
  });
});

describe('narration on a hand-made timeline: every state, and the instants at span edges', () => {
  const sc: Scenario = {
    name: 's', description: '', cores: 1, seed: 0, models: [],
    tasks: ['a', 'b', 'c', 'd'].map((name) => ({ name, steps: [{ kind: 'cpu' as const, seconds: 1 }] })),
  };
  const sp = (task: number, ...xs: [TaskSpan['state'], number, number][]): TaskSpan[] => xs.map(([state, start, end]) => ({ task, state, start, end, step: 0 }));
  // The one core runs a, then b: the others wait for it.
  const core = (task: number, start: number, end: number) => ({ core: 0, start, end, task, step: 0, kind: 'python' as const, thread: task + 1, threadLabel: `Thread-${task + 1}` });
  const run = (model: ModelRun['model'], extra: Partial<ModelRun> = {}): ModelRun => ({
    model, config: { model } as ModelRun['config'], cores: 1, makespan: 4, tasks: [], coreSegments: [[core(0, 0, 1), core(1, 1, 2)]], gil: [], loop: [], summary: {} as ModelRun['summary'], ...NO_REPORTS,
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
    ['asyncio: what the loop runs, from the instant it starts', run('asyncio', { loop: [{ task: 1, step: 0, kind: 'cpu', start: 1, end: 2 }] }), 1, 'asyncio at 1.00 s: The loop runs b; c waits for a free core (the only core is busy); d is queued (not started by the loop yet); a is done.'],
    ['two cores, both busy: "both", never "all 2"', run('processes', { cores: 2, coreSegments: [[core(0, 0, 1)], [{ ...core(1, 0, 1), core: 1 }]], taskSpans: [sp(0, ['running', 0, 1]), sp(1, ['running', 0, 1]), sp(2, ['cpu-wait', 0, 1]), sp(3, ['queued', 0, 1])] }), 0.5, 'processes at 0.50 s: a and b run; c waits for a free core (both cores are busy); d is queued (both workers are busy).'],
    ['asyncio: the loop idle at the instant a span ends', run('asyncio', { loop: [{ task: 1, step: 0, kind: 'cpu', start: 1, end: 2 }] }), 2, 'asyncio at 2.00 s: The loop is idle; c is ready but blocked by the loop; d is queued (not started by the loop yet); a and b are done.'],
  ];
  it.each(cases)('%s', (_, r, t, sentence) => expect(narrate(r, sc, t)).toBe(sentence));
});

describe('narration says what went wrong: deadlocks, errors reaching main, lost updates, broken pools, cancellations', () => {
  const deadlock = runsOf('deadlock');
  const barrier = runsOf('barrier');
  const queue = runsOf('bounded-queue');
  const threads = runsOf('errors-threads');
  const processes = runsOf('errors-processes');
  const aio = runsOf('errors-asyncio');
  const dict = runsOf('shared-dict');
  const race = lazy(() => {
    const s = parseScenario({
      name: 'race', cores: 2,
      tasks: [1, 2, 3, 4].map((i) => ({ name: `t${i}`, steps: [{ kind: 'update', shared: 'counter', times: 250_000, seconds: 0.1, shape: 'call' }] })),
      models: [{ model: 'sequential' }, { model: 'threads' }, { model: 'processes' }],
    });
    if (!s.ok) throw new Error(s.errors.join('\n'));
    return { s: s.scenario, runs: simulateScenario(s.scenario) };
  });
  const waits = lazy(() => {
    const s = parseScenario({
      name: 'waits', cores: 2,
      locks: { slot: { type: 'Semaphore', value: 1 } }, queues: { jobs: {} }, events: { go: {} },
      tasks: [
        { name: 'starter', steps: [{ kind: 'io', seconds: 0.1 }, { kind: 'set', event: 'go' }, { kind: 'io', seconds: 0.1 }, { kind: 'put', queue: 'jobs' }] },
        { name: 'waiter', steps: [{ kind: 'wait', event: 'go' }] },
        { name: 'taker', steps: [{ kind: 'get', queue: 'jobs' }] },
        { name: 'one', steps: [{ kind: 'acquire', lock: 'slot' }, { kind: 'io', seconds: 0.3 }, { kind: 'release', lock: 'slot' }] },
        { name: 'two', steps: [{ kind: 'acquire', lock: 'slot' }, { kind: 'io', seconds: 0.1 }, { kind: 'release', lock: 'slot' }] },
      ],
      models: [{ model: 'asyncio' }],
    });
    if (!s.ok) throw new Error(s.errors.join('\n'));
    return { s: s.scenario, runs: simulateScenario(s.scenario) };
  });
  const END = Infinity;
  // [what, scenario, model index, instant (END: the makespan), the sentence or its pattern]
  const cases: [string, typeof deadlock, number, number, string | RegExp][] = [
    ['a deadlock: who holds what, who waits for what, from the instant it sets in', deadlock, 1, END,
      /^threads: deadlock at 0\.\d\d s \(the program never ends\): alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice\.$/],
    ['a deadlock, narrated while the chart still runs on past it', deadlock, 3, 0.22,
      /^asyncio at 0\.22 s: deadlock at 0\.20 s \(the program never ends\): alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice; the loop is idle\.$/],
    ['before it: a task waits for the lock the other holds', deadlock, 3, 0.17,
      /^asyncio at 0\.17 s: The loop is idle; bob → alice waits on I\/O; alice → bob waits for lock bob, which bob → alice holds; bob → alice holds bob across an await: fine for an asyncio\.Lock, .*\.$/],
    ['the same transfers one after the other finish', deadlock, 0, END, 'sequential: both tasks done after 0.40 s.'],
    ['one thread at a Barrier(3): stuck, and the tasks that never start', barrier, 0, END,
      'sequential: stuck at 0.20 s (the program never ends): fast waits at barrier start for 3 parties, only 1 ever there; medium and slow never start.'],
    ['threads at the barrier, with how many are there', barrier, 1, 0.6, /^threads at 0\.60 s: slow waits on I\/O; fast and medium wait at barrier start \(2 of 3 there\)\.$/],
    ['a full queue stops the only thread', queue, 0, 0.07,
      'sequential at 0.07 s: stuck at 0.06 s (the program never ends): producer waits for room in queue items, which stays full; consumer 1 and consumer 2 never start.'],
    ['a producer held back by a full queue', queue, 3, 0.15, /^asyncio at 0\.15 s: The loop is idle; consumer 1 and consumer 2 wait on I\/O; producer waits for room in queue items \(full: 2 items\)\.$/],
    ['sequential code stops at the error: the task after it never starts', threads, 0, END,
      'sequential: ValueError reached the main program at 0.80 s (from fails): raised in the loop: the program stops, the tasks after it never run; fast ok never started; slow ok is done.'],
    ['a bare Thread\'s exception: printed, never seen by main', threads, 1, END,
      'threads: fails raised ValueError (threading.excepthook printed it; the main program never sees it); slow ok and fast ok are done.'],
    ['f.result() re-raises it once main gets there', threads, 2, END,
      /^threads: ValueError reached the main program at 0\.60 s \(from fails\): f\.result\(\) re-raised it in the main thread \(the pool's shutdown then waited for the other tasks\); slow ok and fast ok are done\.$/],
    ['before main gets there, the task has raised and the others go on', threads, 2, 0.3, 'threads at 0.30 s: slow ok and fast ok wait on I/O; fails raised ValueError.'],
    ['a broken pool, and the error main got before it', processes, 1, END,
      /^processes: ValueError reached the main program at 0\.\d\d s \(from raises\): pickled back to the parent; f\.result\(\) re-raised it in the main thread; the pool broke at 0\.\d\d s: crashes's worker process died \(os\._exit\), and crashes, long and queued ended with BrokenProcessPool; ok is done\.$/],
    ['a crash in a thread takes the others with it, before the re-raised ValueError is printed', processes, 0, END, /^threads: os\._exit\(1\) in crashes killed the program at 0\.40 s: .*; the ValueError that had reached the main thread is never printed; raises raised ValueError; crashes called os\._exit\(1\); long died with the process; ok and queued are done\.$/],
    ['asyncio: a lock held across an await, and what a threading.Lock there would do', deadlock, 3, 0.1,
      /alice → bob holds alice across an await: fine for an asyncio\.Lock, but a threading\.Lock held there would stop the whole loop the moment another coroutine asked for it/],
    ['gather: the error, and the tasks asyncio.run cancelled', aio, 1, END,
      /^asyncio: ValueError reached the main program at 0\.10 s \(from fails\): asyncio\.gather\(\) passed it to main\(\) at once; asyncio\.run\(\) then cancelled the tasks still pending; slow and medium were cancelled\.$/],
    ['a TaskGroup: an ExceptionGroup, holding the task\'s own exception', aio, 2, END,
      /^asyncio: ExceptionGroup reached the main program at 0\.10 s \(from fails\): the TaskGroup cancelled the other tasks, then raised an ExceptionGroup holding the ValueError; fails raised ValueError; slow and medium were cancelled\.$/],
    ['an event not set yet, an empty queue, a semaphore taken', waits, 0, 0.05,
      'asyncio at 0.05 s: The loop is idle; starter and one wait on I/O; two waits for semaphore slot, which one holds; taker waits for an item from queue jobs (empty); waiter waits for event go to be set.'],
    ['a dict changed while a thread walks it', dict, 1, END, /^threads: RuntimeError reached the main program at 0\.07 s \(from report\): f\.result\(\) re-raised it .*; add key is done; table got its 1 new key\.$/],
    ['updates lost so far, while the threads run', race, 1, 0.2, /^threads at 0\.20 s: counter has lost [\d,]+ updates so far; t\d runs; /],
    ['updates lost, at the end', race, 1, END, /^threads: all 4 tasks done after 0\.\d\d s; counter is [\d,]+, not 1,000,000: [\d,]+ updates lost\.$/],
    ['no race in one thread', race, 0, END, 'sequential: all 4 tasks done after 0.40 s; counter is 1,000,000, as expected.'],
    ['each process its own counter', race, 2, END, /^processes: all 4 tasks done after 0\.\d\d s; counter is 0 in the main program, not 1,000,000: each worker process updated its own copy/],
  ];
  it.each(cases)('%s', (_, of, model, t, sentence) => {
    const { s, runs } = of();
    const said = narrate(runs[model], s, t === END ? runs[model].makespan : t);
    if (typeof sentence === 'string') expect(said).toBe(sentence);
    else expect(said).toMatch(sentence);
  });

  it('the lost updates so far never pass those lost in the end, and reach them at the end', () => {
    const { s, runs } = race();
    const r = runs[1];
    const lost = r.shared[0].lost;
    const said = (t: number) => Number(/has lost ([\d,]+)/.exec(narrate(r, s, t))?.[1].replace(/,/g, '') ?? 0);
    // The last is 10 µs before the end: within half a microsecond of it, the narration reads the state at the end.
    const seen = [0.05, 0.1, 0.2, 0.3, r.makespan - 1e-5].map(said);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBe(lost);
  });
});

describe('the narration at an instant tells the state just after it, from every lane alike, as the chart draws it', () => {
  const collatz = lazy(() => {
    const s = loadScenario(new URL('../../scenarios/collatz.json', import.meta.url).pathname);
    return { s, run: simulateScenario(s)[1] };
  });
  // The lecture's step 4 ("Look at the GIL lane"): the Seven Dwarfs made CPU-bound, on threads.
  const lecture = lazy(() => {
    const file = loadScenario(new URL('../../scenarios/lecture.json', import.meta.url).pathname);
    const s = stepScenario(file, file.story![3]);
    return { s, run: simulateScenario(s)[1] };
  });
  const body = (said: string) => said.replace(/^\w+ at [\d.]+ s: /, '');
  const us = (t: number) => Math.round(t * 1e6) / 1e6;

  // [what, run, instant (to the microsecond, as the player stops there), sentence]. A GIL hand-off: the holder lets
  // go at the first instant; the timeline (and the chart's GIL lane) keep the GIL with it for the 25 µs until the
  // next holder has it and runs, at the second.
  const cases: [string, typeof collatz, number, string][] = [
    ['collatz: range 1 hands the GIL to range 2, not yet started', collatz, 0.01535, 'threads at 0.02 s: range 1 hands the GIL over to range 2; range 1 waits for the GIL; range 2, range 3 and range 4 are queued.'],
    ['collatz: range 2 has it and runs', collatz, 0.015375, 'threads at 0.02 s: range 2 runs; range 1 waits for the GIL, which range 2 holds; range 3 and range 4 are queued.'],
    ['collatz: a hand-off among four, with cores idle (no "all 4 cores are busy")', collatz, 0.09065, 'threads at 0.09 s: range 2 hands the GIL over to range 1; range 2, range 3 and range 4 wait for the GIL.'],
    ['collatz: its end', collatz, 0.090675, 'threads at 0.09 s: range 1 runs; range 2, range 3 and range 4 wait for the GIL, which range 1 holds.'],
    ['collatz: the one the reviewer met (the holder not said to wait for what it holds)', collatz, 0.271475, 'threads at 0.27 s: range 3 hands the GIL over to range 2; range 1, range 3 and range 4 wait for the GIL.'],
    ['collatz: the main thread, back from submitting, hands it over', collatz, 0.00535, 'threads at 0.01 s: The main thread hands the GIL over to range 1; range 2, range 3 and range 4 are queued (the main thread is still submitting).'],
    ['collatz: a task first running, said once', collatz, 0.000175, 'threads at 0.00 s: range 1 runs, holding the GIL; range 2, range 3 and range 4 are queued.'],
    ['lecture step 4: Happy hands it to Grumpy', lecture, 1.924325, 'threads at 1.92 s: Happy hands the GIL over to Grumpy; Doc, Happy, Sleepy, Bashful, Sneezy and Dopey wait for the GIL.'],
    ['lecture step 4: Grumpy has it', lecture, 1.92435, 'threads at 1.92 s: Grumpy runs; Doc, Happy, Sleepy, Bashful, Sneezy and Dopey wait for the GIL, which Grumpy holds.'],
    ['lecture step 4: Grumpy hands it to Doc', lecture, 1.92935, 'threads at 1.93 s: Grumpy hands the GIL over to Doc; Grumpy, Happy, Sleepy, Bashful, Sneezy and Dopey wait for the GIL.'],
  ];
  it.each(cases)('%s', (_, of, t, sentence) => {
    const { s, run } = of();
    expect(narrate(run, s, t)).toBe(sentence);
  });

  // [what, run, window]: every instant where any lane changes (a task's state, the GIL, a core), to the microsecond.
  const windows: [string, typeof collatz, number, number][] = [
    ['collatz, threads, its first 0.3 s', collatz, 0, 0.3],
    ['lecture step 4, threads, 1.9 s to 2.0 s', lecture, 1.9, 2.0],
  ];
  const instants = (run: ModelRun, from: number, to: number) =>
    [...new Set([...run.taskSpans.flat(), ...run.gil, ...run.coreSegments.flat()].flatMap((x) => [x.start, x.end]).map(us))].filter((t) => t >= from && t <= to).sort((a, b) => a - b);

  it.each(windows)('%s: at each instant it says what it says until the next (no clause still of the state before)', (_, of, from, to) => {
    const { s, run } = of();
    const ts = instants(run, from, to);
    for (let i = 0; i + 1 < ts.length; i++) expect([ts[i], body(narrate(run, s, ts[i]))]).toEqual([ts[i], body(narrate(run, s, (ts[i] + ts[i + 1]) / 2))]);
  });

  it.each(windows)('%s: no thread waits for a GIL it is said to hold, and "all cores are busy" only when they are', (_, of, from, to) => {
    const { s, run } = of();
    const ts = instants(run, from, to);
    for (let i = 0; i + 1 < ts.length; i++) {
      const m = (ts[i] + ts[i + 1]) / 2;
      const said = narrate(run, s, m);
      const gil = /(?:^|; )([^;]*) waits? for the GIL, which (.*?) holds/.exec(body(said));
      if (gil) expect([m, gil[1].split(/, | and /)]).not.toEqual([m, expect.arrayContaining([gil[2]])]);
      const busy = run.coreSegments.filter((lane) => lane.some((x) => x.start <= m && m < x.end)).length;
      if (/all \d+ cores are busy/.test(said)) expect([m, busy]).toEqual([m, run.cores]);
    }
  });
});
