import type { ChatMessage } from '../chat/message.js';
import type { AlertSeverity } from '../core/ports/alerts.js';
import type { AlertRow, AlertStore, Silence } from './alert-store.js';
import { type Condition, levelSeverity, type Scope, SEVERITY_RANK, scopeOf } from './condition.js';
import type { AlertMessages } from './messages.js';
import type { AlertSettings } from './settings.js';

/** What one round decided, for the caller's log. */
export interface RoundResult {
  posted: number;
  fired: string[];
  resolved: string[];
}

interface RoundOptions {
  atIso: string;
  store: AlertStore;
  settings: AlertSettings;
  messages: AlertMessages;
}

/**
 * One round of the state machine, inside the engine's transaction: the rows it starts from
 * (every key that is not quietly OK), the silences, and the messages it decides to post.
 * Lives as long as the round: nothing of it is kept afterwards.
 */
export class AlertRound {
  readonly atIso: string;
  readonly rows: Map<string, AlertRow>;
  readonly silences: Map<string, Silence>;
  readonly outbox: ChatMessage[] = [];
  readonly result: RoundResult = { posted: 0, fired: [], resolved: [] };
  readonly stepped = new Set<string>();
  readonly #o: RoundOptions;

  constructor(o: RoundOptions) {
    this.#o = o;
    this.atIso = o.atIso;
    this.rows = new Map(o.store.states().map((r) => [r.key, r]));
    this.silences = new Map(o.store.silences().map((s) => [s.key, s]));
  }

  /** Keys this round covers but did not list are no longer breaching. */
  sweep(scopes: readonly Scope[]): void {
    for (const row of this.rows.values()) {
      if (this.stepped.has(row.key) || row.state === 'idle') continue;
      const scope = scopeOf(row.key, scopes);
      if (!scope) continue;
      const summary = scope.gone?.(row.key) ?? this.#o.messages.gone(row.key);
      this.step({ key: row.key, kind: row.kind, severity: null, summary });
    }
  }

  /** A silence over: what it held back is owed now, whether or not the key was observed. */
  endSilences(): void {
    for (const silence of this.silences.values()) {
      if (silence.until > this.atIso) continue;
      const row = this.rows.get(silence.key);
      if (row && !this.stepped.has(row.key)) this.#settle(row, { remind: false, silenceEnded: true });
      if (row) this.#persist(row);
      this.#o.store.removeSilence(silence.key);
    }
  }

  /** Moves one key on by one observation. */
  step(c: Condition): void {
    this.stepped.add(c.key);
    let row = this.rows.get(c.key);
    const before = row && fingerprint(row);
    const describe = (severity: AlertSeverity | null) =>
      typeof c.summary === 'string' ? c.summary : c.summary(severity);
    // A new certificate (another fingerprint) ends the episode of the old one.
    if (row?.state === 'firing' && c.identity !== undefined && row.identity !== null && row.identity !== c.identity) {
      this.#resolve(row, describe(null));
      this.#settle(row, { remind: false, silenceEnded: false });
      row.peak = null;
      row.stage = 0;
    }
    const firingAt = row?.state === 'firing' ? row.severity : null;
    const severity = c.levels && c.value !== undefined ? levelSeverity(c.value, c.levels, firingAt) : c.severity;
    if (!row) {
      // Quietly OK and nothing owed: no row, no write. Most keys, most rounds.
      if (severity === null) return;
      row = newRow(c, this.atIso);
      this.rows.set(c.key, row);
    }
    row.lastAt = this.atIso;
    row.value = c.value ?? null;
    row.hint = c.hint ?? row.hint;
    if (severity === null) {
      if (row.state === 'firing') this.#resolve(row, describe(null));
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
          row.firstAt = this.atIso;
          row.count = 0;
        }
        row.state = 'pending';
        row.count++;
        if (c.immediate || row.count >= this.#o.settings.samplesToFire) this.#fire(row);
      }
    }
    const silence = this.silences.get(c.key);
    const silenceEnded = silence !== undefined && silence.until <= this.atIso;
    this.#settle(row, { remind: c.remind !== false, silenceEnded, stage: c.stage });
    // A firing alert whose value did not move needs no write: most firing keys, most rounds.
    if (before === undefined || fingerprint(row) !== before) this.#persist(row);
  }

  #fire(row: AlertRow): void {
    row.state = 'firing';
    row.firedAt = this.atIso;
    this.result.fired.push(row.key);
    this.#o.store.addEvent({
      key: row.key,
      kind: row.kind,
      event: 'fired',
      at: this.atIso,
      summary: row.summary,
      severity: row.severity ?? undefined,
    });
  }

  #resolve(row: AlertRow, summary: string): void {
    const lastedMs = Date.parse(this.atIso) - Date.parse(row.firstAt);
    row.state = 'idle';
    row.count = 0;
    row.summary = summary;
    row.resolvedAt = this.atIso;
    row.resolvedMs = lastedMs;
    this.result.resolved.push(row.key);
    this.#o.store.addEvent({
      key: row.key,
      kind: row.kind,
      event: 'resolved',
      at: this.atIso,
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
  #settle(row: AlertRow, how: { remind: boolean; silenceEnded: boolean; stage?: number }): void {
    const silence = this.silences.get(row.key);
    if (silence && silence.until > this.atIso) return;
    const post = (message: ChatMessage) => {
      this.outbox.push(message);
      row.lastPostedAt = this.atIso;
    };
    const stage = how.stage ?? row.stage;
    if (row.state === 'firing') {
      const higher = rank(row.severity) > rank(row.peak) || stage > row.stage;
      if (!row.announced) post(this.#o.messages.fired(row, this.atIso));
      else if (higher) post(this.#o.messages.escalated(row, this.atIso));
      else if (how.silenceEnded || (how.remind && this.#reminderDue(row, this.atIso))) {
        post(this.#o.messages.reminder(row, this.atIso));
      }
      row.announced = true;
      if (rank(row.severity) > rank(row.peak)) row.peak = row.severity;
      row.stage = Math.max(row.stage, stage);
    } else if (row.announced) {
      post(this.#o.messages.resolved(row, this.atIso));
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
    return Date.parse(atIso) - Date.parse(since) >= this.#o.settings.remindEveryMs;
  }

  /** A key with nothing going on and nothing owed has no row. */
  #persist(row: AlertRow): void {
    if (row.state === 'idle' && !row.announced) this.#o.store.remove(row.key);
    else this.#o.store.save(row);
  }
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
