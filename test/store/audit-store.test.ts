import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import { ownerAlive } from '../../src/store/process-owner.js';
import { waitFor } from '../support/wait.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-store-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const DIST = resolve(import.meta.dirname, '../../dist/src/store');

/**
 * A real process (built code) that writes a running audit row, then crashes (SIGKILL: no exit
 * handler runs), exits cleanly without finishing it, or stays alive.
 */
async function auditChild(path: string, mode: 'crash' | 'exit' | 'live', wrapper: string[] = []) {
  const script = `
    const { openDatabase } = await import(${JSON.stringify(`${DIST}/database.js`)});
    const { AuditStore } = await import(${JSON.stringify(`${DIST}/audit-store.js`)});
    const row = new AuditStore(openDatabase(process.argv[1])).start({ actor: 'a', platform: 'console', text: '${mode}' });
    console.log(row + ' ' + process.pid);
    if ('${mode}' === 'crash') process.kill(process.pid, 'SIGKILL');
    if ('${mode}' === 'live') setInterval(() => {}, 1000); else process.exit(0);
  `;
  const [command = process.execPath, ...args] = [
    ...wrapper,
    process.execPath,
    '--input-type=module',
    '-e',
    script,
    path,
  ];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const row = await new Promise<number>((done, fail) => {
    child.stdout.once('data', (d: Buffer) => done(Number(d.toString().split(' ')[0])));
    child.once('exit', () => fail(new Error('child exited before writing its row')));
  });
  if (mode !== 'live')
    await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r(0)));
  return { row, child, pid: child.pid as number };
}

describe('database', () => {
  it('uses WAL, applies every migration once and survives a reopen', () => {
    const path = join(dir, 'a.db');
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)?.version);
    db.close();
    const again = openDatabase(path);
    expect(again.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'audit'`).get()).toEqual({ n: 1 });
    again.close();
  });

  it('refuses a database written by a newer version', () => {
    const path = join(dir, 'newer.db');
    openDatabase(path).close();
    expect(() => openDatabase(path, { migrations: migrations.slice(0, 1) })).toThrow(/newer than this detour-bot/);
  });
});

describe('database file', () => {
  const modeOf = (file: string) => statSync(file).mode & 0o777;

  it('creates the database and its -wal and -shm files readable by the owner only', () => {
    const path = join(dir, 'private', 'detour.db');
    const db = openDatabase(path);
    new AuditStore(db).start({ actor: 'a', platform: 'console', text: 'x' });
    expect([modeOf(path), modeOf(`${path}-wal`), modeOf(`${path}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    db.close();
  });

  it('narrows an existing world-readable database and says so', () => {
    const path = join(dir, 'old.db');
    openDatabase(path).close();
    for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o644);
    const warnings: unknown[] = [];
    const db = openDatabase(path, { logger: { warn: (fields) => warnings.push(fields) } });
    new AuditStore(db).start({ actor: 'a', platform: 'console', text: 'x' });
    expect([modeOf(path), modeOf(`${path}-wal`), modeOf(`${path}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    expect(warnings).toContainEqual({ file: path, mode: '0644' });
    db.close();
  });

  it('lets many processes open the same new database at once', async () => {
    // Each pair of real processes waits for the same instant, then opens a database nobody created.
    const script = `
      const { openDatabase } = await import(${JSON.stringify(`${DIST}/database.js`)});
      await new Promise((r) => setTimeout(r, Number(process.argv[2]) - Date.now()));
      openDatabase(process.argv[1]).close();
    `;
    const failures: string[] = [];
    for (let pair = 0; pair < 20; pair++) {
      const path = join(dir, 'race', `${pair}.db`);
      const at = String(Date.now() + 400);
      const runs = [0, 1].map(
        () =>
          new Promise<void>((done) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, path, at], {
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => {
              stderr += d.toString();
            });
            child.once('exit', (code) => {
              if (code !== 0) failures.push(stderr.split('\n').find((l) => l.includes('Error')) ?? stderr);
              done();
            });
          }),
      );
      await Promise.all(runs);
    }
    expect(failures).toEqual([]);
  });
});

describe('audit store', () => {
  it('records start and end with duration, actor and status', () => {
    let clock = new Date('2026-11-24T08:00:00Z');
    const audit = new AuditStore(openDatabase(':memory:'), () => clock);
    const id = audit.start({
      actor: 'alice@x.org',
      platform: 'slack',
      command: 'backup status',
      text: 'backup status',
    });
    expect(audit.list()[0]).toMatchObject({ id, status: 'running', finishedAt: undefined });
    clock = new Date('2026-11-24T08:00:01.250Z');
    audit.finish(id, 'ok', 'b7=OK');
    expect(audit.list()[0]).toMatchObject({
      id,
      status: 'ok',
      detail: 'b7=OK',
      durationMs: 1250,
      finishedAt: '2026-11-24T08:00:01.250Z',
    });
  });

  it('marks the rows of dead processes interrupted, whatever their PID or host name, and leaves live ones', async () => {
    const path = join(dir, 'interrupted.db');
    const db = openDatabase(path);
    // Real processes write the rows: one killed outright, one exited, one still running.
    const crashed = await auditChild(path, 'crash');
    const exited = await auditChild(path, 'exit');
    const live = await auditChild(path, 'live');
    try {
      const audit = new AuditStore(db);
      const ours = audit.start({ actor: 'a', platform: 'console', text: 'ours' });
      // Rows whose owner looks like us: our PID, reused since by this process (a container's PID 1
      // after a restart), in the current form and in the host:pid form of older versions, and a
      // row of a host name that changed (a new container).
      const insert = db.prepare(
        `INSERT INTO audit (started_at, actor, platform, text, status, owner) VALUES (?, 'a', 'console', ?, 'running', ?)`,
      );
      const at = new Date().toISOString();
      const reused = Number(insert.run(at, 'reused pid', `@${process.pid}.0123456789abcdef`).lastInsertRowid);
      const legacy = Number(insert.run(at, 'legacy', `${hostname()}:${process.pid}`).lastInsertRowid);
      const renamed = Number(insert.run(at, 'renamed host', `old-container-name:${live.pid}`).lastInsertRowid);

      expect(audit.markInterrupted()).toBe(5);
      const status = new Map(audit.list().map((e) => [e.id, e.status]));
      expect(status.get(crashed.row)).toBe('interrupted');
      expect(status.get(exited.row)).toBe('interrupted');
      expect(status.get(reused)).toBe('interrupted');
      expect(status.get(legacy)).toBe('interrupted');
      expect(status.get(renamed)).toBe('interrupted');
      expect(status.get(live.row)).toBe('running');
      expect(status.get(ours)).toBe('running');
      // The killed process's lock file is swept; the live one's stays.
      expect((await readdir(`${path}-owners`)).length).toBe(2);

      live.child.kill('SIGKILL');
      await new Promise((r) => live.child.once('exit', r));
      expect(audit.markInterrupted()).toBe(1);
      expect(audit.list().find((e) => e.id === live.row)?.status).toBe('interrupted');
    } finally {
      live.child.kill('SIGKILL');
      db.close();
    }
  });

  // A container: its own PID namespace, where the bot is PID 1. `--kill-child` ends it with unshare.
  const unshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
  it.skipIf(!unshare)('tells a live bot in another PID namespace (PID 1 there) from a dead one', async () => {
    const path = join(dir, 'container.db');
    const db = openDatabase(path);
    const wrapper = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];
    const container = await auditChild(path, 'live', wrapper);
    try {
      const audit = new AuditStore(db);
      const { owner } = db.prepare(`SELECT owner FROM audit WHERE id = ?`).get(container.row) as { owner: string };
      expect(owner).toMatch(/^@1\./);
      expect(audit.markInterrupted()).toBe(0);
      container.child.kill('SIGKILL');
      // The bot inside goes with its namespace (a moment after unshare): a new one would be PID 1
      // again, yet this row is over.
      await waitFor('the bot in the namespace to end', () => !ownerAlive(db, owner));
      expect(audit.markInterrupted()).toBe(1);
      expect(audit.list().find((e) => e.id === container.row)?.status).toBe('interrupted');
    } finally {
      container.child.kill('SIGKILL');
      db.close();
    }
  });

  it('records a decision made at once (a refusal) as one finished row, in one write', () => {
    const clock = new Date('2026-11-24T08:00:00Z');
    const db = openDatabase(':memory:');
    const audit = new AuditStore(db, () => clock);
    const writes = () => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = writes();
    const id = audit.record({ actor: 'slack:U1', platform: 'slack', text: 'unlock x' }, 'denied', 'e-mail unknown');
    expect(writes() - before).toBe(1);
    expect(audit.list()[0]).toEqual({
      id,
      startedAt: '2026-11-24T08:00:00.000Z',
      finishedAt: '2026-11-24T08:00:00.000Z',
      durationMs: 0,
      actor: 'slack:U1',
      platform: 'slack',
      command: undefined,
      text: 'unlock x',
      status: 'denied',
      detail: 'e-mail unknown',
    });
  });

  it('filters by date and limits, newest first', () => {
    let clock = new Date('2026-11-01T00:00:00Z');
    const audit = new AuditStore(openDatabase(':memory:'), () => clock);
    for (const day of ['01', '02', '03']) {
      clock = new Date(`2026-11-${day}T09:00:00Z`);
      audit.finish(audit.start({ actor: 'a', platform: 'console', text: `day ${day}` }), 'ok');
    }
    expect(audit.list({ since: '2026-11-02T00:00:00.000Z' }).map((e) => e.text)).toEqual(['day 03', 'day 02']);
    expect(audit.list({ limit: 1 }).map((e) => e.text)).toEqual(['day 03']);
  });
});
