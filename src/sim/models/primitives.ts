import type { Command } from '../kernel.ts';
import type { Deadlock, SyncSpan } from '../timeline.ts';
import type { LockDecl, Scenario, SyncStep } from '../types.ts';

/*
 * The scenario's synchronisation objects and their rules, the same in every model; what a wait costs and how a
 * woken task gets going again (the GIL, the event loop, another process) is each model's business.
 *
 * Ordering rules:
 * - Every object's waiters are FIFO: the longest waiter is woken first (what Linux futexes and asyncio's deques do).
 * - `fair` (asyncio): `Lock.release()` hands the lock to the first waiter, whom no later `acquire()` can overtake
 *   (asyncio.Lock makes a newcomer wait while there are waiters).
 * - Not fair (threading, multiprocessing: a semaphore underneath): `release()` frees the lock and wakes the first
 *   waiter to try again after the model's wake-up latency (a `retry`); until then any thread that asks takes it
 *   (it barges: CPython's `acquire()` first tries without waiting, still holding the GIL), and a woken waiter that
 *   finds it taken waits again, still first. Only one waiter per lock is being woken at a time.
 * - Queues, events and barriers hand over at once (their Condition's lock is free but for instants): a `put` gives
 *   its item to the first blocked `get`ter, a `get` lets the first blocked `put`ter's item in, `set` wakes every
 *   waiter, the last party to arrive releases the barrier's others (it is cyclic: the next arrival starts a new
 *   round). A woken task then needs what its model makes it wait for (the GIL, the loop) to return from the call.
 */

type LockObj = { type: 'lock'; lock: LockDecl['type']; free: number; holders: number[]; depth: number; waiters: number[]; waking: number };
type QueueObj = { type: 'queue'; maxsize: number; items: number; getters: number[]; putters: number[] };
type EventObj = { type: 'event'; set: boolean; waiters: number[] };
type BarrierObj = { type: 'barrier'; parties: number; arrived: number[] };
export type SyncObj = LockObj | QueueObj | EventObj | BarrierObj;

/** The objects of a scenario in a fixed order (locks, queues, events, barriers: declaration order within each). */
export interface SyncTable {
  names: string[];
  types: SyncSpan['type'][];
  index: Map<string, number>;
  initial: SyncObj[];
}

export function syncTable(scenario: Pick<Scenario, 'locks' | 'queues' | 'events' | 'barriers'>): SyncTable {
  const names: string[] = [];
  const initial: SyncObj[] = [];
  for (const [name, d] of Object.entries(scenario.locks ?? {})) {
    names.push(name);
    const free = d.type === 'Semaphore' ? (d.value ?? 1) : 1;
    initial.push({ type: 'lock', lock: d.type, free, holders: [], depth: 0, waiters: [], waking: -1 });
  }
  for (const [name, d] of Object.entries(scenario.queues ?? {})) {
    names.push(name);
    initial.push({ type: 'queue', maxsize: d.maxsize ?? 0, items: 0, getters: [], putters: [] });
  }
  for (const name of Object.keys(scenario.events ?? {})) {
    names.push(name);
    initial.push({ type: 'event', set: false, waiters: [] });
  }
  for (const [name, d] of Object.entries(scenario.barriers ?? {})) {
    names.push(name);
    initial.push({ type: 'barrier', parties: d.parties, arrived: [] });
  }
  return { names, types: initial.map((o) => o.type), index: new Map(names.map((n, i) => [n, i])), initial };
}

/** Someone a step let go: `granted` now has what it waited for; `retry` may try for a released lock again. */
export interface Wake {
  task: number;
  object: string;
  kind: 'granted' | 'retry';
}

/** What a sync step did for the task taking it: went through, must wait (`blocked`), or raised (`error`). */
export type SyncResult = { done: true; wakes: Wake[] } | { done: false; wait: 'lock-wait' | 'queue-wait' | 'event-wait' | 'barrier-wait' } | { error: string; message: string };

/** The wait state each step kind blocks in. */
const WAIT_OF = { acquire: 'lock-wait', put: 'queue-wait', get: 'queue-wait', wait: 'event-wait', barrier: 'barrier-wait' } as const;

/**
 * One rule's working copy of the objects' states: copy-on-write (the context's array and records are never
 * mutated), and every change is also a `sync` command, so the chart has each object's lane.
 */
export class Sync {
  objs: readonly SyncObj[];
  private copied = false;
  constructor(
    readonly table: SyncTable,
    objs: readonly SyncObj[],
    private readonly cmds: Command[],
    private readonly fair: boolean,
  ) {
    this.objs = objs;
  }

  /** The object a step names. */
  objectOf(step: SyncStep): number {
    const name = 'lock' in step ? step.lock : 'queue' in step ? step.queue : 'event' in step ? step.event : step.barrier;
    return this.table.index.get(name)!;
  }

  private set(i: number, o: SyncObj): void {
    if (!this.copied) {
      this.objs = this.objs.slice();
      this.copied = true;
    }
    (this.objs as SyncObj[])[i] = o;
    const holders = o.type === 'lock' ? o.holders : o.type === 'barrier' ? o.arrived : [];
    const count = o.type === 'lock' ? o.holders.length : o.type === 'queue' ? o.items : o.type === 'event' ? Number(o.set) : o.arrived.length;
    this.cmds.push({ op: 'sync', object: i, holders, count });
  }

  /** Task `t` takes sync step `step`. */
  step(t: number, step: SyncStep): SyncResult {
    const i = this.objectOf(step);
    const o = this.objs[i];
    const name = this.table.names[i];
    const blocked = { done: false as const, wait: WAIT_OF[step.kind as keyof typeof WAIT_OF] };
    switch (step.kind) {
      case 'acquire': {
        const l = o as LockObj;
        if (l.lock === 'RLock' && l.holders[0] === t) {
          this.set(i, { ...l, depth: l.depth + 1 });
          return { done: true, wakes: [] };
        }
        // A fair lock with waiters makes a newcomer queue; an unfair one lets it take a free lock.
        if (l.free > 0 && (!this.fair || l.waiters.length === 0)) {
          this.set(i, { ...l, free: l.free - 1, holders: [...l.holders, t], depth: 1 });
          return { done: true, wakes: [] };
        }
        this.set(i, { ...l, waiters: [...l.waiters, t] });
        return blocked;
      }
      case 'release': {
        const l = o as LockObj;
        // An RLock belongs to its owner; a Lock to nobody (any task may release it, in threading and asyncio alike).
        if (l.lock === 'RLock' && l.holders[0] !== t) return { error: 'RuntimeError', message: `cannot release un-acquired lock (${name})` };
        if (l.lock === 'Lock' && l.holders.length === 0) return { error: 'RuntimeError', message: `release unlocked lock (${name})` };
        if (l.lock === 'RLock' && l.depth > 1) {
          this.set(i, { ...l, depth: l.depth - 1 });
          return { done: true, wakes: [] };
        }
        // A semaphore released by a task not holding it (allowed: it is a counter) frees nobody's slot but adds one.
        const at = l.lock === 'Lock' ? 0 : l.holders.indexOf(t);
        const holders = at >= 0 ? l.holders.filter((_, k) => k !== at) : l.holders;
        const [w, ...rest] = l.waiters;
        if (w !== undefined && this.fair) {
          this.set(i, { ...l, holders: [...holders, w], waiters: rest, depth: 1 });
          return { done: true, wakes: [{ task: w, object: name, kind: 'granted' }] };
        }
        const waking = w !== undefined && l.waking < 0 ? w : l.waking;
        this.set(i, { ...l, free: l.free + 1, holders, depth: holders.length ? l.depth : 0, waking });
        return { done: true, wakes: waking !== l.waking ? [{ task: w, object: name, kind: 'retry' }] : [] };
      }
      case 'put': {
        const q = o as QueueObj;
        const [g, ...rest] = q.getters;
        if (g !== undefined) {
          this.set(i, { ...q, getters: rest });
          return { done: true, wakes: [{ task: g, object: name, kind: 'granted' }] };
        }
        if (q.maxsize > 0 && q.items >= q.maxsize) {
          this.set(i, { ...q, putters: [...q.putters, t] });
          return blocked;
        }
        this.set(i, { ...q, items: q.items + 1 });
        return { done: true, wakes: [] };
      }
      case 'get': {
        const q = o as QueueObj;
        if (q.items === 0) {
          this.set(i, { ...q, getters: [...q.getters, t] });
          return blocked;
        }
        const [p, ...rest] = q.putters;
        if (p !== undefined) {
          // The item taken makes room for the first blocked put's.
          this.set(i, { ...q, putters: rest });
          return { done: true, wakes: [{ task: p, object: name, kind: 'granted' }] };
        }
        this.set(i, { ...q, items: q.items - 1 });
        return { done: true, wakes: [] };
      }
      case 'set': {
        const e = o as EventObj;
        this.set(i, { ...e, set: true, waiters: [] });
        return { done: true, wakes: e.waiters.map((w) => ({ task: w, object: name, kind: 'granted' as const })) };
      }
      case 'wait': {
        const e = o as EventObj;
        if (e.set) return { done: true, wakes: [] };
        this.set(i, { ...e, waiters: [...e.waiters, t] });
        return blocked;
      }
      case 'barrier': {
        const b = o as BarrierObj;
        if (b.arrived.length + 1 < b.parties) {
          this.set(i, { ...b, arrived: [...b.arrived, t] });
          return blocked;
        }
        this.set(i, { ...b, arrived: [] });
        return { done: true, wakes: b.arrived.map((w) => ({ task: w, object: name, kind: 'granted' as const })) };
      }
    }
  }

  /**
   * `t`, woken to try for lock `name` again: takes it if it is free (true), or waits on, still first (false). Either
   * way the next release may wake a waiter again.
   */
  retry(t: number, name: string): boolean {
    const i = this.table.index.get(name)!;
    const l = this.objs[i] as LockObj;
    if (l.free > 0) {
      this.set(i, { ...l, free: l.free - 1, holders: [...l.holders, t], depth: 1, waiters: l.waiters.filter((w) => w !== t), waking: -1 });
      return true;
    }
    this.set(i, { ...l, waking: -1 });
    return false;
  }

  /** A task gone for good (its process died, it was cancelled) stops waiting anywhere. Locks it holds stay held. */
  forget(t: number): void {
    this.objs.forEach((o, i) => {
      if (o.type === 'lock' && (o.waiters.includes(t) || o.waking === t)) this.set(i, { ...o, waiters: o.waiters.filter((w) => w !== t), waking: o.waking === t ? -1 : o.waking });
      if (o.type === 'queue' && (o.getters.includes(t) || o.putters.includes(t))) this.set(i, { ...o, getters: o.getters.filter((w) => w !== t), putters: o.putters.filter((w) => w !== t) });
      if (o.type === 'event' && o.waiters.includes(t)) this.set(i, { ...o, waiters: o.waiters.filter((w) => w !== t) });
      if (o.type === 'barrier' && o.arrived.includes(t)) this.set(i, { ...o, arrived: o.arrived.filter((w) => w !== t) });
    });
  }
}

/** Who waits on what, for every task blocked on an object. */
function waitsOf(objs: readonly SyncObj[]): Map<number, number> {
  const waits = new Map<number, number>();
  objs.forEach((o, i) => {
    const ws = o.type === 'lock' ? o.waiters : o.type === 'queue' ? [...o.getters, ...o.putters] : o.type === 'event' ? o.waiters : o.arrived;
    for (const w of ws) waits.set(w, i);
  });
  return waits;
}

/**
 * The deadlock a stalled run ended in: every task blocked on an object, what it holds, and whether the lock waits
 * close a cycle (task → the lock it waits for → a holder of it → …). Null when no task is blocked on an object.
 */
export function findDeadlock(table: SyncTable, objs: readonly SyncObj[]): Omit<Deadlock, 'at'> | null {
  const waits = waitsOf(objs);
  if (waits.size === 0) return null;
  const holds = (t: number) => objs.flatMap((o, i) => (o.type === 'lock' && o.holders.includes(t) ? [table.names[i]] : []));
  const tasks = [...waits.entries()].sort((a, b) => a[0] - b[0]).map(([task, i]) => ({ task, waitsFor: table.names[i], holds: holds(task) }));
  let cycle = false;
  for (const [start] of waits) {
    const seen = new Set<number>();
    let t: number | undefined = start;
    while (t !== undefined && !seen.has(t)) {
      seen.add(t);
      const o: SyncObj | undefined = waits.has(t) ? objs[waits.get(t)!] : undefined;
      t = o?.type === 'lock' ? o.holders.find((h) => waits.has(h)) : undefined;
    }
    if (t !== undefined && t === start) cycle = true;
  }
  return { cycle, tasks };
}

/** The task names and objects of a deadlock, in words: "a holds L1, waits for L2; b holds L2, waits for L1". */
export function describeDeadlock(d: Omit<Deadlock, 'at'>, names: readonly string[]): string {
  return d.tasks.map((w) => `${names[w.task]}${w.holds.length ? ` holds ${w.holds.join(', ')},` : ''} waits for ${w.waitsFor}`).join('; ');
}
