import { describe, expect, it } from 'vitest';
import { BATCH_MESSAGES, BATCH_MOVES, coalesce, embedKey, forwardMessage, parseMessage, type EmbedCommand } from '../../src/ui/embed.ts';

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
    ['→ at the run\'s end is the deck\'s, even with a story', 'ArrowRight', { ...story, atRunEdge: true }, 'forward'],
    ['← at the run\'s start is the deck\'s, even with a story', 'ArrowLeft', { ...story, atRunEdge: true }, 'forward'],
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

describe('a batch of messages, as the embed carries it out', () => {
  const c = (...cmds: EmbedCommand[]) => cmds.map((cmd, i) => ({ cmd, from: i }));
  const types = (batch: { cmd: EmbedCommand }[]) => coalesce(batch).map((b) => (b.cmd.type === 'seek' ? `seek ${b.cmd.time}` : b.cmd.type === 'step' ? `step ${b.cmd.step}` : b.cmd.type));
  it.each([
    ['one message is itself', c({ type: 'play' }), ['play']],
    ['next three times moves three', c({ type: 'next' }, { type: 'next' }, { type: 'next' }), ['next', 'next', 'next']],
    ['next, prev, next moves one', c({ type: 'next' }, { type: 'prev' }, { type: 'next' }), ['next']],
    ['next then prev moves none', c({ type: 'next' }, { type: 'prev' }), []],
    ['two prevs and a next move one back', c({ type: 'prev' }, { type: 'next' }, { type: 'prev' }), ['prev']],
    ['seeks in a row: the last', c({ type: 'seek', time: 1 }, { type: 'seek', time: 2 }, { type: 'seek', time: 3 }), ['seek 3']],
    ['steps in a row: the last', c({ type: 'step', step: 2 }, { type: 'step', step: 5 }), ['step 5']],
    ['different commands keep their order', c({ type: 'pause' }, { type: 'seek', time: 2 }, { type: 'next' }, { type: 'play' }), ['pause', 'seek 2', 'next', 'play']],
    ['moves either side of a seek stay apart', c({ type: 'next' }, { type: 'seek', time: 1 }, { type: 'prev' }), ['next', 'seek 1', 'prev']],
  ] as const)('%s', (_, batch, want) => {
    expect(types(batch as never)).toEqual(want);
  });

  it(`a flood of next moves at most ${BATCH_MOVES}`, () => {
    expect(types(c(...Array.from({ length: 20_000 }, (): EmbedCommand => ({ type: 'next' }))))).toEqual(Array(BATCH_MOVES).fill('next'));
  });

  it(`keeps only the latest ${BATCH_MESSAGES} messages of a flood, and what came with each`, () => {
    const flood = c(...Array.from({ length: 1000 }, (_, i): EmbedCommand => (i % 2 ? { type: 'seek', time: i } : { type: 'getState' })));
    const out = coalesce(flood);
    expect(out).toHaveLength(BATCH_MESSAGES);
    expect(out[0].from).toBe(1000 - BATCH_MESSAGES);
    expect(out[out.length - 1]).toEqual({ cmd: { type: 'seek', time: 999 }, from: 999 });
  });
});
