import type { DateTime } from 'luxon';
import type { ChatMessage } from '../chat/message.js';
import type { Localized } from '../core/i18n.js';
import type { BackupService, RepositoryStatus } from '../core/ports/backups.js';
import type { CertificateReport, HostProbeReport, ProbeService } from '../core/ports/probes.js';
import { jobText, namesOrNone } from './job-texts.js';

/**
 * The scheduled jobs, as data: name, default time, what a missed time means at start-up, and
 * what a run does. `detour serve` schedules them, `detour job run` runs one now.
 */

/**
 * What other parts plug in after a job's own work (alerts, the digest builder). Each is optional:
 * without it the job still does its part. A hook that throws makes the run `failed`.
 */
export interface JobHooks {
  /** After `probes`: every host's report (alerts raise and resolve from them). */
  afterProbes?: (reports: HostProbeReport[], signal: AbortSignal) => unknown;
  /** After `backup-check`: every repository's fresh status. */
  afterBackupCheck?: (statuses: RepositoryStatus[], signal: AbortSignal) => unknown;
  /** After `certs`: every watched certificate's report. */
  afterCertificates?: (reports: CertificateReport[], signal: AbortSignal) => unknown;
  /** Builds the morning digest; without it `morning-digest` says "not available yet". */
  digest?: (signal: AbortSignal) => Promise<ChatMessage>;
  /** Builds last month's report and writes its files; without it `monthly-report` says "not available yet". */
  monthlyReport?: (signal: AbortSignal) => Promise<ChatMessage>;
}

/** What a job reaches the world through. */
export interface JobContext {
  probes: Pick<ProbeService, 'hosts' | 'probeHosts' | 'checkCertificates'>;
  backups: Pick<BackupService, 'names' | 'status'>;
  hooks: JobHooks;
  /**
   * Sends a message to a logical channel (config `channels`) on every chat platform that posts
   * to channels. Absent on the command line: there the digest is printed.
   */
  post?: (channel: string, message: ChatMessage) => unknown;
}

export interface JobResult {
  /** ok: done; failed: done in part or not at all; unavailable: not built yet. */
  outcome: 'ok' | 'failed' | 'unavailable';
  summary: Localized;
  /** The message built (the digest), when the job builds one. */
  message?: ChatMessage;
}

/**
 * Whether a time missed while the bot was down is still worth running at start-up. Both times
 * come in the configured time zone. (A type import: the config schema reads the job names from
 * this file, and loading luxon is the scheduler's cost, not every command's.)
 */
export type CatchUp = (slot: DateTime, now: DateTime) => boolean;

export interface JobDefinition {
  name: string;
  /** Cron in the configured time zone; undefined: scheduled only when the config gives a time. */
  defaultCron: string | undefined;
  catchUp: CatchUp;
  run(context: JobContext, signal: AbortSignal): Promise<JobResult>;
}

/** The latest missed time is run once: its result describes the present anyway. */
const latestMissed: CatchUp = () => true;
/** Today's digest, in the morning only: at 15:00 it is no longer a morning digest. */
const todayBeforeNoon: CatchUp = (slot, now) => slot.hasSame(now, 'day') && now.hour < 12;
/** Last month's report, any day of this month: it is still the report people wait for. */
const thisMonth: CatchUp = (slot, now) => slot.hasSame(now, 'month');

const DIGEST_CHANNEL = 'digest';
const REPORTS_CHANNEL = 'reports';

export const JOBS: readonly JobDefinition[] = [
  {
    name: 'probes',
    defaultCron: '*/5 * * * *',
    catchUp: latestMissed,
    async run(context, signal) {
      const hosts = context.probes.hosts();
      if (hosts.length === 0) return { outcome: 'ok', summary: jobText('noHosts') };
      const reports = await context.probes.probeHosts(hosts, signal);
      const unreachable = reports.filter((r) => probeOutcomes(r).every((o) => !o.ok)).map((r) => r.host);
      const partial = reports
        .filter((r) => !unreachable.includes(r.host) && probeOutcomes(r).some((o) => !o.ok))
        .map((r) => r.host);
      const summary = jobText('probes', (locale) => ({
        hosts: reports.length,
        unreachable: namesOrNone(unreachable, locale),
        partial: namesOrNone(partial, locale),
      }));
      const outcome = unreachable.length > 0 || partial.length > 0 ? 'failed' : 'ok';
      return afterHook('afterProbes', context.hooks.afterProbes, reports, signal, { outcome, summary });
    },
  },
  {
    name: 'backup-check',
    defaultCron: '0 * * * *',
    catchUp: latestMissed,
    async run(context, signal) {
      const names = context.backups.names();
      // Without repositories the hook still runs: it is also where overdue push checks are judged.
      if (names.length === 0)
        return afterHook('afterBackupCheck', context.hooks.afterBackupCheck, [], signal, {
          outcome: 'ok',
          summary: jobText('noBackups'),
        });
      const report = await context.backups.status(names, { fresh: true, signal });
      const statuses = report.repositories;
      const markers = statuses.map((s) => `${s.name} ${s.marker}`).join(', ');
      const summary = jobText('backupCheck', { count: statuses.length, markers });
      // A repository that could not be read is a check that did not happen; LATE is a finding.
      const outcome = statuses.some((s) => s.marker === 'FAILED') ? 'failed' : 'ok';
      return afterHook('afterBackupCheck', context.hooks.afterBackupCheck, statuses, signal, { outcome, summary });
    },
  },
  {
    name: 'certs',
    defaultCron: '0 8 * * *',
    catchUp: latestMissed,
    async run(context, signal) {
      const reports = await context.probes.checkCertificates(signal);
      if (reports.length === 0) return { outcome: 'ok', summary: jobText('noCerts') };
      const ranks = reports.map((r) => `${r.target} ${r.rank}`).join(', ');
      const summary = jobText('certs', { count: reports.length, ranks });
      const outcome = reports.some((r) => r.rank === 'error') ? 'failed' : 'ok';
      return afterHook('afterCertificates', context.hooks.afterCertificates, reports, signal, { outcome, summary });
    },
  },
  {
    name: 'morning-digest',
    defaultCron: '0 9 * * 1-5',
    catchUp: todayBeforeNoon,
    async run(context, signal) {
      if (!context.hooks.digest) return { outcome: 'unavailable', summary: jobText('digestUnavailable') };
      const message = await context.hooks.digest(signal);
      if (!context.post) return { outcome: 'ok', summary: jobText('digestBuilt'), message };
      await context.post(DIGEST_CHANNEL, message);
      return { outcome: 'ok', summary: jobText('digestPosted', { channel: DIGEST_CHANNEL }), message };
    },
  },
  {
    name: 'monthly-report',
    defaultCron: '0 9 1 * *',
    catchUp: thisMonth,
    async run(context, signal) {
      if (!context.hooks.monthlyReport) return { outcome: 'unavailable', summary: jobText('monthlyUnavailable') };
      const message = await context.hooks.monthlyReport(signal);
      const files = message.files?.length ?? 0;
      if (!context.post) return { outcome: 'ok', summary: jobText('reportBuilt', { files }), message };
      await context.post(REPORTS_CHANNEL, message);
      return { outcome: 'ok', summary: jobText('reportPosted', { channel: REPORTS_CHANNEL, files }), message };
    },
  },
];

export const JOB_NAMES: readonly string[] = JOBS.map((j) => j.name);

export function findJob(name: string): JobDefinition | undefined {
  return JOBS.find((j) => j.name === name);
}

function probeOutcomes(report: HostProbeReport): { ok: boolean }[] {
  const outcomes: { ok: boolean }[] = [report.disk, report.memory, report.load, report.systemd];
  if (report.luks) outcomes.push(report.luks);
  return outcomes;
}

/** Runs a job's hook on its results; a hook that throws turns the run `failed`, saying which. */
async function afterHook<T>(
  hook: string,
  fn: ((value: T, signal: AbortSignal) => unknown) | undefined,
  value: T,
  signal: AbortSignal,
  result: JobResult,
): Promise<JobResult> {
  if (!fn) return result;
  try {
    await fn(value, signal);
    return result;
  } catch (error) {
    const message = shortError(error);
    return {
      outcome: 'failed',
      summary: {
        en: jobText('hookFailed', { what: result.summary.en, hook, error: message }).en,
        fr: jobText('hookFailed', { what: result.summary.fr, hook, error: message }).fr,
      },
    };
  }
}

/** The first line of an error, cut short: audit details stay small. */
export function shortError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
