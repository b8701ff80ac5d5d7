import { createActor } from 'xstate';
import type { Seconds } from '../../sim/types.ts';
import { playerMachine, type PlayerEvent } from './playerMachine.ts';

/** A Svelte-facing wrapper around the player actor: `snapshot` is reactive; animation frames send TICKs. */
export class Player {
  snapshot = $state.raw(createActor(playerMachine, { input: {} }).getSnapshot());
  readonly time = $derived(this.snapshot.context.time);
  readonly playing = $derived(this.snapshot.matches('playing'));
  readonly speed = $derived(this.snapshot.context.speed);
  readonly end = $derived(this.snapshot.context.end);
  private readonly actor;
  private frame = 0;
  private last = 0;

  constructor(init: { time?: Seconds; speed?: number }) {
    this.actor = createActor(playerMachine, { input: init });
    this.actor.subscribe((s) => {
      this.snapshot = s;
      if (s.matches('playing') && !this.frame) this.loop();
    });
    this.actor.start();
  }

  send(e: PlayerEvent): void {
    this.actor.send(e);
  }

  private loop(): void {
    this.last = performance.now();
    const tick = (now: number) => {
      if (!this.actor.getSnapshot().matches('playing')) {
        this.frame = 0;
        return;
      }
      // Cap a frame's step so a tab coming back from the background does not jump to the end. Never negative: a
      // frame's timestamp is when the frame began, which can be before the performance.now() that started playing.
      this.send({ type: 'TICK', wallSeconds: Math.max(0, Math.min(0.25, (now - this.last) / 1000)) });
      this.last = Math.max(this.last, now);
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.actor.stop();
  }
}
