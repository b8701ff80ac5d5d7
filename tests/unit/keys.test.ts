import { describe, expect, it } from 'vitest';
import { keyAction, type KeyAction } from '../../src/ui/keys.ts';

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

  it('keys with Ctrl, Alt or Meta are the browser\'s', () => {
    expect(keyAction({ key: 'f', ctrlKey: true }, anywhere)).toBeNull();
    expect(keyAction({ key: 'PageDown', altKey: true }, anywhere)).toBeNull();
    expect(keyAction({ key: 'p', metaKey: true }, anywhere)).toBeNull();
  });
});
