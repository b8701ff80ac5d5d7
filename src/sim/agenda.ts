import type { Seconds } from './types.ts';

/**
 * A min-heap of future happenings ordered by (time, insertion order): two entries due at the same instant come out
 * in the order they were scheduled, which keeps every run of the simulator identical.
 */
export class Agenda<T> {
  private times: Seconds[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peekTime(): Seconds {
    return this.items.length ? this.times[0] : Infinity;
  }

  push(at: Seconds, item: T): void {
    this.times.push(at);
    this.seqs.push(this.seq++);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (!n) return undefined;
    const top = this.items[0];
    this.swap(0, n - 1);
    this.times.pop();
    this.seqs.pop();
    this.items.pop();
    this.down(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    return this.times[i] < this.times[j] || (this.times[i] === this.times[j] && this.seqs[i] < this.seqs[j]);
  }

  private swap(i: number, j: number): void {
    // Element by element: a destructuring swap allocates an array each time (measured in the heap profile).
    const t = this.times[i];
    this.times[i] = this.times[j];
    this.times[j] = t;
    const q = this.seqs[i];
    this.seqs[i] = this.seqs[j];
    this.seqs[j] = q;
    const it = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = it;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
