/**
 * Time as the scheduler sees it: injected, so tests move a fake clock across a daylight-saving
 * change instead of waiting for one.
 */
export interface Clock {
  now(): Date;
  /** Calls `fn` after `ms`; the handle cancels it. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimer: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    // The HTTP server keeps `detour serve` alive; a pending job time must not keep a stopping process.
    timer.unref();
    return timer;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
