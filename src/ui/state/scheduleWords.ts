import type { ChoicePoint, ModelRun, TaskSpan } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import { duration, seconds } from '../format.ts';
import { list, outcomeSentences } from '../../report/summaryFigures.ts';
import { SAME_INSTANT } from './schedule.ts';

/** The words of the scheduler's panel: who the candidates are, the question at a point, how the run ended. */

/** The span of `task` going on at `t` (the one starting there, at a boundary). */
function spanAt(run: ModelRun, task: number, t: Seconds): TaskSpan | undefined {
  const spans = run.taskSpans[task] ?? [];
  return spans.find((s) => s.start <= t + SAME_INSTANT && t + SAME_INSTANT < s.end) ?? spans[spans.length - 1];
}

/** Who holds the GIL at `t` (a hand-off in progress counts for the one getting it), or -1. */
export function holderAt(run: ModelRun, t: Seconds): number {
  return run.gil.find((g) => g.start <= t + SAME_INSTANT && t < g.end - SAME_INSTANT)?.thread ?? -1;
}

/** "Main thread", "Thread 1 · alice → bob", "Thread 2 · starting" (a worker between tasks: "between tasks"). */
export function threadName(run: ModelRun, sc: Scenario, c: { thread: number; task: number }, at: Seconds): string {
  if (c.thread === 0) return 'Main thread';
  if (c.task >= 0 && sc.tasks[c.task]) return `Thread ${c.thread} · ${sc.tasks[c.task].name}`;
  const worked = run.coreSegments.some((lane) => lane.some((s) => s.thread === c.thread && s.task >= 0 && s.start < at));
  return `Thread ${c.thread} · ${worked ? 'between tasks' : 'starting'}`;
}

/** A candidate's button: its thread, and on a drop request the holder's "(keep running)". */
export function candidateLabel(run: ModelRun, sc: Scenario, point: ChoicePoint, i: number): string {
  const c = point.candidates[i];
  const keeps = point.kind === 'drop' && i === point.candidates.length - 1;
  return `${threadName(run, sc, c, point.at)}${keeps ? ' (keep running)' : ''}`;
}

/** Why a thread let go of the GIL at `at`: what its task does next. */
function letGo(run: ModelRun, task: number, at: Seconds): string {
  if (task < 0) return '';
  const s = spanAt(run, task, at);
  switch (s?.state) {
    case 'io':
      return ' to wait on I/O';
    case 'lock-wait':
      return ` to wait for lock ${s.on}`;
    case 'queue-wait':
      return ` to wait on queue ${s.on}`;
    case 'event-wait':
      return ` to wait for event ${s.on}`;
    case 'barrier-wait':
      return ` to wait at barrier ${s.on}`;
    case 'running':
      return ' to run native code';
    case 'done':
      return ', its task over';
    default:
      return '';
  }
}

/** The question at a point, and a line on who holds and who waits. */
export function questionOf(run: ModelRun, sc: Scenario, point: ChoicePoint, switchIntervalMs: number): { question: string; detail: string } {
  const when = duration(point.at);
  const name = (c: { thread: number; task: number }) => threadName(run, sc, c, point.at);
  if (point.kind === 'drop') {
    const holder = point.candidates[point.candidates.length - 1];
    const waiters = point.candidates.slice(0, -1).map(name);
    return {
      question: `${when}: the switch interval is up. Who runs next?`,
      detail: `${name(holder)} holds the GIL; ${list(waiters)} ${waiters.length === 1 ? 'has' : 'have'} waited ${switchIntervalMs} ms for it and asked for it to be dropped.`,
    };
  }
  const t = holderAt(run, point.at);
  const seg = run.gil.find((g) => g.thread === t && g.start <= point.at + SAME_INSTANT && point.at < g.end);
  const who = t >= 0 ? name({ thread: t, task: seg?.task ?? -1 }) : 'The holder';
  return {
    question: `${when}: the GIL is free. Who gets it?`,
    detail: `${who} let go of it${letGo(run, seg?.task ?? -1, point.at)}; ${point.candidates.length} threads wait for it.`,
  };
}

export type OutcomeKind = 'deadlock' | 'error' | 'lost' | 'ok';
export interface RunOutcome {
  kind: OutcomeKind;
  /** When it is known: the stall, the error reaching the main program, or the end of the run. */
  at: Seconds;
  headline: string;
  /** What happened, in the summary's words. */
  words: string[];
}

/** How the run ended, in words: a deadlock, an error in the main program, updates lost, or every task done. */
export function outcomeOf(run: ModelRun, sc: Scenario): RunOutcome {
  // What the summary says of the run beyond its figures: the same words under the table and here.
  const words = outcomeSentences(run, sc, seconds);
  if (run.deadlock) return { kind: 'deadlock', at: run.deadlock.at, headline: run.deadlock.cycle ? 'Deadlock: the program hangs for ever.' : 'Stuck: the program hangs for ever.', words };
  if (run.error) return { kind: 'error', at: run.error.at, headline: run.error.type === 'crash' ? 'A crash ends the program.' : `${run.error.type} ends the program.`, words };
  if (run.shared.some((s) => s.lost !== 0)) return { kind: 'lost', at: run.makespan, headline: 'Updates lost: the program ends with a wrong value.', words };
  const clean = run.tasks.every((t) => t.outcome === 'ok');
  return { kind: 'ok', at: run.makespan, headline: clean ? `Every task finished, at ${seconds(run.makespan)}.` : `The program ends at ${seconds(run.makespan)}.`, words };
}
