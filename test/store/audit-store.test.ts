import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-store-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.once('exit', r));
  return child.pid as number;
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
    expect(() => openDatabase(path, migrations.slice(0, 1))).toThrow(/newer than this detour-bot/);
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

  it('marks rows of dead processes interrupted, leaves live ones running', async () => {
    const db = openDatabase(join(dir, 'interrupted.db'));
    const dead = new AuditStore(db, undefined, `${hostname()}:${await deadPid()}`);
    const live = new AuditStore(db, undefined, `${hostname()}:${process.ppid}`);
    const otherHost = new AuditStore(db, undefined, `elsewhere:${await deadPid()}`);
    const killed = dead.start({ actor: 'a', platform: 'console', text: 'backup status --fresh' });
    const running = live.start({ actor: 'a', platform: 'console', text: 'backup status' });
    const remote = otherHost.start({ actor: 'a', platform: 'console', text: 'backup status' });
    const starting = new AuditStore(db);
    expect(starting.markInterrupted()).toBe(1);
    const byId = new Map(starting.list().map((e) => [e.id, e]));
    expect(byId.get(killed)).toMatchObject({ status: 'interrupted' });
    expect(byId.get(running)).toMatchObject({ status: 'running' });
    expect(byId.get(remote)).toMatchObject({ status: 'running' });
    db.close();
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
