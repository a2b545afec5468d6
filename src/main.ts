import { join } from 'node:path';
import { commands } from '../commands/index.js';
import { AlertEngine, type Post } from './alerts/alert-engine.js';
import { alertSettings, configuredKeys } from './alerts/settings.js';
import { BackupStatusService } from './backups/backup-service.js';
import type { Config } from './config/schema.js';
import type { Logger } from './core/logger.js';
import { createPipeline, type Pipeline } from './core/pipeline.js';
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
  /** The alert engine: the scheduler's jobs call its `observe…` methods after each round. */
  alerts: AlertEngine;
  hosts: HostRegistry;
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
   * Where alert messages go (`detour serve`: the delivery queue). Without it, a process that
   * observes (a one-shot job) records alert state and logs the messages it could not post.
   */
  post?: Post;
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
    { probeHosts: true, checkCertificates: true },
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
  const alertLogger = logger.child({ component: 'alerts' });
  const alerts = new AlertEngine({
    db,
    settings: alertSettings(config),
    post:
      options.post ??
      ((channel, message) => alertLogger.warn({ channel, title: message.title }, 'alert not posted: no chat here')),
    logger: alertLogger,
    now,
    configuredKeys: () => configuredKeys(config),
  });
  const pipeline = createPipeline({
    commands,
    access: config.access,
    audit,
    services: { backups, probes, operations, alerts },
    locale: config.locale,
    timeZone: config.timezone,
    logger,
  });
  return {
    config,
    db,
    audit,
    backups,
    alerts,
    hosts,
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
