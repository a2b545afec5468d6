/**
 * Acknowledgements first, work second. Slack wants every request acked within
 * 3 s; a burst of commands must not see its acks wait behind the work of the
 * commands acked just before. Work therefore starts once no request has been
 * waiting for its ack for `quietMs` (50 ms), or after `maxDelayMs` at the latest, so
 * a steady stream of requests cannot starve it. A lone command waits `quietMs`.
 */
export class AckFirst {
  readonly #quietMs: number;
  readonly #maxDelayMs: number;
  #inflight = 0;
  #queue: (() => void)[] = [];
  #quietTimer: NodeJS.Timeout | undefined;
  #maxTimer: NodeJS.Timeout | undefined;

  constructor(options: { quietMs?: number; maxDelayMs?: number } = {}) {
    this.#quietMs = options.quietMs ?? 50;
    this.#maxDelayMs = options.maxDelayMs ?? 5_000;
  }

  /** A request came in; call the returned function once its response is sent. */
  received(): () => void {
    this.#inflight++;
    clearTimeout(this.#quietTimer);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inflight--;
      if (this.#inflight === 0 && this.#queue.length > 0) {
        this.#quietTimer = setTimeout(() => this.#flush(), this.#quietMs);
      }
    };
  }

  /** Runs `work` once requests are quiet (or after the maximum delay). */
  schedule(work: () => void): void {
    this.#queue.push(work);
    this.#maxTimer ??= setTimeout(() => this.#flush(), this.#maxDelayMs);
    if (this.#inflight === 0) {
      clearTimeout(this.#quietTimer);
      this.#quietTimer = setTimeout(() => this.#flush(), this.#quietMs);
    }
  }

  #flush(): void {
    clearTimeout(this.#quietTimer);
    clearTimeout(this.#maxTimer);
    this.#quietTimer = undefined;
    this.#maxTimer = undefined;
    const ready = this.#queue;
    this.#queue = [];
    for (const work of ready) setImmediate(work);
  }
}
