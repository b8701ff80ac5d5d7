import { MAX_FILE_BYTES, parseScenarioText } from '../../sim/schema.ts';

/** A scenario file the user gave: its canonical text (what the link and the picker keep), or why it was refused. */
export type Opened = { ok: true; text: string; modelCount: number } | { ok: false; notices: string[] };

/** Checks a file's text; a refused file names what is wrong and says the current scenario stays. */
export function openText(text: string, name: string): Opened {
  const r = parseScenarioText(text, name);
  if (!r.ok) return { ok: false, notices: [`${name} was not opened; the current scenario stays.`, ...r.errors] };
  return { ok: true, text: JSON.stringify(r.file), modelCount: r.scenario.models.length };
}

/** The part of a `File` read here (a test can pass a plain object). */
export interface FileLike {
  name: string;
  size: number;
  text(): Promise<string>;
}

/** A dropped or chosen file: refused unread when it is too big to be a scenario. */
export async function openFile(file: FileLike): Promise<Opened> {
  if (file.size > MAX_FILE_BYTES) {
    return { ok: false, notices: [`${file.name} is ${(file.size / 1e6).toFixed(1)} MB: too big for a scenario file; the current scenario stays.`] };
  }
  return openText(await file.text(), file.name);
}

/** The file name a scenario is saved under: its name, lower case, words joined by hyphens. */
export function fileNameFor(name: string, ext = 'json'): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `${slug || 'scenario'}.${ext}`;
}

/** The name shown for a scenario file in the picker. */
export function displayName(text: string): string {
  const r = parseScenarioText(text, 'file');
  return r.ok ? r.file.name : 'scenario';
}

/** Offers `text` as a download named `name`. */
export function download(name: string, text: string, type = 'application/json'): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
