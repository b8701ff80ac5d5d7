import { parseScenario, type ScenarioFile } from '../../sim/schema.ts';
import type { Scenario } from '../../sim/types.ts';

const files = import.meta.glob('../../../scenarios/*.json', { eager: true, import: 'default' }) as Record<string, unknown>;

/** The shipped scenarios, by file name without `.json`, the default first: as written, and resolved. */
export const BUILTIN_FILES: Record<string, ScenarioFile> = {};
export const BUILTINS: Record<string, Scenario> = {};
for (const [path, json] of Object.entries(files).sort(([a], [b]) => (a.includes('seven-dwarfs.json') ? -1 : b.includes('seven-dwarfs.json') ? 1 : a.localeCompare(b)))) {
  const id = path.replace(/^.*\//, '').replace(/\.json$/, '');
  const r = parseScenario(json, `${id}.json`);
  if (r.ok) {
    BUILTIN_FILES[id] = r.file;
    BUILTINS[id] = r.scenario;
  } else console.warn(r.errors.join('\n'));
}
export const BUILTIN_IDS = Object.keys(BUILTINS);
