import type { ChatMessage } from '../chat/message.js';
import type { Logger } from '../core/logger.js';
import type { ActiveAlert, AlertEvent, AlertService, AlertSeverity, SilenceResult } from '../core/ports/alerts.js';
import type { OverdueCheck } from '../core/ports/backup-runs.js';
import type { RepositoryStatus } from '../core/ports/backups.js';
import type { CertificateReport, HostProbeReport } from '../core/ports/probes.js';
import type { Db } from '../store/database.js';
import { AlertRound, type RoundResult } from './alert-round.js';

export type { RoundResult };

import { type AlertRow, AlertStore, type Silence } from './alert-store.js';
import { backupCondition } from './backup-conditions.js';
import { certificateCondition } from './certificate-conditions.js';
import { checkConditions } from './check-conditions.js';
import { type Condition, type Scope, SEVERITY_RANK } from './condition.js';
import { hostConditions } from './host-conditions.js';
import { AlertMessages } from './messages.js';
import type { AlertSettings } from './settings.js';
import { closestKeys } from './suggest-keys.js';

/** Posts one message to a logical channel (`infra`); the delivery queue stores it first. */
export type Post = (channel: string, message: ChatMessage) => void;

export interface AlertEngineOptions {
  db: Db;
  settings: AlertSettings;
  post: Post;
  logger: Logger;
  now?: () => Date;
  /** Keys the configuration names (hosts, unlock targets, repositories, certificates) and their kinds. */
  configuredKeys?: () => ReadonlyMap<string, string>;
}

/**
 * The alert state machine (docs/en/alerts.md). Each `observe…` call is one round: the state of
 * every key it touches is read from SQLite, moved on and written back in one transaction, then
 * the messages are posted. Nothing is kept in memory between rounds, so a restart, or another
 * process (`detour run "alerts silence …"`), sees exactly what the last round left.
 */
export class AlertEngine implements AlertService {
  readonly #store: AlertStore;
  readonly #s: AlertSettings;
  readonly #post: Post;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #configured: () => ReadonlyMap<string, string>;
  readonly #hasConfigured: boolean;
  readonly #messages: AlertMessages;

  constructor(o: AlertEngineOptions) {
    this.#store = new AlertStore(o.db);
    this.#s = o.settings;
    this.#post = o.post;
    this.#logger = o.logger;
    this.#now = o.now ?? (() => new Date());
    this.#configured = o.configuredKeys ?? (() => new Map());
    this.#hasConfigured = o.configuredKeys !== undefined;
    this.#messages = new AlertMessages(o.settings.texts);
  }

  /** After each probe round: disk, inodes, memory, load, failed units, locked targets, unreachable hosts. */
  observeHosts(reports: readonly HostProbeReport[], at: Date = this.#now()): RoundResult {
    const conditions: Condition[] = [];
    const scopes: Scope[] = [];
    for (const report of reports) {
      const observed = hostConditions(report, this.#s);
      conditions.push(...observed.conditions);
      scopes.push(...observed.scopes);
    }
    return this.observeConditions(conditions, at, [...scopes, ...this.#retired(PROBED_KINDS)]);
  }

  /** After each certificate check: posts once per day threshold crossed, starts over on renewal. */
  observeCertificates(reports: readonly CertificateReport[], at: Date = this.#now()): RoundResult {
    return this.observeConditions(
      reports.flatMap((r) => certificateCondition(r, this.#s) ?? []),
      at,
      this.#retired(['cert']),
    );
  }

  /** After each backup check: LATE (overdue) warns, FAILED is critical. */
  observeBackups(statuses: readonly RepositoryStatus[], at: Date = this.#now()): RoundResult {
    return this.observeConditions(
      statuses.flatMap((st) => backupCondition(st, at, this.#s) ?? []),
      at,
      this.#retired(['backup']),
    );
  }

  /** After each backup check too: the push checks (`/ping/<check>`), overdue or reporting in time. */
  observeChecks(names: readonly string[], overdue: readonly OverdueCheck[], at: Date = this.#now()): RoundResult {
    return this.observeConditions(checkConditions(names, overdue, at, this.#s), at, [{ prefix: 'check:' }]);
  }

  /**
   * The generic entry the others use. `scopes` are the keys this round covers entirely (see
   * Scope).
   */
  observeConditions(
    conditions: readonly Condition[],
    at: Date = this.#now(),
    scopes: readonly Scope[] = [],
  ): RoundResult {
    const round = this.#store.transaction(() => {
      const r = new AlertRound({
        atIso: at.toISOString(),
        store: this.#store,
        settings: this.#s,
        messages: this.#messages,
      });
      for (const c of conditions) r.step(c);
      r.sweep(scopes);
      r.endSilences();
      return r;
    });
    const { result } = round;
    for (const message of round.outbox) {
      try {
        this.#post(this.#s.channel, message);
        result.posted++;
      } catch (error) {
        this.#logger.error({ err: error, title: message.title }, 'alert message could not be queued');
      }
    }
    if (result.fired.length + result.resolved.length > 0) {
      this.#logger.info({ fired: result.fired, resolved: result.resolved }, 'alerts changed');
    }
    return result;
  }

  /**
   * Scopes that resolve the alerts of entries no longer in the configuration (a host, an unlock
   * target, a certificate, a repository removed): nothing would ever observe them again. Without
   * the configured keys, nothing is retired.
   */
  #retired(kinds: readonly string[]): Scope[] {
    if (!this.#hasConfigured) return [];
    const configured = this.#configured();
    const hosts = new Set([...configured.keys()].flatMap((k) => (k.startsWith('unreachable:') ? [k.slice(12)] : [])));
    const gone = (key: string) => this.#messages.unconfigured(key);
    return kinds.map((kind) => ({
      prefix: `${kind}:`,
      gone,
      keep: (key: string) =>
        kind === 'locked' || kind === 'cert' || kind === 'backup'
          ? configured.has(key)
          : hosts.has(key.split(':')[1] ?? ''),
    }));
  }

  active(): ActiveAlert[] {
    const nowIso = this.#now().toISOString();
    const silences = new Map(this.#store.silences().map((s) => [s.key, s]));
    return this.#store
      .firing()
      .map((r): ActiveAlert => {
        const until = silences.get(r.key)?.until;
        return {
          key: r.key,
          kind: r.kind,
          severity: r.severity ?? 'warn',
          summary: r.summary,
          firedAt: r.firedAt ?? r.firstAt,
          ...(r.value !== null ? { value: r.value } : {}),
          ...(until && until > nowIso ? { silencedUntil: until } : {}),
        };
      })
      .sort((a, b) => rank(b.severity) - rank(a.severity) || a.firedAt.localeCompare(b.firedAt));
  }

  eventsSince(since: string): AlertEvent[] {
    return this.#store.eventsSince(since);
  }

  silence(key: string, durationMs: number, by: string): SilenceResult {
    if (!(durationMs > 0)) throw new RangeError('a silence lasts more than 0 ms');
    if (durationMs > this.#s.maxSilenceMs) return { ok: false, reason: 'too_long', maxMs: this.#s.maxSilenceMs };
    const known = new Map<string, string>(this.#configured());
    for (const k of this.#store.knownKeys()) known.set(k.key, k.kind);
    const kind = known.get(key);
    if (kind === undefined)
      return { ok: false, reason: 'unknown_key', suggestions: closestKeys(key, [...known.keys()]) };
    const now = this.#now();
    const until = new Date(now.getTime() + durationMs).toISOString();
    this.#store.transaction(() => {
      this.#store.setSilence({ key, until, by } satisfies Silence, now.toISOString());
      const row = this.#store.states().find((r) => r.key === key);
      this.#store.addEvent({
        key,
        kind: row?.kind ?? (kind as AlertRow['kind']),
        event: 'silenced',
        at: now.toISOString(),
        summary: row?.summary ?? key,
        by,
      });
    });
    return { ok: true, key, until };
  }
}

/** Kinds a probe round observes: their keys name a host second (`disk:b7-srv:/srv`), or an unlock target. */
const PROBED_KINDS = ['disk', 'inodes', 'memory', 'load', 'systemd', 'unreachable', 'locked'];

const rank = (s: AlertSeverity | null): number => (s ? SEVERITY_RANK[s] : 0);
