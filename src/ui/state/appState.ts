import { MIX_LIMITS, mixScenario, type Mix } from '../../sim/mix.ts';
import { LIMITS, parseScenario } from '../../sim/schema.ts';
import type { ModelConfig, Scenario, StartMethod } from '../../sim/types.ts';
import { SPEEDS } from '../player/playerMachine.ts';

export type View = 'compare' | 'cores' | 'tasks';
export type Theme = 'light' | 'dark';
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
}

export const DEFAULT_ID = 'seven-dwarfs';
export const DEFAULT_STATE: AppState = { source: { kind: 'builtin', id: DEFAULT_ID }, view: 'compare', model: 1, time: 0, speed: 1, theme: 'light' };
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

export function encodeState(s: AppState): string {
  const p = new URLSearchParams();
  const src = s.source;
  if (src.kind === 'builtin') p.set('s', src.id);
  else if (src.kind === 'mix') {
    p.set('s', 'mix');
    p.set('n', String(src.mix.tasks));
    p.set('lo', String(src.mix.minSeconds));
    p.set('hi', String(src.mix.maxSeconds));
    p.set('cpu', String(src.mix.cpuShare));
    p.set('seed', String(src.mix.seed));
  } else {
    p.set('s', 'file');
    p.set('f', toBase64Url(src.text));
  }
  if (s.cores !== undefined) p.set('cores', String(s.cores));
  if (s.workers !== undefined) p.set('workers', String(s.workers));
  if (s.switchIntervalMs !== undefined) p.set('si', String(s.switchIntervalMs));
  if (s.startMethod) p.set('sm', s.startMethod);
  p.set('view', s.view);
  p.set('m', String(s.model));
  if (s.time) p.set('t', String(+s.time.toFixed(4)));
  if (s.speed !== 1) p.set('speed', String(s.speed));
  if (s.theme !== 'light') p.set('theme', s.theme);
  return '?' + p.toString();
}

export type Decoded = { state: AppState; problems: string[] };

/**
 * Read the state from a query string. Every parameter is checked; one that is malformed is named in `problems`
 * and the whole state falls back to the default (a half-applied link would show something nobody shared).
 */
export function decodeState(search: string, builtinIds: readonly string[]): Decoded {
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
  const s = p.get('s') ?? DEFAULT_ID;
  if (s === 'mix') {
    source = {
      kind: 'mix',
      mix: {
        tasks: num('n', MIX_LIMITS.tasks[0], MIX_LIMITS.tasks[1], true) ?? DEFAULT_MIX.tasks,
        minSeconds: num('lo', MIX_LIMITS.seconds[0], MIX_LIMITS.seconds[1]) ?? DEFAULT_MIX.minSeconds,
        maxSeconds: num('hi', MIX_LIMITS.seconds[0], MIX_LIMITS.seconds[1]) ?? DEFAULT_MIX.maxSeconds,
        cpuShare: num('cpu', 0, 1) ?? DEFAULT_MIX.cpuShare,
        seed: num('seed', 0, 2 ** 31, true) ?? DEFAULT_MIX.seed,
      },
    };
  } else if (s === 'file') {
    try {
      const text = fromBase64Url(p.get('f') ?? '');
      const r = parseScenario(JSON.parse(text), 'the scenario in the link');
      if (r.ok) source = { kind: 'file', text };
      else problems.push(...r.errors);
    } catch {
      problems.push('f (the scenario in the link is damaged)');
    }
  } else if (builtinIds.includes(s)) source = { kind: 'builtin', id: s };
  else problems.push(`s=${s.slice(0, 40)} (no such scenario)`);
  const view = p.get('view') ?? 'compare';
  if (!['compare', 'cores', 'tasks'].includes(view)) problems.push(`view=${view.slice(0, 20)} (expected compare, cores or tasks)`);
  const theme = p.get('theme') ?? 'light';
  if (!['light', 'dark'].includes(theme)) problems.push(`theme=${theme.slice(0, 20)} (expected light or dark)`);
  const sm = p.get('sm');
  if (sm !== null && !['fork', 'forkserver', 'spawn'].includes(sm)) problems.push(`sm=${sm.slice(0, 20)} (expected fork, forkserver or spawn)`);
  const speed = num('speed', 0.25, 16) ?? 1;
  if (!(SPEEDS as readonly number[]).includes(speed)) problems.push(`speed=${speed} (expected one of ${SPEEDS.join(', ')})`);
  const state: AppState = {
    source,
    cores: num('cores', 1, LIMITS.cores, true),
    workers: num('workers', 1, LIMITS.workers, true),
    switchIntervalMs: num('si', SWITCH_MS[0], SWITCH_MS[1]),
    startMethod: (sm ?? undefined) as StartMethod | undefined,
    view: view as View,
    model: num('m', 0, 11, true) ?? DEFAULT_STATE.model,
    time: num('t', 0, 1e6) ?? 0,
    speed,
    theme: theme as Theme,
  };
  return problems.length ? { state: DEFAULT_STATE, problems } : { state, problems };
}

/** The scenario the charts show: the source, with the controls' overrides applied to every model they concern. */
export function effectiveScenario(state: AppState, builtins: Record<string, Scenario>): Scenario {
  const src = state.source;
  let base: Scenario;
  if (src.kind === 'mix') base = mixScenario(src.mix, state.cores ?? 4);
  else if (src.kind === 'file') {
    const r = parseScenario(JSON.parse(src.text), 'file');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    base = r.scenario;
  } else base = builtins[src.id] ?? builtins[DEFAULT_ID];
  const models = base.models.map((m): ModelConfig => {
    if (m.model === 'threads') return { ...m, ...(state.workers ? { workers: state.workers } : {}), ...(state.switchIntervalMs ? { switchIntervalMs: state.switchIntervalMs } : {}) };
    if (m.model === 'processes') return { ...m, ...(state.workers ? { workers: state.workers } : {}), ...(state.startMethod ? { startMethod: state.startMethod } : {}) };
    if (m.model === 'asyncio') return { ...m, ...(state.workers ? { workers: state.workers } : {}) };
    return m;
  });
  return { ...base, cores: state.cores ?? base.cores, models };
}
