import type { Clock } from '../../src/scheduler/clock.js';

/** Lets the jobs a timer started run their synchronous and promise steps before time moves on. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock whose time moves only when a test says so; timers fire in time order on the way. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start: Date | string) {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  setTimer(fn: () => void, ms: number): unknown {
    this.#seq += 1;
    this.#timers.set(this.#seq, { at: this.#now + ms, fn });
    return this.#seq;
  }

  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves to `target`, firing every timer due on the way at its own time. */
  async advanceTo(target: Date | string): Promise<void> {
    const end = new Date(target).getTime();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].fn();
      await settle();
    }
    this.#now = Math.max(this.#now, end);
    await settle();
  }

  /** Jumps without firing timers on the way (a machine that slept). */
  jumpTo(target: Date | string): void {
    this.#now = new Date(target).getTime();
  }
}
