/**
 * A scenario file in a link. It travels in the URL's fragment (`#z=…`), which browsers never send to a server (a
 * 17 KB query once made `vite preview` answer HTTP 431), deflated with the browser's CompressionStream and written
 * as base64url. A scenario too big even so is kept in this browser's local storage under a key (`#k=…`), and the
 * link works only here. Old links (`?s=file&f=<base64url>`) still open.
 */

/** The longest fragment a link carries: beyond this, mail and chat programs cut links short. */
export const MAX_FRAGMENT = 60_000;
const STORE_PREFIX = 'pcv-scenario:';

function bytesToBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function base64UrlToBytes(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('not base64url');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit = Infinity): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await out.read();
    if (done) break;
    n += value.length;
    // A small link must not inflate into gigabytes.
    if (n > limit) {
      await out.cancel();
      throw new Error('too big');
    }
    chunks.push(value);
  }
  const all = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

export async function packText(text: string): Promise<string> {
  return bytesToBase64Url(await through(new TextEncoder().encode(text), new CompressionStream('deflate-raw')));
}

export async function unpackText(packed: string, limit: number): Promise<string> {
  const bytes = await through(base64UrlToBytes(packed), new DecompressionStream('deflate-raw'), limit);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** A short, stable key for a scenario's text (FNV-1a, 64 bits as two halves): the local-storage name. */
export function textKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

export type LinkedFile = { text: string | null; problem: string | null };

/** What a link's fragment carries: the scenario's text, or why it could not be read (null, null: no scenario). */
export async function readFragment(hash: string, limit: number, storage: Pick<Storage, 'getItem'> | null = safeStorage()): Promise<LinkedFile> {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const z = p.get('z');
  const k = p.get('k');
  if (z !== null) {
    try {
      return { text: await unpackText(z, limit), problem: null };
    } catch {
      return { text: null, problem: 'z (the scenario in the link is damaged or cut short)' };
    }
  }
  if (k !== null) {
    const text = storage?.getItem(STORE_PREFIX + k) ?? null;
    return text !== null ? { text, problem: null } : { text: null, problem: `k=${k.slice(0, 20)} (the scenario this link names was kept in another browser, or has been cleared)` };
  }
  return { text: null, problem: null };
}

export type Fragment = { fragment: string; local: boolean };

/** The fragment that carries `text`: `z=` when it fits, else `k=` with the text kept in local storage. */
export async function writeFragment(text: string, storage: Pick<Storage, 'setItem'> | null = safeStorage()): Promise<Fragment> {
  const packed = await packText(text);
  if (packed.length + 2 <= MAX_FRAGMENT) return { fragment: `z=${packed}`, local: false };
  const key = textKey(text);
  if (!storage) throw new Error('this browser keeps nothing for the page (private mode or a file:// page)');
  storage.setItem(STORE_PREFIX + key, text);
  return { fragment: `k=${key}`, local: true };
}

function safeStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
