/** What an Ansible run reports as it goes and at its end: the shapes commands read. */

/**
 * How a run ended. Exit codes of ansible-playbook 2.14: 0 ok, 1 error, 2 a host
 * failed (argparse also exits 2 on an unknown option), 4 a host unreachable OR
 * a parse error, 5 bad option, 99 interrupted, 250 unexpected exception.
 */
export type AnsibleOutcome =
  | 'ok'
  | 'host_failed'
  | 'unreachable'
  | 'parse_error'
  | 'bad_option'
  | 'error'
  | 'interrupted'
  | 'unknown'
  | 'timeout'
  | 'canceled'
  | 'failed_to_start';

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  /** `failures` in ansible's own stats. */
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export type HostTaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface FailedTask {
  host: string;
  task: string;
  /** Short, single-line message (at most ~200 characters). */
  msg: string;
  unreachable: boolean;
}

export type AnsibleProgress =
  | { type: 'play'; play: string }
  | { type: 'task'; index: number; total?: number; task: string; handler: boolean }
  | {
      type: 'host_result';
      index: number;
      total?: number;
      task: string;
      handler: boolean;
      host: string;
      status: HostTaskStatus;
    };

export interface AnsibleRunResult {
  playbook: string;
  outcome: AnsibleOutcome;
  exitCode: number | undefined;
  check: boolean;
  /** Per host, from the final recap; empty when the run never reached it. */
  stats: Record<string, HostStats>;
  /** Tasks that failed a host or found it unreachable, with a short message each. */
  failedTasks: FailedTask[];
  tasksStarted: number;
  totalTasks?: number;
  /** ansible's own short error (parse errors, bad options, no hosts matched, ...). */
  errorMessage?: string;
  /** `default` when ansible.posix.jsonl was not available and the text output was parsed. */
  outputFormat: 'jsonl' | 'default' | 'none';
  durationMs: number;
}
