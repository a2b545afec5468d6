import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostProbeReport, MountUsage } from '../../src/core/ports/probes.js';
import { openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import { SampleStore } from '../../src/store/sample-store.js';

/* The numbers the monthly report reads, written with each probe sample and backfilled by migration 8. */

const mount = (mountPoint: string, usedPercent: number | null): MountUsage => ({
  filesystem: 'tmpfs',
  type: 'tmpfs',
  mountPoint,
  sizeBytes: 100,
  usedBytes: 50,
  availableBytes: 50,
  usedPercent,
  inodes: null,
});

function report(host: string, takenAt: string, up = true): HostProbeReport {
  const down = { ok: false as const, error: 'ssh: connection refused' };
  if (!up) return { host, takenAt, disk: down, memory: down, load: down, systemd: down };
  return {
    host,
    takenAt,
    disk: {
      ok: true,
      sample: { mounts: [mount('/', 41), mount('/srv', 72.5), mount('/boot/efi', null)], partial: null },
    },
    memory: {
      ok: true,
      sample: {
        totalBytes: 8,
        availableBytes: 2,
        availableEstimated: false,
        usedPercent: 75,
        swapTotalBytes: 0,
        swapFreeBytes: 0,
        swapUsedPercent: null,
      },
    },
    load: {
      ok: true,
      sample: {
        load1: 3,
        load5: 2,
        load15: 1,
        cores: 2,
        load1PerCore: 1.5,
        load5PerCore: 1,
        load15PerCore: 0.5,
        runnable: 1,
        processes: 90,
      },
    },
    systemd: { ok: true, sample: { status: 'ok', source: 'json', failed: [] } },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-points-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const points = (db: ReturnType<typeof openDatabase>) =>
  db.prepare('SELECT kind, taken_at, host, name, value FROM sample_points ORDER BY id').all();

const expected = [
  { kind: 'reach', taken_at: '2026-11-02T10:00:00.000Z', host: 'b7-srv', name: '', value: 1 },
  { kind: 'disk', taken_at: '2026-11-02T10:00:00.000Z', host: 'b7-srv', name: '/', value: 41 },
  { kind: 'disk', taken_at: '2026-11-02T10:00:00.000Z', host: 'b7-srv', name: '/srv', value: 72.5 },
  { kind: 'memory', taken_at: '2026-11-02T10:00:00.000Z', host: 'b7-srv', name: '', value: 75 },
  { kind: 'load', taken_at: '2026-11-02T10:00:00.000Z', host: 'b7-srv', name: '', value: 1.5 },
  { kind: 'reach', taken_at: '2026-11-02T10:05:00.000Z', host: 'vps2', name: '', value: 0 },
];

describe('sample points', () => {
  it('are written with each host report: used % per mount (none for a mount df cannot measure), memory, load, reach', () => {
    const db = openDatabase(join(dir, 'new.db'));
    new SampleStore(db).addHostReports([
      report('b7-srv', '2026-11-02T10:00:00.000Z'),
      report('vps2', '2026-11-02T10:05:00.000Z', false),
    ]);
    expect(points(db)).toEqual(expected);
    db.close();
  });

  it('are taken out of the samples a database held before migration 8', () => {
    const file = join(dir, 'old.db');
    const old = openDatabase(file, { migrations: migrations.filter((m) => m.version < 8) });
    const insert = old.prepare(
      'INSERT INTO probe_samples (host, kind, taken_at, ok, data, error) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of [report('b7-srv', '2026-11-02T10:00:00.000Z'), report('vps2', '2026-11-02T10:05:00.000Z', false)]) {
      for (const kind of ['disk', 'memory', 'load'] as const) {
        const outcome = r[kind];
        insert.run(
          r.host,
          kind,
          r.takenAt,
          outcome.ok ? 1 : 0,
          outcome.ok ? JSON.stringify(outcome.sample) : null,
          outcome.ok ? null : outcome.error,
        );
      }
    }
    old.close();
    const db = openDatabase(file);
    const sorted = (list: unknown[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(sorted(points(db))).toEqual(sorted(expected));
    db.close();
  });
});
