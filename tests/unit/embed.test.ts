import { describe, expect, it } from 'vitest';
import { embedKey, forwardMessage, parseMessage } from '../../src/ui/embed.ts';

describe('a message from the deck', () => {
  it.each([
    ['reveal.js opening the slide plays', 'slide:start', { type: 'slide', open: true }],
    ['reveal.js leaving the slide pauses', 'slide:stop', { type: 'slide', open: false }],
    ['next, as an object', { method: 'next' }, { type: 'next' }],
    ['prev, with empty args', { method: 'prev', args: [] }, { type: 'prev' }],
    ['play', { method: 'play', args: [] }, { type: 'play' }],
    ['pause', { method: 'pause' }, { type: 'pause' }],
    ['seek to seconds', { method: 'seek', args: [1.5] }, { type: 'seek', time: 1.5 }],
    ['a story step, from 1', { method: 'step', args: [3] }, { type: 'step', step: 3 }],
    ['getState', { method: 'getState' }, { type: 'getState' }],
    ["reveal.js's JSON text", '{"method":"next","args":[]}', { type: 'next' }],
  ])('%s', (_, data, command) => {
    expect(parseMessage(data)).toEqual(command);
  });

  it.each([
    ['an unknown method', { method: 'eval', args: ['alert(1)'] }],
    ['a method that is not a string', { method: ['next'] }],
    ['args that are not a list', { method: 'seek', args: 2 }],
    ['a seek without a time', { method: 'seek' }],
    ['a seek to a negative time', { method: 'seek', args: [-1] }],
    ['a seek to infinity', { method: 'seek', args: [Infinity] }],
    ['a seek to a string', { method: 'seek', args: ['2'] }],
    ['step 0 (steps count from 1)', { method: 'step', args: [0] }],
    ['a fractional step', { method: 'step', args: [1.5] }],
    ['other text', 'hello'],
    ['broken JSON', '{"method":'],
    ['a JSON list', '["next"]'],
    ['null', null],
    ['a number', 42],
    ['a list', ['next']],
    ['a huge text', `{"method":"next","pad":"${'x'.repeat(5000)}"}`],
    ["reveal.js's own events", { namespace: 'reveal', eventName: 'slidechanged' }],
  ])('is ignored: %s', (_, data) => {
    expect(parseMessage(data)).toBeNull();
  });
});

describe('a key in the embed', () => {
  const none = { story: false, atStoryEdge: false, deckSpace: false };
  const story = { story: true, atStoryEdge: false, deckSpace: false };
  const edge = { story: true, atStoryEdge: true, deckSpace: false };
  it.each([
    ['PageDown without a story goes to the deck', 'PageDown', none, 'forward'],
    ['PageDown turns the story', 'PageDown', story, 'own'],
    ["PageDown past the story's last step goes to the deck", 'PageDown', edge, 'forward'],
    ["PageUp before the story's first step goes to the deck", 'PageUp', edge, 'forward'],
    ['→ without a story goes to the deck', 'ArrowRight', none, 'forward'],
    ['← with a story steps events', 'ArrowLeft', story, 'own'],
    ['↓ is always the deck\'s', 'ArrowDown', story, 'forward'],
    ['Space plays', ' ', none, 'own'],
    ['Space is the deck\'s where it owns it', ' ', { ...none, deckSpace: true }, 'forward'],
    ['F is the deck\'s full screen', 'f', story, 'forward'],
    ['B is the deck\'s black screen', 'b', story, 'forward'],
    ['Esc is the deck\'s', 'Escape', story, 'forward'],
    ['Home stays', 'Home', none, 'own'],
    ['zoom stays', '+', none, 'own'],
    ['a model\'s digit stays', '2', none, 'own'],
    ['PageUp off its slide is the deck\'s, even inside a story', 'PageUp', { ...story, offSlide: true }, 'forward'],
    ['→ off its slide is the deck\'s', 'ArrowRight', { ...story, offSlide: true }, 'forward'],
    ['Space off its slide is the deck\'s', ' ', { ...none, offSlide: true }, 'forward'],
    ['a digit off its slide stays', '2', { ...none, offSlide: true }, 'own'],
  ] as const)('%s', (_, key, ctx, where) => {
    expect(embedKey({ key }, ctx)).toBe(where);
  });

  it.each([
    ['PageDown', 'next'],
    ['PageUp', 'prev'],
    ['ArrowRight', 'right'],
    [' ', 'next'],
    ['b', 'togglePause'],
  ])('%s is forwarded as reveal.js\'s %s, with the key', (key, method) => {
    const m = JSON.parse(forwardMessage({ key, code: 'X' }));
    expect(m).toMatchObject({ method, args: [], namespace: 'pcv', eventName: 'key', key, code: 'X' });
  });
  it('a key reveal.js has no method for is forwarded as the key alone', () => {
    const m = JSON.parse(forwardMessage({ key: 'f', code: 'KeyF' }));
    expect(m.method).toBeUndefined();
    expect(m.key).toBe('f');
  });
});
