import { describe, expect, it } from 'vitest';
import { KEY_HELP, keyAction, type KeyAction, type KeyContext } from '../../src/ui/keys.ts';

const anywhere = { inTextField: false, inChart: false };

describe('the key map', () => {
  it.each([
    [' ', { type: 'toggle-play' }],
    ['PageDown', { type: 'page', direction: 1 }],
    ['PageUp', { type: 'page', direction: -1 }],
    ['ArrowRight', { type: 'event', direction: 1 }],
    ['ArrowLeft', { type: 'event', direction: -1 }],
    ['Home', { type: 'start' }],
    ['End', { type: 'end' }],
    ['f', { type: 'fullscreen' }],
    ['F', { type: 'fullscreen' }],
    ['b', { type: 'black' }],
    ['.', { type: 'black' }],
    ['c', { type: 'compare' }],
    ['p', { type: 'present' }],
    ['?', { type: 'help' }],
    ['Escape', { type: 'escape' }],
    ['1', { type: 'model', index: 0 }],
    ['9', { type: 'model', index: 8 }],
    ['0', { type: 'zoom', factor: 0 }],
    ['+', { type: 'zoom', factor: 2 }],
    ['=', { type: 'zoom', factor: 2 }],
    ['-', { type: 'zoom', factor: 0.5 }],
    ['s', { type: 'scheduler' }],
    ['S', { type: 'scheduler' }],
    ['u', null],
    ['ArrowDown', null],
    ['x', null],
    ['Tab', null],
    ['Enter', null],
  ] as [string, KeyAction | null][])('%j → %j', (key, want) => expect(keyAction({ key }, anywhere)).toEqual(want));

  it('a text field keeps every key', () => {
    for (const key of [' ', 'PageDown', 'f', '1', 'Escape']) expect(keyAction({ key }, { inTextField: true, inChart: false })).toBeNull();
  });

  it('a focused chart keeps the arrows and Esc (it walks its bars), and passes the clicker keys on', () => {
    const chart = { inTextField: false, inChart: true };
    expect(keyAction({ key: 'ArrowRight' }, chart)).toBeNull();
    expect(keyAction({ key: 'Escape' }, chart)).toBeNull();
    expect(keyAction({ key: 'PageDown' }, chart)).toEqual({ type: 'page', direction: 1 });
    expect(keyAction({ key: ' ' }, chart)).toEqual({ type: 'toggle-play' });
  });

  it('a focused slider, select or radio button keeps all four arrows, and the clicker keys still step', () => {
    const slider = { inTextField: false, inChart: false, ownsArrows: true };
    for (const key of ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown']) expect(keyAction({ key }, slider)).toBeNull();
    expect(keyAction({ key: 'PageDown' }, slider)).toEqual({ type: 'page', direction: 1 });
    expect(keyAction({ key: 'PageUp' }, slider)).toEqual({ type: 'page', direction: -1 });
    expect(keyAction({ key: ' ' }, slider)).toEqual({ type: 'toggle-play' });
  });

  it('keys with Ctrl, Alt or Meta are the browser\'s', () => {
    expect(keyAction({ key: 'f', ctrlKey: true }, anywhere)).toBeNull();
    expect(keyAction({ key: 'PageDown', altKey: true }, anywhere)).toBeNull();
    expect(keyAction({ key: 'p', metaKey: true }, anywhere)).toBeNull();
  });

  describe('as the scheduler', () => {
    const asking = (n: number, more: Partial<KeyContext> = {}): KeyContext => ({ ...anywhere, picking: n, ...more });

    it('the digits give the GIL to the threads on offer; a digit past them, or while nothing is asked, does nothing', () => {
      expect(keyAction({ key: '1' }, asking(3))).toEqual({ type: 'pick', index: 0 });
      expect(keyAction({ key: '3' }, asking(3))).toEqual({ type: 'pick', index: 2 });
      expect(keyAction({ key: '4' }, asking(3))).toBeNull();
      expect(keyAction({ key: '1' }, asking(0))).toBeNull();
    });

    it('↑ / ↓ move the highlight and Enter picks it, unless focus is on a control that has its own', () => {
      expect(keyAction({ key: 'ArrowDown' }, asking(2))).toEqual({ type: 'pick-move', direction: 1 });
      expect(keyAction({ key: 'ArrowUp' }, asking(2))).toEqual({ type: 'pick-move', direction: -1 });
      expect(keyAction({ key: 'Enter' }, asking(2))).toEqual({ type: 'pick-confirm' });
      expect(keyAction({ key: 'ArrowDown' }, asking(2, { ownsArrows: true }))).toBeNull();
      expect(keyAction({ key: 'ArrowDown' }, asking(2, { inChart: true }))).toBeNull();
      expect(keyAction({ key: 'Enter' }, asking(2, { ownsEnter: true }))).toBeNull();
      expect(keyAction({ key: 'Enter' }, asking(0))).toBeNull();
    });

    it('U undoes, S leaves, and the presenter\'s keys are unchanged', () => {
      expect(keyAction({ key: 'u' }, asking(0))).toEqual({ type: 'undo-pick' });
      expect(keyAction({ key: 'S' }, asking(2))).toEqual({ type: 'scheduler' });
      for (const [key, want] of [
        [' ', { type: 'toggle-play' }],
        ['ArrowRight', { type: 'event', direction: 1 }],
        ['PageDown', { type: 'page', direction: 1 }],
        ['f', { type: 'fullscreen' }],
        ['Escape', { type: 'escape' }],
      ] as const)
        expect(keyAction({ key }, asking(2))).toEqual(want);
    });

    it('a text field still keeps every key', () => {
      for (const key of ['1', 'Enter', 'ArrowDown', 'u', 's']) expect(keyAction({ key }, asking(2, { inTextField: true }))).toBeNull();
    });
  });

  it('every key the map knows is in the help, once', () => {
    const keys = KEY_HELP.map(([k]) => k);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of ['S', 'U', '↑ / ↓, Enter', '1–9']) expect(keys).toContain(k);
  });
});
