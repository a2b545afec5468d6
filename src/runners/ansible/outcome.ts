import type { AnsibleOutcome } from '../../core/ports/ansible.js';
import type { ProcessResult } from '../process.js';
import { type ParsedAnsibleOutput, shorten } from './progress.js';

type ExitFacts = Pick<ProcessResult, 'exitCode' | 'signal' | 'stderr' | 'timedOut' | 'isCanceled' | 'failedToStart'>;

/** Maps an exit code to an outcome, reading the output where the code is ambiguous. */
export function classifyAnsibleExit(result: ExitFacts, parsed: ParsedAnsibleOutput): AnsibleOutcome {
  if (result.failedToStart) return 'failed_to_start';
  if (result.isCanceled) return 'canceled';
  if (result.timedOut) return 'timeout';
  switch (result.exitCode) {
    case 0:
      return 'ok';
    case 1:
      return 'error';
    case 2:
      // A play ran and a host failed, or argparse refused the command line.
      if (hasFailures(parsed)) return 'host_failed';
      return isUsageError(result.stderr) ? 'bad_option' : 'host_failed';
    case 4:
      // The same code for "a host was unreachable" and "the playbook could not be parsed".
      return hasUnreachable(parsed) ? 'unreachable' : 'parse_error';
    case 5:
      return 'bad_option';
    case 99:
      return 'interrupted';
    case undefined:
      // Killed by a signal someone else sent.
      return result.signal ? 'interrupted' : 'unknown';
    default:
      return 'unknown';
  }
}

/**
 * The short error ansible printed (its "ERROR! …" line, plus where a parse
 * error is, or argparse's "error:" line); never the whole stderr.
 */
export function ansibleErrorMessage(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  const errorLine = lines.find((l) => l.startsWith('ERROR!'));
  if (errorLine !== undefined) {
    const where = lines.find((l) => l.startsWith('The error appears to be in'));
    return shorten(where ? `${errorLine} ${where}` : errorLine, 300);
  }
  const usage = lines.find((l) => /^ansible-playbook: error: /.test(l));
  return usage !== undefined ? shorten(usage, 300) : undefined;
}

function hasFailures(parsed: ParsedAnsibleOutput): boolean {
  if (parsed.failedTasks.some((f) => !f.unreachable)) return true;
  return Object.values(parsed.stats ?? {}).some((s) => s.failed > 0);
}

function hasUnreachable(parsed: ParsedAnsibleOutput): boolean {
  if (parsed.failedTasks.some((f) => f.unreachable)) return true;
  return Object.values(parsed.stats ?? {}).some((s) => s.unreachable > 0);
}

function isUsageError(stderr: string): boolean {
  return /^ansible-playbook: error: /m.test(stderr);
}
