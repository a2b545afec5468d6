import type { FailedTask, HostStats } from '../../core/ports/ansible.js';

/** What the output parser gathers for the end of a run. */
export interface ParsedAnsibleOutput {
  format: 'jsonl' | 'default' | 'none';
  /** Per host, from the final stats event or PLAY RECAP; undefined if the run never got there. */
  stats: Record<string, HostStats> | undefined;
  failedTasks: FailedTask[];
  /** Number of (non-handler) tasks started. */
  tasksStarted: number;
}

const MAX_MSG = 200;

/** Collapses whitespace and cuts to `max` characters. */
export function shorten(text: string, max = MAX_MSG): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
