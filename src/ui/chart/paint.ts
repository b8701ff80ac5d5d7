import type { TaskState } from '../../sim/timeline.ts';
import type { Paint } from './lanes.ts';

/**
 * Task colours: Okabe & Ito's colour-blind-safe eight, then Paul Tol's muted set. Every kind of work also has its
 * own pattern (see PATTERNS), so the chart survives a washed-out projector and a greyscale print.
 */
export const TASK_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999933', '#882255', '#44AA99', '#117733', '#332288', '#AA4499', '#DDCC77'];
export const NO_TASK_COLOUR = '#8c8c8c';

export const STATE_COLOURS: Record<TaskState, string> = {
  running: '#0072B2',
  'cpu-wait': '#9ec9e2',
  'gil-wait': '#E69F00',
  io: '#56B4E9',
  queued: '#d9d9d9',
  blocked: '#D55E00',
  'lock-wait': '#CC79A7',
  'queue-wait': '#009E73',
  'event-wait': '#882255',
  'barrier-wait': '#999933',
  done: 'transparent',
};

export type PatternId = 'hatch' | 'dots' | 'cross' | 'none';

export const taskColour = (task: number) => (task < 0 ? NO_TASK_COLOUR : TASK_COLOURS[task % TASK_COLOURS.length]);

/** Fill, overlay pattern and opacity of a mark. */
export function paintStyle(p: Paint): { fill: string; pattern: PatternId; opacity: number } {
  if (p.by === 'state') {
    const pattern: PatternId = p.state === 'gil-wait' || p.state === 'blocked' || p.state === 'lock-wait' ? 'hatch' : p.state === 'io' || p.state === 'event-wait' ? 'dots' : p.state === 'cpu-wait' || p.state === 'queue-wait' || p.state === 'barrier-wait' ? 'cross' : 'none';
    return { fill: STATE_COLOURS[p.state], pattern, opacity: 1 };
  }
  const fill = taskColour(p.task);
  switch (p.kind) {
    case 'native':
    case 'loop-native':
      return { fill, pattern: 'hatch', opacity: 1 };
    case 'startup':
      return { fill: NO_TASK_COLOUR, pattern: 'dots', opacity: 1 };
    case 'overhead':
      return { fill: p.task < 0 ? NO_TASK_COLOUR : fill, pattern: 'cross', opacity: 0.8 };
    case 'io':
      return { fill, pattern: 'dots', opacity: 0.7 };
    case 'loop-blocking':
      return { fill: STATE_COLOURS.blocked, pattern: 'hatch', opacity: 1 };
    default:
      return { fill, pattern: 'none', opacity: 1 };
  }
}

/**
 * The legend's swatch for a kind of work, which is drawn in its task's colour: a neutral grey that is no task's colour
 * (and lighter than the grey of work done for no task).
 */
export const KIND_SWATCH = '#bdbdbd';

export const LEGEND: { label: string; fill: string; pattern: PatternId; opacity: number }[] = [
  { label: 'pure Python (holds the GIL)', fill: KIND_SWATCH, pattern: 'none', opacity: 1 },
  { label: 'native code (GIL released)', fill: KIND_SWATCH, pattern: 'hatch', opacity: 1 },
  { label: 'waiting on I/O (no core)', fill: KIND_SWATCH, pattern: 'dots', opacity: paintStyle({ by: 'task', task: 0, kind: 'io' }).opacity },
  { label: 'process start-up', fill: NO_TASK_COLOUR, pattern: 'dots', opacity: 1 },
  { label: 'overhead (submit, pickle)', fill: NO_TASK_COLOUR, pattern: 'cross', opacity: 0.8 },
  { label: 'loop blocked', fill: STATE_COLOURS.blocked, pattern: 'hatch', opacity: 1 },
];
export const STATE_LEGEND: TaskState[] = ['running', 'cpu-wait', 'gil-wait', 'io', 'blocked', 'queued'];
