import type { ModelRun, RunMark, SegmentKind, TaskState } from '../../sim/timeline.ts';
import type { Scenario } from '../../sim/types.ts';
import type { Paint } from './lanes.ts';

/**
 * Task colours: Okabe & Ito's colour-blind-safe eight, then Paul Tol's muted set. Every kind of work also has its
 * own pattern (see PATTERNS), so the chart survives a washed-out projector and a greyscale print.
 */
export const TASK_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999933', '#882255', '#44AA99', '#117733', '#332288', '#AA4499', '#DDCC77'];
export const NO_TASK_COLOUR = '#8c8c8c';

/**
 * State colours. The four waits on a synchronisation object take the hues the other states leave free (reddish
 * purple, bluish green, yellow, wine), spread over the grey scale (relative luminance 0.29, 0.26, 0.74, 0.07), and
 * each has a pattern no other state has (see `STATE_PATTERNS`): bars for a lock, rows for a queue, back-slanted lines
 * for an event, a checkerboard for a barrier. So no two states look alike in greyscale or on a washed-out projector
 * by colour alone or by pattern alone.
 */
export const STATE_COLOURS: Record<TaskState, string> = {
  running: '#0072B2',
  'cpu-wait': '#9ec9e2',
  'gil-wait': '#E69F00',
  io: '#56B4E9',
  queued: '#d9d9d9',
  blocked: '#D55E00',
  'lock-wait': '#CC79A7',
  'queue-wait': '#009E73',
  'event-wait': '#F0E442',
  'barrier-wait': '#882255',
  done: 'transparent',
};

/**
 * Overlays: `hatch` (white, 45°), `dots`, `cross` (diagonal grid) for the kinds of work and the first states; `bars`
 * (upright), `rows` (level), `slant` (dark, −45°) and `checker` for the synchronisation waits; `none`: plain.
 */
export type PatternId = 'hatch' | 'dots' | 'cross' | 'bars' | 'rows' | 'slant' | 'checker' | 'none';
export const PATTERN_IDS: readonly Exclude<PatternId, 'none'>[] = ['hatch', 'dots', 'cross', 'bars', 'rows', 'slant', 'checker'];

export const STATE_PATTERNS: Record<TaskState, PatternId> = {
  running: 'none',
  'cpu-wait': 'cross',
  'gil-wait': 'hatch',
  io: 'dots',
  queued: 'none',
  blocked: 'hatch',
  'lock-wait': 'bars',
  'queue-wait': 'rows',
  'event-wait': 'slant',
  'barrier-wait': 'checker',
  done: 'none',
};

/** A queue's items and an event's flag belong to no task: one neutral ink, lighter than the grey of work for no task. */
export const OBJECT_COLOUR = '#9a9a9a';

export const taskColour = (task: number) => (task < 0 ? NO_TASK_COLOUR : TASK_COLOURS[task % TASK_COLOURS.length]);

/** How a mark is painted; `ink` is its label's colour where black would not read on the fill (black otherwise). */
export interface PaintStyle {
  fill: string;
  pattern: PatternId;
  opacity: number;
  ink?: string;
}

/** Fill, overlay pattern and opacity of a mark. */
export function paintStyle(p: Paint): PaintStyle {
  if (p.by === 'state') {
    const st: PaintStyle = { fill: STATE_COLOURS[p.state], pattern: STATE_PATTERNS[p.state], opacity: 1 };
    if (p.state === 'barrier-wait') st.ink = '#fff';
    return st;
  }
  if (p.by === 'object') return { fill: OBJECT_COLOUR, pattern: p.type === 'queue' ? 'rows' : 'none', opacity: 1 };
  const fill = taskColour(p.task);
  switch (p.kind) {
    case 'native':
    case 'loop-native':
      return { fill, pattern: 'hatch', opacity: 1 };
    case 'startup':
      // Not dots: those are a wait on I/O, drawn in the same chart (on a dark theme the two greys were one).
      return { fill: NO_TASK_COLOUR, pattern: 'checker', opacity: 1 };
    case 'overhead':
      return { fill: p.task < 0 ? NO_TASK_COLOUR : fill, pattern: 'cross', opacity: 0.8 };
    case 'io':
      return { fill, pattern: 'dots', opacity: 0.7 };
    case 'loop-blocking':
      // Solid: the task that stalls the loop, never hatched like the tasks it keeps blocked (state `blocked`).
      return { fill: STATE_COLOURS.blocked, pattern: 'none', opacity: 1 };
    default:
      return { fill, pattern: 'none', opacity: 1 };
  }
}

/**
 * The legend's swatch for a kind of work, which is drawn in its task's colour: a neutral grey that is no task's colour
 * (and lighter than the grey of work done for no task).
 */
export const KIND_SWATCH = '#bdbdbd';

export interface LegendItem {
  label: string;
  fill: string;
  pattern: PatternId;
  opacity: number;
  /** Whether a run's per-core chart draws marks of this kind. */
  drawn: (r: ModelRun) => boolean;
}
const hasKind = (r: ModelRun, kind: SegmentKind) => r.coreSegments.some((lane) => lane.some((s) => s.kind === kind && s.end > s.start));
const hasState = (r: ModelRun, state: TaskState) => r.taskSpans.some((lane) => lane.some((s) => s.state === state && s.end > s.start));
const hasLoop = (r: ModelRun, kind: ModelRun['loop'][number]['kind']) => r.loop.some((l) => l.kind === kind);
export const LEGEND: LegendItem[] = [
  { label: 'pure Python (holds the GIL)', fill: KIND_SWATCH, pattern: 'none', opacity: 1, drawn: (r) => hasKind(r, 'python') || hasLoop(r, 'cpu') },
  { label: 'native code (GIL released)', fill: KIND_SWATCH, pattern: 'hatch', opacity: 1, drawn: (r) => hasKind(r, 'native') || hasLoop(r, 'native') },
  { label: 'waiting on I/O (no core)', fill: KIND_SWATCH, pattern: 'dots', opacity: paintStyle({ by: 'task', task: 0, kind: 'io' }).opacity, drawn: (r) => hasState(r, 'io') },
  { label: 'process start-up', fill: NO_TASK_COLOUR, pattern: 'checker', opacity: 1, drawn: (r) => hasKind(r, 'startup') },
  { label: 'overhead (submit, pickle)', fill: NO_TASK_COLOUR, pattern: 'cross', opacity: 0.8, drawn: (r) => hasKind(r, 'overhead') },
  { label: 'loop blocked', fill: STATE_COLOURS.blocked, pattern: 'none', opacity: 1, drawn: (r) => hasLoop(r, 'blocking-io') },
];
export const STATE_LEGEND: TaskState[] = ['running', 'cpu-wait', 'gil-wait', 'io', 'blocked', 'queued'];

/**
 * The legend's entries for what the runs on screen draw (a threads chart has no loop to block, a sequential one no
 * process start-up), in the legend's order: per core `LEGEND`'s, per task `STATE_LEGEND`'s and whether a blocking call
 * holds a loop. With no runs (a question's run, still hidden), every entry: the legend gives nothing away.
 */
export function legendEntries(runs?: readonly ModelRun[]): { kinds: LegendItem[]; states: TaskState[]; blocking: boolean } {
  if (!runs?.length) return { kinds: LEGEND, states: STATE_LEGEND, blocking: true };
  return {
    kinds: LEGEND.filter((l) => runs.some(l.drawn)),
    states: STATE_LEGEND.filter((s) => runs.some((r) => hasState(r, s))),
    blocking: runs.some((r) => hasLoop(r, 'blocking-io')),
  };
}

/** What an instant mark (`RunMark`) looks like: a small badge, drawn the same in SVG and on a canvas (glyphs.ts). */
export type PinKind = RunMark['kind'];
/** Which glyph a cluster of marks too close to draw apart shows: the gravest of them. */
export const PIN_ORDER: readonly PinKind[] = ['deadlock', 'crash', 'broken', 'raised', 'cancelled', 'lost'];
export const PIN_TEXT: Record<PinKind, string> = {
  raised: 'raised an exception',
  cancelled: 'cancelled',
  broken: 'broken: its process died',
  crash: 'the process crashed',
  lost: 'lost updates (a stale write)',
  deadlock: 'deadlocked here',
};

/** The waits on a synchronisation object, in the legend's order, and the object each waits on. */
export const SYNC_STATE_LEGEND: readonly [TaskState, 'locks' | 'queues' | 'events' | 'barriers'][] = [
  ['lock-wait', 'locks'],
  ['queue-wait', 'queues'],
  ['event-wait', 'events'],
  ['barrier-wait', 'barriers'],
];

/** What the legend adds for the runs on screen: only what they have (a run without locks has no "waiting for a lock"). */
export interface LegendExtras {
  /** Waits on objects some task of the runs had (per-task view). */
  states: TaskState[];
  /** The kinds of object lane drawn; `semaphore`: some lock has several holders. */
  objects: ('lock' | 'semaphore' | 'queue' | 'event' | 'barrier')[];
  /** The instant marks drawn, in `PIN_ORDER`. */
  pins: PinKind[];
  /** Some run deadlocked: its rest is drawn as hanging for ever. */
  hang: boolean;
}

/**
 * The legend's extra entries for a scenario's runs. Without the runs, what the scenario can give rise to: the waits on
 * the objects it declares, the marks its steps can make (a `raise`, a `crash`, an `update`), a hang if it has objects.
 */
export function legendExtras(sc: Scenario, runs?: readonly ModelRun[]): LegendExtras {
  const objects: LegendExtras['objects'] = [];
  const locks = Object.values(sc.locks ?? {});
  if (locks.some((l) => l.type !== 'Semaphore' || (l.value ?? 1) === 1)) objects.push('lock');
  if (locks.some((l) => l.type === 'Semaphore' && (l.value ?? 1) > 1)) objects.push('semaphore');
  if (Object.keys(sc.queues ?? {}).length) objects.push('queue');
  if (Object.keys(sc.events ?? {}).length) objects.push('event');
  if (Object.keys(sc.barriers ?? {}).length) objects.push('barrier');
  if (runs) {
    const had = new Set<TaskState>();
    for (const r of runs) for (const spans of r.taskSpans) for (const s of spans) if (s.end > s.start) had.add(s.state);
    const kinds = new Set(runs.flatMap((r) => (r.marks ?? []).map((m) => m.kind)));
    return {
      states: SYNC_STATE_LEGEND.map(([s]) => s).filter((s) => had.has(s)),
      objects,
      pins: PIN_ORDER.filter((k) => kinds.has(k)),
      hang: runs.some((r) => !!r.deadlock),
    };
  }
  const declared = { locks: !!locks.length, queues: objects.includes('queue'), events: objects.includes('event'), barriers: objects.includes('barrier') };
  const steps = new Set(sc.tasks.flatMap((t) => t.steps.map((s) => (s.kind === 'update' && s.shape === 'call' && !s.lock ? 'lost' : s.kind))));
  const pins: PinKind[] = [];
  if (objects.length) pins.push('deadlock');
  if (steps.has('crash')) pins.push('crash', 'broken');
  if (steps.has('raise') || steps.has('iterate')) pins.push('raised');
  if (steps.has('lost')) pins.push('lost');
  return {
    states: SYNC_STATE_LEGEND.filter(([, o]) => declared[o]).map(([s]) => s),
    objects,
    pins: PIN_ORDER.filter((k) => pins.includes(k)),
    hang: objects.length > 0,
  };
}

/** The legend's words for object lanes, instant marks and the hang after a deadlock (Legend.svelte, the SVG export). */
export const LEGEND_TEXT = {
  lock: 'lock: its holder, in the holder’s colour',
  semaphore: 'semaphore: its holders, stacked',
  queue: 'queue: items, filled against maxsize (2/2)',
  event: 'event: set',
  barrier: 'barrier: arrivals, stacked (2/3)',
  deadlock: 'deadlocked',
  crash: 'process died',
  broken: 'process died',
  raised: 'raised an exception',
  cancelled: 'cancelled',
  lost: 'updates lost (how many)',
  hang: 'after a deadlock: hangs for ever',
} as const satisfies Record<string, string>;
