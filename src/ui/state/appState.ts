import { MIX_LIMITS, mixFile, SEED_MAX, type Mix } from '../../sim/mix.ts';
import { DEFAULT_MODELS, LIMITS, fileTasks, parseProfileText, parseScenario, parseScenarioText, resolveScenario, type ScenarioFile } from '../../sim/schema.ts';
import type { ModelConfig, Scenario, StartMethod } from '../../sim/types.ts';
import { SPEEDS } from '../player/playerMachine.ts';
import type { LinkedFile } from './link.ts';
import { reshape, type Reshape } from '../../sim/reshape.ts';
import { withSettings } from '../../sim/story.ts';
import { decodePlan, encodePlan, withPlan, type SchedulePlan } from './schedule.ts';
import type { EmbedOptions } from '../embed.ts';

/**
 * The charts side by side, one model per core or per task, the speedup of every model against cores, or real runs
 * captured from CPython set against the simulation (only while a trace is open: the trace is not in the link).
 */
export type View = 'compare' | 'cores' | 'tasks' | 'amdahl' | 'capture';
export const VIEWS: readonly View[] = ['compare', 'cores', 'tasks', 'amdahl', 'capture'];
export type Theme = 'light' | 'dark' | 'contrast';
export const THEMES: readonly Theme[] = ['light', 'dark', 'contrast'];
export type Source = { kind: 'builtin'; id: string } | { kind: 'mix'; mix: Mix } | { kind: 'file'; text: string };

/** Everything the URL holds: reload, back/forward and a shared link give exactly this back. */
export interface AppState {
  source: Source;
  cores?: number;
  workers?: number;
  switchIntervalMs?: number;
  startMethod?: StartMethod;
  view: View;
  /** Index into the scenario's models: the one shown alone, and narrated. */
  model: number;
  time: number;
  speed: number;
  theme: Theme;
  /** Presenter mode: the stage alone, type for a projector. */
  present: boolean;
  /**
   * Inside a slide deck's iframe (`embed`, or `embed=deck` where the deck owns Space): the stage alone, sized to the
   * frame, a compact player, driven by the deck (see embed.ts). Kept in every link the embed writes.
   */
  embed?: EmbedOptions;
  /** The models shown in the compare view, in drawing order, as indices into the scenario's models; absent: all. */
  shown?: number[];
  /** The story step on screen (0-based; the link says `step=1` for the first), when the scenario has a story. */
  step?: number;
  /**
   * The task-mix sliders moved on a built-in scenario or a file: its own tasks changed (see reshape.ts), in the link
   * as a custom mix's are (`n`, `lo`, `hi`, `cpu`). Not for a custom mix, whose sliders are its source.
   */
  reshape?: Reshape;
  /**
   * One model's own settings, by its index in the scenario's models (`cfg=2:sm=spawn;1:w=4:si=1`), applied after the
   * all-model controls above: so a scenario's fork-versus-spawn or 5-versus-1 ms pair survives, and each model can be
   * tuned apart. Only the settings its kind has are applied (workers: all but sequential; si: threads; sm: processes).
   */
  perModel?: Record<number, ModelOverride>;
  /** Zoomed in: the stretch of time every chart shows, in seconds (`win=from,to`); absent: the whole run. */
  window?: readonly [number, number];
  /**
   * A timing profile the user opened (`npm run calibrate`'s output: this machine's constants), as JSON text laid over
   * CPython's defaults, in the link as `prof=` (base64url; a profile is a few hundred bytes); absent: the defaults.
   */
  profile?: string;
  /**
   * You are the scheduler: one threads model's GIL handed out by the user, the picks so far its `schedule`
   * (`sched=1:2.1*3`, see schedule.ts); absent: the mode is off. Cleared when another scenario opens.
   */
  scheduler?: SchedulePlan;
}

export interface ModelOverride {
  workers?: number;
  switchIntervalMs?: number;
  startMethod?: StartMethod;
}
const START_METHODS = ['fork', 'forkserver', 'spawn'] as const;

/** `cfg=` for per-model settings: models by index, each `i:w=4:si=1:sm=spawn`, separated by `;`. */
export function encodePerModel(pm: Record<number, ModelOverride>): string {
  return Object.keys(pm)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => {
      const o = pm[i];
      const parts = [String(i)];
      if (o.workers !== undefined) parts.push(`w=${o.workers}`);
      if (o.switchIntervalMs !== undefined) parts.push(`si=${o.switchIntervalMs}`);
      if (o.startMethod) parts.push(`sm=${o.startMethod}`);
      return parts.length > 1 ? parts.join(':') : '';
    })
    .filter(Boolean)
    .join(';');
}

/** The per-model settings in `cfg=`, or null when any part of it is malformed. */
export function decodePerModel(raw: string): Record<number, ModelOverride> | null {
  const out: Record<number, ModelOverride> = {};
  for (const entry of raw.split(';')) {
    const [idx, ...fields] = entry.split(':');
    const i = Number(idx);
    if (idx.trim() === '' || !Number.isInteger(i) || i < 0 || i >= MAX_MODELS || i in out || !fields.length) return null;
    const o: ModelOverride = {};
    for (const f of fields) {
      const [k, v, ...more] = f.split('=');
      const n = Number(v);
      if (more.length || v === undefined || v.trim() === '') return null;
      if (k === 'w' && o.workers === undefined && Number.isInteger(n) && n >= 1 && n <= LIMITS.workers) o.workers = n;
      else if (k === 'si' && o.switchIntervalMs === undefined && n >= SWITCH_MS[0] && n <= SWITCH_MS[1]) o.switchIntervalMs = n;
      else if (k === 'sm' && !o.startMethod && (START_METHODS as readonly string[]).includes(v)) o.startMethod = v as StartMethod;
      else return null;
    }
    out[i] = o;
  }
  return out;
}

export const DEFAULT_ID = 'seven-dwarfs';
export const DEFAULT_STATE: AppState = { source: { kind: 'builtin', id: DEFAULT_ID }, view: 'compare', model: 1, time: 0, speed: 1, theme: 'light', present: false };
/** The most models a scenario lists (the schema's limit); `shown` and `m` index into them. */
export const MAX_MODELS = 12;
export const DEFAULT_MIX: Mix = { tasks: 7, minSeconds: 1, maxSeconds: 10, cpuShare: 0, seed: 7 };
export const SWITCH_MS: [number, number] = [0.1, 100];

/** base64url of UTF-8 text, so a scenario opened from a file can travel in a link. */
export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
export function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/**
 * The link for a state. A scenario file goes in `fragment` (see link.ts: compressed, never sent to a server) when the
 * caller has it; without one it goes in the query as base64url, the old form, which every version reads.
 */
export function encodeState(s: AppState, fragment?: string): string {
  const p = new URLSearchParams();
  const src = s.source;
  if (src.kind === 'builtin') p.set('s', src.id);
  else if (src.kind === 'mix') {
    p.set('s', 'mix');
    p.set('n', String(src.mix.tasks));
    p.set('lo', String(src.mix.minSeconds));
    p.set('hi', String(src.mix.maxSeconds));
    p.set('cpu', String(src.mix.cpuShare));
    p.set('seed', String(Math.min(SEED_MAX, Math.max(0, Math.round(src.mix.seed)))));
  } else {
    p.set('s', 'file');
    if (fragment === undefined) p.set('f', toBase64Url(src.text));
  }
  const r = src.kind === 'mix' ? undefined : s.reshape;
  if (r?.tasks !== undefined) p.set('n', String(r.tasks));
  if (r?.minSeconds !== undefined) p.set('lo', String(r.minSeconds));
  if (r?.maxSeconds !== undefined) p.set('hi', String(r.maxSeconds));
  if (r?.cpuShare !== undefined) p.set('cpu', String(r.cpuShare));
  if (s.cores !== undefined) p.set('cores', String(s.cores));
  if (s.workers !== undefined) p.set('workers', String(s.workers));
  if (s.switchIntervalMs !== undefined) p.set('si', String(s.switchIntervalMs));
  if (s.startMethod) p.set('sm', s.startMethod);
  const cfg = s.perModel ? encodePerModel(s.perModel) : '';
  if (cfg) p.set('cfg', cfg);
  p.set('view', s.view);
  p.set('m', String(s.model));
  // Clamped as the reader checks it, so a link the app writes is always one it can read back.
  const t = Math.min(MAX_TIME, Math.max(0, +s.time.toFixed(4)));
  if (t) p.set('t', String(t));
  if (s.speed !== 1) p.set('speed', String(s.speed));
  if (s.theme !== 'light') p.set('theme', s.theme);
  if (s.present) p.set('present', '1');
  if (s.embed) p.set('embed', s.embed.deckSpace ? 'deck' : '1');
  if (s.shown) p.set('ms', s.shown.join(','));
  if (s.step !== undefined) p.set('step', String(s.step + 1));
  // To the microsecond: a window can be a millisecond wide.
  if (s.window) p.set('win', s.window.map((t) => String(Math.min(MAX_TIME, Math.max(0, +t.toFixed(6))))).join(','));
  if (s.profile) p.set('prof', toBase64Url(s.profile));
  if (s.scheduler) p.set('sched', encodePlan(s.scheduler));
  return '?' + p.toString() + (src.kind === 'file' && fragment !== undefined ? '#' + fragment : '');
}

export type Decoded = { state: AppState; problems: string[] };

/** The longest playhead a link holds, in seconds: past the longest run a valid scenario can make (3.6e8 s). */
export const MAX_TIME = 1e9;

/**
 * Read the state from a query string. Every parameter is checked; one that is malformed is named in `problems` and
 * left out (its default takes its place), and everything else in the link is kept: a shared scenario is never lost
 * to a typo in another parameter.
 */
export function decodeState(search: string, builtinIds: readonly string[], linked?: LinkedFile): Decoded {
  const p = new URLSearchParams(search);
  if (![...p.keys()].length) return { state: DEFAULT_STATE, problems: [] };
  const problems: string[] = [];
  const num = (key: string, lo: number, hi: number, int = false): number | undefined => {
    const raw = p.get(key);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
      problems.push(`${key}=${raw.slice(0, 40)} (expected ${int ? 'a whole number' : 'a number'} from ${lo} to ${hi})`);
      return undefined;
    }
    return v;
  };
  let source: Source = DEFAULT_STATE.source;
  // `?story=lecture` is the lecture's story: the shipped scenario of that name, at its first step.
  const story = p.get('story');
  const s = p.get('s') ?? story ?? DEFAULT_ID;
  if (s === 'mix') {
    source = {
      kind: 'mix',
      mix: {
        tasks: num('n', MIX_LIMITS.tasks[0], MIX_LIMITS.tasks[1], true) ?? DEFAULT_MIX.tasks,
        minSeconds: num('lo', MIX_LIMITS.seconds[0], MIX_LIMITS.seconds[1]) ?? DEFAULT_MIX.minSeconds,
        maxSeconds: num('hi', MIX_LIMITS.seconds[0], MIX_LIMITS.seconds[1]) ?? DEFAULT_MIX.maxSeconds,
        cpuShare: num('cpu', 0, 1) ?? DEFAULT_MIX.cpuShare,
        seed: num('seed', 0, SEED_MAX, true) ?? DEFAULT_MIX.seed,
      },
    };
  } else if (s === 'file') {
    // The scenario's text: from the fragment (read by the caller, asynchronously), or an old link's `f=`.
    let text: string | null = linked?.text ?? null;
    let problem = linked?.problem ?? null;
    if (text === null && problem === null) {
      const f = p.get('f');
      if (f === null) problem = 'the scenario in the link is missing (was the link cut short?)';
      else {
        try {
          text = fromBase64Url(f);
        } catch {
          problem = 'f (the scenario in the link is damaged)';
        }
      }
    }
    if (problem !== null) problems.push(problem);
    else if (text !== null) {
      const r = parseScenarioText(text, 'the scenario in the link');
      if (r.ok) source = { kind: 'file', text };
      else problems.push(...r.errors);
    }
  } else if (builtinIds.includes(s)) source = { kind: 'builtin', id: s };
  else problems.push(`s=${s.slice(0, 40)} (no such scenario)`);
  // A built-in's or a file's own tasks, changed by the task-mix sliders.
  let reshaped: Reshape | undefined;
  if (source.kind !== 'mix') {
    const r: Reshape = {
      tasks: num('n', MIX_LIMITS.tasks[0], MIX_LIMITS.tasks[1], true),
      minSeconds: num('lo', MIX_LIMITS.seconds[0], MIX_LIMITS.seconds[1]),
      maxSeconds: num('hi', MIX_LIMITS.seconds[0], MIX_LIMITS.seconds[1]),
      cpuShare: num('cpu', 0, 1),
    };
    for (const k of Object.keys(r) as (keyof Reshape)[]) if (r[k] === undefined) delete r[k];
    if (Object.keys(r).length) reshaped = r;
  }
  const lo = source.kind === 'mix' ? source.mix.minSeconds : reshaped?.minSeconds;
  const hi = source.kind === 'mix' ? source.mix.maxSeconds : reshaped?.maxSeconds;
  if (lo !== undefined && hi !== undefined && lo > hi) problems.push(`lo=${lo} is longer than hi=${hi} (the shortest task is taken as ${hi} s and the longest as ${lo} s)`);
  /** A parameter that must be one of `allowed`: its value, or undefined (named in `problems`) when it is not. */
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const raw = p.get(key);
    if (raw === null) return undefined;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${key}=${raw.slice(0, 20)} (expected ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]})`);
    return undefined;
  };
  const view = oneOf('view', VIEWS) ?? DEFAULT_STATE.view;
  const theme = oneOf('theme', THEMES) ?? DEFAULT_STATE.theme;
  const present = oneOf('present', ['0', '1'] as const) === '1';
  // Written by hand into slide decks: `embed`, `embed=1` and `embed=deck` (what links carry), and the yes and no words
  // people type, in any case. Anything else embeds too, and says so: the full app in a slide's frame would trap the
  // clicker and add history.
  const embedAs = p.get('embed');
  const embedWord = embedAs?.toLowerCase();
  let embed: EmbedOptions | undefined;
  if (embedWord !== undefined && !['0', 'false', 'no', 'off'].includes(embedWord)) {
    embed = { deckSpace: embedWord === 'deck' };
    if (!['', '1', 'true', 'yes', 'on', 'deck'].includes(embedWord)) problems.push(`embed=${embedAs!.slice(0, 20)} (expected embed, embed=1 or embed=deck)`);
  }
  let shown: number[] | undefined;
  const ms = p.get('ms');
  if (ms !== null) {
    const xs = ms.split(',').map(Number);
    if (ms && xs.every((x, i) => Number.isInteger(x) && x >= 0 && x < MAX_MODELS && xs.indexOf(x) === i)) shown = xs;
    else problems.push(`ms=${ms.slice(0, 40)} (expected different model numbers from 0 to ${MAX_MODELS - 1}, separated by commas)`);
  }
  // Any step from 1: one past the story's end opens its last, with a message naming the story's length (App.svelte).
  const stepNo = num('step', 1, 1_000_000, true);
  let perModel: Record<number, ModelOverride> | undefined;
  const cfg = p.get('cfg');
  if (cfg !== null) {
    const pm = decodePerModel(cfg);
    if (pm) perModel = pm;
    else problems.push(`cfg=${cfg.slice(0, 60)} (expected model settings such as cfg=2:sm=spawn;1:w=4:si=1)`);
  }
  let window: [number, number] | undefined;
  const win = p.get('win');
  if (win !== null) {
    const [a, b, ...rest] = win.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
    if (!rest.length && a >= 0 && b > a && b <= MAX_TIME) window = [a, b];
    else problems.push(`win=${win.slice(0, 40)} (expected two times in seconds, from and to, such as win=2,3.5)`);
  }
  let profile: string | undefined;
  const prof = p.get('prof');
  if (prof !== null) {
    let text: string | null = null;
    try {
      text = fromBase64Url(prof);
    } catch {
      problems.push('prof (the timing profile in the link is damaged; CPython\'s defaults are used)');
    }
    if (text !== null) {
      const r = parseProfileText(text, 'the timing profile in the link');
      if (r.ok) profile = text;
      else problems.push(...r.errors);
    }
  }
  let scheduler: SchedulePlan | undefined;
  const sched = p.get('sched');
  if (sched !== null) {
    const plan = decodePlan(sched, MAX_MODELS);
    if (plan) scheduler = plan;
    else problems.push(`sched=${sched.slice(0, 40)} (expected a threads model's number and the threads picked, such as sched=1:2.1*3.0)`);
  }
  const sm = oneOf('sm', ['fork', 'forkserver', 'spawn'] as const);
  let speed = num('speed', 0.25, 16) ?? 1;
  if (!(SPEEDS as readonly number[]).includes(speed)) {
    problems.push(`speed=${speed} (expected one of ${SPEEDS.join(', ')})`);
    speed = 1;
  }
  const state: AppState = {
    source,
    cores: num('cores', 1, LIMITS.cores, true),
    workers: num('workers', 1, LIMITS.workers, true),
    switchIntervalMs: num('si', SWITCH_MS[0], SWITCH_MS[1]),
    startMethod: sm,
    view,
    model: num('m', 0, MAX_MODELS - 1, true) ?? DEFAULT_STATE.model,
    time: num('t', 0, MAX_TIME) ?? 0,
    speed,
    theme,
    present,
    ...(embed ? { embed } : {}),
    ...(shown ? { shown } : {}),
    ...(stepNo !== undefined ? { step: stepNo - 1 } : story !== null ? { step: 0 } : {}),
    ...(window ? { window } : {}),
    ...(reshaped ? { reshape: reshaped } : {}),
    ...(perModel && Object.keys(perModel).length ? { perModel } : {}),
    ...(profile ? { profile } : {}),
    ...(scheduler ? { scheduler } : {}),
  };
  return { state, problems };
}

/**
 * The scenario file the controls describe: the source as its author wrote it (repeats and seeded ranges kept), with
 * the controls' overrides applied to every model they concern. What "Save as JSON" writes; opening the saved file
 * gives the same scenario back.
 */
export function effectiveFile(state: AppState, builtins: Record<string, ScenarioFile>): ScenarioFile {
  const src = state.source;
  let base: ScenarioFile;
  if (src.kind === 'mix') base = mixFile(src.mix, state.cores ?? 4);
  else if (src.kind === 'file') {
    const r = parseScenario(JSON.parse(src.text), 'file');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    base = r.file;
  } else base = builtins[src.id] ?? builtins[DEFAULT_ID];
  // Sliders moved on it: its tasks as they now are, written out (what the charts show is what is saved).
  if (src.kind !== 'mix' && state.reshape) base = { ...base, tasks: fileTasks(reshape(resolveScenario(base), state.reshape).tasks) };
  const all: ModelOverride = { workers: state.workers, switchIntervalMs: state.switchIntervalMs, startMethod: state.startMethod };
  // The all-model controls, then each model's own settings, over what the scenario says.
  const models = (base.models ?? DEFAULT_MODELS).map((m, i): ModelConfig => withSettings(withSettings(m, all), state.perModel?.[i] ?? {}));
  // As the scheduler: the picks are that model's schedule (saved with it, so the file replays them).
  return { ...base, cores: state.cores ?? base.cores, models: withPlan(models, state.scheduler) };
}

/** The scenario the charts show: the effective file, resolved (seeded ranges drawn, repeats expanded). */
export function effectiveScenario(state: AppState, builtins: Record<string, ScenarioFile>): Scenario {
  return resolveScenario(effectiveFile(state, builtins));
}

/** The text "Save as JSON" writes. */
export function savedText(file: ScenarioFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}
