import type { BackupConfig } from '../config/schema.js';
import { CommandFailedError, UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BackupArchiveList, BackupProgress, BackupRunResult } from '../core/ports/backup-runs.js';
import type { BackupObservation, BackupService, BackupStatusReport, RepositoryStatus } from '../core/ports/backups.js';
import type { Requester } from '../core/ports/operations.js';
import { Secret, scrub } from '../core/secret.js';
import type { JobRegistry } from '../runners/ansible/job-registry.js';
import { BackupListError, listArchives } from '../runners/backup-list.js';
import type { ObservationFigures, RepositoryTarget } from '../runners/backup-observation.js';
import { observeBorg } from '../runners/borg.js';
import type { ProcessRunner } from '../runners/process.js';
import { observeRestic } from '../runners/restic.js';
import type { ObservationStore } from '../store/observation-store.js';
import type { BackupReporter } from './backup-reporter.js';
import type { BackupRunDeps } from './backup-run.js';
import { backupMarker } from './marker.js';

export interface BackupServiceDeps {
  backups: readonly BackupConfig[];
  refreshAfterMs: number;
  defaultTimeoutMs: number;
  store: ObservationStore;
  run: ProcessRunner;
  now: () => Date;
  logger: Logger;
  /**
   * serve: answer from what is stored at once, refresh stale repositories in
   * the background. one-shot: a process about to exit refreshes before answering.
   */
  refresh: 'background' | 'before-answer';
  /** What `backup run` needs; without it, `backup run` says it is not available here. */
  runs?: {
    /** The registry `jobs` lists (shared with playbooks and unlocks), loaded on first use. */
    jobs: () => Promise<JobRegistry>;
    job: Omit<BackupRunDeps, 'now'>;
    reporter: BackupReporter;
  };
}

/** Observes borg and restic repositories, stores what it sees, reports status from the store. */
export class BackupStatusService implements BackupService {
  readonly #deps: BackupServiceDeps;
  /** One observation per repository at a time; later asks join the running one. */
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(deps: BackupServiceDeps) {
    this.#deps = deps;
  }

  names(): string[] {
    return this.#deps.backups.map((b) => b.name);
  }

  async status(
    names: readonly string[],
    options: { fresh: boolean; signal: AbortSignal },
  ): Promise<BackupStatusReport> {
    const { store, now, refreshAfterMs } = this.#deps;
    const isStale = (name: string) => {
      const { latest } = store.latest(name);
      return !latest || now().getTime() - new Date(latest.observedAt).getTime() > refreshAfterMs;
    };
    const toRefresh = options.fresh ? [...names] : names.filter(isStale);
    let refreshing = false;
    if (toRefresh.length > 0) {
      const observing = this.observe(toRefresh, options.signal);
      if (options.fresh || this.#deps.refresh === 'before-answer') await observing;
      else refreshing = true;
    }
    const at = now();
    return { repositories: names.map((name) => this.#statusOf(name, at)), refreshing, now: at.toISOString() };
  }

  /** Observes the repositories concurrently, each within its own time limit; never throws. */
  observe(names: readonly string[], signal?: AbortSignal): Promise<void> {
    return Promise.all(
      names.map((name) => {
        const running = this.#inFlight.get(name);
        if (running) return running;
        const started = this.#observeOne(name, signal).finally(() => this.#inFlight.delete(name));
        this.#inFlight.set(name, started);
        return started;
      }),
    ).then(() => undefined);
  }

  async #observeOne(name: string, signal?: AbortSignal): Promise<void> {
    const { store, now, logger, run, defaultTimeoutMs } = this.#deps;
    const config = this.#config(name);
    const target: RepositoryTarget = {
      name,
      type: config.type,
      repo: config.repo,
      timeoutMs: config.timeout ?? defaultTimeoutMs,
    };
    const passphrase = config.passphrase ?? new Secret('');
    const observedAt = now();
    const started = performance.now();
    let result: { outcome: BackupObservation['outcome']; detail?: string; figures: ObservationFigures };
    try {
      result =
        config.type === 'borg'
          ? await observeBorg(run, target, passphrase, signal)
          : await observeRestic(run, target, passphrase, signal);
    } catch (error) {
      result = { outcome: 'error', detail: (error as Error).message, figures: {} };
    }
    const observation: BackupObservation = {
      repo: name,
      type: config.type,
      observedAt: observedAt.toISOString(),
      outcome: result.outcome,
      detail: result.detail && scrub(result.detail, [passphrase]),
      ...result.figures,
      durationMs: Math.round(performance.now() - started),
    };
    try {
      store.add(observation);
    } catch (error) {
      logger.error({ err: error, repo: name }, 'could not store a backup observation');
    }
    const level = observation.outcome === 'ok' ? 'info' : 'warn';
    logger[level](
      { repo: name, outcome: observation.outcome, detail: observation.detail, durationMs: observation.durationMs },
      'backup repository observed',
    );
  }

  async run(
    name: string,
    by: Requester,
    options: { signal: AbortSignal; onProgress: (p: BackupProgress) => void },
  ): Promise<BackupRunResult> {
    const config = this.#known(name);
    const runs = this.#deps.runs;
    if (!runs) throw new CommandFailedError('not_available', 'backup run is not available in this process');
    if (!config.job) {
      throw new CommandFailedError(
        'no_job',
        `repository ${name} has no job to run (see backups[].job in the configuration)`,
      );
    }
    const { runBackupJob } = await import('./backup-run.js');
    const registry = await runs.jobs();
    const outcome = await registry.run(`backup:${name}`, { startedBy: by.label }, (job) =>
      runBackupJob({ ...runs.job, now: this.#deps.now }, config, {
        signal: AbortSignal.any([job.signal, options.signal]),
        onProgress: options.onProgress,
      }),
    );
    if (!outcome.ok) throw new CommandFailedError('already_running', outcome.message);
    const result = outcome.value;
    // A fresh look, so `backup status` (and the alerts) see the new archive at once. A look that
    // started during the backup (and probably found the repository locked) is not that look.
    const started = this.#inFlight.get(name);
    if (started) await started;
    await this.observe([name]);
    if (result.stats.archive === undefined && result.outcome !== 'failed') {
      const archive = this.#deps.store.latest(name).latest?.lastArchiveName;
      if (archive !== undefined) result.stats.archive = archive;
    }
    runs.reporter.finished({
      name,
      source: 'run',
      outcome: result.outcome,
      finishedAt: result.finishedAt,
      durationMs: result.durationMs,
      stats: result.stats,
      warnings: result.warnings,
      warningCount: result.warningCount,
      ...(result.error ? { error: result.error } : {}),
    });
    return result;
  }

  async list(name: string, options: { last: number; signal: AbortSignal }): Promise<BackupArchiveList> {
    const config = this.#known(name);
    const target: RepositoryTarget = {
      name,
      type: config.type,
      repo: config.repo,
      timeoutMs: config.timeout ?? this.#deps.defaultTimeoutMs,
    };
    try {
      return await listArchives(
        this.#deps.run,
        target,
        config.passphrase ?? new Secret(''),
        options.last,
        options.signal,
      );
    } catch (error) {
      if (error instanceof BackupListError) throw new CommandFailedError(error.code, `${name}: ${error.message}`);
      throw error;
    }
  }

  #known(name: string): BackupConfig {
    const config = this.#deps.backups.find((b) => b.name === name);
    if (!config) {
      throw new UsageError(`unknown repository "${name}". Known repositories: ${this.names().join(', ') || 'none'}.`);
    }
    return config;
  }

  #statusOf(name: string, now: Date): RepositoryStatus {
    const config = this.#config(name);
    const { latest, lastGood } = this.#deps.store.latest(name);
    return {
      name,
      type: config.type,
      maxAgeMs: config.maxAge,
      marker: backupMarker(latest, lastGood, config.maxAge, now),
      latest,
      lastGood,
    };
  }

  #config(name: string): BackupConfig {
    const config = this.#deps.backups.find((b) => b.name === name);
    if (!config) throw new Error(`no backup repository named ${name}`);
    return config;
  }
}
