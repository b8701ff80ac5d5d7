import { modelWords } from './config.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from './profile.ts';
import { NO_TASK, type ModelRun, type TaskSpan } from './timeline.ts';
import type { ModelConfig, Scenario, Seconds } from './types.ts';

/*
 * Simulated runs as Chrome Trace Event JSON, for Perfetto (ui.perfetto.dev) and chrome://tracing. Pure: no DOM.
 *
 * One trace process per run (`pid` = run index + 1). Its threads (`tid`), in this order: one per core, the GIL
 * (threads) or the event loop (asyncio), one per task, one per synchronisation object. Running time is complete
 * events (`X`) on its core's track and on its task's; waits are async begin/end pairs (`b`/`e`), so that no two `X`
 * events of one track ever overlap; marks are instants (`i`). Times are microseconds (seconds × 1e6) rounded to
 * 3 decimals (whole nanoseconds); nothing lies outside [0, the run's makespan], which for a deadlocked run is its
 * shown end, past the stall. `metadata` times are seconds, as the project's capture writes them (trace.ts reads
 * both back: the core events carry `args.task` and `args.kind`; the task-track copies do not, so nothing counts
 * twice).
 */

export interface TraceEvent {
  ph: 'X' | 'b' | 'e' | 'i' | 'M';
  name: string;
  pid: number;
  tid: number;
  /** Microseconds from the run's start (absent on metadata). */
  ts?: number;
  /** `X` only: microseconds. */
  dur?: number;
  cat?: string;
  /**
   * `b`/`e`: the pair's id, unique in the trace, scoped to its process (`local`): Perfetto and chrome://tracing draw
   * a process's async events under that process, where a plain `id` would be global, at the top of the trace.
   */
  id2?: { local: string };
  /** `i`: thread or process scope. */
  s?: 't' | 'p';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  metadata: {
    tool: string;
    scenario: string;
    cores: number;
    /** Per run: its pid, the words its process is named with, its config; makespan and deadlock in seconds. */
    models: { pid: number; label: string; config: ModelConfig; makespan: Seconds; deadlock: { at: Seconds; cycle: boolean } | null }[];
  };
}

/** Seconds to microseconds, whole nanoseconds. */
const us = (s: Seconds) => Math.round(s * 1e9) / 1e3;
/** Seconds, whole nanoseconds (metadata). */
const sec9 = (s: Seconds) => Math.round(s * 1e9) / 1e9;
/** A difference of two such times, rounded again to whole nanoseconds. */
const ns3 = (x: number) => Math.round(x * 1e3) / 1e3;

/** What a wait is called: the state, and the object for a sync wait. Running and done are no waits. */
const WAITS: Partial<Record<TaskSpan['state'], string>> = {
  queued: 'queued',
  'cpu-wait': 'waits for a core',
  'gil-wait': 'waits for the GIL',
  io: 'waits on I/O',
  blocked: 'waits for the event loop',
  'lock-wait': 'waits for lock',
  'queue-wait': 'waits on queue',
  'event-wait': 'waits for event',
  'barrier-wait': 'waits at barrier',
};

const SEGMENT_WORDS = { python: 'runs Python', native: 'runs native code', startup: 'starts a worker', overhead: 'overhead' };

type Item = { start: Seconds; end: Seconds; e: Omit<TraceEvent, 'ph' | 'ts' | 'dur' | 'pid' | 'tid'> };

/** The runs (of `scenario`, in order) as one trace; `profile` only words the default switch interval. */
export function chromeTrace(scenario: Scenario, runs: ModelRun[], profile: CPythonProfile = DEFAULT_PROFILE): ChromeTrace {
  const out: TraceEvent[] = [];
  let asyncId = 0;
  runs.forEach((run, r) => {
    const pid = r + 1;
    const shown = run.makespan;
    const C = run.coreSegments.length;
    const T = run.tasks.length;
    const taskName = (i: number) => (i === NO_TASK ? 'main' : (run.tasks[i]?.name ?? `task ${i}`));
    // Track ids: cores 1…n, then the GIL, the event loop, the tasks, the sync objects (tid = thread_sort_index).
    const coreTid = (c: number) => 1 + c;
    const gilTid = C + 1;
    const loopTid = C + 2;
    const taskTid = (i: number) => C + 3 + i;
    const syncTid = (j: number) => C + 3 + T + j;
    const meta = (name: string, tid: number, args: Record<string, unknown>) => out.push({ ph: 'M', name, pid, tid, args });
    const thread = (tid: number, name: string) => {
      meta('thread_name', tid, { name });
      meta('thread_sort_index', tid, { sort_index: tid });
    };
    /**
     * One track's complete events: clipped to [0, shown], sorted by start, each starting no earlier than the one
     * before ended (so they never overlap, whatever float error the input has); empty ones dropped.
     */
    const lay = (tid: number, items: Item[]) => {
      let until = 0;
      for (const x of items.sort((a, b) => a.start - b.start)) {
        const ts = Math.max(us(Math.max(0, x.start)), until);
        const end = us(Math.min(x.end, shown));
        if (!(Number.isFinite(end) && end > ts)) continue;
        out.push({ ph: 'X', pid, tid, ts, dur: ns3(end - ts), ...x.e });
        until = end;
      }
    };
    const instant = (tid: number, s: 't' | 'p', at: Seconds, name: string, args: Record<string, unknown>) => {
      const ts = us(Math.min(Math.max(0, at), shown));
      if (Number.isFinite(ts)) out.push({ ph: 'i', s, pid, tid, ts, name, args });
    };

    meta('process_name', 0, { name: modelWords(run.config, scenario, profile) });
    meta('process_sort_index', 0, { sort_index: r });

    // Running: each core segment on its core's track and again on its task's.
    const labels = new Map<number, string>();
    const byTask: Item[][] = Array.from({ length: T }, () => []);
    run.coreSegments.forEach((lane, c) => {
      thread(coreTid(c), `core ${c}`);
      lay(
        coreTid(c),
        lane.map((g) => {
          labels.set(g.thread, g.threadLabel);
          // `kind`: the step's, or the segment's for work between steps (and for work of no task).
          const said = { step: g.step, kind: scenario.tasks[g.task]?.steps[g.step]?.kind ?? g.kind, thread: g.threadLabel };
          byTask[g.task]?.push({ start: g.start, end: g.end, e: { name: SEGMENT_WORDS[g.kind], cat: g.kind, args: { core: c, ...said } } });
          const args = g.task === NO_TASK ? said : { task: g.task, ...said };
          return { start: g.start, end: g.end, e: { name: g.task === NO_TASK ? g.threadLabel : taskName(g.task), cat: g.kind, args } };
        }),
      );
    });

    if (run.model === 'threads') {
      thread(gilTid, 'GIL');
      // Named after the holder, as on its core, so a viewer colours both alike.
      lay(gilTid, run.gil.map((g) => ({ start: g.start, end: g.end, e: { name: g.task === NO_TASK ? (labels.get(g.thread) ?? 'main') : taskName(g.task), cat: 'gil', args: { thread: labels.get(g.thread) ?? g.thread, forced: g.forced } } })));
    }
    if (run.model === 'asyncio') {
      thread(loopTid, 'event loop');
      lay(loopTid, run.loop.map((l) => ({ start: l.start, end: l.end, e: { name: taskName(l.task), cat: l.kind, args: { step: l.step, kind: l.kind } } })));
    }

    run.taskSpans.forEach((spans, i) => {
      const tid = taskTid(i);
      thread(tid, `task: ${taskName(i)}`);
      lay(tid, byTask[i] ?? []);
      // Waits: async pairs (their own rows in a viewer, never stacked on the running bars).
      for (const s of spans) {
        const words = WAITS[s.state];
        const ts = us(Math.max(0, s.start));
        const end = us(Math.min(s.end, shown));
        if (!words || !(Number.isFinite(end) && end > ts)) continue;
        const name = s.on === undefined ? words : `${words} ${s.on}`;
        const e = { name, cat: s.state, pid, tid, id2: { local: `0x${(++asyncId).toString(16)}` } };
        out.push({ ph: 'b', ts, ...e, args: { task: taskName(i), step: s.step } }, { ph: 'e', ts: end, ...e });
      }
    });
    for (const m of run.marks) {
      const args = { text: m.text, ...(m.count === undefined ? {} : { count: m.count }) };
      if (m.task >= 0 && m.task < T) instant(taskTid(m.task), 't', m.at, m.kind, args);
      else instant(0, 'p', m.at, m.kind, args);
    }
    if (run.deadlock) {
      const tasks = run.deadlock.tasks.map((w) => `${taskName(w.task)} waits for ${w.waitsFor}${w.holds.length ? `, holds ${w.holds.join(', ')}` : ''}`);
      instant(0, 'p', run.deadlock.at, run.deadlock.cycle ? 'deadlock' : 'stuck', { tasks });
    }
    if (run.error) instant(0, 'p', run.error.at, `${run.error.type} reached the main program`, { task: run.error.task === NO_TASK ? null : taskName(run.error.task), how: run.error.how });

    // Sync objects: only while they hold something (a lock held, a queue's items, an event set, a barrier's arrivals).
    run.sync.forEach((lane, j) => {
      const first = lane[0];
      if (!first) return;
      thread(syncTid(j), `${first.type} ${first.object}`);
      const parties = scenario.barriers?.[first.object]?.parties;
      const words = (holders: number[], count: number) =>
        first.type === 'lock' ? `held by ${holders.map(taskName).join(', ')}` : first.type === 'queue' ? `${count} item${count === 1 ? '' : 's'}` : first.type === 'event' ? 'set' : `${count} of ${parties} arrived`;
      lay(
        syncTid(j),
        lane.filter((s) => s.count > 0).map((s) => ({ start: s.start, end: s.end, e: { name: words(s.holders, s.count), cat: s.type, args: { holders: s.holders.map(taskName), count: s.count } } })),
      );
    });
  });
  return {
    traceEvents: out,
    displayTimeUnit: 'ms',
    metadata: {
      tool: 'python-concurrency-visualiser (simulated)',
      scenario: scenario.name,
      cores: scenario.cores,
      models: runs.map((run, r) => ({
        pid: r + 1,
        label: modelWords(run.config, scenario, profile),
        config: run.config,
        makespan: sec9(run.makespan),
        deadlock: run.deadlock && { at: sec9(run.deadlock.at), cycle: run.deadlock.cycle },
      })),
    },
  };
}
