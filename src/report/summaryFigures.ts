import type { ModelRun, SharedResult } from '../sim/timeline.ts';
import type { Scenario, Seconds } from '../sim/types.ts';

// What a run means, in figures and words, for every reader of it: the app's summary table, charts and narration,
// the SVG export, and the CLI's table all say it in these words. Figures beyond the run's own summary are each
// defined to match what the charts draw. Imports the simulator's types only: neither the UI nor the CLI.

/**
 * When a task is done: the end of its last span that is not `done`. NaN for a task that never ends (deadlocked) or
 * never started (skipped, or broken by its pool before it began).
 */
export function taskEnd(run: ModelRun, task: number): Seconds {
  const t = run.tasks[task];
  if (t && (t.outcome === 'deadlocked' || t.outcome === 'skipped' || Number.isNaN(t.start))) return NaN;
  const spans = run.taskSpans[task] ?? [];
  for (let i = spans.length - 1; i >= 0; i--) if (spans[i].state !== 'done') return spans[i].end;
  return 0;
}

/** GIL wait of the mean task, and as a share of the run: what one task's lane shows as "waiting for the GIL". */
export function gilWaitPerTask(run: ModelRun): { seconds: Seconds; share: number } {
  const n = Math.max(1, run.taskSpans.length);
  const seconds = run.summary.gilWait / n;
  return { seconds, share: run.makespan > 0 ? seconds / run.makespan : 0 };
}

/** Seconds the event loop spent inside blocking calls: the loop lane's "blocking the loop" bars, added up. */
export function loopBlockedByCalls(run: ModelRun): Seconds {
  let t = 0;
  for (const l of run.loop) if (l.kind === 'blocking-io') t += l.end - l.start;
  return t;
}

/**
 * The task whose end differs most between the models (latest over earliest end): the convoy's chatty task, the one
 * a blocking call holds up. The first task when all end alike.
 */
export function mostAffectedTask(runs: readonly ModelRun[]): number {
  let best = 0;
  let ratio = 1;
  const n = runs[0]?.taskSpans.length ?? 0;
  for (let t = 0; t < n; t++) {
    // A task some model never ends or never starts (NaN) has no end to compare there.
    const ends = runs.map((r) => taskEnd(r, t)).filter((e) => e > 0);
    if (!ends.length) continue;
    const r = Math.max(...ends) / Math.min(...ends);
    if (r > ratio + 1e-9) {
      ratio = r;
      best = t;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// What became of a run, in words: the summary table, the narration and `simulate`'s table say the same sentences
// (each given its own way of printing a time: the app's two decimals, the command line's three).
// ---------------------------------------------------------------------------------------------------------------

type Time = (t: Seconds) => string;

/** "a", "a and b", "a, b and c". */
export const list = (names: readonly string[]): string => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
/** 1234567 → "1,234,567". */
export const count = (n: number): string => Math.round(n).toLocaleString('en');

/** Every task ended as it should: nothing raised, cancelled, broken, blocked for ever or left unstarted. */
export const allOk = (run: ModelRun): boolean => run.tasks.every((t) => t.outcome === 'ok');

/** The program ended by itself, with no exception: no deadlock, no error in the main program, no crash. */
export const cleanFinish = (run: ModelRun): boolean => !run.deadlock && !run.error && !run.tasks.some((t) => t.outcome === 'broken');

/**
 * A task's outcome in a few words: "ok", "raised ValueError", "cancelled", "broken: BrokenProcessPool", "called
 * os._exit(1)" (`crashed`: it is the task that did), "died with the process", "deadlocked", "never started".
 */
export function outcomeWords(t: ModelRun['tasks'][number], crashed = false): string {
  if (crashed) return 'called os._exit(1)';
  switch (t.outcome) {
    case 'ok':
      return 'ok';
    case 'raised':
      return `raised ${t.error ?? 'an exception'}`;
    case 'cancelled':
      return 'cancelled';
    case 'broken':
      return t.error === 'crash' ? 'died with the process' : `broken: ${t.error ?? 'BrokenProcessPool'}`;
    case 'deadlocked':
      return Number.isNaN(t.start) ? 'deadlocked, never started' : 'deadlocked';
    case 'skipped':
      return 'never started';
  }
}

/** Why a wait that is not part of a cycle never ends, from what the task waits for and the step it is on. */
function hopeless(run: ModelRun, sc: Scenario, task: number, on: string): string {
  const spans = run.taskSpans[task] ?? [];
  const last = spans[spans.length - 1];
  const step = last ? sc.tasks[task]?.steps[last.step] : undefined;
  switch (step?.kind) {
    case 'acquire':
      return `waits for lock ${on}, which nobody will release`;
    case 'get':
      return `waits for an item from queue ${on}, which stays empty`;
    case 'put':
      return `waits for room in queue ${on}, which stays full`;
    case 'wait':
      return `waits for event ${on}, which nobody will set`;
    case 'barrier': {
      const parties = sc.barriers?.[on]?.parties;
      const there = run.sync.flat().filter((x) => x.object === on && x.type === 'barrier').at(-1)?.count;
      return `waits at barrier ${on}${parties ? ` for ${parties} parties` : ''}${there !== undefined && parties ? `, only ${there} ever there` : ''}`;
    }
    default:
      return `waits for ${on} for ever`;
  }
}

/**
 * The deadlock, or null: "deadlock at 0.201 s: alice → bob holds alice, waits for bob; bob → alice holds bob, waits
 * for alice"; a wait that is no cycle: "stuck at 0.200 s: fast waits at barrier start for 3 parties, only 1 ever
 * there; medium and slow never start". `aside` goes after the time: " (the program never ends)".
 */
export function deadlockWords(run: ModelRun, sc: Scenario, time: Time, aside = ''): string | null {
  const d = run.deadlock;
  if (!d) return null;
  const name = (i: number) => sc.tasks[i]?.name ?? `task ${i}`;
  const parts = d.tasks.map((w) => {
    const holds = w.holds.length ? `${name(w.task)} holds ${list(w.holds)}, ` : `${name(w.task)} `;
    return `${holds}${d.cycle ? `waits for ${w.waitsFor}` : hopeless(run, sc, w.task, w.waitsFor)}`;
  });
  const listed = new Set(d.tasks.map((w) => w.task));
  const unstarted = run.tasks.flatMap((t, i) => (t.outcome === 'deadlocked' && !listed.has(i) && Number.isNaN(t.start) ? [t.name] : []));
  const stuck = run.tasks.flatMap((t, i) => (t.outcome === 'deadlocked' && !listed.has(i) && !Number.isNaN(t.start) ? [t.name] : []));
  if (stuck.length) parts.push(`${list(stuck)} ${stuck.length === 1 ? 'waits' : 'wait'} behind them`);
  if (unstarted.length) parts.push(`${list(unstarted)} never ${unstarted.length === 1 ? 'starts' : 'start'}`);
  return `${d.cycle ? 'deadlock' : 'stuck'} at ${time(d.at)}${aside}: ${parts.join('; ')}`;
}

/** The task whose `os._exit` (a crash) killed its process, or -1. */
export function crasher(run: ModelRun): number {
  return run.marks.find((m) => m.kind === 'crash')?.task ?? run.marks.find((m) => m.kind === 'broken' && /os\._exit/.test(m.text))?.task ?? -1;
}

/**
 * The exception that reached the main program, or the crash that ended it, or null: "ValueError reached the main
 * program at 0.600 s: f.result() re-raised it in the main thread (…)"; "os._exit(1) in crashes killed the program at
 * 1.412 s: the process died at once, every thread with it: no exception, no clean-up".
 */
export function errorWords(run: ModelRun, sc: Scenario, time: Time): string | null {
  const e = run.error;
  const head = errorHead(run, sc);
  if (!e || !head) return null;
  if (e.type === 'crash') return `${head} at ${time(e.at)}: ${e.how}`;
  return `${head} at ${time(e.at)}${e.task >= 0 && sc.tasks[e.task] ? ` (from ${sc.tasks[e.task].name})` : ''}: ${e.how}`;
}

/** `errorWords`' first words, with no time: "ValueError reached the main program", "os._exit(1) in crashes killed the program". */
export function errorHead(run: ModelRun, sc: Scenario): string | null {
  const e = run.error;
  if (!e) return null;
  return e.type === 'crash' ? `os._exit(1) in ${sc.tasks[e.task]?.name ?? 'a task'} killed the program` : `${e.type} reached the main program`;
}

/**
 * A process pool broken by a worker's death, or null: "the pool broke at 0.608 s: crashes's worker process died
 * (os._exit), and crashes, long and queued ended with BrokenProcessPool".
 */
export function brokenPoolWords(run: ModelRun, sc: Scenario, time: Time): string | null {
  if (run.model !== 'processes') return null;
  const broken = run.tasks.flatMap((t, i) => (t.outcome === 'broken' ? [i] : []));
  if (!broken.length) return null;
  const at = Math.min(...run.marks.filter((m) => m.kind === 'broken').map((m) => m.at), run.makespan);
  const who = crasher(run);
  return `the pool broke at ${time(at)}: ${who >= 0 ? `${sc.tasks[who].name}'s worker process died (os._exit)` : 'a worker process died'}, and ${list(broken.map((i) => sc.tasks[i].name))} ended with BrokenProcessPool`;
}

/** Exceptions the main program never saw: a bare Thread's, printed by threading.excepthook. */
export function unseenErrorWords(run: ModelRun, sc: Scenario, time: Time): string[] {
  return run.marks
    .filter((m) => m.kind === 'raised' && /excepthook/.test(m.text))
    .map((m) => `${sc.tasks[m.task]?.name ?? 'a thread'} raised ${run.tasks[m.task]?.error ?? 'an exception'} at ${time(m.at)}: threading.excepthook printed it; the main program never sees it`);
}

/** The shared values some `iterate` step walks: dicts, whose `final` and `expected` count keys added. */
export const sharedDicts = (sc: Scenario): Set<string> => new Set(sc.tasks.flatMap((t) => t.steps.flatMap((s) => (s.kind === 'iterate' ? [s.shared] : []))));

/**
 * "counter: 324,940 of 1,000,000 expected (675,060 updates lost)"; a dict counts the keys added ("table: 1 key added,
 * as expected"); a note says why where the count cannot (a process pool's parent never sees its workers' updates).
 */
export function sharedWords(s: SharedResult, dict: boolean): string {
  if (dict && !s.note && s.final === s.expected) return `${s.name}: ${count(s.final)} ${s.final === 1 ? 'key' : 'keys'} added, as expected`;
  const what = dict ? `${s.name}: ${count(s.final)} of ${count(s.expected)} keys added` : `${s.name}: ${count(s.final)} of ${count(s.expected)} expected`;
  if (s.note) return `${what}: ${s.note}`;
  if (s.lost > 0) return `${what} (${count(s.lost)} ${dict ? (s.lost === 1 ? 'key' : 'keys') : s.lost === 1 ? 'update' : 'updates'} lost)`;
  if (s.lost < 0) return `${what} (${count(-s.lost)} more than expected)`;
  return `${what} (none lost)`;
}

/**
 * The tasks that did not end well, in a sentence, leaving out what `deadlockWords`, `errorWords`, `brokenPoolWords`
 * and `unseenErrorWords` already say: "fails raised ValueError; slow and medium were cancelled; fast ok never started".
 */
export function taskOutcomeWords(run: ModelRun, sc: Scenario): string | null {
  const parts = taskOutcomeParts(run, sc);
  return parts.length ? parts.join('; ') : null;
}

/** `taskOutcomeWords`' parts; `unseen`: with the exceptions only threading.excepthook saw ("fails raised ValueError"). */
function taskOutcomeParts(run: ModelRun, sc: Scenario, unseenToo = false): string[] {
  const parts: string[] = [];
  const outcome = (i: number) => run.tasks[i].outcome;
  const named = (pick: (i: number) => boolean) => run.tasks.flatMap((t, i) => (pick(i) ? [sc.tasks[i]?.name ?? t.name] : []));
  const told = run.error && run.tasks[run.error.task]?.error === run.error.type ? run.error.task : -1;
  const unseen = new Set(unseenToo ? [] : run.marks.filter((m) => m.kind === 'raised' && /excepthook/.test(m.text)).map((m) => m.task));
  const raised = new Map<string, number[]>();
  run.tasks.forEach((t, i) => {
    if (t.outcome === 'raised' && i !== told && !unseen.has(i)) raised.set(t.error ?? 'an exception', [...(raised.get(t.error ?? 'an exception') ?? []), i]);
  });
  for (const [type, tasks] of raised) parts.push(`${list(tasks.map((i) => sc.tasks[i].name))} raised ${type}`);
  const cancelled = named((i) => outcome(i) === 'cancelled');
  if (cancelled.length) parts.push(`${list(cancelled)} ${cancelled.length === 1 ? 'was' : 'were'} cancelled`);
  const crashed = crasher(run);
  if (run.model !== 'processes') {
    if (crashed >= 0 && !(run.error?.type === 'crash' && run.error.task === crashed)) parts.push(`${sc.tasks[crashed].name} called os._exit(1)`);
    const died = named((i) => outcome(i) === 'broken' && i !== crashed);
    if (died.length) parts.push(`${list(died)} died with the process`);
  }
  const skipped = named((i) => outcome(i) === 'skipped');
  if (skipped.length) parts.push(`${list(skipped)} never started`);
  return parts;
}

/** Everything the summary says of a run beyond its figures, as sentences (empty for a clean run with no shared value). */
export function outcomeSentences(run: ModelRun, sc: Scenario, time: Time): string[] {
  const dicts = sharedDicts(sc);
  const deadlock = deadlockWords(run, sc, time, ' (the program never ends)');
  return [deadlock, errorWords(run, sc, time), brokenPoolWords(run, sc, time), ...unseenErrorWords(run, sc, time), taskOutcomeWords(run, sc), ...run.shared.map((v) => sharedWords(v, dicts.has(v.name)))]
    .filter((x): x is string => !!x)
    // Only the sentences' own first words are capitalised: a task's or a value's name stays as written.
    .map((x) => (/^(deadlock|stuck|the) /.test(x) ? x.charAt(0).toUpperCase() + x.slice(1) : x) + '.');
}

// ---------------------------------------------------------------------------------------------------------------
// A wrong result is never crowned: the table's "fastest" and a chart's caption say what went wrong, in a few words
// taken from the sentences above.
// ---------------------------------------------------------------------------------------------------------------

/**
 * What went wrong with a run's program or its tasks, in a few words, or null for a program that ended by itself with
 * every task ok: the exception that reached the main program, or the crash ("ValueError reached the main program",
 * "os._exit(1) in crashes killed the program"); else its tasks' first bad end ("fails raised ValueError", even one
 * only threading.excepthook printed; "slow and medium were cancelled"). A deadlock is `deadlockWords`' to say.
 */
export function troubleWords(run: ModelRun, sc: Scenario): string | null {
  const head = errorHead(run, sc) ?? taskOutcomeParts(run, sc, true)[0];
  if (head) return head;
  if (run.deadlock) return null;
  // Whatever else did not end ok (a broken pool the main program never heard of): the task's outcome.
  const bad = run.tasks.findIndex((t) => t.outcome !== 'ok' && t.outcome !== 'deadlocked');
  return bad < 0 ? null : `${sc.tasks[bad]?.name ?? run.tasks[bad].name} ${outcomeWords(run.tasks[bad], bad === crasher(run))}`;
}

/** A shared value that did not end as expected, in a few words: "counter is wrong: 0 of 20,000,000"; null for a right one. */
export function wrongValueWords(s: SharedResult, dict: boolean): string | null {
  if (!s.note && s.final === s.expected) return null;
  return `${s.name} is wrong: ${count(s.final)} of ${count(s.expected)}${dict ? ' keys added' : ''}`;
}

/**
 * Why a run did not do the work right, in a few words, or null when it did (it ended by itself, every task ok, every
 * shared value as expected): "the program never ends", then `troubleWords`, then the first wrong shared value.
 */
export function wrongWords(run: ModelRun, sc: Scenario): string | null {
  if (run.deadlock) return 'the program never ends';
  return troubleWords(run, sc) ?? wrongShared(run, sc)?.words ?? null;
}

/** The run's first shared value that did not end as expected, with `wrongValueWords`' words for it; null for none. */
function wrongShared(run: ModelRun, sc: Scenario): { name: string; words: string } | null {
  const dicts = sharedDicts(sc);
  for (const v of run.shared) {
    const words = wrongValueWords(v, dicts.has(v.name));
    if (words !== null) return { name: v.name, words };
  }
  return null;
}

/**
 * `troubleWords` three ways, longest first: as it is, brief ("ValueError reached main", "crashes called os._exit(1)",
 * "fails raised ValueError"), and in a word or two ("ValueError", "os._exit(1)", "cancelled"); null with no trouble.
 */
function troubleForms(run: ModelRun, sc: Scenario): [string, string, string] | null {
  const full = troubleWords(run, sc);
  if (!full) return null;
  const e = run.error;
  if (e) return e.type === 'crash' ? [full, `${sc.tasks[e.task]?.name ?? 'a task'} called os._exit(1)`, 'os._exit(1)'] : [full, `${e.type} reached main`, e.type];
  // The task `troubleWords` names first: a raise, then a cancellation, a death, a task never started.
  const first = (['raised', 'cancelled', 'broken', 'skipped'] as const).map((o) => run.tasks.find((t) => t.outcome === o)).find((t) => t !== undefined);
  return [full, full, first?.outcome === 'raised' ? (first.error ?? 'raised') : first ? outcomeWords(first) : full];
}

/**
 * A chart's caption for a run that ends: "finishes at 0.60 s", or, where an exception reached the main program or
 * tasks did not end well, "ends at 0.80 s (ValueError reached the main program)", with the exception's time where
 * the program went on after it: "ends at 0.51 s (ValueError reached the main program at 0.30 s)". `room`: the
 * stage's one line, in characters: the brief wording if it fits ("ends at 0.51 s (ValueError reached main)"), else
 * the shortest ("ends at 0.10 s (ExceptionGroup)"); a clean run's "finishes at 14.03 s" becomes "ends 14.03 s". A
 * clean run whose shared value ended wrong says that: "finishes at 0.44 s (counter is wrong: 0 of 20,000,000)", on the
 * stage "(counter wrong)". (A deadlocked run's caption is the chart's own.)
 */
export function endingWords(run: ModelRun, sc: Scenario, time: Time, room?: number): string {
  const forms = troubleForms(run, sc);
  if (!forms) {
    // A clean end with a wrong shared value says so too: processes' counter, each worker's own, ends at 0.
    const wrong = wrongShared(run, sc);
    const plain = wrong
      ? [`finishes at ${time(run.makespan)} (${wrong.words})`, `finishes at ${time(run.makespan)} (${wrong.name} wrong)`, `ends ${time(run.makespan)} (${wrong.name} wrong)`]
      : [`finishes at ${time(run.makespan)}`, `ends ${time(run.makespan)}`, time(run.makespan)];
    // On the stage's one line beside a long title ("processes (forkserver) ×4" in a third of 1280 px): shorter.
    return room === undefined ? plain[0] : (plain.find((w) => w.length <= room) ?? plain[plain.length - 1]);
  }
  const say = (trouble: string) => `ends at ${time(run.makespan)} (${trouble})`;
  if (room === undefined) return say(`${forms[0]}${run.error && time(run.error.at) !== time(run.makespan) ? ` at ${time(run.error.at)}` : ''}`);
  return say(say(forms[1]).length <= room ? forms[1] : forms[2]);
}

/**
 * Each run's badge in the summary table, or null. The runs that end first, in the digits `time` prints (ties are
 * "joint"), are "fastest" where they did the work right and "fastest, but counter is wrong: 0 of 20,000,000" where
 * they did not (`crowned` false); then, if none of them did it right, the first of those that did are "fastest
 * correct". A program that never ends is never among them.
 */
export function fastestBadges(runs: readonly ModelRun[], sc: Scenario, time: Time): ({ words: string; crowned: boolean } | null)[] {
  const wrong = runs.map((r) => wrongWords(r, sc));
  const firstOf = (pick: (i: number) => boolean): number[] => {
    const ids = runs.flatMap((r, i) => (pick(i) ? [i] : []));
    const best = Math.min(...ids.map((i) => runs[i].makespan));
    return ids.filter((i) => time(runs[i].makespan) === time(best));
  };
  const first = firstOf((i) => !runs[i].deadlock);
  const joint = (ids: number[]) => (ids.length > 1 ? 'joint fastest' : 'fastest');
  const badges: ({ words: string; crowned: boolean } | null)[] = runs.map(() => null);
  for (const i of first) badges[i] = wrong[i] === null ? { words: joint(first), crowned: true } : { words: `${joint(first)}, but ${wrong[i]}`, crowned: false };
  if (!first.some((i) => wrong[i] === null)) {
    const right = firstOf((i) => wrong[i] === null);
    for (const i of right) badges[i] = { words: `${joint(right)} correct`, crowned: true };
  }
  return badges;
}
