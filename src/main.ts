import { join } from 'node:path';
import { commands } from '../commands/index.js';
import { BackupStatusService } from './backups/backup-service.js';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import { createPipeline, type Pipeline } from './core/pipeline.js';
import type { DigestService } from './core/ports/digest.js';
import type { OperationsService } from './core/ports/operations.js';
import type { ProbeService } from './core/ports/probes.js';
import { HostRegistry } from './hosts/host-registry.js';
import { lazyPort } from './lazy-port.js';
import { projectRoot } from './paths.js';
import type { ProcessRunner } from './runners/process.js';
import { AuditStore } from './store/audit-store.js';
import { type Db, openDatabase } from './store/database.js';
import { ObservationStore } from './store/observation-store.js';

export interface App {
  config: Config;
  db: Db;
  audit: AuditStore;
  backups: BackupStatusService;
  hosts: HostRegistry;
  /** The morning digest; the scheduler posts `digest({ since })` to the `digest` channel. */
  digest: DigestService;
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
  const backups = new BackupStatusService({
    backups: config.backups,
    refreshAfterMs: config.backupStatus.refreshAfter,
    defaultTimeoutMs: config.backupStatus.timeout,
    store: new ObservationStore(db),
    run,
    now,
    logger: logger.child({ component: 'backups' }),
    refresh: options.refresh,
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
      });
    },
    { playbooks: () => Object.keys(config.ansible?.playbooks ?? {}), unlockTargets: () => Object.keys(config.unlock) },
    { runPlaybook: true, jobs: true, cancelJob: true, unlock: true },
  );
  // Luxon and the report templates are loaded by the first digest only. Without `alerts` (the
  // alert engine is not wired yet) the digest says alerts are not available; `backupRuns` is
  // where recorded backup runs (`backup run`, pings) will come in.
  const digest = lazyPort<DigestService>(
    async () => {
      const { createDigestService } = await import('./digest/digest-service.js');
      return createDigestService({ locale: config.locale, timeZone: config.timezone, now, backups, probes, audit });
    },
    {},
    { digest: true },
  );
  const pipeline = createPipeline({
    commands,
    access: config.access,
    audit,
    services: { backups, probes, operations, digest, audit },
    locale: config.locale,
    timeZone: config.timezone,
    logger,
  });
  return {
    config,
    db,
    audit,
    backups,
    hosts,
    digest,
    pipeline,
    logger,
    async close() {
      await hosts.close();
      db.close();
    },
  };
}

/** A ProcessRunner that imports execa on first use only. */
export const lazyExecaRunner: ProcessRunner = async (request) => {
  const { execaRunner } = await import('./runners/execa-runner.js');
  return execaRunner(request);
};
