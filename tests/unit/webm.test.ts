import { describe, expect, it } from 'vitest';
import { webm, type EncodedFrame } from '../../src/ui/export/webm.ts';

/** An EBML element read back: id (with its length marker), its bytes, and for the masters here, its children. */
interface El {
  id: number;
  data: Uint8Array;
  kids: El[];
}
const MASTERS = new Set([0x1a45dfa3, 0x18538067, 0x1549a966, 0x1654ae6b, 0xae, 0xe0, 0x1f43b675]);

/** A variable-length integer at `at`: its value (the marker kept for ids) and its length. */
function vint(b: Uint8Array, at: number, keepMarker: boolean): [number, number] {
  let len = 1;
  while (len <= 8 && !(b[at] & (0x80 >> (len - 1)))) len++;
  let v = keepMarker ? b[at] : b[at] & (0xff >> len);
  for (let i = 1; i < len; i++) v = v * 256 + b[at + i];
  return [v, len];
}
function read(b: Uint8Array, from = 0, to = b.length): El[] {
  const out: El[] = [];
  for (let at = from; at < to; ) {
    const [id, il] = vint(b, at, true);
    const [size, sl] = vint(b, at + il, false);
    const start = at + il + sl;
    const data = b.subarray(start, start + size);
    out.push({ id, data, kids: MASTERS.has(id) ? read(b, start, start + size) : [] });
    at = start + size;
  }
  return out;
}
const find = (els: El[], id: number) => els.filter((e) => e.id === id);
const uintOf = (e: El) => e.data.reduce((v, x) => v * 256 + x, 0);
const text = (e: El) => new TextDecoder().decode(e.data);

const frame = (ms: number, key: boolean, n: number): EncodedFrame => ({ ms, key, data: Uint8Array.from({ length: n }, (_, i) => (i * 7 + ms) % 256) });

describe('webm', () => {
  const frames = [frame(0, true, 300), frame(33.3, false, 40), frame(66.7, false, 41), frame(2000, true, 290), frame(2033.3, false, 12)];
  const file = webm(frames, { width: 1600, height: 1030, codec: 'V_VP8', durationMs: 2066.7 });
  const [header, segment, ...rest] = read(file);

  it('starts with the EBML header of a WebM file, then one segment and nothing after it', () => {
    expect([...file.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    expect(text(find(header.kids, 0x4282)[0])).toBe('webm');
    expect(segment.id).toBe(0x18538067);
    expect(rest).toEqual([]);
  });

  it('says its duration in milliseconds, at a timecode scale of 1 ms', () => {
    const info = find(segment.kids, 0x1549a966)[0];
    expect(uintOf(find(info.kids, 0x2ad7b1)[0])).toBe(1_000_000);
    const d = find(info.kids, 0x4489)[0].data;
    expect(new DataView(d.buffer, d.byteOffset, 8).getFloat64(0)).toBe(2066.7);
  });

  it('has one VP8 video track of the frame size', () => {
    const entry = find(find(segment.kids, 0x1654ae6b)[0].kids, 0xae)[0];
    expect(text(find(entry.kids, 0x86)[0])).toBe('V_VP8');
    expect(uintOf(find(entry.kids, 0x83)[0])).toBe(1);
    const video = find(entry.kids, 0xe0)[0];
    expect([uintOf(find(video.kids, 0xb0)[0]), uintOf(find(video.kids, 0xba)[0])]).toEqual([1600, 1030]);
  });

  it('opens a cluster at each key frame, and every frame is a block at its time with its bytes and key flag', () => {
    const clusters = find(segment.kids, 0x1f43b675);
    expect(clusters.map((c) => uintOf(find(c.kids, 0xe7)[0]))).toEqual([0, 2000]);
    const blocks = clusters.flatMap((c) => find(c.kids, 0xa3).map((b) => ({ at: uintOf(find(c.kids, 0xe7)[0]), b })));
    expect(blocks).toHaveLength(frames.length);
    blocks.forEach(({ at, b }, i) => {
      const v = new DataView(b.data.buffer, b.data.byteOffset);
      expect(b.data[0]).toBe(0x81);
      expect(at + v.getInt16(1)).toBe(Math.round(frames[i].ms));
      expect(b.data[3] === 0x80).toBe(frames[i].key);
      expect([...b.data.subarray(4)]).toEqual([...frames[i].data]);
    });
  });

  it('opens a new cluster before a block would be more than 30 s from its cluster (16-bit relative times)', () => {
    const long = webm([frame(0, true, 10), frame(20_000, false, 10), frame(40_000, false, 10), frame(65_000, false, 10)], { width: 2, height: 2, codec: 'V_VP9', durationMs: 65_033 });
    const clusters = find(read(long)[1].kids, 0x1f43b675);
    expect(clusters.map((c) => uintOf(find(c.kids, 0xe7)[0]))).toEqual([0, 40_000]);
    for (const c of clusters) for (const b of find(c.kids, 0xa3)) expect(Math.abs(new DataView(b.data.buffer, b.data.byteOffset).getInt16(1))).toBeLessThan(32_768);
  });
});
