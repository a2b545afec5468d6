/**
 * The probe port. Samples are the plain-data shapes probes produce, ready to be stored (JSON or
 * columns) and compared against thresholds. No classes, no Dates: ISO strings only.
 */

/** One mounted filesystem as `df -P -k` reports it, in bytes. */
export interface MountUsage {
  filesystem: string;
  type: string;
  mountPoint: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** df's own Capacity column (used / (used + available), reserved blocks excluded). */
  usedPercent: number | null;
  /** Null when `df -i` failed or did not list this mount. */
  inodes: InodeUsage | null;
}

export interface InodeUsage {
  total: number;
  used: number;
  free: number;
  /** Null for filesystems without a fixed inode table (btrfs, vfat report 0 / "-"). */
  usedPercent: number | null;
}

export interface DiskSample {
  mounts: MountUsage[];
  /** Set when df could not read some filesystem (its first complaint); the others are listed. */
  partial: string | null;
}

export interface MemorySample {
  totalBytes: number;
  availableBytes: number;
  /** True on kernels older than 3.14 (no MemAvailable): estimated as free + buffers + cached. */
  availableEstimated: boolean;
  usedPercent: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  /** Null when the host has no swap. */
  swapUsedPercent: number | null;
}

export interface LoadSample {
  load1: number;
  load5: number;
  load15: number;
  /** Online CPUs of the whole machine (what the load average is measured against). */
  cores: number;
  load1PerCore: number;
  load5PerCore: number;
  load15PerCore: number;
  runnable: number;
  processes: number;
}

export interface FailedUnit {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
}

export type SystemdSample =
  | { status: 'ok'; source: 'json' | 'plain'; failed: FailedUnit[] }
  /** systemctl missing or the host not booted with systemd: not an error, nothing to watch. */
  | { status: 'unavailable'; reason: string };

export interface LuksTargetState {
  name: string;
  mapper: string;
  mount: string;
  /** Null when neither cryptsetup nor /dev/mapper could tell. */
  open: boolean | null;
  openCheckedBy: 'cryptsetup' | 'dev-mapper' | null;
  /** Why `open` is null, or why the /dev/mapper fallback was used. */
  openNote: string | null;
  mounted: boolean;
  /** The device mounted at `mount` (e.g. /dev/mapper/NAME), null when not mounted. */
  mountSource: string | null;
}

export interface LuksSample {
  targets: LuksTargetState[];
}

export interface CertificateSample {
  source: 'server' | 'file';
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  serialNumber: string;
  fingerprint256: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter, rounded down; negative once expired. */
  daysLeft: number;
  /** Server certificates only: did the chain and host name verify (null for files). */
  chain: { valid: boolean; error: string | null } | null;
  /** Server certificates only: the SNI name sent (null for files or IP targets). */
  servername: string | null;
}

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

/** The newest stored LUKS sample of a host that carries unlock targets. */
export interface StoredLuksReport {
  host: string;
  takenAt: string;
  result: ProbeOutcome<LuksSample>;
}

/** Measures hosts and certificates now, and stores every sample with its time. */
export interface ProbeService {
  /** Configured host names, in config order. */
  hosts(): string[];
  probeHosts(hosts: readonly string[], signal: AbortSignal): Promise<HostProbeReport[]>;
  checkCertificates(signal: AbortSignal): Promise<CertificateReport[]>;
  /**
   * The newest stored check of each configured certificate, without any
   * network work (for the digest); `rank` and `daysLeft` are as of now.
   * Certificates never checked are left out.
   */
  storedCertificates(): Promise<CertificateReport[]>;
  /** The newest stored LUKS sample of each host carrying unlock targets, without probing; never probed ones left out. */
  storedLuks(): Promise<StoredLuksReport[]>;
  /** Configured warn/crit levels (`disk`, `inodes`, `memory`, `swap`, `load`), for marking values in replies. */
  thresholds?(): Readonly<Record<string, Threshold>>;
}

/** Percent for disk, memory and swap; load average per core for load. */
export interface Threshold {
  warn: number;
  crit: number;
}
