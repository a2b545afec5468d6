import { createHash, timingSafeEqual } from 'node:crypto';
import type { CheckConfig } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import { ownValue } from '../core/own-key.js';
import type { BackupSummary, OverdueCheck } from '../core/ports/backup-runs.js';
import { type Secret, scrub } from '../core/secret.js';
import type { BackupCheckStore, CheckEventKind, CheckState } from '../store/backup-check-store.js';
import type { BackupReporter } from './backup-reporter.js';

/** What a failed ping's log tail is cut to before it is stored or posted. */
export const LOG_TAIL_LINES = 30;
export const LOG_TAIL_CHARS = 3_000;

export interface BackupChecksDeps {
  checks: Readonly<Record<string, CheckConfig>>;
  store: BackupCheckStore;
  reporter: BackupReporter;
  /** Every secret of the config: scrubbed from pushed log tails. */
  secrets: readonly Secret[];
  now: () => Date;
  logger: Logger;
  /** Stored events per check per window; pings past it move the state only. */
  eventLimit?: { events: number; windowMs: number };
}

export type PingKind = CheckEventKind;

/**
 * Healthchecks-style checks: jobs outside the bot (borgmatic hooks, cron) report start, success
 * and failure; a check without a success for period + grace, or started and silent for longer
 * than grace, is overdue.
 */
export class BackupChecks {
  readonly #d: BackupChecksDeps;
  readonly #secrets: readonly Secret[];
  readonly #limit: { events: number; windowMs: number };

  constructor(deps: BackupChecksDeps) {
    this.#d = deps;
    // Longest first: a secret that contains another is removed whole.
    this.#secrets = [...deps.secrets].sort((a, b) => b.reveal().length - a.reveal().length);
    this.#limit = deps.eventLimit ?? { events: 20, windowMs: 3_600_000 };
  }

  names(): string[] {
    return Object.keys(this.#d.checks);
  }

  has(name: string): boolean {
    return ownValue(this.#d.checks, name) !== undefined;
  }

  /** Whether `presented` is the check's token, compared in constant time (hashes of equal length). */
  tokenMatches(name: string, presented: string): boolean {
    const token = ownValue(this.#d.checks, name)?.token;
    if (!token) return false;
    const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
    return timingSafeEqual(digest(presented), digest(token.reveal()));
  }

  /** Records an authenticated ping; a finished run (success, fail) is summarised when its event was stored. */
  ping(name: string, kind: PingKind, body: string): { stored: boolean } {
    const check = ownValue(this.#d.checks, name);
    if (!check) throw new Error(`no check named ${name}`);
    const at = this.#d.now();
    const log = kind === 'fail' ? this.logTail(body) : undefined;
    const { stored } = this.#d.store.record(name, kind, at, log, this.#limit);
    if (!stored) {
      this.#d.logger.warn(
        { check: name, kind },
        'backup check ping over its rate limit: state updated, event not stored',
      );
      return { stored };
    }
    if (kind !== 'start') {
      const summary: Omit<BackupSummary, 'posted'> = {
        name,
        source: 'ping',
        ...(check.repository ? { repository: check.repository } : {}),
        outcome: kind === 'success' ? 'ok' : 'failed',
        finishedAt: at.toISOString(),
        ...(log ? { log } : {}),
      };
      this.#d.reporter.finished(summary);
    }
    return { stored };
  }

  /** The last lines of a pushed log, clipped, with every secret of the config removed. */
  logTail(body: string): string {
    const lines = scrub(body, this.#secrets).replace(/\r\n?/g, '\n').trimEnd().split('\n');
    let tail = lines.slice(-LOG_TAIL_LINES).join('\n');
    if (tail.length > LOG_TAIL_CHARS) tail = `…${tail.slice(tail.length - LOG_TAIL_CHARS + 1)}`;
    return tail;
  }

  /** Checks overdue at `now`: `check:<name>` alert candidates, oldest first. */
  overdueChecks(now: Date): OverdueCheck[] {
    // A check never seen before starts its clock now (a restart keeps the first time).
    this.#d.store.ensure(this.names(), now);
    const states = new Map(this.#d.store.states().map((s) => [s.name, s]));
    const out: OverdueCheck[] = [];
    for (const [name, check] of Object.entries(this.#d.checks)) {
      const state = states.get(name);
      const overdue = state && overdueOf(name, check, state, now);
      if (overdue) out.push(overdue);
    }
    return out.sort((a, b) => a.dueSince.localeCompare(b.dueSince));
  }

  states(): CheckState[] {
    return this.#d.store.states();
  }
}

function overdueOf(name: string, check: CheckConfig, s: CheckState, now: Date): OverdueCheck | undefined {
  const t = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
  const candidates: { reason: OverdueCheck['reason']; due: number }[] = [];
  const success = t(s.lastSuccessAt);
  // Without a success yet, the clock runs from when the bot first knew the check.
  const base = success ?? Date.parse(s.firstSeenAt);
  candidates.push({ reason: success === undefined ? 'never' : 'late', due: base + check.period + check.grace });
  const start = t(s.lastStartAt);
  const ended = Math.max(success ?? 0, t(s.lastFailureAt) ?? 0);
  if (start !== undefined && start > ended) candidates.push({ reason: 'stuck', due: start + check.grace });
  const first = candidates.filter((c) => c.due <= now.getTime()).sort((a, b) => a.due - b.due)[0];
  if (!first) return undefined;
  return {
    key: `check:${name}`,
    name,
    ...(check.repository ? { repository: check.repository } : {}),
    reason: first.reason,
    ...(s.lastSuccessAt ? { lastSuccessAt: s.lastSuccessAt } : {}),
    ...(s.lastStartAt ? { lastStartAt: s.lastStartAt } : {}),
    dueSince: new Date(first.due).toISOString(),
  };
}
