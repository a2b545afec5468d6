/**
 * Commands on other machines over SSH: a pool keeping one connection per
 * host, key authentication only, host keys checked against known_hosts.
 * The pieces live in ./ssh/; this is what the rest of the code imports.
 */
import { DetourError } from '../core/errors.js';
import type { ProcessRequest, ProcessResult, ProcessRunner } from './process.js';
import type { SshPool } from './ssh/pool.js';

export type { SshHostConfig } from './ssh/connect.js';
export { SshError } from './ssh/errors.js';
export { SshPool } from './ssh/pool.js';
export type { SshPoolOptions } from './ssh/types.js';

/** Locale variables are not secret: they travel as an `env` prefix of the remote command. */
const LOCALE_VARIABLES = /^(LANG|LANGUAGE|LC_[A-Z]+)$/;

/**
 * The ProcessRunner port on one host of the pool, so runners written for a
 * local process (cryptsetup, probes) work remotely unchanged. Other
 * environment variables are refused: sshd drops them unless AcceptEnv allows
 * it, and putting them in the command line would expose secrets in the
 * remote process list.
 */
export function sshProcessRunner(pool: SshPool, hostName: string): ProcessRunner {
  return async (req: ProcessRequest): Promise<ProcessResult> => {
    const env = Object.entries(req.env ?? {});
    const refused = env.filter(([name]) => !LOCALE_VARIABLES.test(name)).map(([name]) => name);
    if (refused.length > 0) {
      throw new DetourError(
        'ssh_env_unsupported',
        `cannot pass ${refused.join(', ')} to ${req.file} on ${hostName} over SSH; use stdin`,
      );
    }
    const prefix = env.length > 0 ? ['env', ...env.map(([name, value]) => `${name}=${value}`)] : [];
    return pool.exec(hostName, [...prefix, req.file, ...req.args], {
      stdin: req.stdin,
      cwd: req.cwd,
      timeoutMs: req.timeoutMs,
      killAfterMs: req.killAfterMs,
      signal: req.signal,
      onStdoutLine: req.onStdoutLine,
    });
  };
}
