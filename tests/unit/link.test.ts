import { describe, expect, it } from 'vitest';
import { decodeState, encodeState, DEFAULT_STATE, toBase64Url } from '../../src/ui/state/appState.ts';
import { MAX_FRAGMENT, packText, readFragment, textKey, unpackText, writeFragment } from '../../src/ui/state/link.ts';

const IDS = ['seven-dwarfs'];
const scenarioText = (tasks: number) =>
  JSON.stringify({ name: 'big', cores: 4, tasks: Array.from({ length: tasks }, (_, i) => ({ name: `task ${i}`, steps: [{ kind: 'cpu', seconds: 0.0001 * i }, { kind: 'io', seconds: 0.001 }] })) });

/** A Storage stand-in. */
class Memory {
  items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
}

describe('a scenario file in a link', () => {
  it('is deflated into the fragment and read back exactly', async () => {
    const text = scenarioText(200);
    const { fragment, local } = await writeFragment(text, new Memory());
    expect(local).toBe(false);
    expect(fragment).toMatch(/^z=[A-Za-z0-9_-]+$/);
    // The Convoy-sized scenario that made a 17,144-character URL (and HTTP 431) is far smaller packed.
    expect(fragment.length).toBeLessThan(text.length / 4);
    expect(await readFragment('#' + fragment, 2_000_000, new Memory())).toEqual({ text, problem: null });
  });

  it('too big for a link even packed: kept in local storage under a key, and the link names the key', async () => {
    // Random-looking text does not deflate: well over the fragment limit.
    let text = '';
    for (let i = 0; text.length < MAX_FRAGMENT * 2; i++) text += textKey(String(i));
    const store = new Memory();
    const { fragment, local } = await writeFragment(text, store);
    expect(local).toBe(true);
    expect(fragment).toBe(`k=${textKey(text)}`);
    expect(await readFragment('#' + fragment, 2_000_000, store)).toEqual({ text, problem: null });
    // In another browser the key finds nothing, and the link says why.
    expect((await readFragment('#' + fragment, 2_000_000, new Memory())).problem).toMatch(/^k=\w+ \(the scenario this link names was kept in another browser/);
  });

  const damaged: [string, string][] = [
    ['not base64url', '#z=%%%'],
    ['cut short', '#z=q1ZKz0ktSi0'],
  ];
  it.each(damaged)('a damaged fragment (%s) is named, not thrown', async (_, hash) => {
    expect(await readFragment(hash, 2_000_000, new Memory())).toEqual({ text: null, problem: 'z (the scenario in the link is damaged or cut short)' });
  });

  it('a fragment that would inflate past the limit is refused (a zip bomb in a link)', async () => {
    const bomb = await packText(' '.repeat(3_000_000));
    expect(bomb.length).toBeLessThan(5000);
    await expect(unpackText(bomb, 2_000_000)).rejects.toThrow('too big');
  });

  it('no fragment: no scenario, no problem', async () => {
    expect(await readFragment('', 1000, new Memory())).toEqual({ text: null, problem: null });
  });

  it('the state link puts the file in the fragment when given one, and reads it back from there', () => {
    const text = scenarioText(3);
    const state = { ...DEFAULT_STATE, source: { kind: 'file' as const, text }, time: 2 };
    const url = encodeState(state, 'z=abc');
    expect(url).toMatch(/^\?s=file&view=compare&m=1&t=2#z=abc$/);
    expect(decodeState(url.slice(0, url.indexOf('#')), IDS, { text, problem: null })).toEqual({ state, problems: [] });
  });

  it('old links with the file in the query still open', () => {
    const text = scenarioText(3);
    expect(decodeState(`?s=file&f=${toBase64Url(text)}`, IDS).state.source).toEqual({ kind: 'file', text });
  });

  it('a file link whose scenario is missing says so and keeps the other parameters', () => {
    const d = decodeState('?s=file&view=tasks', IDS, { text: null, problem: null });
    expect(d.problems).toEqual(['the scenario in the link is missing (was the link cut short?)']);
    expect(d.state.view).toBe('tasks');
  });
});
