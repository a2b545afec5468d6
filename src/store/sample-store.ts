import type {
  CertificateReport,
  CertificateSample,
  DiskSample,
  HostProbeReport,
  LoadSample,
  LuksSample,
  MemorySample,
  ProbeOutcome,
  SystemdSample,
} from '../core/ports/probes.js';
import type { Db } from './database.js';

/** What each kind of row holds in `data`. */
export interface SampleData {
  disk: DiskSample;
  memory: MemorySample;
  load: LoadSample;
  systemd: SystemdSample;
  luks: LuksSample;
  certificate: CertificateSample;
}

export type SampleKind = keyof SampleData;

const SAMPLE_KINDS: readonly SampleKind[] = ['disk', 'memory', 'load', 'systemd', 'luks', 'certificate'];

/** One probe's result as stored: `host` is the host name, or the certificate's URL or file path. */
export interface StoredSample<K extends SampleKind = SampleKind> {
  id: number;
  host: string;
  kind: K;
  takenAt: string;
  outcome: ProbeOutcome<SampleData[K]>;
}

export interface NewSample {
  host: string;
  kind: SampleKind;
  takenAt: string;
  outcome: ProbeOutcome<unknown>;
}

interface SampleRow {
  id: number;
  host: string;
  kind: SampleKind;
  taken_at: string;
  ok: number;
  data: string | null;
  error: string | null;
}

// Errors are already short; the bound keeps a surprise (a long path, say) from bloating every row.
const MAX_ERROR_LENGTH = 500;

function toSample<K extends SampleKind>(r: SampleRow): StoredSample<K> {
  const outcome: ProbeOutcome<SampleData[K]> =
    r.ok === 1 && r.data !== null
      ? { ok: true, sample: JSON.parse(r.data) as SampleData[K] }
      : { ok: false, error: r.error ?? 'unknown error' };
  return { id: r.id, host: r.host, kind: r.kind as K, takenAt: r.taken_at, outcome };
}

/** The samples of one host report, one per probe that ran. */
function hostReportSamples(report: HostProbeReport): NewSample[] {
  const { host, takenAt } = report;
  const samples: NewSample[] = [
    { host, takenAt, kind: 'disk', outcome: report.disk },
    { host, takenAt, kind: 'memory', outcome: report.memory },
    { host, takenAt, kind: 'load', outcome: report.load },
    { host, takenAt, kind: 'systemd', outcome: report.systemd },
  ];
  if (report.luks) samples.push({ host, takenAt, kind: 'luks', outcome: report.luks });
  return samples;
}

function certificateReportSample(report: CertificateReport): NewSample {
  return { host: report.target, kind: 'certificate', takenAt: report.takenAt, outcome: report.result };
}

/** The numbers of one sample the monthly report reads (see migration 8's `sample_points`). */
function samplePoints(s: NewSample): { kind: string; name: string; value: number }[] {
  const { outcome } = s;
  if (s.kind === 'disk') {
    const reach = { kind: 'reach', name: '', value: outcome.ok ? 1 : 0 };
    if (!outcome.ok) return [reach];
    const mounts = (outcome.sample as Partial<DiskSample>).mounts ?? [];
    return [reach, ...mounts.map((m) => ({ kind: 'disk', name: m.mountPoint, value: m.usedPercent }))].filter(isNumber);
  }
  if (!outcome.ok) return [];
  if (s.kind === 'memory')
    return [{ kind: 'memory', name: '', value: (outcome.sample as MemorySample).usedPercent }].filter(isNumber);
  if (s.kind === 'load')
    return [{ kind: 'load', name: '', value: (outcome.sample as LoadSample).load1PerCore }].filter(isNumber);
  return [];
}

/** df shows "-" for some filesystems (usedPercent null): such a mount has no point. */
function isNumber<P extends { value: unknown }>(p: P): p is P & { value: number } {
  return typeof p.value === 'number' && Number.isFinite(p.value);
}

/**
 * Probe samples: every measurement is kept with its time, failed ones
 * included (a host that stopped answering is news too), for alerts, the
 * digest and the monthly report.
 */
export class SampleStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Adds samples in one transaction: a report is stored whole or not at all. Returns how many.
   * The numbers the monthly report reads go to `sample_points` with them.
   */
  add(samples: readonly NewSample[]): number {
    const insert = this.#db.prepare(
      'INSERT INTO probe_samples (host, kind, taken_at, ok, data, error) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const point = this.#db.prepare(
      'INSERT INTO sample_points (kind, taken_at, host, name, value) VALUES (?, ?, ?, ?, ?)',
    );
    this.#db.transaction(() => {
      for (const s of samples) {
        const { outcome } = s;
        insert.run(
          s.host,
          s.kind,
          s.takenAt,
          outcome.ok ? 1 : 0,
          outcome.ok ? JSON.stringify(outcome.sample) : null,
          outcome.ok ? null : outcome.error.slice(0, MAX_ERROR_LENGTH),
        );
        for (const p of samplePoints(s)) point.run(p.kind, s.takenAt, s.host, p.name, p.value);
      }
    })();
    return samples.length;
  }

  addHostReports(reports: readonly HostProbeReport[]): number {
    return this.add(reports.flatMap(hostReportSamples));
  }

  addCertificateReports(reports: readonly CertificateReport[]): number {
    return this.add(reports.map(certificateReportSample));
  }

  /** The newest sample of one kind for a host (or certificate target). */
  latest<K extends SampleKind>(host: string, kind: K): StoredSample<K> | undefined {
    const row = this.#db
      .prepare('SELECT * FROM probe_samples WHERE host = ? AND kind = ? ORDER BY taken_at DESC, id DESC LIMIT 1')
      .get(host, kind) as SampleRow | undefined;
    return row && toSample<K>(row);
  }

  /** The newest sample of every kind for a host, in SAMPLE_KINDS order. */
  latestByKind(host: string): StoredSample[] {
    const rows = this.#db
      .prepare(
        `SELECT id, host, kind, taken_at, ok, data, error FROM (
           SELECT *, row_number() OVER (PARTITION BY kind ORDER BY taken_at DESC, id DESC) AS rank
           FROM probe_samples WHERE host = ?
         ) WHERE rank = 1`,
      )
      .all(host) as SampleRow[];
    return rows.map((r) => toSample(r)).sort((a, b) => SAMPLE_KINDS.indexOf(a.kind) - SAMPLE_KINDS.indexOf(b.kind));
  }

  /** Samples of one kind for a host taken in [from, to), oldest first: for reports. */
  between<K extends SampleKind>(host: string, kind: K, from: string, to: string): StoredSample<K>[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM probe_samples WHERE host = ? AND kind = ? AND taken_at >= ? AND taken_at < ?
         ORDER BY taken_at, id`,
      )
      .all(host, kind, from, to) as SampleRow[];
    return rows.map((r) => toSample<K>(r));
  }
}
