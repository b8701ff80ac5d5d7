import type { ModelRun, RunMark, SyncSpan, TaskSpan } from '../../sim/timeline.ts';
import type { Scenario, Seconds } from '../../sim/types.ts';
import { duration } from '../format.ts';
import type { Lane, Mark, Part, Pin } from './lanes.ts';

/**
 * The synchronisation objects of a run, as the charts show them: a lane per lock, queue, event and barrier (who holds
 * it, how full it is, whether it is set, who has arrived), the words a task's wait on one of them says ("waiting for
 * lock alice (held by bob)"), and the instants marked on the chart (`RunMark`: an exception, a crash, lost updates,
 * a deadlock).
 */
export type ObjectType = SyncSpan['type'];

export interface SyncObject {
  name: string;
  type: ObjectType;
  /** What Python calls it: lock, RLock, semaphore, queue, event, barrier. */
  word: string;
  /** A semaphore's value, a bounded queue's maxsize, a barrier's parties (a lock's 1; 0: an unbounded queue). */
  capacity: number;
  spans: SyncSpan[];
}

const span = (a: Seconds, b: Seconds) => `${duration(a)} → ${duration(b)} (${duration(b - a)})`;
const nameOf = (sc: Scenario, task: number) => (task >= 0 ? (sc.tasks[task]?.name ?? `task ${task + 1}`) : 'main');
/** "a", "a and b", "a, b and c". */
export function listOf(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

const known = new WeakMap<ModelRun, SyncObject[]>();

/**
 * The scenario's objects in declaration order (locks, queues, events, barriers), each with its spans in this run (an
 * object never used has none).
 */
export function syncObjects(run: ModelRun, sc: Scenario): SyncObject[] {
  const had = known.get(run);
  if (had) return had;
  const byName = new Map<string, SyncSpan[]>();
  for (const spans of run.sync ?? []) if (spans.length) byName.set(spans[0].object, spans);
  const out: SyncObject[] = [];
  const add = (name: string, type: ObjectType, word: string, capacity: number) => out.push({ name, type, word, capacity, spans: byName.get(name) ?? [] });
  for (const [name, d] of Object.entries(sc.locks ?? {})) add(name, 'lock', d.type === 'Semaphore' ? 'semaphore' : d.type === 'RLock' ? 'RLock' : 'lock', d.type === 'Semaphore' ? (d.value ?? 1) : 1);
  for (const [name, d] of Object.entries(sc.queues ?? {})) add(name, 'queue', 'queue', d.maxsize ?? 0);
  for (const name of Object.keys(sc.events ?? {})) add(name, 'event', 'event', 1);
  for (const [name, d] of Object.entries(sc.barriers ?? {})) add(name, 'barrier', 'barrier', d.parties);
  known.set(run, out);
  return out;
}

/** The spans of an object that overlap the open stretch from `a` to `b` (or, for an instant, contain it). */
function during(spans: readonly SyncSpan[], a: Seconds, b: Seconds): SyncSpan[] {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].end <= a) lo = mid + 1;
    else hi = mid;
  }
  const out: SyncSpan[] = [];
  for (let i = lo; i < spans.length && (spans[i].start < b || (a === b && spans[i].start <= a)); i++) out.push(spans[i]);
  return out;
}

/** Distinct values in order of appearance, each once in a row ("bob, then alice"). */
function inTurn(values: string[]): string[] {
  return values.filter((v, i) => v !== '' && v !== values[i - 1]);
}

/**
 * What a task waiting on an object waits for, with the object's state over the wait, from the run's sync spans:
 * "waiting for lock alice (held by bob → alice)", "waiting on queue items (full: 2 of 2)", "waiting for event ready",
 * "waiting at barrier start (2 of 3 arrived)".
 */
export function waitWords(run: ModelRun, sc: Scenario, s: TaskSpan): string {
  const o = syncObjects(run, sc).find((x) => x.name === s.on);
  const name = s.on ?? 'an object';
  if (!o) return `waiting on ${name}`;
  // (A hand-over's instant, a few microseconds of a lock between two holders, is no holder of its own.)
  const all = during(o.spans, s.start, s.end);
  const over = all.length > 1 ? all.filter((x) => x.end - x.start >= 1e-5) : all;
  switch (o.type) {
    case 'lock': {
      const who = inTurn(
        over.map((x) => {
          const names = x.holders.map((h) => (h === s.task ? `${nameOf(sc, h)} (itself)` : nameOf(sc, h)));
          return names.length ? `${listOf(names)}${o.capacity > 1 ? `, ${names.length} of ${o.capacity}` : ''}` : '';
        }),
      );
      return `waiting for ${o.word} ${name} (${who.length ? `held by ${who.join(', then ')}` : 'just released'})`;
    }
    case 'queue': {
      const step = sc.tasks[s.task]?.steps[s.step];
      if (step?.kind === 'get') return `waiting on queue ${name} (empty)`;
      const at = over[0]?.count ?? 0;
      return `waiting on queue ${name} (full: ${at} of ${o.capacity || at})`;
    }
    case 'event':
      return `waiting for event ${name} (not set)`;
    case 'barrier': {
      const counts = inTurn(over.map((x) => (x.count > 0 ? String(x.count) : '')));
      return `waiting at barrier ${name} (${counts.length ? counts.join(', then ') : '0'} of ${o.capacity} arrived)`;
    }
  }
}

/** A wait's bar label, short: the object's name. */
export function waitLabel(s: TaskSpan): string {
  switch (s.state) {
    case 'lock-wait':
      return `waiting for ${s.on}`;
    case 'queue-wait':
      return `waiting on ${s.on}`;
    case 'event-wait':
      return `waiting for ${s.on}`;
    default:
      return `at barrier ${s.on}`;
  }
}

/** The tasks whose waits on `o` overlap the stretch from `a` to `b`, by name, in task order. */
function waitersOn(run: ModelRun, sc: Scenario, o: SyncObject, a: Seconds, b: Seconds): string[] {
  const out: string[] = [];
  run.taskSpans.forEach((spans, task) => {
    if (spans.some((s) => s.on === o.name && s.start < b && s.end > a && s.end > s.start)) out.push(nameOf(sc, task));
  });
  return out;
}

/** The band's heading: the kinds of object it holds ("locks", "queue and event"). */
function bandOf(objects: readonly SyncObject[]): string {
  const kinds: [ObjectType, string, string][] = [
    ['lock', 'lock', 'locks'],
    ['queue', 'queue', 'queues'],
    ['event', 'event', 'events'],
    ['barrier', 'barrier', 'barriers'],
  ];
  const words = kinds.flatMap(([t, one, many]) => {
    const n = objects.filter((o) => o.type === t).length;
    return n === 0 ? [] : [n === 1 ? one : many];
  });
  return listOf(words);
}

/**
 * One lane per object, in a band of its own: a lock's holder over time in the holder's colour (a semaphore's holders
 * stacked, each a `value`th of the lane), a queue's items as a stepped fill against its maxsize ("2/2"), an event's
 * set stretches, a barrier's arrivals stacked in their colours ("2/3"). Stretches where it is free, empty, unset or
 * nobody waits are marks with nothing drawn, so a tooltip and the arrow keys still say so.
 */
export function objectLanes(run: ModelRun, sc: Scenario): Lane[] {
  const objects = syncObjects(run, sc);
  if (!objects.length) return [];
  const band = bandOf(objects);
  const stuck = run.deadlock ? run.makespan - 1e-9 : Infinity;
  const why = run.deadlock?.cycle ? 'deadlock' : 'nobody is left to end the wait';
  const hold = (h: number, share: number): Part => ({ paint: { by: 'task', task: h, kind: 'hold' }, share, label: nameOf(sc, h) });
  return objects.map((o, i): Lane => {
    const title = `${o.word} ${o.name}`;
    // An unbounded queue's fill is against the most it ever held.
    const most = o.spans.reduce((a, x) => Math.max(a, x.count), 1);
    const marks = o.spans
      .filter((x) => x.end > x.start)
      .map((x): Mark => {
        const when = span(x.start, x.end);
        const forever = x.end >= stuck ? `, until the program is killed (${why})` : '';
        const base = { start: x.start, end: x.end };
        switch (o.type) {
          case 'lock': {
            if (!x.holders.length) {
              const detail = () => {
                const w = waitersOn(run, sc, o, x.start, x.end);
                return `${title}: free${w.length ? ` (${listOf(w)} about to take it)` : ''}, ${when}`;
              };
              return { ...base, paint: { by: 'object', type: 'lock' }, parts: [], label: '', detail };
            }
            const names = x.holders.map((h) => nameOf(sc, h));
            const waiting = () => {
              const w = waitersOn(run, sc, o, x.start, x.end);
              return w.length ? `; ${listOf(w)} waiting for it` : '';
            };
            if (o.capacity > 1) {
              return {
                ...base,
                paint: { by: 'task', task: x.holders[0], kind: 'hold' },
                parts: x.holders.map((h) => hold(h, 1 / o.capacity)),
                label: `${x.holders.length}/${o.capacity}`,
                detail: () => `${title}: held by ${listOf(names)} (${x.holders.length} of ${o.capacity})${waiting()}, ${when}${forever}`,
              };
            }
            const depth = o.word === 'RLock' && x.count > 1 ? ` ×${x.count}` : '';
            return {
              ...base,
              paint: { by: 'task', task: x.holders[0], kind: 'hold' },
              label: `${names[0]}${depth}`,
              detail: () => `${title}: held by ${names[0]}${depth ? ` (acquired${depth})` : ''}${waiting()}, ${when}${forever}`,
            };
          }
          case 'queue': {
            const of = o.capacity ? `${x.count} of ${o.capacity}` : `${x.count}`;
            const full = o.capacity > 0 && x.count >= o.capacity;
            const state = x.count === 0 ? ' (empty)' : full ? ' (full)' : '';
            return {
              ...base,
              paint: { by: 'object', type: 'queue' },
              parts: x.count ? [{ paint: { by: 'object', type: 'queue' }, share: Math.min(1, x.count / (o.capacity || most)), label: `${x.count} item${x.count === 1 ? '' : 's'}` }] : [],
              label: o.capacity ? `${x.count}/${o.capacity}` : String(x.count),
              detail: () => {
                const w = waitersOn(run, sc, o, x.start, x.end);
                return `${title}: ${of} item${x.count === 1 && !o.capacity ? '' : 's'}${state}${w.length ? `; ${listOf(w)} waiting on it` : ''}, ${when}${forever}`;
              },
            };
          }
          case 'event':
            return x.count > 0
              ? { ...base, paint: { by: 'object', type: 'event' }, label: 'set', detail: () => `${title}: set (wait() returns at once), ${when}` }
              : {
                  ...base,
                  paint: { by: 'object', type: 'event' },
                  parts: [],
                  label: '',
                  detail: () => {
                    const w = waitersOn(run, sc, o, x.start, x.end);
                    return `${title}: not set${w.length ? `; ${listOf(w)} waiting for it` : ''}, ${when}${forever}`;
                  },
                };
          case 'barrier': {
            const names = x.holders.map((h) => nameOf(sc, h));
            return {
              ...base,
              paint: x.holders.length ? { by: 'task', task: x.holders[0], kind: 'hold' } : { by: 'object', type: 'barrier' },
              parts: x.holders.map((h) => hold(h, 1 / Math.max(1, o.capacity))),
              label: x.count ? `${x.count}/${o.capacity}` : '',
              detail: () =>
                x.count
                  ? `${title}: ${x.count} of ${o.capacity} arrived (${listOf(names)}), waiting for ${o.capacity - x.count} more, ${when}${forever}`
                  : `${title}: nobody waiting, ${when}`,
            };
          }
        }
      });
    // The name alone fits the label column; the kind is in the band's heading, the label's tooltip and every mark's.
    return { id: `sync-${o.name}`, label: o.name, title, band: i === 0 ? band : undefined, object: o.type, marks };
  });
}

function pinOf(sc: Scenario, m: RunMark): Pin {
  return {
    at: m.at,
    kind: m.kind,
    count: m.kind === 'lost' ? (m.count ?? 0) : undefined,
    detail: () => `${nameOf(sc, m.task)}: ${m.text}, at ${duration(m.at)}`,
  };
}

/** The run's marks by task lane (the per-task view): each on the lane of the task it happened to. */
export function taskPins(run: ModelRun, sc: Scenario): Pin[][] {
  const out: Pin[][] = run.taskSpans.map(() => []);
  for (const m of run.marks ?? []) if (m.task >= 0 && out[m.task]) out[m.task].push(pinOf(sc, m));
  for (const p of out) p.sort((a, b) => a.at - b.at);
  return out;
}

/** A mark this close to a task's slice on a core is on that core (seconds). */
const NEAR = 0.5e-3;

/**
 * The run's marks on the per-core chart, where they happened: an exception, a crash or a stale write on the core that
 * ran the task at that instant (or, for a task waiting then, its lane in the I/O band); a deadlocked task's mark on
 * the lane of the object it waits for. A mark with no such lane (a task that never started) stays in the per-task view.
 */
export function placeCorePins(run: ModelRun, sc: Scenario, lanes: Lane[]): void {
  const byId = new Map(lanes.map((l) => [l.id, l]));
  for (const m of run.marks ?? []) {
    let lane: Lane | undefined;
    if (m.kind === 'deadlock') {
      const on = run.deadlock?.tasks.find((t) => t.task === m.task)?.waitsFor;
      lane = on ? byId.get(`sync-${on}`) : undefined;
    } else {
      // (A stale write is marked as its thread takes the GIL back, a hand-off before its next slice starts.)
      let core = -1;
      let far = NEAR;
      run.coreSegments.forEach((segs, c) => {
        let lo = 0;
        let hi = segs.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (segs[mid].end < m.at - NEAR) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < segs.length && segs[i].start <= m.at + NEAR; i++) {
          const s = segs[i];
          if (s.task !== m.task) continue;
          const d = m.at < s.start ? s.start - m.at : m.at > s.end ? m.at - s.end : 0;
          if (d < far || (d === far && core < 0)) [core, far] = [c, d];
        }
      });
      lane = (core >= 0 ? byId.get(`core-${core}`) : undefined) ?? byId.get(`wait-${m.task}`);
    }
    if (!lane) continue;
    (lane.pins ??= []).push(pinOf(sc, m));
  }
  for (const l of lanes) l.pins?.sort((a, b) => a.at - b.at);
}
