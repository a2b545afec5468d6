import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJob, type JobDefinition } from '../../src/scheduler/jobs.js';
import { openDatabase } from '../../src/store/database.js';
import { FakeClock, settle } from './fake-clock.js';
import { okResult, recordingJob, schedulerOn, slots, tempDir } from './harness.js';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  temp = await tempDir();
});
afterAll(() => temp.cleanup());
const file = (name: string) => join(temp.dir, name);

describe('scheduler: runs, audit, catch-up', () => {
  it('audits each run with actor scheduler, platform scheduler, "job run <name>", its outcome and detail', async () => {
    const clock = new FakeClock('2026-12-07T10:01:00Z');
    const probes = recordingJob('probes', '*/5 * * * *', clock, { catchUp: () => false });
    const failing = recordingJob('certs', '*/5 * * * *', clock, {
      catchUp: () => false,
      run: async () => ({ outcome: 'failed', summary: { en: '1 certificate could not be checked', fr: '…' } }),
    });
    const throwing = recordingJob('backup-check', '*/5 * * * *', clock, {
      catchUp: () => false,
      run: async () => {
        throw new Error('repository exploded\nwith a long story');
      },
    });
    const { scheduler, db, audit } = schedulerOn(file('audit.db'), clock, [probes, failing, throwing]);
    scheduler.start();
    await clock.advanceTo('2026-12-07T10:05:30Z');
    await scheduler.idle();
    await scheduler.stop();

    const rows = audit.list().reverse();
    expect(rows.map((r) => [r.actor, r.platform, r.command, r.text, r.status, r.detail])).toEqual([
      ['scheduler', 'scheduler', 'job run', 'job run probes', 'ok', 'probes done'],
      ['scheduler', 'scheduler', 'job run', 'job run certs', 'failed', '1 certificate could not be checked'],
      ['scheduler', 'scheduler', 'job run', 'job run backup-check', 'error', 'repository exploded'],
    ]);
    expect(rows.every((r) => r.startedAt === '2026-12-07T10:05:00.000Z' && r.finishedAt !== undefined)).toBe(true);
    // The job_runs rows point at their audit rows.
    const linked = db.prepare('SELECT job, status, audit_id FROM job_runs ORDER BY id').all();
    expect(linked).toEqual([
      { job: 'probes', status: 'ok', audit_id: rows[0]?.id },
      { job: 'certs', status: 'failed', audit_id: rows[1]?.id },
      { job: 'backup-check', status: 'error', audit_id: rows[2]?.id },
    ]);
    db.close();
  });

  it('runs the latest slot missed while down once at start-up, and never again on the next starts', async () => {
    const path = file('catch-up.db');
    const clock = new FakeClock('2026-12-07T10:01:00Z');
    const first = schedulerOn(path, clock, [recordingJob('probes', '*/5 * * * *', clock)]);
    first.scheduler.start();
    await clock.advanceTo('2026-12-07T10:06:00Z');
    await first.scheduler.stop();
    // At 10:01 the 10:00 slot was missed (new database): run once; 10:05 on schedule.
    expect(slots(first.db, 'probes')).toEqual([
      { slot: '2026-12-07T10:00:00.000Z', status: 'ok', trigger: 'catch-up' },
      { slot: '2026-12-07T10:05:00.000Z', status: 'ok', trigger: 'schedule' },
    ]);
    first.db.close();

    // Down for an hour: twelve slots missed, one run for the latest of them.
    clock.jumpTo('2026-12-07T11:07:00Z');
    const second = schedulerOn(path, clock, [recordingJob('probes', '*/5 * * * *', clock)]);
    second.scheduler.start();
    await second.scheduler.idle();
    await second.scheduler.stop();
    second.db.close();
    // Restarted a minute later: 11:05 already ran, nothing to catch up.
    clock.jumpTo('2026-12-07T11:08:00Z');
    const third = schedulerOn(path, clock, [recordingJob('probes', '*/5 * * * *', clock)]);
    third.scheduler.start();
    await third.scheduler.idle();
    await third.scheduler.stop();

    expect(slots(third.db, 'probes')).toEqual([
      { slot: '2026-12-07T10:00:00.000Z', status: 'ok', trigger: 'catch-up' },
      { slot: '2026-12-07T10:05:00.000Z', status: 'ok', trigger: 'schedule' },
      { slot: '2026-12-07T11:05:00.000Z', status: 'ok', trigger: 'catch-up' },
    ]);
    third.db.close();
  });

  it('two schedulers started together on one database file run each slot once between them', async () => {
    const path = file('two.db');
    const clock = new FakeClock('2026-12-07T10:02:00Z');
    const a = recordingJob('probes', '*/5 * * * *', clock);
    const b = recordingJob('probes', '*/5 * * * *', clock);
    const one = schedulerOn(path, clock, [a]);
    const two = schedulerOn(path, clock, [b]);
    one.scheduler.start();
    two.scheduler.start();
    await clock.advanceTo('2026-12-07T11:02:00Z');
    await Promise.all([one.scheduler.stop(), two.scheduler.stop()]);

    // 10:00 (caught up) then 10:05 … 11:00: 13 slots, each run by exactly one of the two.
    expect(a.ranAt.length + b.ranAt.length).toBe(13);
    const recorded = slots(one.db, 'probes');
    expect(recorded).toHaveLength(13);
    expect(recorded.every((r) => r.status === 'ok')).toBe(true);
    expect(one.audit.list({ limit: 100 })).toHaveLength(13);
    one.db.close();
    two.db.close();
  });

  it('skips a slot while the previous run still runs (recorded skipped), and runs the next one', async () => {
    const clock = new FakeClock('2026-12-07T10:01:00Z');
    let release: () => void = () => {};
    const slow = recordingJob('backup-check', '*/5 * * * *', clock, {
      catchUp: () => false,
      run: () =>
        new Promise((resolve) => {
          release = () => resolve(okResult('observed'));
        }),
    });
    const { scheduler, db, audit } = schedulerOn(file('overlap.db'), clock, [slow]);
    scheduler.start();
    await clock.advanceTo('2026-12-07T10:05:00Z');
    expect(scheduler.status().jobs['backup-check']?.running).toBe(true);
    await clock.advanceTo('2026-12-07T10:10:00Z');
    release();
    await settle();
    await clock.advanceTo('2026-12-07T10:15:00Z');
    release();
    await scheduler.idle();
    await scheduler.stop();

    expect(slow.ranAt.map((d) => d.toISOString())).toEqual(['2026-12-07T10:05:00.000Z', '2026-12-07T10:15:00.000Z']);
    expect(slots(db, 'backup-check')).toEqual([
      { slot: '2026-12-07T10:05:00.000Z', status: 'ok', trigger: 'schedule' },
      { slot: '2026-12-07T10:10:00.000Z', status: 'skipped', trigger: 'schedule' },
      { slot: '2026-12-07T10:15:00.000Z', status: 'ok', trigger: 'schedule' },
    ]);
    // A skipped slot is no run: no audit row for it.
    expect(audit.list().map((r) => r.status)).toEqual(['ok', 'ok']);
    db.close();
  });

  it('stop aborts a running job: its run and audit rows end interrupted', async () => {
    const clock = new FakeClock('2026-12-07T10:04:00Z');
    let seen: AbortSignal | undefined;
    const waiting = recordingJob('certs', '*/5 * * * *', clock, {
      catchUp: () => false,
      run: (_context, signal) =>
        new Promise((_resolve, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    const { scheduler, db, audit } = schedulerOn(file('stop.db'), clock, [waiting]);
    scheduler.start();
    await clock.advanceTo('2026-12-07T10:05:00Z');
    expect(scheduler.status()).toMatchObject({ state: 'running', jobs: { certs: { running: true } } });
    await scheduler.stop();

    expect(seen?.aborted).toBe(true);
    expect(scheduler.status()).toEqual({
      state: 'stopped',
      jobs: { certs: { cron: '*/5 * * * *', next: undefined, running: false } },
    });
    expect(slots(db, 'certs')).toEqual([
      { slot: '2026-12-07T10:05:00.000Z', status: 'interrupted', trigger: 'schedule' },
    ]);
    expect(audit.list()[0]).toMatchObject({ status: 'interrupted', detail: 'stopped before the job finished' });
    db.close();
  });

  it('marks interrupted the run a killed process left running, and does not run that slot again', async () => {
    const path = file('killed.db');
    const clock = new FakeClock('2026-12-07T10:07:00Z');
    const setup = schedulerOn(path, clock, []);
    // What a bot killed during its 10:05 probes leaves behind: a running row of a process now gone.
    setup.db
      .prepare(
        `INSERT INTO job_runs (job, scheduled_for, trigger, status, started_at, owner)
         VALUES ('probes', '2026-12-07T10:05:00.000Z', 'schedule', 'running', '2026-12-07T10:05:00.000Z', '@999999.0123456789abcdef')`,
      )
      .run();
    setup.db.close();
    const job = recordingJob('probes', '*/5 * * * *', clock);
    const { scheduler, db } = schedulerOn(path, clock, [job]);
    scheduler.start();
    await scheduler.idle();
    await scheduler.stop();
    expect(job.ranAt).toEqual([]);
    expect(db.prepare('SELECT status, detail FROM job_runs').all()).toEqual([
      { status: 'interrupted', detail: 'the process stopped before the job finished' },
    ]);
    db.close();
  });

  it('a machine that slept over several slots runs the latest one once when it wakes', async () => {
    const clock = new FakeClock('2026-12-07T10:01:00Z');
    const job = recordingJob('probes', '*/5 * * * *', clock, { catchUp: () => false });
    const { scheduler, db } = schedulerOn(file('sleep.db'), clock, [job]);
    scheduler.start();
    clock.jumpTo('2026-12-07T10:33:00Z');
    await clock.advanceTo('2026-12-07T10:34:00Z');
    await scheduler.idle();
    await scheduler.stop();
    expect(slots(db, 'probes')).toEqual([{ slot: '2026-12-07T10:30:00.000Z', status: 'ok', trigger: 'schedule' }]);
    expect(scheduler.status().jobs.probes?.cron).toBe('*/5 * * * *');
    db.close();
  });

  it('follows the config: another cron for a job, "off" for another', async () => {
    const clock = new FakeClock('2026-12-07T10:01:00Z');
    const jobs: JobDefinition[] = ['probes', 'certs', 'morning-digest', 'monthly-report'].map((name) => {
      const real = findJob(name);
      if (!real) throw new Error(name);
      return { ...real, run: async () => okResult(name) };
    });
    const defaults = schedulerOn(file('defaults.db'), clock, jobs);
    expect(Object.keys(defaults.scheduler.status().jobs)).toEqual([
      'probes',
      'certs',
      'morning-digest',
      'monthly-report',
    ]);
    defaults.db.close();
    const { scheduler, db } = schedulerOn(file('config.db'), clock, jobs, {
      schedule: { probes: '0 * * * *', certs: 'off', 'monthly-report': '0 9 2 * *' },
    });
    scheduler.start();
    await scheduler.idle();
    expect(Object.keys(scheduler.status().jobs)).toEqual(['probes', 'morning-digest', 'monthly-report']);
    expect(scheduler.status().jobs.probes).toEqual({
      cron: '0 * * * *',
      next: '2026-12-07T11:00:00.000Z',
      running: false,
    });
    // Weekdays at 09:00 in Paris (08:00 UTC in winter): Tuesday's.
    expect(scheduler.status().jobs['morning-digest']?.next).toBe('2026-12-08T08:00:00.000Z');
    await scheduler.stop();
    db.close();
  });
});

describe('jobs with nothing to work on', () => {
  it('are neither armed nor caught up, and status() lists them with why', async () => {
    const clock = new FakeClock('2026-12-07T10:01:00Z');
    const probes = recordingJob('probes', '*/5 * * * *', clock);
    const certs = recordingJob('certs', '*/5 * * * *', clock);
    const { scheduler, db } = schedulerOn(file('nothing-to-do.db'), clock, [probes, certs], {
      nothingToDo: { probes: 'no host configured: nothing to probe' },
    });
    scheduler.start();
    await clock.advanceTo('2026-12-07T10:11:00Z');
    await scheduler.idle();
    // A new database: certs catches up 10:00, then runs at 10:05 and 10:10; probes never runs.
    expect(probes.ranAt).toEqual([]);
    expect(slots(db, 'probes')).toEqual([]);
    expect(slots(db, 'certs').map((r) => r.slot)).toEqual([
      '2026-12-07T10:00:00.000Z',
      '2026-12-07T10:05:00.000Z',
      '2026-12-07T10:10:00.000Z',
    ]);
    expect(scheduler.status()).toEqual({
      state: 'running',
      jobs: {
        certs: { cron: '*/5 * * * *', next: '2026-12-07T10:15:00.000Z', running: false },
        probes: {
          cron: '*/5 * * * *',
          next: undefined,
          running: false,
          notScheduled: 'no host configured: nothing to probe',
        },
      },
    });
    await scheduler.stop();
    db.close();
  });
});

describe('morning-digest catch-up: today only, before noon', () => {
  async function startAt(name: string, at: string) {
    const clock = new FakeClock(at);
    const real = findJob('morning-digest');
    if (!real) throw new Error('morning-digest');
    const digest = recordingJob('morning-digest', real.defaultCron ?? '', clock, { catchUp: real.catchUp });
    const { scheduler, db } = schedulerOn(file(name), clock, [digest]);
    scheduler.start();
    await scheduler.idle();
    await scheduler.stop();
    const recorded = slots(db, 'morning-digest');
    db.close();
    return { ran: digest.ranAt.length, recorded };
  }

  it('runs today’s digest when the bot starts at 11:30 on a weekday, once', async () => {
    // Monday 7 December 2026, 11:30 in Paris.
    const { ran, recorded } = await startAt('digest-morning.db', '2026-12-07T10:30:00Z');
    expect(ran).toBe(1);
    expect(recorded).toEqual([{ slot: '2026-12-07T08:00:00.000Z', status: 'ok', trigger: 'catch-up' }]);
  });

  it('does not post it after 12:00, nor Friday’s on Saturday', async () => {
    expect((await startAt('digest-noon.db', '2026-12-07T11:00:00Z')).ran).toBe(0);
    expect((await startAt('digest-saturday.db', '2026-12-12T08:30:00Z')).ran).toBe(0);
  });
});

describe('monthly-report catch-up: the 1st missed, posted once at the next start', () => {
  it('runs at a start later in the month, never again at the next start, nor the next month', async () => {
    const real = findJob('monthly-report');
    if (!real) throw new Error('monthly-report');
    const path = file('monthly.db');
    const startAt = async (at: string, on = path) => {
      const clock = new FakeClock(at);
      const report = recordingJob('monthly-report', real.defaultCron ?? '', clock, { catchUp: real.catchUp });
      const { scheduler, db } = schedulerOn(on, clock, [report]);
      scheduler.start();
      await scheduler.idle();
      await scheduler.stop();
      db.close();
      return report.ranAt.length;
    };
    // Down on Tuesday 1 December 2026 at 09:00 Paris; started on the 3rd, then again on the 4th.
    expect(await startAt('2026-12-03T15:00:00Z')).toBe(1);
    expect(await startAt('2026-12-04T15:00:00Z')).toBe(0);
    const db = openDatabase(path);
    expect(slots(db, 'monthly-report')).toEqual([
      { slot: '2026-12-01T08:00:00.000Z', status: 'ok', trigger: 'catch-up' },
    ]);
    db.close();
    // A bot down from before 1 December until 1 January 08:00: December's report is not posted late.
    expect(await startAt('2027-01-01T07:00:00Z', file('monthly-january.db'))).toBe(0);
  });
});
