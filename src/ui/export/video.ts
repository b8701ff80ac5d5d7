import type { Seconds } from '../../sim/types.ts';
import { svgImage } from './raster.ts';

export interface VideoOptions {
  /** The stage at playback time `t` (seconds of the run), as an SVG of the size given (the first frame's is used). */
  frame: (t: Seconds) => { svg: string; width: number; height: number };
  from: Seconds;
  to: Seconds;
  /** Seconds of the run per second of video: the player's speed. */
  speed: number;
  fps?: number;
  /** The finished picture held at the end, in seconds of video. */
  hold?: number;
  /** Told how far the recording is, from 0 to 1. */
  onProgress?: (done: number) => void;
  signal?: AbortSignal;
}

/** The WebM type this browser records, best first; null: it records none. */
function webmType(): string | null {
  if (typeof MediaRecorder === 'undefined') return null;
  return ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? null;
}

/**
 * A WebM video of playback from `from` to `to`: each frame the stage drawn on a canvas at the run time the wall clock
 * has reached (× `speed`), recorded by MediaRecorder from the canvas's stream. A recorder stamps frames with the wall
 * clock, so the video lasts (to − from) / speed seconds, plus the hold; a slow frame is late, never out of time.
 * Rejects with an AbortError when `signal` aborts, and with a message when the browser cannot record.
 */
export async function recordVideo(o: VideoOptions): Promise<Blob> {
  const type = webmType();
  if (!type) throw new Error('this browser cannot record video (no MediaRecorder for WebM)');
  const fps = o.fps ?? 30;
  const first = o.frame(o.from);
  const canvas = document.createElement('canvas');
  // Even sizes: VP8 and VP9 encode whole 2×2 blocks.
  canvas.width = Math.ceil(first.width / 2) * 2;
  canvas.height = Math.ceil(first.height / 2) * 2;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser has no 2D canvas');
  const draw = async (t: Seconds) => {
    const img = await svgImage(o.frame(t).svg);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, first.width, first.height);
  };
  await draw(o.from);
  const recorder = new MediaRecorder(canvas.captureStream(fps), { mimeType: type, videoBitsPerSecond: 4_000_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  recorder.start(500);
  const aborted = () => o.signal?.aborted;
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    const span = Math.max(0, o.to - o.from);
    const t0 = performance.now();
    for (;;) {
      if (aborted()) throw new DOMException('The recording was cancelled', 'AbortError');
      const t = Math.min(o.to, o.from + ((performance.now() - t0) / 1000) * o.speed);
      await draw(t);
      o.onProgress?.(span ? (t - o.from) / span : 1);
      if (t >= o.to) break;
      await wait(1000 / fps);
    }
    const holdUntil = performance.now() + (o.hold ?? 1) * 1000;
    while (performance.now() < holdUntil && !aborted()) {
      // The canvas stream sends a frame only when the canvas changes: draw the last frame again.
      await draw(o.to);
      await wait(1000 / fps);
    }
    if (aborted()) throw new DOMException('The recording was cancelled', 'AbortError');
  } finally {
    recorder.stop();
    await stopped;
  }
  return new Blob(chunks, { type: 'video/webm' });
}
