import { execaRunner } from '../../src/runners/execa-runner.js';
import type { ProcessRequest, ProcessRunner } from '../../src/runners/process.js';

/** The real runner, with extra environment (BORG_BASE_DIR…) and a record of every request. */
export function recordingRunner(extraEnv: Record<string, string> = {}): ProcessRunner & { requests: ProcessRequest[] } {
  const requests: ProcessRequest[] = [];
  const run = (async (request: ProcessRequest) => {
    requests.push(request);
    return execaRunner({ ...request, env: { ...extraEnv, ...request.env } });
  }) as ProcessRunner & { requests: ProcessRequest[] };
  run.requests = requests;
  return run;
}
