import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import { capturedAsRun, compareCapture, looksLikeTrace, MAX_TRACE_EVENTS, parseTrace, tolerance, type Capture, type CapturedRun } from '../../src/sim/trace.ts';
import { buildLanes, capturedLanes } from '../../src/ui/chart/lanes.ts';
import { openFile, openTrace } from '../../src/ui/state/scenarioFiles.ts';
import { scenario } from './helpers.ts';

/** A capture of `npm run capture`'s shape: one trace process per model, a complete event per step. */
function ours(): object {
  const x = (pid: number, tid: number, task: string, taskIndex: number, step: number, kind: string, ts: number, dur: number) => ({ ph: 'X', name: task, cat: kind, pid, tid, ts, dur, args: { task: taskIndex, step, kind, model: pid === 1 ? 'sequential' : 'threads' } });
  return {
    traceEvents: [
      { ph: 'M', name: 'process_name', pid: 1, tid: 0, args: { name: 'sequential' } },
      { ph: 'M', name: 'process_name', pid: 2, tid: 0, args: { name: 'threads (switch interval 5 ms)' } },
      { ph: 'M', name: 'thread_name', pid: 2, tid: 11, args: { name: 'ThreadPoolExecutor-0_0' } },
      // Written out of order: task b's event first.
      x(1, 10, 'b', 1, 0, 'io', 100_000, 200_000),
      x(1, 10, 'a', 0, 0, 'cpu', 0, 60_000),
      x(1, 10, 'a', 0, 1, 'io', 60_000, 40_000),
      x(2, 11, 'a', 0, 0, 'cpu', 1_000, 60_000),
      x(2, 11, 'a', 0, 1, 'io', 61_000, 40_000),
      x(2, 12, 'b', 1, 0, 'io', 1_200, 200_000),
    ],
    displayTimeUnit: 'ms',
    metadata: {
      python: '3.11.7',
      platform: 'Linux',
      cores: 2,
      cpusUsed: [0, 1],
      scenarioFile: { name: 'pair', cores: 2, tasks: [{ name: 'a', steps: [{ kind: 'cpu', seconds: 0.06 }, { kind: 'io', seconds: 0.04 }] }, { name: 'b', steps: [{ kind: 'io', seconds: 0.2 }] }], models: [{ model: 'sequential' }, { model: 'threads' }] },
      results: [
        { pid: 1, label: 'sequential', config: { model: 'sequential' }, makespan: 0.3, makespans: [0.31, 0.3, 0.305] },
        { pid: 2, config: { model: 'threads' }, makespan: 0.2012, makespans: [0.2012] },
      ],
    },
  };
}

/** A VizTracer-like trace: function calls nested per thread, one wrapper around all a worker did, B/E pairs too. */
function viz(): object {
  return {
    traceEvents: [
      { ph: 'M', name: 'process_name', pid: 7, tid: 7, args: { name: 'python3 main.py' } },
      { ph: 'M', name: 'thread_name', pid: 7, tid: 7, args: { name: 'MainThread' } },
      { ph: 'M', name: 'thread_name', pid: 7, tid: 8, args: { name: 'worker' } },
      { ph: 'X', name: 'main (main.py:1)', cat: 'FEE', pid: 7, tid: 7, ts: 1_000_000, dur: 500_000 },
      { ph: 'X', name: 'helper (main.py:9)', cat: 'FEE', pid: 7, tid: 7, ts: 1_100_000, dur: 100_000 },
      { ph: 'X', name: '_bootstrap (threading.py:1)', cat: 'FEE', pid: 7, tid: 8, ts: 1_050_000, dur: 400_000 },
      { ph: 'X', name: 'crunch (main.py:20)', cat: 'FEE', pid: 7, tid: 8, ts: 1_060_000, dur: 100_000 },
      { ph: 'X', name: 'inner (main.py:30)', cat: 'FEE', pid: 7, tid: 8, ts: 1_070_000, dur: 10_000 },
      { ph: 'B', name: 'sleep', pid: 7, tid: 8, ts: 1_200_000 },
      { ph: 'E', name: 'sleep', pid: 7, tid: 8, ts: 1_400_000 },
    ],
    viztracer_metadata: { version: '0.16.3' },
  };
}

const parsed = (json: unknown): Capture => {
  const r = parseTrace(json, 't.json');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.capture;
};

describe('parseTrace: the project\'s capture', () => {
  const c = parsed(ours());
  it('one run per trace process, named by its process_name, with the configuration the metadata gives', () => {
    expect(c.format).toBe('capture');
    expect(c.runs.map((r) => [r.label, r.config?.model])).toEqual([
      ['sequential', 'sequential'],
      ['threads (switch interval 5 ms)', 'threads'],
    ]);
  });
  it('tasks in the scenario\'s order (taskIndex), steps sorted by start, times in seconds', () => {
    expect(c.runs[0].tasks.map((t) => t.name)).toEqual(['a', 'b']);
    expect(c.runs[0].tasks[0].steps.map((s) => [s.kind, s.start, s.end])).toEqual([
      ['cpu', 0, 0.06],
      ['io', 0.06, 0.1],
    ]);
  });
  it('the makespan is the metadata\'s, never earlier than the last step; repeated makespans are kept as the noise', () => {
    expect(c.runs[0].makespan).toBeCloseTo(0.3, 9);
    expect(c.runs[0].repeats).toEqual([0.31, 0.3, 0.305]);
    expect(c.runs[1].makespan).toBeCloseTo(0.2012, 9);
    expect(c.runs[1].repeats).toBeUndefined();
  });
  it('the cores it ran on: the CPUs it was pinned to', () => expect(c.coresUsed).toBe(2));
  it('threads are named as the trace names them', () => expect(c.runs[1].tasks[0].steps[0].thread).toBe('ThreadPoolExecutor-0_0'));
  it('the scenario it ran and where it ran come with it', () => {
    expect(c.origin).toBe('CPython 3.11.7 on Linux, 2 cores');
    expect((c.scenario as { name: string }).name).toBe('pair');
  });
});

describe('parseTrace: any other Chrome trace (VizTracer)', () => {
  const c = parsed(viz());
  it('a run per process, a task per thread, named by the metadata events', () => {
    expect(c.format).toBe('trace');
    expect(c.runs.map((r) => r.label)).toEqual(['python3 main.py']);
    expect(c.runs[0].tasks.map((t) => t.name)).toEqual(['MainThread', 'worker']);
  });
  it('a call wrapping all a thread did is looked through: its calls are the bars (B/E pairs included)', () => {
    expect(c.runs[0].tasks[1].steps.map((s) => [s.name, +s.start.toFixed(6), +s.end.toFixed(6)])).toEqual([
      ['crunch (main.py:20)', 0.06, 0.16],
      ['sleep', 0.2, 0.4],
    ]);
    expect(c.runs[0].tasks[0].steps.map((s) => s.name)).toEqual(['helper (main.py:9)']);
  });
  it('times from the first event of the file, until its last ends; the kind of each call is unknown', () => {
    expect(c.runs[0].makespan).toBeCloseTo(0.5, 9);
    expect(c.runs[0].tasks.flatMap((t) => t.steps).every((s) => s.kind === 'call')).toBe(true);
  });
  it('a bare array of events is a trace too', () => expect(parsed((viz() as { traceEvents: unknown[] }).traceEvents).runs).toHaveLength(1));
});

describe('parseTrace: a bad trace is refused, naming the field', () => {
  const ev = (e: object) => ({ traceEvents: [e] });
  const cases: [string, unknown, RegExp][] = [
    ['a scenario is not a trace', { name: 'x', cores: 2, tasks: [] }, /^t\.json: traceEvents: expected a Chrome trace/],
    ['an event without its phase', ev({ ts: 1 }), /traceEvents\[0\]\.ph: /],
    ['a complete event without a time', ev({ ph: 'X', dur: 3 }), /traceEvents\[0\]\.ts: missing/],
    ['a complete event without a duration', ev({ ph: 'X', ts: 3 }), /traceEvents\[0\]\.dur: missing/],
    ['a negative duration', ev({ ph: 'X', ts: 3, dur: -1 }), /traceEvents\[0\]\.dur: /],
    ['a time that is not a number', ev({ ph: 'X', ts: '3', dur: 1 }), /traceEvents\[0\]\.ts: /],
    ['an end that began nowhere', ev({ ph: 'E', ts: 3, pid: 1, tid: 1 }), /ends nothing that began/],
    ['only metadata: nothing to draw', ev({ ph: 'M', name: 'process_name', args: { name: 'p' } }), /nothing to draw/],
    ['more events than the app reads', { traceEvents: { length: MAX_TRACE_EVENTS + 1 } }, /expected a Chrome trace/],
  ];
  it.each(cases)('%s', (_, json, message) => {
    const r = parseTrace(json, 't.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(message);
  });
  it('too many events', () => {
    const r = parseTrace({ traceEvents: Array.from({ length: MAX_TRACE_EVENTS + 1 }, () => ({ ph: 'i', ts: 0 })) }, 't.json');
    expect(r.ok || r.errors[0]).toMatch(/more than the 500,000 the app reads/);
  });
});

describe('looksLikeTrace', () => {
  it.each([
    [{ traceEvents: [] }, true],
    [[{ ph: 'X' }], true],
    [[], true],
    [{ name: 'a scenario', tasks: [] }, false],
    [[1, 2], false],
    [null, false],
  ])('%j → %s', (json, want) => expect(looksLikeTrace(json)).toBe(want));
});

describe('capturedAsRun: a real run as the charts draw runs', () => {
  const c = parsed(ours()).runs[1];
  const { run, scenario: sc } = capturedAsRun(c);
  it('every task\'s spans run from 0 to the makespan without a gap', () => {
    for (const spans of run.taskSpans) {
      expect(spans[0].start).toBe(0);
      expect(spans[spans.length - 1].end).toBeCloseTo(c.makespan, 9);
      spans.forEach((s, i) => i && expect(s.start).toBe(spans[i - 1].end));
    }
  });
  it('steps are running or waiting on I/O, the time before them queued', () =>
    expect(run.taskSpans[0].map((s) => s.state)).toEqual(['queued', 'running', 'io', 'done']));
  it('its scenario names the captured tasks', () => expect(sc.tasks.map((t) => t.name)).toEqual(['a', 'b']));
});

describe('step lanes: the simulation drawn as a capture sees it', () => {
  it('a simulated run\'s step bars are what a capture of that same run would record', () => {
    const s = scenario(2, [['Doc', ['cpu', 0.2], ['io', 0.3]], ['Grumpy', ['cpu', 0.25]]]);
    const run = runModel(s, { model: 'threads' });
    const simulated = buildLanes(run, s, 'steps');
    // The capture of the same run: each step from its first span to its last.
    const captured: CapturedRun = {
      label: 'threads',
      config: { model: 'threads' },
      makespan: run.makespan,
      tasks: run.taskSpans.map((spans, task) => ({
        name: s.tasks[task].name,
        steps: s.tasks[task].steps.map((st, i) => {
          const mine = spans.filter((x) => x.step === i && x.state !== 'queued' && x.state !== 'done');
          return { kind: st.kind, name: st.kind, start: mine[0].start, end: mine[mine.length - 1].end, thread: 'T' };
        }),
      })),
    };
    const bars = (lanes: ReturnType<typeof capturedLanes>) => lanes.map((l) => [l.label, l.marks.map((m) => [m.label, m.start, m.end, m.paint])]);
    expect(bars(simulated)).toEqual(bars(capturedLanes(captured)));
    // Under the GIL the two CPU-bound steps interleave: each bar spans its waits too.
    expect(simulated[0].marks[0].end).toBeGreaterThan(0.2);
  });
});

describe('compareCapture: measured against simulated', () => {
  const s = scenario(2, [['a', ['cpu', 0.06], ['io', 0.04]], ['b', ['io', 0.2]]], [{ model: 'sequential' }, { model: 'threads' }]);
  const runs = s.models.map((m) => runModel(s, m));
  const [seq, threads] = compareCapture(parsed(ours()), runs, s);
  it('each captured run meets the simulated run of its configuration', () => {
    expect(seq.simulated).toBe(0);
    expect(threads.simulated).toBe(1);
  });
  it('rows: the makespan, then every task\'s end, simulated minus measured', () => {
    expect(seq.rows.map((r) => r.what)).toEqual(['makespan', 'a', 'b']);
    expect(seq.rows[0].delta).toBeCloseTo(runs[0].makespan - 0.3, 9);
  });
  it('the largest difference is marked, and each figure is held to 10% of the makespan + 20 ms', () => {
    const biggest = Math.max(...seq.rows.map((r) => Math.abs(r.delta)));
    expect(Math.abs(seq.rows[seq.largest].delta)).toBe(biggest);
    expect(seq.rows.every((r) => r.within === Math.abs(r.delta) <= tolerance(0.3))).toBe(true);
    expect(tolerance(1)).toBeCloseTo(0.12, 9);
  });
  it('a run no simulated model matches is kept, with no rows', () => {
    const [only] = compareCapture(parsed(ours()), [runModel(s, { model: 'asyncio' })], s);
    expect(only.simulated).toBe(-1);
    expect(only.rows).toEqual([]);
  });
  it('processes match on start method and workers (absent: fork, one per core)', () => {
    const capture: Capture = { format: 'capture', origin: '', scenario: null, coresUsed: null, runs: [{ label: 'p', config: { model: 'processes', startMethod: 'spawn', workers: 2 }, makespan: 1, tasks: [] }] };
    const ps = [runModel(s, { model: 'processes' }), runModel(s, { model: 'processes', startMethod: 'spawn' })];
    expect(compareCapture(capture, ps, s)[0].simulated).toBe(1);
  });
});

describe('openTrace: a trace file opened in the app', () => {
  it('a capture brings the scenario it ran', () => {
    const r = openTrace(ours(), 't.json');
    expect(r.ok && r.kind === 'scenario' && JSON.parse(r.text).name).toBe('pair');
  });
  it('another tool\'s trace is set against the current scenario', () => {
    const r = openTrace(viz(), 'v.json');
    expect(r.ok && r.kind).toBe('capture');
  });
  it('a capture whose scenario is damaged is still shown, saying why', () => {
    const j = ours() as { metadata: { scenarioFile: { cores: number } } };
    j.metadata.scenarioFile.cores = 0;
    const r = openTrace(j, 't.json');
    expect(r.ok && r.kind).toBe('capture');
    expect(r.ok && r.notices?.join('\n')).toMatch(/t\.json: metadata\.scenarioFile: cores: /);
  });
  it('a bad trace says the current scenario stays', () => {
    const r = openTrace({ traceEvents: [{ ph: 'X' }] }, 'bad.json');
    expect(!r.ok && r.notices[0]).toBe('bad.json was not opened; the current scenario stays.');
  });
});

describe('openTrace: the scenario is simulated on the cores it ran on', () => {
  it('a scenario for 4 cores captured on 2 is simulated on 2, saying so', () => {
    const j = ours() as { metadata: { scenarioFile: { cores: number } } };
    j.metadata.scenarioFile.cores = 4;
    const r = openTrace(j, 't.json');
    expect(r.ok && r.kind === 'scenario' && JSON.parse(r.text).cores).toBe(2);
    expect(r.ok && r.notices?.[0]).toBe('pair asks for 4 cores and ran on 2: it is simulated on 2, as it ran.');
  });
});

describe('openFile: what kind of file the user gave', () => {
  const file = (name: string, json: unknown) => {
    const text = JSON.stringify(json);
    return { name, size: text.length, text: async () => text };
  };
  it.each([
    ['a scenario', { name: 's', cores: 2, tasks: [{ name: 'a', steps: [{ kind: 'cpu', seconds: 1 }] }] }, 'scenario'],
    ['a capture', ours(), 'scenario'],
    ['a VizTracer trace', viz(), 'capture'],
    ['a timing profile', { switchInterval: 0.002, callSeconds: 0.0005 }, 'profile'],
  ])('%s', async (_, json, kind) => {
    const r = await openFile(file('f.json', json));
    expect(r.ok && r.kind).toBe(kind);
  });
  it('a profile with a bad constant names it, and the profile in use stays', async () => {
    const r = await openFile(file('p.json', { switchInterval: 0.005, osSlice: 0 }));
    expect(!r.ok && r.notices).toEqual(['p.json was not opened; the timing profile stays as it was.', 'p.json: osSlice: must be at least 0.0001 s']);
  });
});

describe('parseTrace: two tasks of one name stay two tasks', () => {
  it('by the index the capture gives each, and each meets its own simulated task', () => {
    const ev = (task: number, ts: number, dur: number) => ({ ph: 'X', name: 'job 84', cat: 'io', pid: 1, tid: 10 + task, ts, dur, args: { task, step: 0, kind: 'io' } });
    const c = parsed({ traceEvents: [ev(1, 0, 400_000), ev(0, 0, 400_000)], metadata: { results: [{ pid: 1, config: { model: 'threads', workers: 1 } }] } });
    expect(c.runs[0].tasks.map((t) => [t.name, t.index])).toEqual([
      ['job 84', 0],
      ['job 84', 1],
    ]);
    const s = scenario(2, [['job 84', ['io', 0.4]], ['job 84', ['io', 0.4]]], [{ model: 'threads', workers: 1 }]);
    const [cmp] = compareCapture(c, [runModel(s, s.models[0])], s);
    // With one worker the second job ends 0.4 s after the first: each row meets its own task.
    expect(cmp.rows.slice(1).map((r) => +r.simulated.toFixed(1))).toEqual([0.4, 0.8]);
  });
});
