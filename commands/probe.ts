import { z } from 'zod';
import { defineCommand } from '../src/core/command.js';
import { CommandFailedError } from '../src/core/errors.js';
import { formatBytes } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';
import type { HostProbeReport, LuksTargetState, ProbeOutcome, Threshold } from '../src/core/ports/probes.js';

const text = {
  unknown: {
    en: 'unknown host "{name}". Known hosts: {known}.',
    fr: 'hôte inconnu « {name} ». Hôtes connus : {known}.',
  },
  none: {
    en: 'no host is configured (see "hosts:" in the configuration).',
    fr: "aucun hôte n'est configuré (voir « hosts: » dans la configuration).",
  },
  hostError: { en: 'error: {reason}', fr: 'erreur : {reason}' },
  probeError: { en: '{probe}: error: {reason}', fr: '{probe} : erreur : {reason}' },
  disk: { en: 'disk {mount}: {used} of {size}', fr: 'disque {mount} : {used} de {size}' },
  inodes: { en: 'inodes {used}', fr: 'inodes {used}' },
  memory: { en: 'memory: {used} used', fr: 'mémoire : {used} utilisée' },
  swap: { en: 'swap {used}', fr: 'swap {used}' },
  noSwap: { en: 'no swap', fr: 'pas de swap' },
  load: {
    en: 'load per core: {l1} {l5} {l15} (1, 5, 15 min; {cores} cores)',
    fr: 'charge par cœur : {l1} {l5} {l15} (1, 5, 15 min ; {cores} cœurs)',
  },
  noFailed: { en: 'systemd: no failed unit', fr: 'systemd : aucune unité en échec' },
  failed: { en: 'systemd: {n} failed: {units}', fr: 'systemd : {n} en échec : {units}' },
  unavailable: { en: 'systemd: unavailable ({reason})', fr: 'systemd : indisponible ({reason})' },
  luks: { en: 'LUKS {name}: {open}, {mounted}', fr: 'LUKS {name} : {open}, {mounted}' },
  open: { en: 'open', fr: 'ouvert' },
  closed: { en: 'closed', fr: 'fermé' },
  openUnknown: { en: 'open or not: unknown ({note})', fr: 'ouvert ou non : inconnu ({note})' },
  mounted: { en: 'mounted on {mount}', fr: 'monté sur {mount}' },
  notMounted: { en: '{mount} not mounted', fr: '{mount} non monté' },
} satisfies Record<string, Record<Locale, string>>;

const probeNames: Record<string, Record<Locale, string>> = {
  disk: { en: 'disk', fr: 'disque' },
  memory: { en: 'memory', fr: 'mémoire' },
  load: { en: 'load', fr: 'charge' },
  systemd: { en: 'systemd', fr: 'systemd' },
  luks: { en: 'LUKS', fr: 'LUKS' },
};

type Level = 'ok' | 'warn' | 'crit';
type HostMarker = 'OK' | 'WARN' | 'CRIT' | 'FAILED';
type Thresholds = Readonly<Record<string, Threshold>>;

export const probe = defineCommand({
  name: 'probe',
  usage: 'probe [host]',
  summary: {
    en: 'disk, memory, load, failed systemd units and encrypted partitions of each host, measured now',
    fr: 'disque, mémoire, charge, unités systemd en échec et partitions chiffrées de chaque hôte, mesurés maintenant',
  },
  positionals: ['host'],
  args: z.object({ host: z.string().optional() }),
  changes: false,
  async run(ctx, args) {
    const { locale } = ctx;
    const probes = ctx.services.probes;
    const known = probes.hosts();
    if (known.length === 0) throw new CommandFailedError('no_hosts', text.none[locale]);
    if (args.host !== undefined && !known.includes(args.host)) {
      throw new CommandFailedError(
        'unknown_host',
        fill(text.unknown[locale], { name: args.host, known: known.join(', ') }),
      );
    }
    const reports = await probes.probeHosts(args.host === undefined ? known : [args.host], ctx.signal);
    const thresholds = probes.thresholds?.() ?? {};
    const rendered = reports.map((r) => renderHost(r, thresholds, locale));
    return {
      outcome: rendered.every((h) => h.marker !== 'FAILED' && h.marker !== 'CRIT') ? 'ok' : 'failed',
      text: rendered.map((h) => h.lines.join('\n')).join('\n'),
      data: reports,
      auditDetail: rendered.map((h) => `${h.host}=${h.marker}`).join(' '),
    };
  },
});

/** Where a value stands against its threshold (>= warn, >= crit); ok when none is configured. */
function levelOf(value: number | null, threshold: Threshold | undefined): Level {
  if (value === null || threshold === undefined) return 'ok';
  if (value >= threshold.crit) return 'crit';
  return value >= threshold.warn ? 'warn' : 'ok';
}

function number(value: number, digits: number, locale: Locale): string {
  const s = value.toFixed(digits);
  return locale === 'fr' ? s.replace('.', ',') : s;
}

function percent(value: number | null, locale: Locale): string {
  return value === null ? '—' : `${number(value, 0, locale)} %`;
}

/** The value, followed by [WARN] or [CRIT] when it passes a threshold. */
function marked(shown: string, level: Level): string {
  return level === 'ok' ? shown : `${shown} [${level.toUpperCase()}]`;
}

/** "disk: df failed" shown as "disk: error: df failed" (the reasons come from tools, in English). */
function failure(probe: string, error: string, locale: Locale): string {
  const reason = error.startsWith(`${probe}: `) ? error.slice(probe.length + 2) : error;
  return fill(text.probeError[locale], { probe: probeNames[probe]?.[locale] ?? probe, reason });
}

function outcomes(r: HostProbeReport): [string, ProbeOutcome<unknown>][] {
  const all: [string, ProbeOutcome<unknown>][] = [
    ['disk', r.disk],
    ['memory', r.memory],
    ['load', r.load],
    ['systemd', r.systemd],
  ];
  if (r.luks) all.push(['luks', r.luks]);
  return all;
}

function renderHost(r: HostProbeReport, thresholds: Thresholds, locale: Locale) {
  const levels: Level[] = [];
  let attention = false;
  const lines: string[] = [];
  const failures = outcomes(r).flatMap(([name, o]) => (o.ok ? [] : [[name, o.error] as const]));
  const distinct = new Set(failures.map(([, e]) => e));
  if (failures.length === outcomes(r).length && distinct.size === 1) {
    // Every probe failed the same way: the host itself (SSH refused, unknown host key).
    lines.push(fill(text.hostError[locale], { reason: failures[0]?.[1] ?? '' }));
  } else {
    const show = <T>(name: string, o: ProbeOutcome<T> | undefined, render: (sample: T) => string[]): void => {
      if (o === undefined) return;
      lines.push(...(o.ok ? render(o.sample) : [failure(name, o.error, locale)]));
    };
    show('disk', r.disk, (d) =>
      d.mounts.map((m) => {
        const used = levelOf(m.usedPercent, thresholds.disk);
        const inodes = levelOf(m.inodes?.usedPercent ?? null, thresholds.inodes ?? thresholds.disk);
        levels.push(used, inodes);
        const line = fill(text.disk[locale], {
          mount: m.mountPoint,
          used: marked(percent(m.usedPercent, locale), used),
          size: formatBytes(m.sizeBytes, locale),
        });
        const inodeText =
          m.inodes?.usedPercent == null
            ? ''
            : `, ${fill(text.inodes[locale], { used: marked(percent(m.inodes.usedPercent, locale), inodes) })}`;
        return line + inodeText;
      }),
    );
    show('memory', r.memory, (m) => {
      const used = levelOf(m.usedPercent, thresholds.memory);
      const swap = levelOf(m.swapUsedPercent, thresholds.swap);
      levels.push(used, swap);
      const swapText =
        m.swapUsedPercent === null
          ? text.noSwap[locale]
          : fill(text.swap[locale], { used: marked(percent(m.swapUsedPercent, locale), swap) });
      return [`${fill(text.memory[locale], { used: marked(percent(m.usedPercent, locale), used) })}, ${swapText}`];
    });
    show('load', r.load, (l) => {
      // The 5-minute average: the 1-minute one jumps with every cron job.
      const level = levelOf(l.load5PerCore, thresholds.load);
      levels.push(level);
      return [
        fill(text.load[locale], {
          l1: number(l.load1PerCore, 2, locale),
          l5: marked(number(l.load5PerCore, 2, locale), level),
          l15: number(l.load15PerCore, 2, locale),
          cores: l.cores,
        }),
      ];
    });
    show('systemd', r.systemd, (s) => {
      if (s.status === 'unavailable') return [fill(text.unavailable[locale], { reason: s.reason })];
      if (s.failed.length === 0) return [text.noFailed[locale]];
      attention = true;
      return [fill(text.failed[locale], { n: s.failed.length, units: s.failed.map((u) => u.unit).join(', ') })];
    });
    show('luks', r.luks, (l) =>
      l.targets.map((t) => {
        if (t.open !== true || !t.mounted) attention = true;
        return luksLine(t, locale);
      }),
    );
  }
  const marker: HostMarker =
    failures.length > 0
      ? 'FAILED'
      : levels.includes('crit')
        ? 'CRIT'
        : levels.includes('warn') || attention
          ? 'WARN'
          : 'OK';
  return { host: r.host, marker, lines: [`${marker} ${r.host}`, ...lines.map((l) => `  ${l}`)] };
}

function luksLine(t: LuksTargetState, locale: Locale): string {
  const open =
    t.open === null
      ? fill(text.openUnknown[locale], { note: t.openNote ?? '?' })
      : t.open
        ? text.open[locale]
        : text.closed[locale];
  const mounted = fill((t.mounted ? text.mounted : text.notMounted)[locale], { mount: t.mount });
  return fill(text.luks[locale], { name: t.name, open, mounted });
}
