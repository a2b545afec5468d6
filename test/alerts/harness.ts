import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEngine } from '../../src/alerts/alert-engine.js';
import { alertSettings, configuredKeys } from '../../src/alerts/settings.js';
import type { ChatMessage } from '../../src/chat/message.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/core/logger.js';
import type { HostProbeReport, LuksTargetState, MountUsage } from '../../src/core/ports/probes.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { testConfig } from '../support/app.js';

export const GIB = 1024 ** 3;

/** A database file in a fresh folder, a fake clock, a recording `post`, and engines on them. */
export async function alertHarness(raw: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'detour-alerts-'));
  const config: Config = testConfig(
    {
      timezone: 'Europe/Paris',
      hosts: { 'b7-srv': { local: true } },
      thresholds: { disk: { warn: 80, crit: 90 }, memory: { warn: 90, crit: 95 }, load: { warn: 2, crit: 4 } },
      ...raw,
    },
    dir,
  );
  const file = join(dir, 'detour.db');
  const posted: { channel: string; message: ChatMessage }[] = [];
  let clock = new Date('2026-12-07T08:00:00Z');
  const dbs: Db[] = [];
  const engine = () => {
    const db = openDatabase(file);
    dbs.push(db);
    return new AlertEngine({
      db,
      settings: alertSettings(config),
      post: (channel, message) => posted.push({ channel, message }),
      logger: silentLogger,
      now: () => clock,
      configuredKeys: () => configuredKeys(config),
    });
  };
  return {
    config,
    file,
    posted,
    /** Titles posted since the last call. */
    titles: (() => {
      let seen = 0;
      return () => {
        const fresh = posted.slice(seen).map((p) => p.message.title ?? p.message.body);
        seen = posted.length;
        return fresh;
      };
    })(),
    engine,
    now: () => clock,
    /** Moves the clock on and returns it. */
    tick(ms: number): Date {
      clock = new Date(clock.getTime() + ms);
      return clock;
    },
    set(iso: string): Date {
      clock = new Date(iso);
      return clock;
    },
    db: () => dbs.at(-1) as Db,
    async close() {
      for (const db of dbs) if (db.open) db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function mount(mountPoint: string, usedPercent: number, inodesPercent: number | null = 10): MountUsage {
  const size = 100 * GIB;
  const used = Math.round((size * usedPercent) / 100);
  return {
    filesystem: `/dev/sd${mountPoint.length}`,
    type: 'ext4',
    mountPoint,
    sizeBytes: size,
    usedBytes: used,
    availableBytes: size - used,
    usedPercent,
    inodes:
      inodesPercent === null
        ? null
        : { total: 1000, used: inodesPercent * 10, free: 1000 - inodesPercent * 10, usedPercent: inodesPercent },
  };
}

export interface HostShape {
  mounts?: Record<string, number>;
  memory?: number;
  load?: number;
  failed?: string[];
  luks?: Partial<LuksTargetState>[];
  /** Every probe fails with this error. */
  down?: string;
}

export function hostReport(host: string, at: Date, shape: HostShape = {}): HostProbeReport {
  const fail = (error: string) => ({ ok: false as const, error });
  if (shape.down) {
    const e = fail(shape.down);
    return {
      host,
      takenAt: at.toISOString(),
      disk: e,
      memory: e,
      load: e,
      systemd: e,
      ...(shape.luks ? { luks: e } : {}),
    };
  }
  const mounts = Object.entries(shape.mounts ?? { '/': 40 }).map(([m, p]) => mount(m, p));
  const memory = shape.memory ?? 40;
  const load = shape.load ?? 0.5;
  return {
    host,
    takenAt: at.toISOString(),
    disk: { ok: true, sample: { mounts, partial: null } },
    memory: {
      ok: true,
      sample: {
        totalBytes: 8 * GIB,
        availableBytes: Math.round(8 * GIB * (1 - memory / 100)),
        availableEstimated: false,
        usedPercent: memory,
        swapTotalBytes: 0,
        swapFreeBytes: 0,
        swapUsedPercent: null,
      },
    },
    load: {
      ok: true,
      sample: {
        load1: load * 4,
        load5: load * 4,
        load15: load * 4,
        cores: 4,
        load1PerCore: load,
        load5PerCore: load,
        load15PerCore: load,
        runnable: 1,
        processes: 200,
      },
    },
    systemd: {
      ok: true,
      sample: {
        status: 'ok',
        source: 'json',
        failed: (shape.failed ?? []).map((unit) => ({
          unit,
          load: 'loaded',
          active: 'failed',
          sub: 'failed',
          description: unit,
        })),
      },
    },
    ...(shape.luks
      ? {
          luks: {
            ok: true as const,
            sample: {
              targets: shape.luks.map((t) => ({
                name: 'dataproxies',
                mapper: 'dataproxies',
                mount: '/srv/dataproxies',
                open: true,
                openCheckedBy: 'cryptsetup' as const,
                openNote: null,
                mounted: true,
                mountSource: '/dev/mapper/dataproxies',
                ...t,
              })),
            },
          },
        }
      : {}),
  };
}
