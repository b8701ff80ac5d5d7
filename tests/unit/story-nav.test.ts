import { describe, expect, it } from 'vitest';
import type { Story } from '../../src/sim/story.ts';
import { DEFAULT_STATE } from '../../src/ui/state/appState.ts';
import { stepState, storyMove, type StoryPosition } from '../../src/ui/state/storyNav.ts';

const q = { text: 'Which?', choices: [{ label: 'a', model: 0 }, { label: 'b', model: 1 }] };
const story: Story = [{ title: 'one' }, { title: 'two', question: q }, { title: 'three' }];
const at = (step: number, revealed = false): StoryPosition => ({ step, revealed });

describe('a clicker walks a story', () => {
  it.each([
    ['forward to the next step', at(0), 1, at(1)],
    ['forward on a hidden question reveals it', at(1), 1, at(1, true)],
    ['forward on a revealed question goes on', at(1, true), 1, at(2)],
    ['forward at the last step stays', at(2), 1, at(2)],
    ['back from a step after a question lands on it revealed', at(2), -1, at(1, true)],
    ['back on a revealed question hides it', at(1, true), -1, at(1)],
    ['back on a hidden question goes to the step before', at(1), -1, at(0, true)],
    ['back at the first step stays', at(0), -1, at(0)],
  ] as [string, StoryPosition, 1 | -1, StoryPosition][])('%s', (_, from, dir, want) => expect(storyMove(story, from, dir)).toEqual(want));

  it('the whole story forward and back again visits every step and every reveal, in order', () => {
    let p = at(0);
    const seen = [JSON.stringify(p)];
    for (let i = 0; i < 10; i++) seen.push(JSON.stringify((p = storyMove(story, p, 1))));
    expect(p).toEqual(at(2));
    for (let i = 0; i < 10; i++) p = storyMove(story, p, -1);
    expect(p).toEqual(at(0, true));
    expect([...new Set(seen)]).toEqual([at(0), at(1), at(1, true), at(2)].map((x) => JSON.stringify(x)));
  });
});

describe('the state a step puts on screen', () => {
  const moved = { ...DEFAULT_STATE, cores: 9, workers: 3, switchIntervalMs: 1, startMethod: 'spawn' as const, view: 'tasks' as const, model: 4 };
  it.each([
    ['its models and view', { title: 's', show: { models: [2, 0], view: 'cores' as const } }, { step: 0, view: 'cores', shown: [2, 0], model: 2 }],
    ['a comparison narrated by the model it brings in, the last it names', { title: 's', show: { models: [0, 1] } }, { step: 0, view: 'compare', shown: [0, 1], model: 1 }],
    ['every model compared when it names none', { title: 's' }, { step: 0, view: 'compare', shown: undefined, model: 0 }],
    ['the Amdahl view', { title: 's', show: { view: 'amdahl' as const } }, { step: 0, view: 'amdahl' }],
  ])('%s, with the controls back at the step\'s own settings', (_, step, want) => {
    const s = stepState(moved, [step], 0);
    expect(s).toMatchObject(want);
    expect([s.cores, s.workers, s.switchIntervalMs, s.startMethod]).toEqual([undefined, undefined, undefined, undefined]);
    expect(s.source).toEqual(moved.source);
  });
});
