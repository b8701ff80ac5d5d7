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
}

/**
 * The address bar follows the app's state:
 * - A new choice (a different `key`: everything but the playhead) pushes a history entry, so Back undoes it.
 * - The playhead of the same choice replaces the entry in place (never while playing: the address would churn).
 * - A slider drag is one choice: its first input pushes, the rest replace, throttled; `endSlide` writes the exact
 *   last address at once.
 * - A link that had a problem stays as typed (`keepLink`), so it can be fixed, until the user changes something.
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

  constructor(history: HistoryLike, key: string, keepLink: boolean, options: UrlSyncOptions = {}) {
    this.history = history;
    this.lastKey = key;
    this.keepLink = keepLink;
    this.throttleMs = options.throttleMs ?? 150;
    this.setTimer = options.setTimer ?? ((f, ms) => setTimeout(f, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
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
      this.flush();
      this.history.pushState(null, '', url);
    }
    this.slidePushed = this.sliding;
    this.lastKey = key;
  }

  /** An input event from a control: a range input starts (or continues) a drag. */
  input(isRange: boolean): void {
    this.sliding = isRange;
  }

  /** The control was let go (`change`): the drag is over and the address exact. */
  endSlide(): void {
    this.sliding = this.slidePushed = false;
    this.flush();
  }

  /** Back or Forward landed on `key`: a replace pending from a drag belongs to the entry just left. */
  arrived(key: string, keepLink: boolean): void {
    this.pending = null;
    this.flush();
    this.sliding = this.slidePushed = false;
    this.lastKey = key;
    this.keepLink = keepLink;
  }

  flush(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    if (this.pending !== null) this.history.replaceState(null, '', this.pending);
    this.pending = null;
  }

  private replace(url: string): void {
    this.pending = url;
    if (!this.sliding) this.flush();
    else this.timer ??= this.setTimer(() => this.flush(), this.throttleMs);
  }
}
