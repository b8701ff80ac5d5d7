import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runModel, simulateScenario } from '../../src/sim/simulate.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import { parseTrace } from '../../src/sim/trace.ts';
import { chromeTrace, type ChromeTrace, type TraceEvent } from '../../src/sim/traceExport.ts';
import { MODEL_NAMES, type Scenario } from '../../src/sim/types.ts';
import { lazy, loadScenario, scenario } from './helpers.ts';

/** Every shipped scenario, simulated under its own models and under each model's defaults, with its trace. */
const shipped = lazy(() =>
  readdirSync('scenarios')
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const sc = loadScenario(`scenarios/${f}`);
      const all: Scenario = { ...sc, models: [...sc.models, ...MODEL_NAMES.map((model) => ({ model }))] };
      const runs = simulateScenario(all);
      return { file: f, scenario: all, runs, trace: chromeTrace(all, runs) };
    }),
);
const files = readdirSync('scenarios').filter((f) => f.endsWith('.json'));
const one = (f: string) => shipped().find((s) => s.file === f)!;

/** The tid of the track named `name` in process `pid`. */
function tidOf(trace: ChromeTrace, pid: number, name: string): number {
  const m = trace.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === name);
  if (!m) throw new Error(`no track "${name}" in process ${pid}`);
  return m.tid;
}
const on = (trace: ChromeTrace, pid: number, tid: number, ph: TraceEvent['ph']) => trace.traceEvents.filter((e) => e.pid === pid && e.tid === tid && e.ph === ph);
const US = 1e6;

describe('chromeTrace: times are microseconds', () => {
  const sc = scenario(2, [['a', ['cpu', 0.25]], ['b', ['io', 0.5]]], [{ model: 'sequential' }]);
  const run = runModel(sc, sc.models[0]);
  const trace = chromeTrace(sc, [run]);
  const cases: [string, () => number | undefined, number][] = [
    ["a's 0.25 s of Python lasts 250,000 µs on its core", () => on(trace, 1, tidOf(trace, 1, 'core 0'), 'X').find((e) => e.name === 'a')?.dur, 0.25 * US],
    ["and on its task's track", () => on(trace, 1, tidOf(trace, 1, 'task: a'), 'X').reduce((s, e) => s + e.dur!, 0), 0.25 * US],
    ["b's 0.5 s of I/O ends 500,000 µs after it begins", () => {
      const [b, e] = trace.traceEvents.filter((x) => x.tid === tidOf(trace, 1, 'task: b') && x.name === 'waits on I/O');
      return e.ts! - b.ts!;
    }, 0.5 * US],
  ];
  it.each(cases)('%s', (_, got, want) => expect(got()).toBeCloseTo(want, 3));

  it('every time is a whole number of nanoseconds (at most 3 decimals of a µs)', () => {
    for (const { trace: t } of shipped()) {
      for (const e of t.traceEvents) for (const x of [e.ts, e.dur]) if (x !== undefined) expect(String(x)).toMatch(/^\d+(\.\d{1,3})?$/);
    }
  });
});

describe('chromeTrace: metadata names every process and thread', () => {
  it.each(files)('%s: each pid a process_name in words, each (pid, tid) with events a thread_name and a sort index', (f) => {
    const { trace, runs, scenario: sc } = one(f);
    const names = (kind: string) => new Map(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === kind).map((e) => [`${e.pid}/${e.tid}`, e.args!]));
    const proc = names('process_name');
    const threads = names('thread_name');
    const sorts = names('thread_sort_index');
    runs.forEach((run, r) => expect(proc.get(`${r + 1}/0`)?.name).toMatch(new RegExp(`^${run.model}: `)));
    expect(trace.metadata.models.map((m) => [m.pid, m.config])).toEqual(runs.map((run, r) => [r + 1, run.config]));
    expect(trace.metadata.scenario).toBe(sc.name);
    for (const e of trace.traceEvents) {
      if (e.ph === 'M' || e.s === 'p') continue;
      expect(threads.has(`${e.pid}/${e.tid}`), `${e.ph} ${e.name} on ${e.pid}/${e.tid}`).toBe(true);
      expect(sorts.has(`${e.pid}/${e.tid}`)).toBe(true);
    }
    runs.forEach((run, r) => {
      const pid = r + 1;
      const order = (name: string) => sorts.get(`${pid}/${tidOf(trace, pid, name)}`)!.sort_index as number;
      const cores = Array.from({ length: run.cores }, (_, c) => order(`core ${c}`));
      const tasks = run.tasks.map((t) => order(`task: ${t.name}`));
      const lanes = [run.model === 'threads' ? order('GIL') : run.model === 'asyncio' ? order('event loop') : Math.max(...cores)];
      const sync = run.sync.filter((l) => l.length).map((l) => order(`${l[0].type} ${l[0].object}`));
      // Cores, then the GIL or the loop, then the tasks, then the sync objects.
      expect(Math.max(...cores)).toBeLessThanOrEqual(Math.min(...lanes));
      expect(Math.max(...lanes)).toBeLessThan(Math.min(...tasks));
      if (sync.length) expect(Math.max(...tasks)).toBeLessThan(Math.min(...sync));
    });
  });

  it('a model is named with its settings, as it ran', () => {
    const sc = loadScenario('scenarios/collatz.json');
    const names = chromeTrace(sc, simulateScenario(sc)).traceEvents.filter((e) => e.name === 'process_name').map((e) => e.args!.name);
    expect(names).toContain('threads: ThreadPoolExecutor(max_workers=4), switch interval 5 ms');
    expect(names).toContain('processes: ProcessPoolExecutor(max_workers=4), start method spawn');
  });
});

describe('chromeTrace: running time', () => {
  it.each(files)('%s: every core segment appears once, as an X event on its core with its ts and dur', (f) => {
    const { trace, runs, scenario: sc } = one(f);
    runs.forEach((run, r) => {
      const pid = r + 1;
      run.coreSegments.forEach((lane, c) => {
        const xs = on(trace, pid, tidOf(trace, pid, `core ${c}`), 'X');
        const segs = lane.filter((s) => s.end > s.start);
        expect(xs.map((e) => [e.name, e.cat, e.args!.task ?? -1, e.args!.step])).toEqual(segs.map((s) => [s.task >= 0 ? sc.tasks[s.task].name : s.threadLabel, s.kind, s.task, s.step]));
        xs.forEach((e, k) => {
          expect(Math.abs(e.ts! - segs[k].start * US)).toBeLessThan(1e-3);
          expect(Math.abs(e.dur! - (segs[k].end - segs[k].start) * US)).toBeLessThan(2e-3);
        });
      });
      // The same running time on each task's track.
      run.tasks.forEach((t, i) => {
        const xs = on(trace, pid, tidOf(trace, pid, `task: ${t.name}`), 'X');
        const segs = run.coreSegments.flat().filter((s) => s.task === i && s.end > s.start);
        expect(xs.length).toBe(segs.length);
        expect(xs.reduce((a, e) => a + e.dur!, 0)).toBeCloseTo(segs.reduce((a, s) => a + (s.end - s.start) * US, 0), 1);
      });
    });
  });

  it('the GIL and the event loop have tracks of their own, one X event per span', () => {
    const { trace, runs } = one('seven-dwarfs.json');
    const pid = (model: string) => runs.findIndex((r) => r.model === model) + 1;
    const threads = runs[pid('threads') - 1];
    expect(on(trace, pid('threads'), tidOf(trace, pid('threads'), 'GIL'), 'X').length).toBe(threads.gil.filter((g) => g.end > g.start).length);
    const asyncio = runs[pid('asyncio') - 1];
    expect(on(trace, pid('asyncio'), tidOf(trace, pid('asyncio'), 'event loop'), 'X').map((e) => e.name)).toEqual(asyncio.loop.map((l) => asyncio.tasks[l.task].name));
  });

  it('a sync object is a track of its own, its spans named by what it holds', () => {
    const { trace, runs } = one('deadlock.json');
    const pid = runs.findIndex((r) => r.model === 'threads') + 1;
    expect(on(trace, pid, tidOf(trace, pid, 'lock alice'), 'X').map((e) => e.name)).toEqual(['held by alice → bob']);
  });
});

describe('chromeTrace: no two X events of a track overlap', () => {
  /** Each (pid, tid)'s X events in file order: sorted, each ending before the next starts (1e-6 µs tolerance). */
  function overlaps(trace: ChromeTrace): string[] {
    const last = new Map<string, TraceEvent>();
    const bad: string[] = [];
    for (const e of trace.traceEvents) {
      if (e.ph !== 'X') continue;
      const k = `${e.pid}/${e.tid}`;
      const p = last.get(k);
      if (!(e.dur! > 0)) bad.push(`${k}: ${e.name} at ${e.ts} is empty`);
      if (p && p.ts! + p.dur! > e.ts! + 1e-6) bad.push(`${k}: ${p.name} at ${p.ts} + ${p.dur} runs past ${e.name} at ${e.ts}`);
      last.set(k, e);
    }
    return bad;
  }
  it.each(files)('%s, every model', (f) => expect(overlaps(one(f).trace)).toEqual([]));

  it('not even when the input overlaps, has empty or endless segments, or runs past its end', () => {
    const sc = scenario(1, [['a', ['cpu', 0.1]], ['b', ['cpu', 0.1]]], [{ model: 'sequential' }]);
    const run: ModelRun = structuredClone(runModel(sc, sc.models[0]));
    const lane = run.coreSegments[0];
    const a = lane.find((s) => s.task === 0)!;
    const b = lane.find((s) => s.task === 1)!;
    b.start = a.end - 1e-9; // floating error: b starts a nanosecond before a ends
    lane.push({ ...b, start: b.end, end: b.end }, { ...b, start: b.end, end: Infinity }, { ...b, start: run.makespan + 1, end: run.makespan + 2 });
    run.taskSpans[0].push({ task: 0, state: 'io', start: run.makespan - 0.01, end: Infinity, step: 0 });
    const trace = chromeTrace(sc, [run]);
    expect(overlaps(trace)).toEqual([]);
    expect(JSON.stringify(trace.traceEvents)).not.toMatch(/null/);
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    const end = run.makespan * US;
    for (const e of trace.traceEvents) if (e.ts !== undefined) expect(e.ts + (e.dur ?? 0)).toBeLessThanOrEqual(end + 1e-6);
  });
});

describe('chromeTrace: waits are async pairs', () => {
  it.each(files)('%s: each wait a b/e pair, balanced, matched by id, name and cat, never ending before it began', (f) => {
    const { trace, runs } = one(f);
    const open = new Map<string, TraceEvent>();
    const pairs: [TraceEvent, TraceEvent][] = [];
    for (const e of trace.traceEvents) {
      if (e.ph === 'b') {
        expect(open.has(e.id2!.local)).toBe(false);
        open.set(e.id2!.local, e);
      } else if (e.ph === 'e') {
        const b = open.get(e.id2!.local);
        expect(b, `an e with id ${e.id2?.local} ends nothing`).toBeDefined();
        expect([e.name, e.cat, e.pid, e.tid]).toEqual([b!.name, b!.cat, b!.pid, b!.tid]);
        expect(e.ts!).toBeGreaterThan(b!.ts!);
        open.delete(e.id2!.local);
        pairs.push([b!, e]);
      }
    }
    expect([...open.keys()]).toEqual([]);
    // One pair per wait the simulation recorded.
    const waits = runs.flatMap((run) => run.taskSpans.flat().filter((s) => s.state !== 'running' && s.state !== 'done' && s.end > s.start));
    expect(pairs.length).toBe(waits.length);
    expect(pairs.map(([b]) => b.cat).sort()).toEqual(waits.map((s) => s.state).sort());
  });

  const cases: [string, string, string, string][] = [
    ['a lock wait names the lock', 'deadlock.json', 'threads', 'waits for lock bob'],
    ['a GIL wait', 'convoy.json', 'threads', 'waits for the GIL'],
    ['a wait on a queue', 'bounded-queue.json', 'threads', 'waits on queue items'],
    ['a barrier', 'barrier.json', 'threads', 'waits at barrier start'],
    ['the loop busy elsewhere', 'blocking-loop.json', 'asyncio', 'waits for the event loop'],
    ['I/O', 'seven-dwarfs.json', 'sequential', 'waits on I/O'],
  ];
  it.each(cases)('%s: "%s" %s has "%s"', (_, f, model, name) => {
    const { trace, runs } = one(f);
    const pid = runs.findIndex((r) => r.model === model) + 1;
    expect(trace.traceEvents.some((e) => e.ph === 'b' && e.pid === pid && e.name === name)).toBe(true);
  });
});

describe('chromeTrace: marks are instants', () => {
  it.each(files)('%s: each mark an instant on its task track, the deadlock and the main error on the process', (f) => {
    const { trace, runs, scenario: sc } = one(f);
    runs.forEach((run, r) => {
      const pid = r + 1;
      const instants = trace.traceEvents.filter((e) => e.ph === 'i' && e.pid === pid);
      const marks = instants.filter((e) => e.s === 't');
      expect(marks.map((e) => [e.tid, e.name])).toEqual(run.marks.map((m) => [tidOf(trace, pid, `task: ${sc.tasks[m.task].name}`), m.kind]));
      const proc = instants.filter((e) => e.s === 'p').map((e) => e.name);
      expect(proc).toEqual([...(run.deadlock ? [run.deadlock.cycle ? 'deadlock' : 'stuck'] : []), ...(run.error ? [`${run.error.type} reached the main program`] : [])]);
    });
  });
});

describe('chromeTrace: plain JSON', () => {
  it.each(files)('%s: JSON.stringify round-trips (no NaN, no Infinity), every time within the run', (f) => {
    const { trace, runs } = one(f);
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    for (const e of trace.traceEvents) {
      if (e.ts === undefined) continue;
      expect(e.ts).toBeGreaterThanOrEqual(0);
      expect(e.ts + (e.dur ?? 0)).toBeLessThanOrEqual(runs[e.pid - 1].makespan * US + 1e-6);
    }
  });

  it('a deadlocked run ends at its shown end, past the stall, with its waits closed there', () => {
    const { trace, runs } = one('deadlock.json');
    const r = runs.findIndex((x) => x.model === 'threads');
    const run = runs[r];
    expect(run.deadlock).not.toBeNull();
    const ends = trace.traceEvents.filter((e) => e.pid === r + 1 && e.ph === 'e' && e.cat === 'lock-wait').map((e) => e.ts);
    expect(ends).toEqual([run.makespan * US, run.makespan * US].map((x) => Math.round(x * 1e3) / 1e3));
    expect(run.makespan).toBeGreaterThan(run.deadlock!.at);
    expect(trace.metadata.models[r].deadlock).toEqual({ at: expect.closeTo(run.deadlock!.at, 9), cycle: true });
  });

  it("reads back with the project's own trace reader: a run per model, its config, each task's segments once", () => {
    const { trace, runs, scenario: sc } = one('seven-dwarfs.json');
    const back = parseTrace(JSON.parse(JSON.stringify(trace)));
    if (!back.ok) throw new Error(back.errors.join('\n'));
    expect(back.capture.format).toBe('capture');
    expect(back.capture.runs.map((c) => c.config)).toEqual(runs.map((r) => r.config));
    back.capture.runs.forEach((c, r) => {
      expect(c.tasks.map((t) => t.name)).toEqual(sc.tasks.map((t) => t.name));
      expect(c.tasks.map((t) => t.steps.length)).toEqual(sc.tasks.map((_, i) => runs[r].coreSegments.flat().filter((s) => s.task === i).length));
    });
  });
});
