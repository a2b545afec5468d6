import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../http/metrics.js';

export interface RejectedRequestsOptions {
  /** Audit rows and log lines per source (remote address) per minute. */
  perSource?: number;
  /** Audit rows and log lines per minute, all sources together. */
  perMinute?: number;
  /** Sources told apart at once; past that, new sources share one allowance. */
  maxSources?: number;
  /** Longest path kept in the audit and the log. */
  maxPath?: number;
  now?: () => number;
}

const WINDOW_MS = 60_000;
/** Sources named one by one in a minute's summary; the rest are summed up in one more row. */
const NAMED_IN_SUMMARY = 5;
/** Where new sources go once `maxSources` are tracked: a spread-out flood is bounded too. */
const OVERFLOW = '(other sources)';

interface Source {
  written: number;
  suppressed: number;
  platform: string;
}

/**
 * Requests refused before they could reach any command (bad signature or
 * token, stale, malformed, too large): every one counted in the metrics, and
 * audited and logged the same way for every platform, but within bounds, so
 * a flood of forged requests can fill neither the disk nor the log. Within a
 * minute each source gets `perSource` rows and lines, all sources together
 * `perMinute`; what was left out is summed up when the minute ends ("N more
 * refused from X"). What is stored is the method and the path, clipped,
 * never the query string.
 */
export class RejectedRequests {
  readonly #d: { metrics: Metrics; logger: Logger; audit: AuditLog };
  readonly #perSource: number;
  readonly #perMinute: number;
  readonly #maxSources: number;
  readonly #maxPath: number;
  readonly #now: () => number;
  readonly #sources = new Map<string, Source>();
  #since = 0;
  #written = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: { metrics: Metrics; logger: Logger; audit: AuditLog }, options: RejectedRequestsOptions = {}) {
    this.#d = deps;
    this.#perSource = options.perSource ?? 10;
    this.#perMinute = options.perMinute ?? 100;
    this.#maxSources = options.maxSources ?? 1_000;
    this.#maxPath = options.maxPath ?? 200;
    this.#now = options.now ?? Date.now;
  }

  /** How many sources the current minute tells apart (bounded by `maxSources`). */
  get sources(): number {
    return this.#sources.size;
  }

  record(platform: string, req: IncomingMessage, status: number, reason: string): void {
    this.#d.metrics.rejectedRequests.inc({ platform, reason });
    const now = this.#now();
    if (now - this.#since >= WINDOW_MS) this.flush(now);
    const remote = req.socket.remoteAddress ?? 'unknown';
    const key = this.#sources.has(remote) || this.#sources.size < this.#maxSources ? remote : OVERFLOW;
    let source = this.#sources.get(key);
    if (!source) {
      source = { written: 0, suppressed: 0, platform };
      this.#sources.set(key, source);
    }
    if (source.written >= this.#perSource || this.#written >= this.#perMinute) {
      source.suppressed++;
      this.#wake();
      return;
    }
    source.written++;
    this.#written++;
    const path = clip((req.url ?? '').split('?')[0] ?? '', this.#maxPath);
    const method = clip(req.method ?? '', 16);
    this.#d.logger.warn({ platform, status, reason, path, remote }, `${platform} request refused`);
    this.#d.audit.record(
      { actor: 'unknown', platform, text: `(${method} ${path})` },
      'denied',
      `request refused: ${reason}`,
    );
  }

  /** Ends the current minute: sums up what was left out, and starts afresh. */
  flush(now = this.#now()): void {
    const left = [...this.#sources]
      .filter(([, s]) => s.suppressed > 0)
      .sort(([, a], [, b]) => b.suppressed - a.suppressed);
    for (const [remote, source] of left.slice(0, NAMED_IN_SUMMARY))
      this.#summarise(source.platform, source.suppressed, `from ${remote}`);
    const rest = left.slice(NAMED_IN_SUMMARY);
    if (rest.length > 0) {
      const count = rest.reduce((sum, [, s]) => sum + s.suppressed, 0);
      this.#summarise(rest[0]?.[1].platform ?? 'unknown', count, `from ${rest.length} other sources`);
    }
    this.#sources.clear();
    this.#written = 0;
    this.#since = now;
  }

  /** Writes what is pending now (at shutdown). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush();
  }

  #summarise(platform: string, count: number, from: string): void {
    const text = `${count} more refused ${from}`;
    this.#d.logger.warn({ platform, suppressed: count }, `${platform} requests refused: ${text}`);
    this.#d.audit.record({ actor: 'unknown', platform, text: `(${text})` }, 'denied', 'requests refused: rate limited');
  }

  /** The summary is due when the minute ends, even if no request comes then; unref'd, it keeps no process alive. */
  #wake(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#now() - this.#since >= WINDOW_MS) this.flush();
        else this.#wake();
      },
      Math.max(10, this.#since + WINDOW_MS - this.#now()),
    );
    this.#timer.unref();
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
