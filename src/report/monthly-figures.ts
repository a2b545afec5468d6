import type {
  ActivityFigures,
  BackupFigures,
  CertificateFigures,
  HostPeaks,
  IncidentFigures,
  MonthlyReportData,
  MountFigures,
} from '../core/ports/report.js';
import type { ReportRows } from '../store/report-store.js';
import { localDay, type MonthRange } from './month-range.js';

const SCHEDULER = 'scheduler';

/**
 * Turns the report queries' rows into the month's figures. What SQL cannot do well is done
 * here: local days of archive times, episodes clipped to the month, renewals.
 */
export function monthlyFigures(
  rows: ReportRows,
  range: MonthRange,
  next: MonthRange,
  options: { timeZone: string; builtAt: string },
): MonthlyReportData {
  // For the current month the figures stop now; a past month's end is its end.
  const end = options.builtAt < range.to ? options.builtAt : range.to;
  return {
    month: range.month,
    from: range.from,
    to: range.to,
    builtAt: options.builtAt,
    activity: activity(rows),
    backups: backups(rows, range, end, options.timeZone),
    mounts: mounts(rows),
    hosts: hosts(rows),
    incidents: incidents(rows, range, end, options.builtAt),
    certificates: certificates(rows, range, next),
  };
}

function activity(rows: ReportRows): ActivityFigures {
  const people = rows.activity.filter((r) => r.actor !== SCHEDULER);
  const jobs = rows.activity.filter((r) => r.actor === SCHEDULER);
  const sum = (list: typeof people, field: 'runs' | 'ok' | 'failed' | 'refused') =>
    list.reduce((total, r) => total + r[field], 0);
  const ansible = people.filter((r) => r.command === 'ansible run');
  return {
    rows: people,
    runs: sum(people, 'runs'),
    ok: sum(people, 'ok'),
    failed: sum(people, 'failed'),
    refused: sum(people, 'refused'),
    ansibleRuns: sum(ansible, 'runs'),
    ansibleFailed: sum(ansible, 'failed'),
    scheduled: { runs: sum(jobs, 'runs'), failed: sum(jobs, 'failed') },
    failures: rows.failures,
  };
}

function backups(rows: ReportRows, range: MonthRange, end: string, timeZone: string): BackupFigures[] {
  const byRepo = groupBy(rows.backupObservations, (o) => o.repo);
  return [...byRepo.entries()].map(([name, list]) => {
    const archiveTimes = new Set(
      list
        .filter((o) => o.outcome === 'ok' && o.last_archive_at !== null)
        .map((o) => o.last_archive_at as string)
        .filter((at) => at >= range.from && at < range.to),
    );
    const archiveDays = new Set([...archiveTimes].map((at) => localDay(at, timeZone)));
    // Days are counted from the first look at the repository, and only once they are over.
    const watchedFrom = localDay(list[0]?.observed_at ?? range.from, timeZone);
    const missedDays = range.days
      .filter(([day, , dayEnd]) => day >= watchedFrom && dayEnd <= end && !archiveDays.has(day))
      .map(([day]) => day);
    const sized = list.filter((o) => o.size_bytes !== null);
    const sizes = new Map<string, number>();
    for (const o of sized) sizes.set(localDay(o.observed_at, timeZone), o.size_bytes as number);
    const last = list[list.length - 1];
    return {
      name,
      type: list[0]?.type ?? '?',
      archives: archiveTimes.size,
      missedDays,
      sizeStartBytes: sized[0]?.size_bytes ?? null,
      sizeEndBytes: sized[sized.length - 1]?.size_bytes ?? null,
      lastCheck: last ? { at: last.observed_at, outcome: last.outcome } : null,
      sizes: [...sizes.entries()].map(([day, bytes]) => ({ day, bytes })),
    };
  });
}

function mounts(rows: ReportRows): MountFigures[] {
  const key = (r: { host: string; mount: string }) => `${r.host}\u0000${r.mount}`;
  const ends = groupBy(rows.diskEnds, key);
  return [...groupBy(rows.diskDaily, key).values()].map((daily) => {
    const { host, mount } = daily[0] as (typeof daily)[number];
    const top = daily.reduce((best, d) => (d.peak > best.peak ? d : best));
    const atEnds = ends.get(key({ host, mount })) ?? [];
    const first = atEnds.find((e) => e.is_first === 1 && e.percent !== null);
    const last = atEnds.findLast((e) => e.percent !== null);
    return {
      host,
      mount,
      start: first?.percent ?? null,
      end: last?.percent ?? null,
      peak: { percent: top.peak, at: top.at },
      daily: daily.map((d) => ({ day: d.day, percent: d.peak })),
    };
  });
}

function hosts(rows: ReportRows): HostPeaks[] {
  const names = new Set([...rows.hostSamples, ...rows.memoryPeaks, ...rows.loadPeaks].map((r) => r.host));
  return [...names].sort().map((host) => {
    const memory = rows.memoryPeaks.find((r) => r.host === host);
    const load = rows.loadPeaks.find((r) => r.host === host);
    const samples = rows.hostSamples.find((r) => r.host === host);
    return {
      host,
      memoryPeak: memory ? { percent: memory.peak, at: memory.at } : null,
      loadPeak: load ? { perCore: load.peak, at: load.at } : null,
      samples: samples?.samples ?? 0,
      failedSamples: samples?.failed ?? 0,
    };
  });
}

interface Episode {
  key: string;
  summary: string;
  start: number;
  end: number;
  ongoing: boolean;
}

function incidents(rows: ReportRows, range: MonthRange, end: string, builtAt: string): IncidentFigures {
  const from = Date.parse(range.from);
  const until = Date.parse(end);
  const fired = rows.alertEvents.filter((e) => e.event === 'fired');
  const episodes: Episode[] = [
    ...rows.alertEvents
      .filter((e) => e.event === 'resolved' && e.duration_ms !== null)
      .map((e) => {
        const stop = Date.parse(e.at);
        return { key: e.key, summary: e.summary, start: stop - (e.duration_ms as number), end: stop, ongoing: false };
      }),
    ...rows.alertsFiring.map((a) => ({
      key: a.key,
      summary: a.summary,
      start: Date.parse(a.fired_at),
      end: Date.parse(builtAt),
      ongoing: true,
    })),
  ].filter((e) => e.start < until && e.end > from);
  // Only the part of each episode inside the month counts as time in alert.
  const inMonth = (e: Episode) => Math.max(0, Math.min(e.end, until) - Math.max(e.start, from));
  const longest = episodes.reduce<Episode | undefined>(
    (best, e) => (best === undefined || e.end - e.start > best.end - best.start ? e : best),
    undefined,
  );
  const byKind = new Map<string, number>();
  for (const e of fired) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  return {
    fired: fired.length,
    resolved: rows.alertEvents.filter((e) => e.event === 'resolved' && e.at < range.to).length,
    timeInAlertMs: episodes.reduce((total, e) => total + inMonth(e), 0),
    longest: longest
      ? {
          key: longest.key,
          summary: longest.summary,
          durationMs: longest.end - longest.start,
          ongoing: longest.ongoing,
        }
      : null,
    byKind: [...byKind.entries()].map(([kind, count]) => ({ kind, fired: count })),
    unlocks: rows.unlocks.map((u) => ({ at: u.at, actor: u.actor, target: u.text.split(/\s+/)[1] ?? '?' })),
  };
}

function certificates(rows: ReportRows, range: MonthRange, next: MonthRange): CertificateFigures {
  const renewed: CertificateFigures['renewed'] = [];
  const expiringNextMonth: CertificateFigures['expiringNextMonth'] = [];
  for (const [name, seen] of groupBy(rows.certificates, (c) => c.name)) {
    // Rows come oldest first; the first fingerprint ever seen is no renewal, only the start of watching.
    for (const c of seen.slice(1)) {
      if (c.first_seen >= range.from && c.first_seen < range.to)
        renewed.push({ name, at: c.first_seen, notAfter: c.not_after });
    }
    const current = seen.reduce((a, b) => (b.last_seen > a.last_seen ? b : a));
    const expiry = new Date(current.not_after).toISOString();
    if (expiry >= next.from && expiry < next.to) expiringNextMonth.push({ name, notAfter: current.not_after });
  }
  return { renewed, expiringNextMonth };
}

function groupBy<T>(list: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
