import { describe, expect, it } from 'vitest';
import { parseScenario, parseScenarioText } from '../../src/sim/schema.ts';

const good = { name: 'x', cores: 2, tasks: [{ name: 'a', steps: [{ kind: 'cpu', seconds: 1 }] }] };
const withTask = (step: object) => ({ ...good, tasks: [{ name: 'a', steps: [step] }] });

describe('a bad scenario file gets a message naming the file and the field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['an unknown step kind', withTask({ kind: 'gpu', seconds: 1 }), /^f\.json: tasks\[0\]\.steps\[0\]\.kind: .*"gpu"/],
    ['negative seconds', withTask({ kind: 'io', seconds: -1 }), /tasks\[0\]\.steps\[0\]\.seconds/],
    ['seconds as a string', withTask({ kind: 'io', seconds: '1' }), /tasks\[0\]\.steps\[0\]\.seconds: a number of seconds/],
    ['a misspelt field', withTask({ kind: 'io', second: 1 }), /steps\[0\]\.second: unknown field/],
    ['a missing field', withTask({ kind: 'io' }), /steps\[0\]\.seconds: missing/],
    ['a reversed range', withTask({ kind: 'io', seconds: { min: 5, max: 1 } }), /seconds: min must not exceed max/],
    ['zero cores', { ...good, cores: 0 }, /^f\.json: cores: /],
    ['too many cores', { ...good, cores: 65 }, /^f\.json: cores: /],
    ['no tasks', { ...good, tasks: [] }, /^f\.json: tasks: /],
    ['an unknown model', { ...good, models: [{ model: 'greenlets' }] }, /models\[0\]\.model: .*"greenlets"/],
    ['zero workers', { ...good, models: [{ model: 'threads', workers: 0 }] }, /models\[0\]\.workers/],
    ['an unknown start method', { ...good, models: [{ model: 'processes', startMethod: 'vfork' }] }, /models\[0\]\.startMethod/],
    ['not an object', [1, 2], /^f\.json: \(top level\)/],
    ['a story that is not a list', { ...good, story: { title: 'x' } }, /^f\.json: story: /],
    ['a story step showing a model the file lacks', { ...good, story: [{ title: 'x' }, { title: 'y', show: { models: [0, 4] } }] }, /^f\.json: story\[1\]\.show\.models\[1\]: no model 4/],
    ['a story patch naming a task the file lacks', { ...good, story: [{ title: 'x', patch: { blocking: ['b'] } }] }, /^f\.json: story\[0\]\.patch\.blocking\[0\]: no task named "b"/],
  ];
  it.each(cases)('%s', (_, input, message) => {
    const r = parseScenario(input, 'f.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(message);
  });

  it('broken JSON names the file', () => {
    const r = parseScenarioText('{"name": ', 'broken.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^broken\.json: not valid JSON/);
  });
});

describe('scenario defaults and random durations', () => {
  it('defaults to the four models, seed 0 and an empty description', () => {
    const r = parseScenario(good);
    expect(r.ok && r.scenario.models.map((m) => m.model)).toEqual(['sequential', 'threads', 'processes', 'asyncio']);
    expect(r.ok && [r.scenario.seed, r.scenario.description]).toEqual([0, '']);
  });

  it('draws integer ranges like 1 + RANDOM % 10, the same for the same seed', () => {
    const file = { ...good, seed: 42, tasks: Array.from({ length: 50 }, (_, i) => ({ name: `t${i}`, steps: [{ kind: 'io', seconds: { min: 1, max: 10, integer: true } }] })) };
    const a = parseScenario(file);
    const b = parseScenario(file);
    const c = parseScenario({ ...file, seed: 43 });
    const secs = (r: typeof a) => (r.ok ? r.scenario.tasks.map((t) => t.steps[0].seconds) : []);
    expect(secs(a)).toEqual(secs(b));
    expect(secs(a)).not.toEqual(secs(c));
    expect(secs(a).every((s) => Number.isInteger(s) && s >= 1 && s <= 10)).toBe(true);
    expect(new Set(secs(a)).size).toBeGreaterThan(5);
  });

  it('repeats a task\'s steps', () => {
    const r = parseScenario({ ...good, tasks: [{ name: 'a', repeat: 3, steps: [{ kind: 'cpu', seconds: 1 }, { kind: 'io', seconds: 2 }] }] });
    expect(r.ok && r.scenario.tasks[0].steps.map((s) => s.kind).join()).toBe('cpu,io,cpu,io,cpu,io');
  });
});
