import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupConfig, Config } from '../config/schema.js';
import { CommandFailedError } from '../core/errors.js';
import { ownValue } from '../core/own-key.js';
import type { BackupProgress, BackupRunResult } from '../core/ports/backup-runs.js';
import { Secret, scrub } from '../core/secret.js';
import { type PlaybookEntry, refusalToError, runAllowListedPlaybook } from '../runners/ansible/index.js';
import { backupCommandRequest, readBackupOutput, resticStatus } from '../runners/backup-create.js';
import type { ProcessRunner } from '../runners/process.js';

export interface BackupRunDeps {
  /** Runs here: commands without a host, and ansible-playbook. */
  run: ProcessRunner;
  /** The runner of a configured host, and whether it is this machine. */
  hosts: { runnerFor(name: string): ProcessRunner; isLocal(name: string): boolean };
  ansible: Config['ansible'];
  /** Folder of the shipped playbooks, used when the config names none. */
  defaultPlaybookDir: string;
  /** Non-secret environment for ansible-playbook (ANSIBLE_HOME, ...). */
  ansibleEnv?: Record<string, string>;
  now: () => Date;
}

const PROGRESS_EVERY_MS = 10_000;
const DEFAULT_RUN_TIMEOUT_MS = 6 * 3_600_000;

/** Runs one repository's configured job and reads what it did. Never throws for a failed backup: the result says. */
export async function runBackupJob(
  deps: BackupRunDeps,
  config: BackupConfig,
  options: { signal: AbortSignal; onProgress: (p: BackupProgress) => void },
): Promise<BackupRunResult> {
  const job = config.job;
  if (!job) throw new CommandFailedError('no_job', `repository ${config.name} has no job (see backups[].job)`);
  const passphrase = config.passphrase ?? new Secret('');
  const startedAt = deps.now();
  const started = performance.now();
  let latest: Omit<BackupProgress, 'elapsedMs'> = {};
  const tell = () => {
    try {
      options.onProgress({ elapsedMs: Math.round(performance.now() - started), ...latest });
    } catch {
      // Progress is best-effort: a failed chat update must not stop the backup.
    }
  };
  tell();
  const ticker = setInterval(tell, PROGRESS_EVERY_MS);
  ticker.unref();
  const finish = (
    via: BackupRunResult['via'],
    rest: Pick<BackupRunResult, 'outcome' | 'exitCode' | 'stats' | 'warnings' | 'warningCount' | 'error'> & {
      host?: string;
    },
  ): BackupRunResult => ({
    repo: config.name,
    type: config.type,
    via,
    ...rest,
    startedAt: startedAt.toISOString(),
    finishedAt: deps.now().toISOString(),
    durationMs: Math.round(performance.now() - started),
  });
  try {
    if ('command' in job) {
      const remote = job.host !== undefined && !deps.hosts.isLocal(job.host);
      const runner = job.host === undefined ? deps.run : deps.hosts.runnerFor(job.host);
      const request = backupCommandRequest(config.type, config.repo, passphrase, job.command, remote);
      const result = await runner({
        ...request,
        timeoutMs: config.runTimeout ?? DEFAULT_RUN_TIMEOUT_MS,
        signal: options.signal,
        onStdoutLine: (line) => {
          const status = config.type === 'restic' ? resticStatus(line) : undefined;
          if (status) latest = status;
        },
      });
      return finish('command', { ...readBackupOutput(config.type, result, [passphrase]), host: job.host });
    }
    const attempt = await runAllowListedPlaybook(
      { runner: deps.run, paths: playbookPaths(deps), env: deps.ansibleEnv },
      playbookEntry(deps, job.playbook, job.tags),
      { tags: job.tags, check: false },
      // `backup run` is for admins only; the tags are the configured ones.
      { isAdmin: true },
      {
        timeoutMs: config.runTimeout ?? DEFAULT_RUN_TIMEOUT_MS,
        signal: options.signal,
        secretEnv: { DETOUR_BACKUP_PASSPHRASE: passphrase },
      },
    );
    if (attempt.refused) throw refusalToError(attempt.refusal);
    const r = attempt.result;
    const error =
      r.outcome === 'ok'
        ? undefined
        : scrub(
            [
              r.outcome.replaceAll('_', ' '),
              r.errorMessage,
              ...r.failedTasks.map((t) => `${t.host}: ${t.task}: ${t.msg}`),
            ]
              .filter(Boolean)
              .join('; '),
            [passphrase],
          );
    return finish('ansible', {
      outcome: r.outcome === 'ok' ? 'ok' : 'failed',
      exitCode: r.exitCode,
      stats: {},
      warnings: [],
      warningCount: 0,
      ...(error ? { error } : {}),
    });
  } finally {
    clearInterval(ticker);
  }
}

function playbookPaths(deps: BackupRunDeps) {
  return { playbookDir: deps.ansible?.playbookDir ?? deps.defaultPlaybookDir, inventory: deps.ansible?.inventory };
}

/** The allow-listed playbook of that name, else `<name>.yml` of the playbook folder (the shipped backup.yml). */
function playbookEntry(deps: BackupRunDeps, name: string, tags: readonly string[]): PlaybookEntry {
  const listed = ownValue(deps.ansible?.playbooks, name);
  if (listed) return { name, ...listed, tags: [...new Set([...listed.tags, ...tags])] };
  const file = `${name}.yml`;
  if (!existsSync(join(playbookPaths(deps).playbookDir, file))) {
    throw new CommandFailedError(
      'no_playbook',
      `no playbook "${name}": neither under ansible.playbooks nor ${file} in the playbook folder`,
    );
  }
  return { name, file, tags: [...tags] };
}
