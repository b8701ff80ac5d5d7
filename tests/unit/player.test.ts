import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { playerMachine, SPEEDS, stepTarget, type PlayerEvent } from '../../src/ui/player/playerMachine.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { stepScenario } from '../../src/sim/story.ts';
import { eventInstants } from '../../src/ui/player/eventInstants.ts';
import { narrate } from '../../src/ui/state/narration.ts';
import { lazy, loadScenario } from './helpers.ts';

/** A player over a 100 s timeline with events at 1, 2 and 5 s. */
function player(init: { time?: number; speed?: number; end?: number } = {}) {
  const actor = createActor(playerMachine, { input: { end: 100, marks: [1, 2, 5], ...init } }).start();
  const send = (...es: PlayerEvent[]) => {
    for (const e of es) actor.send(e);
    return actor.getSnapshot();
  };
  return { actor, send, time: () => actor.getSnapshot().context.time, state: () => actor.getSnapshot().value };
}

describe('the player moves the playhead', () => {
  it.each(SPEEDS.map((s) => [s]))('at %f× a tick of 0.5 wall seconds moves time by 0.5 × speed', (speed) => {
    const p = player({ time: 10 });
    p.send({ type: 'SPEED', speed }, { type: 'PLAY' }, { type: 'TICK', wallSeconds: 0.5 }, { type: 'TICK', wallSeconds: 0.25 });
    expect(p.time()).toBeCloseTo(10 + 0.75 * speed, 12);
    expect(p.actor.getSnapshot().context.speed).toBe(speed);
  });

  it('ignores a speed that is not offered', () => {
    const p = player();
    p.send({ type: 'SPEED', speed: 3 }, { type: 'SPEED', speed: 0 }, { type: 'SPEED', speed: NaN });
    expect(p.actor.getSnapshot().context.speed).toBe(1);
  });

  it('a tick with a negative wall time (a frame stamped before Play was pressed) never moves time back', () => {
    const p = player({ time: 0.000175 });
    p.send({ type: 'PLAY' }, { type: 'TICK', wallSeconds: -0.004 });
    expect([p.time(), p.state()]).toEqual([0.000175, 'playing']);
  });

  it('ticks move nothing while paused', () => {
    const p = player({ time: 3 });
    p.send({ type: 'TICK', wallSeconds: 1 });
    expect([p.time(), p.state()]).toEqual([3, 'paused']);
  });

  it('stops at the end, paused, and Play from the end starts again at 0', () => {
    const p = player({ time: 99, speed: 4 });
    p.send({ type: 'PLAY' }, { type: 'TICK', wallSeconds: 1 });
    expect([p.time(), p.state()]).toEqual([100, 'paused']);
    p.send({ type: 'PLAY' });
    expect([p.time(), p.state()]).toEqual([0, 'playing']);
    p.send({ type: 'TOGGLE' });
    expect(p.state()).toBe('paused');
    p.send({ type: 'SEEK', time: 100 }, { type: 'TOGGLE' });
    expect([p.time(), p.state()]).toEqual([0, 'playing']);
  });

  it('pause, toggle and restart', () => {
    const p = player({ time: 7 });
    p.send({ type: 'TOGGLE' });
    expect(p.state()).toBe('playing');
    p.send({ type: 'RESTART' });
    expect([p.time(), p.state()]).toEqual([0, 'playing']);
    p.send({ type: 'TICK', wallSeconds: 0.1 }, { type: 'PAUSE' });
    expect([p.time(), p.state()]).toEqual([0.1, 'paused']);
    p.send({ type: 'RESTART' });
    expect([p.time(), p.state()]).toEqual([0, 'paused']);
  });

  const seeks: [string, number, number][] = [
    ['inside the timeline', 42.5, 42.5],
    ['before the start, to 0', -3, 0],
    ['past the end, to the end', 250, 100],
    ['not a number, to 0', NaN, 0],
    ['infinity, to 0', Infinity, 0],
  ];
  it.each(seeks)('seeks %s', (_, t, want) => {
    const p = player({ time: 10 });
    p.send({ type: 'PLAY' }, { type: 'SEEK', time: t });
    expect([p.time(), p.state()]).toEqual([want, 'paused']);
  });

  it('steps between marks and pauses', () => {
    const p = player({ time: 1.5 });
    p.send({ type: 'PLAY' }, { type: 'STEP', direction: 1 });
    expect([p.time(), p.state()]).toEqual([2, 'paused']);
    expect(p.send({ type: 'STEP', direction: 1 }).context.time).toBe(5);
    expect(p.send({ type: 'STEP', direction: 1 }).context.time).toBe(100);
    expect(p.send({ type: 'STEP', direction: -1 }).context.time).toBe(5);
  });

  it('a new timeline keeps the playhead where it was, inside the new end', () => {
    const p = player({ time: 30 });
    p.send({ type: 'LOAD', end: 50, marks: [] });
    expect(p.time()).toBe(30);
    p.send({ type: 'LOAD', end: 20, marks: [] });
    expect(p.time()).toBe(20);
    p.send({ type: 'LOAD', end: 60, marks: [], time: 12 });
    expect(p.time()).toBe(12);
    expect(p.actor.getSnapshot().context.end).toBe(60);
  });
});

describe('stepTarget: the next or previous mark', () => {
  const marks = [0.5, 1, 2];
  const cases: [number, 1 | -1, number][] = [
    [0, 1, 0.5],
    [0.5, 1, 1], // strictly after
    [0.5 - 1e-12, 1, 1], // within a nanosecond counts as on the mark
    [0.7, 1, 1],
    [2, 1, 10], // past the last: the end
    [2, -1, 1], // strictly before
    [2 + 1e-12, -1, 1],
    [0.7, -1, 0.5],
    [0.5, -1, 0], // before the first: the start
    [0, -1, 0],
  ];
  it.each(cases)('from %f in direction %i goes to %f', (t, dir, want) => expect(stepTarget(marks, t, dir, 10)).toBe(want));
  it('with no marks goes to the ends', () => {
    expect(stepTarget([], 3, 1, 10)).toBe(10);
    expect(stepTarget([], 3, -1, 10)).toBe(0);
  });
});

describe('Next event over GIL hand-offs: one press each, to the instant the next holder has the GIL and runs', () => {
  const threadsOf = (id: string, step?: number) =>
    lazy(() => {
      const file = loadScenario(new URL(`../../scenarios/${id}.json`, import.meta.url).pathname);
      const s = step === undefined ? file : stepScenario(file, file.story![step]);
      return { s, run: simulateScenario(s)[1] };
    });
  // [what, the threads run, from, the times four presses go to, who runs there]. Each hand-off is 25 µs: its first
  // instant (the holder letting go) is no stop of its own.
  const cases: [string, ReturnType<typeof threadsOf>, number, number[], string[]][] = [
    ['collatz', threadsOf('collatz'), 0.09, [0.090675, 0.095725, 0.105675, 0.1107], ['range 1', 'range 4', 'range 3', 'range 2']],
    ['lecture step 4', threadsOf('lecture', 3), 1.92, [1.92435, 1.929375, 1.9344, 1.939425], ['Grumpy', 'Doc', 'Dopey', 'Sneezy']],
  ];
  it.each(cases)('%s', (_, of, from, times, runners) => {
    const { s, run } = of();
    const actor = createActor(playerMachine, { input: { end: run.makespan, marks: eventInstants([run]), time: from } }).start();
    const seen = times.map(() => {
      actor.send({ type: 'STEP', direction: 1 });
      const t = actor.getSnapshot().context.time;
      return [t, /: (.*?) runs; /.exec(narrate(run, s, t))?.[1]];
    });
    expect(seen).toEqual(times.map((t, i) => [t, runners[i]]));
  });
});
