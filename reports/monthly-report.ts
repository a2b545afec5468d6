import { formatBytes, formatDuration, formatTime } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';
import { monthName, shiftMonth } from '../src/core/month.js';
import type { BackupFigures, MonthlyReportData } from '../src/core/ports/report.js';
import { text } from './monthly-report-text.js';

export interface MonthlyReportInput {
  data: MonthlyReportData;
  locale: Locale;
  timeZone: string;
  /** The charts written next to the Markdown, linked from it. */
  charts?: readonly { fileName: string; title: string }[];
}

export interface MonthlyReportText {
  title: string;
  /** The chat message: headline figures, one line per topic. */
  body: string;
  markdown: string;
}

type Params = Record<string, string | number>;

/**
 * The monthly IT usage report as text: a short chat message with the headline figures, and a
 * Markdown document with every table. Pure: the figures come in, text goes out.
 */
export function buildMonthlyReport(input: MonthlyReportInput): MonthlyReportText {
  const { data, locale } = input;
  const title = L(locale, 'title', { month: monthName(data.month, locale) });
  const partial =
    data.builtAt < data.to ? L(locale, 'partial', { time: formatTime(data.builtAt, input.timeZone) }) : undefined;
  const line = (heading: keyof typeof text, content: string) =>
    L(locale, 'headline', { heading: L(locale, heading), content });
  const backups =
    data.backups.length === 0
      ? L(locale, 'noBackups')
      : data.backups.map((b) => backupLine(b, input)).join(L(locale, 'and'));
  const headline = [
    ...(partial ? [partial] : []),
    line('activity', activityLine(input)),
    line('backups', backups),
    line('resources', resourceLine(input)),
    line('incidents', incidentLine(input)),
    line('certificates', certificateLine(input)),
  ];
  return { title, body: headline.join('\n'), markdown: markdown(input, title, partial) };
}

function L(locale: Locale, key: keyof typeof text, params: Params = {}): string {
  return fill(text[key][locale], params);
}

/** 91.5 % / 91,5 % (French puts a space before %, and a decimal comma). */
function percent(value: number, locale: Locale): string {
  const rounded = Math.round(value * 10) / 10;
  return locale === 'fr' ? `${String(rounded).replace('.', ',')} %` : `${rounded}%`;
}

/** 1.50 / 1,50. */
function decimal(value: number, locale: Locale): string {
  const text = value.toFixed(2);
  return locale === 'fr' ? text.replace('.', ',') : text;
}

function activityLine({ data, locale }: MonthlyReportInput): string {
  const a = data.activity;
  const parts: string[] = [];
  if (a.runs === 0) parts.push(L(locale, 'noActivity'));
  else {
    const people = new Set(a.rows.map((r) => r.actor)).size;
    parts.push(
      L(locale, 'activityLine', {
        runs: a.runs,
        people,
        okRate: percent((100 * a.ok) / a.runs, locale),
        failed: a.failed,
        refused: a.refused,
      }),
    );
  }
  if (a.ansibleRuns > 0) parts.push(L(locale, 'ansibleLine', { runs: a.ansibleRuns, failed: a.ansibleFailed }));
  if (a.scheduled.runs > 0) parts.push(L(locale, 'scheduledLine', a.scheduled));
  return parts.join(L(locale, 'and'));
}

function missed(b: BackupFigures, locale: Locale): string {
  const n = b.missedDays.length;
  return n === 0 ? L(locale, 'noMissedDay') : n === 1 ? L(locale, 'missedDay') : L(locale, 'missedDays', { n });
}

function growth(b: BackupFigures, locale: Locale): string {
  if (b.sizeStartBytes === null || b.sizeEndBytes === null) return L(locale, 'noSize');
  const delta = b.sizeEndBytes - b.sizeStartBytes;
  return `${delta < 0 ? '-' : '+'}${formatBytes(Math.abs(delta), locale)}`;
}

function sizes(b: BackupFigures, locale: Locale): string {
  if (b.sizeStartBytes === null || b.sizeEndBytes === null) return L(locale, 'noSize');
  return L(locale, 'sizes', {
    start: formatBytes(b.sizeStartBytes, locale),
    end: formatBytes(b.sizeEndBytes, locale),
    growth: growth(b, locale),
  });
}

function backupLine(b: BackupFigures, { locale }: MonthlyReportInput): string {
  return L(locale, 'backupLine', {
    name: b.name,
    archives: b.archives,
    missed: missed(b, locale),
    sizes: sizes(b, locale),
  });
}

function resourceLine({ data, locale, timeZone }: MonthlyReportInput): string {
  const peaks = data.mounts.filter((m) => m.peak !== null);
  if (peaks.length === 0) return L(locale, 'noSamples');
  const top = peaks.reduce((a, b) => ((b.peak?.percent ?? 0) > (a.peak?.percent ?? 0) ? b : a));
  return L(locale, 'diskPeak', {
    mount: `${top.host}:${top.mount}`,
    percent: percent(top.peak?.percent ?? 0, locale),
    time: formatTime(top.peak?.at ?? data.from, timeZone),
  });
}

function incidentLine({ data, locale }: MonthlyReportInput): string {
  const i = data.incidents;
  const parts = [
    L(locale, 'incidentLine', { fired: i.fired, resolved: i.resolved, time: formatDuration(i.timeInAlertMs, locale) }),
  ];
  if (i.longest) parts.push(L(locale, 'longest', { key: i.longest.key, duration: longestDuration(i.longest, locale) }));
  if (i.unlocks.length > 0) parts.push(L(locale, 'unlocks', { n: i.unlocks.length }));
  return parts.join(L(locale, 'and'));
}

function longestDuration(longest: { durationMs: number; ongoing: boolean }, locale: Locale): string {
  const age = formatDuration(longest.durationMs, locale);
  return longest.ongoing ? `${age}, ${L(locale, 'ongoing')}` : age;
}

function certificateLine({ data, locale, timeZone }: MonthlyReportInput): string {
  const c = data.certificates;
  const next = monthName(shiftMonth(data.month, 1), locale);
  const expiring =
    c.expiringNextMonth.length === 0
      ? L(locale, 'noneExpiring', { month: next })
      : L(locale, 'expiring', {
          month: next,
          list: c.expiringNextMonth
            .map((e) => `${e.name} (${formatTime(e.notAfter, timeZone).slice(0, 10)})`)
            .join(', '),
        });
  return [L(locale, 'renewed', { n: c.renewed.length }), expiring].join(L(locale, 'and'));
}

/** A Markdown table; `|` in cells is escaped so a command's text cannot break the table. */
function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cell = (v: string | number) => String(v).replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

function markdown(input: MonthlyReportInput, title: string, partial: string | undefined): string {
  const { data, locale, timeZone } = input;
  const T = (key: keyof typeof text, params: Params = {}) => L(locale, key, params);
  const time = (iso: string) => formatTime(iso, timeZone);
  const lines: string[] = [`# ${title}`, ''];
  if (partial) lines.push(partial, '');

  lines.push(`## ${T('activity')}`, '', activityLine(input), '');
  if (data.activity.rows.length > 0) {
    lines.push(`### ${T('perPerson')}`, '');
    lines.push(
      ...table(
        [T('colPerson'), T('colCommand'), T('colRuns'), T('colOk'), T('colFailed'), T('colRefused')],
        data.activity.rows.map((r) => [r.actor, r.command, r.runs, r.ok, r.failed, r.refused]),
      ),
      '',
    );
  }
  if (data.activity.failures.length > 0) {
    lines.push(`### ${T('failures')}`, '');
    lines.push(
      ...table(
        [T('colWhen'), T('colPerson'), T('colWhat'), T('colWhy')],
        data.activity.failures.map((f) => [time(f.at), f.actor, f.text, f.detail ?? '']),
      ),
      '',
    );
  }

  lines.push(`## ${T('backups')}`, '');
  if (data.backups.length === 0) lines.push(T('noBackups'), '');
  else
    lines.push(
      ...table(
        [
          T('colRepository'),
          T('colArchives'),
          T('colMissed'),
          T('colSizeStart'),
          T('colSizeEnd'),
          T('colGrowth'),
          T('colLastCheck'),
        ],
        data.backups.map((b) => [
          `${b.name} (${b.type})`,
          b.archives,
          b.missedDays.length === 0 ? '0' : `${b.missedDays.length}: ${b.missedDays.map((d) => d.slice(8)).join(', ')}`,
          b.sizeStartBytes === null ? '?' : formatBytes(b.sizeStartBytes, locale),
          b.sizeEndBytes === null ? '?' : formatBytes(b.sizeEndBytes, locale),
          growth(b, locale),
          b.lastCheck ? `${time(b.lastCheck.at)} ${b.lastCheck.outcome}` : '?',
        ]),
      ),
      '',
    );

  lines.push(`## ${T('resources')}`, '');
  if (data.mounts.length === 0 && data.hosts.length === 0) lines.push(T('noSamples'), '');
  else {
    const pct = (v: number | null) => (v === null ? '?' : percent(v, locale));
    lines.push(
      ...table(
        [T('colHost'), T('colMount'), T('colStart'), T('colEnd'), T('colPeak')],
        data.mounts.map((m) => [
          m.host,
          m.mount,
          pct(m.start),
          pct(m.end),
          m.peak ? `${pct(m.peak.percent)} (${time(m.peak.at)})` : '?',
        ]),
      ),
      '',
      ...table(
        [T('colHost'), T('colMemoryPeak'), T('colLoadPeak'), T('colSamples'), T('colFailedSamples')],
        data.hosts.map((h) => [
          h.host,
          h.memoryPeak ? `${pct(h.memoryPeak.percent)} (${time(h.memoryPeak.at)})` : '?',
          h.loadPeak ? `${decimal(h.loadPeak.perCore, locale)} (${time(h.loadPeak.at)})` : '?',
          h.samples,
          h.failedSamples,
        ]),
      ),
      '',
    );
  }

  lines.push(`## ${T('incidents')}`, '', incidentLine(input), '');
  if (data.incidents.byKind.length > 0)
    lines.push(
      ...table(
        [T('colKind'), T('colFired')],
        data.incidents.byKind.map((k) => [k.kind, k.fired]),
      ),
      '',
    );
  if (data.incidents.unlocks.length > 0)
    lines.push(
      ...table(
        [T('colWhen'), T('colPerson'), T('colTarget')],
        data.incidents.unlocks.map((u) => [time(u.at), u.actor, u.target]),
      ),
      '',
    );

  lines.push(`## ${T('certificates')}`, '', certificateLine(input), '');
  if (data.certificates.renewed.length > 0)
    lines.push(
      ...table(
        [T('colCertificate'), T('colRenewedAt'), T('colNotAfter')],
        data.certificates.renewed.map((r) => [r.name, time(r.at), time(r.notAfter)]),
      ),
      '',
    );

  if (input.charts && input.charts.length > 0) {
    lines.push(`## ${T('charts')}`, '');
    for (const chart of input.charts) lines.push(`![${chart.title}](${chart.fileName})`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
