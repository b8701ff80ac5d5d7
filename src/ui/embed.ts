/**
 * The app inside a slide deck (`?embed`): what the deck may tell it, and which keys it hands back to the deck. Pure,
 * so the rules are testable and one place says them.
 *
 * Messages come from strangers' pages: only plain data is read (a string, or an object of strings and numbers),
 * checked field by field; nothing from a message is ever evaluated or inserted as markup, and anything else is
 * ignored.
 */
import type { KeyInput } from './keys.ts';

/** What the deck can ask for. `step` is a story step counted from 1, as the link's `step=` is. */
export type EmbedCommand =
  | { type: 'slide'; open: boolean } // reveal.js: its slide opened (play) or left (pause)
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'next' }
  | { type: 'prev' }
  | { type: 'seek'; time: number } // seconds
  | { type: 'step'; step: number }
  | { type: 'getState' };

/** The answer to `getState`, posted back to the window that asked. */
export interface EmbedState {
  /** The story step on screen, from 1; null without a story. */
  step: number | null;
  steps: number;
  /** The playhead and the run's end, in seconds. */
  time: number;
  end: number;
  playing: boolean;
  scenario: string;
}

/** Whose the Space bar is: the embed's (play / pause) or the deck's (`?embed=deck`: Space turns the deck's page). */
export interface EmbedOptions {
  deckSpace: boolean;
}

const LONGEST_MESSAGE = 2000;

/** The keys a hidden embed hands to its deck whatever it would do with them on its slide. */
const DECK_WHEN_HIDDEN = new Set(['PageDown', 'PageUp', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', ' ', 'Home', 'End']);

/**
 * A message posted to the embed: reveal.js's `slide:start` (its slide opened: play) and `slide:stop` (it left:
 * pause), and `{ method, args }`, as an object or as reveal.js's JSON text. Anything else: null, ignored.
 */
export function parseMessage(data: unknown): EmbedCommand | null {
  if (data === 'slide:start') return { type: 'slide', open: true };
  if (data === 'slide:stop') return { type: 'slide', open: false };
  let msg: unknown = data;
  if (typeof data === 'string') {
    if (data.length > LONGEST_MESSAGE || !data.startsWith('{')) return null;
    try {
      msg = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return null;
  const { method, args } = msg as { method?: unknown; args?: unknown };
  if (typeof method !== 'string') return null;
  if (args !== undefined && !Array.isArray(args)) return null;
  const first = Array.isArray(args) ? args[0] : undefined;
  switch (method) {
    case 'play':
    case 'pause':
    case 'next':
    case 'prev':
    case 'getState':
      return { type: method };
    case 'seek':
      return typeof first === 'number' && Number.isFinite(first) && first >= 0 ? { type: 'seek', time: first } : null;
    case 'step':
      return typeof first === 'number' && Number.isInteger(first) && first >= 1 ? { type: 'step', step: first } : null;
  }
  return null;
}

/** The most messages one batch keeps (the latest), and the most story steps or events a batch's next / prev move. */
export const BATCH_MESSAGES = 200;
export const BATCH_MOVES = 20;

/**
 * The commands of one batch of messages (those that arrived between two turns of the page's event loop), as the embed
 * carries them out: a page that floods the frame (a script posting `next` in a loop) must never hang it. Only the
 * latest `BATCH_MESSAGES` are kept; a run of `next` / `prev` becomes its net move, at most `BATCH_MOVES`; a run of
 * one other command becomes its last (the seek, the step, play or pause that stands). Order is kept otherwise, and
 * each command keeps what came with it (`T`: the window that asked, for `getState`).
 */
export function coalesce<T extends { cmd: EmbedCommand }>(batch: readonly T[]): T[] {
  const out: T[] = [];
  let moves = 0;
  let lastMove: T | null = null;
  const flushMoves = () => {
    if (!lastMove) return;
    const type = moves > 0 ? 'next' : 'prev';
    for (let i = 0; i < Math.min(Math.abs(moves), BATCH_MOVES); i++) out.push({ ...lastMove, cmd: { type } });
    [moves, lastMove] = [0, null];
  };
  for (const item of batch.slice(-BATCH_MESSAGES)) {
    const { type } = item.cmd;
    if (type === 'next' || type === 'prev') {
      moves += type === 'next' ? 1 : -1;
      lastMove = item;
      continue;
    }
    flushMoves();
    if (out.length && out[out.length - 1].cmd.type === type) out[out.length - 1] = item;
    else out.push(item);
  }
  flushMoves();
  return out;
}

/**
 * What the embed does with a key: `own` (its action, as `keyAction` says), `forward` (to the deck: a focused iframe
 * would otherwise trap the speaker's clicker) or `ignore` (neither: a key nobody uses).
 *
 * - PageDown / PageUp turn the story's steps, and go to the deck past the story's first and last step (and always
 *   with no story): the clicker walks the story, then the deck.
 * - ← / → step through events when a story is loaded, until the run's start (←) or end (→): there, and without a
 *   story, they are the deck's (`atRunEdge`: the playhead is where the key's direction has no event left).
 * - Space plays and pauses, unless the deck owns it (`?embed=deck`).
 * - The keys of a stage the deck already is (full screen, black screen, presenter mode, help, Esc) are the deck's:
 *   reveal.js and Slidev use F, B, ".", "?" and Esc themselves.
 * - Everything else the app uses (Home / End, zoom, 1–9, C) stays the embed's.
 * - Off its slide (after `slide:stop`), the embed is hidden but may still hold the focus: every key that turns pages
 *   or plays is the deck's, so a clicker never moves a story nobody sees.
 */
export function embedKey(e: KeyInput, ctx: { story: boolean; atStoryEdge: boolean; deckSpace: boolean; offSlide?: boolean; atRunEdge?: boolean }): 'own' | 'forward' {
  if (ctx.offSlide && DECK_WHEN_HIDDEN.has(e.key)) return 'forward';
  switch (e.key) {
    case 'PageDown':
    case 'PageUp':
      return ctx.story && !ctx.atStoryEdge ? 'own' : 'forward';
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'ArrowUp':
    case 'ArrowDown':
      return ctx.story && !ctx.atRunEdge && (e.key === 'ArrowLeft' || e.key === 'ArrowRight') ? 'own' : 'forward';
    case ' ':
      return ctx.deckSpace ? 'forward' : 'own';
    case 'f':
    case 'F':
    case 'b':
    case 'B':
    case '.':
    case 'p':
    case 'P':
    case '?':
    case 'Escape':
    case 's':
    case 'S':
      return 'forward';
  }
  return 'own';
}

/** reveal.js's API method for a forwarded key (its postMessage API calls `Reveal[method]`), where it has one. */
const REVEAL_METHODS: Record<string, string> = {
  PageDown: 'next',
  PageUp: 'prev',
  ' ': 'next',
  ArrowRight: 'right',
  ArrowLeft: 'left',
  ArrowUp: 'up',
  ArrowDown: 'down',
  b: 'togglePause',
  B: 'togglePause',
  '.': 'togglePause',
  Escape: 'toggleOverview',
  '?': 'toggleHelp',
};

/**
 * The message a forwarded key is posted to the parent as: reveal.js's own JSON text (`{"method":"next","args":[]}`,
 * which a reveal.js deck runs as is), carrying the key too, so that any other deck page can replay it as a key press.
 */
export function forwardMessage(e: KeyInput & { code?: string; shiftKey?: boolean }): string {
  const method = REVEAL_METHODS[e.key];
  return JSON.stringify({
    ...(method ? { method, args: [] } : {}),
    namespace: 'pcv',
    eventName: 'key',
    key: e.key,
    code: e.code ?? '',
    shiftKey: !!e.shiftKey,
  });
}
