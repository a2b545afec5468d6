import type { AlertEvent, AlertKind, AlertSeverity } from '../core/ports/alerts.js';
import type { Db } from '../store/database.js';

/** One key's current state (table alert_state); see the migration for each column. */
export interface AlertRow {
  key: string;
  kind: AlertKind;
  state: 'idle' | 'pending' | 'firing';
  severity: AlertSeverity | null;
  peak: AlertSeverity | null;
  stage: number;
  count: number;
  identity: string | null;
  summary: string;
  hint: string | null;
  value: number | null;
  firstAt: string;
  firedAt: string | null;
  lastAt: string;
  lastPostedAt: string | null;
  announced: boolean;
  resolvedAt: string | null;
  resolvedMs: number | null;
}

export interface Silence {
  key: string;
  until: string;
  by: string;
}

interface StateRecord {
  key: string;
  kind: AlertKind;
  state: AlertRow['state'];
  severity: AlertSeverity | null;
  peak: AlertSeverity | null;
  stage: number;
  count: number;
  identity: string | null;
  summary: string;
  hint: string | null;
  value: number | null;
  first_at: string;
  fired_at: string | null;
  last_at: string;
  last_posted_at: string | null;
  announced: number;
  resolved_at: string | null;
  resolved_ms: number | null;
}

interface EventRecord {
  key: string;
  kind: AlertKind;
  event: AlertEvent['event'];
  at: string;
  summary: string;
  severity: AlertSeverity | null;
  duration_ms: number | null;
  by: string | null;
}

const toRow = (r: StateRecord): AlertRow => ({
  key: r.key,
  kind: r.kind,
  state: r.state,
  severity: r.severity,
  peak: r.peak,
  stage: r.stage,
  count: r.count,
  identity: r.identity,
  summary: r.summary,
  hint: r.hint,
  value: r.value,
  firstAt: r.first_at,
  firedAt: r.fired_at,
  lastAt: r.last_at,
  lastPostedAt: r.last_posted_at,
  announced: r.announced === 1,
  resolvedAt: r.resolved_at,
  resolvedMs: r.resolved_ms,
});

const toEvent = (r: EventRecord): AlertEvent => ({
  key: r.key,
  kind: r.kind,
  event: r.event,
  at: r.at,
  summary: r.summary,
  ...(r.severity ? { severity: r.severity } : {}),
  ...(r.event !== 'silenced' && r.duration_ms !== null ? { durationMs: r.duration_ms } : {}),
  ...(r.by !== null ? { by: r.by } : {}),
});

/**
 * The alert tables: current state (a row per key that is not quietly OK), the history of what
 * fired, resolved or was silenced, and the silences. Statements are prepared once: the probes
 * job reads the state every round.
 */
export class AlertStore {
  readonly #db: Db;
  readonly #states;
  readonly #firing;
  readonly #upsert;
  readonly #delete;
  readonly #addEvent;
  readonly #since;
  readonly #silences;
  readonly #setSilence;
  readonly #deleteSilence;
  readonly #keys;

  constructor(db: Db) {
    this.#db = db;
    this.#states = db.prepare('SELECT * FROM alert_state');
    this.#firing = db.prepare(`SELECT * FROM alert_state WHERE state = 'firing'`);
    this.#upsert = db.prepare(
      `INSERT OR REPLACE INTO alert_state (key, kind, state, severity, peak, stage, count, identity, summary, hint,
         value, first_at, fired_at, last_at, last_posted_at, announced, resolved_at, resolved_ms)
       VALUES (@key, @kind, @state, @severity, @peak, @stage, @count, @identity, @summary, @hint,
         @value, @first_at, @fired_at, @last_at, @last_posted_at, @announced, @resolved_at, @resolved_ms)`,
    );
    this.#delete = db.prepare('DELETE FROM alert_state WHERE key = ?');
    this.#addEvent = db.prepare(
      `INSERT INTO alert_events (key, kind, event, at, summary, severity, duration_ms, by)
       VALUES (@key, @kind, @event, @at, @summary, @severity, @duration_ms, @by)`,
    );
    this.#since = db.prepare('SELECT * FROM alert_events WHERE at >= ? ORDER BY at, id');
    this.#silences = db.prepare('SELECT key, until, by FROM alert_silences');
    this.#setSilence = db.prepare(
      'INSERT OR REPLACE INTO alert_silences (key, until, by, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#deleteSilence = db.prepare('DELETE FROM alert_silences WHERE key = ?');
    this.#keys = db.prepare('SELECT key, kind FROM alert_state UNION SELECT DISTINCT key, kind FROM alert_events');
  }

  /** Runs `work` in one write transaction: a round is recorded whole or not at all. */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  states(): AlertRow[] {
    return (this.#states.all() as StateRecord[]).map(toRow);
  }

  firing(): AlertRow[] {
    return (this.#firing.all() as StateRecord[]).map(toRow);
  }

  save(r: AlertRow): void {
    this.#upsert.run({
      key: r.key,
      kind: r.kind,
      state: r.state,
      severity: r.severity,
      peak: r.peak,
      stage: r.stage,
      count: r.count,
      identity: r.identity,
      summary: r.summary,
      hint: r.hint,
      value: r.value,
      first_at: r.firstAt,
      fired_at: r.firedAt,
      last_at: r.lastAt,
      last_posted_at: r.lastPostedAt,
      announced: r.announced ? 1 : 0,
      resolved_at: r.resolvedAt,
      resolved_ms: r.resolvedMs,
    });
  }

  remove(key: string): void {
    this.#delete.run(key);
  }

  addEvent(e: AlertEvent): void {
    this.#addEvent.run({
      key: e.key,
      kind: e.kind,
      event: e.event,
      at: e.at,
      summary: e.summary,
      severity: e.severity ?? null,
      duration_ms: e.durationMs ?? null,
      by: e.by ?? null,
    });
  }

  eventsSince(since: string): AlertEvent[] {
    return (this.#since.all(since) as EventRecord[]).map(toEvent);
  }

  silences(): Silence[] {
    return this.#silences.all() as Silence[];
  }

  setSilence(s: Silence, at: string): void {
    this.#setSilence.run(s.key, s.until, s.by, at);
  }

  removeSilence(key: string): void {
    this.#deleteSilence.run(key);
  }

  /** Every key with a state or a history, and its kind. */
  knownKeys(): { key: string; kind: AlertKind }[] {
    return this.#keys.all() as { key: string; kind: AlertKind }[];
  }
}
