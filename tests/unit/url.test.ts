import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIX_LIMITS, SEED_MAX } from '../../src/sim/mix.ts';
import { LIMITS, parseScenarioText } from '../../src/sim/schema.ts';
import { SPEEDS } from '../../src/ui/player/playerMachine.ts';
import { decodeState, DEFAULT_STATE, effectiveFile, effectiveScenario, encodeState, MAX_TIME, savedText, fromBase64Url, SWITCH_MS, toBase64Url, type AppState, type Source } from '../../src/ui/state/appState.ts';
import { runs } from './helpers.ts';

const IDS = ['seven-dwarfs', 'convoy', 'collatz'];
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const fileText = fc
  .record({ name: fc.string({ minLength: 1, maxLength: 20 }), cores: fc.integer({ min: 1, max: 64 }), seconds: fc.double({ min: 0, max: 3600, noNaN: true }), task: fc.string({ minLength: 1, maxLength: 40 }) })
  .map(({ name, cores, seconds, task }) => JSON.stringify({ name, cores, tasks: [{ name: task, steps: [{ kind: 'cpu', seconds }] }] }, null, 1));
const source: fc.Arbitrary<Source> = fc.oneof(
  fc.constantFrom(...IDS).map((id): Source => ({ kind: 'builtin', id })),
  fc
    .record({
      tasks: fc.integer({ min: MIX_LIMITS.tasks[0], max: MIX_LIMITS.tasks[1] }),
      minSeconds: fc.double({ min: MIX_LIMITS.seconds[0], max: MIX_LIMITS.seconds[1], noNaN: true }),
      maxSeconds: fc.double({ min: MIX_LIMITS.seconds[0], max: MIX_LIMITS.seconds[1], noNaN: true }),
      cpuShare: fc.double({ min: 0, max: 1, noNaN: true }),
      seed: fc.integer({ min: 0, max: SEED_MAX }),
    })
    .map((mix): Source => ({ kind: 'mix', mix })),
  fileText.map((text): Source => ({ kind: 'file', text })),
);
const reshape = fc.record(
  {
    tasks: fc.integer({ min: MIX_LIMITS.tasks[0], max: MIX_LIMITS.tasks[1] }),
    minSeconds: fc.double({ min: MIX_LIMITS.seconds[0], max: MIX_LIMITS.seconds[1], noNaN: true }),
    maxSeconds: fc.double({ min: MIX_LIMITS.seconds[0], max: MIX_LIMITS.seconds[1], noNaN: true }),
    cpuShare: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: [] },
);
const state: fc.Arbitrary<AppState> = fc.record({
  source,
  cores: opt(fc.integer({ min: 1, max: LIMITS.cores })),
  workers: opt(fc.integer({ min: 1, max: LIMITS.workers })),
  switchIntervalMs: opt(fc.double({ min: SWITCH_MS[0], max: SWITCH_MS[1], noNaN: true })),
  startMethod: opt(fc.constantFrom('fork' as const, 'forkserver' as const, 'spawn' as const)),
  view: fc.constantFrom('compare' as const, 'cores' as const, 'tasks' as const, 'amdahl' as const, 'capture' as const),
  model: fc.integer({ min: 0, max: 11 }),
  // The URL keeps the playhead to 0.1 ms.
  time: fc.integer({ min: 0, max: MAX_TIME * 1e4 }).map((k) => k / 1e4),
  speed: fc.constantFrom(...SPEEDS),
  theme: fc.constantFrom('light' as const, 'dark' as const, 'contrast' as const),
  present: fc.boolean(),
  embed: opt(fc.record({ deckSpace: fc.boolean() })),
  shown: opt(fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 12 })),
  step: opt(fc.integer({ min: 0, max: 39 })),
  // The URL keeps the window to the microsecond.
  window: opt(
    fc
      .tuple(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }))
      .map(([a, w]) => [a / 1e6, (a + w) / 1e6] as const),
  ),
  reshape: opt(reshape),
  // A timing profile from a file: any subset of the constants, as the file's JSON text.
  profile: opt(
    fc
      .record(
        {
          switchInterval: fc.double({ min: 1e-5, max: 1, noNaN: true }),
          gilHandoff: fc.double({ min: 0, max: 1, noNaN: true }),
          processStart: fc.record({ spawn: fc.record({ boot: fc.double({ min: 0, max: 1, noNaN: true }) }) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      )
      .filter((o) => Object.keys(o).length > 0)
      .map((o) => JSON.stringify(o)),
  ),
  // You are the scheduler: a model's picks, with runs of one thread (written thread*count).
  scheduler: opt(
    fc
      .record({ model: fc.integer({ min: 0, max: 11 }), picks: fc.array(fc.oneof(fc.integer({ min: 0, max: LIMITS.workers }), fc.constant(1)), { maxLength: 40 }), rules: fc.boolean() })
      .map(({ model, picks, rules }) => (rules ? { model, picks, rules: true } : { model, picks })),
  ),
  perModel: opt(
    fc.dictionary(
      fc.integer({ min: 0, max: 11 }).map(String),
      fc.record(
        {
          workers: fc.integer({ min: 1, max: LIMITS.workers }),
          switchIntervalMs: fc.double({ min: SWITCH_MS[0], max: SWITCH_MS[1], noNaN: true }),
          startMethod: fc.constantFrom('fork' as const, 'forkserver' as const, 'spawn' as const),
        },
        { requiredKeys: [] },
      ),
      { minKeys: 1, maxKeys: 12 },
    ),
  ),
})
  // A custom mix's sliders are its source: it has no reshape. An empty one is none. A range the wrong way round is
  // reported (see below).
  .map((s) => {
    const r = s.source.kind === 'mix' || !s.reshape || !Object.keys(s.reshape).length ? undefined : s.reshape;
    // A model with no setting of its own is not written.
    const pm = s.perModel && Object.fromEntries(Object.entries(s.perModel).filter(([, o]) => Object.keys(o).length));
    return { ...s, reshape: r, perModel: pm && Object.keys(pm).length ? (pm as AppState['perModel']) : undefined };
  })
  .filter((s) => {
    const [lo, hi] = s.source.kind === 'mix' ? [s.source.mix.minSeconds, s.source.mix.maxSeconds] : [s.reshape?.minSeconds, s.reshape?.maxSeconds];
    return lo === undefined || hi === undefined || lo <= hi;
  });

describe('the URL holds the whole state', () => {
  it('decode(encode(state)) is state, for every parameter', () =>
    fc.assert(
      fc.property(state, (s) => {
        const { state: back, problems } = decodeState(encodeState(s), IDS);
        expect(problems).toEqual([]);
        expect(back).toEqual(s);
      }),
      runs(500),
    ));

  it('a damaged or invalid timing profile in the link is named and left out, and the rest is kept', () => {
    const damaged = decodeState('?s=convoy&prof=%%%', IDS);
    expect(damaged.problems).toEqual(["prof (the timing profile in the link is damaged; CPython's defaults are used)"]);
    expect(damaged.state.profile).toBeUndefined();
    expect(damaged.state.source).toEqual({ kind: 'builtin', id: 'convoy' });
    const zero = decodeState(`?s=convoy&prof=${toBase64Url('{"switchInterval":0}')}`, IDS);
    expect(zero.problems).toEqual(['the timing profile in the link: switchInterval: must be at least 0.00001 s']);
    expect(zero.state.profile).toBeUndefined();
  });

  it('the default state is a short link, and an empty query is the default state', () => {
    expect(encodeState(DEFAULT_STATE)).toBe('?s=seven-dwarfs&view=compare&m=1');
    expect(decodeState('', IDS)).toEqual({ state: DEFAULT_STATE, problems: [] });
  });

  it('base64url carries any UTF-8 text, without +, / or padding', () =>
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const b = toBase64Url(text);
        expect(b).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(b)).toBe(text);
      }),
    ));

  const bad: [string, string, RegExp][] = [
    ['a scenario that does not exist', '?s=nope', /^s=nope \(no such scenario\)$/],
    ['cores out of range', '?cores=65', /^cores=65 \(expected a whole number from 1 to 64\)$/],
    ['cores not whole', '?cores=2.5', /^cores=2\.5 \(expected a whole number/],
    ['an empty number', '?workers=', /^workers= \(expected a whole number from 1 to 256\)$/],
    ['a switch interval below 0.1 ms', '?si=0.05', /^si=0\.05 \(expected a number from 0\.1 to 100\)$/],
    ['an unknown view', '?view=sideways', /^view=sideways \(expected compare, cores, tasks, amdahl or capture\)$/],
    ['an unknown theme', '?theme=neon', /^theme=neon \(expected light, dark or contrast\)$/],
    ['presenter mode neither on nor off', '?present=yes', /^present=yes \(expected 0 or 1\)$/],
    ['an embed that is neither the app\'s nor the deck\'s', '?embed=sideways', /^embed=sideways \(expected embed, embed=1 or embed=deck\)$/],
    ['a shown model twice', '?ms=2,2', /^ms=2,2 \(expected different model numbers from 0 to 11, separated by commas\)$/],
    ['a shown model past the limit', '?ms=0,12', /^ms=0,12 \(expected different model numbers/],
    ['no shown models', '?ms=', /^ms= \(expected different model numbers/],
    ['a story step of 0 (steps count from 1)', '?step=0', /^step=0 \(expected a whole number from 1 to 1000000\)$/],
    ['a window ending before it starts', '?win=3,2', /^win=3,2 \(expected two times in seconds, from and to, such as win=2,3\.5\)$/],
    ['a window of one time', '?win=3', /^win=3 \(expected two times/],
    ['a window that is not numbers', '?win=a,b', /^win=a,b \(expected two times/],
    ['a window before zero', '?win=-1,2', /^win=-1,2 \(expected two times/],
    ['a shortest task longer than the longest', '?s=mix&lo=5&hi=2', /^lo=5 is longer than hi=2 \(the shortest task is taken as 2 s and the longest as 5 s\)$/],
    ['a model setting it cannot have', '?cfg=1:sm=vfork', /^cfg=1:sm=vfork \(expected model settings such as cfg=2:sm=spawn;1:w=4:si=1\)$/],
    ['a model set twice', '?cfg=1:w=2;1:w=3', /^cfg=1:w=2;1:w=3 \(expected model settings/],
    ['a model past the limit', '?cfg=12:w=2', /^cfg=12:w=2 \(expected model settings/],
    ['a model with no setting', '?cfg=3', /^cfg=3 \(expected model settings/],
    ['an unknown start method', '?sm=vfork', /^sm=vfork \(expected fork, forkserver or spawn\)$/],
    ['a speed not offered', '?speed=3', /^speed=3 \(expected one of 0\.25, 0\.5, 1, 2, 4, 8, 16\)$/],
    ['a mix with too many tasks', '?s=mix&n=65', /^n=65 \(expected a whole number from 1 to 64\)$/],
    ['a damaged scenario', '?s=file&f=%%%', /^f \(the scenario in the link is damaged\)$/],
    ['a scenario that fails validation', `?s=file&f=${toBase64Url('{"name":"x","cores":0,"tasks":[{"name":"a","steps":[{"kind":"io","seconds":1}]}]}')}`, /^the scenario in the link: cores: /],
  ];
  it.each([
    ['?embed', { deckSpace: false }],
    ['?embed=1', { deckSpace: false }],
    ['?embed=true', { deckSpace: false }],
    ['?embed=Yes', { deckSpace: false }],
    ['?embed=deck', { deckSpace: true }],
    ['?embed=DECK', { deckSpace: true }],
    ['?embed=0', undefined],
    ['?embed=false', undefined],
    ['?embed=off', undefined],
  ])('a link with %s embeds as it says, with no message', (search, embed) => {
    const { state: s, problems } = decodeState(search, IDS);
    expect(problems).toEqual([]);
    expect(s.embed).toEqual(embed);
  });
  it.each(['?embed=zzz', '?embed=2'])('a link with a mistyped %s still embeds (never the full app in a slide) and says so', (search) => {
    const { state: s, problems } = decodeState(search, IDS);
    expect(s.embed).toEqual({ deckSpace: false });
    expect(problems).toEqual([`${search.slice(1)} (expected embed, embed=1 or embed=deck)`]);
  });
  it.each(bad)('a link with %s names the parameter, leaves it out and keeps the rest', (_, search, message) => {
    const { state: s, problems } = decodeState(search + '&view=tasks&m=2&t=1.5', IDS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    if (!search.includes('view=')) expect([s.view, s.model, s.time]).toEqual(['tasks', 2, 1.5]);
  });

  it('a shared scenario survives a typo in another parameter', () => {
    const text = JSON.stringify({ name: 'mine', cores: 2, tasks: [{ name: 'a', steps: [{ kind: 'io', seconds: 1 }] }] });
    const { state: s, problems } = decodeState(`?s=file&f=${toBase64Url(text)}&t=2e12&cores=3`, IDS);
    expect(problems).toEqual(['t=2e12 (expected a number from 0 to 1000000000)']);
    expect(s.source).toEqual({ kind: 'file', text });
    expect([s.cores, s.time]).toEqual([3, 0]);
  });

  const clamped: [string, Partial<AppState>, string, number | string][] = [
    ['a playhead past the longest run a link holds', { time: 2.5e9 }, 't', MAX_TIME],
    ['a negative playhead', { time: -3 }, 't', 'absent'],
    ['a seed past 2³¹ − 1', { source: { kind: 'mix', mix: { tasks: 3, minSeconds: 1, maxSeconds: 2, cpuShare: 0, seed: 3e9 } } }, 'seed', SEED_MAX],
  ];
  it.each(clamped)('the app writes only values it reads back: %s is clamped', (_, patch, key, want) => {
    const url = encodeState({ ...DEFAULT_STATE, ...patch });
    const got = new URLSearchParams(url).get(key);
    expect(got === null ? 'absent' : Number(got)).toBe(want);
    expect(decodeState(url, IDS).problems).toEqual([]);
  });
});

describe('effectiveScenario: the source with the controls applied', () => {
  const base = { kind: 'builtin' as const, id: 'two' };
  const builtins = {
    'seven-dwarfs': { name: 'dwarfs', description: '', cores: 4, seed: 0, tasks: [{ name: 'Doc', steps: [{ kind: 'io' as const, seconds: 1 }] }], models: [{ model: 'sequential' as const }] },
    two: {
      name: 'two', description: '', cores: 2, seed: 0,
      tasks: [{ name: 'a', steps: [{ kind: 'cpu' as const, seconds: 1 }] }],
      models: [{ model: 'sequential' as const }, { model: 'threads' as const, switchIntervalMs: 1 }, { model: 'processes' as const, startMethod: 'spawn' as const }, { model: 'asyncio' as const, workers: 3 }],
    },
  };
  const st = (patch: Partial<AppState>): AppState => ({ ...DEFAULT_STATE, source: base, ...patch });

  it('no overrides: the scenario as written', () => {
    const s = effectiveScenario(st({}), builtins);
    expect(s.models).toEqual(builtins.two.models);
    expect(s.cores).toBe(2);
  });

  it('each control changes the models it concerns, and only those', () => {
    const s = effectiveScenario(st({ cores: 8, workers: 5, switchIntervalMs: 20, startMethod: 'fork' }), builtins);
    expect(s.cores).toBe(8);
    expect(s.models).toEqual([
      { model: 'sequential' },
      { model: 'threads', switchIntervalMs: 20, workers: 5 },
      { model: 'processes', startMethod: 'fork', workers: 5 },
      { model: 'asyncio', workers: 5 },
    ]);
  });

  it('an unknown built-in falls back to the default; a file is parsed; a mix uses the cores control', () => {
    expect(effectiveScenario(st({ source: { kind: 'builtin', id: 'gone' } }), builtins).name).toBe('dwarfs');
    const text = JSON.stringify({ name: 'from a file', cores: 3, tasks: [{ name: 'x', steps: [{ kind: 'io', seconds: 2 }] }] });
    const f = effectiveScenario(st({ source: { kind: 'file', text } }), builtins);
    expect([f.name, f.cores, f.tasks[0].steps[0].seconds]).toEqual(['from a file', 3, 2]);
    const m = effectiveScenario(st({ source: { kind: 'mix', mix: { tasks: 3, minSeconds: 1, maxSeconds: 2, cpuShare: 0, seed: 1 } }, cores: 6 }), builtins);
    expect([m.name, m.cores, m.tasks.length]).toEqual(['Custom mix', 6, 3]);
    expect(() => effectiveScenario(st({ source: { kind: 'file', text: '{"name":"bad"}' } }), builtins)).toThrow(/^file: cores: missing/);
  });
});

describe('Save as JSON writes what the user has, and opening it gives the same scenario', () => {
  const dir = new URL('../../scenarios/', import.meta.url).pathname;
  const shipped = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        const r = parseScenarioText(readFileSync(dir + f, 'utf8'), f);
        if (!r.ok) throw new Error(r.errors.join('\n'));
        return [f.replace(/\.json$/, ''), r.file];
      }),
  );
  const reopen = (text: string) => {
    const r = parseScenarioText(text, 'saved.json');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r;
  };

  it.each(Object.keys(shipped))('%s: save → open is the identity', (id) => {
    const state: AppState = { ...DEFAULT_STATE, source: { kind: 'builtin', id } };
    const back = reopen(savedText(effectiveFile(state, shipped)));
    expect(back.file).toEqual({ ...shipped[id], models: back.file.models });
    expect(back.scenario).toEqual(effectiveScenario(state, shipped));
  });

  it('with every control moved, the saved file carries them', () => {
    const state: AppState = { ...DEFAULT_STATE, source: { kind: 'builtin', id: 'collatz' }, cores: 7, workers: 3, switchIntervalMs: 20, startMethod: 'spawn' };
    const back = reopen(savedText(effectiveFile(state, shipped)));
    expect(back.scenario).toEqual(effectiveScenario(state, shipped));
    expect(back.file.cores).toBe(7);
  });

  it('a task of 2 steps repeated 1,500 times is saved as written, not as 3,000 steps (which the schema refuses)', () => {
    const text = JSON.stringify({ name: 'loop', cores: 2, seed: 3, tasks: [{ name: 'poll', repeat: 1500, steps: [{ kind: 'cpu', seconds: { min: 0.001, max: 0.002 } }, { kind: 'io', seconds: 0.001 }] }] });
    const state: AppState = { ...DEFAULT_STATE, source: { kind: 'file', text } };
    const saved = savedText(effectiveFile(state, shipped));
    const back = reopen(saved);
    expect(back.file.tasks[0].repeat).toBe(1500);
    expect(back.file.tasks[0].steps).toHaveLength(2);
    expect(back.scenario.tasks[0].steps).toHaveLength(3000);
    expect(back.scenario).toEqual(effectiveScenario(state, shipped));
  });

  it('a custom mix saves its tasks', () => {
    const state: AppState = { ...DEFAULT_STATE, source: { kind: 'mix', mix: { tasks: 12, minSeconds: 0.5, maxSeconds: 3, cpuShare: 0.4, seed: 9 } }, cores: 3 };
    expect(reopen(savedText(effectiveFile(state, shipped))).scenario).toEqual(effectiveScenario(state, shipped));
  });
});
