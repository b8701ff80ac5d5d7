import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/sim/simulate.ts';
import { stepScenario } from '../../src/sim/story.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import { eventInstants } from '../../src/ui/player/eventInstants.ts';
import { narrate } from '../../src/ui/state/narration.ts';
import { lazy, loadScenario } from './helpers.ts';

const load = (id: string) => loadScenario(new URL(`../../scenarios/${id}.json`, import.meta.url).pathname);
const collatz = lazy(() => {
  const s = load('collatz');
  return { s, runs: simulateScenario(s) };
});
// The lecture's step 4 ("Look at the GIL lane"): the Seven Dwarfs made CPU-bound; its threads run is model 1.
const lecture = lazy(() => {
  const file = load('lecture');
  const s = stepScenario(file, file.story![3]);
  return { s, runs: simulateScenario(s) };
});
const us = (t: number) => Math.round(t * 1e6) / 1e6;

/** Each GIL hand-off between two tasks: the instant the holder lets go (its wait starts) and the instant the next has it. */
function handOffs(run: ModelRun): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let i = 1; i < run.gil.length; i++) {
    const [a, b] = [run.gil[i - 1], run.gil[i]];
    if (a.task < 0 || b.task < 0 || a.end !== b.start) continue;
    const left = run.taskSpans[a.task].find((x) => x.start < b.start && b.start <= x.end && x.state !== 'running');
    if (left) out.push({ from: left.start, to: b.start });
  }
  return out;
}

describe('Next event: a GIL hand-off is one stop, where the next holder has it', () => {
  // [what, runs, model, which hand-offs]
  const cases: [string, typeof collatz, number, number[]][] = [
    ['collatz, threads', collatz, 1, [0, 1, 2, 17, 40]],
    ['lecture step 4, threads', lecture, 1, [0, 1, 380, 381, 2000]],
  ];
  it.each(cases)('%s: the instant the next holder runs is a stop; the instant the holder lets go, 25 µs before, is not', (_, of, model, picks) => {
    const run = of().runs[model];
    const stops = new Set(eventInstants([run]));
    const all = handOffs(run);
    for (const k of picks) {
      const { from, to } = all[k];
      expect([k, Math.round((to - from) * 1e6)]).toEqual([k, 25]);
      expect([k, stops.has(us(to)), stops.has(us(from))]).toEqual([k, true, false]);
    }
  });

  // [what, the scenario and its runs, the models on screen]
  const views: [string, typeof collatz, number[]][] = [
    ['collatz, threads', collatz, [1]],
    ['collatz, every model compared', collatz, [0, 1, 2, 3, 4]],
    ['lecture step 4, threads', lecture, [1]],
  ];
  it.each(views)('%s: no two stops less than 0.1 ms apart, so each press shows another time in the link', (_, of, models) => {
    const stops = eventInstants(models.map((m) => of().runs[m]));
    for (let i = 1; i < stops.length; i++) expect([i, stops[i] - stops[i - 1] >= 0.0001 - 1e-9]).toEqual([i, true]);
    expect(new Set(stops.map((t) => t.toFixed(4))).size).toBe(stops.length);
  });

  it.each(views)('%s: at each of the first 400 stops every chart\'s narration is already what it is 50 µs on (a settled state, not one mid-hand-off)', (_, of, models) => {
    const { s, runs } = of();
    const body = (said: string) => said.replace(/^\w+ at [\d.]+ s: /, '');
    const stops = eventInstants(models.map((m) => runs[m])).slice(0, 400);
    for (const m of models) for (const t of stops) expect([m, t, body(narrate(runs[m], s, t))]).toEqual([m, t, body(narrate(runs[m], s, t + 0.00005))]);
  });
});
