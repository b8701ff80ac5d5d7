/**
 * The app's keys, as a pure function of the key and where focus is, so the map is testable and one place says what
 * each key does. The app listens in the capture phase and prevents the default of every key it uses: a focused
 * slider, select or button never also moves, opens or presses (PageDown on the time slider would move time
 * backwards; Space on "Restart" would restart). Only a text field keeps its own keys, a focused chart keeps the
 * arrows to walk its bars, and a focused slider, select or radio button keeps the arrows to change its value (as every
 * such control does; the clicker's PageDown / PageUp still step the story).
 */
export type KeyAction =
  | { type: 'toggle-play' }
  | { type: 'event'; direction: 1 | -1 } // the next / previous event, however close
  | { type: 'page'; direction: 1 | -1 } // story step, or the next event visible at this zoom
  | { type: 'start' }
  | { type: 'end' }
  | { type: 'zoom'; factor: number } // 2: twice as close, 0.5: twice as far, 0: the whole run
  | { type: 'fullscreen' }
  | { type: 'black' }
  | { type: 'model'; index: number } // show that model alone (0-based)
  | { type: 'compare' }
  | { type: 'help' }
  | { type: 'present' }
  | { type: 'escape' }
  | { type: 'scheduler' } // you are the scheduler (a threads model's GIL): on / off
  | { type: 'pick'; index: number } // as the scheduler: that candidate gets the GIL (0-based)
  | { type: 'pick-move'; direction: 1 | -1 } // as the scheduler: highlight the next / previous candidate
  | { type: 'pick-confirm' } // as the scheduler: the highlighted candidate gets the GIL
  | { type: 'undo-pick' }; // as the scheduler: take the last pick back

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

export interface KeyContext {
  /** Focus is in a text field (text or number input, textarea, contenteditable): it keeps every key. */
  inTextField: boolean;
  /** Focus is on a chart, which walks its bars with the arrow keys. */
  inChart: boolean;
  /** Focus is on a select or an input (a slider, a radio button…): the four arrows are its own. */
  ownsArrows?: boolean;
  /** Focus is on something Enter presses or opens (a button, link, fold, select or input). */
  ownsEnter?: boolean;
  /**
   * You are the scheduler: how many threads the point asked about offers (0: none to pick just now: the next run on
   * its way, or the run decided); null or absent: the mode is off.
   */
  picking?: number | null;
}

export function keyAction(e: KeyInput, ctx: KeyContext): KeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || ctx.inTextField) return null;
  const picking = ctx.picking ?? null;
  if (picking !== null) {
    // As the scheduler, the digits are the threads on offer (a digit past them does nothing: not a model's view).
    if (/^[1-9]$/.test(e.key)) return Number(e.key) <= picking ? { type: 'pick', index: Number(e.key) - 1 } : null;
    if (picking > 0 && !ctx.inChart && !ctx.ownsArrows && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) return { type: 'pick-move', direction: e.key === 'ArrowDown' ? 1 : -1 };
    if (picking > 0 && !ctx.inChart && !ctx.ownsEnter && e.key === 'Enter') return { type: 'pick-confirm' };
    if (e.key === 'u' || e.key === 'U') return { type: 'undo-pick' };
  }
  switch (e.key) {
    case ' ':
      return { type: 'toggle-play' };
    case 'PageDown':
      return { type: 'page', direction: 1 };
    case 'PageUp':
      return { type: 'page', direction: -1 };
    case 'ArrowRight':
      return ctx.inChart || ctx.ownsArrows ? null : { type: 'event', direction: 1 };
    case 'ArrowLeft':
      return ctx.inChart || ctx.ownsArrows ? null : { type: 'event', direction: -1 };
    case 'Home':
      return { type: 'start' };
    case 'End':
      return { type: 'end' };
    case 'f':
    case 'F':
      return { type: 'fullscreen' };
    case 'b':
    case 'B':
    case '.':
      return { type: 'black' };
    case 'c':
    case 'C':
      return { type: 'compare' };
    case 'p':
    case 'P':
      return { type: 'present' };
    case 's':
    case 'S':
      return { type: 'scheduler' };
    case '?':
      return { type: 'help' };
    case '+':
    case '=':
      return { type: 'zoom', factor: 2 };
    case '-':
      return { type: 'zoom', factor: 0.5 };
    case '0':
      return { type: 'zoom', factor: 0 };
    case 'Escape':
      return ctx.inChart ? null : { type: 'escape' };
  }
  if (/^[1-9]$/.test(e.key)) return { type: 'model', index: Number(e.key) - 1 };
  return null;
}

/** Where focus is, for `keyAction`. */
export function keyContext(target: EventTarget | null): KeyContext {
  const el = target instanceof Element ? target : null;
  const field = el?.closest('textarea, [contenteditable=""], [contenteditable="true"], input');
  const inTextField = !!field && (field.tagName !== 'INPUT' || !['range', 'radio', 'checkbox', 'button', 'submit', 'reset', 'file', 'color'].includes((field as HTMLInputElement).type));
  return {
    inTextField,
    inChart: !!el?.closest('[role="application"]'),
    ownsArrows: !!el?.closest('select, input'),
    ownsEnter: !!el?.closest('button, a[href], summary, select, input, [role="button"]'),
  };
}

/** Every key, for the help overlay (and the README): what a speaker can press. */
export const KEY_HELP: [string, string][] = [
  ['PageDown / PageUp', 'next / previous story step; with no story, the next / previous visible event'],
  ['Space', 'play / pause'],
  ['← / →', 'previous / next event (on a focused slider: move it)'],
  ['Home / End', 'start / end of the run'],
  ['+ / − / 0', 'zoom in / out around the playhead, whole run (or wheel, pinch, drag; double click resets)'],
  ['1–9', 'show that model alone (as the scheduler: give the GIL to that thread)'],
  ['C', 'compare all models'],
  ['P', 'presenter mode on / off'],
  ['F', 'full screen'],
  ['B or .', 'black screen (any key returns)'],
  ['?', 'this help'],
  ['Esc', 'close the help, leave full screen, then leave presenter mode'],
  ['S', 'you are the scheduler: hand out a threads model\'s GIL yourself (on / off)'],
  ['↑ / ↓, Enter', 'as the scheduler: highlight a thread, give it the GIL'],
  ['U', 'as the scheduler: undo the last pick'],
];
