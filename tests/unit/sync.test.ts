import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/schema.ts';
import { runModel } from '../../src/sim/simulate.ts';
import { DEFAULT_PROFILE as P } from '../../src/sim/profile.ts';
import type { ModelRun, Outcome } from '../../src/sim/timeline.ts';
import type { ModelConfig, Scenario } from '../../src/sim/types.ts';
import { loadScenario } from './helpers.ts';

/*
 * The synchronisation primitives, lost updates, deadlocks and errors, model by model: each case a scenario, a model,
 * and what Python's own objects do there.
 */
type J = Record<string, unknown>;
const cpu = (seconds: number) => ({ kind: 'cpu', seconds });
const io = (seconds: number) => ({ kind: 'io', seconds });
const acq = (lock: string) => ({ kind: 'acquire', lock });
const rel = (lock: string) => ({ kind: 'release', lock });

function sc(tasks: [string, J[]][], decl: J = {}, cores = 2): Scenario {
  const r = parseScenario({ name: 't', cores, ...decl, tasks: tasks.map(([name, steps]) => ({ name, steps })) });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}
const SEQ: ModelConfig = { model: 'sequential' };
const THR: ModelConfig = { model: 'threads' };
const PRO: ModelConfig = { model: 'processes' };
const AIO: ModelConfig = { model: 'asyncio' };
const ALL: [string, ModelConfig][] = [['sequential', SEQ], ['threads', THR], ['processes', PRO], ['asyncio', AIO]];
const outcomes = (r: ModelRun) => r.tasks.map((t) => t.outcome);
/** When task `task` is in `state` (on `on`), as [start, end] pairs. */
const spansOf = (r: ModelRun, task: number, state: string) => r.taskSpans[task].filter((s) => s.state === state).map((s) => [s.start, s.end]);

describe('Lock: one holder at a time, in every model', () => {
  // b asks for L 10 ms in, while a holds it across 0.1 s of I/O.
  const s = sc([['a', [acq('L'), io(0.1), rel('L')]], ['b', [io(0.01), acq('L'), cpu(0.05), rel('L')]]], { locks: { L: { type: 'Lock' } } });
  const cases: [string, ModelConfig, (r: ModelRun) => number][] = [
    // Woken by the release, b takes the lock after the wake-up, then the free GIL at once.
    ['threads: after the release and a wake-up', THR, (r) => r.tasks[0].end + P.wakeup + 0.05],
    ['processes: after the release and a wake-up across processes', { model: 'processes', workers: 2 }, (r) => r.tasks[0].end + P.ipcWakeup + 0.05],
    // asyncio's release hands the lock to the waiter, which runs when the loop gets to it: at once here.
    ['asyncio: handed over at the release', AIO, (r) => r.tasks[0].end + 0.05],
  ];
  it.each(cases)('%s', (_, config, end) => {
    const r = runModel(s, config);
    expect(outcomes(r)).toEqual(['ok', 'ok']);
    expect(r.tasks[1].end).toBeCloseTo(end(r), 9);
    expect(spansOf(r, 1, 'lock-wait').length).toBe(1);
    expect(r.taskSpans[1].find((x) => x.state === 'lock-wait')?.on).toBe('L');
    // The lock's lane: a holds it, then b.
    expect(r.sync[0].filter((x) => x.holders.length).map((x) => x.holders)).toEqual([[0], [1]]);
  });

  it('threads: a lock is not fair, the releaser takes it straight back while the woken waiter is still waking', () => {
    // a releases and re-acquires at once (holding the GIL); b, woken, finds it taken and waits on.
    const s2 = sc([['a', [acq('L'), io(0.02), rel('L'), acq('L'), io(0.02), rel('L')]], ['b', [io(0.005), acq('L'), cpu(0.01), rel('L')]]], { locks: { L: { type: 'Lock' } } });
    const r = runModel(s2, THR);
    expect(r.tasks[1].end).toBeGreaterThan(r.tasks[0].end);
    const asy = runModel(s2, AIO);
    // asyncio's fair lock: b, waiting, gets it at a's first release.
    expect(asy.tasks[1].end).toBeLessThan(asy.tasks[0].end);
  });
});

describe('RLock, Semaphore and misuse', () => {
  const locks = { locks: { R: { type: 'RLock' }, L: { type: 'Lock' }, S: { type: 'Semaphore', value: 2 } } };
  const cases: [string, [string, J[]][], ModelConfig, Outcome[], string | null][] = [
    ['an RLock is taken again by its owner', [['a', [acq('R'), acq('R'), cpu(0.01), rel('R'), rel('R')]]], THR, ['ok'], null],
    ['a Lock taken twice by one task waits for itself for ever', [['a', [acq('L'), acq('L'), rel('L')]]], THR, ['deadlocked'], null],
    ['releasing an unlocked Lock raises RuntimeError', [['a', [rel('L')]]], THR, ['raised'], 'RuntimeError'],
    ['releasing an RLock another task holds raises RuntimeError', [['a', [acq('R'), io(0.1), rel('R')]], ['b', [io(0.01), rel('R')]]], THR, ['ok', 'raised'], 'RuntimeError'],
    ['any task may release a Lock', [['a', [acq('L'), io(0.1)]], ['b', [io(0.01), rel('L')]]], THR, ['ok', 'ok'], null],
  ];
  it.each(cases)('%s', (_, tasks, config, want, error) => {
    const r = runModel(sc(tasks, locks), config);
    expect(outcomes(r)).toEqual(want);
    expect(r.tasks.find((t) => t.outcome === 'raised')?.error ?? null).toBe(error);
  });

  it.each(ALL.filter(([n]) => n !== 'sequential'))('%s: a Semaphore(2) lets two of three in at once', (_, config) => {
    const s = sc([0, 1, 2].map((i) => [`t${i}`, [acq('S'), io(0.1), rel('S')]] as [string, J[]]), locks, 4);
    const r = runModel(s, config.model === 'processes' ? { model: 'processes', workers: 3 } : config);
    expect(Math.max(...r.sync[2].map((x) => x.count))).toBe(2);
    const ends = r.tasks.map((t) => t.end).sort((a, b) => a - b);
    expect(ends[2] - ends[0]).toBeGreaterThan(0.09);
  });
});

describe('Queue, Event and Barrier', () => {
  const q = { queues: { Q: { maxsize: 1 } } };
  it.each(ALL.filter(([n]) => n !== 'sequential'))('%s: a get waits for the put; a full queue holds the putter back', (_, config) => {
    const s = sc([['producer', [{ kind: 'put', queue: 'Q' }, { kind: 'put', queue: 'Q' }]], ['consumer', [io(0.1), { kind: 'get', queue: 'Q' }, io(0.1), { kind: 'get', queue: 'Q' }]]], q);
    const r = runModel(s, config);
    expect(outcomes(r)).toEqual(['ok', 'ok']);
    expect(spansOf(r, 0, 'queue-wait').length).toBe(1);
    for (const x of r.sync[0]) expect(x.count).toBeLessThanOrEqual(1);
    // The producer's second put goes in when the consumer's first get makes room (after its 0.1 s).
    expect(r.tasks[0].end).toBeGreaterThan(0.1);
  });
  it('sequential: a get on an empty queue hangs the one thread: a deadlock, no cycle', () => {
    const r = runModel(sc([['c', [{ kind: 'get', queue: 'Q' }]], ['p', [{ kind: 'put', queue: 'Q' }]]], q), SEQ);
    expect(outcomes(r)).toEqual(['deadlocked', 'deadlocked']);
    expect(r.deadlock).toMatchObject({ cycle: false, tasks: [{ task: 0, waitsFor: 'Q', holds: [] }] });
  });
  it.each(ALL.filter(([n]) => n !== 'sequential'))('%s: set() wakes every waiter; a wait on a set event returns at once', (_, config) => {
    const s = sc([['a', [{ kind: 'wait', event: 'E' }, cpu(0.01)]], ['b', [{ kind: 'wait', event: 'E' }, cpu(0.01)]], ['setter', [io(0.1), { kind: 'set', event: 'E' }, { kind: 'wait', event: 'E' }]]], { events: { E: {} } }, 4);
    const r = runModel(s, config.model === 'processes' ? { model: 'processes', workers: 3 } : config);
    expect(outcomes(r)).toEqual(['ok', 'ok', 'ok']);
    for (const t of [0, 1]) expect(spansOf(r, t, 'event-wait')[0][1]).toBeGreaterThanOrEqual(0.1);
    expect(spansOf(r, 2, 'event-wait')).toEqual([]);
  });
  it.each(ALL.filter(([n]) => n !== 'sequential'))('%s: a barrier releases all its parties at once, when the last arrives', (_, config) => {
    const r = runModel(loadScenario('scenarios/barrier.json'), config.model === 'processes' ? { model: 'processes', workers: 3 } : config);
    expect(outcomes(r)).toEqual(['ok', 'ok', 'ok']);
    const leave = [0, 1].map((t) => spansOf(r, t, 'barrier-wait')[0][1]);
    expect(leave[0]).toBeCloseTo(leave[1], 2);
    expect(leave[0]).toBeGreaterThanOrEqual(0.8);
  });
  it('a barrier short of its parties (a pool of 2 for 3 parties) waits for ever', () => {
    const r = runModel(loadScenario('scenarios/barrier.json'), { model: 'processes', workers: 2 });
    expect(outcomes(r)).toEqual(['deadlocked', 'deadlocked', 'deadlocked']);
    expect(r.deadlock?.cycle).toBe(false);
  });
});

describe('deadlock: two locks taken in opposite orders', () => {
  const s = loadScenario('scenarios/deadlock.json');
  it.each(ALL.filter(([n]) => n !== 'sequential'))('%s: reported with its cycle, drawn past the stall, never an event cap', (_, config) => {
    const r = runModel(s, config);
    expect(outcomes(r)).toEqual(['deadlocked', 'deadlocked']);
    expect(r.deadlock).toMatchObject({ cycle: true, tasks: [{ task: 0, waitsFor: 'bob', holds: ['alice'] }, { task: 1, waitsFor: 'alice', holds: ['bob'] }] });
    expect(r.makespan).toBeCloseTo(r.deadlock!.at * 1.25, 9);
    expect(r.marks.filter((m) => m.kind === 'deadlock').map((m) => m.task)).toEqual([0, 1]);
    expect(r.error).toBeNull();
  });
  it('sequential: one after the other, no deadlock', () => {
    const r = runModel(s, SEQ);
    expect(outcomes(r)).toEqual(['ok', 'ok']);
    expect(r.deadlock).toBeNull();
  });
});

describe('lost updates: where the GIL changes hands', () => {
  const counter = (shape: string, lock?: string) =>
    sc(
      [0, 1, 2, 3].map((i) => [`t${i}`, [{ kind: 'update', shared: 'counter', times: 250_000, seconds: 0.1, shape, ...(lock ? { lock } : {}) }]] as [string, J[]]),
      { locks: { L: { type: 'Lock' } } },
    );
  const cases: [string, Scenario, ModelConfig, (lost: number) => boolean][] = [
    ['threads, counter = bump(counter): hundreds of thousands lost', counter('call'), THR, (lost) => lost > 100_000],
    ['threads, counter += 1: no switch between the read and the write, none lost', counter('inplace'), THR, (lost) => lost === 0],
    ['threads, under a lock: none lost', counter('call', 'L'), THR, (lost) => lost === 0],
    ['asyncio: nothing runs between two awaits, none lost', counter('call'), AIO, (lost) => lost === 0],
    ['sequential: none lost', counter('call'), SEQ, (lost) => lost === 0],
  ];
  it.each(cases)('%s', (_, s, config, ok) => {
    const r = runModel(s, config);
    const [c] = r.shared;
    expect(c.expected).toBe(1_000_000);
    expect(ok(c.lost)).toBe(true);
    expect(c.final).toBe(c.expected - c.lost);
    // Every stale write is marked with what it cost (a write over another stale one can give some back).
    expect(r.marks.filter((m) => m.kind === 'lost').reduce((a, m) => a + (m.count ?? 0), 0)).toBe(c.lost);
  });
  it('processes: each worker updates its own copy, the parent\'s never changes', () => {
    const [c] = runModel(counter('call'), PRO).shared;
    expect(c).toMatchObject({ final: 0, expected: 1_000_000, lost: 0 });
    expect(c.note).toMatch(/own copy/);
  });
  it('the same run loses the same updates every time', () => {
    const a = runModel(counter('call'), THR).shared;
    expect(runModel(counter('call'), THR).shared).toEqual(a);
  });
  it('a dict walked while another thread adds a key raises RuntimeError, under threads only', () => {
    const s = loadScenario('scenarios/shared-dict.json');
    expect(runModel(s, THR).tasks[0]).toMatchObject({ outcome: 'raised', error: 'RuntimeError' });
    expect(runModel(s, SEQ).tasks[0].outcome).toBe('ok');
    expect(runModel(s, AIO).tasks[0].outcome).toBe('ok');
  });
});

describe('errors: where an exception goes, and when the main program learns of it', () => {
  const threads = loadScenario('scenarios/errors-threads.json');
  const procs = loadScenario('scenarios/errors-processes.json');
  const aio = loadScenario('scenarios/errors-asyncio.json');
  const cases: [string, Scenario, ModelConfig, Outcome[], string | null, (r: ModelRun) => number | null][] = [
    // Sequential code stops at the exception; the tasks after it never run.
    ['sequential: stops there', threads, SEQ, ['ok', 'raised', 'skipped'], 'ValueError', (r) => r.tasks[1].end],
    // A bare Thread's exception is printed; the main thread never sees one.
    ['threads, a Thread per task: printed, the others go on', threads, { model: 'threads', api: 'thread' }, ['ok', 'raised', 'ok'], null, () => null],
    // f.result() in submit order: the main thread reaches the failed future once the first one is done.
    ['threads, executor: re-raised by f.result() after the first future', threads, THR, ['ok', 'raised', 'ok'], 'ValueError', (r) => r.tasks[0].end],
    ['processes: pickled back, re-raised by f.result(); a crash breaks every pending task', procs, PRO, ['ok', 'raised', 'broken', 'broken', 'broken'], 'ValueError', (r) => r.tasks[0].end + P.result],
    // f.result() re-raised the ValueError, but the pool's shutdown waits, and the crash kills the program first.
    ['threads: a crash (os._exit) ends the whole program', procs, THR, ['ok', 'raised', 'broken', 'broken', 'ok'], 'crash', (r) => r.tasks[2].end],
    ['asyncio, gather: the error reaches main at once, asyncio.run cancels the rest', aio, AIO, ['cancelled', 'raised', 'cancelled'], 'ValueError', (r) => r.tasks[1].end],
    ['asyncio, TaskGroup: the others cancelled, an ExceptionGroup', aio, { model: 'asyncio', api: 'taskgroup' }, ['cancelled', 'raised', 'cancelled'], 'ExceptionGroup', (r) => r.tasks[1].end],
  ];
  it.each(cases)('%s', (_, s, config, want, type, at) => {
    const r = runModel(s, config);
    expect(outcomes(r)).toEqual(want);
    expect(r.error?.type ?? null).toBe(type);
    if (type) expect(r.error!.at).toBeCloseTo(at(r)!, 9);
    for (const t of r.tasks) if (t.outcome === 'skipped') expect(t.start).toBeNaN();
  });
  it('a bare Thread\'s exception is marked as printed by threading.excepthook', () => {
    const r = runModel(threads, { model: 'threads', api: 'thread' });
    expect(r.marks.find((m) => m.kind === 'raised')?.text).toMatch(/excepthook.*never sees it/);
  });
  it('processes: the broken pool reaches the main thread a pool-break after the crash', () => {
    const r = runModel(procs, { model: 'processes', workers: 2 });
    const crash = r.marks.find((m) => m.kind === 'crash')!;
    expect(r.tasks.filter((t) => t.outcome === 'broken').every((t) => Math.abs(t.end - (crash.at + P.poolBreak)) < 1e-9 || Number.isNaN(t.start))).toBe(true);
  });
});

describe('data movement: only a process pool pays for its arguments', () => {
  it.each([
    ['threads pass a reference', THR, 0],
    ['asyncio passes a reference', AIO, 0],
    ['processes pickle the argument and the result', { model: 'processes', workers: 1 } as ModelConfig, 1e8 * P.sendByte + 1e7 * P.receiveByte],
  ] as [string, ModelConfig, number][])('%s', (_, config, extra) => {
    const plain = sc([['t', [cpu(0.1)]]]);
    const heavy: Scenario = { ...plain, tasks: [{ ...plain.tasks[0], send: 1e8, receive: 1e7 }] };
    expect(runModel(heavy, config).makespan - runModel(plain, config).makespan).toBeCloseTo(extra, 9);
  });
});

describe('you are the scheduler: a schedule decides where the GIL goes', () => {
  // Two threads take two locks in opposite orders, with Python between the acquires: the GIL's forced switches
  // decide whether they deadlock.
  const s = sc(
    [
      ['a', [acq('A'), cpu(0.02), acq('B'), cpu(0.01), rel('B'), rel('A')]],
      ['b', [acq('B'), cpu(0.02), acq('A'), cpu(0.01), rel('A'), rel('B')]],
    ],
    { locks: { A: { type: 'Lock' }, B: { type: 'Lock' } } },
  );
  it('with an empty one, every choice point is recorded with the rule\'s own pick first, and taken; without one, none is', () => {
    expect(runModel(s, THR).choices).toEqual([]);
    const r = runModel(s, { model: 'threads', schedule: [] });
    expect(r.choices.length).toBeGreaterThan(0);
    for (const c of r.choices) expect(c.chosen).toBe(c.candidates[0].thread);
    expect(r.choices.map((c) => c.index)).toEqual(r.choices.map((_, i) => i));
    expect(outcomes(r)).toEqual(['deadlocked', 'deadlocked']);
  });
  it('a schedule of the rule\'s own picks is the same run', () => {
    const r = runModel(s, { model: 'threads', schedule: [] });
    const again = runModel(s, { model: 'threads', schedule: r.choices.map((c) => c.chosen) });
    expect(JSON.stringify({ ...again, config: null })).toBe(JSON.stringify({ ...r, config: null }));
    expect(JSON.stringify({ ...runModel(s, THR), config: null, choices: null })).toBe(JSON.stringify({ ...r, config: null, choices: null }));
  });
  it('keeping thread 1 on the GIL at every drop request lets it finish before b takes B: no deadlock', () => {
    const r = runModel(s, { model: 'threads', schedule: new Array(40).fill(1) });
    expect(outcomes(r)).toEqual(['ok', 'ok']);
    expect(r.choices.filter((c) => c.kind === 'drop').every((c) => c.chosen === 1 || !c.candidates.some((x) => x.thread === 1))).toBe(true);
  });
  it('a pick that is not a candidate there is ignored: the rule decides', () => {
    const r = runModel(s, { model: 'threads', schedule: [99, 99] });
    expect(r.choices[0].chosen).toBe(r.choices[0].candidates[0].thread);
  });
});

describe('threads api "thread": a bare Thread per task', () => {
  const s = sc([['a', [cpu(0.001), io(0.05)]], ['b', [cpu(0.001), io(0.05)]], ['c', [cpu(0.001), io(0.01)]]], {}, 4);
  it('starts one thread per task, each ending with its task; no submit cost, only the start', () => {
    const r = runModel(s, { model: 'threads', api: 'thread' });
    const labels = new Set(r.coreSegments.flat().map((x) => x.threadLabel));
    expect(labels).toEqual(new Set(['main', 'Thread 1', 'Thread 2', 'Thread 3']));
    const main = r.coreSegments.flat().filter((x) => x.threadLabel === 'main' && x.kind === 'overhead').reduce((a, x) => a + x.end - x.start, 0);
    expect(main).toBeCloseTo(3 * P.threadStart, 9);
  });
  it('an executor reuses an idle worker instead', () => {
    const r = runModel(sc([['a', [io(0.01)]], ['b', [io(0.05), cpu(0.01)]], ['c', [cpu(0.001)]]]), { model: 'threads', workers: 1 });
    expect(new Set(r.coreSegments.flat().map((x) => x.threadLabel))).toEqual(new Set(['main', 'Thread 1']));
  });
});

describe('a crash after an error reached the main thread', () => {
  it('threads: the program ends with the crash; the earlier exception is never printed', () => {
    // main gets a's result, then b's ValueError at 0.1 s; the pool's shutdown waits for c, whose crash ends it all.
    const r = runModel(sc([['a', [io(0.05)]], ['b', [io(0.1), { kind: 'raise', error: 'ValueError' }]], ['c', [io(0.3), { kind: 'crash' }]]]), THR);
    expect(r.error?.type).toBe('crash');
    expect(r.error?.how).toMatch(/the ValueError that had reached the main thread is never printed/);
  });
});

describe('lost updates against CPython 3.11 (tests/fidelity/lost-updates.json, made by tests/fidelity/lost-updates.py)', () => {
  const measured = JSON.parse(readFileSync(new URL('../fidelity/lost-updates.json', import.meta.url), 'utf8')) as {
    cases: { threads: number; times: number; shape: 'call' | 'inplace'; switchIntervalMs: number; lostFraction: number[] }[];
  };
  // One iteration alone on one core, measured here (tests/fidelity/sync-facts.json: single_thread_per_iteration).
  const PER = { call: 4.307e-8, inplace: 2.778e-8 };
  it.each(measured.cases.map((c) => [`${c.threads} threads × ${c.times.toLocaleString('en')} ${c.shape}, ${c.switchIntervalMs} ms`, c] as const))('%s: the simulated loss (median of ten seeds) within the measured runs', (_, c) => {
    const lost = Array.from({ length: 10 }, (_, seed) => {
      const s: Scenario = { ...sc([['x', [cpu(1)]]]), seed, tasks: Array.from({ length: c.threads }, (_, i) => ({ name: `t${i}`, steps: [{ kind: 'update' as const, shared: 'counter', times: c.times, seconds: c.times * PER[c.shape], shape: c.shape }] })) };
      return runModel(s, { model: 'threads', switchIntervalMs: c.switchIntervalMs }).shared[0].lost / (c.threads * c.times);
    }).sort((a, b) => a - b);
    const median = (lost[4] + lost[5]) / 2;
    expect(median).toBeGreaterThanOrEqual(Math.min(...c.lostFraction) - 1e-9);
    expect(median).toBeLessThanOrEqual(Math.max(...c.lostFraction) + 1e-9);
  });
});
