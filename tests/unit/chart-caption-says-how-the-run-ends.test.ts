import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/simulate.ts';
import Gantt from '../../src/ui/chart/Gantt.svelte';
import { loadScenario } from './helpers.ts';

// A chart's caption says how its run ends: an exception that reached the main program, or tasks that did not end
// well, are said beside the time, in the summary's words; on the stage (18 px, charts half of 1280 px wide) in the
// wording that fits on the caption's one line beside the title.
describe("a chart's caption says an exception in the main program or tasks that did not end well", () => {
  const runs = (id: string) => {
    const s = loadScenario(`scenarios/${id}.json`);
    return { s, runs: s.models.map((m) => runModel(s, m)) };
  };
  const scenarios = { 'errors-threads': runs('errors-threads'), 'errors-asyncio': runs('errors-asyncio'), 'errors-processes': runs('errors-processes'), 'seven-dwarfs': runs('seven-dwarfs'), deadlock: runs('deadlock') };
  const captionOf = (id: keyof typeof scenarios, i: number, title: string, width: number, stage: boolean) => {
    const { s, runs } = scenarios[id];
    const { body } = render(Gantt, { props: { run: runs[i], scenario: s, view: 'cores', end: runs[i].makespan, width, time: Infinity, title, id: 'c', ...(stage ? { stage: { font: 18, height: 300 } } : {}) } });
    return body.match(/<span class="makespan[^"]*">([^<]*)<\/span>/)?.[1];
  };

  // [scenario, model index, title, chart width, on the stage, the caption]
  const cases: [keyof typeof scenarios, number, string, number, boolean, string][] = [
    ['errors-threads', 0, 'sequential', 1053, false, 'ends at 0.80 s (ValueError reached the main program)'],
    ['errors-threads', 1, 'threads: a threading.Thread per task', 1053, false, 'ends at 0.60 s (fails raised ValueError)'],
    ['errors-threads', 2, 'threads: ThreadPoolExecutor(max_workers=3)', 1053, false, 'ends at 0.60 s (ValueError reached the main program)'],
    ['errors-processes', 1, 'processes', 1053, false, 'ends at 0.51 s (ValueError reached the main program at 0.30 s)'],
    ['errors-asyncio', 2, 'asyncio (TaskGroup)', 1053, false, 'ends at 0.10 s (ExceptionGroup reached the main program)'],
    ['seven-dwarfs', 0, 'sequential', 1053, false, 'finishes at 43.02 s'],
    ['deadlock', 1, 'threads', 1053, false, 'never ends (deadlock at 0.20 s)'],
    // The stage, two charts a row at 1280 px: the titles the app gives there.
    ['errors-threads', 0, 'sequential', 619, true, 'ends at 0.80 s (ValueError reached main)'],
    ['errors-threads', 1, 'threads (Thread per task)', 619, true, 'ends at 0.60 s (ValueError)'],
    ['errors-threads', 2, 'threads', 619, true, 'ends at 0.60 s (ValueError reached main)'],
    ['errors-processes', 0, 'threads', 619, true, 'ends at 0.40 s (crashes called os._exit(1))'],
    ['errors-processes', 1, 'processes (fork) ×2', 619, true, 'ends at 0.51 s (ValueError reached main)'],
    ['errors-asyncio', 2, 'asyncio (TaskGroup)', 619, true, 'ends at 0.10 s (ExceptionGroup)'],
    ['errors-asyncio', 2, 'asyncio (TaskGroup)', 1259, true, 'ends at 0.10 s (ExceptionGroup reached main)'],
    ['seven-dwarfs', 0, 'sequential', 619, true, 'finishes at 43.02 s'],
  ];
  it.each(cases)('%s, model %i: "%s" at %i px (stage: %s)', (id, i, title, width, stage, want) => {
    const said = captionOf(id, i, title, width, stage);
    expect(said).toBe(want);
    // On the stage it fits beside the title at 18 px (bold at most 0.62 of the font a character, plain 0.54; 1rem apart).
    if (stage) expect(0.62 * 18 * title.length + 16 + 0.54 * 18 * want.length).toBeLessThanOrEqual(width);
  });
});
