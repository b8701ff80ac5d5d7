import { describe, expect, it } from 'vitest';
import { UrlSync } from '../../src/ui/state/urlSync.ts';

/** A fake history that records calls, and a clock the test advances by hand. */
function setup(keepLink = false) {
  const calls: string[] = [];
  const timers: { f: () => void; at: number; id: number }[] = [];
  let ids = 0;
  let now = 0;
  const history = {
    pushState: (_: unknown, __: string, url: string) => calls.push(`push ${url}`),
    replaceState: (_: unknown, __: string, url: string) => calls.push(`replace ${url}`),
  };
  const sync = new UrlSync(history, 'A', keepLink, {
    throttleMs: 150,
    setTimer: (f, ms) => {
      timers.push({ f, at: now + ms, id: ++ids });
      return ids;
    },
    clearTimer: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    for (const t of due) timers.splice(timers.indexOf(t), 1);
    for (const t of due) t.f();
  };
  return { sync, calls, advance };
}

describe('the address follows the state', () => {
  it.each([
    ['a new choice pushes an entry', [['B', '?b', false]], ['push ?b']],
    ['the playhead of the same choice replaces it', [['A', '?a&t=1', false]], ['replace ?a&t=1']],
    ['while playing, the playhead is not written', [['A', '?a&t=1', true]], []],
    ['two choices, two entries', [['B', '?b', false], ['C', '?c', false]], ['push ?b', 'push ?c']],
    ['back to the same choice after another: a new entry', [['B', '?b', false], ['A', '?a', false]], ['push ?b', 'push ?a']],
  ] as [string, [string, string, boolean][], string[]][])('%s', (_, writes, want) => {
    const { sync, calls } = setup();
    for (const [k, u, p] of writes) sync.write(k, u, p);
    expect(calls).toEqual(want);
  });

  it('a slider drag is one entry: the first input pushes, the rest replace at most every 150 ms, and letting go writes the last', () => {
    const { sync, calls, advance } = setup();
    sync.input(true);
    sync.write('n=2', '?n=2', false);
    sync.write('n=3', '?n=3', false);
    sync.write('n=4', '?n=4', false);
    expect(calls).toEqual(['push ?n=2']);
    advance(150);
    expect(calls).toEqual(['push ?n=2', 'replace ?n=4']);
    sync.write('n=5', '?n=5', false);
    sync.endSlide();
    expect(calls).toEqual(['push ?n=2', 'replace ?n=4', 'replace ?n=5']);
    // The next choice after the drag is its own entry.
    sync.write('m=1', '?m=1', false);
    expect(calls.at(-1)).toBe('push ?m=1');
  });

  it('slider steps with the keys in a row are one entry; a pause of the given time ends it', () => {
    const { sync, calls, advance } = setup();
    for (const n of [2, 3, 4]) {
      sync.input(true);
      sync.write(`n=${n}`, `?n=${n}`, false);
      sync.endSlide(1000);
      advance(200);
    }
    expect(calls).toEqual(['push ?n=2', 'replace ?n=3', 'replace ?n=4']);
    advance(1000);
    sync.input(true);
    sync.write('n=5', '?n=5', false);
    sync.endSlide(1000);
    expect(calls.at(-1)).toBe('push ?n=5');
  });

  it('a select (not a range) pushes every change', () => {
    const { sync, calls } = setup();
    sync.input(false);
    sync.write('B', '?b', false);
    sync.write('C', '?c', false);
    expect(calls).toEqual(['push ?b', 'push ?c']);
  });

  it('a link with a problem stays as typed until the user changes something; then the address is clean', () => {
    const { sync, calls } = setup(true);
    sync.write('A', '?a&t=3', false);
    expect(calls).toEqual([]);
    sync.write('B', '?b', false);
    sync.write('B', '?b&t=1', false);
    expect(calls).toEqual(['push ?b', 'replace ?b&t=1']);
  });

  it('Back during a drag drops the replace pending for the entry left behind', () => {
    const { sync, calls, advance } = setup();
    sync.input(true);
    sync.write('n=2', '?n=2', false);
    sync.write('n=3', '?n=3', false);
    sync.arrived('A', false);
    advance(500);
    expect(calls).toEqual(['push ?n=2']);
    sync.write('A', '?a&t=2', false);
    expect(calls.at(-1)).toBe('replace ?a&t=2');
  });
});

describe('deferred history calls', () => {
  function deferred() {
    const calls: string[] = [];
    const jobs: (() => void)[] = [];
    const history = {
      pushState: (_: unknown, __: string, url: string) => calls.push(`push ${url}`),
      replaceState: (_: unknown, __: string, url: string) => calls.push(`replace ${url}`),
    };
    const sync = new UrlSync(history, 'A', false, { later: (f) => jobs.push(f) });
    const runJobs = () => jobs.splice(0).forEach((f) => f());
    return { sync, calls, runJobs, jobs };
  }

  it('run later, in the order made, from one scheduled job', () => {
    const { sync, calls, runJobs, jobs } = deferred();
    sync.write('B', '?b', false);
    sync.write('B', '?b&t=1', false);
    sync.write('C', '?c', false);
    expect(calls).toEqual([]);
    expect(jobs).toHaveLength(1);
    runJobs();
    expect(calls).toEqual(['push ?b', 'replace ?b&t=1', 'push ?c']);
  });

  it('Back or Forward drops the calls not yet run: they belonged to the entry left behind', () => {
    const { sync, calls, runJobs } = deferred();
    sync.write('B', '?b', false);
    sync.arrived('A', false);
    runJobs();
    expect(calls).toEqual([]);
    sync.write('A', '?a&t=2', false);
    runJobs();
    expect(calls).toEqual(['replace ?a&t=2']);
  });

  it('flush writes them at once (the app is closing)', () => {
    const { sync, calls } = deferred();
    sync.write('B', '?b', false);
    sync.flush();
    expect(calls).toEqual(['push ?b']);
  });
});
