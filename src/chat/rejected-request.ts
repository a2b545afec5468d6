import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../http/metrics.js';

export interface RejectedRequestsOptions {
  /** Audit rows and log lines per source per minute; the rest are summed up in one summary. */
  perMinute?: number;
  /** Sources tracked at once; past that, new sources share one allowance. */
  maxSources?: number;
  /** Longest path kept in the audit and the log. */
  maxPath?: number;
  now?: () => number;
}

const WINDOW_MS = 60_000;
/** Where new sources go once `maxSources` are tracked: a spread-out flood is bounded too. */
const OVERFLOW = '(other sources)';

interface Source {
  since: number;
  written: number;
  suppressed: number;
  platform: string;
}

/**
 * Requests refused before they could reach any command (bad signature or
 * token, stale, malformed, too large): all counted in the metrics, and
 * audited and logged the same way for every platform, but within bounds, so
 * a flood of forged requests can fill neither the disk nor the log. Each
 * source (remote address) gets `perMinute` rows and lines a minute, then one
 * "N more refused" summary when its minute ends; what is stored is the
 * method and the path, clipped, never the query string.
 */
export class RejectedRequests {
  readonly #d: { metrics: Metrics; logger: Logger; audit: AuditLog };
  readonly #perMinute: number;
  readonly #maxSources: number;
  readonly #maxPath: number;
  readonly #now: () => number;
  readonly #sources = new Map<string, Source>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: { metrics: Metrics; logger: Logger; audit: AuditLog }, options: RejectedRequestsOptions = {}) {
    this.#d = deps;
    this.#perMinute = options.perMinute ?? 10;
    this.#maxSources = options.maxSources ?? 1_000;
    this.#maxPath = options.maxPath ?? 200;
    this.#now = options.now ?? Date.now;
  }

  /** How many sources are being tracked (bounded by `maxSources`). */
  get sources(): number {
    return this.#sources.size;
  }

  record(platform: string, req: IncomingMessage, status: number, reason: string): void {
    this.#d.metrics.rejectedRequests.inc({ platform, reason });
    const now = this.#now();
    const remote = req.socket.remoteAddress ?? 'unknown';
    const source = this.#source(remote, platform, now);
    if (source.written >= this.#perMinute) {
      source.suppressed++;
      this.#wakeAt(source.since + WINDOW_MS);
      return;
    }
    source.written++;
    const path = clip((req.url ?? '').split('?')[0] ?? '', this.#maxPath);
    const method = clip(req.method ?? '', 16);
    this.#d.logger.warn({ platform, status, reason, path, remote }, `${platform} request refused`);
    this.#d.audit.record(
      { actor: 'unknown', platform, text: `(${method} ${path})` },
      'denied',
      `request refused: ${reason}`,
    );
  }

  /** Writes the summaries that are due and forgets sources whose minute is over. */
  flush(now = this.#now()): void {
    for (const [remote, source] of this.#sources) {
      if (now - source.since < WINDOW_MS) continue;
      this.#summarise(remote, source);
      this.#sources.delete(remote);
    }
  }

  /** Writes every pending summary now (at shutdown). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [remote, source] of this.#sources) this.#summarise(remote, source);
    this.#sources.clear();
  }

  #source(remote: string, platform: string, now: number): Source {
    const known = this.#sources.get(remote);
    if (known && now - known.since < WINDOW_MS) return known;
    if (known) {
      this.#summarise(remote, known);
      this.#sources.delete(remote);
    }
    if (this.#sources.size >= this.#maxSources) this.flush(now);
    const key = this.#sources.size >= this.#maxSources ? OVERFLOW : remote;
    const existing = this.#sources.get(key);
    if (existing) return existing;
    const fresh = { since: now, written: 0, suppressed: 0, platform };
    this.#sources.set(key, fresh);
    return fresh;
  }

  #summarise(remote: string, source: Source): void {
    if (source.suppressed === 0) return;
    const { platform, suppressed } = source;
    const text = `${suppressed} more refused from ${remote}`;
    this.#d.logger.warn({ platform, remote, suppressed }, `${platform} requests refused: ${text}`);
    this.#d.audit.record({ actor: 'unknown', platform, text: `(${text})` }, 'denied', 'requests refused: rate limited');
    source.suppressed = 0;
  }

  /** One timer at a time, unref'd: a summary must not keep the process alive. */
  #wakeAt(at: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.flush();
        const next = Math.min(...[...this.#sources.values()].filter((s) => s.suppressed > 0).map((s) => s.since));
        if (Number.isFinite(next)) this.#wakeAt(next + WINDOW_MS);
      },
      Math.max(0, at - this.#now()),
    );
    this.#timer.unref();
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
