import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import { gilWaitPerTask, loopBlockedByCalls, mostAffectedTask, taskEnd } from '../../src/ui/panels/summaryFigures.ts';
import { loadScenario } from './helpers.ts';

const convoy = loadScenario('scenarios/convoy.json');
const convoyRuns = convoy.models.map((m) => runModel(convoy, m));
const blocking = loadScenario('scenarios/blocking-loop.json');

describe('summary figures, as the charts draw them', () => {
  it("the convoy's lesson is in the table: the chatty task is the one followed, and it ends far later under threads", () => {
    const chatty = convoy.tasks.findIndex((t) => t.name === 'chatty I/O');
    expect(mostAffectedTask(convoyRuns)).toBe(chatty);
    const seq = convoyRuns.find((r) => r.model === 'processes')!;
    const threads = convoyRuns.find((r) => r.model === 'threads' && r.config.model === 'threads' && !r.config.switchIntervalMs)!;
    expect(taskEnd(seq, chatty)).toBeLessThan(0.4);
    expect(taskEnd(threads, chatty)).toBeGreaterThan(1);
  });

  it('a task ends when its last span that is not "done" ends; the last one ends with the run (or just before its shutdown)', () => {
    for (const r of convoyRuns) {
      const last = Math.max(...convoy.tasks.map((_, i) => taskEnd(r, i)));
      expect(last).toBeLessThanOrEqual(r.makespan);
      expect(r.makespan - last).toBeLessThan(0.01);
    }
  });

  it("GIL wait per task is the mean task's wait, and its share of the run is at most all of it", () => {
    const threads = convoyRuns.find((r) => r.model === 'threads')!;
    const g = gilWaitPerTask(threads);
    expect(g.seconds).toBeCloseTo(threads.summary.gilWait / convoy.tasks.length, 12);
    expect(g.share).toBeGreaterThan(0);
    expect(g.share).toBeLessThanOrEqual(1);
    expect(gilWaitPerTask(convoyRuns.find((r) => r.model === 'processes')!).seconds).toBe(0);
  });

  it('the loop is blocked by calls for exactly as long as the blocking call: 2 s of time.sleep, 2 s', () => {
    expect(loopBlockedByCalls(runModel(blocking, { model: 'asyncio' }))).toBeCloseTo(2, 9);
    expect(loopBlockedByCalls(runModel(blocking, { model: 'threads' }))).toBe(0);
  });
});
