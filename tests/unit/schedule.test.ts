import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, parseScenarioText, type ScenarioFile } from '../../src/sim/schema.ts';
import { simulateScenario } from '../../src/sim/simulate.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import { decodeState, effectiveFile, effectiveScenario, encodeState, savedText, type AppState } from '../../src/ui/state/appState.ts';
import { canUndo, decodePlan, encodePlan, MAX_PICKS, pendingChoice, pickPlan, rulesPlan, startPlan, undoPlan, validPlan, withPlan, type SchedulePlan } from '../../src/ui/state/schedule.ts';
import { candidateLabel, outcomeOf, questionOf, threadName } from '../../src/ui/state/scheduleWords.ts';
import { runs } from './helpers.ts';

const file = (id: string): ScenarioFile => {
  const r = parseScenarioText(readFileSync(`scenarios/${id}.json`, 'utf8'), `${id}.json`);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.file;
};
const BUILTINS = { deadlock: file('deadlock'), 'shared-dict': file('shared-dict'), 'seven-dwarfs': file('seven-dwarfs') };
const IDS = Object.keys(BUILTINS);
const state = (id: string, scheduler?: SchedulePlan): AppState => ({ source: { kind: 'builtin', id }, view: 'tasks', model: 1, time: 0, speed: 1, theme: 'light', present: false, ...(scheduler ? { scheduler } : {}) });
/** The threads model's run (model 1 in both scenarios) of the scenario the state asks for. */
const threadsRun = (s: AppState): ModelRun => simulateScenario(effectiveScenario(s, BUILTINS))[1];
/** A run as the charts draw it: everything but the config (which carries the schedule) and the choice points. */
const timeline = (r: ModelRun) => JSON.stringify({ ...r, config: null, choices: null });

describe('the plan in a link (sched=)', () => {
  it('is the model, its picks with runs of one thread as thread*count, and :rules', () => {
    expect(encodePlan({ model: 1, picks: [] })).toBe('1');
    expect(encodePlan({ model: 1, picks: [2, 1, 1, 1, 1, 1, 0] })).toBe('1:2.1*5.0');
    expect(encodePlan({ model: 3, picks: [1, 1, 2, 2, 2] })).toBe('3:1.1.2*3');
    expect(encodePlan({ model: 1, picks: [], rules: true })).toBe('1::rules');
    expect(encodePlan({ model: 1, picks: [0, 2], rules: true })).toBe('1:0.2:rules');
    expect(decodePlan('1:2.1*5.0', 12)).toEqual({ model: 1, picks: [2, 1, 1, 1, 1, 1, 0] });
    expect(decodePlan('1::rules', 12)).toEqual({ model: 1, picks: [], rules: true });
    expect(decodePlan('0:', 12)).toEqual({ model: 0, picks: [] });
  });

  it('decode(encode(plan)) is the plan', () =>
    fc.assert(
      fc.property(
        fc.record({ model: fc.integer({ min: 0, max: 11 }), picks: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }), rules: fc.option(fc.constant(true as const), { nil: undefined }) }),
        (p) => {
          const plan: SchedulePlan = p.rules ? p : { model: p.model, picks: p.picks };
          expect(decodePlan(encodePlan(plan), 12)).toEqual(plan);
        },
      ),
      runs(300),
    ));

  it.each(['', 'x', '12', '-1', '1.5', '1:a', '1:1..2', '1:1*0', '1:1*', '1:*3', '1:2:later', '1:2:rules:x', `1:${LIMITS.workers + 1}`, `1:1*${MAX_PICKS + 1}`, `1:1*${MAX_PICKS}.2`])('refuses %j', (raw) => expect(decodePlan(raw, 12)).toBeNull());

  it('travels in the state\'s link, and a bad one is named and left out while the rest is kept', () => {
    const s = state('deadlock', { model: 1, picks: [0, 2, 2, 2, 1], rules: true });
    expect(encodeState(s)).toContain('sched=1%3A0.2*3.1%3Arules');
    expect(decodeState(encodeState(s), IDS)).toEqual({ state: s, problems: [] });
    const bad = decodeState('?s=deadlock&view=tasks&sched=1:x', IDS);
    expect(bad.problems).toEqual(["sched=1:x (expected a threads model's number and the threads picked, such as sched=1:2.1*3.0)"]);
    expect(bad.state.scheduler).toBeUndefined();
    expect(bad.state.view).toBe('tasks');
  });
});

describe('the plan in the scenario', () => {
  it('is the scheduled threads model\'s schedule, an empty one too (so that its run lists its choice points)', () => {
    const models = withPlan([{ model: 'sequential' }, { model: 'threads', switchIntervalMs: 1 }, { model: 'threads' }], { model: 1, picks: [] });
    expect(models).toEqual([{ model: 'sequential' }, { model: 'threads', switchIntervalMs: 1, schedule: [] }, { model: 'threads' }]);
    expect(threadsRun(state('deadlock')).choices).toEqual([]);
    expect(threadsRun(state('deadlock', { model: 1, picks: [] })).choices.length).toBeGreaterThan(3);
  });

  it('names a threads model, or changes nothing', () => {
    const models = [{ model: 'sequential' as const }, { model: 'threads' as const }];
    expect(withPlan(models, { model: 0, picks: [1] })).toBe(models);
    expect(withPlan(models, { model: 5, picks: [1] })).toBe(models);
    expect(validPlan({ model: 0, picks: [] }, models)).toBeUndefined();
    expect(validPlan({ model: 1, picks: [] }, models)).toEqual({ model: 1, picks: [] });
  });

  it('with no picks draws the rules\' own run', () => {
    expect(timeline(threadsRun(state('deadlock', { model: 1, picks: [] })))).toBe(timeline(threadsRun(state('deadlock'))));
  });

  it.each(['deadlock', 'shared-dict'])('%s: "Save as scenario" writes the picks, and the saved file replays the same timeline', (id) => {
    const plan: SchedulePlan = { model: 1, picks: [1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] };
    const s = state(id, plan);
    const text = savedText(effectiveFile(s, BUILTINS));
    const saved = parseScenarioText(text, 'saved.json');
    if (!saved.ok) throw new Error(saved.errors.join('\n'));
    expect(saved.file.models?.[1]).toMatchObject({ model: 'threads', schedule: plan.picks });
    const shown = simulateScenario(effectiveScenario(s, BUILTINS));
    const replayed = simulateScenario(saved.scenario);
    expect(replayed.map(timeline)).toEqual(shown.map(timeline));
    // Opened again, with the mode entered from the file's schedule: the same picks, nothing changed on screen.
    const again = startPlan(1, saved.scenario.models[1], replayed[1]);
    expect(again.picks).toEqual(shown[1].choices.slice(0, plan.picks.length).map((c) => c.chosen));
    expect(timeline(simulateScenario({ ...saved.scenario, models: withPlan(saved.scenario.models, again) })[1])).toBe(timeline(replayed[1]));
  });

  it('a file\'s schedule longer than its run\'s choice points starts the mode with only the picks it made', () => {
    const s = state('deadlock', { model: 1, picks: Array(40).fill(2) });
    const run = threadsRun(s);
    const plan = startPlan(1, effectiveScenario(s, BUILTINS).models[1], run);
    expect(plan.picks.length).toBe(run.choices.length);
    expect(pendingChoice(run, plan)).toBeNull();
    expect(startPlan(1, { model: 'threads' }, run)).toEqual({ model: 1, picks: [] });
  });
});

describe('picking', () => {
  const plan: SchedulePlan = { model: 1, picks: [] };
  const run = threadsRun(state('deadlock', plan));

  it('asks about the first point the picks leave open; none once the rules decide the rest', () => {
    expect(pendingChoice(run, plan)).toBe(run.choices[0]);
    expect(pendingChoice(run, { model: 1, picks: [0, 1] })).toBe(run.choices[2]);
    expect(pendingChoice(run, rulesPlan(plan))).toBeNull();
  });

  it('a pick is appended; undo takes back the rules\' say first, then the last pick', () => {
    const two = pickPlan(pickPlan(plan, 2), 1);
    expect(two).toEqual({ model: 1, picks: [2, 1] });
    expect(undoPlan(rulesPlan(two))).toEqual(two);
    expect(undoPlan(two)).toEqual({ model: 1, picks: [2] });
    expect([canUndo(plan), canUndo(rulesPlan(plan)), canUndo(two)]).toEqual([false, true, true]);
  });

  it('each pick changes where the GIL goes, and the next point comes after it', () => {
    // At the first drop request the holder (thread 1, last) keeps the GIL instead of the main thread getting it.
    const first = run.choices[0];
    expect(first.kind).toBe('drop');
    const keep = first.candidates[first.candidates.length - 1].thread;
    expect(keep).not.toBe(first.chosen);
    const after = threadsRun(state('deadlock', pickPlan(plan, keep)));
    expect(after.choices[0].chosen).toBe(keep);
    expect(timeline(after)).not.toBe(timeline(run));
    expect(after.choices[1].at).toBeGreaterThan(first.at);
  });
});

describe('the words of the panel', () => {
  const sc = effectiveScenario(state('deadlock', { model: 1, picks: [] }), BUILTINS);
  const run = simulateScenario(sc)[1];

  it('names the threads: the main thread, a worker by its task, a worker with none yet', () => {
    expect(threadName(run, sc, { thread: 0, task: -1 }, 0.01)).toBe('Main thread');
    expect(threadName(run, sc, { thread: 1, task: 0 }, 0.01)).toBe('Thread 1 · alice → bob');
    expect(threadName(run, sc, { thread: 2, task: -1 }, 0.001)).toBe('Thread 2 · starting');
  });

  it('a drop request: the switch interval is up, and the holder may keep running', () => {
    const drop = run.choices.find((c) => c.kind === 'drop' && c.candidates.length === 2)!;
    const q = questionOf(run, sc, drop, 5);
    expect(q.question).toMatch(/^\d+\.\d ms: the switch interval is up\. Who runs next\?$/);
    const holder = threadName(run, sc, drop.candidates[1], drop.at);
    expect(q.detail).toBe(`${holder} holds the GIL; ${threadName(run, sc, drop.candidates[0], drop.at)} has waited 5 ms for it and asked for it to be dropped.`);
    expect(candidateLabel(run, sc, drop, 1)).toBe(`${holder} (keep running)`);
    expect(candidateLabel(run, sc, drop, 0)).not.toContain('keep running');
  });

  it('a release: the GIL is free, and who let go of it', () => {
    const release = run.choices.find((c) => c.kind === 'release')!;
    const q = questionOf(run, sc, release, 5);
    expect(q.question).toMatch(/: the GIL is free\. Who gets it\?$/);
    expect(q.detail).toMatch(/^Main thread let go of it; 2 threads wait for it\.$/);
  });

  it('how the run ended: a deadlock, an error reaching the main program, or every task finished', () => {
    const dl = outcomeOf(run, sc);
    expect(dl.kind).toBe('deadlock');
    expect(dl.at).toBe(run.deadlock!.at);
    expect(dl.headline).toBe('Deadlock: the program hangs for ever.');
    expect(dl.words.join(' ')).toMatch(/alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice/);
    const dict = effectiveScenario(state('shared-dict', { model: 1, picks: [] }), BUILTINS);
    const raced = outcomeOf(simulateScenario(dict)[1], dict);
    expect([raced.kind, raced.headline]).toEqual(['error', 'RuntimeError ends the program.']);
    // Keeping the walker on the GIL at every point: the walk ends before the key is added.
    const kept = effectiveScenario(state('shared-dict', { model: 1, picks: Array(80).fill(1) }), BUILTINS);
    const ok = outcomeOf(simulateScenario(kept)[1], kept);
    expect([ok.kind, ok.headline]).toEqual(['ok', 'Every task finished, at 0.35 s.']);
    // (The words are the summary's: only that they speak of the dict.)
    expect(ok.words).toHaveLength(1);
    expect(ok.words[0]).toMatch(/^table\b/);
  });
});
