import { assertEvent, assign, setup } from 'xstate';
import type { Seconds } from '../../sim/types.ts';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;

export interface PlayerContext {
  /** The playhead, in simulated seconds. */
  time: Seconds;
  /** End of the timeline (the longest makespan shown). */
  end: Seconds;
  /** Simulated seconds per real second. */
  speed: number;
  /** Instants where something changes (segment starts/ends), sorted: what "step" moves between. */
  marks: Seconds[];
}

export type PlayerEvent =
  | { type: 'PLAY' }
  | { type: 'PAUSE' }
  | { type: 'TOGGLE' }
  | { type: 'RESTART' }
  | { type: 'TICK'; wallSeconds: number }
  | { type: 'SEEK'; time: Seconds }
  | { type: 'STEP'; direction: 1 | -1 }
  | { type: 'SPEED'; speed: number }
  | { type: 'LOAD'; end: Seconds; marks: Seconds[]; time?: Seconds };

const clamp = (t: number, end: number) => Math.min(Math.max(0, Number.isFinite(t) ? t : 0), end);

/** First mark strictly after (direction 1) or before (-1) `t`; the ends of the timeline otherwise. */
export function stepTarget(marks: Seconds[], t: Seconds, direction: 1 | -1, end: Seconds): Seconds {
  const eps = 1e-9;
  // Stryker disable next-line EqualityOperator: direction is 1 or -1, never 0
  if (direction > 0) {
    let lo = 0;
    let hi = marks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid] <= t + eps) lo = mid + 1;
      else hi = mid;
    }
    return lo < marks.length ? marks[lo] : end;
  }
  let lo = 0;
  let hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid] < t - eps) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? marks[lo - 1] : 0;
}

/**
 * The player: it only moves a playhead over a finished timeline; it never drives the simulation.
 * `paused` → PLAY → `playing` (TICKs advance time by wall seconds × speed) → reaching the end → `ended`.
 */
export const playerMachine = setup({
  types: { context: {} as PlayerContext, events: {} as PlayerEvent, input: {} as Partial<PlayerContext> },
  actions: {
    advance: assign({
      time: ({ context, event }) => {
        assertEvent(event, 'TICK');
        // Playing never moves time back, whatever a frame's clock says.
        return clamp(context.time + Math.max(0, event.wallSeconds) * context.speed, context.end);
      },
    }),
    seek: assign({
      time: ({ context, event }) => {
        assertEvent(event, 'SEEK');
        return clamp(event.time, context.end);
      },
    }),
    step: assign({
      time: ({ context, event }) => {
        assertEvent(event, 'STEP');
        return stepTarget(context.marks, context.time, event.direction, context.end);
      },
    }),
    rewind: assign({ time: 0 }),
    setSpeed: assign({
      speed: ({ context, event }) => {
        assertEvent(event, 'SPEED');
        return (SPEEDS as readonly number[]).includes(event.speed) ? event.speed : context.speed;
      },
    }),
    load: assign(({ context, event }) => {
      assertEvent(event, 'LOAD');
      return { end: event.end, marks: event.marks, time: clamp(event.time ?? context.time, event.end) };
    }),
  },
  guards: {
    atEnd: ({ context }) => context.time >= context.end,
  },
}).createMachine({
  id: 'player',
  context: ({ input }) => ({ time: input.time ?? 0, end: input.end ?? 1, speed: input.speed ?? 1, marks: input.marks ?? [] }),
  initial: 'paused',
  on: {
    SEEK: { target: '.paused', actions: 'seek' },
    STEP: { target: '.paused', actions: 'step' },
    SPEED: { actions: 'setSpeed' },
    LOAD: { actions: 'load' },
  },
  states: {
    paused: {
      on: {
        PLAY: [{ guard: 'atEnd', target: 'playing', actions: 'rewind' }, { target: 'playing' }],
        TOGGLE: [{ guard: 'atEnd', target: 'playing', actions: 'rewind' }, { target: 'playing' }],
        RESTART: { actions: 'rewind' },
      },
    },
    playing: {
      always: { guard: 'atEnd', target: 'paused' },
      on: {
        PAUSE: 'paused',
        TOGGLE: 'paused',
        TICK: { actions: 'advance' },
        RESTART: { actions: 'rewind' },
      },
    },
  },
});
