import type { Secret } from '../secret.js';
import type { AnsibleProgress, AnsibleRunResult } from './ansible.js';
import type { RunningJob } from './jobs.js';
import type { UnlockReport } from './unlock.js';

export interface PlaybookRequest {
  playbook: string;
  tags: readonly string[];
  limit?: string;
  check: boolean;
}

/** Unlock reports its steps when it runs cryptsetup itself, the play's outcome when Ansible does. */
export type UnlockResult =
  | { via: 'local' | 'ssh'; host: string; report: UnlockReport }
  | { via: 'ansible'; host: string; result: AnsibleRunResult };

/** Who asks, as operations need it: a label for "started by" and their rights. */
export interface Requester {
  label: string;
  isAdmin: boolean;
}

/** Actions that change something on the servers: Ansible runs, jobs, unlocks. */
export interface OperationsService {
  playbooks(): string[];
  /** Refusals (not allow-listed, bad tag or limit, already running) throw typed errors before any process starts. */
  runPlaybook(
    request: PlaybookRequest,
    by: Requester,
    options: { signal: AbortSignal; onProgress: (p: AnsibleProgress) => void },
  ): Promise<AnsibleRunResult>;
  jobs(): Promise<RunningJob[]>;
  /** Throws CommandFailedError for an unknown job. */
  cancelJob(id: string, by: string): Promise<RunningJob>;
  unlockTargets(): string[];
  unlock(
    target: string,
    passphrase: Secret,
    options: { checkOnly: boolean; by: Requester; signal: AbortSignal },
  ): Promise<UnlockResult>;
}
