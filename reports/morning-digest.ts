import type { AuditEntry } from '../src/core/audit.js';
import { alignColumns, formatAge, formatTime } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';
import type { ActiveAlert, AlertEvent } from '../src/core/ports/alerts.js';
import type { RepositoryStatus } from '../src/core/ports/backups.js';
import type { BackupRunSummary, DigestMessage } from '../src/core/ports/digest.js';
import type { CertificateReport, StoredLuksReport } from '../src/core/ports/probes.js';
import { text } from './morning-digest-text.js';

/** Certificates this close to their end are listed. */
export const CERTIFICATE_WINDOW_DAYS = 21;
/** Command texts longer than this are clipped: the digest is read aloud at the scrum. */
const MAX_COMMAND_LENGTH = 40;
/** Distinct commands listed per person before "+N more". */
const MAX_COMMANDS_PER_PERSON = 6;

/** Everything the digest says, gathered beforehand: the builder does no I/O. */
export interface MorningDigestInput {
  locale: Locale;
  timeZone: string;
  /** ISO 8601 in UTC. */
  now: string;
  /** Start of the period: what fired, resolved and was run since then. */
  since: string;
  /** Every configured repository's status (the backup port's markers). */
  backups: readonly RepositoryStatus[];
  /** Runs of backup jobs since `since`, when something records them. */
  backupRuns?: readonly BackupRunSummary[];
  /** Undefined while the alert engine is not there: the digest says so. */
  alerts?: { active: readonly ActiveAlert[]; events: readonly AlertEvent[] };
  /** Audit rows started since `since`, newest first (AuditLog.list order). */
  audit: readonly AuditEntry[];
  /** The audit read hit its limit: older rows of the period were not read. */
  auditLimit?: number;
  /** The newest stored check of each certificate, days left as of now. */
  certificates: readonly CertificateReport[];
  /** The newest stored LUKS sample of each host carrying unlock targets. */
  luks: readonly StoredLuksReport[];
}

interface Section {
  heading: string;
  lines: string[];
}

/**
 * The morning digest: one heading and a few aligned lines per section that
 * has something to say; sections with nothing are left out, and a digest with
 * nothing at all is one line. Backups that are all OK count as nothing.
 */
export function buildMorningDigest(input: MorningDigestInput): DigestMessage {
  const { locale } = input;
  const L = (key: keyof typeof text, params: Record<string, string | number> = {}) => fill(text[key][locale], params);
  const since = formatTime(input.since, input.timeZone);
  const now = Date.parse(input.now);

  const news: Section[] = [
    backupRunsSection(input, since),
    activeAlertsSection(input),
    alertEventsSection(input, since),
    commandsSection(input, since),
    certificatesSection(input),
    lockedSection(input, now),
  ].filter((s): s is Section => s !== undefined);
  const backupsQuiet = input.backups.every((b) => b.marker === 'OK');
  const unavailable = input.alerts === undefined ? L('alertsUnavailable') : undefined;

  if (news.length === 0 && backupsQuiet) {
    const n = input.backups.length;
    const backups = n === 0 ? '' : n === 1 ? L('nothingBackup') : L('nothingBackups', { n });
    return { body: [L('nothing', { since, backups }), unavailable].filter(Boolean).join(' ') };
  }
  const sections = input.backups.length === 0 ? news : [backupsSection(input, now), ...news];
  const body = sections.flatMap((s) => [s.heading, ...s.lines.map((l) => `  ${l}`)]);
  if (unavailable) body.push(unavailable);
  const date = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: input.timeZone,
  }).format(new Date(now));
  return { title: L('title', { date }), body: body.join('\n') };
}

function backupsSection(input: MorningDigestInput, now: number): Section {
  const { locale, timeZone } = input;
  const rows = input.backups.map((r) => {
    const head = [r.marker, r.name];
    if (!r.latest) return [...head, text.backupNever[locale]];
    const figures = r.latest.outcome === 'ok' ? r.latest : r.lastGood;
    // Never read successfully: "no archive yet" would be a guess; the reason is what matters.
    if (!figures) return [...head, clip(r.latest.detail ?? r.latest.outcome, 60)];
    const cells = [...head];
    cells.push(
      figures.lastArchiveAt
        ? fill(text.backupLast[locale], {
            time: formatTime(figures.lastArchiveAt, timeZone),
            age: formatAge(now - Date.parse(figures.lastArchiveAt), locale),
          })
        : text.backupNoArchive[locale],
    );
    if (r.marker === 'LATE') cells.push(fill(text.backupMaxAge[locale], { age: formatAge(r.maxAgeMs, locale) }));
    if (r.latest.outcome !== 'ok') cells.push(clip(r.latest.detail ?? r.latest.outcome, 60));
    return cells;
  });
  return { heading: text.backups[locale], lines: alignColumns(rows) };
}

const RUN_MARKERS = {
  ok: 'runOk',
  warning: 'runWarning',
  failed: 'runFailed',
  running: 'runRunning',
  missed: 'runMissed',
} as const;

function backupRunsSection(input: MorningDigestInput, since: string): Section | undefined {
  const runs = input.backupRuns ?? [];
  if (runs.length === 0) return undefined;
  const { locale, timeZone } = input;
  const rows = [...runs]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((r) => [text[RUN_MARKERS[r.outcome]][locale], r.name, formatTime(r.at, timeZone), clip(r.detail ?? '', 60)]);
  return { heading: fill(text.backupRuns[locale], { since }), lines: alignColumns(rows) };
}

function activeAlertsSection(input: MorningDigestInput): Section | undefined {
  const active = input.alerts?.active ?? [];
  if (active.length === 0) return undefined;
  const { locale, timeZone } = input;
  const rows = active.map((a) => [
    a.severity.toUpperCase(),
    a.summary,
    fill(text.activeSince[locale], { time: formatTime(a.firedAt, timeZone) }),
    a.silencedUntil ? fill(text.silencedUntil[locale], { time: formatTime(a.silencedUntil, timeZone) }) : '',
  ]);
  return { heading: text.active[locale], lines: alignColumns(rows) };
}

function alertEventsSection(input: MorningDigestInput, since: string): Section | undefined {
  const events = input.alerts?.events ?? [];
  if (events.length === 0) return undefined;
  const { locale, timeZone } = input;
  const rows = events.map((e) => {
    const extra =
      e.event === 'resolved' && e.durationMs !== undefined
        ? fill(text.after[locale], { age: formatAge(e.durationMs, locale) })
        : e.event === 'silenced' && e.by
          ? fill(text.by[locale], { who: e.by })
          : '';
    return [formatTime(e.at, timeZone), text[e.event][locale], e.summary, extra];
  });
  return { heading: fill(text.events[locale], { since }), lines: alignColumns(rows) };
}

const isDigest = (e: AuditEntry): boolean => e.command === 'digest' || e.text.trim() === 'job run morning-digest';

/** Statuses shown next to a command: the ones that did not end well (or have not ended). */
const PROBLEMS = { failed: 'failed', error: 'error', interrupted: 'interrupted', running: 'running' } as const;

/**
 * Who ran what, one line per person in order of first request. The
 * scheduler's own rows, confirmation requests (the confirmed run has its own
 * row) and making or reading the digest itself (`digest`, `detour job run
 * morning-digest`) are left out; refusals are only counted.
 */
function commandsSection(input: MorningDigestInput, since: string): Section | undefined {
  const { locale } = input;
  const people = new Map<string, Map<string, number>>();
  let denied = 0;
  let malformed = 0;
  for (const e of [...input.audit].reverse()) {
    if (e.actor === 'scheduler' || e.status === 'confirm' || isDigest(e)) continue;
    if (e.status === 'denied') denied++;
    else if (e.status === 'usage') malformed++;
    else {
      const problem = e.status in PROBLEMS ? ` (${text[PROBLEMS[e.status as keyof typeof PROBLEMS]][locale]})` : '';
      const key = clip(e.text.replace(/\s+/g, ' ').trim(), MAX_COMMAND_LENGTH) + problem;
      const mine = people.get(e.actor) ?? new Map<string, number>();
      mine.set(key, (mine.get(key) ?? 0) + 1);
      people.set(e.actor, mine);
    }
  }
  if (people.size === 0 && denied === 0 && malformed === 0) return undefined;
  const rows = [...people].map(([actor, done]) => {
    const items = [...done].map(([key, n]) => (n > 1 ? `${key} ×${n}` : key));
    const shown = items.slice(0, MAX_COMMANDS_PER_PERSON);
    if (items.length > shown.length) shown.push(fill(text.more[locale], { n: items.length - shown.length }));
    return [actor, shown.join(', ')];
  });
  const lines = alignColumns(rows);
  const refused = [
    count(denied, text.deniedOne, text.denied, locale),
    count(malformed, text.badUsageOne, text.badUsage, locale),
  ].filter(Boolean);
  if (refused.length > 0) lines.push(fill(text.refused[locale], { list: refused.join(', ') }));
  if (input.auditLimit !== undefined && input.audit.length >= input.auditLimit) {
    lines.push(fill(text.truncated[locale], { n: input.auditLimit }));
  }
  return { heading: fill(text.commands[locale], { since }), lines };
}

function certificatesSection(input: MorningDigestInput): Section | undefined {
  const { locale, timeZone } = input;
  const soon = input.certificates
    .flatMap((c) => (c.result.ok ? [{ target: c.target, sample: c.result.sample }] : []))
    .filter((c) => c.sample.daysLeft <= CERTIFICATE_WINDOW_DAYS)
    .sort((a, b) => a.sample.daysLeft - b.sample.daysLeft);
  if (soon.length === 0) return undefined;
  const rows = soon.map(({ target, sample }) => [
    target,
    Date.parse(sample.notAfter) <= Date.parse(input.now)
      ? text.expired[locale]
      : sample.daysLeft === 1
        ? text.dayLeft[locale]
        : fill(text.daysLeft[locale], { n: sample.daysLeft }),
    fill(text.until[locale], { time: formatTime(sample.notAfter, timeZone) }),
  ]);
  return { heading: fill(text.certificates[locale], { n: CERTIFICATE_WINDOW_DAYS }), lines: alignColumns(rows) };
}

/** Targets not both open and mounted, from the newest stored sample (no probing here). */
function lockedSection(input: MorningDigestInput, now: number): Section | undefined {
  const { locale, timeZone } = input;
  const rows: string[][] = [];
  for (const report of input.luks) {
    const seen = fill(text.seen[locale], {
      time: formatTime(report.takenAt, timeZone),
      age: formatAge(now - Date.parse(report.takenAt), locale),
    });
    if (!report.result.ok) {
      rows.push([report.host, fill(text.probeFailed[locale], { error: clip(report.result.error, 60) }), seen]);
      continue;
    }
    for (const t of report.result.sample.targets) {
      // Mounted counts as unlocked when cryptsetup could not tell (open null).
      if (t.mounted && t.open !== false) continue;
      const state = t.open === false ? text.isLocked : t.open === null ? text.stateUnknown : text.notMounted;
      rows.push([fill(text.onHost[locale], { name: t.name, host: report.host }), state[locale], seen]);
    }
  }
  return rows.length === 0 ? undefined : { heading: text.locked[locale], lines: alignColumns(rows) };
}

/** "" for none, the singular for one (French agrees), else the plural with the number. */
function count(n: number, one: Record<Locale, string>, many: Record<Locale, string>, locale: Locale): string {
  return n === 0 ? '' : n === 1 ? one[locale] : fill(many[locale], { n });
}

function clip(line: string, max: number): string {
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
