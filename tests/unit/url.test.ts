import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIX_LIMITS } from '../../src/sim/mix.ts';
import { LIMITS } from '../../src/sim/schema.ts';
import { SPEEDS } from '../../src/ui/player/playerMachine.ts';
import { decodeState, DEFAULT_STATE, effectiveScenario, encodeState, fromBase64Url, SWITCH_MS, toBase64Url, type AppState, type Source } from '../../src/ui/state/appState.ts';
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
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
    })
    .map((mix): Source => ({ kind: 'mix', mix })),
  fileText.map((text): Source => ({ kind: 'file', text })),
);
const state: fc.Arbitrary<AppState> = fc.record({
  source,
  cores: opt(fc.integer({ min: 1, max: LIMITS.cores })),
  workers: opt(fc.integer({ min: 1, max: LIMITS.workers })),
  switchIntervalMs: opt(fc.double({ min: SWITCH_MS[0], max: SWITCH_MS[1], noNaN: true })),
  startMethod: opt(fc.constantFrom('fork' as const, 'forkserver' as const, 'spawn' as const)),
  view: fc.constantFrom('compare' as const, 'cores' as const, 'tasks' as const),
  model: fc.integer({ min: 0, max: 11 }),
  // The URL keeps the playhead to 0.1 ms.
  time: fc.integer({ min: 0, max: 1e10 }).map((k) => k / 1e4),
  speed: fc.constantFrom(...SPEEDS),
  theme: fc.constantFrom('light' as const, 'dark' as const),
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
    ['an unknown view', '?view=sideways', /^view=sideways \(expected compare, cores or tasks\)$/],
    ['an unknown theme', '?theme=neon', /^theme=neon \(expected light or dark\)$/],
    ['an unknown start method', '?sm=vfork', /^sm=vfork \(expected fork, forkserver or spawn\)$/],
    ['a speed not offered', '?speed=3', /^speed=3 \(expected one of 0\.25, 0\.5, 1, 2, 4, 8, 16\)$/],
    ['a mix with too many tasks', '?s=mix&n=65', /^n=65 \(expected a whole number from 1 to 64\)$/],
    ['a damaged scenario', '?s=file&f=%%%', /^f \(the scenario in the link is damaged\)$/],
    ['a scenario that fails validation', `?s=file&f=${toBase64Url('{"name":"x","cores":0,"tasks":[{"name":"a","steps":[{"kind":"io","seconds":1}]}]}')}`, /^the scenario in the link: cores: /],
  ];
  it.each(bad)('a link with %s names the parameter and falls back to the default', (_, search, message) => {
    const { state: s, problems } = decodeState(search, IDS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(s).toBe(DEFAULT_STATE);
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
