import type { AlertKind, AlertSeverity } from '../core/ports/alerts.js';

/**
 * One thing watched, as one observation saw it. The engine turns a stream of these into
 * messages: it counts breaching samples, fires, reminds, escalates and resolves.
 */
export interface Condition {
  /** `disk:b7-srv:/srv`, `cert:epicerieledetour.org`, `backup:b7-borg`, `locked:dataproxies`. */
  key: string;
  kind: AlertKind;
  /**
   * Breaching at this severity, or not (null). Ignored when `levels` is given: the engine then
   * decides from the value, with the hysteresis.
   */
  severity: AlertSeverity | null;
  /** A value compared with warn/crit levels; a firing alert resolves only below warn - margin. */
  levels?: { warn: number; crit: number; margin: number };
  value?: number;
  /**
   * One line for people, in the configured locale. A function of the severity the engine settled
   * on (null: not breaching), called only when needed: most conditions are OK and never need one.
   */
  summary: string | Describe;
  /** What to do about it, posted with the alert ("run `/detour unlock dataproxies`"). */
  hint?: string;
  /** Fires on the first breaching sample instead of after `samplesToFire` (rare, already-judged states). */
  immediate?: boolean;
  /** Posts reminders while firing (default true). */
  remind?: boolean;
  /** Steps within a severity, each posted once (certificate thresholds crossed: 21, 7, 1 days). */
  stage?: number;
  /** What the alert is about; a new identity ends the episode (a renewed certificate). */
  identity?: string;
}

export type Describe = (severity: AlertSeverity | null) => string;

/**
 * Keys an observation covers entirely: a firing key under a scope that the observation does not
 * list is no longer breaching (a mount that went away, a unit that is no longer failed).
 * `prefix` ending with ":" covers every key starting with it; otherwise it is one exact key.
 * `gone` says it in words for the resolution ("nginx.service no longer failed").
 */
export interface Scope {
  prefix: string;
  gone?: (key: string) => string;
  /** Keys under the prefix this scope says nothing about (those of configured entries). */
  keep?: (key: string) => boolean;
}

export function scopeOf(key: string, scopes: readonly Scope[]): Scope | undefined {
  return scopes.find((s) => (s.prefix.endsWith(':') ? key.startsWith(s.prefix) : key === s.prefix) && !s.keep?.(key));
}

export const SEVERITY_RANK: Record<AlertSeverity, number> = { warn: 1, crit: 2 };

/** The severity of a value against warn/crit levels, with the hysteresis while it fires. */
export function levelSeverity(
  value: number,
  levels: { warn: number; crit: number; margin: number },
  firingAt: AlertSeverity | null,
): AlertSeverity | null {
  const { warn, crit, margin } = levels;
  if (value >= crit) return 'crit';
  // Back under crit but not by the margin: a critical alert stays critical.
  if (firingAt === 'crit' && value >= crit - margin) return 'crit';
  if (value >= warn) return 'warn';
  if (firingAt !== null && value >= warn - margin) return 'warn';
  return null;
}
