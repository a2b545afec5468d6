import type { AnsibleProgress, AnsibleRunResult } from '../../core/ports/ansible.js';
import type { Secret } from '../../core/secret.js';
import { scrub } from '../../core/secret.js';
import type { ProcessResult, ProcessRunner } from '../process.js';
import type { AnsibleArgvOptions, AnsiblePaths } from './argv.js';
import { buildAnsibleInvocation } from './argv.js';
import { ansibleErrorMessage, classifyAnsibleExit } from './outcome.js';
import { AnsibleOutputParser } from './output-parser.js';
import type { AnsibleRefusal, AnsibleRequest, PlaybookEntry, ValidatedAnsibleRequest } from './request.js';
import { validateAnsibleRequest } from './request.js';

export interface AnsibleRunDeps {
  runner: ProcessRunner;
  paths: AnsiblePaths;
  /** Non-secret environment for every run (ANSIBLE_HOME, temp folders, ...). */
  env?: Readonly<Record<string, string>>;
}

export interface AnsibleRunOptions {
  timeoutMs: number;
  killAfterMs?: number;
  /** Aborting it cancels the run (the JobRegistry hands one out per job). */
  signal?: AbortSignal;
  onProgress?: (progress: AnsibleProgress) => void;
  /** Secrets for `lookup('env', NAME)`; passed through the environment and scrubbed from results. */
  secretEnv?: Readonly<Record<string, Secret>>;
  extraVarsFiles?: readonly string[];
  extraVars?: Readonly<Record<string, unknown>>;
  /** Runs `--list-tasks` first so progress can say "task N/M" (one more ansible start, ~1-2 s). */
  countTasks?: boolean;
  /** Overrides the stdout callback (ansible.posix.jsonl by default). */
  stdoutCallback?: string;
}

export type AnsibleAttempt = { refused: true; refusal: AnsibleRefusal } | { refused: false; result: AnsibleRunResult };

const LIST_TASKS_TIMEOUT_MS = 120_000;
const MISSING_CALLBACK = /Invalid callback for stdout specified/;

/** Validates, then runs; a refused request starts no process at all. */
export async function runAllowListedPlaybook(
  deps: AnsibleRunDeps,
  entry: PlaybookEntry,
  request: AnsibleRequest,
  actor: { isAdmin: boolean },
  options: AnsibleRunOptions,
): Promise<AnsibleAttempt> {
  const validation = validateAnsibleRequest(entry, request, actor);
  if (!validation.ok) return { refused: true, refusal: validation.refusal };
  return { refused: false, result: await runAnsiblePlaybook(deps, entry, validation.request, options) };
}

/** Runs one allow-listed playbook and reads its output into a typed result. */
async function runAnsiblePlaybook(
  deps: AnsibleRunDeps,
  entry: PlaybookEntry,
  request: ValidatedAnsibleRequest,
  options: AnsibleRunOptions,
): Promise<AnsibleRunResult> {
  const secrets = Object.values(options.secretEnv ?? {});
  const clean = (text: string): string => scrub(text, secrets);
  const argvOptions: AnsibleArgvOptions = {
    extraVarsFiles: options.extraVarsFiles,
    extraVars: options.extraVars,
    secretEnv: options.secretEnv,
    env: deps.env,
    stdoutCallback: options.stdoutCallback,
  };
  const started = performance.now();

  let totalTasks: number | undefined;
  if (options.countTasks === true) {
    totalTasks = await countTasks(deps, entry, request, argvOptions, options);
  }

  const run = (stdoutCallback: string | undefined) =>
    runOnce(deps, entry, request, { ...argvOptions, stdoutCallback }, options, clean, totalTasks);
  let attempt = await run(options.stdoutCallback);
  if (
    attempt.proc.exitCode === 1 &&
    options.stdoutCallback !== 'default' &&
    MISSING_CALLBACK.test(attempt.proc.stderr)
  ) {
    // ansible.posix missing: nothing ran yet, so running again with the default callback is safe.
    attempt = await run('default');
  }

  const { proc: result, parser } = attempt;
  const parsed = parser.summary();
  const outcome = classifyAnsibleExit(result, parsed);
  const errorMessage =
    outcome === 'ok' || outcome === 'canceled' || outcome === 'timeout'
      ? undefined
      : ansibleErrorMessage(result.stderr);
  return {
    playbook: entry.name,
    outcome,
    exitCode: result.exitCode,
    check: request.check,
    stats: parsed.stats ?? {},
    failedTasks: parsed.failedTasks,
    tasksStarted: parsed.tasksStarted,
    ...(totalTasks !== undefined ? { totalTasks } : {}),
    ...(errorMessage !== undefined ? { errorMessage: clean(errorMessage) } : {}),
    outputFormat: parsed.format,
    durationMs: Math.round(performance.now() - started),
  };
}

async function runOnce(
  deps: AnsibleRunDeps,
  entry: PlaybookEntry,
  request: ValidatedAnsibleRequest,
  argvOptions: AnsibleArgvOptions,
  options: AnsibleRunOptions,
  clean: (text: string) => string,
  totalTasks: number | undefined,
): Promise<{ proc: ProcessResult; parser: AnsibleOutputParser }> {
  const invocation = buildAnsibleInvocation(deps.paths, entry, request, argvOptions);
  const parser = new AnsibleOutputParser({ totalTasks, clean });
  const onProgress = options.onProgress;
  const proc = await deps.runner({
    ...invocation,
    timeoutMs: options.timeoutMs,
    killAfterMs: options.killAfterMs,
    signal: options.signal,
    onStdoutLine: (line) => {
      for (const progress of parser.feed(line)) {
        try {
          onProgress?.(progress);
        } catch {
          // Progress is best-effort: a failed chat update must not break the parse of the run.
        }
      }
    },
  });
  // Runners that do not stream (test doubles) still get their output parsed.
  if (parser.summary().format === 'none' && proc.stdout !== '') {
    for (const line of proc.stdout.split('\n')) parser.feed(line);
  }
  return { proc, parser };
}

/** Counts the tasks `--list-tasks` shows; an estimate (handlers, rescues and loops differ). */
async function countTasks(
  deps: AnsibleRunDeps,
  entry: PlaybookEntry,
  request: ValidatedAnsibleRequest,
  argvOptions: AnsibleArgvOptions,
  options: AnsibleRunOptions,
): Promise<number | undefined> {
  const invocation = buildAnsibleInvocation(deps.paths, entry, request, {
    ...argvOptions,
    listTasks: true,
  });
  const result = await deps.runner({
    ...invocation,
    timeoutMs: Math.min(options.timeoutMs, LIST_TASKS_TIMEOUT_MS),
    killAfterMs: options.killAfterMs,
    signal: options.signal,
  });
  if (result.exitCode !== 0) return undefined;
  return countListedTasks(result.stdout);
}

/** `--list-tasks` prints each task as "      NAME\tTAGS: [...]" under its play. */
function countListedTasks(stdout: string): number {
  return stdout.split('\n').filter((line) => line.includes('\tTAGS: [') && !/^\s*play #\d+/.test(line)).length;
}
