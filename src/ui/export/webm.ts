/**
 * A WebM (Matroska) file from encoded VP8 or VP9 frames, as WebCodecs' VideoEncoder gives them: the EBML header, one
 * segment with its info (duration), one video track, and clusters of SimpleBlocks, a new cluster at each key frame.
 * Pure: bytes in, bytes out (no DOM), so a test can read the file back. Times in milliseconds (the file's timecode
 * scale, 1 ms); a block's time is relative to its cluster's, as a signed 16-bit number, so a cluster must start at
 * least every 32.7 s (the encoder is asked for a key frame far more often).
 */

export interface EncodedFrame {
  /** Milliseconds from the start of the video. */
  ms: number;
  key: boolean;
  data: Uint8Array;
}

type Part = Uint8Array | Part[];

/** An element's size as an 8-byte EBML variable-length integer (always 8 bytes: simple, and big enough). */
function size(n: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = 0x01;
  for (let i = 7, v = n; i > 0; i--, v = Math.floor(v / 256)) b[i] = v % 256;
  return b;
}
const flat = (p: Part): Uint8Array[] => (p instanceof Uint8Array ? [p] : p.flatMap(flat));
const length = (p: Part) => flat(p).reduce((s, b) => s + b.length, 0);
/** An element: its id (its own bytes, marker included), its size, its content. */
function el(id: number, ...content: Part[]): Part {
  const idBytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) idBytes.unshift(v % 256);
  return [Uint8Array.from(idBytes), size(length(content)), content];
}
const uint = (id: number, v: number) => {
  const b: number[] = [];
  for (let x = v; x > 0 || !b.length; x = Math.floor(x / 256)) b.unshift(x % 256);
  return el(id, Uint8Array.from(b));
};
const str = (id: number, s: string) => el(id, new TextEncoder().encode(s));
const float = (id: number, v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return el(id, b);
};

/** The WebM file of `frames` (in order, the first a key frame), `width` × `height`, `codec` `V_VP8` or `V_VP9`. */
export function webm(frames: EncodedFrame[], o: { width: number; height: number; codec: 'V_VP8' | 'V_VP9'; durationMs: number }): Uint8Array {
  const clusters: Part[] = [];
  let cluster: { at: number; blocks: Part[] } | null = null;
  const close = () => cluster && clusters.push(el(0x1f43b675, uint(0xe7, cluster.at), ...cluster.blocks));
  for (const f of frames) {
    const at = Math.round(f.ms);
    if (!cluster || f.key || at - cluster.at > 30_000) {
      close();
      cluster = { at, blocks: [] };
    }
    const head = new Uint8Array(4);
    head[0] = 0x81; // track 1, as a 1-byte variable-length integer
    new DataView(head.buffer).setInt16(1, at - cluster.at);
    head[3] = f.key ? 0x80 : 0;
    cluster.blocks.push(el(0xa3, head, f.data));
  }
  close();
  const file = [
    el(0x1a45dfa3, uint(0x4286, 1), uint(0x42f7, 1), uint(0x42f2, 4), uint(0x42f3, 8), str(0x4282, 'webm'), uint(0x4287, 2), uint(0x4285, 2)),
    el(
      0x18538067,
      el(0x1549a966, uint(0x2ad7b1, 1_000_000), str(0x4d80, 'python-concurrency-visualiser'), str(0x5741, 'python-concurrency-visualiser'), float(0x4489, o.durationMs)),
      el(0x1654ae6b, el(0xae, uint(0xd7, 1), uint(0x73c5, 1), uint(0x83, 1), str(0x86, o.codec), el(0xe0, uint(0xb0, o.width), uint(0xba, o.height)))),
      ...clusters,
    ),
  ];
  const parts = flat(file);
  const out = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
