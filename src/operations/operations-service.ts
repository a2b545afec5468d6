import type { Config } from '../config/schema.js';
import { CommandFailedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AnsibleProgress, AnsibleRunResult } from '../core/ports/ansible.js';
import type { OperationsService, PlaybookRequest, Requester, UnlockResult } from '../core/ports/operations.js';
import type { Secret } from '../core/secret.js';
import type { HostRegistry } from '../hosts/host-registry.js';
import {
  ansibleJobKey,
  JobRegistry,
  type PlaybookEntry,
  refusalToError,
  runAllowListedPlaybook,
} from '../runners/ansible/index.js';
import type { ProcessRunner } from '../runners/process.js';
import { unlockSteps } from '../runners/unlock-steps.js';

export interface OperationsDeps {
  config: Config;
  /** Runs ansible-playbook here, where the inventory and playbooks are. */
  run: ProcessRunner;
  hosts: HostRegistry;
  /** Folder of the shipped playbooks, used when the config names none. */
  defaultPlaybookDir: string;
  logger: Logger;
  jobs?: JobRegistry;
}

const PLAYBOOK_TIMEOUT_MS = 60 * 60_000;
const UNLOCK_PLAYBOOK: PlaybookEntry = { name: 'unlock', file: 'unlock.yml' };

/** Ansible runs, running jobs and unlocks, one at a time per playbook or target. */
export class Operations implements OperationsService {
  readonly #deps: OperationsDeps;
  readonly #jobs: JobRegistry;

  constructor(deps: OperationsDeps) {
    this.#deps = deps;
    this.#jobs = deps.jobs ?? new JobRegistry();
  }

  playbooks(): string[] {
    return Object.keys(this.#deps.config.ansible?.playbooks ?? {});
  }

  async runPlaybook(
    request: PlaybookRequest,
    by: Requester,
    options: { signal: AbortSignal; onProgress: (p: AnsibleProgress) => void },
  ): Promise<AnsibleRunResult> {
    const configured = this.#deps.config.ansible?.playbooks[request.playbook];
    if (!configured) {
      throw new CommandFailedError(
        'unknown_playbook',
        `"${request.playbook}" is not an allowed playbook. Allowed: ${this.playbooks().join(', ') || 'none (see ansible.playbooks in the configuration)'}.`,
      );
    }
    const entry: PlaybookEntry = { name: request.playbook, ...configured };
    return this.#asJob(ansibleJobKey(request.playbook), by, async (signal) => {
      const attempt = await runAllowListedPlaybook(
        { runner: this.#deps.run, paths: this.#paths() },
        entry,
        { tags: request.tags, limit: request.limit, check: request.check },
        { isAdmin: by.isAdmin },
        {
          timeoutMs: PLAYBOOK_TIMEOUT_MS,
          signal: anySignal(signal, options.signal),
          onProgress: options.onProgress,
          // "task 7/23" needs the task count first: one more ansible start, worth it in a chat.
          countTasks: true,
        },
      );
      if (attempt.refused) throw refusalToError(attempt.refusal);
      return attempt.result;
    });
  }

  async jobs() {
    return this.#jobs.list();
  }

  async cancelJob(id: string, by: string) {
    const cancelled = this.#jobs.cancel(id, by);
    if (!cancelled.ok) {
      const running = this.#jobs.list().map((j) => j.id);
      throw new CommandFailedError('unknown_job', `${cancelled.message}. Running: ${running.join(', ') || 'none'}.`);
    }
    return cancelled.job;
  }

  unlockTargets(): string[] {
    return Object.keys(this.#deps.config.unlock);
  }

  async unlock(
    name: string,
    passphrase: Secret,
    options: { checkOnly: boolean; by: Requester; signal: AbortSignal },
  ): Promise<UnlockResult> {
    const target = this.#deps.config.unlock[name];
    if (!target) {
      throw new CommandFailedError(
        'unknown_target',
        `unknown unlock target "${name}". Known targets: ${this.unlockTargets().join(', ') || 'none'}.`,
      );
    }
    return this.#asJob(`unlock:${name}`, options.by, async (signal) => {
      const both = anySignal(signal, options.signal);
      if (target.via === 'ansible') {
        const attempt = await runAllowListedPlaybook(
          { runner: this.#deps.run, paths: this.#paths() },
          { ...UNLOCK_PLAYBOOK, tags: [name] },
          { tags: [name], limit: target.host, check: options.checkOnly },
          { isAdmin: true },
          {
            timeoutMs: PLAYBOOK_TIMEOUT_MS,
            signal: both,
            secretEnv: { DETOUR_UNLOCK_PASSPHRASE: passphrase },
            extraVars: { unlock_targets: { [name]: { ...target, via: undefined, mountVia: undefined } } },
          },
        );
        if (attempt.refused) throw refusalToError(attempt.refusal);
        return { via: 'ansible', host: target.host, result: attempt.result };
      }
      const report = await unlockSteps(this.#deps.hosts.runnerFor(target.host), target, passphrase, {
        checkOnly: options.checkOnly,
        mountVia: target.mountVia,
        commandPrefix: this.#deps.hosts.privilegePrefix(target.host),
        signal: both,
      });
      return { via: this.#deps.hosts.isLocal(target.host) ? 'local' : 'ssh', host: target.host, report };
    });
  }

  async #asJob<T>(key: string, by: Requester, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const outcome = await this.#jobs.run(key, { startedBy: by.label }, (job) => work(job.signal));
    if (!outcome.ok) throw new CommandFailedError('already_running', outcome.message);
    return outcome.value;
  }

  #paths() {
    const { config, defaultPlaybookDir } = this.#deps;
    return { playbookDir: config.ansible?.playbookDir ?? defaultPlaybookDir, inventory: config.ansible?.inventory };
  }
}

/** Aborts when either signal does (a job cancel or the bot stopping). */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  return AbortSignal.any([a, b]);
}
