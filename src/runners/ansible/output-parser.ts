/**
 * Reads ansible-playbook's stdout line by line, in either of two formats:
 * the ansible.posix.jsonl callback (one JSON object per event, `_event` naming
 * it) or, as a fallback, the default callback's `TASK [name]` / `PLAY RECAP`
 * text. It turns lines into progress events and keeps only what the final
 * summary needs (stats, short failure messages), never the full output.
 */
import type { AnsibleProgress, FailedTask, HostStats, HostTaskStatus } from '../../core/ports/ansible.js';
import { type ParsedAnsibleOutput, shorten } from './progress.js';

const NO_LOG_MSG = 'output hidden (no_log)';

const PLAY_LINE = /^PLAY \[(.*)\] \**$/;
const TASK_LINE = /^(TASK|RUNNING HANDLER) \[(.*)\] \**$/;
const RESULT_LINE = /^(ok|changed|skipping|fatal|failed): \[([^\]]+)\](.*)$/;
const RECAP_LINE =
  /^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/;

type Json = Record<string, unknown>;

export class AnsibleOutputParser {
  readonly #total: number | undefined;
  readonly #clean: (text: string) => string;
  #format: ParsedAnsibleOutput['format'] = 'none';
  #stats: Record<string, HostStats> | undefined;
  readonly #failures: FailedTask[] = [];
  readonly #taskIndex = new Map<string, number>();
  readonly #handlerIds = new Set<string>();
  #tasksStarted = 0;
  #currentTask = '';
  #currentHandler = false;
  #inRecap = false;

  /** `clean` is applied to every string that leaves the parser (secret scrubbing). */
  constructor(options: { totalTasks?: number; clean?: (text: string) => string } = {}) {
    this.#total = options.totalTasks;
    this.#clean = options.clean ?? ((text) => text);
  }

  /** Parses one stdout line; returns the progress events it carries (often none). */
  feed(line: string): AnsibleProgress[] {
    const trimmed = line.trim();
    if (trimmed.startsWith('{')) {
      const event = parseJson(trimmed);
      if (event !== undefined && typeof event._event === 'string') {
        this.#format = 'jsonl';
        return this.#jsonlEvent(event._event, event);
      }
    }
    return this.#defaultLine(line.trimEnd());
  }

  summary(): ParsedAnsibleOutput {
    return {
      format: this.#format,
      stats: this.#stats,
      failedTasks: this.#relevantFailures(),
      tasksStarted: this.#tasksStarted,
    };
  }

  #jsonlEvent(name: string, event: Json): AnsibleProgress[] {
    const task = asObject(event.task);
    const taskName = this.#clean(String(task?.name ?? ''));
    switch (name) {
      case 'v2_playbook_on_play_start':
        return [{ type: 'play', play: this.#clean(String(asObject(event.play)?.name ?? '')) }];
      case 'v2_playbook_on_task_start':
      case 'v2_runner_on_start': {
        // Linear strategy: one task_start per task. Free strategy: one runner_on_start per host.
        const id = String(task?.id ?? taskName);
        if (this.#taskIndex.has(id)) return [];
        return [this.#startTask(id, taskName, false)];
      }
      case 'v2_playbook_on_handler_task_start': {
        const id = String(task?.id ?? taskName);
        this.#handlerIds.add(id);
        return [this.#startTask(id, taskName, true)];
      }
      case 'v2_runner_on_ok':
      case 'v2_runner_on_failed':
      case 'v2_runner_on_skipped':
      case 'v2_runner_on_unreachable': {
        const id = String(task?.id ?? '');
        const index = this.#taskIndex.get(id) ?? this.#tasksStarted;
        const handler = this.#handlerIds.has(id);
        const out: AnsibleProgress[] = [];
        for (const [host, raw] of Object.entries(asObject(event.hosts) ?? {})) {
          const result = asObject(raw) ?? {};
          const status = jsonlStatus(name, result);
          if (status === 'failed' || status === 'unreachable') {
            this.#failures.push({
              host,
              task: taskName,
              msg: this.#clean(failureMessage(result)),
              unreachable: status === 'unreachable',
            });
          }
          out.push(this.#hostResult(index, taskName, handler, host, status));
        }
        return out;
      }
      case 'v2_playbook_on_stats': {
        this.#stats = {};
        for (const [host, raw] of Object.entries(asObject(event.stats) ?? {})) {
          const s = asObject(raw) ?? {};
          this.#stats[host] = {
            ok: count(s.ok),
            changed: count(s.changed),
            unreachable: count(s.unreachable),
            failed: count(s.failures),
            skipped: count(s.skipped),
            rescued: count(s.rescued),
            ignored: count(s.ignored),
          };
        }
        return [];
      }
      default:
        return [];
    }
  }

  #defaultLine(line: string): AnsibleProgress[] {
    if (line.startsWith('PLAY RECAP')) {
      this.#markDefault();
      this.#inRecap = true;
      this.#stats ??= {};
      return [];
    }
    if (this.#inRecap) {
      const m = RECAP_LINE.exec(line);
      if (m && this.#stats) {
        const n = m.slice(2).map(Number);
        this.#stats[m[1] ?? ''] = {
          ok: n[0] ?? 0,
          changed: n[1] ?? 0,
          unreachable: n[2] ?? 0,
          failed: n[3] ?? 0,
          skipped: n[4] ?? 0,
          rescued: n[5] ?? 0,
          ignored: n[6] ?? 0,
        };
      }
      return [];
    }
    const play = PLAY_LINE.exec(line);
    if (play) {
      this.#markDefault();
      return [{ type: 'play', play: this.#clean(play[1] ?? '') }];
    }
    const task = TASK_LINE.exec(line);
    if (task) {
      this.#markDefault();
      const name = this.#clean(task[2] ?? '');
      const handler = task[1] !== 'TASK';
      return [this.#startTask(`text:${this.#tasksStarted}:${name}`, name, handler)];
    }
    if (line === '...ignoring') {
      // The failure just printed was ignored (ignore_errors): it did not fail the host.
      this.#failures.pop();
      return [];
    }
    const result = RESULT_LINE.exec(line);
    if (!result || this.#format !== 'default') return [];
    const host = (result[2] ?? '').split(' -> ')[0] ?? '';
    const rest = result[3] ?? '';
    const unreachable = rest.startsWith(': UNREACHABLE!');
    const status: HostTaskStatus = unreachable
      ? 'unreachable'
      : result[1] === 'fatal' || result[1] === 'failed'
        ? 'failed'
        : result[1] === 'skipping'
          ? 'skipped'
          : (result[1] as 'ok' | 'changed');
    if (status === 'failed' || status === 'unreachable') {
      const json = parseJson(rest.slice(rest.indexOf('=>') + 2).trim());
      this.#failures.push({
        host,
        task: this.#currentTask,
        msg: this.#clean(json ? failureMessage(json) : 'failed'),
        unreachable,
      });
    }
    return [this.#hostResult(this.#tasksStarted, this.#currentTask, this.#currentHandler, host, status)];
  }

  #markDefault(): void {
    if (this.#format === 'none') this.#format = 'default';
  }

  #startTask(id: string, name: string, handler: boolean): AnsibleProgress {
    this.#currentTask = name;
    this.#currentHandler = handler;
    if (handler) return { type: 'task', index: this.#tasksStarted, task: name, handler: true };
    this.#tasksStarted += 1;
    this.#taskIndex.set(id, this.#tasksStarted);
    return { type: 'task', index: this.#tasksStarted, ...this.#totalFor(this.#tasksStarted), task: name, handler };
  }

  #hostResult(index: number, task: string, handler: boolean, host: string, status: HostTaskStatus): AnsibleProgress {
    const total = handler ? {} : this.#totalFor(index);
    return { type: 'host_result', index, ...total, task, handler, host: this.#clean(host), status };
  }

  /** The total is an estimate (--list-tasks); drop it rather than show "task 7/5". */
  #totalFor(index: number): { total?: number } {
    return this.#total !== undefined && index <= this.#total ? { total: this.#total } : {};
  }

  /**
   * jsonl reports ignored and rescued failures like real ones. A real failure
   * ends the host's run, so per host the last `failed` (resp. `unreachable`)
   * events counted by the final stats are the ones that mattered.
   */
  #relevantFailures(): FailedTask[] {
    const stats = this.#stats;
    if (stats === undefined) return [...this.#failures];
    const keep = new Set<FailedTask>();
    for (const [host, s] of Object.entries(stats)) {
      for (const unreachable of [false, true]) {
        const wanted = unreachable ? s.unreachable : s.failed;
        const mine = this.#failures.filter((f) => f.host === host && f.unreachable === unreachable);
        for (const f of mine.slice(Math.max(0, mine.length - wanted))) keep.add(f);
      }
    }
    return this.#failures.filter((f) => keep.has(f));
  }
}

function jsonlStatus(event: string, result: Json): HostTaskStatus {
  if (event === 'v2_runner_on_failed') return 'failed';
  if (event === 'v2_runner_on_unreachable') return 'unreachable';
  if (event === 'v2_runner_on_skipped') return 'skipped';
  return result.changed === true ? 'changed' : 'ok';
}

/** A short message from a task result: msg, else the no_log notice, plus rc and stderr's first line. */
function failureMessage(result: Json): string {
  if (typeof result.censored === 'string') return NO_LOG_MSG;
  let msg = typeof result.msg === 'string' && result.msg.trim() !== '' ? result.msg : 'failed';
  if (typeof result.rc === 'number' && result.rc !== 0) {
    msg += ` (rc=${result.rc})`;
    const firstErr = typeof result.stderr === 'string' ? result.stderr.trim().split('\n')[0] : '';
    if (firstErr) msg += `: ${firstErr}`;
  }
  return shorten(msg);
}

function parseJson(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return asObject(value);
  } catch {
    // Not JSON: a warning or a line of the default callback.
    return undefined;
  }
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
