/** What an Ansible run reports as it goes and at its end, and how progress reads in a chat. */

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

export interface ParsedAnsibleOutput {
  format: 'jsonl' | 'default' | 'none';
  /** Per host, from the final stats event or PLAY RECAP; undefined if the run never got there. */
  stats: Record<string, HostStats> | undefined;
  failedTasks: FailedTask[];
  /** Number of (non-handler) tasks started. */
  tasksStarted: number;
}

const MAX_MSG = 200;

/** "task 2/5: Copy config on web1: changed" and the like, for chat progress lines. */
export function describeProgress(p: AnsibleProgress): string {
  if (p.type === 'play') return `play: ${p.play}`;
  const head = p.handler ? 'handler' : `task ${p.index}${p.total ? `/${p.total}` : ''}`;
  if (p.type === 'task') return `${head}: ${p.task}`;
  return `${head}: ${p.task} on ${p.host}: ${p.status}`;
}

/** Collapses whitespace and cuts to `max` characters. */
export function shorten(text: string, max = MAX_MSG): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
