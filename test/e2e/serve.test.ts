import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDetour } from '../support/detour.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-serve-'));
  await writeFile(join(dir, 'detour.yaml'), 'http: { listen: "127.0.0.1:0" }\ndatabase: ./detour.db\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('detour serve (built binary)', () => {
  it('serves /healthz on its listen address and stops cleanly on SIGTERM', async () => {
    const bot = startDetour(['serve', '--config', join(dir, 'detour.yaml')], { cwd: dir });
    try {
      const line = await bot.waitForLine((l) => l.includes('detour-bot serving'));
      await bot.waitForLine((l) => l.includes('scheduler started'));
      const url = JSON.parse(line).url as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('content-type')).toBe('application/json');
      expect(await health.json()).toMatchObject({
        status: 'ok',
        database: 'ok',
        chat: {},
        scheduler: 'running',
        // Nothing to probe nor to check in this config: listed, with why, but not scheduled.
        jobs: {
          probes: { cron: '*/5 * * * *', notScheduled: 'no host configured: nothing to probe' },
          'backup-check': { cron: '0 * * * *', notScheduled: 'no backup repository and no push check configured' },
        },
      });
      expect((await fetch(`${url}/nope`)).status).toBe(404);
      bot.child.kill('SIGTERM');
      const code = await new Promise((r) => bot.child.once('exit', r));
      expect(code).toBe(0);
      expect(bot.lines.some((l) => l.includes('"reason":"SIGTERM"'))).toBe(true);
    } finally {
      bot.child.kill('SIGKILL');
    }
  });
});
