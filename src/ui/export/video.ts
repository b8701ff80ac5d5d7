import type { Seconds } from '../../sim/types.ts';
import { svgImage } from './raster.ts';
import { webm, type EncodedFrame } from './webm.ts';

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

/**
 * The WebM type this browser records; null: it records none. VP8 first: its software encoder keeps up with a
 * 1600 px canvas where VP9's drops frames and falls seconds behind on a busy laptop (flat colours compress well in
 * either).
 */
function webmType(): string | null {
  if (typeof MediaRecorder === 'undefined') return null;
  return ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t)) ?? null;
}

/**
 * A WebM video of playback from `from` to `to` at `speed` (run seconds per video second), then `hold` seconds of the
 * finished picture: each frame the stage drawn on a canvas at its run time. Where the browser has WebCodecs, every
 * frame is encoded in turn with its own timestamp (VideoEncoder, VP8) and written as WebM here (webm.ts): the video
 * has every frame whatever the machine's speed, and takes less time to make than to watch. Elsewhere MediaRecorder
 * records the canvas as it is drawn in real time, which may drop frames on a busy machine (measured here: two
 * recordings at once kept 0.03–0.18 s of 1.5 s). Rejects with an AbortError when `signal` aborts, and with a message
 * when the browser cannot make a video.
 */
export async function recordVideo(o: VideoOptions): Promise<Blob> {
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
  // 8 Mbit/s asked (3.5 used, flat colours compress well): at 2.5 the dark theme's near-black lanes were starved
  // between key frames and kept faint ghosts of earlier frames (seen in frames decoded with ffmpeg); at 8 none.
  const config: VideoEncoderConfig = { codec: 'vp8', width: canvas.width, height: canvas.height, bitrate: 8_000_000, framerate: o.fps ?? 30, latencyMode: 'quality' };
  if (typeof VideoEncoder !== 'undefined' && (await VideoEncoder.isConfigSupported(config)).supported) return encode(o, canvas, draw, config);
  return record(o, canvas, draw);
}

const cancelled = () => new DOMException('The recording was cancelled', 'AbortError');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Frame by frame with WebCodecs: frame i at video time i / fps shows run time from + (i / fps) × speed. */
async function encode(o: VideoOptions, canvas: HTMLCanvasElement, draw: (t: Seconds) => Promise<void>, config: VideoEncoderConfig): Promise<Blob> {
  const fps = config.framerate!;
  const frames: EncodedFrame[] = [];
  let failed: unknown = null;
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      frames.push({ ms: chunk.timestamp / 1000, key: chunk.type === 'key', data });
    },
    error: (e) => (failed = e),
  });
  encoder.configure(config);
  const playing = Math.max(1, Math.ceil((Math.max(0, o.to - o.from) / o.speed) * fps));
  const last = playing + Math.round((o.hold ?? 1) * fps);
  try {
    for (let i = 0; i <= last; i++) {
      if (o.signal?.aborted) throw cancelled();
      if (failed) throw failed;
      // The hold repeats the finished picture: drawn once.
      if (i <= playing) await draw(Math.min(o.to, o.from + (i / fps) * o.speed));
      const frame = new VideoFrame(canvas, { timestamp: Math.round((i * 1e6) / fps), duration: Math.round(1e6 / fps) });
      encoder.encode(frame, { keyFrame: i % (2 * fps) === 0 });
      frame.close();
      o.onProgress?.(i / last);
      // Never far ahead of the encoder (memory), and the page stays responsive (progress, Cancel).
      do await wait(0);
      while (encoder.encodeQueueSize > 4);
    }
    await encoder.flush();
    if (failed) throw failed;
  } finally {
    if (encoder.state !== 'closed') encoder.close();
  }
  return new Blob([webm(frames, { width: canvas.width, height: canvas.height, codec: 'V_VP8', durationMs: ((last + 1) * 1000) / fps }) as Uint8Array<ArrayBuffer>], { type: 'video/webm' });
}

/** In real time with MediaRecorder: frame times are the wall clock's. */
async function record(o: VideoOptions, canvas: HTMLCanvasElement, draw: (t: Seconds) => Promise<void>): Promise<Blob> {
  const type = webmType();
  if (!type) throw new Error('this browser cannot make a video (no WebCodecs, no MediaRecorder for WebM)');
  const fps = o.fps ?? 30;
  // Frames on request, one per drawing: a canvas outside the document is not painted, so a stream that captures on
  // paint may capture nothing from it (an empty video on a busy machine).
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as MediaStreamTrack & { requestFrame?: () => void };
  const drawn = async (t: Seconds) => {
    await draw(t);
    track.requestFrame?.();
  };
  await draw(o.from);
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 8_000_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  recorder.start(500);
  track.requestFrame?.();
  const aborted = () => o.signal?.aborted;
  try {
    const span = Math.max(0, o.to - o.from);
    const t0 = performance.now();
    for (;;) {
      if (aborted()) throw cancelled();
      const t = Math.min(o.to, o.from + ((performance.now() - t0) / 1000) * o.speed);
      await drawn(t);
      o.onProgress?.(span ? (t - o.from) / span : 1);
      if (t >= o.to) break;
      await wait(1000 / fps);
    }
    const holdUntil = performance.now() + (o.hold ?? 1) * 1000;
    while (performance.now() < holdUntil && !aborted()) {
      // The stream sends a frame only when asked: the last frame again, so the video lasts the hold.
      await drawn(o.to);
      await wait(1000 / fps);
    }
    if (aborted()) throw cancelled();
  } finally {
    recorder.stop();
    await stopped;
  }
  if (!chunks.length) throw new Error('the browser recorded no frames');
  return new Blob(chunks, { type: 'video/webm' });
}
