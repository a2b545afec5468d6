import { basename, dirname, join, resolve } from 'node:path';
import { commands } from '../commands/index.js';
import { AlertEngine } from './alerts/alert-engine.js';
import { alertSettings, configuredKeys } from './alerts/settings.js';
import { BackupChecks } from './backups/backup-checks.js';
import { BackupReporter } from './backups/backup-reporter.js';
import { BackupStatusService } from './backups/backup-service.js';
import { outboxPoster } from './chat/delivery/outbox-post.js';
import type { ChatMessage } from './chat/message.js';
import type { Config } from './config/schema.js';
import { configSecrets } from './config/secrets.js';
import type { Logger } from './core/logger.js';
import { createPipeline, type Pipeline } from './core/pipeline.js';
import type { DigestService } from './core/ports/digest.js';
import type { OperationsService } from './core/ports/operations.js';
import type { ProbeService } from './core/ports/probes.js';
import type { MonthlyReport, ReportService } from './core/ports/report.js';
import { HostRegistry } from './hosts/host-registry.js';
import { lazyPort } from './lazy-port.js';
import { projectRoot } from './paths.js';
import type { JobRegistry } from './runners/ansible/job-registry.js';
import type { ProcessRunner } from './runners/process.js';
import type { JobHooks } from './scheduler/jobs.js';
import { AuditStore } from './store/audit-store.js';
import { BackupCheckStore } from './store/backup-check-store.js';
import { BackupSummaryStore } from './store/backup-summary-store.js';
import { type Db, openDatabase } from './store/database.js';
import { ObservationStore } from './store/observation-store.js';
import { OutboxStore } from './store/outbox-store.js';

export interface App {
  config: Config;
  db: Db;
  audit: AuditStore;
  backups: BackupStatusService;
  /** Pushed backup reports: `overdueChecks(now)` for the alert engine. */
  checks: BackupChecks;
  /** Finished backups: `summariesSince(iso)` for the digest. */
  backupReports: BackupReporter;
  /** The alert engine: the scheduler's jobs call its `observe…` methods after each round. */
  alerts: AlertEngine;
  hosts: HostRegistry;
  probes: ProbeService;
  /** What the scheduled jobs call after their own work (alerts, the digest builder). */
  jobHooks: JobHooks;
  /** The morning digest; the scheduler posts `digest({ since })` to the `digest` channel. */
  digest: DigestService;
  /** The monthly report; the scheduler posts it to the `reports` channel on the 1st. */
  report: ReportService;
  pipeline: Pipeline;
  logger: Logger;
  close(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** How child processes run; loaded lazily so a cached answer never pays for execa. */
  run: ProcessRunner;
  refresh: 'background' | 'before-answer';
  now?: () => Date;
  /**
   * Posts to a logical channel (backup summaries, alerts): `detour serve` gives its delivery
   * queue. Without it (a one-shot command or job) the messages are written to the outbox, for the
   * serving bot to deliver.
   */
  post?: (channel: string, message: ChatMessage) => void;
}

/** The composition root: builds every part once, from the config, with its dependencies. */
export function buildApp(options: AppOptions): App {
  const { config, logger, run } = options;
  const now = options.now ?? (() => new Date());
  const db = openDatabase(config.database, { logger });
  const audit = new AuditStore(db, now);
  const interrupted = audit.markInterrupted();
  if (interrupted > 0)
    logger.warn({ count: interrupted }, 'commands left running by a stopped process marked interrupted');
  const hosts = new HostRegistry(config, run);
  // One registry for playbooks, unlocks and backup runs: `jobs` lists them all, `jobs cancel` stops any.
  // Loaded on first use, like the operations: a cached `backup status` never loads the runners.
  let jobRegistry: Promise<JobRegistry> | undefined;
  const jobs = () => {
    jobRegistry ??= import('./runners/ansible/job-registry.js').then(({ JobRegistry }) => new JobRegistry());
    return jobRegistry;
  };
  // `detour serve` delivers through its queue; a one-shot process leaves its messages to it.
  const post = options.post ?? outboxPoster(config, new OutboxStore(db), now);
  const backupReports = new BackupReporter({
    store: new BackupSummaryStore(db),
    post,
    mode: config.backupSummaries,
    locale: config.locale,
    logger: logger.child({ component: 'backup-summaries' }),
  });
  const checks = new BackupChecks({
    checks: config.checks,
    store: new BackupCheckStore(db),
    reporter: backupReports,
    secrets: configSecrets(config),
    now,
    logger: logger.child({ component: 'backup-checks' }),
  });
  const backups = new BackupStatusService({
    backups: config.backups,
    refreshAfterMs: config.backupStatus.refreshAfter,
    defaultTimeoutMs: config.backupStatus.timeout,
    store: new ObservationStore(db),
    run,
    now,
    logger: logger.child({ component: 'backups' }),
    refresh: options.refresh,
    runs: {
      jobs,
      reporter: backupReports,
      job: { run, hosts, ansible: config.ansible, defaultPlaybookDir: join(projectRoot(), 'playbooks') },
    },
  });
  const probes = lazyPort<ProbeService>(
    async () => {
      const [{ createProbeService }, { SampleStore }] = await Promise.all([
        import('./probes/probe-service.js'),
        import('./store/sample-store.js'),
      ]);
      const store = new SampleStore(db);
      return createProbeService({ config, hosts, store, now, logger: logger.child({ component: 'probes' }) });
    },
    { hosts: () => Object.keys(config.hosts), thresholds: () => config.thresholds },
    { probeHosts: true, checkCertificates: true, storedCertificates: true, storedLuks: true },
  );
  const operations = lazyPort<OperationsService>(
    async () => {
      const { Operations } = await import('./operations/operations-service.js');
      return new Operations({
        config,
        run,
        hosts,
        defaultPlaybookDir: join(projectRoot(), 'playbooks'),
        logger: logger.child({ component: 'operations' }),
        jobs: await jobs(),
      });
    },
    { playbooks: () => Object.keys(config.ansible?.playbooks ?? {}), unlockTargets: () => Object.keys(config.unlock) },
    { runPlaybook: true, jobs: true, cancelJob: true, unlock: true },
  );
  const alerts = new AlertEngine({
    db,
    settings: alertSettings(config),
    post,
    logger: logger.child({ component: 'alerts' }),
    now,
    configuredKeys: () => configuredKeys(config),
  });
  // Luxon and the report templates are loaded by the first digest only.
  const digest = lazyPort<DigestService>(
    async () => {
      const { createDigestService } = await import('./digest/digest-service.js');
      return createDigestService({
        locale: config.locale,
        timeZone: config.timezone,
        now,
        backups,
        probes,
        audit,
        backupRuns: (since) => backupReports.runsSince(since),
        alerts,
      });
    },
    {},
    { digest: true },
  );
  // SQLite alone feeds the report; luxon and the templates load on first use, vega in a worker per report.
  const report = lazyPort<ReportService>(
    async () => {
      const { createReportService } = await import('./report/report-service.js');
      return createReportService({
        db,
        locale: config.locale,
        timeZone: config.timezone,
        now,
        reportsDir: join(dirname(resolve(config.database)), 'reports'),
        // Charts that cannot be drawn (a missing font, a worker that died) must not cost the report.
        renderCharts: async (data, chartOptions) => {
          try {
            const { renderChartsInWorker } = await import('./report/charts-in-worker.js');
            return await renderChartsInWorker(data, chartOptions);
          } catch (error) {
            logger.warn(
              { err: error, month: data.month },
              'monthly report charts could not be drawn; report sent without them',
            );
            return [];
          }
        },
      });
    },
    {},
    { monthly: true },
  );
  const pipeline = createPipeline({
    commands,
    access: config.access,
    audit,
    services: { backups, probes, operations, digest, report, audit, alerts },
    locale: config.locale,
    timeZone: config.timezone,
    logger,
  });
  // What the scheduled jobs do after their own work: alerts from what they saw, the digest they post.
  const jobHooks: JobHooks = {
    afterProbes: (reports) => alerts.observeHosts(reports),
    afterCertificates: (reports) => alerts.observeCertificates(reports),
    afterBackupCheck: (statuses) => {
      alerts.observeBackups(statuses);
      alerts.observeChecks(Object.keys(config.checks), checks.overdueChecks(now()));
    },
    digest: () => digest.digest(),
    monthlyReport: async () => reportMessage(await report.monthly()),
  };
  return {
    config,
    db,
    audit,
    backups,
    checks,
    backupReports,
    alerts,
    hosts,
    probes,
    jobHooks,
    digest,
    report,
    pipeline,
    logger,
    async close() {
      await hosts.close();
      db.close();
    },
  };
}

/** The monthly report as the channel sees it: its headline figures, with the Markdown and charts attached. */
function reportMessage(built: MonthlyReport): ChatMessage {
  const titles = new Map(built.charts.map((c) => [c.fileName, c.title]));
  return {
    title: built.title,
    body: built.body,
    files: built.files.map((path) => ({
      path,
      name: basename(path),
      title: titles.get(basename(path)) ?? built.title,
    })),
  };
}

/** A ProcessRunner that imports execa on first use only. */
export const lazyExecaRunner: ProcessRunner = async (request) => {
  const { execaRunner } = await import('./runners/execa-runner.js');
  return execaRunner(request);
};
