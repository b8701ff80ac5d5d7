import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plateau, sweep } from '../../src/sim/amdahl.ts';
import { parseScenario, parseScenarioText, SET_SWITCH_MS, type ScenarioFile } from '../../src/sim/schema.ts';
import { runModel } from '../../src/sim/simulate.ts';
import { answer, applyPatch, applySet, firstShown, shownModels, stepAnswer, stepScenario, type StoryQuestion, type StoryStep } from '../../src/sim/story.ts';
import type { ModelRun } from '../../src/sim/timeline.ts';
import type { Scenario } from '../../src/sim/types.ts';
import { DEFAULT_STATE, effectiveFile, effectiveScenario, savedText, SWITCH_MS, type AppState } from '../../src/ui/state/appState.ts';
import { lazy, loadScenario, scenario } from './helpers.ts';

const path = (name: string) => new URL(`../../scenarios/${name}`, import.meta.url).pathname;
const dwarfs = lazy(() => loadScenario(path('seven-dwarfs.json')));
const lectureText = lazy(() => readFileSync(path('lecture.json'), 'utf8'));

/** Four tasks (default four models): Doc and Grumpy wait, crunch is pure Python, hash is native code. */
const good = {
  name: 'story',
  cores: 2,
  tasks: [
    { name: 'Doc', steps: [{ kind: 'cpu', seconds: 0.01 }, { kind: 'io', seconds: 2 }] },
    { name: 'Grumpy', steps: [{ kind: 'io', seconds: 1 }] },
    { name: 'crunch', steps: [{ kind: 'cpu', seconds: 1 }] },
    { name: 'hash', steps: [{ kind: 'native', seconds: 1 }] },
  ],
};
const withStory = (...story: unknown[]) => ({ ...good, story });
const step = (fields: object) => withStory({ title: 'a step', ...fields });
const question = (choices: unknown[], extra: object = {}) => step({ question: { text: 'Which?', choices, ...extra } });

/** Every field of a step, each in range. */
const fullStep: StoryStep = {
  title: 'Threads on the same tasks',
  caption: 'Seven waits overlap: `ThreadPoolExecutor` wins big.',
  code: 'with ThreadPoolExecutor() as ex:\n\tex.map(run, tasks)',
  show: { models: [0, 1], view: 'compare' },
  set: { cores: 2, workers: 4, switchIntervalMs: 5, startMethod: 'spawn' },
  patch: { cpuShare: 0.5, cpuBound: ['crunch'], blocking: ['Doc'], faster: { task: 'Grumpy', factor: 2 } },
  at: 12.5,
  play: true,
  question: { text: 'Which finishes first?', choices: [{ label: 'threads', model: 1 }, { label: 'processes', model: 2 }], pick: 'first' },
};

describe('a valid story parses and travels on the scenario', () => {
  const cases: [string, unknown[]][] = [
    ['a step with only a title', [{ title: 'Hello' }]],
    ['a step with every field', [fullStep]],
    ['the Amdahl view, at the end, a task question picking the last', [{ title: 'x', show: { view: 'amdahl' }, at: 'end', question: { text: 'Last?', choices: [{ label: 'a', task: 'Doc' }, { label: 'b', task: 'Grumpy' }], pick: 'last' } }]],
    ['forty steps', Array.from({ length: 40 }, (_, i) => ({ title: `step ${i + 1}` }))],
    ['model indices up to the last of a file\'s own models', [{ title: 'x', show: { models: [2, 0] } }]],
  ];
  it.each(cases)('%s', (_, story) => {
    const r = parseScenario({ ...good, models: [{ model: 'sequential' }, { model: 'threads' }, { model: 'asyncio' }], story });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.file.story).toEqual(story);
    expect(r.scenario.story).toEqual(story);
  });

  it('a scenario without a story has no story key at all', () => {
    const r = parseScenario(good);
    expect(r.ok && 'story' in r.scenario).toBe(false);
  });
});

describe('a bad story field gets a message naming its path', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: [string, unknown, RegExp][] = [
    ['an empty story', withStory(), /^f\.json: story: /],
    ['41 steps', withStory(...Array.from({ length: 41 }, () => ({ title: 't' }))), /^f\.json: story: /],
    ['a step without a title', withStory({ caption: 'no title' }), /^f\.json: story\[0\]\.title: missing/],
    ['a blank title', step({ title: '   ' }), /story\[0\]\.title: must not be blank/],
    ['a title of 81 characters', step({ title: long(81) }), /story\[0\]\.title: /],
    ['a title with a line break', step({ title: 'two\nlines' }), /story\[0\]\.title: must not contain control characters/],
    ['a caption of 301 characters', step({ caption: long(301) }), /story\[0\]\.caption: /],
    ['a caption with an unclosed backtick', step({ caption: 'see `run(' }), /story\[0\]\.caption: has an unclosed `/],
    ['code of 21 lines', step({ code: Array(21).fill('pass').join('\n') }), /story\[0\]\.code: at most 20 lines/],
    ['code of 1001 characters', step({ code: long(1001) }), /story\[0\]\.code: /],
    ['code with an escape sequence', step({ code: 'print("\u001b[2J")' }), /story\[0\]\.code: must not contain control characters other than/],
    ['a misspelt step field', step({ shwo: {} }), /story\[0\]\.shwo: unknown field/],
    ['a model past the default four, in the third step', withStory({ title: 'a' }, { title: 'b' }, { title: 'c', show: { models: [4] } }), /^f\.json: story\[2\]\.show\.models\[0\]: no model 4: the scenario has 4 models, 0 to 3$/],
    ['a model shown twice', step({ show: { models: [1, 1] } }), /story\[0\]\.show\.models\[1\]: 1 is listed twice/],
    ['a negative model index', step({ show: { models: [-1] } }), /story\[0\]\.show\.models\[0\]: /],
    ['no models to show', step({ show: { models: [] } }), /story\[0\]\.show\.models: /],
    ['ten models to show', step({ show: { models: [0, 1, 2, 3, 0, 1, 2, 3, 0, 1] } }), /story\[0\]\.show\.models: /],
    ['an unknown view', step({ show: { view: 'gantt' } }), /story\[0\]\.show\.view: .*"gantt"/],
    ['zero cores', step({ set: { cores: 0 } }), /story\[0\]\.set\.cores: /],
    ['65 cores', step({ set: { cores: 65 } }), /story\[0\]\.set\.cores: /],
    ['a fractional worker count', step({ set: { workers: 1.5 } }), /story\[0\]\.set\.workers: /],
    ['a switch interval below the slider', step({ set: { switchIntervalMs: 0.05 } }), /story\[0\]\.set\.switchIntervalMs: /],
    ['a switch interval above the slider', step({ set: { switchIntervalMs: 101 } }), /story\[0\]\.set\.switchIntervalMs: /],
    ['an unknown start method', step({ set: { startMethod: 'vfork' } }), /story\[0\]\.set\.startMethod: .*"vfork"/],
    ['a control a step cannot set', step({ set: { speed: 2 } }), /story\[0\]\.set\.speed: unknown field/],
    ['a CPU share over 1', step({ patch: { cpuShare: 1.5 } }), /story\[0\]\.patch\.cpuShare: /],
    ['blocking an unknown task', step({ patch: { blocking: ['Dok'] } }), /story\[0\]\.patch\.blocking\[0\]: no task named "Dok" \(the tasks: Doc, Grumpy, crunch, hash\)/],
    ['making an unknown task CPU-bound', step({ patch: { cpuBound: ['Doc', 'Happy'] } }), /story\[0\]\.patch\.cpuBound\[1\]: no task named "Happy"/],
    ['a task named twice', step({ patch: { cpuBound: ['Doc', 'Doc'] } }), /story\[0\]\.patch\.cpuBound\[1\]: "Doc" is listed twice/],
    ['blocking a task that never waits', step({ patch: { blocking: ['crunch'] } }), /story\[0\]\.patch\.blocking\[0\]: "crunch" has no I\/O wait to block on$/],
    ['blocking a task the patch makes CPU-bound', step({ patch: { cpuShare: 1, blocking: ['Doc'] } }), /story\[0\]\.patch\.blocking\[0\]: "Doc" has no I\/O wait to block on once the patch makes it CPU-bound/],
    ['making an unknown task faster', step({ patch: { faster: { task: 'Sleepy', factor: 2 } } }), /story\[0\]\.patch\.faster\.task: no task named "Sleepy"/],
    ['a speed-up factor of 101', step({ patch: { faster: { task: 'Doc', factor: 101 } } }), /story\[0\]\.patch\.faster\.factor: /],
    ['a negative time', step({ at: -1 }), /story\[0\]\.at: /],
    ['an infinite time', step({ at: Infinity }), /story\[0\]\.at: /],
    ['a time that is a word other than "end"', step({ at: 'start' }), /story\[0\]\.at: a number of seconds \(0 or more\) or "end"/],
    ['playing from the end', step({ at: 'end', play: true }), /story\[0\]\.play: cannot play from the end/],
    ['one choice', question([{ label: 'a', model: 0 }]), /story\[0\]\.question\.choices: /],
    ['seven choices', question(Array.from({ length: 7 }, (_, i) => ({ label: `c${i}`, model: i % 4 }))), /story\[0\]\.question\.choices: /],
    ['a choice naming a model and a task', question([{ label: 'a', model: 0, task: 'Doc' }, { label: 'b', model: 1 }]), /story\[0\]\.question\.choices\[0\]: expected \{ "label", "model" \}/],
    ['a choice of a model that is not there', question([{ label: 'a', model: 0 }, { label: 'b', model: 7 }]), /story\[0\]\.question\.choices\[1\]\.model: no model 7/],
    ['a choice of a task that is not there', question([{ label: 'a', task: 'Doc' }, { label: 'b', task: 'Dopey' }]), /story\[0\]\.question\.choices\[1\]\.task: no task named "Dopey"/],
    ['a model choice beside a task choice', question([{ label: 'a', model: 0 }, { label: 'b', task: 'Doc' }]), /story\[0\]\.question\.choices\[1\]: the choices must be all models or all tasks/],
    ['the same model twice', question([{ label: 'a', model: 1 }, { label: 'b', model: 1 }]), /story\[0\]\.question\.choices\[1\]: the same model as choice 0/],
    ['an empty label', question([{ label: '', model: 0 }, { label: 'b', model: 1 }]), /story\[0\]\.question\.choices\[0\]\.label: /],
    ['an unknown pick', question([{ label: 'a', model: 0 }, { label: 'b', model: 1 }], { pick: 'middle' }), /story\[0\]\.question\.pick: .*"middle"/],
  ];
  it.each(cases)('%s', (_, input, message) => {
    const r = parseScenario(input, 'f.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(message);
  });

  it('counts models from the file\'s own list when it has one', () => {
    const r = parseScenario({ ...good, models: [{ model: 'asyncio' }], story: [{ title: 'x', show: { models: [1] } }] }, 'f.json');
    expect(r.ok ? [] : r.errors).toEqual(['f.json: story[0].show.models[0]: no model 1: the scenario has 1 models, 0 to 0']);
  });
});

/** Each task's steps as `kind:seconds` (and `!` for a blocking wait), for reading a patch's effect at a glance. */
const shape = (s: Scenario) => Object.fromEntries(s.tasks.map((t) => [t.name, t.steps.map((x) => `${x.kind}:${+x.seconds.toFixed(9)}${x.kind === 'io' && x.blocking ? '!' : ''}`).join(' ')]));
const total = (s: Scenario) => s.tasks.map((t) => t.steps.reduce((a, x) => a + x.seconds, 0));
const mixed = () => scenario(2, [['w', ['cpu', 0.5], ['io', 4, true], ['native', 1], ['io', 2]], ['c', ['cpu', 3]], ['zero', ['io', 0]]]);

describe('applyPatch: the same tasks, changed as the step says', () => {
  it('cpuShare 1 keeps every name and total and leaves no wait (the Seven Dwarfs made CPU-bound)', () => {
    const before = dwarfs();
    const after = applyPatch(before, { cpuShare: 1 });
    expect(after.tasks.map((t) => t.name)).toEqual(before.tasks.map((t) => t.name));
    total(after).forEach((x, i) => expect(x).toBeCloseTo(total(before)[i], 12));
    expect(after.tasks.flatMap((t) => t.steps).some((x) => x.kind === 'io')).toBe(false);
  });

  it('cpuShare 0 is the identity, and the argument is never changed', () => {
    const s = mixed();
    const copy = structuredClone(s);
    expect(applyPatch(s, { cpuShare: 0 })).toEqual(copy);
    applyPatch(s, { cpuShare: 0.5, blocking: ['w'], faster: { task: 'c', factor: 3 } });
    expect(s).toEqual(copy);
  });

  const cases: [string, Parameters<typeof applyPatch>[1], Record<string, string>][] = [
    ['no patch', undefined, { w: 'cpu:0.5 io:4! native:1 io:2', c: 'cpu:3', zero: 'io:0' }],
    ['a quarter of each wait becomes Python first; cpu and native stay; a blocking wait stays blocking', { cpuShare: 0.25 }, { w: 'cpu:0.5 cpu:1 io:3! native:1 cpu:0.5 io:1.5', c: 'cpu:3', zero: 'io:0' }],
    ['cpuShare 1 drops the emptied waits but keeps a zero-second one', { cpuShare: 1 }, { w: 'cpu:0.5 cpu:4 native:1 cpu:2', c: 'cpu:3', zero: 'io:0' }],
    ['cpuBound makes only the named task CPU-bound', { cpuBound: ['w'] }, { w: 'cpu:0.5 cpu:4 native:1 cpu:2', c: 'cpu:3', zero: 'io:0' }],
    ['cpuBound wins over cpuShare for its tasks', { cpuShare: 0.5, cpuBound: ['zero'] }, { w: 'cpu:0.5 cpu:2 io:2! native:1 cpu:1 io:1', c: 'cpu:3', zero: 'io:0' }],
    ['blocking marks every wait of the named task', { blocking: ['w', 'zero'] }, { w: 'cpu:0.5 io:4! native:1 io:2!', c: 'cpu:3', zero: 'io:0!' }],
    ['faster divides every step of one task', { faster: { task: 'w', factor: 2 } }, { w: 'cpu:0.25 io:2! native:0.5 io:1', c: 'cpu:3', zero: 'io:0' }],
    ['a factor below 1 makes it slower', { faster: { task: 'c', factor: 0.5 } }, { w: 'cpu:0.5 io:4! native:1 io:2', c: 'cpu:6', zero: 'io:0' }],
    ['the share splits first, then blocking, then faster', { cpuShare: 0.5, blocking: ['w'], faster: { task: 'w', factor: 2 } }, { w: 'cpu:0.25 cpu:1 io:1! native:0.5 cpu:0.5 io:0.5!', c: 'cpu:3', zero: 'io:0' }],
  ];
  it.each(cases)('%s', (_, patch, expected) => {
    expect(shape(applyPatch(mixed(), patch))).toEqual(expected);
  });

  it('is deterministic: the same patch gives equal scenarios', () => {
    const patch = { cpuShare: 0.3, blocking: ['w'], faster: { task: 'c', factor: 7 } };
    expect(applyPatch(mixed(), patch)).toEqual(applyPatch(mixed(), patch));
  });
});

describe('a step\'s settings are applied as the controls apply them', () => {
  const state = (over: Partial<AppState>): AppState => ({ ...DEFAULT_STATE, source: { kind: 'builtin', id: 'seven-dwarfs' }, ...over });
  const files = lazy((): Record<string, ScenarioFile> => {
    const r = parseScenarioText(readFileSync(path('seven-dwarfs.json'), 'utf8'));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return { 'seven-dwarfs': r.file };
  });
  const cases: [string, Partial<AppState> & StoryStep['set']][] = [
    ['cores', { cores: 2 }],
    ['workers, to threads, processes and asyncio', { workers: 3 }],
    ['the switch interval, to threads', { switchIntervalMs: 20 }],
    ['the start method, to processes', { startMethod: 'spawn' }],
    ['all of them', { cores: 7, workers: 5, switchIntervalMs: 0.1, startMethod: 'forkserver' }],
  ];
  it.each(cases)('%s', (_, set) => {
    expect(applySet(dwarfs(), set)).toEqual(effectiveScenario(state(set), files()));
  });

  it('a step may set the switch interval exactly as far as the slider goes', () => {
    expect([...SET_SWITCH_MS]).toEqual(SWITCH_MS);
  });

  it('stepScenario applies the settings, then the patch; no settings or patch give the scenario itself', () => {
    const s = stepScenario(dwarfs(), { title: 'x', set: { cores: 8 }, patch: { cpuShare: 1 } });
    expect(s.cores).toBe(8);
    expect(s.tasks.flatMap((t) => t.steps).every((x) => x.kind === 'cpu')).toBe(true);
    expect(stepScenario(dwarfs(), { title: 'x' })).toBe(dwarfs());
  });

  it('a step shows its listed models, or every model; the first listed is the one drawn alone', () => {
    expect(shownModels(dwarfs(), { title: 'x', show: { models: [2, 1] } })).toEqual([2, 1]);
    expect(shownModels(dwarfs(), { title: 'x' })).toEqual([0, 1, 2, 3]);
    expect([firstShown({ title: 'x', show: { models: [3, 0] } }), firstShown({ title: 'x', show: { view: 'cores' } })]).toEqual([3, 0]);
  });
});

describe('answer: the right choice comes from the simulation, not the file', () => {
  /** Every model of the Seven Dwarfs (sequential, threads, processes, asyncio), simulated once. */
  const runs = lazy(() => dwarfs().models.map((m) => runModel(dwarfs(), m)));
  const q = (choices: StoryQuestion['choices'], pick?: 'first' | 'last'): StoryQuestion => ({ text: '?', choices, pick });
  const seqVsThreads = q([{ label: 'sequential', model: 0 }, { label: 'threads', model: 1 }]);

  it('threads beat sequential on the Seven Dwarfs (10.0 s against 43.0 s), and sequential is last', () => {
    expect(answer(seqVsThreads, runs())).toBe(1);
    expect(answer({ ...seqVsThreads, pick: 'last' }, runs())).toBe(0);
  });

  it('compares every choice, not just two', () => {
    const all = q([{ label: 'seq', model: 0 }, { label: 'proc', model: 2 }, { label: 'asyncio', model: 3 }, { label: 'threads', model: 1 }]);
    // asyncio 10.009 s just beats threads 10.010 s (no thread to start); processes 14.0 s; sequential 43.0 s.
    expect(answer(all, runs())).toBe(2);
    expect(answer({ ...all, pick: 'last' }, runs())).toBe(0);
  });

  it('a task choice is judged by its end in the run passed for tasks', () => {
    const tasks = q([{ label: 'Dopey', task: 'Dopey' }, { label: 'Happy', task: 'Happy' }, { label: 'Sneezy', task: 'Sneezy' }]);
    // Sequential runs them in file order (Happy 16.0, Sneezy 37.0, Dopey 43.0); threads all at once (Happy's 10 s last).
    expect(answer(tasks, runs(), runs()[0])).toBe(1);
    expect(answer({ ...tasks, pick: 'last' }, runs(), runs()[0])).toBe(0);
    expect(answer(tasks, runs(), runs()[1])).toBe(2);
    expect(answer({ ...tasks, pick: 'last' }, runs(), runs()[1])).toBe(1);
  });

  it('stepAnswer judges task questions in the step\'s first shown model', () => {
    const base: StoryStep = { title: 'x', question: q([{ label: 'Dopey', task: 'Dopey' }, { label: 'Happy', task: 'Happy' }], 'last') };
    expect(stepAnswer({ ...base, show: { models: [1, 0] } }, runs())).toBe(1);
    expect(stepAnswer({ ...base, show: { models: [0, 1] } }, runs())).toBe(0);
    expect(stepAnswer({ title: 'no question' }, runs())).toBeUndefined();
  });

  it('a tie goes to the earlier choice, first or last', () => {
    const s = scenario(2, [['a', ['io', 1]], ['b', ['io', 1]]], [{ model: 'sequential' }, { model: 'sequential' }]);
    const twins = s.models.map((m) => runModel(s, m));
    const models = q([{ label: 'one', model: 0 }, { label: 'two', model: 1 }]);
    expect(twins[0].makespan).toBe(twins[1].makespan);
    expect([answer(models, twins), answer({ ...models, pick: 'last' }, twins)]).toEqual([0, 0]);
    const same = q([{ label: 'b', task: 'b' }, { label: 'b again', task: 'b' }, { label: 'a', task: 'a' }]);
    expect([answer(same, twins), answer({ ...same, pick: 'last' }, twins)]).toEqual([2, 0]);
  });

  it('a missing run or task is a clear error, not a wrong answer', () => {
    expect(() => answer(q([{ label: 'a', model: 0 }, { label: 'b', model: 5 }]), runs())).toThrow(/no run for model 5/);
    expect(() => answer(q([{ label: 'a', task: 'Doc' }, { label: 'b', task: 'Nobody' }]), runs())).toThrow(/no task named "Nobody"/);
  });
});

describe('a saved scenario keeps its story', () => {
  const lectureFile = lazy(() => {
    const r = parseScenarioText(lectureText(), 'lecture.json');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r.file;
  });
  const reopen = (text: string) => {
    const r = parseScenarioText(text, 'saved.json');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r;
  };
  const cases: [string, Partial<AppState>][] = [
    ['as opened', {}],
    ['with every control moved', { cores: 7, workers: 3, switchIntervalMs: 20, startMethod: 'spawn' }],
  ];
  it.each(cases)('the lecture, %s: save → open gives the same story and scenario', (_, over) => {
    const state: AppState = { ...DEFAULT_STATE, source: { kind: 'builtin', id: 'lecture' }, ...over };
    const builtins = { lecture: lectureFile() };
    const back = reopen(savedText(effectiveFile(state, builtins)));
    expect(back.file.story).toEqual(lectureFile().story);
    expect(back.scenario).toEqual(effectiveScenario(state, builtins));
  });

  it('a file opened by the user keeps its story through Save as JSON', () => {
    const text = JSON.stringify({ ...good, story: [fullStep] });
    const back = reopen(savedText(effectiveFile({ ...DEFAULT_STATE, source: { kind: 'file', text } }, {})));
    expect(back.file.story).toEqual([fullStep]);
    expect(back.scenario.story).toEqual([fullStep]);
  });
});

describe('scenarios/lecture.json: the talk', () => {
  const lecture = lazy(() => {
    const r = parseScenarioText(lectureText(), 'lecture.json');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r.scenario;
  });
  const story = () => lecture().story ?? [];

  /** Runs by step scenario and model, each simulated once: several steps share the slow CPU-bound threads run. */
  const cache = new Map<string, ModelRun>();
  const runOf = (s: Scenario, model: number): ModelRun => {
    const key = JSON.stringify([s.cores, s.tasks, s.models[model]]);
    let run = cache.get(key);
    if (!run) cache.set(key, (run = runModel(s, s.models[model])));
    return run;
  };
  /** The runs a step needs (what it shows and what its question asks about), at their model indices. */
  const stepRuns = (n: number): ModelRun[] => {
    const st = story()[n - 1];
    const s = stepScenario(lecture(), st);
    const asked = st.question?.choices.flatMap((c) => ('model' in c ? [c.model] : [])) ?? [];
    const runs: ModelRun[] = [];
    for (const m of new Set([...shownModels(s, st), ...asked])) runs[m] = runOf(s, m);
    return runs;
  };

  it('has the Seven Dwarfs tasks and cores, six models and 9 to 12 steps, each with a title, a caption and code', () => {
    expect(lecture().tasks).toEqual(dwarfs().tasks);
    expect(lecture().cores).toBe(dwarfs().cores);
    expect(lecture().models.map((m) => (m.model === 'processes' ? m.startMethod : m.model))).toEqual(['sequential', 'threads', 'fork', 'forkserver', 'spawn', 'asyncio']);
    expect(story().length).toBeGreaterThanOrEqual(9);
    expect(story().length).toBeLessThanOrEqual(12);
    for (const st of story()) expect([st.title, st.caption, st.code].every(Boolean)).toBe(true);
  });

  it('step 1: sequential alone takes 43.0 s', () => {
    expect(story()[0].show?.models).toEqual([0]);
    expect(stepRuns(1)[0].makespan).toBeCloseTo(43.0, 1);
  });

  it('every question has an answer the simulation gives: sequential, fork, Happy', () => {
    const answers = story().flatMap((st, i) => {
      if (!st.question) return [];
      const k = stepAnswer(st, stepRuns(i + 1));
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(st.question.choices.length);
      return [`${i + 1}: ${st.question.choices[k!].label}`];
    });
    expect(answers).toEqual(['3: sequential', '6: fork', '8: Happy']);
  });

  // The makespans the captions quote, to the digits they quote: a change to the simulator that moves one fails here.
  const quoted: [number, number, number, number][] = [
    [2, 1, 10.0, 1],
    [4, 1, 43.2, 1],
    [5, 2, 14.0, 1],
    [6, 2, 14.015, 3],
    [6, 3, 14.029, 3],
    [6, 4, 14.071, 3],
    [7, 5, 10.0, 1],
    [8, 5, 18.0, 1],
    [11, 2, 10.0, 1],
  ];
  it.each(quoted)('step %i: model %i takes %f s, as its caption says', (n, model, seconds, digits) => {
    expect(story()[n - 1].caption).toContain(seconds.toFixed(digits));
    expect(stepRuns(n)[model].makespan).toBeCloseTo(seconds, digits);
  });

  const task = (run: ModelRun, name: string) => run.tasks.find((t) => t.name === name)!;
  const firstStart = (run: ModelRun) => Math.min(...run.tasks.map((t) => t.start));
  // The captions' other figures: [step, model, what, its value in the run, the value quoted, digits, as written].
  const figures: [number, number, string, (r: ModelRun) => number, number, number, string][] = [
    [2, 1, 'speedup', (r) => r.summary.speedup, 4.3, 2, '4.30×'],
    [4, 1, 'GIL hand-offs', (r) => r.summary.gilSwitches, 8206, 0, '8,206'],
    [4, 1, 'speedup', (r) => r.summary.speedup, 0.995, 3, '0.995×'],
    [5, 2, 'speedup', (r) => r.summary.speedup, 3.07, 2, '3.07×'],
    [5, 2, 'first task starts (s)', firstStart, 0.007, 3, '7 ms'],
    [5, 2, 'Dopey starts (s)', (r) => task(r, 'Dopey').start, 8.0, 1, 'until 8.0 s'],
    [6, 2, 'fork: first task starts (s)', firstStart, 0.007, 3, '7 ms with fork'],
    [6, 3, 'forkserver: first task starts (s)', firstStart, 0.018, 3, '18 ms with forkserver'],
    [6, 4, 'spawn: first task starts (s)', firstStart, 0.052, 3, '52 ms with spawn'],
    [7, 5, 'speedup', (r) => r.summary.speedup, 4.3, 2, '4.30×'],
    [8, 5, 'Doc ends (s)', (r) => task(r, 'Doc').end, 10.0, 1, 'resume only at 10.0 s'],
    [8, 5, 'Sleepy starts (s)', (r) => task(r, 'Sleepy').start, 10.0, 1, 'when the rest start'],
    [9, 1, 'Dopey ends (s)', (r) => task(r, 'Dopey').end, 6.09, 2, 'Dopey ends at 6.09 s'],
    [10, 1, 'Dopey starts (s)', (r) => task(r, 'Dopey').start, 1.51, 2, 'Dopey starts at 1.51 s'],
    [10, 1, 'Dopey ends (s)', (r) => task(r, 'Dopey').end, 7.61, 2, 'ends at 7.61 s'],
    [10, 1, 'Happy ends (s)', (r) => task(r, 'Happy').end, 10.02, 2, '10.02 s'],
    [11, 2, 'speedup', (r) => r.summary.speedup, 4.3, 2, '4.30×'],
  ];
  it.each(figures)('step %i, model %i: %s, as its caption says', (n, model, _, value, expected, digits, written) => {
    expect(story()[n - 1].caption).toContain(written);
    expect(value(stepRuns(n)[model])).toBeCloseTo(expected, digits);
  });

  it('step 12, the Amdahl view: its caption quotes where each model stops scaling on the CPU-bound tasks', () => {
    const st = story()[11];
    expect(st.show?.view).toBe('amdahl');
    const where = plateau(sweep(stepScenario(lecture(), st))).map((p) => [p.config.model === 'processes' ? p.config.startMethod : p.model, p.cores, +p.speedup.toFixed(2)]);
    expect(where).toEqual([['sequential', 1, 1], ['threads', 1, expect.closeTo(1, 1)], ['fork', 5, 4.3], ['forkserver', 5, 4.29], ['spawn', 5, 4.27], ['asyncio', 1, expect.closeTo(1, 1)]]);
    expect(st.caption).toContain('every process pool stops scaling at 5 cores (4.30× fork, 4.27× spawn)');
    expect(st.caption).toContain('threads and asyncio stay at 1.00×');
    expect(st.caption).toContain("Happy's 10.0 s");
  });

  it('the convoy steps compare with the same threads without the CPU-bound task: Dopey starts at 0.02 s, ends at 6.02 s', () => {
    const dopey = task(stepRuns(2)[1], 'Dopey');
    expect([dopey.start, dopey.end]).toEqual([expect.closeTo(0.02, 2), expect.closeTo(6.02, 2)]);
    expect(story()[8].caption).toContain('instead of 6.02 s');
    expect(story()[9].caption).toContain('instead of 0.02 s');
  });
});
