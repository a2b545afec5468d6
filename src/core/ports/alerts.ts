/**
 * The alerts port: what commands (`alerts`, `alerts silence`) and the digest
 * read and do. The engine behind it (src/alerts/) keeps its state in SQLite.
 * Times are ISO 8601 strings in UTC.
 */

export type AlertSeverity = 'warn' | 'crit';

/**
 * What is watched, as in the key's first part: `disk:b7-srv:/srv`,
 * `cert:epicerieledetour.org`, `backup:b7-borg`, `locked:dataproxies`.
 */
export type AlertKind =
  | 'disk'
  | 'inodes'
  | 'memory'
  | 'load'
  | 'systemd'
  | 'cert'
  | 'backup'
  | 'locked'
  | 'unreachable';

export interface ActiveAlert {
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** One line for people, in the configured locale ("b7-srv /srv at 91 % (crit 90 %)"). */
  summary: string;
  firedAt: string;
  /** The latest value seen, when the condition has one (percent, days, load per core). */
  value?: number;
  /** Set while a silence holds its messages back. */
  silencedUntil?: string;
}

/** One change of an alert, for the digest ("what fired and resolved since"). */
export interface AlertEvent {
  key: string;
  kind: AlertKind;
  event: 'fired' | 'resolved' | 'silenced';
  at: string;
  summary: string;
  /** For `fired`: the severity it fired at. */
  severity?: AlertSeverity;
  /** For `resolved`: how long it was firing. */
  durationMs?: number;
  /** For `silenced`: who silenced it. */
  by?: string;
}

export type SilenceResult =
  | { ok: true; key: string; until: string }
  /** No alert (active or known) has this key: `suggestions` holds the closest ones. */
  | { ok: false; reason: 'unknown_key'; suggestions: string[] }
  /** Longer than the configured `alerts.maxSilence`. */
  | { ok: false; reason: 'too_long'; maxMs: number };

export interface AlertService {
  /** Alerts firing now, most severe first, then oldest first. */
  active(): ActiveAlert[];
  /** What fired, resolved or was silenced at or after `since`, oldest first. */
  eventsSince(since: string): AlertEvent[];
  /**
   * Holds back the alert's messages until now + `durationMs` (the key need not be firing: a
   * silence set ahead holds back its next alert); audited by the command.
   */
  silence(key: string, durationMs: number, by: string): SilenceResult;
}
