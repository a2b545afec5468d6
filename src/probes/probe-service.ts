import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { DetourError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type {
  CertificateReport,
  CertificateSample,
  HostProbeReport,
  ProbeOutcome,
  ProbeService,
  StoredLuksReport,
} from '../core/ports/probes.js';
import type { HostRegistry } from '../hosts/host-registry.js';
import type { SampleStore } from '../store/sample-store.js';
import { daysUntil, rankCertificate } from './certificate-info.js';
import { checkCertificateFile, checkServerCertificate } from './certificates.js';
import { probeDisk } from './disk.js';
import { type HostAccess, localStat } from './host-access.js';
import { probeLoad } from './load.js';
import { type LuksTarget, probeLuks } from './luks-state.js';
import { probeMemory } from './memory.js';
import type { ProbeError, ProbeResult } from './probe-error.js';
import { probeSystemd } from './systemd.js';

export interface ProbeServiceDeps {
  config: Config;
  hosts: HostRegistry;
  store: SampleStore;
  now: () => Date;
  logger: Logger;
  /** A CA (PEM) trusted for server certificates besides Node's roots: a private CA, or the tests'. */
  extraCa?: string;
}

// Lets a probe's own timeout (per command, with its precise message) answer before the overall deadline.
const DEADLINE_GRACE_MS = 1_000;
const MAX_ERROR_LENGTH = 300;

/**
 * Probes hosts and certificates now and stores every sample. Nothing here
 * throws for a host or certificate that fails: each probe answers with its
 * sample or a short error, within the configured timeout.
 */
export function createProbeService(deps: ProbeServiceDeps): ProbeService {
  const { config, hosts, store, now, logger } = deps;
  const timeoutMs = config.probes.timeout;
  const extraCa = deps.extraCa === undefined ? undefined : [deps.extraCa];

  const luksTargets = (host: string): LuksTarget[] =>
    Object.entries(config.unlock)
      .filter(([, u]) => u.host === host)
      .map(([name, u]) => ({ name, mapper: u.mapper, mount: u.mount }));

  async function probeHost(host: string, signal: AbortSignal): Promise<HostProbeReport> {
    const takenAt = now().toISOString();
    const access = hosts.accessFor(host);
    const targets = luksTargets(host);
    const run = <T>(probe: string, body: (s: AbortSignal) => Promise<ProbeResult<T>>) =>
      bounded(probe, body, { signal, timeoutMs, logger: logger.child({ host, probe }) });
    const cryptsetup = [...hosts.privilegePrefix(host), 'cryptsetup'];
    const [disk, memory, load, systemd, luks] = await Promise.all([
      run('disk', (s) => probeDisk(access, { timeoutMs, signal: s })),
      run('memory', () => probeMemory(access)),
      run('load', () => probeLoad(access)),
      run('systemd', (s) => probeSystemd(access, { timeoutMs, signal: s })),
      targets.length === 0
        ? undefined
        : run('luks', (s) => probeLuks(access, targets, { timeoutMs, signal: s, cryptsetup })),
    ]);
    return { host, takenAt, disk, memory, load, systemd, ...(luks ? { luks } : {}) };
  }

  async function checkOne(
    target: Config['certificates'][number],
    signal: AbortSignal,
    files: HostAccess,
  ): Promise<CertificateReport> {
    const takenAt = now().toISOString();
    const label = 'url' in target ? target.url : target.file;
    const result = await bounded(
      'certificates',
      () =>
        'url' in target
          ? checkServerCertificate({ url: target.url }, { now, timeoutMs, extraCa })
          : checkCertificateFile(files, target.file, { now }),
      { signal, timeoutMs, logger: logger.child({ certificate: label }) },
    );
    const rank = result.ok
      ? rankCertificate(result, { warnDays: config.probes.certificateWarnDays, now: now() })
      : 'error';
    return { target: label, takenAt, result, rank };
  }

  function save(what: string, write: () => number): void {
    try {
      const count = write();
      logger.debug({ count }, `${what} samples stored`);
    } catch (error) {
      // The measurement still answers the person who asked; the gap shows in the history.
      logger.error({ err: error }, `cannot store ${what} samples`);
    }
  }

  return {
    hosts: () => hosts.names(),
    thresholds: () => config.thresholds,

    async probeHosts(names, signal) {
      const known = hosts.names();
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length > 0) {
        throw new DetourError(
          'unknown_host',
          `unknown host "${unknown[0]}". Known hosts: ${known.join(', ') || 'none'}.`,
        );
      }
      const scope = scopeOf(signal);
      try {
        const reports = await mapWithLimit(names, config.probes.concurrency, (host) => probeHost(host, scope.signal));
        save('host', () => store.addHostReports(reports));
        return reports;
      } finally {
        scope.dispose();
      }
    },

    async storedCertificates() {
      const at = now();
      return config.certificates.flatMap((target): CertificateReport[] => {
        const label = 'url' in target ? target.url : target.file;
        const stored = store.latest(label, 'certificate');
        if (!stored) return [];
        // Days left as of now: the check may be a day old.
        const result: ProbeOutcome<CertificateSample> = stored.outcome.ok
          ? {
              ok: true,
              sample: { ...stored.outcome.sample, daysLeft: daysUntil(new Date(stored.outcome.sample.notAfter), at) },
            }
          : stored.outcome;
        const rank = result.ok
          ? rankCertificate(result, { warnDays: config.probes.certificateWarnDays, now: at })
          : 'error';
        return [{ target: label, takenAt: stored.takenAt, result, rank }];
      });
    },

    async storedLuks() {
      const carriers = [...new Set(Object.values(config.unlock).map((u) => u.host))];
      return carriers.flatMap((host): StoredLuksReport[] => {
        const stored = store.latest(host, 'luks');
        return stored ? [{ host, takenAt: stored.takenAt, result: stored.outcome }] : [];
      });
    },

    async checkCertificates(signal) {
      const scope = scopeOf(signal);
      try {
        const reports = await Promise.all(config.certificates.map((c) => checkOne(c, scope.signal, botFiles)));
        save('certificate', () => store.addCertificateReports(reports));
        return reports;
      } finally {
        scope.dispose();
      }
    },
  };
}

/** Certificate files are read on the machine the bot runs on. */
const botFiles: HostAccess = {
  exec: () => Promise.reject(new DetourError('no_exec', 'certificate files are only read')),
  readFile: (path) => readFile(path, 'utf8'),
  stat: localStat,
};

/**
 * One signal for every probe of a call, following the caller's: each probe
 * listens to it, and 20 hosts × 5 probes would otherwise trip Node's
 * listener-leak warning on the caller's signal.
 */
function scopeOf(parent: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = (): void => controller.abort();
  parent.addEventListener('abort', forward, { once: true });
  if (parent.aborted) forward();
  return { signal: controller.signal, dispose: () => parent.removeEventListener('abort', forward) };
}

interface BoundedOptions {
  signal: AbortSignal;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Runs one probe within its deadline. Past the deadline the probe's commands
 * are cancelled and the answer is a timeout, even if some step (an SSH
 * handshake to a silent host, a remote read) has not noticed yet.
 */
async function bounded<T>(
  probe: string,
  body: (signal: AbortSignal) => Promise<ProbeResult<T>>,
  options: BoundedOptions,
): Promise<ProbeOutcome<T>> {
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  options.signal.addEventListener('abort', cancel, { once: true });
  if (options.signal.aborted) cancel();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProbeOutcome<T>>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, error: `${probe}: no answer within ${options.timeoutMs} ms` });
      controller.abort();
    }, options.timeoutMs + DEADLINE_GRACE_MS);
  });
  const canceled = new Promise<ProbeOutcome<T>>((resolve) => {
    const answer = (): void => resolve({ ok: false, error: `${probe}: canceled` });
    if (controller.signal.aborted) answer();
    else controller.signal.addEventListener('abort', answer, { once: true });
  });
  const work = body(controller.signal).then(
    (result): ProbeOutcome<T> =>
      result.ok ? { ok: true, sample: result.sample } : { ok: false, error: describeError(result.error) },
    (error: unknown): ProbeOutcome<T> => {
      // Probes only throw on a bug; it must not cost the other probes their answers.
      options.logger.error({ err: error }, 'probe crashed');
      return { ok: false, error: `${probe}: internal error` };
    },
  );
  try {
    // The work first: a probe that settled as the deadline passed keeps its own answer.
    return await Promise.race([work, deadline, canceled]);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', cancel);
  }
}

/**
 * A short, secret-free line. When the host itself could not be reached, the
 * SSH error says why (refused, unknown host key) better than "cannot read
 * /proc/meminfo"; its messages name hosts, users and paths, never keys.
 */
function describeError(error: ProbeError): string {
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    // By its code, not its class: importing the SSH library here would load it for every bot.
    if (cause instanceof DetourError && cause.code.startsWith('ssh_')) return truncate(cause.message);
    cause = cause.cause;
  }
  return truncate(error.message);
}

function truncate(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}

/** Like Promise.all over `items`, with at most `limit` calls running at once; results in input order. */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
