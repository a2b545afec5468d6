import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDetour } from '../support/detour.js';

/* `detour serve` answers POST /ping/<check> with the token read from its tokenFile. */
const TOKEN = 'e2e-ping-token-5d1c9b7a3e2f';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-ping-'));
  await writeFile(join(dir, 'nightly.token'), `${TOKEN}\n`);
  await writeFile(
    join(dir, 'detour.yaml'),
    [
      'http: { listen: "127.0.0.1:0" }',
      'database: ./detour.db',
      'checks:',
      '  nightly: { tokenFile: ./nightly.token, period: 1d, grace: 2h }',
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('detour serve: backup check pings', () => {
  it('takes a ping with the right Bearer token, refuses a wrong one, counts both', async () => {
    const bot = startDetour(['serve', '--config', join(dir, 'detour.yaml')], { cwd: dir });
    try {
      const line = await bot.waitForLine((l) => l.includes('detour-bot serving'));
      const url = JSON.parse(line).url as string;
      const ping = (path: string, token: string) =>
        fetch(`${url}/ping/${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'ok' });
      expect((await ping('nightly/start', TOKEN)).status).toBe(200);
      expect((await ping('nightly', TOKEN)).status).toBe(200);
      expect((await ping('nightly', 'not-the-token')).status).toBe(401);
      expect((await ping('unknown', TOKEN)).status).toBe(404);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('detour_backup_pings_total{kind="success",stored="true"} 1');
      expect(metrics).toContain('detour_rejected_requests_total{platform="ping",reason="bad_token"} 1');
      const db = new Database(join(dir, 'detour.db'), { readonly: true });
      const state = db.prepare(`SELECT last_start_at, last_success_at FROM backup_checks WHERE name = 'nightly'`).get();
      const denied = db.prepare(`SELECT count(*) AS n FROM audit WHERE status = 'denied'`).get();
      db.close();
      expect(state).toEqual({ last_start_at: expect.any(String), last_success_at: expect.any(String) });
      expect(denied).toEqual({ n: 2 });
      expect(bot.lines.join('\n')).not.toContain(TOKEN);
      bot.child.kill('SIGTERM');
      expect(await new Promise((r) => bot.child.once('exit', r))).toBe(0);
    } finally {
      bot.child.kill('SIGKILL');
    }
  });
});
