import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { startWorld, type World } from '../emulators/mattermost/fixture.js';
import { startDetour } from '../support/detour.js';
import { waitFor } from '../support/wait.js';

/*
 * The real `detour serve` starting on a database whose delivery queue holds a damaged row (as a
 * hand edit or a bug would leave it) before a good one: the bot keeps serving, sets the row
 * aside, and delivers the next message to the Mattermost emulator.
 */
let dir: string;
let world: World;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-outbox-e2e-'));
  world = await startWorld();
});
afterAll(async () => {
  await world?.emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('detour serve with an unreadable queued message (built binary)', () => {
  it('sets it aside, delivers the next one and keeps serving', async () => {
    const config = join(dir, 'detour.yaml');
    await writeFile(
      config,
      `database: ./detour.db
http: { listen: "127.0.0.1:0" }
chat:
  mattermost: { url: "${world.emulator.url}", botToken: "\${MM_BOT}", commandToken: "\${MM_CMD}", team: detour }
channels: { infra: "#infra" }
`,
    );
    const db = openDatabase(join(dir, 'detour.db'));
    const now = new Date().toISOString();
    const queue = db.prepare(
      `INSERT INTO outbox (platform, channel, message, created_at, next_attempt_at) VALUES ('mattermost', 'infra', ?, ?, ?)`,
    );
    const broken = Number(queue.run('{"body": "cut sho', now, now).lastInsertRowid);
    queue.run(JSON.stringify({ body: 'queued before the restart' }), now, now);
    db.close();

    const bot = startDetour(['serve', '--config', config], {
      cwd: dir,
      env: { MM_BOT: world.botToken, MM_CMD: world.commandToken },
    });
    try {
      await bot.waitForLine((l) => l.includes('detour-bot serving'));
      const post = await waitFor('the queued message', () =>
        world.emulator.posts.find((p) => p.message.includes('queued before the restart')),
      );
      expect(post.channel_id).toBe(world.ids.infra);
      const setAside = await bot.waitForLine((l) => l.includes('unreadable queued message set aside'));
      expect(JSON.parse(setAside)).toMatchObject({ outboxId: broken, reason: 'not JSON' });
      await new Promise((r) => setTimeout(r, 300));
      expect(bot.child.exitCode).toBeNull();
      const check = openDatabase(join(dir, 'detour.db'));
      expect(check.prepare(`SELECT last_error FROM outbox WHERE id = ?`).get(broken)).toEqual({
        last_error: 'unreadable row: not JSON',
      });
      check.close();
      bot.child.kill('SIGTERM');
      expect(await new Promise((r) => bot.child.once('exit', r))).toBe(0);
    } finally {
      bot.child.kill('SIGKILL');
    }
  });
});
