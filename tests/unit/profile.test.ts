import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, withOverride, type CPythonProfile, type ProfileOverride } from '../../src/sim/profile.ts';
import { runModel } from '../../src/sim/simulate.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import type { ModelConfig, Scenario, StartMethod } from '../../src/sim/types.ts';
import { scenario } from './helpers.ts';

const P = DEFAULT_PROFILE;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const firstStart = (r: ModelRun) => Math.min(...r.tasks.map((t) => t.start));
const lastEnd = (r: ModelRun) => Math.max(...r.tasks.map((t) => t.end));

const fourCpu = scenario(2, [['a', ['cpu', 0.5]], ['b', ['cpu', 0.5]], ['c', ['cpu', 0.5]], ['d', ['cpu', 0.5]]]);
const twoCpu = scenario(2, [['a', ['cpu', 0.2]], ['b', ['cpu', 0.2]]]);
const slicedCpu = scenario(2, [['a', ['cpu', 0.1]], ['b', ['cpu', 0.1]], ['c', ['cpu', 0.1]], ['d', ['cpu', 0.1]]]);
const threeIo = scenario(2, [['a', ['io', 1]], ['b', ['io', 1]], ['c', ['io', 1]]]);
const oneCpu = scenario(2, [['a', ['cpu', 0.1]]]);
/** 10 ms of native code, begun once submitting is over, beside 1 s of Python that holds the GIL all the while. */
const nativeBehindPython = scenario(2, [['spin', ['cpu', 1]], ['hash', ['io', 0.05], ['native', 0.01]]]);

/**
 * Forced GIL holds between CPU-bound threads: the holder's wait-for-the-next-drop starts once it has the GIL, so a hold
 * is one switch interval plus the hand-off to the next holder.
 */
const forcedSlice = (r: ModelRun) => median(r.gil.filter((g) => g.forced).map((g) => g.end - g.start));
/** From one thread's Python stopping to the next one's starting, on any core: the hand-off. */
const handoffGap = (r: ModelRun) => {
  const py = r.coreSegments.flat().filter((s) => s.kind === 'python').sort((a, b) => a.start - b.start);
  return median(py.slice(1).map((s, i) => s.start - py[i].end));
};
/** From the native step's first C call to its task's end. */
const nativeStep = (r: ModelRun) => r.tasks[1].end - r.coreSegments.flat().find((s) => s.task === 1 && s.kind === 'native')!.start;
/** Python stretches of four processes time-sliced on two cores. */
const osSlice = (r: ModelRun) => median(r.coreSegments.flat().filter((s) => s.kind === 'python').map((s) => s.end - s.start));
/** The main thread's time spent submitting (and starting pool threads). */
const mainOverhead = (r: ModelRun) => r.coreSegments.flat().filter((s) => s.kind === 'overhead' && s.threadLabel === 'main').reduce((a, s) => a + s.end - s.start, 0);

/** a holds L across 0.1 s of I/O; b, blocked on L meanwhile, runs 10 ms of Python once it has it. */
const lockHandOver: Scenario = {
  ...scenario(2, [['x', ['cpu', 1]]]),
  locks: { L: { type: 'Lock' } },
  tasks: [
    { name: 'a', steps: [{ kind: 'acquire', lock: 'L', seconds: 0 }, { kind: 'io', seconds: 0.1 }, { kind: 'release', lock: 'L', seconds: 0 }] },
    { name: 'b', steps: [{ kind: 'io', seconds: 0.01 }, { kind: 'acquire', lock: 'L', seconds: 0 }, { kind: 'cpu', seconds: 0.01 }] },
  ],
};
/** From a's release (its end) to b's end: the wake-up, then b's 10 ms. */
const afterRelease = (r: ModelRun) => r.tasks[1].end - r.tasks[0].end;
/** A worker dies 10 ms into its task beside a long one: the main thread hears of the broken pool this much later. */
const crashBeside: Scenario = {
  ...scenario(2, [['x', ['cpu', 1]]]),
  tasks: [
    { name: 'dies', steps: [{ kind: 'cpu', seconds: 0.01 }, { kind: 'crash', seconds: 0 }] },
    { name: 'long', steps: [{ kind: 'cpu', seconds: 1 }] },
  ],
};
/**
 * Two threads in loops of 1 ms iterations of `counter = bump(counter)`: with the 22 ns window no forced switch lands
 * in one (a chance of 2e-5 each, and this seed's draws miss it); with a window of an iteration or more, every one does.
 */
const slowLoops: Scenario = {
  ...scenario(2, [['x', ['cpu', 1]]]),
  tasks: ['a', 'b'].map((name) => ({ name, steps: [{ kind: 'update' as const, shared: 'n', times: 100, seconds: 0.1, shape: 'call' as const }] })),
};
const anyLost = (r: ModelRun) => (r.shared[0].lost > 0 ? 1 : 0);
const withBytes = (send: number, receive: number): Scenario => ({ ...oneCpu, tasks: [{ ...oneCpu.tasks[0], send, receive }] });

type Row = [constant: string, scenario: Scenario, config: ModelConfig, observe: (r: ModelRun) => number, expected: (p: CPythonProfile) => number, bump: (d: number) => ProfileOverride];

const startRows = (['fork', 'forkserver', 'spawn'] as StartMethod[]).flatMap((m): Row[] => {
  // One worker: its first task starts after the (fork server's boot,) the launch, the child's boot and the dispatch.
  const server = (p: CPythonProfile) => (m === 'forkserver' ? p.forkserverBoot : 0);
  const expected = (p: CPythonProfile) => server(p) + p.processStart[m].launch + p.processStart[m].boot + p.dispatch;
  const config: ModelConfig = { model: 'processes', workers: 1, startMethod: m };
  return [
    [`processStart.${m}.launch`, oneCpu, config, firstStart, expected, (d) => ({ processStart: { [m]: { launch: P.processStart[m].launch + d } } })],
    [`processStart.${m}.boot`, oneCpu, config, firstStart, expected, (d) => ({ processStart: { [m]: { boot: P.processStart[m].boot + d } } })],
  ];
});

/**
 * Every constant of the profile, pinned by what it causes: the observable follows the rule's formula at the
 * defaults, and moves by exactly the constant's change when the constant alone is changed.
 */
const ROWS: Row[] = [
  ['switchInterval', fourCpu, { model: 'threads' }, forcedSlice, (p) => p.switchInterval + p.gilHandoff, (d) => ({ switchInterval: P.switchInterval + d })],
  ['gilHandoff', twoCpu, { model: 'threads' }, handoffGap, (p) => p.gilHandoff, (d) => ({ gilHandoff: P.gilHandoff + d })],
  // Each C call returns into the held GIL and waits an interval and a hand-off for it: 20 calls, 7 at 1.52 ms.
  ['callSeconds', nativeBehindPython, { model: 'threads' }, nativeStep, (p) => 0.01 + Math.ceil(0.01 / p.callSeconds - 1e-9) * (p.switchInterval + p.gilHandoff), (d) => ({ callSeconds: P.callSeconds + d })],
  ['osSlice', slicedCpu, { model: 'processes', workers: 4 }, osSlice, (p) => p.osSlice, (d) => ({ osSlice: P.osSlice + d })],
  // ThreadPoolExecutor(max_workers=1): three submits, the first of which also starts the one worker thread.
  ['submit', threeIo, { model: 'threads', workers: 1 }, mainOverhead, (p) => 3 * p.submit + p.threadStart, (d) => ({ submit: P.submit + d })],
  ['threadStart', threeIo, { model: 'threads', workers: 1 }, mainOverhead, (p) => 3 * p.submit + p.threadStart, (d) => ({ threadStart: P.threadStart + d })],
  ...startRows,
  ['forkserverBoot', oneCpu, { model: 'processes', workers: 1, startMethod: 'forkserver' }, firstStart, (p) => p.forkserverBoot + p.processStart.forkserver.launch + p.processStart.forkserver.boot + p.dispatch, (d) => ({ forkserverBoot: P.forkserverBoot + d })],
  ['dispatch', oneCpu, { model: 'processes', workers: 1 }, firstStart, (p) => p.processStart.fork.launch + p.processStart.fork.boot + p.dispatch, (d) => ({ dispatch: P.dispatch + d })],
  // A spawned child imports the main module after booting, before its first task.
  ['mainImport', oneCpu, { model: 'processes', workers: 1, startMethod: 'spawn' }, firstStart, (p) => p.processStart.spawn.launch + p.processStart.spawn.boot + p.mainImport + p.dispatch, (d) => ({ mainImport: P.mainImport + d })],
  // The result is pickled back after the task's last step: the run ends that much after the task.
  ['result', oneCpu, { model: 'processes', workers: 1 }, (r) => r.makespan - lastEnd(r), (p) => p.result, (d) => ({ result: P.result + d })],
  ['loopStart', oneCpu, { model: 'asyncio' }, firstStart, (p) => p.loopStart, (d) => ({ loopStart: P.loopStart + d })],
  ['wakeup', lockHandOver, { model: 'threads' }, afterRelease, (p) => p.wakeup + 0.01, (d) => ({ wakeup: P.wakeup + d })],
  ['ipcWakeup', lockHandOver, { model: 'processes', workers: 2 }, afterRelease, (p) => p.ipcWakeup + 0.01, (d) => ({ ipcWakeup: P.ipcWakeup + d })],
  ['poolBreak', crashBeside, { model: 'processes', workers: 2 }, (r) => r.error!.at - r.tasks[0].start - 0.01, (p) => p.poolBreak, (d) => ({ poolBreak: P.poolBreak + d })],
  // 1,000 bytes each way: the argument before the task starts, the result after it ends.
  ['sendByte', withBytes(1000, 0), { model: 'processes', workers: 1 }, firstStart, (p) => p.processStart.fork.launch + p.processStart.fork.boot + p.dispatch + 1000 * p.sendByte, (d) => ({ sendByte: P.sendByte + d })],
  ['rmwWindow', slowLoops, { model: 'threads' }, anyLost, (p) => (p.rmwWindow >= 0.001 ? 1 : 0), (d) => ({ rmwWindow: P.rmwWindow + d })],
  ['receiveByte', withBytes(0, 1000), { model: 'processes', workers: 1 }, (r) => r.makespan - lastEnd(r), (p) => p.result + 1000 * p.receiveByte, (d) => ({ receiveByte: P.receiveByte + d })],
];

describe('every profile constant is pinned by what it causes', () => {
  it('the table covers every constant', () => {
    const keys = Object.entries(P).flatMap(([k, v]) => (typeof v === 'number' ? [k] : Object.entries(v).flatMap(([m, o]) => Object.keys(o as object).map((f) => `${k}.${m}.${f}`))));
    expect(ROWS.map((r) => r[0]).sort()).toEqual(keys.sort());
  });

  it.each(ROWS)('%s: at its default value, and moved by 1 ms', (_, s, config, observe, expected, bump) => {
    const at = observe(runModel(s, config, P));
    expect(at).toBeCloseTo(expected(P), 9);
    const d = 0.001;
    const moved = withOverride(P, bump(d));
    expect(observe(runModel(s, config, moved)) - at).toBeCloseTo(expected(moved) - expected(P), 9);
    expect(expected(moved)).not.toBeCloseTo(expected(P), 6);
  });
});

describe('start-up matches what CPython 3.11 measured here (time to the first task, median of 5, 2 cores)', () => {
  // The profile was fitted to these; the fit is held within 25% + 1 ms (a whole launch or boot off fails).
  const MEASURED: [StartMethod, number, number][] = [
    ['fork', 1, 0.003], ['fork', 2, 0.0055], ['fork', 4, 0.0087],
    ['forkserver', 1, 0.02], ['forkserver', 2, 0.018], ['forkserver', 4, 0.023],
    ['spawn', 1, 0.055], ['spawn', 2, 0.067], ['spawn', 4, 0.099],
  ];
  const four = scenario(2, Array.from({ length: 4 }, (_, i) => [`t${i}`, ['cpu', 0.2]] as [string, [string, number]]));
  it.each(MEASURED)('%s with %i workers: %f s', (startMethod, workers, real) => {
    const sim = firstStart(runModel(four, { model: 'processes', workers, startMethod }));
    expect(Math.abs(sim - real)).toBeLessThanOrEqual(0.25 * real + 0.001);
  });

  it('fork launches every worker before feeding any: two workers start their first task after two launches', () => {
    const r = runModel(four, { model: 'processes', workers: 2, startMethod: 'fork' });
    expect(firstStart(r)).toBeCloseTo(2 * P.processStart.fork.launch + P.dispatch, 9);
  });

  it('spawn feeds as soon as one worker is up: four spawned children on two cores queue to boot', () => {
    const r = runModel(four, { model: 'processes', workers: 4, startMethod: 'spawn' });
    const boots = r.coreSegments.flat().filter((s) => s.kind === 'startup' && s.threadLabel.startsWith('worker'));
    expect(new Set(boots.map((s) => s.threadLabel)).size).toBe(4);
    // Two cores, four 48 ms boots and the parent's launches: the first task cannot start before two boots' worth.
    expect(firstStart(r)).toBeGreaterThan(2 * P.processStart.spawn.boot);
  });
});

describe('the defaults are shipped as a profile file', () => {
  it('tools/default-profile.json is DEFAULT_PROFILE, and a valid profile file', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseProfileText } = await import('../../src/sim/schema.ts');
    const text = readFileSync(new URL('../../tools/default-profile.json', import.meta.url), 'utf8');
    expect(JSON.parse(text)).toEqual(DEFAULT_PROFILE);
    const r = parseProfileText(text, 'default-profile.json');
    expect(r.ok && r.profile).toEqual(DEFAULT_PROFILE);
  });
});
