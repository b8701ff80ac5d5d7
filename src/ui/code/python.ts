import { resolveConfig, type ResolvedConfig } from '../../sim/config.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from '../../sim/profile.ts';
import type { LockDecl, ModelConfig, Scenario, Step, Task } from '../../sim/types.ts';

/**
 * The Python a model's chart stands for, generated from the scenario and the model's settings: a function per task
 * whose steps are a pure-Python loop (`spin`), hashing 1 MiB buffers (`hash_for`, which releases the GIL),
 * `time.sleep` or `await asyncio.sleep`, the scenario's locks, queues, events and barriers (threading's and queue's,
 * multiprocessing's handed to each worker by the pool's initializer, or asyncio's, awaited), updates of shared
 * globals (`counter += 1`, `counter = bump(counter)`, a dict gaining keys), walks of a shared dict, `raise` and
 * `os._exit(1)`; then the driver (a loop, ThreadPoolExecutor or a Thread per task, ProcessPoolExecutor with its start
 * method, asyncio.gather or a TaskGroup, with an optional Semaphore). It is runnable as it is (a test runs it with
 * python3, its seconds scaled down by `scale`): it raises, crashes or hangs where the simulation says it does.
 */
export interface PythonCode {
  lines: string[];
  /** The line (0-based) a task's step is on: `stepLines[task][step]` (a block's first line: its `for` or `with`). */
  stepLines: number[][];
  /** The last line of the step's block (the same line for a one-line step): `stepLast[task][step]`. */
  stepLast: number[][];
}

// Work, not wall-clock time: a thread that waits for the GIL takes longer to do the same work, as in the charts (a loop
// until a time would do less work under contention and end on time). The rates are this project's reference machine's
// (`npm run calibrate` measures yours: callSeconds; `npm run capture` calibrates the loop before each run).
const HELPERS = [
  'LOOPS_PER_SECOND = 45_000_000  # iterations of an empty pure-Python loop per second, alone on one core',
  'CALLS_PER_SECOND = 1_900  # sha256 updates of 1 MiB per second (0.52 ms each)',
  '',
  '',
  'def spin(seconds):',
  '    """Pure Python, `seconds` of it alone on one core: holds the GIL the whole time."""',
  '    for _ in range(int(seconds * LOOPS_PER_SECOND)):',
  '        pass',
  '',
  '',
  'def hash_for(seconds, data=bytes(1 << 20)):',
  '    """Native code: hashlib releases the GIL inside each 1 MiB update and needs it back after each."""',
  '    h = hashlib.sha256()',
  '    for _ in range(max(1, round(seconds * CALLS_PER_SECOND))):',
  '        h.update(data)',
];

/** A shared dict's keys to start with (spec: an `iterate` step walks a dict of 1000 keys). */
const DICT_KEYS = 1000;

const KEYWORDS =
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield';
/**
 * Every name the generated program uses for itself: keywords, the modules and builtins it calls, its helpers and the
 * driver's variables (module globals under `if __name__ == "__main__":`). A task, lock or shared value never takes one.
 */
const RESERVED = new Set(
  `${KEYWORDS} asyncio hashlib itertools multiprocessing os queue sys threading time concurrent ThreadPoolExecutor ProcessPoolExecutor
   range len int max round bytes dict print next zip object
   spin hash_for bump main limited limit init_worker objects fresh_keys TASKS DATA LOOPS_PER_SECOND CALLS_PER_SECOND
   context pool futures future threads thread task data tg key seconds h x`.split(/\s+/),
);

/** A Python identifier from `raw`, never a reserved one nor one in `used` (which it joins). */
function allocate(raw: string, used: Set<string>, suffix: string): string {
  let base = raw;
  if (RESERVED.has(base)) base = `${base}_${suffix}`;
  let name = base;
  for (let k = 2; used.has(name) || RESERVED.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
}

/** Python identifiers for the task names, one each ("chatty I/O" → chatty_i_o; a clash gets _2), none in `taken`. */
export function functionNames(tasks: readonly Task[], taken: ReadonlySet<string> = new Set()): string[] {
  const used = new Set(taken);
  return tasks.map((t, i) => {
    let base =
      t.name
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/^_+|_+$/g, '') || `task_${i + 1}`;
    if (/^[0-9]/.test(base) || RESERVED.has(base)) base = `task_${base}`;
    let name = base;
    for (let k = 2; used.has(name) || RESERVED.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}

const num = (s: number) => {
  const v = +s.toPrecision(6);
  return Number.isInteger(v) ? `${v}.0` : String(v);
};
/** A Python int literal with `_` between thousands (1_000_000). */
const int = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '_');

type Flavor = 'threading' | 'multiprocessing' | 'asyncio';

/** The scenario's objects and shared values, as the program names them. */
interface Names {
  lock: Record<string, string>;
  queue: Record<string, string>;
  event: Record<string, string>;
  barrier: Record<string, string>;
  shared: Record<string, string>;
  /** Shared values some `iterate` step walks: dicts (the rest are ints). */
  dicts: Set<string>;
  tasks: string[];
}

function namesOf(sc: Scenario): Names {
  const used = new Set<string>();
  const of = (decl: Record<string, unknown> | undefined, suffix: string) => Object.fromEntries(Object.keys(decl ?? {}).map((n) => [n, allocate(n, used, suffix)]));
  const lock = of(sc.locks, 'lock');
  const queue = of(sc.queues, 'queue');
  const event = of(sc.events, 'event');
  const barrier = of(sc.barriers, 'barrier');
  const shared: Record<string, string> = {};
  const dicts = new Set<string>();
  for (const t of sc.tasks)
    for (const s of t.steps)
      if (s.kind === 'update' || s.kind === 'iterate') {
        shared[s.shared] ??= allocate(s.shared, used, 'value');
        if (s.kind === 'iterate') dicts.add(s.shared);
      }
  return { lock, queue, event, barrier, shared, dicts, tasks: functionNames(sc.tasks, used) };
}

/** A step as the lines of Python it stands for, unindented (a loop's body indented by four). */
function stepCode(step: Step, n: Names, asyncio: boolean, scale: number): string[] {
  const s = num(step.seconds * scale);
  const aw = asyncio ? 'await ' : '';
  switch (step.kind) {
    case 'cpu':
      return [`spin(${s})`];
    case 'native':
      return [`hash_for(${s})`];
    case 'io':
      if (!asyncio || step.blocking) return [`time.sleep(${s})${asyncio ? '  # blocking: the loop stops' : ''}`];
      return [`await asyncio.sleep(${s})`];
    case 'acquire':
      return [`${aw}${n.lock[step.lock]}.acquire()`];
    case 'release':
      return [`${n.lock[step.lock]}.release()`];
    case 'put':
      return [`${aw}${n.queue[step.queue]}.put(1)`];
    case 'get':
      return [`${aw}${n.queue[step.queue]}.get()`];
    case 'set':
      return [`${n.event[step.event]}.set()`];
    case 'wait':
      return [`${aw}${n.event[step.event]}.wait()`];
    case 'barrier':
      return [`${aw}${n.barrier[step.barrier]}.wait()`];
    case 'update': {
      const v = n.shared[step.shared];
      const body = n.dicts.has(step.shared) ? `${v}[next(fresh_keys)] = 0` : step.shape === 'call' ? `${v} = bump(${v})` : `${v} += 1`;
      const head = `for _ in range(${int(step.times)}):`;
      if (!step.lock) return [head, `    ${body}`];
      return [head, `    ${asyncio ? 'async ' : ''}with ${n.lock[step.lock]}:`, `        ${body}`];
    }
    case 'iterate':
      return [`for key in ${n.shared[step.shared]}:  # a key added meanwhile: RuntimeError`, `    spin(${s} / ${DICT_KEYS})`];
    case 'raise':
      return [`raise ${step.error}()`];
    case 'crash':
      return ['os._exit(1)  # the process dies at once, as in a crash'];
  }
}

/** The task's steps as a block of `k` steps repeated `n` times, the shortest such block (k ≤ 4), or none. */
function repetition(steps: readonly Step[]): { k: number; n: number } | null {
  for (let k = 1; k <= 4 && k * 2 <= steps.length; k++) {
    if (steps.length % k) continue;
    const same = steps.every((s, i) => {
      const b = steps[i % k];
      return JSON.stringify(s) === JSON.stringify(b);
    });
    if (same) return { k, n: steps.length / k };
  }
  return null;
}

/** `threading.Lock()`, `context.Semaphore(2)`, `asyncio.Lock()  # asyncio has no RLock`. */
function lockMaker(d: LockDecl, flavor: Flavor): string {
  const lib = flavor === 'threading' ? 'threading' : flavor === 'asyncio' ? 'asyncio' : 'context';
  if (d.type === 'Semaphore') return `${lib}.Semaphore(${d.value ?? 1})`;
  if (d.type === 'RLock' && flavor === 'asyncio') return 'asyncio.Lock()  # asyncio has no RLock';
  return `${lib}.${d.type}()`;
}

/** Each declared object's `name = maker` line, in declaration order (locks, queues, events, barriers). */
function objectLines(sc: Scenario, n: Names, flavor: Flavor): string[] {
  const lib = flavor === 'threading' ? 'threading' : flavor === 'asyncio' ? 'asyncio' : 'context';
  const q = flavor === 'threading' ? 'queue' : lib;
  const out: string[] = [];
  for (const [k, d] of Object.entries(sc.locks ?? {})) out.push(`${n.lock[k]} = ${lockMaker(d, flavor)}`);
  for (const [k, d] of Object.entries(sc.queues ?? {})) out.push(`${n.queue[k]} = ${q}.Queue(${d.maxsize ? `maxsize=${d.maxsize}` : ''})`);
  for (const k of Object.keys(sc.events ?? {})) out.push(`${n.event[k]} = ${lib}.Event()`);
  for (const [k, d] of Object.entries(sc.barriers ?? {})) out.push(`${n.barrier[k]} = ${lib}.Barrier(${d.parties})`);
  return out;
}

const objectNames = (n: Names) => [...Object.values(n.lock), ...Object.values(n.queue), ...Object.values(n.event), ...Object.values(n.barrier)];

export function pythonFor(sc: Scenario, config: ModelConfig, scale = 1, profile: CPythonProfile = DEFAULT_PROFILE): PythonCode {
  const r = resolveConfig(config, sc, profile);
  const asyncio = r.model === 'asyncio';
  const flavor: Flavor = asyncio ? 'asyncio' : r.model === 'processes' ? 'multiprocessing' : 'threading';
  const n = namesOf(sc);
  const steps = sc.tasks.flatMap((t) => t.steps);
  const objects = objectNames(n);
  const hasBytes = sc.tasks.some((t) => t.send || t.receive);
  const ints = Object.keys(n.shared).filter((k) => !n.dicts.has(k));
  const bump = steps.some((s) => s.kind === 'update' && s.shape === 'call' && !n.dicts.has(s.shared));

  const imports = ['hashlib', 'time'];
  if (asyncio) imports.push('asyncio');
  if (steps.some((s) => s.kind === 'update' && n.dicts.has(s.shared))) imports.push('itertools');
  if (r.model === 'processes') imports.push('multiprocessing');
  if (steps.some((s) => s.kind === 'crash')) imports.push('os');
  if (flavor === 'threading' && Object.keys(sc.queues ?? {}).length) imports.push('queue');
  if (r.model === 'threads') imports.push('sys');
  if (flavor === 'threading' && (objectLines(sc, n, flavor).some((l) => l.includes('threading.')) || (r.model === 'threads' && r.api === 'thread'))) imports.push('threading');
  const api = r.model === 'threads' && r.api === 'thread' ? ' (a Thread per task)' : r.model === 'asyncio' && r.api === 'taskgroup' ? ' (TaskGroup)' : '';
  const lines: string[] = [`# ${sc.name}: ${r.model}${api}`, ...imports.sort().map((m) => `import ${m}`)];
  if (r.model === 'threads' && r.api === 'executor') lines.push('from concurrent.futures import ThreadPoolExecutor');
  if (r.model === 'processes') lines.push('from concurrent.futures import ProcessPoolExecutor');
  lines.push('', '', ...HELPERS);

  // The shared values: module globals, each process's own.
  if (Object.keys(n.shared).length) {
    lines.push('', '');
    if (r.model === 'processes') lines.push('# Module globals: each process has its own copy');
    for (const [k, v] of Object.entries(n.shared)) lines.push(n.dicts.has(k) ? `${v} = dict.fromkeys(range(${DICT_KEYS}), 0)  # a dict of ${DICT_KEYS} keys` : `${v} = 0`);
    if (steps.some((s) => s.kind === 'update' && n.dicts.has(s.shared))) lines.push(`fresh_keys = itertools.count(${DICT_KEYS})  # keys no dict has yet`);
    if (bump) lines.push('', '', 'def bump(x):', '    return x + 1');
  }
  // The locks, queues, events and barriers.
  if (objects.length) {
    lines.push('', '');
    if (flavor === 'threading') lines.push('# Shared by every thread', ...objectLines(sc, n, flavor));
    else if (flavor === 'asyncio') lines.push("# Shared by every coroutine: asyncio's, awaited", ...objectLines(sc, n, flavor));
    else {
      lines.push(
        "# multiprocessing's, made by the main program; each worker process",
        "# gets them as it starts, from the pool's initializer",
        `${objects.join(' = ')} = None`,
        '',
        '',
        'def init_worker(*objects):',
        `    global ${objects.join(', ')}`,
        `    ${objects.length === 1 ? `(${objects[0]},)` : objects.join(', ')} = objects`,
      );
    }
  }

  const stepLines: number[][] = [];
  const stepLast: number[][] = [];
  sc.tasks.forEach((t, i) => {
    const name = n.tasks[i];
    lines.push('', '');
    lines.push(`${asyncio ? 'async ' : ''}def ${name}(${hasBytes ? 'data' : ''}):${name === t.name ? '' : `  # ${t.name.replace(/[\r\n]+/g, ' ')}`}`);
    const globals = [...new Set(t.steps.flatMap((s) => (s.kind === 'update' && ints.includes(s.shared) ? [n.shared[s.shared]] : [])))];
    if (globals.length) lines.push(`    global ${globals.join(', ')}`);
    const at: number[] = [];
    const last: number[] = [];
    const block = (s: Step, indent: string) => {
      const first = lines.length;
      for (const l of stepCode(s, n, asyncio, scale)) lines.push(indent + l);
      return [first, lines.length - 1];
    };
    const rep = repetition(t.steps);
    if (rep) {
      lines.push(`    for _ in range(${rep.n}):`);
      const spans = t.steps.slice(0, rep.k).map((s) => block(s, '        '));
      t.steps.forEach((_, j) => {
        at.push(spans[j % rep.k][0]);
        last.push(spans[j % rep.k][1]);
      });
    } else {
      for (const s of t.steps) {
        const [a, b] = block(s, '    ');
        at.push(a);
        last.push(b);
      }
      if (!t.steps.length) lines.push('    pass');
    }
    if (t.receive) lines.push(`    return bytes(${int(t.receive)})`);
    stepLines.push(at);
    stepLast.push(last);
  });
  lines.push('', '', `TASKS = [${n.tasks.join(', ')}]`);
  if (hasBytes) lines.push(`DATA = [${sc.tasks.map((t) => (t.send ? `bytes(${int(t.send)})` : 'b""')).join(', ')}]  # each task's argument`);
  lines.push('', '');
  const report = Object.entries(n.shared).map(([k, v]) => (n.dicts.has(k) ? `print("${v} has", len(${v}), "keys")` : `print("${v} =", ${v})`));
  lines.push(...driver(r, config, hasBytes, objects, sc, n, report));
  return { lines, stepLines, stepLast };
}

function driver(r: ResolvedConfig, config: ModelConfig, hasBytes: boolean, objects: string[], sc: Scenario, n: Names, report: string[]): string[] {
  // How each task is called: `task()` or `task(data)`, and what the loop over them is.
  const each = hasBytes ? 'for task, data in zip(TASKS, DATA)' : 'for task in TASKS';
  const call = hasBytes ? 'task(data)' : 'task()';
  const submit = hasBytes ? 'pool.submit(task, data)' : 'pool.submit(task)';
  switch (r.model) {
    case 'sequential':
      return ['if __name__ == "__main__":', `    ${each}:`, `        ${call}`, ...report.map((l) => `    ${l}`)];
    case 'threads':
      if (r.api === 'thread')
        return [
          'if __name__ == "__main__":',
          `    sys.setswitchinterval(${num(r.switchIntervalMs / 1000)})`,
          `    threads = [threading.Thread(target=task${hasBytes ? ', args=(data,)' : ''}) ${each}]`,
          '    for thread in threads:',
          '        thread.start()',
          '    for thread in threads:',
          '        thread.join()  # never raises: a thread\'s exception is only printed',
          ...report.map((l) => `    ${l}`),
        ];
      return [
        'if __name__ == "__main__":',
        `    sys.setswitchinterval(${num(r.switchIntervalMs / 1000)})`,
        `    with ThreadPoolExecutor(max_workers=${config.model === 'threads' && config.workers ? config.workers : 'len(TASKS)'}) as pool:`,
        `        futures = [${submit} ${each}]`,
        '        for future in futures:',
        '            future.result()  # re-raises the task\'s exception',
        ...report.map((l) => `    ${l}`),
      ];
    case 'processes': {
      const init = objects.length ? `, initializer=init_worker, initargs=(${objects.join(', ')}${objects.length === 1 ? ',' : ''})` : '';
      return [
        'if __name__ == "__main__":',
        `    context = multiprocessing.get_context("${r.startMethod}")`,
        ...objectLines(sc, n, 'multiprocessing').map((l) => `    ${l}`),
        `    with ProcessPoolExecutor(max_workers=${r.workers}, mp_context=context${init}) as pool:`,
        `        futures = [${submit} ${each}]`,
        '        for future in futures:',
        '            future.result()  # the task\'s exception, pickled back; or BrokenProcessPool',
        ...report.map((l) => `    ${l}`),
      ];
    }
    case 'asyncio': {
      const limited = r.workers
        ? [`    limit = asyncio.Semaphore(${r.workers})`, '', `    async def limited(task${hasBytes ? ', data' : ''}):`, '        async with limit:', `            await ${call}`, '']
        : [];
      const coro = r.workers ? (hasBytes ? 'limited(task, data)' : 'limited(task)') : call;
      const run =
        r.api === 'taskgroup'
          ? ['    async with asyncio.TaskGroup() as tg:  # an exception cancels the rest', `        ${each}:`, `            tg.create_task(${coro})`]
          : [`    await asyncio.gather(*(${coro} ${each}))  # the first exception comes out here`];
      return ['async def main():', ...limited, ...run, '', '', 'if __name__ == "__main__":', '    asyncio.run(main())', ...report.map((l) => `    ${l}`)];
    }
  }
}
