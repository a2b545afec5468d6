import type { BackupConfig } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import type { BackupObservation, BackupService, BackupStatusReport, RepositoryStatus } from '../core/ports/backups.js';
import { Secret, scrub } from '../core/secret.js';
import type { ObservationFigures, RepositoryTarget } from '../runners/backup-observation.js';
import { observeBorg } from '../runners/borg.js';
import type { ProcessRunner } from '../runners/process.js';
import { observeRestic } from '../runners/restic.js';
import type { ObservationStore } from '../store/observation-store.js';
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
