import type { BackupFigures, MonthlyReportData, MountFigures } from '../../src/core/ports/report.js';

/**
 * Monthly report figures for the chart tests: only mounts and backups carry data, the other
 * figures are empty. Bounds are in UTC (the month in a UTC+0 zone).
 */

/** The days of a month, `YYYY-MM-DD`, from the 1st to the `count`th, without those in `skip`. */
export function days(month: string, count: number, skip: number[] = []): string[] {
  return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`).filter(
    (_, i) => !skip.includes(i + 1),
  );
}

export function mount(host: string, path: string, percents: { day: string; percent: number }[]): MountFigures {
  return { host, mount: path, start: null, end: null, peak: null, daily: percents };
}

export function backup(name: string, sizes: { day: string; bytes: number }[]): BackupFigures {
  return {
    name,
    type: 'borg',
    archives: sizes.length,
    missedDays: [],
    sizeStartBytes: sizes[0]?.bytes ?? null,
    sizeEndBytes: sizes.at(-1)?.bytes ?? null,
    lastCheck: null,
    sizes,
  };
}

export function report(month: string, mounts: MountFigures[], backups: BackupFigures[]): MonthlyReportData {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return {
    month,
    from: new Date(Date.UTC(year, m - 1, 1)).toISOString(),
    to: new Date(Date.UTC(year, m, 1)).toISOString(),
    builtAt: new Date(Date.UTC(year, m, 1, 9)).toISOString(),
    activity: { rows: [], runs: 0, ok: 0, failed: 0, refused: 0, ansibleRuns: 0, ansibleFailed: 0, failures: [] },
    backups,
    mounts,
    hosts: [],
    incidents: { fired: 0, resolved: 0, timeInAlertMs: 0, longest: null, byKind: [], unlocks: [] },
    certificates: { renewed: [], expiringNextMonth: [] },
  };
}

/** November 2026: two disks of one host, two repositories (GiB), each rising through the month. */
export function november(): MonthlyReportData {
  const month = '2026-11';
  return report(
    month,
    [
      mount(
        'web',
        '/',
        days(month, 30).map((day, i) => ({ day, percent: 20 + i })),
      ),
      mount(
        'web',
        '/var',
        days(month, 30).map((day, i) => ({ day, percent: 60 + i / 2 })),
      ),
    ],
    [
      backup(
        'borg-main',
        days(month, 30).map((day, i) => ({ day, bytes: 40 * 2 ** 30 + i * 2 ** 28 })),
      ),
      backup(
        'restic-offsite',
        days(month, 30).map((day, i) => ({ day, bytes: 30 * 2 ** 30 + i * 2 ** 28 })),
      ),
    ],
  );
}
