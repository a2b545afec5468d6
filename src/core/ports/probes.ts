import type {
  CertificateSample,
  DiskSample,
  LoadSample,
  LuksSample,
  MemorySample,
  SystemdSample,
} from '../../probes/sample.js';

/** One probe's result on one host: its sample, or why there is none (short, secret-free). */
export type ProbeOutcome<T> = { ok: true; sample: T } | { ok: false; error: string };

export interface HostProbeReport {
  host: string;
  takenAt: string;
  disk: ProbeOutcome<DiskSample>;
  memory: ProbeOutcome<MemorySample>;
  load: ProbeOutcome<LoadSample>;
  systemd: ProbeOutcome<SystemdSample>;
  /** Only for hosts that carry unlock targets. */
  luks?: ProbeOutcome<LuksSample>;
}

export interface CertificateReport {
  /** The URL or file path as configured. */
  target: string;
  takenAt: string;
  result: ProbeOutcome<CertificateSample>;
  rank: 'ok' | 'warn' | 'expired' | 'error';
}

/** Measures hosts and certificates now, and stores every sample with its time. */
export interface ProbeService {
  /** Configured host names, in config order. */
  hosts(): string[];
  probeHosts(hosts: readonly string[], signal: AbortSignal): Promise<HostProbeReport[]>;
  checkCertificates(signal: AbortSignal): Promise<CertificateReport[]>;
  /** Configured warn/crit levels (`disk`, `inodes`, `memory`, `swap`, `load`), for marking values in replies. */
  thresholds?(): Readonly<Record<string, Threshold>>;
}

/** Percent for disk, memory and swap; load average per core for load. */
export interface Threshold {
  warn: number;
  crit: number;
}
