import { describe, expect, it } from 'vitest';
import { storyLinePieces } from '../../src/ui/code/storyLine.ts';

/** The pieces as text: "|" where a break is allowed beside the spaces, the comment in «». */
const shown = (line: string) => storyLinePieces(line).map((p) => (p.comment ? `«${p.text}»` : p.text + (p.wbr ? '|' : ''))).join('');

describe('storyLinePieces: a story line wraps only where it reads as code', () => {
  it.each([
    ['after an opening bracket, an = and a comma, never inside a name', '    with ProcessPoolExecutor(max_workers=cores) as ex:', '    with ProcessPoolExecutor(|max_workers=|cores) as ex:'],
    ['after a dot of an attribute or call', 'list(ex.map(run, tasks))', 'list(|ex.|map(|run, tasks))'],
    ['not inside ==, nor before a space, nor at the end', 'if a == b, c = (', 'if a == b, c = ('],
    ['a comment is its own piece, drawn as one, so its wrapped words never read as code', 'x = f(y)  # pure Python: needs the GIL', 'x = f(|y)  «# pure Python: needs the GIL»'],
    ['a # inside a string is not a comment', 'print("#1", x)  # first', 'print(|"#1", x)  «# first»'],
    ['a line that is all comment', '# Deadlock: two locks', '«# Deadlock: two locks»'],
    ['an empty line stays empty', '', ''],
  ])('%s', (_, line, want) => {
    expect(shown(line)).toBe(want);
    // Nothing lost or added.
    expect(storyLinePieces(line).map((p) => p.text).join('')).toBe(line);
  });
});
