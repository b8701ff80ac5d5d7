import type { Seconds, StartMethod } from './types.ts';

/**
 * Every timing constant the simulator uses, in one place, so a calibration on another machine can replace them
 * (`npm run simulate -- FILE --profile my-profile.json` takes a partial override).
 * Defaults: CPython 3.11 on Linux x86-64, measured on this project's 2-core reference machine
 * (see tests/fidelity/ and the README's "Calibration" section).
 */
export interface CPythonProfile {
  /** `sys.getswitchinterval()`: how long a GIL waiter waits before asking the holder to drop it. */
  switchInterval: Seconds;
  /** From a GIL release to the woken waiter running: condvar signal plus an OS context switch. */
  gilHandoff: Seconds;
  /**
   * Seconds of one C call a `native` step is a loop of, each releasing the GIL and taking it back on return: the
   * threads model makes every call take the GIL back (behind a CPU-bound holder, about a switch interval each).
   * The default is one `hashlib.sha256().update()` of a 1 MiB buffer, the unit of work of the generated programs'
   * `hash_for` (`hashlib.sha256(data)` on 1 MiB).
   */
  callSeconds: Seconds;
  /** Linux CFS time slice when more threads or processes are runnable than there are cores. */
  osSlice: Seconds;
  /** Main thread, under the GIL, per `executor.submit()` (creating the future and the work item). */
  submit: Seconds;
  /** Main thread, under the GIL, to start a new `threading.Thread` for the pool. */
  threadStart: Seconds;
  /** Per start method: the parent's serial cost to launch one worker, and the child's boot on a core. */
  processStart: Record<StartMethod, { launch: Seconds; boot: Seconds }>;
  /**
   * spawn and forkserver: what importing the main module costs in each worker, beyond the small script these defaults
   * were measured with (a child re-imports `__main__` as `__mp_main__` before its first task: measured here, each
   * worker of both methods does, a fork child does not). It runs in the child, on a core, after `boot`. A script that
   * imports NumPy or pandas at its top pays that per worker: `npm run calibrate -- --script FILE.py` measures it.
   */
  mainImport: Seconds;
  /** forkserver only: booting the server process once, before the first worker is forked from it. */
  forkserverBoot: Seconds;
  /** Pickling a work item, sending it through the call queue and unpickling it in the worker. */
  dispatch: Seconds;
  /** Pickling the result back to the parent and marking the future done. */
  result: Seconds;
  /** `asyncio.run()` creating the loop and the tasks before the first one runs. */
  loopStart: Seconds;
  /**
   * threads: from a `release()`, `put()`, `set()` or last `Barrier.wait()` to the thread it wakes running again (a
   * futex wake and a context switch; the woken thread then needs the GIL like any other).
   */
  wakeup: Seconds;
  /** processes: the same across processes, for the `multiprocessing` lock, queue, event and barrier. */
  ipcWakeup: Seconds;
  /** processes: from a worker's death to the pool's manager thread breaking the pool (`BrokenProcessPool`). */
  poolBreak: Seconds;
  /** processes: seconds per byte of a task's argument (`send`) pickled, piped to the worker and unpickled. */
  sendByte: Seconds;
  /** processes: seconds per byte of a task's result (`receive`) pickled back and unpickled in the parent. */
  receiveByte: Seconds;
  /**
   * threads: the seconds of one iteration of `counter = bump(counter)` between its read of `counter` and the
   * eval-breaker check on entering `bump` (the loop step, two globals, the call's set-up): a drop request arriving in
   * that stretch is served there, the value read and not yet written. Work an iteration does besides (an update step
   * slower per iteration than the bare loop) lies outside it.
   */
  rmwWindow: Seconds;
}

export const DEFAULT_PROFILE: CPythonProfile = {
  switchInterval: 0.005,
  // Measured on the reference machine, quiet: forced switches between two spinning threads, the holder's last
  // instant to the waiter's first, means of 12.7, 18.7, 24.7, 26.9 and 31.4 µs in five runs of 360–390 switches
  // (tools/calibrate.py and the same sampling by hand; medians 2–30 µs: the mean, since one is paid per switch). Was
  // 50 µs, an estimate: beside a spinning thread every C call of a native one costs the spinner two hand-offs, and at
  // 50 µs native-beside-spin's spinner lost 48 ms to them at 1 ms, ending past what CPython measured.
  gilHandoff: 0.000025,
  // Measured on the reference machine (CPython 3.11.7, 2 cores), timing 200 `update()` calls of `bytes(1 << 20)`:
  // 0.51 ms beside the fidelity case's measurement, 0.516–0.529 ms in five later runs (while other work ran).
  callSeconds: 0.00052,
  osSlice: 0.003,
  submit: 0.00005,
  threadStart: 0.0001,
  processStart: {
    // Measured (median of 5, 1/2/4 workers, time to first task): fork 3.0/5.5/8.7 ms, forkserver 20/18/23 ms,
    // spawn 55/67/99 ms. A spawned child boots a fresh interpreter on a core, so 4 of them on 2 cores queue.
    fork: { launch: 0.0017, boot: 0.0012 },
    forkserver: { launch: 0.0015, boot: 0.002 },
    spawn: { launch: 0.004, boot: 0.048 },
  },
  // 0: the measured boots above include the small main module of the measurements.
  mainImport: 0,
  forkserverBoot: 0.014,
  dispatch: 0.0003,
  result: 0.0003,
  loopStart: 0.0003,
  // Measured here (tools/measure_sync.py, tests/fidelity/sync-facts.json: wake), 200 wakes each, the GIL free, means
  // (one is paid per wake) of the kept run and of an earlier one: release()→acquire() 12.6 and 15 µs;
  // Event.set()→wait() 12.6 and 9.9; queue.Queue put()→get() 17.0 and 10.6; the last Barrier.wait()→another party
  // 21.9 and 10.9. npm run calibrate measures the lock's.
  wakeup: 0.000013,
  // The same across two fork processes (multiprocessing), means of the same two runs: Lock 8.9 and 47 µs; Event
  // 17.5 and 47.5; Queue 96 and 59 (a put pickles, and a feeder thread writes the pipe); Barrier 30 and 20.9.
  ipcWakeup: 0.00004,
  // os._exit(1) in a worker to f.result() raising BrokenProcessPool in the parent: medians 11.0 ms (7.9–16, 7 pools)
  // and 6.7 ms (4.4–8.4) in two runs; the other worker's running task is killed (SIGTERM) within that.
  poolBreak: 0.008,
  // ProcessPoolExecutor(2, fork) round trips of f(bytes(N)) and of a result of bytes(M), the slope from 10 to 100 MB:
  // 2.4–2.9 ns per byte sent, 2.6 back (100 MB: 0.24–0.29 s and 0.26 s; pickle itself is 0.8 ns/B of it, the pipe the
  // rest). Under 1 MB a byte costs a tenth (caches).
  sendByte: 2.7e-9,
  receiveByte: 2.6e-9,
  // tools/measure_sync.py, instrumented (every store logged with its thread): the stretch takes 21–25 ns, of a bare
  // iteration of 43–53 ns; 0.5–0.55 of forced switches at 0.2 ms lose updates (4 runs of 177–251 switches).
  rmwWindow: 2.15e-8,
};

export type ProfileOverride = Partial<Omit<CPythonProfile, 'processStart'>> & {
  processStart?: Partial<Record<StartMethod, Partial<{ launch: Seconds; boot: Seconds }>>>;
};

export function withOverride(base: CPythonProfile, o: ProfileOverride): CPythonProfile {
  const ps = { ...base.processStart };
  for (const m of Object.keys(o.processStart ?? {}) as StartMethod[]) ps[m] = { ...ps[m], ...o.processStart![m] };
  return { ...base, ...o, processStart: ps };
}
