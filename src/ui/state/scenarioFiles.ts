import { DEFAULT_PROFILE } from '../../sim/profile.ts';
import { LIMITS, MAX_FILE_BYTES, parseProfile, parseScenario, parseScenarioText, withoutBom, type ParseResult } from '../../sim/schema.ts';
import type { ModelConfig } from '../../sim/types.ts';
import { looksLikeTrace, MAX_TRACE_BYTES, parseTrace, type Capture } from '../../sim/trace.ts';

/**
 * A file the user gave: a scenario's canonical text (what the link and the picker keep), with the captured trace it
 * came in if it did; a trace without a scenario it can be set against (shown on its own); a timing profile's
 * canonical text; or why it was refused. `notices` says what else the user should know.
 */
export type Opened =
  | { ok: true; kind: 'scenario'; text: string; modelCount: number; capture?: Capture; notices?: string[] }
  | { ok: true; kind: 'capture'; capture: Capture; notices?: string[] }
  | { ok: true; kind: 'profile'; profile: string; notices?: string[] }
  | { ok: false; notices: string[] };

/** Checks a file's text; a refused file names what is wrong and says the current scenario stays. */
export function openText(text: string, name: string): Opened {
  return scenarioOpened(parseScenarioText(text, name), name);
}

function scenarioOpened(r: ParseResult, name: string): Opened {
  if (!r.ok) return { ok: false, notices: [`${name} was not opened; the current scenario stays.`, ...r.errors] };
  return { ok: true, kind: 'scenario', text: JSON.stringify(r.file), modelCount: r.scenario.models.length };
}

/** The part of a `File` read here (a test can pass a plain object). */
export interface FileLike {
  name: string;
  size: number;
  text(): Promise<string>;
}

/**
 * A trace file's text (`npm run capture`'s, VizTracer's, any Chrome trace): its runs, and the scenario it ran when it
 * says. A trace that cannot be read names the field; the current scenario stays.
 */
export function openTrace(json: unknown, name: string): Opened {
  const r = parseTrace(json, name);
  if (!r.ok) return { ok: false, notices: [`${name} was not opened; the current scenario stays.`, ...r.errors] };
  const capture = r.capture;
  if (capture.scenario === null) return { ok: true, kind: 'capture', capture };
  const sc = parseScenario(capture.scenario, `${name}: metadata.scenarioFile`);
  if (!sc.ok) return { ok: true, kind: 'capture', capture, notices: ['The scenario in this trace could not be read, so its runs are shown on their own, not set against a simulation:', ...sc.errors] };
  // Simulated on the cores it really ran on (the capture pins itself to at most the scenario's cores).
  const cores = capture.coresUsed === null ? sc.file.cores : Math.min(sc.file.cores, capture.coresUsed, LIMITS.cores);
  const notices = cores !== sc.file.cores ? [`${sc.file.name} asks for ${sc.file.cores} cores and ran on ${cores}: it is simulated on ${cores}, as it ran.`] : undefined;
  // Simulated with the settings that ran (every default as the capture wrote it out), whatever a timing profile says.
  const ran = capture.runs.map((r) => r.config);
  const models = ran.length && ran.every((c) => c !== null) ? (ran as ModelConfig[]) : sc.file.models;
  return { ok: true, kind: 'scenario', text: JSON.stringify({ ...sc.file, cores, models }), modelCount: models?.length ?? sc.scenario.models.length, capture, ...(notices ? { notices } : {}) };
}

/** A JSON object with no tasks and a timing constant's name among its keys (`npm run calibrate` writes these). */
export function looksLikeProfile(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || 'tasks' in json) return false;
  return Object.keys(json).some((k) => Object.hasOwn(DEFAULT_PROFILE, k));
}

/** A timing profile file: checked field by field; its text is what the link keeps. */
export function openProfile(json: unknown, name: string): Opened {
  const r = parseProfile(json, name);
  if (!r.ok) return { ok: false, notices: [`${name} was not opened; the timing profile stays as it was.`, ...r.errors] };
  return { ok: true, kind: 'profile', profile: JSON.stringify(json) };
}

/** A dropped or chosen file: refused unread when it is too big to be a trace; a scenario only up to its own limit. */
export async function openFile(file: FileLike): Promise<Opened> {
  const tooBig = (what: string) => ({ ok: false as const, notices: [`${file.name} is ${(file.size / 1e6).toFixed(1)} MB: too big for ${what}; the current scenario stays.`] });
  if (file.size > MAX_TRACE_BYTES) return tooBig('a scenario or trace file');
  const text = await file.text();
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(text));
  } catch {
    // Not JSON: said with the scenario's wording (and the parser's message).
    return file.size > MAX_FILE_BYTES ? tooBig('a scenario file') : openText(text, file.name);
  }
  if (looksLikeTrace(json)) return openTrace(json, file.name);
  if (file.size > MAX_FILE_BYTES) return tooBig('a scenario file');
  if (looksLikeProfile(json)) return openProfile(json, file.name);
  // Parsed once: a scenario near the 2 MB limit is not read twice.
  return scenarioOpened(parseScenario(json, file.name), file.name);
}

/** The file name a scenario is saved under: its name, lower case, words joined by hyphens. */
export function fileNameFor(name: string, ext = 'json'): string {
  return `${slug(name) || 'scenario'}.${ext}`;
}

/** A name as a file name's part: lower case, letters and digits, runs of anything else one hyphen. */
export const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The name shown for a scenario file in the picker. */
export function displayName(text: string): string {
  const r = parseScenarioText(text, 'file');
  return r.ok ? r.file.name : 'scenario';
}

/** Offers `data` (text of that type, or a file's bytes) as a download named `name`. */
export function download(name: string, data: string | Blob, type = 'application/json'): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(typeof data === 'string' ? new Blob([data], { type }) : data);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
