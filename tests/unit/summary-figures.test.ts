import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/schema.ts';
import { runModel } from '../../src/sim/simulate.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { seconds } from '../../src/ui/format.ts';
import { cleanFinish, endingWords, fastestBadges, gilWaitPerTask, loopBlockedByCalls, mostAffectedTask, outcomeSentences, outcomeWords, taskEnd, wrongWords } from '../../src/report/summaryFigures.ts';
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

describe('what became of each run, in the words the summary table reads out', () => {
  const of = (id: string) => {
    const s = loadScenario(`scenarios/${id}.json`);
    return { s, runs: s.models.map((m) => runModel(s, m)) };
  };
  const deadlock = of('deadlock');
  const barrier = of('barrier');
  const threads = of('errors-threads');
  const processes = of('errors-processes');
  const aio = of('errors-asyncio');
  const dict = of('shared-dict');
  const raceFile = parseScenario({
    name: 'race', cores: 2,
    tasks: [1, 2, 3, 4].map((i) => ({ name: `t${i}`, steps: [{ kind: 'update', shared: 'counter', times: 250_000, seconds: 0.1, shape: 'call' }] })),
    models: [{ model: 'sequential' }, { model: 'threads' }, { model: 'processes' }],
  });
  if (!raceFile.ok) throw new Error(raceFile.errors.join('\n'));
  const race = { s: raceFile.scenario, runs: raceFile.scenario.models.map((m) => runModel(raceFile.scenario, m)) };

  // [what, scenario and runs, model index, clean finish, the sentences (strings, or patterns for times the profile sets)]
  const cases: [string, typeof deadlock, number, boolean, (string | RegExp)[]][] = [
    ['a clean run says nothing', deadlock, 0, true, []],
    ['a deadlock: who holds what', deadlock, 1, false, [/^Deadlock at 0\.\d\d s \(the program never ends\): alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice\.$/]],
    ['one thread at a barrier', barrier, 0, false, ['Stuck at 0.20 s (the program never ends): fast waits at barrier start for 3 parties, only 1 ever there; medium and slow never start.']],
    ['sequential code stops at the error', threads, 0, false, ['ValueError reached the main program at 0.80 s (from fails): raised in the loop: the program stops, the tasks after it never run.', 'fast ok never started.']],
    ['a bare Thread: the error is printed, main never sees it; the program ends cleanly', threads, 1, true, [/^fails raised ValueError at 0\.\d\d s: threading\.excepthook printed it; the main program never sees it\.$/]],
    ['an executor: f.result() re-raises it', threads, 2, false, [/^ValueError reached the main program at 0\.\d\d s \(from fails\): f\.result\(\) re-raised it/]],
    ['a crash among threads: the whole process, before the re-raised ValueError is printed', processes, 0, false, [/^os\._exit\(1\) in crashes killed the program at 0\.40 s: .*the ValueError that had reached the main thread is never printed\.$/, 'raises raised ValueError; long died with the process.']],
    ['a broken pool', processes, 1, false, [/^ValueError reached the main program/, /^The pool broke at 0\.\d\d s: crashes's worker process died \(os\._exit\), and crashes, long and queued ended with BrokenProcessPool\.$/]],
    ['gather: the others cancelled', aio, 1, false, [/^ValueError reached the main program at 0\.10 s \(from fails\): asyncio\.gather\(\)/, 'slow and medium were cancelled.']],
    ['a TaskGroup: an ExceptionGroup', aio, 2, false, [/^ExceptionGroup reached the main program/, 'fails raised ValueError; slow and medium were cancelled.']],
    ['a dict: keys added', dict, 0, true, ['table: 1 key added, as expected.']],
    ['lost updates', race, 1, true, [/^counter: [\d,]+ of 1,000,000 expected \([\d,]+ updates lost\)\.$/]],
    ['none lost in one thread', race, 0, true, ['counter: 1,000,000 of 1,000,000 expected (none lost).']],
    ['each process its own copy', race, 2, true, [/^counter: 0 of 1,000,000 expected: each worker process updated its own copy/]],
  ];
  it.each(cases)('%s', (_, { s, runs }, i, clean, want) => {
    const said = outcomeSentences(runs[i], s, seconds);
    expect(cleanFinish(runs[i])).toBe(clean);
    expect(said).toHaveLength(want.length);
    want.forEach((w, k) => (typeof w === 'string' ? expect(said[k]).toBe(w) : expect(said[k]).toMatch(w)));
  });

  it('a task that never ends or never starts has no end; the one followed is one every model ends', () => {
    const [, t] = deadlock.runs;
    expect(taskEnd(t, 0)).toBeNaN();
    expect(taskEnd(threads.runs[0], 2)).toBeNaN(); // sequential never starts "fast ok"
    expect(taskEnd(processes.runs[1], 4)).toBeNaN(); // "queued": broken before it began
    expect(taskEnd(threads.runs[0], 1)).toBeCloseTo(0.8, 9); // "fails" ends at its raise
    // Sequential never starts "medium" of errors-asyncio: its queued span must not make it the most affected task.
    expect(mostAffectedTask(aio.runs)).not.toBe(2);
  });

  it('outcomes in a few words, for the command line\'s column', () => {
    const t = (outcome: ModelRun['tasks'][number]['outcome'], error?: string, start = 0) => ({ name: 'x', start, end: 1, gilWait: 0, outcome, error });
    const cases: [ReturnType<typeof t>, boolean, string][] = [
      [t('ok'), false, 'ok'],
      [t('raised', 'KeyError'), false, 'raised KeyError'],
      [t('cancelled', 'CancelledError'), false, 'cancelled'],
      [t('broken', 'BrokenProcessPool'), false, 'broken: BrokenProcessPool'],
      [t('broken', 'crash'), false, 'died with the process'],
      [t('broken', 'crash'), true, 'called os._exit(1)'],
      [t('deadlocked'), false, 'deadlocked'],
      [t('deadlocked', undefined, NaN), false, 'deadlocked, never started'],
      [t('skipped', undefined, NaN), false, 'never started'],
    ];
    for (const [task, crashed, words] of cases) expect(outcomeWords(task, crashed)).toBe(words);
  });
});

describe('a wrong result is never crowned: the table and the captions say what went wrong', () => {
  // Each shipped scenario's runs, by its file's name.
  const ids = ['counter-race', 'errors-threads', 'errors-asyncio', 'errors-processes', 'deadlock', 'seven-dwarfs', 'shared-dict'] as const;
  type Id = (typeof ids)[number];
  const scenarios = Object.fromEntries(ids.map((id) => {
    const s = loadScenario(`scenarios/${id}.json`);
    return [id, { s, runs: s.models.map((m) => runModel(s, m)) }];
  })) as Record<Id, { s: Scenario; runs: ModelRun[] }>;
  /** A badge as the table shows it: "*" before a crowned one (bold, highlighted), nothing for no badge. */
  const shown = (b: ReturnType<typeof fastestBadges>[number]) => (b ? `${b.crowned ? '*' : ''}${b.words}` : '');

  // [scenario, each model's badge in the order the scenario lists them]
  const badges: [Id, string[]][] = [
    ['counter-race', ['*joint fastest correct', '', 'fastest, but counter is wrong: 0 of 20,000,000', '*joint fastest correct']],
    ['errors-threads', ['', 'joint fastest, but fails raised ValueError', 'joint fastest, but ValueError reached the main program']],
    ['errors-asyncio', ['', 'joint fastest, but ValueError reached the main program', 'joint fastest, but ExceptionGroup reached the main program']],
    ['errors-processes', ['fastest, but os._exit(1) in crashes killed the program', '']],
    ['shared-dict', ['*joint fastest correct', 'fastest, but RuntimeError reached the main program', '*joint fastest correct']],
    ['deadlock', ['*fastest', '', '', '']],
    ['seven-dwarfs', ['', '*joint fastest', '', '*joint fastest']],
  ];
  it.each(badges)('the first run to end is called fastest only if it did the work right, else "fastest, but" why: %s', (id, want) => {
    const { s, runs } = scenarios[id];
    expect(fastestBadges(runs, s, seconds).map(shown)).toEqual(want);
  });

  // [scenario, the runs tied first to the digits shown]
  const ties: [Id, number[]][] = [
    ['errors-threads', [1, 2]],
    ['errors-asyncio', [1, 2]],
    ['seven-dwarfs', [1, 3]],
  ];
  it.each(ties)('runs tied to the digits shown are all "joint fastest", right or wrong: %s', (id, tied) => {
    const { s, runs } = scenarios[id];
    expect(new Set(tied.map((i) => seconds(runs[i].makespan))).size).toBe(1);
    const b = fastestBadges(runs, s, seconds);
    runs.forEach((_, i) => expect(b[i]?.words.startsWith('joint fastest') ?? false).toBe(tied.includes(i)));
  });

  // [scenario, model index, why its result is wrong (null: it is right)]
  const wrong: [Id, number, string | RegExp | null][] = [
    ['counter-race', 0, null],
    ['counter-race', 1, /^counter is wrong: [\d,]+ of 20,000,000$/],
    ['counter-race', 2, 'counter is wrong: 0 of 20,000,000'],
    ['errors-threads', 0, 'ValueError reached the main program'],
    ['errors-threads', 1, 'fails raised ValueError'],
    ['errors-asyncio', 2, 'ExceptionGroup reached the main program'],
    ['errors-processes', 0, 'os._exit(1) in crashes killed the program'],
    ['errors-processes', 1, 'ValueError reached the main program'],
    ['deadlock', 0, null],
    ['deadlock', 1, 'the program never ends'],
  ];
  it.each(wrong)('why a run did not do the work right, in a few words: %s, model %i', (id, i, want) => {
    const { s, runs } = scenarios[id];
    const said = wrongWords(runs[i], s);
    if (typeof want === 'string' || want === null) expect(said).toBe(want);
    else expect(said).toMatch(want);
  });

  // [scenario, model index, room on the stage (characters; undefined: the workbench), the caption]
  const captions: [Id, number, number | undefined, string][] = [
    ['errors-threads', 0, undefined, 'ends at 0.80 s (ValueError reached the main program)'],
    ['errors-threads', 1, undefined, 'ends at 0.60 s (fails raised ValueError)'],
    ['errors-threads', 2, undefined, 'ends at 0.60 s (ValueError reached the main program)'],
    ['errors-processes', 0, undefined, 'ends at 0.40 s (os._exit(1) in crashes killed the program)'],
    ['errors-processes', 1, undefined, 'ends at 0.51 s (ValueError reached the main program at 0.30 s)'],
    ['errors-asyncio', 1, undefined, 'ends at 0.10 s (ValueError reached the main program)'],
    ['errors-asyncio', 2, undefined, 'ends at 0.10 s (ExceptionGroup reached the main program)'],
    ['counter-race', 2, undefined, 'finishes at 0.44 s (counter is wrong: 0 of 20,000,000)'],
    ['counter-race', 2, 34, 'finishes at 0.44 s (counter wrong)'],
    ['counter-race', 2, 28, 'ends 0.44 s (counter wrong)'],
    ['counter-race', 0, undefined, 'finishes at 0.86 s'],
    ['seven-dwarfs', 0, undefined, 'finishes at 43.02 s'],
    // The stage's one line: brief where it fits, shortest where it does not.
    ['errors-processes', 1, 45, 'ends at 0.51 s (ValueError reached main)'],
    ['errors-processes', 0, 45, 'ends at 0.40 s (crashes called os._exit(1))'],
    ['errors-asyncio', 2, 39, 'ends at 0.10 s (ExceptionGroup)'],
    ['errors-threads', 1, 33, 'ends at 0.60 s (ValueError)'],
    ['errors-threads', 1, 40, 'ends at 0.60 s (fails raised ValueError)'],
    ['seven-dwarfs', 0, 19, 'finishes at 43.02 s'],
    ['seven-dwarfs', 0, 12, 'ends 43.02 s'],
    ['seven-dwarfs', 0, 10, '43.02 s'],
  ];
  it.each(captions)('a caption says an exception in the main program or tasks that did not end well: %s, model %i, room %s', (id, i, room, want) => {
    const { s, runs } = scenarios[id];
    expect(endingWords(runs[i], s, seconds, room)).toBe(want);
  });
});
