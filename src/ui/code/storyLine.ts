/**
 * A line of a story step's Python, in pieces for the stage, where a line too long for its box wraps (App's `.told
 * .line`): a break may come after a space, as anywhere, and also just after an opening bracket, a comma, an `=` or a
 * `.` (where the line is given a `<wbr>`), so `ProcessPoolExecutor(max_workers=cores)` wraps as
 * `ProcessPoolExecutor(` / `max_workers=cores)`, never mid-name as `max_workers=core` / `s)`. The comment (from a
 * `#` outside a string to the end) is its own piece, drawn as a comment, so its wrapped words never read as code.
 */
export interface LinePiece {
  text: string;
  /** A break is allowed after this piece. */
  wbr: boolean;
  comment: boolean;
}

const BREAK_AFTER = new Set(['(', '[', '{', ',', '=', '.']);

export function storyLinePieces(line: string): LinePiece[] {
  const hash = commentStart(line);
  const code = hash < 0 ? line : line.slice(0, hash);
  const out: LinePiece[] = [];
  let from = 0;
  for (let i = 0; i < code.length; i++) {
    // Not inside a run of them ("==", "..."), nor at the line's end: a break there buys nothing.
    if (BREAK_AFTER.has(code[i]) && !BREAK_AFTER.has(code[i + 1] ?? ' ') && i + 1 < code.length && code[i + 1] !== ' ') {
      out.push({ text: code.slice(from, i + 1), wbr: true, comment: false });
      from = i + 1;
    }
  }
  if (from < code.length) out.push({ text: code.slice(from), wbr: false, comment: false });
  if (hash >= 0) out.push({ text: line.slice(hash), wbr: false, comment: true });
  return out;
}

/** Where a `#` comment starts, outside any string literal; -1 for none. */
function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return i;
  }
  return -1;
}
