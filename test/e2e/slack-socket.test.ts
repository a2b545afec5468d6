import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import { ALICE, APP_TOKEN, BOT_TOKEN, INFRA, workspace } from '../emulators/slack-fixtures.js';
import { startDetour } from '../support/detour.js';
import { waitFor } from '../support/wait.js';

/* The real `detour serve` in Slack Socket Mode: no public URL, the bot connects out to Slack. */
let dir: string;
let slack: SlackEmulator;
let bot: ReturnType<typeof startDetour>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-socket-'));
  slack = await createSlackEmulator(workspace());
  await writeFile(
    join(dir, 'detour.yaml'),
    `locale: en
database: ./detour.db
http: { listen: "127.0.0.1:0" }
chat:
  slack: { mode: socket, botToken: "\${SLACK_BOT_TOKEN}", appToken: "\${SLACK_APP_TOKEN}", apiUrl: "${slack.apiUrl}" }
access: { allowedDomains: [epicerieledetour.org] }
`,
  );
  bot = startDetour(['serve', '--config', join(dir, 'detour.yaml')], {
    cwd: dir,
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN },
  });
  await bot.waitForLine((l) => l.includes('detour-bot serving'));
});
afterAll(async () => {
  if (bot?.child.exitCode === null) bot.child.kill('SIGKILL');
  await slack?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Slack Socket Mode through the emulator', () => {
  it('connects out, acks a slash command envelope and answers through response_url', async () => {
    await slack.socket.waitForConnection(20_000);
    const url = await fetch(
      `${JSON.parse(bot.lines.find((l) => l.includes('detour-bot serving')) as string).url}/healthz`,
    );
    expect(await url.json()).toMatchObject({ chat: { slack: 'up' } });
    const sent = await slack.sendSlashCommand({ user: ALICE, channel: INFRA, text: 'help', command: '/detour' });
    expect(sent.via).toBe('socket');
    expect(sent.status).toBe(200);
    const reply = await waitFor('the help reply', () =>
      slack.responseUrlPosts.find(
        (p) => sent.response_url.includes(`/${p.id}/`) && JSON.stringify(p.body).includes('Commands you can run'),
      ),
    );
    expect(reply.status).toBe(200);
  });

  it('stops on SIGTERM and exits 0, even when Slack no longer answers', async () => {
    const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
    // The link goes silent, then drops while the bot says goodbye: Bolt's Socket Mode client
    // then keeps trying to reconnect, which kept the bot alive after everything of ours closed.
    slack.socket.freeze();
    bot.child.kill('SIGTERM');
    await bot.waitForLine((l) => l.includes('"reason":"SIGTERM"'));
    slack.socket.drop();
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code, bot.lines.slice(-5).join('\n')).toBe(0);
    expect(bot.lines.some((l) => l.includes('"reason":"SIGTERM"'))).toBe(true);
  });
});
