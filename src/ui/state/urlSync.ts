/** The part of `window.history` the URL sync uses (a test supplies a fake). */
export interface HistoryLike {
  pushState(data: unknown, unused: string, url: string): void;
  replaceState(data: unknown, unused: string, url: string): void;
}

export interface UrlSyncOptions {
  /** Least milliseconds between two address writes during a slider drag (a history call costs milliseconds). */
  throttleMs?: number;
  setTimer?: (f: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /**
   * Runs the history calls later, in order (the app: after the next paint, as a history call costs milliseconds that
   * a click's frame should not wait for). Without it they run at once.
   */
  later?: (f: () => void) => void;
}

/**
 * The address bar follows the app's state:
 * - A new choice (a different `key`: everything but the playhead) pushes a history entry, so Back undoes it.
 * - The playhead of the same choice replaces the entry in place (never while playing: the address would churn).
 * - A slider drag is one choice: its first input pushes, the rest replace, throttled; `endSlide` writes the exact
 *   last address at once.
 * - A link that had a problem stays as typed (`keepLink`), so it can be fixed, until the user changes something.
 * - History calls may be deferred (`later`): they run in the order made; Back or Forward drops those not yet run
 *   (they belonged to the entry left behind).
 */
export class UrlSync {
  private readonly history: HistoryLike;
  private readonly throttleMs: number;
  private readonly setTimer: (f: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;
  private lastKey: string;
  private keepLink: boolean;
  private sliding = false;
  private slidePushed = false;
  private pending: string | null = null;
  private timer: unknown = undefined;
  private endTimer: unknown = undefined;
  private readonly later?: (f: () => void) => void;
  /** History calls made but not yet run (with `later`), oldest first. */
  private queue: [op: 'push' | 'replace', url: string][] = [];

  constructor(history: HistoryLike, key: string, keepLink: boolean, options: UrlSyncOptions = {}) {
    this.history = history;
    this.lastKey = key;
    this.keepLink = keepLink;
    this.throttleMs = options.throttleMs ?? 150;
    this.setTimer = options.setTimer ?? ((f, ms) => setTimeout(f, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    this.later = options.later;
  }

  /** The state is now `url`, a choice identified by `key`; `playing` keeps the playhead out of the address. */
  write(key: string, url: string, playing: boolean): void {
    if (key === this.lastKey) {
      if (!playing && !this.keepLink) this.replace(url);
      return;
    }
    this.keepLink = false;
    if (this.sliding && this.slidePushed) this.replace(url);
    else {
      this.writePending();
      this.call('push', url);
    }
    this.slidePushed = this.sliding;
    this.lastKey = key;
  }

  /** An input event from a control: a range input starts (or continues) a drag. */
  input(isRange: boolean): void {
    if (this.endTimer !== undefined) this.clearTimer(this.endTimer);
    this.endTimer = undefined;
    this.sliding = isRange;
  }

  /**
   * The control was let go (`change`): the drag is over and the address exact. A slider stepped with the keys sends
   * a change for every step: `afterMs` keeps the steps that follow within that time part of the same entry.
   */
  endSlide(afterMs = 0): void {
    if (this.endTimer !== undefined) this.clearTimer(this.endTimer);
    this.endTimer = undefined;
    if (afterMs > 0 && this.sliding) {
      this.endTimer = this.setTimer(() => {
        this.endTimer = undefined;
        this.endSlide();
      }, afterMs);
      return;
    }
    this.sliding = this.slidePushed = false;
    this.writePending();
  }

  /** Back or Forward landed on `key`: a replace pending from a drag belongs to the entry just left. */
  arrived(key: string, keepLink: boolean): void {
    this.pending = null;
    this.queue = [];
    this.writePending();
    if (this.endTimer !== undefined) this.clearTimer(this.endTimer);
    this.endTimer = undefined;
    this.sliding = this.slidePushed = false;
    this.lastKey = key;
    this.keepLink = keepLink;
  }

  /** Writes everything now: the replace a drag holds back and the deferred calls (the app is going away). */
  flush(): void {
    this.writePending();
    this.run();
  }

  private writePending(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    if (this.pending !== null) this.call('replace', this.pending);
    this.pending = null;
  }

  private call(op: 'push' | 'replace', url: string): void {
    this.queue.push([op, url]);
    if (!this.later) this.run();
    else if (this.queue.length === 1) this.later(() => this.run());
  }

  private run(): void {
    const calls = this.queue;
    this.queue = [];
    for (const [op, url] of calls) {
      if (op === 'push') this.history.pushState(null, '', url);
      else this.history.replaceState(null, '', url);
    }
  }

  private replace(url: string): void {
    this.pending = url;
    if (!this.sliding) this.writePending();
    else this.timer ??= this.setTimer(() => this.writePending(), this.throttleMs);
  }
}
