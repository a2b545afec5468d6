import type { Config } from '../config/schema.js';
import type { Threshold } from '../core/ports/probes.js';
import { AlertTexts } from './texts.js';

/** What the engine and the condition builders need of the configuration. */
export interface AlertSettings {
  channel: string;
  samplesToFire: number;
  remindEveryMs: number;
  hysteresis: number;
  loadHysteresis: number;
  /** Days left at which certificate alerts post, largest first. */
  certificateDays: readonly number[];
  maxSilenceMs: number;
  thresholds: Readonly<Record<string, Threshold>>;
  texts: AlertTexts;
}

export function alertSettings(config: Config): AlertSettings {
  const a = config.alerts;
  return {
    channel: a.channel,
    samplesToFire: a.samplesToFire,
    remindEveryMs: a.remindEvery,
    hysteresis: a.hysteresis,
    loadHysteresis: a.loadHysteresis,
    certificateDays: [...a.certificateDays].sort((x, y) => y - x),
    maxSilenceMs: a.maxSilence,
    thresholds: config.thresholds,
    texts: new AlertTexts(config.locale, config.timezone, config.chat.commandPrefix),
  };
}

/** A certificate's key: `cert:<host name>` (with the port when not 443) or `cert:<file path>`. */
export function certificateKey(target: string): string {
  if (!/^https:\/\//i.test(target)) return `cert:${target}`;
  try {
    const url = new URL(target);
    return `cert:${url.hostname}${url.port ? `:${url.port}` : ''}`;
  } catch {
    return `cert:${target}`;
  }
}

/**
 * Keys the configuration makes known before they ever fire, so they can be silenced ahead
 * (planned work on a host, a repository being moved). Disk, inodes and systemd keys are known
 * once a sample breached: mounts and units are not in the configuration.
 */
export function configuredKeys(config: Config): Map<string, string> {
  const keys = new Map<string, string>();
  for (const host of Object.keys(config.hosts)) {
    keys.set(`unreachable:${host}`, 'unreachable');
    keys.set(`memory:${host}`, 'memory');
    keys.set(`load:${host}`, 'load');
  }
  for (const target of Object.keys(config.unlock)) keys.set(`locked:${target}`, 'locked');
  for (const b of config.backups) keys.set(`backup:${b.name}`, 'backup');
  for (const c of config.certificates) keys.set(certificateKey('url' in c ? c.url : c.file), 'cert');
  return keys;
}
