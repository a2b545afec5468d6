import type { ChatMessage } from '../chat/message.js';
import type { Logger } from '../core/logger.js';
import type { ActiveAlert, AlertEvent, AlertService, AlertSeverity, SilenceResult } from '../core/ports/alerts.js';
import type { RepositoryStatus } from '../core/ports/backups.js';
import type { CertificateReport, HostProbeReport } from '../core/ports/probes.js';
import type { Db } from '../store/database.js';
import { type AlertRow, AlertStore, type Silence } from './alert-store.js';
import { backupCondition } from './backup-conditions.js';
import { certificateCondition } from './certificate-conditions.js';
import { type Condition, levelSeverity, type Scope, SEVERITY_RANK, scopeOf } from './condition.js';
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

/** What one round decided, for the caller's log. */
export interface RoundResult {
  posted: number;
  fired: string[];
  resolved: string[];
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
  readonly #messages: AlertMessages;

  constructor(o: AlertEngineOptions) {
    this.#store = new AlertStore(o.db);
    this.#s = o.settings;
    this.#post = o.post;
    this.#logger = o.logger;
    this.#now = o.now ?? (() => new Date());
    this.#configured = o.configuredKeys ?? (() => new Map());
    this.#messages = new AlertMessages(o.settings.texts);
  }

  /** After each probe round: disk, inodes, memory, load, failed units, locked targets, unreachable hosts. */
  observeHosts(reports: readonly HostProbeReport[], at: Date): RoundResult {
    const conditions: Condition[] = [];
    const scopes: Scope[] = [];
    for (const report of reports) {
      const observed = hostConditions(report, this.#s);
      conditions.push(...observed.conditions);
      scopes.push(...observed.scopes);
    }
    return this.observeConditions(conditions, at, scopes);
  }

  /** After each certificate check: posts once per day threshold crossed, starts over on renewal. */
  observeCertificates(reports: readonly CertificateReport[], at: Date): RoundResult {
    return this.observeConditions(
      reports.flatMap((r) => certificateCondition(r, this.#s) ?? []),
      at,
    );
  }

  /** After each backup check: LATE (overdue) warns, FAILED is critical. */
  observeBackups(statuses: readonly RepositoryStatus[], at: Date): RoundResult {
    return this.observeConditions(
      statuses.flatMap((st) => backupCondition(st, at, this.#s) ?? []),
      at,
    );
  }

  /**
   * The generic entry the others use, and the one for push checks (an overdue `/ping/<check>`:
   * `{ key: 'backup:<check>', kind: 'backup', severity: 'warn', immediate: true, summary }`).
   * `scopes` are the keys this round covers entirely (see Scope).
   */
  observeConditions(conditions: readonly Condition[], at: Date, scopes: readonly Scope[] = []): RoundResult {
    const atIso = at.toISOString();
    const outbox: ChatMessage[] = [];
    const result: RoundResult = { posted: 0, fired: [], resolved: [] };
    this.#store.transaction(() => {
      const rows = new Map(this.#store.states().map((r) => [r.key, r]));
      const silences = new Map(this.#store.silences().map((s) => [s.key, s]));
      const round: Round = { atIso, rows, silences, outbox, result, stepped: new Set() };
      for (const c of conditions) this.#step(round, c);
      for (const row of rows.values()) {
        if (round.stepped.has(row.key) || row.state === 'idle') continue;
        const scope = scopeOf(row.key, scopes);
        if (!scope) continue;
        const summary = scope.gone?.(row.key) ?? this.#messages.gone(row.key);
        this.#step(round, { key: row.key, kind: row.kind, severity: null, summary });
      }
      // A silence over: what it held back is owed now, whether or not the key was observed.
      for (const silence of silences.values()) {
        if (silence.until > atIso) continue;
        const row = rows.get(silence.key);
        if (row && !round.stepped.has(row.key)) this.#settle(round, row, { remind: false, silenceEnded: true });
        if (row) this.#persist(row);
        this.#store.removeSilence(silence.key);
      }
    });
    for (const message of outbox) {
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

  /** Moves one key on by one observation. */
  #step(round: Round, c: Condition): void {
    round.stepped.add(c.key);
    let row = round.rows.get(c.key);
    const before = row && fingerprint(row);
    const describe = (severity: AlertSeverity | null) =>
      typeof c.summary === 'string' ? c.summary : c.summary(severity);
    // A new certificate (another fingerprint) ends the episode of the old one.
    if (row?.state === 'firing' && c.identity !== undefined && row.identity !== null && row.identity !== c.identity) {
      this.#resolve(round, row, describe(null));
      this.#settle(round, row, { remind: false, silenceEnded: false });
      row.peak = null;
      row.stage = 0;
    }
    const firingAt = row?.state === 'firing' ? row.severity : null;
    const severity = c.levels && c.value !== undefined ? levelSeverity(c.value, c.levels, firingAt) : c.severity;
    if (!row) {
      // Quietly OK and nothing owed: no row, no write. Most keys, most rounds.
      if (severity === null) return;
      row = newRow(c, round.atIso);
      round.rows.set(c.key, row);
    }
    row.lastAt = round.atIso;
    row.value = c.value ?? null;
    row.hint = c.hint ?? row.hint;
    if (severity === null) {
      if (row.state === 'firing') this.#resolve(round, row, describe(null));
      else if (row.state === 'pending') {
        row.state = 'idle';
        row.count = 0;
      }
    } else {
      row.severity = severity;
      row.summary = describe(severity);
      if (c.identity !== undefined) row.identity = c.identity;
      if (row.state !== 'firing') {
        if (row.state === 'idle') {
          row.firstAt = round.atIso;
          row.count = 0;
        }
        row.state = 'pending';
        row.count++;
        if (c.immediate || row.count >= this.#s.samplesToFire) this.#fire(round, row);
      }
    }
    const silence = round.silences.get(c.key);
    const silenceEnded = silence !== undefined && silence.until <= round.atIso;
    this.#settle(round, row, { remind: c.remind !== false, silenceEnded, stage: c.stage });
    // A firing alert whose value did not move needs no write: most firing keys, most rounds.
    if (before === undefined || fingerprint(row) !== before) this.#persist(row);
  }

  #fire(round: Round, row: AlertRow): void {
    row.state = 'firing';
    row.firedAt = round.atIso;
    round.result.fired.push(row.key);
    this.#store.addEvent({
      key: row.key,
      kind: row.kind,
      event: 'fired',
      at: round.atIso,
      summary: row.summary,
      severity: row.severity ?? undefined,
    });
  }

  #resolve(round: Round, row: AlertRow, summary: string): void {
    const lastedMs = Date.parse(round.atIso) - Date.parse(row.firstAt);
    row.state = 'idle';
    row.count = 0;
    row.summary = summary;
    row.resolvedAt = round.atIso;
    row.resolvedMs = lastedMs;
    round.result.resolved.push(row.key);
    this.#store.addEvent({
      key: row.key,
      kind: row.kind,
      event: 'resolved',
      at: round.atIso,
      summary,
      durationMs: lastedMs,
    });
  }

  /**
   * Makes the channel agree with the state, unless a silence holds messages back: a firing
   * alert not yet announced is announced; an announced one escalates (a higher severity or
   * certificate stage, once each), or is recalled at the reminder interval or when a silence
   * ends; an announced alert no longer firing gets its resolution.
   */
  #settle(round: Round, row: AlertRow, how: { remind: boolean; silenceEnded: boolean; stage?: number }): void {
    const silence = round.silences.get(row.key);
    if (silence && silence.until > round.atIso) return;
    const post = (message: ChatMessage) => {
      round.outbox.push(message);
      row.lastPostedAt = round.atIso;
    };
    const stage = how.stage ?? row.stage;
    if (row.state === 'firing') {
      const higher = rank(row.severity) > rank(row.peak) || stage > row.stage;
      if (!row.announced) post(this.#messages.fired(row, round.atIso));
      else if (higher) post(this.#messages.escalated(row, round.atIso));
      else if (how.silenceEnded || (how.remind && this.#reminderDue(row, round.atIso))) {
        post(this.#messages.reminder(row, round.atIso));
      }
      row.announced = true;
      if (rank(row.severity) > rank(row.peak)) row.peak = row.severity;
      row.stage = Math.max(row.stage, stage);
    } else if (row.announced) {
      post(this.#messages.resolved(row, round.atIso));
      row.announced = false;
      row.resolvedAt = null;
      row.resolvedMs = null;
      if (row.state === 'idle') {
        row.peak = null;
        row.stage = 0;
      }
    }
  }

  #reminderDue(row: AlertRow, atIso: string): boolean {
    const since = row.lastPostedAt ?? row.firedAt ?? row.firstAt;
    return Date.parse(atIso) - Date.parse(since) >= this.#s.remindEveryMs;
  }

  /** A key with nothing going on and nothing owed has no row. */
  #persist(row: AlertRow): void {
    if (row.state === 'idle' && !row.announced) this.#store.remove(row.key);
    else this.#store.save(row);
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

interface Round {
  atIso: string;
  rows: Map<string, AlertRow>;
  silences: Map<string, Silence>;
  outbox: ChatMessage[];
  result: RoundResult;
  stepped: Set<string>;
}

const rank = (s: AlertSeverity | null): number => (s ? SEVERITY_RANK[s] : 0);

/** What of a row is worth writing: all but the time of the latest sample. */
function fingerprint(row: AlertRow): string {
  const { lastAt: _, ...rest } = row;
  return JSON.stringify(rest);
}

function newRow(c: Condition, atIso: string): AlertRow {
  return {
    key: c.key,
    kind: c.kind,
    state: 'idle',
    severity: null,
    peak: null,
    stage: 0,
    count: 0,
    identity: c.identity ?? null,
    summary: c.key,
    hint: c.hint ?? null,
    value: null,
    firstAt: atIso,
    firedAt: null,
    lastAt: atIso,
    lastPostedAt: null,
    announced: false,
    resolvedAt: null,
    resolvedMs: null,
  };
}
