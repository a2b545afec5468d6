import type { Config } from './config/schema.js';
import type { OperationsService } from './core/ports/operations.js';
import type { ProbeService } from './core/ports/probes.js';

/*
 * The probe and operation services pull in every probe, the Ansible runner and
 * cryptsetup steps: dozens of modules a cached `detour run "backup status"`
 * never needs. These stand-ins answer what the config alone knows and load
 * the real service on first real use.
 */

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

export function lazyProbeService(config: Config, load: () => Promise<ProbeService>): ProbeService {
  const real = once(load);
  return {
    hosts: () => Object.keys(config.hosts),
    thresholds: () => config.thresholds,
    probeHosts: async (hosts, signal) => (await real()).probeHosts(hosts, signal),
    checkCertificates: async (signal) => (await real()).checkCertificates(signal),
  };
}

export function lazyOperations(config: Config, load: () => Promise<OperationsService>): OperationsService {
  const real = once(load);
  return {
    playbooks: () => Object.keys(config.ansible?.playbooks ?? {}),
    unlockTargets: () => Object.keys(config.unlock),
    runPlaybook: async (request, by, options) => (await real()).runPlaybook(request, by, options),
    jobs: async () => (await real()).jobs(),
    cancelJob: async (id, by) => (await real()).cancelJob(id, by),
    unlock: async (target, passphrase, options) => (await real()).unlock(target, passphrase, options),
  };
}
