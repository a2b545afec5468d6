import { dirname } from 'node:path';
import type { Secret } from '../../src/core/secret.js';
import type { ProcessRequest, ProcessRunner } from '../../src/runners/process.js';

export interface RecordedCall {
  argv: string[];
  stdin: string | Secret | undefined;
  request: ProcessRequest;
}

/** Wraps a runner and keeps every request it was given, in order. */
export function recordingRunner(inner: ProcessRunner): { run: ProcessRunner; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const run: ProcessRunner = (request) => {
    calls.push({ argv: [request.file, ...request.args], stdin: request.stdin, request });
    return inner(request);
  };
  return { run, calls };
}

/** A runner whose children also search DIRS (e.g. /usr/sbin for cryptsetup when PATH lacks it). */
export function extendPathRunner(inner: ProcessRunner, dirs: readonly string[]): ProcessRunner {
  const path = [process.env.PATH ?? '', ...dirs].filter(Boolean).join(':');
  return (request) => inner({ ...request, env: { ...request.env, PATH: path } });
}

export interface FixturePathOptions {
  /** Folder of fixture executables, put first on PATH. */
  binDir: string;
  /** Where the fixtures keep their call log and state (FIXTURE_STATE). */
  stateDir: string;
  /** The real cryptsetup the fixture hands --test-passphrase to. */
  realCryptsetup?: string;
  /** FIXTURE_* switches for this test. */
  env?: Record<string, string>;
}

/** A runner that finds the fixture executables before the real ones, through PATH only. */
export function fixturePathRunner(inner: ProcessRunner, options: FixturePathOptions): ProcessRunner {
  const realDirs = options.realCryptsetup ? [dirname(options.realCryptsetup)] : [];
  const path = [options.binDir, process.env.PATH ?? '', ...realDirs].filter(Boolean).join(':');
  return (request) =>
    inner({
      ...request,
      env: {
        ...request.env,
        PATH: path,
        FIXTURE_STATE: options.stateDir,
        ...(options.realCryptsetup ? { FIXTURE_REAL_CRYPTSETUP: options.realCryptsetup } : {}),
        ...options.env,
      },
    });
}

/** Calls whose argv or plain-string stdin holds `secret`: must always be empty. */
export function callsLeaking(calls: readonly RecordedCall[], secret: string): RecordedCall[] {
  return calls.filter(
    (c) => c.argv.some((a) => a.includes(secret)) || (typeof c.stdin === 'string' && c.stdin.includes(secret)),
  );
}
