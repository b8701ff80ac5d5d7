import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { functionNames, pythonFor } from '../../src/ui/code/python.ts';
import { loadScenario, scenario } from './helpers.ts';

const run = promisify(execFile);
const shipped = readdirSync('scenarios').map((f) => loadScenario(`scenarios/${f}`));

describe('the Python beside the chart', () => {
  it('names each task as a Python identifier, distinct, never a keyword', () => {
    expect(functionNames(scenario(1, [['Doc', ['io', 1]], ['chatty I/O', ['io', 1]], ['chatty i/o', ['io', 1]], ['1st', ['io', 1]], ['pass', ['io', 1]], ['☃', ['io', 1]]]).tasks)).toEqual([
      'doc', 'chatty_i_o', 'chatty_i_o_2', 'task_1st', 'task_pass', 'task',
    ]);
  });

  it('writes each step as the call it stands for, and a repeated pattern as a loop', () => {
    const sc = scenario(2, [['a', ['cpu', 0.5], ['native', 0.25], ['io', 1]], ['b', ['io', 0.001], ['cpu', 0.01], ['io', 0.001], ['cpu', 0.01]]]);
    const threads = pythonFor(sc, { model: 'threads', switchIntervalMs: 1 });
    const text = threads.lines.join('\n');
    expect(text).toContain('def a():\n    spin(0.5)\n    hash_for(0.25)\n    time.sleep(1.0)');
    expect(text).toContain('def b():\n    for _ in range(2):\n        time.sleep(0.001)\n        spin(0.01)');
    expect(text).toContain('sys.setswitchinterval(0.001)');
    expect(text).toContain('ThreadPoolExecutor(max_workers=len(TASKS))');
    // Each step points at its line.
    expect(threads.stepLines[0].map((l) => threads.lines[l].trim())).toEqual(['spin(0.5)', 'hash_for(0.25)', 'time.sleep(1.0)']);
    expect(threads.stepLines[1].map((l) => threads.lines[l].trim())).toEqual(['time.sleep(0.001)', 'spin(0.01)', 'time.sleep(0.001)', 'spin(0.01)']);
    const aio = pythonFor(scenario(1, [['c', ['io', 1], ['io', 2, true]]]), { model: 'asyncio', workers: 3 }).lines.join('\n');
    expect(aio).toContain('async def c():\n    await asyncio.sleep(1.0)\n    time.sleep(2.0)  # blocking: the loop stops');
    expect(aio).toContain('asyncio.Semaphore(3)');
    expect(pythonFor(sc, { model: 'processes', workers: 2, startMethod: 'spawn' }).lines.join('\n')).toContain(
      'context = multiprocessing.get_context("spawn")\n    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:',
    );
  });

  // Every shipped scenario under every one of its models, scaled down to about 50 ms of work, run by python3.
  const programs = shipped.flatMap((sc) => {
    const total = sc.tasks.reduce((a, t) => a + t.steps.reduce((b, s) => b + s.seconds, 0), 0);
    return sc.models.map((m, i) => ({ name: `${sc.name} · ${i}: ${m.model}`, code: pythonFor(sc, m, 0.05 / total).lines.join('\n') + '\n' }));
  });
  it(`is valid Python that runs to the end (${programs.length} programs, python3)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pycode-'));
    const results = await Promise.all(
      programs.map(async (p, i) => {
        const file = join(dir, `program_${i}.py`);
        writeFileSync(file, p.code);
        try {
          await run('python3', [file], { timeout: 30_000 });
          return null;
        } catch (e) {
          return `${p.name}: ${(e as Error).message}`;
        }
      }),
    );
    expect(results.filter(Boolean)).toEqual([]);
  }, 60_000);
});
