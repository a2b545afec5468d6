import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { detour, startDetour } from '../support/detour.js';

/*
 * The scheduler through the built binary: `detour job run` probing the real local machine,
 * `detour config check` refusing a bad schedule, and two `detour serve` started together on one
 * database file catching up a missed job time once between them.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-scheduler-e2e-'));
  await writeFile(join(dir, 'detour.yaml'), 'locale: en\ndatabase: ./jobs.db\nhosts:\n  local: { local: true }\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (args: string[]) => detour(args, { cwd: dir });

describe('detour job run (built binary)', () => {
  it('runs probes on the local host now, prints what it did, audits it as the local user', async () => {
    const r = await run(['job', 'run', 'probes', '--config', join(dir, 'detour.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(
      /^probes: 1 host\(s\) probed; unreachable: none; with a failed probe: none \(audit #\d+\)$/,
    );
    const db = openDatabase(join(dir, 'jobs.db'));
    try {
      const [entry] = new AuditStore(db).list({ limit: 1 });
      expect(entry).toMatchObject({
        actor: `local:${userInfo().username}`,
        platform: 'console',
        command: 'job run',
        text: 'job run probes',
        status: 'ok',
      });
      // The samples were stored, as the scheduled job stores them.
      const samples = db.prepare(`SELECT count(*) AS n FROM probe_samples WHERE host = 'local'`).get() as { n: number };
      expect(samples.n).toBeGreaterThan(0);
      expect(db.prepare(`SELECT job, trigger, status FROM job_runs`).all()).toEqual([
        { job: 'probes', trigger: 'manual', status: 'ok' },
      ]);
    } finally {
      db.close();
    }
  });

  it('prints the morning digest instead of posting it, without listing its own run', async () => {
    const r = await run(['job', 'run', 'morning-digest', '--config', join(dir, 'detour.yaml')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^morning-digest: digest built \(printed here, not posted\) \(audit #\d+\)\n/);
    expect(r.stdout).toContain('Commands since');
    expect(r.stdout).toContain('job run probes');
    expect(r.stdout).not.toContain('job run morning-digest');
  });

  it('names an unknown job and lists the jobs (exit 2)', async () => {
    const r = await run(['job', 'run', 'backups', '--config', join(dir, 'detour.yaml')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      'detour job run: unknown job "backups". Jobs: probes, backup-check, certs, morning-digest, monthly-report.',
    );
    const none = await run(['job', 'run']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('usage: detour job run <name>');
  });
});

describe('detour config check: the schedule', () => {
  it('refuses an invalid cron and an unknown job, each with its path (exit 2)', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      'schedule:\n  morning-digest: "0 25 * * *"\n  nightly: "0 1 * * *"\n  probes: "off"\n',
    );
    const r = await run(['config', 'check', '--config', join(dir, 'bad.yaml')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('  schedule.morning-digest: invalid cron "0 25 * * *" (invalid value for hour: 25)\n');
    expect(r.stderr).toContain(
      '  schedule.nightly: unknown job "nightly" (jobs: probes, backup-check, certs, morning-digest, monthly-report)',
    );
    expect(r.stderr).not.toContain('schedule.probes');
  });
});

describe('two detour serve on one database', () => {
  it('run a missed job time once between them, and /healthz shows the scheduler', async () => {
    const config = join(dir, 'serve.yaml');
    // probes once a year (its latest time, 1 January, is missed: a new database); the rest off.
    await writeFile(
      config,
      `locale: en
database: ./shared.db
http: { listen: "127.0.0.1:0" }
hosts:
  local: { local: true }
schedule:
  probes: "0 3 1 1 *"
  backup-check: "off"
  certs: "off"
  morning-digest: "off"
  monthly-report: "off"
`,
    );
    const bots = [0, 1].map(() => startDetour(['serve', '--config', config], { cwd: dir }));
    try {
      const lines = await Promise.all(bots.map((b) => b.waitForLine((l) => l.includes('detour-bot serving'))));
      await Promise.all(bots.map((b) => b.waitForLine((l) => l.includes('scheduler started'))));
      const db = openDatabase(join(dir, 'shared.db'));
      const runs = () => db.prepare(`SELECT job, scheduled_for, trigger, status FROM job_runs`).all();
      const end = Date.now() + 30_000;
      while (Date.now() < end && JSON.stringify(runs()).includes('running'))
        await new Promise((r) => setTimeout(r, 100));
      expect(runs()).toEqual([
        {
          job: 'probes',
          scheduled_for: `${new Date().getUTCFullYear()}-01-01T02:00:00.000Z`,
          trigger: 'catch-up',
          status: 'ok',
        },
      ]);
      const audit = new AuditStore(db).list().filter((e) => e.text === 'job run probes');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor: 'scheduler', platform: 'scheduler', status: 'ok' });
      db.close();

      const url = JSON.parse(lines[0] as string).url as string;
      const health = await (await fetch(`${url}/healthz`)).json();
      expect(health).toEqual({
        status: 'ok',
        database: 'ok',
        chat: {},
        scheduler: 'running',
        jobs: {
          probes: { cron: '0 3 1 1 *', next: `${new Date().getUTCFullYear() + 1}-01-01T02:00:00.000Z`, running: false },
        },
      });
      for (const bot of bots) bot.child.kill('SIGTERM');
      const codes = await Promise.all(bots.map((b) => new Promise((r) => b.child.once('exit', r))));
      expect(codes).toEqual([0, 0]);
    } finally {
      for (const bot of bots) bot.child.kill('SIGKILL');
    }
  });
});
