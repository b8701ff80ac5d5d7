import { resolveConfig, type ResolvedConfig } from '../../sim/config.ts';
import { DEFAULT_PROFILE, type CPythonProfile } from '../../sim/profile.ts';
import type { ModelConfig, Scenario, Step, Task } from '../../sim/types.ts';

/**
 * The Python a model's chart stands for, generated from the scenario and the model's settings: a function per task
 * whose steps are a pure-Python loop (`spin`), hashing 1 MiB buffers (`hash_for`, which releases the GIL), and
 * `time.sleep` or `await asyncio.sleep`; then the driver (a loop, ThreadPoolExecutor, ProcessPoolExecutor with its
 * start method, asyncio.gather with an optional Semaphore). It is runnable as it is (a test runs it with python3,
 * its seconds scaled down by `scale`).
 */
export interface PythonCode {
  lines: string[];
  /** The line (0-based) a task's step is on: `stepLines[task][step]`. */
  stepLines: number[][];
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

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield main spin hash_for tasks LOOPS_PER_SECOND CALLS_PER_SECOND'.split(' '),
);

/** Python identifiers for the task names, one each ("chatty I/O" → chatty_i_o; a clash gets _2). */
export function functionNames(tasks: readonly Task[]): string[] {
  const used = new Set<string>();
  return tasks.map((t) => {
    let base =
      t.name
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'task';
    if (/^[0-9]/.test(base) || PY_KEYWORDS.has(base)) base = `task_${base}`;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}

const num = (s: number) => {
  const v = +s.toPrecision(6);
  return Number.isInteger(v) ? `${v}.0` : String(v);
};

function stepCall(step: Step, asyncio: boolean, scale: number): string {
  const s = num(step.seconds * scale);
  const aw = asyncio ? 'await ' : '';
  switch (step.kind) {
    case 'cpu':
      return `spin(${s})`;
    case 'native':
      return `hash_for(${s})`;
    case 'io':
      if (!asyncio || step.blocking) return `time.sleep(${s})${asyncio ? '  # blocking: the loop stops' : ''}`;
      return `await asyncio.sleep(${s})`;
    case 'acquire':
      return `${aw}${step.lock}.acquire()`;
    case 'release':
      return `${step.lock}.release()`;
    case 'put':
      return `${aw}${step.queue}.put(1)`;
    case 'get':
      return `${aw}${step.queue}.get()`;
    case 'set':
      return `${step.event}.set()`;
    case 'wait':
      return `${aw}${step.event}.wait()`;
    case 'barrier':
      return `${aw}${step.barrier}.wait()`;
    case 'update': {
      const body = step.shape === 'call' ? `${step.shared} = bump(${step.shared})` : `${step.shared} += 1`;
      return `for _ in range(${step.times}): ${step.lock ? `with ${step.lock}: ` : ''}${body}`;
    }
    case 'iterate':
      return `for key in ${step.shared}: spin_a_little()`;
    case 'raise':
      return `raise ${step.error}()`;
    case 'crash':
      return 'os._exit(1)  # the process dies at once';
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

export function pythonFor(sc: Scenario, config: ModelConfig, scale = 1, profile: CPythonProfile = DEFAULT_PROFILE): PythonCode {
  const asyncio = config.model === 'asyncio';
  const names = functionNames(sc.tasks);
  const lines: string[] = [];
  const imports = ['import hashlib', 'import time'];
  if (asyncio) imports.unshift('import asyncio');
  if (config.model === 'threads') imports.push('import sys', 'from concurrent.futures import ThreadPoolExecutor');
  if (config.model === 'processes') imports.push('import multiprocessing', 'from concurrent.futures import ProcessPoolExecutor');
  lines.push(`# ${sc.name}: ${config.model}`, ...imports, '', '', ...HELPERS);
  const stepLines: number[][] = [];
  sc.tasks.forEach((t, i) => {
    lines.push('', '');
    lines.push(`${asyncio ? 'async ' : ''}def ${names[i]}():${names[i] === t.name ? '' : `  # ${t.name.replace(/[\r\n]+/g, ' ')}`}`);
    const at: number[] = [];
    const rep = repetition(t.steps);
    if (rep) {
      lines.push(`    for _ in range(${rep.n}):`);
      const first = lines.length;
      for (let j = 0; j < rep.k; j++) lines.push(`        ${stepCall(t.steps[j], asyncio, scale)}`);
      t.steps.forEach((_, j) => at.push(first + (j % rep.k)));
    } else {
      for (const s of t.steps) {
        at.push(lines.length);
        lines.push(`    ${stepCall(s, asyncio, scale)}`);
      }
      if (!t.steps.length) lines.push('    pass');
    }
    stepLines.push(at);
  });
  lines.push('', '', `TASKS = [${names.join(', ')}]`, '', '');
  lines.push(...driver(config, resolveConfig(config, sc, profile)));
  return { lines, stepLines };
}

function driver(c: ModelConfig, r: ResolvedConfig): string[] {
  switch (c.model) {
    case 'sequential':
      return ['if __name__ == "__main__":', '    for task in TASKS:', '        task()'];
    case 'threads':
      return [
        'if __name__ == "__main__":',
        `    sys.setswitchinterval(${num((r.model === 'threads' ? r.switchIntervalMs : 5) / 1000)})`,
        `    with ThreadPoolExecutor(max_workers=${c.workers ?? 'len(TASKS)'}) as pool:`,
        '        for future in [pool.submit(task) for task in TASKS]:',
        '            future.result()',
      ];
    case 'processes':
      return [
        'if __name__ == "__main__":',
        `    context = multiprocessing.get_context("${r.model === 'processes' ? r.startMethod : 'fork'}")`,
        `    with ProcessPoolExecutor(max_workers=${r.model === 'processes' ? r.workers : 1}, mp_context=context) as pool:`,
        '        for future in [pool.submit(task) for task in TASKS]:',
        '            future.result()',
      ];
    case 'asyncio':
      return c.workers
        ? [
            'async def main():',
            `    limit = asyncio.Semaphore(${c.workers})`,
            '',
            '    async def limited(task):',
            '        async with limit:',
            '            await task()',
            '',
            '    await asyncio.gather(*(limited(task) for task in TASKS))',
            '',
            '',
            'if __name__ == "__main__":',
            '    asyncio.run(main())',
          ]
        : ['async def main():', '    await asyncio.gather(*(task() for task in TASKS))', '', '', 'if __name__ == "__main__":', '    asyncio.run(main())'];
  }
}
