import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { DEFAULT_PROFILE } from '../../src/sim/profile.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { Simulator, type SimRequest, type SimResponse, type SimWorker } from '../../src/ui/state/simulator.svelte.ts';
import { scenario } from './helpers.ts';

/** A worker that answers only when the test says so, with the cost the test chooses. */
class FakeWorker implements SimWorker {
  sent: SimRequest[] = [];
  onmessage: ((e: MessageEvent<SimResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  postMessage(m: SimRequest) {
    if (m.id !== 0) this.sent.push(m);
  }
  terminate() {
    this.terminated = true;
  }
  answer(ms = 100) {
    const { id, scenario, profile, maxEvents } = this.sent.shift()!;
    let data: SimResponse;
    try {
      data = { id, ok: true, runs: simulateScenario(scenario, profile, { maxEvents }), ms };
    } catch (e) {
      data = { id, ok: false, error: (e as Error).message, ms };
    }
    this.onmessage!({ data } as MessageEvent<SimResponse>);
  }
}

const tasks = (n: number): Scenario => scenario(2, Array.from({ length: n }, (_, i) => [`t${i}`, ['cpu', 0.01]] as [string, [string, number]]));
const NO_GPU = 'no such model: "gpu" (expected one of sequential, threads, processes, asyncio)';
const broken = (): Scenario => ({ ...tasks(1), models: [{ model: 'gpu' } as unknown as Scenario['models'][number]] });

/** A simulator whose clock makes every simulation here cost `ms.here` milliseconds. */
function make(here: number) {
  const worker = new FakeWorker();
  let t = 0;
  const sim = new Simulator(tasks(1), () => tasks(1), { makeWorker: () => worker, now: () => (t += here), budgetMs: 16 });
  return { sim, worker };
}
const shownTasks = (sim: Simulator) => sim.shown.scenario.tasks.length;

describe('Simulator: where a simulation runs, and what is shown meanwhile', () => {
  it('cheap simulations run at once on the main thread', () => {
    const { sim, worker } = make(2);
    sim.request(tasks(2));
    expect(shownTasks(sim)).toBe(2);
    expect(sim.shown.runs).toHaveLength(4);
    expect(worker.sent).toEqual([]);
  });

  it('costly simulations go to the worker; the last result stays shown until it answers', () => {
    const { sim, worker } = make(100);
    sim.request(tasks(2));
    expect(shownTasks(sim)).toBe(1);
    expect(worker.sent.map((r) => r.scenario.tasks.length)).toEqual([2]);
    const g = sim.generation;
    worker.answer();
    expect(shownTasks(sim)).toBe(2);
    expect(sim.generation).toBe(g + 1);
  });

  it('while the worker is busy, only the latest request waits: a fast drag skips what it passed', () => {
    const { sim, worker } = make(100);
    for (const n of [2, 3, 4, 5]) sim.request(tasks(n));
    worker.answer();
    expect(shownTasks(sim)).toBe(2);
    expect(worker.sent.map((r) => r.scenario.tasks.length)).toEqual([5]);
    worker.answer();
    expect(shownTasks(sim)).toBe(5);
    expect(worker.sent).toEqual([]);
  });

  it('once the work is cheap again (median of the last three), requests come back to the main thread', () => {
    const { sim, worker } = make(100);
    sim.request(tasks(2));
    worker.answer(3);
    sim.request(tasks(3));
    worker.answer(3);
    sim.request(tasks(4));
    expect(shownTasks(sim)).toBe(4);
    expect(worker.sent).toEqual([]);
  });

  it('one slow run among quick ones does not send the next to the worker', () => {
    let t = 0;
    const costs = [2, 2, 40, 2];
    const worker = new FakeWorker();
    let k = 0;
    const sim = new Simulator(tasks(1), () => tasks(1), { makeWorker: () => worker, now: () => (t += costs[Math.floor(k++ / 2)] ?? 2) });
    sim.request(tasks(2));
    sim.request(tasks(3));
    sim.request(tasks(4));
    expect(shownTasks(sim)).toBe(4);
    expect(worker.sent).toEqual([]);
  });

  it('an equal scenario (another object: a story step with the same tasks) shows as the one on screen, with no new generation', () => {
    const { sim } = make(1);
    sim.request(tasks(2));
    const g = sim.generation;
    const again = tasks(2);
    sim.request(again);
    expect(sim.generation).toBe(g);
    // Whoever compares what is shown with what was asked for sees the charts are current.
    expect(sim.shown.scenario).toBe(again);
  });

  it('the same scenario object twice is simulated once', () => {
    const { sim, worker } = make(100);
    const s = tasks(3);
    sim.request(s);
    sim.request(s);
    expect(worker.sent).toHaveLength(1);
  });
});

describe('Simulator: bad input never replaces the last good result', () => {
  it('on the main thread: the error is kept and so is the result', () => {
    const { sim } = make(2);
    sim.request(broken());
    expect(shownTasks(sim)).toBe(1);
    expect(sim.error).toBe(NO_GPU);
    sim.request(tasks(3));
    expect(sim.error).toBeNull();
    expect(shownTasks(sim)).toBe(3);
  });

  it('in the worker: its error is shown and the result kept', () => {
    const { sim, worker } = make(100);
    sim.request(broken());
    worker.answer();
    expect(shownTasks(sim)).toBe(1);
    expect(sim.error).toBe(NO_GPU);
  });

  it('if the worker dies, its pending request and all later ones run on the main thread', () => {
    const { sim, worker } = make(100);
    sim.request(tasks(2));
    sim.request(tasks(3));
    worker.onerror!({} as ErrorEvent);
    expect(worker.terminated).toBe(true);
    expect(shownTasks(sim)).toBe(3);
    sim.request(tasks(4));
    expect(shownTasks(sim)).toBe(4);
  });

  it('a scenario too big to simulate here gets a message saying so, wherever it runs', () => {
    const long = scenario(2, [['a', ['cpu', 5]], ['b', ['cpu', 5]]], [{ model: 'threads', switchIntervalMs: 0.1 }]);
    for (const here of [2, 100]) {
      const worker = new FakeWorker();
      let t = 0;
      const sim = new Simulator(tasks(1), () => tasks(1), { makeWorker: () => worker, now: () => (t += here), maxEvents: 5000 });
      sim.request(long);
      if (worker.sent.length) worker.answer();
      expect(shownTasks(sim)).toBe(1);
      expect(sim.error).toMatch(/^threads: (more than 5,000|at least 100,002) scheduling events/);
    }
  });

  it('a first scenario that cannot be simulated shows the fallback, says why, and is not simulated again', () => {
    const worker = new FakeWorker();
    const first = broken();
    const sim = new Simulator(first, () => tasks(2), { makeWorker: () => worker });
    expect(shownTasks(sim)).toBe(2);
    expect(sim.error).toBe(NO_GPU);
    sim.request(first);
    expect(worker.sent).toEqual([]);
    expect(sim.error).toBe(NO_GPU);
  });

  it('without a worker at all, everything runs here', () => {
    const sim = new Simulator(tasks(1), () => tasks(1), {
      makeWorker: () => {
        throw new Error('no workers here');
      },
    });
    sim.request(tasks(6));
    expect(shownTasks(sim)).toBe(6);
  });
});

describe('Simulator: results remembered, and the next one fetched ahead', () => {
  it('a scenario simulated before is shown again at once, without simulating (a story step back, a slider back)', () => {
    const { sim, worker } = make(100);
    sim.request(tasks(2));
    worker.answer();
    sim.request(tasks(3));
    worker.answer();
    const g = sim.generation;
    sim.request(tasks(2)); // an equal scenario, a new object
    expect(shownTasks(sim)).toBe(2);
    expect(sim.generation).toBe(g + 1);
    expect(worker.sent).toEqual([]);
  });

  it('a scenario fetched ahead is simulated in the idle worker, not shown, then shown at once when asked for', () => {
    const { sim, worker } = make(100);
    sim.prefetch(tasks(5));
    expect(worker.sent.map((r) => r.scenario.tasks.length)).toEqual([5]);
    worker.answer();
    expect(shownTasks(sim)).toBe(1);
    const g = sim.generation;
    sim.request(tasks(5));
    expect(shownTasks(sim)).toBe(5);
    expect(sim.generation).toBe(g + 1);
    expect(worker.sent).toEqual([]);
  });

  it('every result fetched ahead is handed to onAhead, including one simulated before (its charts may not be built)', () => {
    const worker = new FakeWorker();
    const told: number[] = [];
    const sim = new Simulator(tasks(1), () => tasks(1), { makeWorker: () => worker, onAhead: (sc, runs) => told.push(sc.tasks.length, runs.length) });
    sim.prefetch(tasks(3));
    worker.answer();
    expect(told).toEqual([3, 4]);
    sim.request(tasks(3));
    sim.request(tasks(2));
    worker.answer();
    sim.prefetch(tasks(3));
    expect(told).toEqual([3, 4, 3, 4]);
    expect(worker.sent).toEqual([]);
    sim.prefetch(tasks(2));
    expect(told).toEqual([3, 4, 3, 4, 2, 4]);
  });

  it('asked for while it is still being fetched ahead: shown when that run arrives, not simulated twice', () => {
    const { sim, worker } = make(100);
    sim.prefetch(tasks(4));
    sim.request(tasks(4));
    expect(shownTasks(sim)).toBe(1);
    worker.answer();
    expect(shownTasks(sim)).toBe(4);
    expect(worker.sent).toEqual([]);
  });

  it('a real request goes before one fetched ahead, which waits for the worker to be idle', () => {
    const { sim, worker } = make(100);
    sim.request(tasks(2));
    sim.prefetch(tasks(6));
    expect(worker.sent.map((r) => r.scenario.tasks.length)).toEqual([2]);
    worker.answer();
    expect(shownTasks(sim)).toBe(2);
    expect(worker.sent.map((r) => r.scenario.tasks.length)).toEqual([6]);
    worker.answer();
    expect(shownTasks(sim)).toBe(2);
  });

  it('a failure fetched ahead says nothing until the scenario is asked for', () => {
    const { sim, worker } = make(100);
    sim.prefetch(broken());
    worker.answer();
    expect(sim.error).toBeNull();
    sim.request(broken());
    worker.answer();
    expect(sim.error).toBe(NO_GPU);
  });
});

describe('Simulator: a timing profile the user opened', () => {
  // Threads' start-up cost is on the critical path of every threads run: ten times it is plainly later.
  const slow = { ...DEFAULT_PROFILE, threadStart: DEFAULT_PROFILE.threadStart * 100 };
  const threadsEnd = (sim: Simulator) => sim.shown.runs.find((r) => r.model === 'threads')!.makespan;

  it('what is shown is simulated again with it, here', () => {
    const { sim } = make(2);
    sim.request(tasks(3));
    const before = threadsEnd(sim);
    sim.setProfile(slow);
    expect(threadsEnd(sim)).toBeGreaterThan(before);
    expect(shownTasks(sim)).toBe(3);
  });

  it('the worker gets the profile with every request', () => {
    const { sim, worker } = make(100);
    sim.setProfile(slow);
    sim.request(tasks(2));
    expect(worker.sent.map((r) => r.profile)).toEqual([slow]);
  });

  it('an answer simulated with the old constants is dropped, and the scenario asked for again with the new', () => {
    const { sim, worker } = make(100);
    sim.request(tasks(2));
    sim.setProfile(slow);
    expect(worker.sent.map((r) => r.profile)).toEqual([DEFAULT_PROFILE]);
    const g = sim.generation;
    worker.answer();
    expect(sim.generation).toBe(g);
    expect(worker.sent.map((r) => [r.scenario.tasks.length, r.profile])).toEqual([[2, slow]]);
    worker.answer();
    expect(sim.generation).toBe(g + 1);
    expect(threadsEnd(sim)).toBeCloseTo(simulateScenario(tasks(2), slow).find((r) => r.model === 'threads')!.makespan, 9);
  });

  it('results remembered with the old constants are not shown again', () => {
    const { sim } = make(2);
    sim.request(tasks(2));
    sim.request(tasks(3));
    sim.setProfile(slow);
    sim.request(tasks(2));
    expect(threadsEnd(sim)).toBeCloseTo(simulateScenario(tasks(2), slow).find((r) => r.model === 'threads')!.makespan, 9);
  });

  it('the same constants again change nothing', () => {
    const { sim } = make(2);
    const g = sim.generation;
    sim.setProfile({ ...DEFAULT_PROFILE });
    expect(sim.generation).toBe(g);
  });
});

describe('Simulator: asking again for what is on screen', () => {
  it('changes nothing: no new generation, and a newer request still in the worker is not shown when it answers', () => {
    const { sim, worker } = make(100);
    const g = sim.generation;
    sim.request(tasks(2));
    // Back to the first scenario (a new object with the same content), as the controls are put back after a refusal.
    sim.request(tasks(1));
    expect(sim.generation).toBe(g);
    worker.answer();
    expect(sim.generation).toBe(g);
    expect(shownTasks(sim)).toBe(1);
  });
});
