import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateCli } from '../../src/cli/simulate.ts';

const dir = mkdtempSync(join(tmpdir(), 'simulate-cli-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const json = (name: string, o: unknown) => file(name, JSON.stringify(o));
const good = { name: 'good', cores: 2, tasks: [{ name: 'a', steps: [{ kind: 'cpu', seconds: 0.1 }] }, { name: 'b', steps: [{ kind: 'io', seconds: 0.2 }] }] };
const goodFile = json('good.json', good);

function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const status = simulateCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { status, stdout, stderr };
}

describe('simulate: bad input gets exit 2 and a message naming what is wrong', () => {
  const hour = (n: number) => ({ name: 'huge', cores: 64, tasks: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, steps: [{ kind: 'cpu', seconds: 3600 }] })) });
  const cases: [string, () => string[], RegExp][] = [
    ['no file', () => [], /^simulate: no scenario file given\nusage:/],
    ['a missing file', () => [join(dir, 'nope.json')], /nope\.json: cannot read: ENOENT/],
    ['/dev/zero (once 49 s and 16.9 GB)', () => ['/dev/zero'], /^\/dev\/zero: not a regular file$/m],
    ['a directory', () => [dir], /: not a regular file$/m],
    ['a file over 2 MB', () => [file('big.json', Buffer.alloc(2_000_001, 32))], /big\.json: 2\.0 MB, over the 2 MB limit/],
    ['broken JSON', () => [file('broken.json', '{"name": ')], /^broken\.json: not valid JSON: /],
    ['a task name with a terminal escape code', () => [json('esc.json', { ...good, tasks: [{ name: 'red\u001b[31m', steps: [{ kind: 'io', seconds: 1 }] }] })], /^esc\.json: tasks\[0\]\.name: must not contain control characters/],
    ['a scenario name with a line break', () => [json('nl.json', { ...good, name: 'two\nlines' })], /^nl\.json: name: must not contain control characters/],
    ['a repeat that expands past the limit (once 294 s and 3.6 GB)', () => [json('rep.json', { ...good, tasks: [{ name: 'loop', repeat: 2000, steps: Array.from({ length: 60 }, () => ({ kind: 'io', seconds: 0.001 })) }] })], /^rep\.json: tasks\[0\]\.repeat: the scenario expands to 120,000 steps .* over the 100,000 the simulator takes; the largest is "loop" \(60 steps × repeat 2000\)$/m],
    ['a run far past the event cap (once 174 s and 4.2 GB, then a stack trace)', () => [json('huge.json', { ...hour(256), models: [{ model: 'threads', switchIntervalMs: 0.01 }] })], /^huge\.json: cannot be simulated: threads: at least 183,600,000,256 scheduling events .* a longer switch interval/],
    ['a run past a lowered cap', () => [goodFile, '--max-events', '3', '--model', 'threads'], /^good\.json: cannot be simulated: threads: more than 3 scheduling events/],
    ['a bad --max-events', () => [goodFile, '--max-events', '1e99'], /^simulate: --max-events: expected a whole number from 1 to 1000000000, not "1e99"/],
    ['an unknown model', () => [goodFile, '--model', 'gpu'], /^simulate: --model: unknown model "gpu"/],
    ['an unknown flag', () => [goodFile, '--fast'], /^simulate: unknown flag --fast/],
    ['a flag without its value', () => [goodFile, '--profile'], /^simulate: --profile needs a value/],
    ['two files', () => [goodFile, goodFile], /^simulate: unexpected argument /],
  ];
  it.each(cases)('%s', (_, argv, message) => {
    const r = cli(...argv());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a UTF-8 byte-order mark is accepted, as the app accepts it', () => {
    const r = cli(file('bom.json', '\ufeff' + JSON.stringify(good)), '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).scenario).toBe('good');
  });

  it('--max-events sets the cap: lower than a run needs, it is refused; higher, it runs', () => {
    // 2 × 1.2 s of Python at 0.1 ms: about 24,000 events predicted, about twice that taken.
    const s = json('long.json', { name: 'long', cores: 2, tasks: [{ name: 'a', steps: [{ kind: 'cpu', seconds: 1.2 }] }, { name: 'b', steps: [{ kind: 'cpu', seconds: 1.2 }] }], models: [{ model: 'threads', switchIntervalMs: 0.1 }] });
    expect(cli(s, '--json', '--max-events', '10000').stderr).toMatch(/at least 24,00\d scheduling events .* more than the 10,000 allowed/);
    expect(cli(s, '--json', '--max-events', '30000').stderr).toMatch(/more than 30,000 scheduling events .* by \d+\.\d s of simulated time/);
    const r = cli(s, '--json', '--max-events', '200000');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).results[0].summary.gilSwitches).toBeGreaterThan(20_000);
  });
});

describe('simulate --profile: a profile file is validated like a scenario', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a zero switch interval (once 20 s and 1.6 GB, then a crash)', { switchInterval: 0 }, /^p\.json: switchInterval: must be at least 0\.00001 s$/m],
    ['a zero OS slice (once a crash)', { osSlice: 0 }, /^p\.json: osSlice: must be at least 0\.0001 s$/m],
    ['a zero C call (a native step of zero-length calls would never end)', { callSeconds: 0 }, /^p\.json: callSeconds: must be at least 0\.000001 s$/m],
    ['a C call as a string', { callSeconds: '0.5ms' }, /^p\.json: callSeconds: .*Expected number but received "0\.5ms"/],
    ['a negative C call', { callSeconds: -0.0005 }, /^p\.json: callSeconds: must be at least 0\.000001 s$/m],
    ['a negative cost', { dispatch: -1 }, /^p\.json: dispatch: .*>=0/],
    ['a cost as a string', { submit: '1' }, /^p\.json: submit: .*Expected number/],
    ['processStart as a string', { processStart: 'fast' }, /^p\.json: processStart: .*Expected Object/],
    ['processStart null', { processStart: null }, /^p\.json: processStart: .*Expected Object but received null/],
    ['an unknown start method', { processStart: { vfork: { boot: 1 } } }, /^p\.json: processStart\.vfork: unknown field/],
    ['a negative boot', { processStart: { fork: { boot: -5 } } }, /^p\.json: processStart\.fork\.boot: .*>=0/],
    ['an absurd boot (once "cores busy NaN%")', { processStart: { fork: { boot: 1e308 } } }, /^p\.json: processStart\.fork\.boot: .*<=3600/],
    ['a launch as a word (once "never finished (simulator bug)")', { processStart: { spawn: { launch: 'slow' } } }, /^p\.json: processStart\.spawn\.launch: .*Expected number but received "slow"/],
    ['__proto__', JSON.parse('{"__proto__": 5}'), /^p\.json: __proto__: unknown field/],
    ['constructor', { constructor: 0 }, /^p\.json: constructor: unknown field/],
    ['a misspelt constant', { switchIntervall: 0.005 }, /^p\.json: switchIntervall: unknown field/],
    ['not an object', [1, 2], /^p\.json: \(top level\): expected a JSON object/],
  ];
  it.each(cases)('%s', (_, profile, message) => {
    const r = cli(goodFile, '--profile', json('p.json', profile));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a good partial profile changes only what it names', () => {
    const at = (...extra: string[]) => JSON.parse(cli(goodFile, '--json', '--model', 'asyncio', ...extra).stdout).results[0].tasks[0].start;
    expect(at()).toBeCloseTo(0.0003, 9);
    expect(at('--profile', json('loop.json', { loopStart: 0.01 }))).toBeCloseTo(0.01, 9);
  });
});

describe('simulate as a process', () => {
  it('refuses /dev/zero at once with exit 2, no stack trace', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/simulate.ts', '/dev/zero'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('/dev/zero: not a regular file');
  }, 30_000);

  it('prints a table per model', () => {
    const r = cli(goodFile);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual(['good', '', 'sequential: makespan 0.300 s, speedup 1.00x, cores busy 17%', '  task     start       end  GIL wait', '  a       0.0000    0.1000    0.0000']);
  });
});

describe('simulate: what became of each task and of the program', () => {
  const race = json('race.json', {
    name: 'race', cores: 2,
    tasks: [1, 2, 3, 4].map((i) => ({ name: `t${i}`, steps: [{ kind: 'update', shared: 'counter', times: 250_000, seconds: 0.1, shape: 'call' }] })),
    models: [{ model: 'sequential' }, { model: 'threads' }, { model: 'processes' }],
  });
  const crash = json('crash.json', {
    name: 'crash', cores: 2,
    tasks: [{ name: 'a', steps: [{ kind: 'io', seconds: 0.3 }] }, { name: 'b', steps: [{ kind: 'cpu', seconds: 0.1 }, { kind: 'crash' }] }, { name: 'c', steps: [{ kind: 'io', seconds: 0.5 }] }],
    models: [{ model: 'sequential' }, { model: 'threads' }],
  });
  // [what, file, lines the table must have, lines it must not have]
  const cases: [string, string, RegExp[], RegExp[]][] = [
    ['a deadlock: who holds what and waits for what, and that the program never ends', 'scenarios/deadlock.json', [
      /^threads: never ends \(deadlocked at \d\.\d{3} s\), cores busy/m,
      /^ {2}task +start +end +GIL wait +outcome$/m,
      /^ {2}alice → bob +\d\.\d{4} +- +\d\.\d{4} +deadlocked$/m,
      /^ {2}deadlock at \d\.\d{3} s: alice → bob holds alice, waits for bob; bob → alice holds bob, waits for alice \(the program never ends\)$/m,
    ], [/^threads: makespan/m]],
    ['a wait nobody can end (one thread at a Barrier(3)), and the tasks that never start', 'scenarios/barrier.json', [
      /^sequential: never ends \(stuck at 0\.200 s\)/m,
      /^ {2}medium +- +- +0\.0000 +deadlocked, never started$/m,
      /^ {2}stuck at 0\.200 s: fast waits at barrier start for 3 parties, only 1 ever there; medium and slow never start \(the program never ends\)$/m,
    ], []],
    ['an error re-raised by f.result(), and one only threading.excepthook sees', 'scenarios/errors-threads.json', [
      /^ {2}ValueError reached the main program at 0\.800 s \(from fails\): raised in the loop: the program stops, the tasks after it never run$/m,
      /^ {2}fast ok +- +- +0\.0000 +never started$/m,
      /^ {2}fails +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +raised ValueError$/m,
      /^ {2}ValueError reached the main program at 0\.6\d\d s \(from fails\): f\.result\(\) re-raised it in the main thread/m,
      /^ {2}fails raised ValueError at 0\.2\d\d s: threading\.excepthook printed it; the main program never sees it$/m,
      // An error run's makespan is its time to the error: no speedup is claimed for it.
      /^sequential: makespan 0\.800 s, cores busy/m,
    ], [/^sequential: makespan 0\.800 s, speedup/m]],
    ['a broken process pool', 'scenarios/errors-processes.json', [
      /^ {2}queued +- +\d\.\d{4} +0\.0000 +broken: BrokenProcessPool$/m,
      /^ {2}crashes +\d\.\d{4} +\d\.\d{4} +0\.0000 +called os\._exit\(1\)$/m,
      /^ {2}the pool broke at \d\.\d{3} s: crashes's worker process died \(os\._exit\), and crashes, long and queued ended with BrokenProcessPool$/m,
      /^ {2}ValueError reached the main program at \d\.\d{3} s \(from raises\): pickled back to the parent/m,
    ], []],
    ['asyncio: gather and a TaskGroup, and the cancelled tasks', 'scenarios/errors-asyncio.json', [
      /^ {2}slow +\d\.\d{4} +\d\.\d{4} +0\.0000 +cancelled$/m,
      /^ {2}ExceptionGroup reached the main program at \d\.\d{3} s \(from fails\): the TaskGroup cancelled the other tasks/m,
    ], []],
    ['a crash in a thread kills the whole program', crash, [
      /^ {2}b +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +called os\._exit\(1\)$/m,
      /^ {2}a +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +died with the process$/m,
      /^ {2}os\._exit\(1\) in b killed the program at \d\.\d{3} s: the process died at once, every thread with it/m,
    ], []],
    ['lost updates: final against expected, with the loss; each process its own copy', race, [
      /^ {2}counter: 1,000,000 of 1,000,000 expected \(none lost\)$/m,
      /^ {2}counter: [\d,]+ of 1,000,000 expected \([\d,]+ updates lost\)$/m,
      /^ {2}counter: 0 of 1,000,000 expected: each worker process updated its own copy/m,
    ], [/outcome/]],
    ['a clean run says nothing more: no outcome column', goodFile, [/^ {2}task +start +end +GIL wait$/m], [/outcome|reached|deadlock|lost/]],
  ];
  it.each(cases)('%s', (_, f, want, not) => {
    const r = cli(f);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const w of want) expect(r.stdout).toMatch(w);
    for (const n of not) expect(r.stdout).not.toMatch(n);
  });

  it('--json: per task its outcome and error, per model the deadlock, the error and the shared values; a time that never came is null', () => {
    const results = (f: string) => JSON.parse(cli(f, '--json').stdout).results;
    const [seq, threads] = results('scenarios/deadlock.json');
    expect(seq.tasks[0]).toMatchObject({ outcome: 'ok', error: null });
    expect([seq.deadlock, seq.error, seq.shared]).toEqual([null, null, []]);
    expect(threads.deadlock).toEqual({ at: expect.any(Number), cycle: true, tasks: [{ task: 'alice → bob', waitsFor: 'bob', holds: ['alice'] }, { task: 'bob → alice', waitsFor: 'alice', holds: ['bob'] }] });
    expect(threads.tasks.map((t: { end: unknown; outcome: string }) => [t.end, t.outcome])).toEqual([[null, 'deadlocked'], [null, 'deadlocked']]);

    const [sequential, , executor] = results('scenarios/errors-threads.json');
    expect(sequential.tasks[2]).toEqual({ name: 'fast ok', start: null, end: null, gilWait: 0, outcome: 'skipped', error: null });
    expect(sequential.tasks[1]).toMatchObject({ outcome: 'raised', error: 'ValueError' });
    expect(executor.error).toEqual({ type: 'ValueError', at: expect.any(Number), task: 'fails', how: expect.stringMatching(/^f\.result\(\) re-raised it/) });

    const [, processes] = results('scenarios/errors-processes.json');
    expect(processes.tasks.find((t: { name: string }) => t.name === 'queued')).toMatchObject({ start: null, outcome: 'broken', error: 'BrokenProcessPool' });

    const [s, t, p] = results(race);
    expect(s.shared).toEqual([{ name: 'counter', final: 1_000_000, expected: 1_000_000, lost: 0 }]);
    expect(t.shared[0].lost).toBeGreaterThan(0);
    expect(t.shared[0].final + t.shared[0].lost).toBe(1_000_000);
    expect(p.shared).toEqual([{ name: 'counter', final: 0, expected: 1_000_000, lost: 0, note: expect.stringMatching(/its own copy/) }]);
  });
});

describe('simulate --trace: writes the runs it simulated as a Chrome trace', () => {
  const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as { traceEvents: { ph: string; name: string; pid: number; args?: { name?: string } }[]; metadata: { scenario: string } };
  const processes = (t: ReturnType<typeof read>) => t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!.name!.split(':')[0]);
  const cases: [string, string[], string[]][] = [
    ['every model of the scenario, the table printed as without it', [], ['sequential', 'threads', 'processes', 'asyncio']],
    ['only the model --model names', ['--model', 'threads'], ['threads']],
    ['with --json', ['--json'], ['sequential', 'threads', 'processes', 'asyncio']],
  ];
  it.each(cases)('%s', (_, extra, models) => {
    const out = join(dir, `trace-${models.length}-${extra.length}.json`);
    const r = cli('scenarios/seven-dwarfs.json', ...extra, '--trace', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(cli('scenarios/seven-dwarfs.json', ...extra).stdout);
    const t = read(out);
    expect(r.stderr).toBe(`wrote trace ${out} (${t.traceEvents.length.toLocaleString('en')} events)\n`);
    expect(t.metadata.scenario).toBe('Seven Dwarfs');
    expect(processes(t)).toEqual(models);
    // Each process has its running time as complete events.
    for (let pid = 1; pid <= models.length; pid++) expect(t.traceEvents.some((e) => e.ph === 'X' && e.pid === pid)).toBe(true);
  });

  const bad: [string, () => string[], RegExp][] = [
    ['a folder that does not exist', () => ['--trace', join(dir, 'no', 'such', 'x.json')], /^--trace .*x\.json: cannot write: ENOENT$/m],
    ['a directory', () => ['--trace', dir], /^--trace .*: cannot write: EISDIR$/m],
    ['the scenario file itself (it would be overwritten)', () => ['--trace', 'scenarios/seven-dwarfs.json'], /^simulate: --trace scenarios\/seven-dwarfs\.json: is an input file; name another\nusage:/],
    ['no path', () => ['--trace'], /^simulate: --trace needs a value\nusage:/],
    ['an empty path', () => ['--trace', ''], /^simulate: --trace needs a value\nusage:/],
  ];
  it.each(bad)('%s: exit 2, a message, nothing printed, the scenario untouched', (_, argv, message) => {
    const before = readFileSync('scenarios/seven-dwarfs.json', 'utf8');
    const r = cli('scenarios/seven-dwarfs.json', ...argv());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync('scenarios/seven-dwarfs.json', 'utf8')).toBe(before);
  });

  it('as a process: writes the file and says so on stderr', () => {
    const out = join(dir, 'process-trace.json');
    const r = spawnSync('npx', ['tsx', 'src/cli/simulate.ts', 'scenarios/seven-dwarfs.json', '--trace', out], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Seven Dwarfs\n/);
    expect(r.stderr).toBe(`wrote trace ${out} (${read(out).traceEvents.length.toLocaleString('en')} events)\n`);
  }, 30_000);
});
