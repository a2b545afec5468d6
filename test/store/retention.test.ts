import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { validateConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { BackupCheckStore } from '../../src/store/backup-check-store.js';
import { BackupSummaryStore } from '../../src/store/backup-summary-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { JobRunStore } from '../../src/store/job-run-store.js';
import { ObservationStore } from '../../src/store/observation-store.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { pruneDatabase, type Retention, startPruning } from '../../src/store/retention.js';
import { SampleStore } from '../../src/store/sample-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-retention-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const NOW = new Date('2026-12-04T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const RETENTION: Retention = {
  audit: 400 * DAY,
  outbox: 30 * DAY,
  confirmations: 7 * DAY,
  samples: 90 * DAY,
  observations: 90 * DAY,
  backupEvents: 90 * DAY,
  alerts: 400 * DAY,
};

/** One row of every kind at each age given, written through the stores the bot uses. */
function fill(db: Db, ages: number[]): void {
  for (const age of ages) {
    const at = daysAgo(age);
    const audit = new AuditStore(db, () => at);
    audit.finish(audit.start({ actor: 'a', platform: 'console', text: `${age}` }), 'ok');
    const outbox = new OutboxStore(db);
    outbox.delivered(outbox.add('slack', 'infra', { body: `${age}` }, at), at);
    outbox.giveUp(outbox.add('slack', 'gone', { body: `${age}` }, at), 'channel_not_found', at);
    new ConfirmationStore(db).create(
      {
        platform: 'slack',
        userId: 'U1',
        actor: 'a',
        text: 'unlock x',
        channelId: 'C1',
        ttlMs: 60_000,
      },
      at,
    );
    db.prepare(
      `INSERT INTO secret_prompts (token_hash, platform, user_id, actor, purpose, created_at, expires_at)
       VALUES (?, 'slack', 'U1', 'a', 'unlock x', ?, ?)`,
    ).run(`hash-${age}`, at.toISOString(), new Date(at.getTime() + 300_000).toISOString());
    new SampleStore(db).add([
      { host: 'b7-srv', kind: 'load', takenAt: at.toISOString(), outcome: { ok: true, sample: { load1: 0.5 } } },
    ]);
    new ObservationStore(db).add({
      repo: 'b7-borg',
      type: 'borg',
      observedAt: at.toISOString(),
      outcome: 'ok',
      durationMs: 10,
    });
    const runs = new JobRunStore(db, () => at);
    const run = runs.claim('probes', at, 'schedule');
    if (run !== undefined) runs.finish(run, 'ok', 'done');
    new BackupCheckStore(db).record('nightly', 'success', at, undefined, { events: 1_000, windowMs: DAY });
    new BackupSummaryStore(db).add({
      name: 'nightly',
      source: 'ping',
      outcome: 'ok',
      finishedAt: at.toISOString(),
      posted: true,
    });
    new AlertStore(db).addEvent({
      key: 'disk:b7-srv:/srv',
      kind: 'disk',
      event: 'fired',
      at: at.toISOString(),
      summary: `${age}`,
    });
  }
}

const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retention', () => {
  it('deletes rows older than their retention, in small batches, and keeps the younger ones', async () => {
    const db = openDatabase(join(dir, 'prune.db'));
    fill(db, [1, 6, 8, 29, 31, 89, 91, 120, 399, 401, 500]);
    // Rows still in use are never old: a running command, a message not delivered yet.
    new AuditStore(db, () => daysAgo(600)).start({ actor: 'a', platform: 'console', text: 'still running' });
    new OutboxStore(db).add('slack', 'infra', { body: 'waiting' }, daysAgo(60));
    new JobRunStore(db, () => daysAgo(600)).claim('certs', daysAgo(600), 'schedule');

    const pruned = await pruneDatabase(db, RETENTION, NOW, { batchSize: 2 });

    expect(pruned).toEqual({
      audit: 2,
      outbox: 14,
      confirmations: 9,
      prompts: 9,
      samples: 5,
      samplePoints: 0,
      observations: 5,
      jobRuns: 2,
      checkEvents: 5,
      backupSummaries: 5,
      alerts: 2,
    });
    const texts = db.prepare(`SELECT text FROM audit ORDER BY id`).all() as { text: string }[];
    expect(texts.map((r) => r.text)).toEqual(['1', '6', '8', '29', '31', '89', '91', '120', '399', 'still running']);
    expect(db.prepare(`SELECT message FROM outbox ORDER BY id`).all()).toEqual([
      ...[1, 6, 8, 29].flatMap((n) => [{ message: `{"body":"${n}"}` }, { message: `{"body":"${n}"}` }]),
      { message: '{"body":"waiting"}' },
    ]);
    expect(count(db, 'confirmations')).toBe(2);
    expect(count(db, 'secret_prompts')).toBe(2);
    expect(count(db, 'probe_samples')).toBe(6);
    expect(count(db, 'backup_observations')).toBe(6);
    // Job runs live as long as the audit; a running one stays.
    expect(count(db, 'job_runs')).toBe(10);
    expect(count(db, 'backup_check_events')).toBe(6);
    expect(count(db, 'backup_summaries')).toBe(6);
    // A check's state row stays, whatever its age: the overdue test reads it.
    expect(count(db, 'backup_checks')).toBe(1);
    db.close();
  });

  it("keeps a repository's newest observation and newest good one, however old", async () => {
    const db = openDatabase(join(dir, 'observations.db'));
    const store = new ObservationStore(db);
    const observe = (age: number, outcome: 'ok' | 'wrong_passphrase') =>
      store.add({ repo: 'b7-borg', type: 'borg', observedAt: daysAgo(age).toISOString(), outcome, durationMs: 1 });
    observe(300, 'ok');
    observe(200, 'ok');
    observe(150, 'wrong_passphrase');
    observe(120, 'wrong_passphrase');
    await pruneDatabase(db, RETENTION, NOW);
    const { latest, lastGood } = store.latest('b7-borg');
    expect(latest?.observedAt).toBe(daysAgo(120).toISOString());
    expect(lastGood?.observedAt).toBe(daysAgo(200).toISOString());
    expect(count(db, 'backup_observations')).toBe(2);
    db.close();
  });

  it('prunes when serving starts, then again on its timer', async () => {
    const db = openDatabase(join(dir, 'daily.db'));
    let clock = NOW;
    fill(db, [10, 100]);
    const pruning = startPruning({ db, retention: RETENTION, logger: silentLogger, now: () => clock, everyMs: 50 });
    await pruning.done;
    expect(count(db, 'probe_samples')).toBe(1);
    clock = new Date(NOW.getTime() + 85 * DAY);
    await new Promise((r) => setTimeout(r, 200));
    pruning.stop();
    expect(count(db, 'probe_samples')).toBe(0);
    db.close();
  });
});

describe('retention settings', () => {
  const problemsOf = (retention: unknown) => {
    try {
      validateConfig({ retention }, {}, dir, 'test');
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('defaults to 400 days of audit, 30 of messages, 7 of confirmations, 90 of samples and observations', () => {
    expect(validateConfig({}, {}, dir, 'test').retention).toEqual(RETENTION);
    expect(validateConfig({ retention: { outbox: '2d' } }, {}, dir, 'test').retention.outbox).toBe(2 * DAY);
  });

  it('refuses durations that are not, and retentions too short for the monthly report', () => {
    expect(problemsOf({ audit: 'a year' })).toEqual([
      'retention.audit: invalid duration "a year" (use a whole number and a unit: 90s, 15m, 26h, 7d)',
    ]);
    expect(problemsOf({ audit: '30d', samples: '1000h', confirmations: '1h', outbox: '0d' })).toEqual([
      'retention.audit: keep at least 62d',
      'retention.outbox: keep at least 1d',
      'retention.confirmations: keep at least 1d',
      'retention.samples: keep at least 62d',
    ]);
    expect(problemsOf({ forever: true })).toEqual(['retention.forever: unknown key']);
  });
});
