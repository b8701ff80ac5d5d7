import { readFileSync } from 'node:fs';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/sim/schema.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import type { PlayerEvent } from '../../src/ui/player/playerMachine.ts';
import { withPlan, type SchedulePlan } from '../../src/ui/state/schedule.ts';
import { Scheduler, type Playhead } from '../../src/ui/state/scheduler.svelte.ts';

const parsed = parseScenarioText(readFileSync('scenarios/deadlock.json', 'utf8'), 'deadlock.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const BASE = parsed.scenario;
const end = (runs: ModelRun[]) => Math.max(...runs.map((r) => r.makespan)) * 1.02;

/** A player as the app's: SEEK pauses, PLAY plays (not at the end), ticks are the test's. */
class FakePlayer implements Playhead {
  time = $state(0);
  playing = $state(false);
  end = $state(1);
  sent: PlayerEvent['type'][] = [];
  send(e: PlayerEvent) {
    this.sent.push(e.type);
    if (e.type === 'SEEK') [this.time, this.playing] = [Math.min(Math.max(0, e.time), this.end), false];
    else if (e.type === 'PLAY') this.playing = this.time < this.end;
    else if (e.type === 'PAUSE') this.playing = false;
  }
}

/**
 * The app around a scheduler: its plan, the runs of what it asks for (simulated when the test says, as the worker
 * answers later), and the effect that calls `follow` after the player has loaded the runs.
 */
function app(time = 0) {
  const player = new FakePlayer();
  player.time = time;
  const s = $state({ plan: undefined as SchedulePlan | undefined, shown: { plan: undefined as SchedulePlan | undefined, scenario: BASE, runs: simulateScenario(BASE) } });
  const scenarioOf = (plan: SchedulePlan | undefined): Scenario => ({ ...BASE, models: withPlan(BASE.models, plan) });
  const current = () => JSON.stringify(s.shown.plan?.picks ?? null) === JSON.stringify(s.plan?.picks ?? null);
  const sched = new Scheduler(
    player,
    () => ({ plan: s.plan, run: s.plan ? s.shown.runs[s.plan.model] : undefined, scenario: s.shown.scenario, current: current(), end: end(s.shown.runs), switchIntervalMs: 5 }),
    (p) => (s.plan = p),
  );
  /** The simulation of what is asked for arrives; the player loads its end, then the app's effect runs. */
  const simulate = () => {
    const scenario = scenarioOf(s.plan);
    s.shown = { plan: s.plan && { ...s.plan }, scenario, runs: simulateScenario(scenario) };
    player.end = end(s.shown.runs);
    flushSync();
    sched.follow();
  };
  /** A frame of playback: the playhead moves on, and the app's effect runs. */
  const tick = (to: number) => {
    if (player.playing) player.time = Math.min(to, player.end);
    // At the end the player pauses by itself, in the same step.
    if (player.time >= player.end) player.playing = false;
    flushSync();
    sched.follow();
  };
  player.end = end(s.shown.runs);
  return { player, sched, s, simulate, tick, run: () => s.shown.runs[1] };
}

describe('the scheduler drives the playhead', () => {
  it('entering simulates the model with a schedule, then plays to the first point and stops there', () => {
    const a = app(0);
    a.sched.enter({ model: 1, picks: [] });
    expect(a.sched.phase).toBe('simulating');
    a.simulate();
    const first = a.run().choices[0];
    expect(a.sched.phase).toBe('asking');
    expect(a.sched.pending).toBe(first);
    expect(a.player.playing).toBe(true);
    a.tick(first.at / 2);
    expect(a.player.playing).toBe(true);
    a.tick(first.at + 0.003);
    expect([a.player.playing, a.player.time]).toEqual([false, first.at]);
    expect(a.sched.candidates.map((c) => c.label)).toEqual(['Main thread', 'Thread 1 · alice → bob (keep running)']);
    expect(a.sched.candidates[0].rule).toBe(true);
  });

  it('a slow frame that carries playback to the end (the player pausing there) still stops at the point', () => {
    const a = app(0);
    a.sched.enter({ model: 1, picks: [] });
    a.simulate();
    a.tick(99);
    expect([a.player.playing, a.player.time]).toEqual([false, a.run().choices[0].at]);
    // Pressing End while paused goes there: only playback stops at the point.
    a.player.send({ type: 'SEEK', time: a.player.end });
    a.tick(a.player.end);
    expect(a.player.time).toBe(a.player.end);
  });

  it('entering past the first point goes back to it, paused', () => {
    const a = app(0.15);
    a.sched.enter({ model: 1, picks: [] });
    a.simulate();
    expect([a.player.playing, a.player.time]).toEqual([false, a.run().choices[0].at]);
  });

  it('a pick re-simulates and runs on from its point to the next one; undo goes back to the point, paused', () => {
    const a = app(0);
    a.sched.enter({ model: 1, picks: [] });
    a.simulate();
    a.tick(1);
    const first = a.run().choices[0];
    // The holder keeps running: thread 1.
    a.sched.pick(1);
    expect(a.s.plan).toEqual({ model: 1, picks: [1] });
    expect(a.sched.phase).toBe('simulating');
    expect(a.player.playing).toBe(false);
    a.simulate();
    const second = a.run().choices[1];
    expect(a.run().choices[0].chosen).toBe(1);
    expect([a.player.time, a.player.playing]).toEqual([first.at, true]);
    expect(a.sched.pending).toBe(second);
    a.tick(second.at + 0.01);
    expect([a.player.time, a.player.playing]).toEqual([second.at, false]);
    a.sched.undo();
    expect(a.s.plan).toEqual({ model: 1, picks: [] });
    a.simulate();
    expect([a.player.time, a.player.playing]).toEqual([first.at, false]);
    expect(a.sched.pending?.index).toBe(0);
  });

  it('the keys: a pick out of range does nothing; ↑ / ↓ move the highlight round the candidates', () => {
    const a = app(0);
    a.sched.enter({ model: 1, picks: [] });
    a.simulate();
    a.tick(1);
    a.sched.pick(5);
    expect(a.s.plan?.picks).toEqual([]);
    a.sched.move(-1);
    expect(a.sched.selected).toBe(1);
    a.sched.move(1);
    expect(a.sched.selected).toBe(0);
    expect(a.sched.picking).toBe(2);
  });

  it('"Let the rules decide the rest" plays to the end and says how it ended; undo asks again', () => {
    const a = app(0);
    a.sched.enter({ model: 1, picks: [] });
    a.simulate();
    a.tick(1);
    a.sched.letRules();
    expect(a.s.plan).toEqual({ model: 1, picks: [], rules: true });
    // The same scenario: nothing to simulate, the run plays on at once.
    a.tick(a.player.time);
    expect(a.player.playing).toBe(true);
    expect(a.sched.phase).toBe('over');
    expect(a.sched.picking).toBe(0);
    expect(a.sched.reached).toBe(false);
    a.tick(a.player.end);
    expect(a.sched.reached).toBe(true);
    expect(a.sched.outcome?.headline).toBe('Deadlock: the program hangs for ever.');
    a.sched.undo();
    expect(a.s.plan).toEqual({ model: 1, picks: [] });
    a.tick(a.player.time);
    expect([a.sched.phase, a.player.time, a.player.playing]).toEqual(['asking', a.run().choices[0].at, false]);
  });

  it('a link\'s playhead, kept to 0.1 ms, just past a point comes back onto it; one further past stays', () => {
    const at = simulateScenario({ ...BASE, models: withPlan(BASE.models, { model: 1, picks: [] }) })[1].choices[0].at;
    for (const [time, want] of [
      [Math.ceil(at * 1e4) / 1e4, at],
      [0.1, 0.1],
    ]) {
      const a = app(time);
      a.s.plan = { model: 1, picks: [] };
      a.sched.restore();
      a.simulate();
      expect(a.player.time).toBeCloseTo(want, 12);
      expect(a.sched.ahead).toBe(want !== at);
    }
  });

  it('leaving drops the plan', () => {
    const a = app(0);
    a.sched.enter({ model: 1, picks: [] });
    a.simulate();
    a.sched.leave();
    expect(a.s.plan).toBeUndefined();
    expect(a.sched.phase).toBe('off');
  });
});
