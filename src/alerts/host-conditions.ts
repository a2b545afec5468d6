import type { AlertKind } from '../core/ports/alerts.js';
import type { HostProbeReport, LuksTargetState, Threshold } from '../core/ports/probes.js';
import type { Condition, Describe, Scope } from './condition.js';
import type { AlertSettings } from './settings.js';

interface Observed {
  conditions: Condition[];
  scopes: Scope[];
}

/**
 * What one host's probe round says: one condition per watched value (disk and inodes per mount,
 * memory, load per core, each failed unit, each unlock target, reachability). A probe that
 * failed says nothing about its values: their alerts stay as they are. A probe that answered
 * covers its keys (`disk:b7-srv:` …): an alert it no longer lists resolves.
 */
export function hostConditions(report: HostProbeReport, s: AlertSettings): Observed {
  const out: Observed = { conditions: [], scopes: [] };
  const { host } = report;
  const t = s.texts;
  const { disk, memory, load, systemd, luks } = report;
  const percent = (kind: AlertKind, threshold: Threshold | undefined) => ({
    kind,
    threshold,
    margin: s.hysteresis,
  });

  if (disk.ok) {
    for (const kind of ['disk', 'inodes']) {
      const prefix = `${kind}:${host}:`;
      out.scopes.push({ prefix, gone: (key) => t.say('unmounted', { host, mount: key.slice(prefix.length) }) });
    }
    const space = percent('disk', s.thresholds.disk);
    const inodes = percent('inodes', s.thresholds.inodes ?? s.thresholds.disk);
    for (const m of disk.sample.mounts) {
      const mount = m.mountPoint;
      if (space.threshold && m.usedPercent !== null) {
        out.conditions.push(
          levelled(`disk:${host}:${mount}`, space, m.usedPercent, (sev) =>
            [
              t.say('disk', { host, mount, value: t.percent(m.usedPercent ?? 0) }),
              t.limit(space.threshold!, sev, true),
            ].join(''),
          ),
        );
      }
      const inodePercent = m.inodes?.usedPercent ?? null;
      if (inodes.threshold && inodePercent !== null) {
        out.conditions.push(
          levelled(`inodes:${host}:${mount}`, inodes, inodePercent, (sev) =>
            [
              t.say('inodes', { host, mount, value: t.percent(inodePercent) }),
              t.limit(inodes.threshold!, sev, true),
            ].join(''),
          ),
        );
      }
    }
  }

  if (memory.ok) {
    out.scopes.push({ prefix: `memory:${host}` });
    const levels = percent('memory', s.thresholds.memory);
    const used = memory.sample.usedPercent;
    if (levels.threshold) {
      out.conditions.push(
        levelled(`memory:${host}`, levels, used, (sev) =>
          [t.say('memory', { host, value: t.percent(used) }), t.limit(levels.threshold!, sev, true)].join(''),
        ),
      );
    }
  }

  if (load.ok) {
    out.scopes.push({ prefix: `load:${host}` });
    const threshold = s.thresholds.load;
    const perCore = load.sample.load5PerCore;
    if (threshold) {
      const levels = { kind: 'load' as const, threshold, margin: s.loadHysteresis };
      out.conditions.push(
        levelled(`load:${host}`, levels, perCore, (sev) =>
          [t.say('load', { host, value: t.number(perCore) }), t.limit(threshold, sev, false)].join(''),
        ),
      );
    }
  }

  if (systemd.ok) {
    const prefix = `systemd:${host}:`;
    out.scopes.push({ prefix, gone: (key) => t.say('unitRecovered', { host, unit: key.slice(prefix.length) }) });
    const failed = systemd.sample.status === 'ok' ? systemd.sample.failed : [];
    for (const u of failed) {
      out.conditions.push({
        key: `systemd:${host}:${u.unit}`,
        kind: 'systemd',
        severity: 'warn',
        summary: (sev) => t.say(sev ? 'unitFailed' : 'unitRecovered', { host, unit: u.unit }),
      });
    }
  }

  if (luks?.ok) {
    for (const target of luks.sample.targets) out.conditions.push(lockedCondition(host, target, s));
  }

  // Unreachable: not one probe answered. Always said, so that its alert can resolve.
  const outcomes = [disk, memory, load, systemd, ...(luks ? [luks] : [])];
  const firstError = outcomes.find((o) => !o.ok);
  const down = outcomes.every((o) => !o.ok);
  out.conditions.push({
    key: `unreachable:${host}`,
    kind: 'unreachable',
    severity: down ? 'crit' : null,
    summary: () =>
      down && firstError && !firstError.ok
        ? t.say('unreachable', { host, error: firstError.error })
        : t.say('reachable', { host }),
  });
  return out;
}

function levelled(
  key: string,
  levels: { kind: AlertKind; threshold?: Threshold; margin: number },
  value: number,
  summary: Describe,
): Condition {
  const { warn, crit } = levels.threshold as Threshold;
  return { key, kind: levels.kind, severity: null, levels: { warn, crit, margin: levels.margin }, value, summary };
}

/** Locked, or open but not mounted: the services on it are down until someone runs `unlock`. */
function lockedCondition(host: string, target: LuksTargetState, s: AlertSettings): Condition {
  const t = s.texts;
  const locked = target.open === false;
  const breaching = locked || !target.mounted;
  return {
    key: `locked:${target.name}`,
    kind: 'locked',
    severity: breaching ? 'crit' : null,
    immediate: true,
    summary: () =>
      t.say(!breaching ? 'unlocked' : locked ? 'locked' : 'notMounted', {
        target: target.name,
        host,
        mount: target.mount,
      }),
    hint: t.say('unlockHint', { prefix: t.commandPrefix, target: target.name }),
  };
}
