import type { ModelRun, SegmentKind, SyncSpan, TaskState } from '../../sim/timeline.ts';
import { SYNC_WAITS } from '../../sim/timeline.ts';
import type { CapturedRun, CapturedStep } from '../../sim/trace.ts';
import type { Scenario, Seconds, Step, StepKind } from '../../sim/types.ts';
import { duration } from '../format.ts';
import { objectLanes, placeCorePins, taskPins, waitLabel, waitWords } from './objects.ts';
import type { PinKind } from './paint.ts';

/**
 * What a mark looks like: a task's colour with the pattern of its kind of work (`hold`: holding a lock, or arrived at
 * a barrier), a state's own colour, or a synchronisation object's own ink (a queue's items, an event set).
 */
export type Paint =
  | { by: 'task'; task: number; kind: SegmentKind | 'gil' | 'loop-cpu' | 'loop-native' | 'loop-blocking' | 'io' | 'hold' }
  | { by: 'state'; state: TaskState }
  | { by: 'object'; type: SyncSpan['type'] };

/**
 * One paint's part of a mark that is not one paint end to end: its share of the lane's height, 0–1, drawn as stacked
 * bands from the bottom up. A mark standing for many slices too narrow to draw apart (pixels.ts) has a part per paint,
 * as tall as its share of the time; an object's mark has one per holder (a semaphore's, a barrier's arrivals) or its
 * fill (a queue's items against its maxsize). The shares sum to at most 1; the rest is left empty.
 */
export interface Part {
  paint: Paint;
  share: number;
  /** What the paint stands for (a task's name, a state): for the tooltip. */
  label: string;
}

export interface Mark {
  start: Seconds;
  end: Seconds;
  paint: Paint;
  /** Short text drawn in the bar where it fits. */
  label: string;
  /** Full text for the tooltip and screen readers, made when asked: a heavy run has 50,000 marks and one tooltip. */
  detail: () => string;
  /** Drawn as these stacked bands instead of one fill of `paint` (an empty list: nothing drawn, the tooltip stays). */
  parts?: Part[];
}

/** An instant marked on a lane: an exception raised, a task cancelled, a process dead, updates lost, a deadlock. */
export interface Pin {
  at: Seconds;
  kind: PinKind;
  /** `lost`: the updates lost. */
  count?: number;
  detail: () => string;
}

export interface Lane {
  id: string;
  label: string;
  /** Thin rows: the waiting band. */
  thin?: boolean;
  /**
   * A core that runs nothing for the whole run: drawn thin, saying "idle". Cores doing nothing while tasks wait is
   * the lesson, so the lane stays; its room goes to the lanes that carry the story.
   */
  idle?: boolean;
  /** Heading drawn above this lane (starts a band). */
  band?: string;
  /** A synchronisation object's lane: which kind of object. */
  object?: SyncSpan['type'];
  /** The lane label's tooltip, when it says more than the label ("semaphore pool" for "pool"). */
  title?: string;
  marks: Mark[];
  /** Instants marked on the lane, by time. */
  pins?: Pin[];
}

/** One lane per core (with the GIL or loop and the waiting band), one per task by state, or one per task by step. */
export type ChartView = 'cores' | 'tasks' | 'steps';

const KIND_TEXT: Record<SegmentKind, string> = {
  python: 'pure Python, holding the GIL',
  native: 'native code, GIL released',
  startup: 'worker process start-up',
  overhead: 'overhead (submit, pickle, dispatch)',
};
export const STATE_TEXT: Record<TaskState, string> = {
  queued: 'queued',
  running: 'running',
  'cpu-wait': 'waiting for a core',
  'gil-wait': 'waiting for the GIL',
  io: 'waiting on I/O',
  blocked: 'blocked by the busy event loop',
  'lock-wait': 'waiting for a lock',
  'queue-wait': 'waiting on a queue',
  'event-wait': 'waiting for an event',
  'barrier-wait': 'waiting at a barrier',
  done: 'done',
};

/**
 * A wait that is a blocking call on the event loop (`time.sleep` in a coroutine): the loop's running task, stopping
 * every other one, not a task waiting aside. Only asyncio has a loop to block.
 */
export function blocksLoop(run: ModelRun, sc: Scenario, task: number, state: TaskState, step: number): boolean {
  const s = step >= 0 ? sc.tasks[task].steps[step] : undefined;
  return run.model === 'asyncio' && state === 'io' && s?.kind === 'io' && !!s.blocking;
}
export const BLOCKING_TEXT = 'blocking the loop';

const span = (a: Seconds, b: Seconds) => `${duration(a)} → ${duration(b)} (${duration(b - a)})`;

function taskLabel(sc: Scenario, task: number, who = 'main'): string {
  return task >= 0 ? sc.tasks[task].name : who;
}
function stepText(sc: Scenario, task: number, step: number): string {
  if (task < 0 || step < 0) return '';
  const s = sc.tasks[task].steps[step];
  return `, step ${step + 1} of ${sc.tasks[task].steps.length} (${stepWords(s)})`;
}

/** A step in a few words: its kind, and the object or value it names. */
export function stepWords(s: Step): string {
  switch (s.kind) {
    case 'io':
      return s.blocking ? 'io, blocking' : 'io';
    case 'acquire':
    case 'release':
      return `${s.kind} ${s.lock}`;
    case 'put':
    case 'get':
      return `${s.kind} ${s.queue}`;
    case 'set':
    case 'wait':
      return `${s.kind} ${s.event}`;
    case 'barrier':
      return `barrier ${s.barrier}`;
    case 'update':
      return `update ${s.shared} ×${s.times.toLocaleString('en')}${s.lock ? ` under ${s.lock}` : ''}`;
    case 'iterate':
      return `iterate ${s.shared}`;
    case 'raise':
      return `raise ${s.error}`;
    default:
      return s.kind;
  }
}

/** A core's lane: what ran on it, coloured by task, patterned by kind of work. */
function coreLane(run: ModelRun, sc: Scenario, segs: ModelRun['coreSegments'][number], core: number): Lane {
  return {
    id: `core-${core}`,
    label: `CPU ${core}`,
    marks: segs.map((s) => ({
      start: s.start,
      end: s.end,
      paint: { by: 'task', task: s.task, kind: s.kind },
      label: run.model === 'processes' ? `${taskLabel(sc, s.task, s.threadLabel)} · ${s.threadLabel.replace('worker ', 'w')}` : taskLabel(sc, s.task, s.threadLabel),
      detail: () => `${taskLabel(sc, s.task, s.threadLabel)} on CPU ${core} (${s.threadLabel}): ${KIND_TEXT[s.kind]}${stepText(sc, s.task, s.step)}, ${span(s.start, s.end)}`,
    })),
  };
}

/**
 * Lanes already built, by run: a run is simulated from one scenario (the simulator keeps results by content, names
 * included), so its lanes never change. Building a dense run's lanes takes tens of milliseconds: a story's next step
 * builds them while the speaker talks (`lanesOf` ahead), and its click only draws them.
 */
const built = new WeakMap<ModelRun, Partial<Record<ChartView, Lane[]>>>();
export function lanesOf(run: ModelRun, sc: Scenario, view: ChartView): Lane[] {
  let byView = built.get(run);
  if (!byView) built.set(run, (byView = {}));
  return (byView[view] ??= buildLanes(run, sc, view));
}

/** How a step bar is painted: pure Python, native code or a wait, in its task's colour; another tool's call as Python. */
const STEP_PAINT: Record<StepKind | 'call', 'python' | 'native' | 'io'> = {
  cpu: 'python',
  native: 'native',
  io: 'io',
  call: 'python',
  update: 'python',
  iterate: 'python',
  // A sync call's bar, from its call to its return, is mostly waiting.
  acquire: 'io',
  release: 'io',
  put: 'io',
  get: 'io',
  set: 'io',
  wait: 'io',
  barrier: 'io',
  raise: 'python',
  crash: 'python',
};

function stepMark(task: number, taskName: string, s: Pick<CapturedStep, 'kind' | 'name' | 'start' | 'end'>, where: string): Mark {
  return {
    start: s.start,
    end: s.end,
    paint: { by: 'task', task, kind: STEP_PAINT[s.kind] },
    label: s.name,
    detail: () => `${taskName}: ${where} (${s.name}), ${span(s.start, s.end)}`,
  };
}

/**
 * A simulated run as a capture sees it: each task's steps, each from its start to its end, whatever it waited for
 * meanwhile (a step starts when the task first runs it, or waits for the GIL to run it; it ends when the next begins).
 */
function stepLanes(run: ModelRun, sc: Scenario): Lane[] {
  return run.taskSpans.map((spans, task) => {
    const marks: Mark[] = [];
    const steps = sc.tasks[task].steps;
    let open: { step: number; start: Seconds; end: Seconds } | null = null;
    const close = () => {
      if (!open) return;
      const s = steps[open.step];
      marks.push(stepMark(task, sc.tasks[task].name, { kind: s.kind, name: s.kind, start: open.start, end: open.end }, `step ${open.step + 1} of ${steps.length}`));
      open = null;
    };
    for (const s of spans) {
      if (s.state === 'done' || s.state === 'queued' || s.step < 0 || s.end <= s.start) continue;
      if (open && open.step === s.step) open.end = s.end;
      else {
        close();
        open = { step: s.step, start: s.start, end: s.end };
      }
    }
    close();
    return { id: `task-${task}`, label: sc.tasks[task].name, marks };
  });
}

/** A real run's lanes: one per task, its steps as the clock saw them (the same marks as `stepLanes`). */
export function capturedLanes(c: CapturedRun): Lane[] {
  return c.tasks.map((t, task) => ({
    id: `task-${task}`,
    label: t.name,
    marks: t.steps.map((s, i) => stepMark(task, t.name, s, `${s.kind === 'call' ? 'call' : 'step'} ${i + 1} of ${t.steps.length} on ${s.thread}`)),
  }));
}

/**
 * Lanes of one run: cores, then the GIL or event loop, the band of synchronisation objects, then the waiting band (or
 * one lane per task, then the objects' band); the run's instant marks (`RunMark`) on the lanes where they happened.
 */
export function buildLanes(run: ModelRun, sc: Scenario, view: ChartView): Lane[] {
  if (view === 'steps') return stepLanes(run, sc);
  if (view === 'tasks') {
    const lanes = run.taskSpans.map((spans, task): Lane => ({
      id: `task-${task}`,
      label: sc.tasks[task].name,
      marks: spans
        .filter((s) => s.state !== 'done' && s.end > s.start)
        .map((s): Mark => {
          if (blocksLoop(run, sc, task, s.state, s.step)) {
            return {
              start: s.start,
              end: s.end,
              paint: { by: 'task', task, kind: 'loop-blocking' },
              label: BLOCKING_TEXT,
              detail: () => `${sc.tasks[task].name}: in a blocking call, holding the event loop (no other task runs)${stepText(sc, task, s.step)}, ${span(s.start, s.end)}`,
            };
          }
          if (isSyncWait(s.state)) {
            const forever = stuck(run, task, s.end) ? `, for ever: the program hangs (${run.deadlock?.cycle ? 'deadlock' : 'nobody is left to end the wait'})` : '';
            return {
              start: s.start,
              end: s.end,
              paint: { by: 'state', state: s.state },
              label: waitLabel(s),
              detail: () => `${sc.tasks[task].name}: ${waitWords(run, sc, s)}${stepText(sc, task, s.step)}, ${span(s.start, s.end)}${forever}`,
            };
          }
          return {
            start: s.start,
            end: s.end,
            paint: { by: 'state', state: s.state },
            label: STATE_TEXT[s.state],
            detail: () => `${sc.tasks[task].name}: ${STATE_TEXT[s.state]}${stepText(sc, task, s.step)}, ${span(s.start, s.end)}`,
          };
        }),
    }));
    const pins = taskPins(run, sc);
    lanes.forEach((l, task) => {
      if (pins[task]?.length) l.pins = pins[task];
    });
    return [...lanes, ...objectLanes(run, sc)];
  }
  const lanes: Lane[] = [];
  run.coreSegments.forEach((segs, core) => {
    // Cores idle for the whole run, next to each other, share one thin lane ("CPU 1–3 idle").
    const prev = lanes[lanes.length - 1];
    if (!segs.length && prev?.idle) {
      const first = prev.id.split('-')[1];
      prev.id = `core-${first}-${core}`;
      prev.label = `CPU ${first}–${core} idle`;
      return;
    }
    if (!segs.length) {
      lanes.push({ id: `core-${core}`, label: `CPU ${core} idle`, idle: true, marks: [] });
      return;
    }
    lanes.push(coreLane(run, sc, segs, core));
  });
  if (run.model === 'threads') {
    lanes.push({
      id: 'gil',
      label: 'GIL',
      marks: run.gil.map((g) => ({
        start: g.start,
        end: g.end,
        paint: { by: 'task', task: g.task, kind: 'gil' },
        label: taskLabel(sc, g.task),
        detail: () => `${taskLabel(sc, g.task)} holds the GIL${g.forced ? ' (taken by a drop request)' : ''}, ${span(g.start, g.end)}`,
      })),
    });
  }
  if (run.model === 'asyncio') {
    lanes.push({
      id: 'loop',
      label: 'event loop',
      marks: run.loop.map((l) => ({
        start: l.start,
        end: l.end,
        paint: { by: 'task', task: l.task, kind: l.kind === 'cpu' ? 'loop-cpu' : l.kind === 'native' ? 'loop-native' : 'loop-blocking' },
        label: `${taskLabel(sc, l.task)}${l.kind === 'blocking-io' ? ' (blocking!)' : ''}`,
        detail: () => `the loop runs ${taskLabel(sc, l.task)}: ${l.kind === 'blocking-io' ? 'a blocking call, the loop is stalled' : l.kind === 'cpu' ? 'pure Python' : 'native code'}${stepText(sc, l.task, l.step)}, ${span(l.start, l.end)}`,
      })),
    });
  }
  lanes.push(...objectLanes(run, sc));
  let first = true;
  run.taskSpans.forEach((spans, task) => {
    // A blocking call is not a wait aside: the loop lane shows it, running.
    const io = spans.filter((s) => s.state === 'io' && s.end > s.start && !blocksLoop(run, sc, task, s.state, s.step));
    if (!io.length) return;
    lanes.push({
      id: `wait-${task}`,
      label: sc.tasks[task].name,
      thin: true,
      band: first ? 'waiting on I/O (no core)' : undefined,
      marks: io.map((s) => ({
        start: s.start,
        end: s.end,
        paint: { by: 'task', task, kind: 'io' },
        label: '',
        detail: () => `${sc.tasks[task].name} waits on I/O${stepText(sc, task, s.step)}, ${span(s.start, s.end)}`,
      })),
    });
    first = false;
  });
  placeCorePins(run, sc, lanes);
  return lanes;
}

const isSyncWait = (s: TaskState): boolean => (SYNC_WAITS as readonly TaskState[]).includes(s);
/** A wait still open when a deadlocked run is cut off: it never ends. */
const stuck = (run: ModelRun, task: number, end: Seconds): boolean => !!run.deadlock?.tasks.some((t) => t.task === task) && end >= run.makespan - 1e-9;

/**
 * The waiting band folded into one lane, for the stage, where a row per task would be shorter than the type that
 * labels it: at each instant the tasks then waiting on I/O, stacked from the bottom in task order, each a slice 1/n of
 * the row (n: the band's lanes), so the stack's height is how many wait and the colours say who (as Perfetto shows a
 * folded track group by its summary track). The band's instant marks move to it. Lanes with one waiting task or none
 * are returned as they are.
 */
export function foldWaiting(lanes: Lane[]): Lane[] {
  const cached = folded.get(lanes);
  if (cached) return cached;
  const band = lanes.filter((l) => l.id.startsWith('wait-'));
  if (band.length < 2) return lanes;
  const n = band.length;
  const edges: { at: Seconds; lane: number; open: boolean }[] = [];
  band.forEach((l, i) => {
    for (const m of l.marks) {
      edges.push({ at: m.start, lane: i, open: true }, { at: m.end, lane: i, open: false });
    }
  });
  // Ends before starts at one instant: a task that stops waiting as another starts is not counted twice.
  edges.sort((a, b) => a.at - b.at || Number(a.open) - Number(b.open));
  const open = new Array<number>(n).fill(0);
  const marks: Mark[] = [];
  let key = '';
  for (let e = 0; e < edges.length; ) {
    const at = edges[e].at;
    for (; e < edges.length && edges[e].at === at; e++) open[edges[e].lane] += edges[e].open ? 1 : -1;
    const last = marks[marks.length - 1];
    if (last && last.end === Infinity) last.end = at;
    const who = band.map((_, i) => i).filter((i) => open[i] > 0);
    const k = who.join(',');
    if (!who.length || e === edges.length) {
      key = '';
      continue;
    }
    // The same tasks waiting on: one mark goes on.
    if (k === key && last && last.end === at) {
      last.end = Infinity;
      continue;
    }
    key = k;
    const m: Mark = {
      start: at,
      end: Infinity,
      paint: band[who[0]].marks[0].paint,
      label: '',
      parts: who.map((i) => ({ paint: band[i].marks[0].paint, share: 1 / n, label: band[i].label })),
      detail: () => `waiting on I/O: ${who.map((i) => band[i].label).join(', ')}, ${span(m.start, m.end)}`,
    };
    marks.push(m);
  }
  const pins = band.flatMap((l) => l.pins ?? []).sort((a, b) => a.at - b.at);
  const lane: Lane = { id: 'wait-all', label: `${n} tasks`, title: band.map((l) => l.label).join(', '), band: band[0].band, marks };
  if (pins.length) lane.pins = pins;
  const out = [...lanes.filter((l) => !l.id.startsWith('wait-')), lane];
  folded.set(lanes, out);
  return out;
}
const folded = new WeakMap<Lane[], Lane[]>();

/**
 * A deadlocked run's waits and holds never end: its marks still open where its drawing stops (a quarter past the
 * stall) go on to `end`, the axis's end, under the "hangs for ever" hatching, instead of stopping 50 ms into it. Any
 * other run's marks are returned as they are.
 */
export function foreverMarks(marks: Mark[], run: Pick<ModelRun, 'deadlock' | 'makespan'>, end: Seconds): Mark[] {
  if (!run.deadlock || end <= run.makespan) return marks;
  return marks.map((m) => (m.end >= run.makespan - 1e-9 ? { ...m, end } : m));
}
