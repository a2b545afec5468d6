import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../emulators/mattermost/fixture.js';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import { ALICE, BOT_TOKEN, BOT_USER, INFRA, SIGNING_SECRET, workspace } from '../emulators/slack-fixtures.js';
import { startDetour } from '../support/detour.js';
import { waitFor } from '../support/wait.js';

/*
 * The messages nobody asked for, end to end: the real `detour serve` with Slack (HTTP mode) and
 * Mattermost together, each against its emulator. The scheduler's start-up catch-up of `probes`
 * fires a disk alert (levels every disk breaches) to the infra channel, the `morning-digest` job
 * (every 5 seconds here, so the test does not depend on the time of day) posts the digest to the
 * digest channel, and pings from a backup job outside the bot post summaries to the backups channel.
 */
const DIGEST = 'C0DIGEST01';
const BACKUPS = 'C0BACKUPS1';
const PING_TOKEN = 'e2e-flows-ping-token-7c2a91d4';
let dir: string;
let slack: SlackEmulator;
let mattermost: World;
let bot: ReturnType<typeof startDetour>;
let botUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-flows-'));
  const base = workspace();
  slack = await createSlackEmulator({
    ...base,
    channels: [
      ...base.channels,
      { id: DIGEST, name: 'digest', members: [ALICE, BOT_USER] },
      { id: BACKUPS, name: 'backups', members: [ALICE, BOT_USER] },
    ],
  });
  mattermost = await startWorld({}, ['digest', 'backups']);
  await writeFile(join(dir, 'nightly.token'), `${PING_TOKEN}\n`);
  await writeFile(
    join(dir, 'detour.yaml'),
    `locale: en
database: ./detour.db
http: { listen: "127.0.0.1:0" }
chat:
  slack: { mode: http, botToken: "\${SLACK_BOT_TOKEN}", signingSecret: "\${SLACK_SIGNING_SECRET}", apiUrl: "${slack.apiUrl}" }
  mattermost: { url: "${mattermost.emulator.url}", botToken: "\${MATTERMOST_BOT_TOKEN}", commandToken: "\${MATTERMOST_COMMAND_TOKEN}", team: detour }
channels: { infra: "#infra", digest: "#digest", backups: "#backups" }
hosts: { local: { local: true } }
thresholds: { disk: { warn: 1, crit: 2 } }
alerts: { samplesToFire: 1 }
checks:
  nightly: { tokenFile: ./nightly.token }
schedule:
  morning-digest: "*/5 * * * * *"
  certs: "off"
`,
  );
  bot = startDetour(['serve', '--config', join(dir, 'detour.yaml')], {
    cwd: dir,
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      MATTERMOST_BOT_TOKEN: mattermost.botToken,
      MATTERMOST_COMMAND_TOKEN: mattermost.commandToken,
    },
  });
  const line = await bot.waitForLine((l) => l.includes('detour-bot serving'));
  botUrl = JSON.parse(line).url as string;
});
afterAll(async () => {
  if (bot?.child.exitCode === null) {
    bot.child.kill('SIGKILL');
    await new Promise((r) => bot.child.once('exit', r));
  }
  await slack?.close();
  await mattermost?.emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the bot posted to a Slack channel (the text Slack shows in notifications), and to a Mattermost one. */
const slackPosts = (channel: string) => slack.messages.filter((m) => m.channel === channel).map((m) => m.text);
const mattermostPosts = (name: string) => {
  const channel = [...mattermost.emulator.channels.values()].find((c) => c.name === name);
  return mattermost.emulator.posts
    .filter((p) => p.channel_id === channel?.id && p.user_id === mattermost.ids.bot)
    .map((p) => p.message);
};
/** The first post of `channel` on both platforms that matches, once both have one. */
const onBoth = (what: string, slackChannel: string, channel: string, match: (text: string) => boolean) =>
  waitFor(
    `${what} on Slack and Mattermost`,
    () => {
      const fromSlack = slackPosts(slackChannel).find(match);
      const fromMattermost = mattermostPosts(channel).find(match);
      return (
        fromSlack !== undefined && fromMattermost !== undefined && { slack: fromSlack, mattermost: fromMattermost }
      );
    },
    30_000,
  );
const ping = (path: string, body = '') =>
  fetch(`${botUrl}/ping/${path}`, { method: 'POST', headers: { authorization: `Bearer ${PING_TOKEN}` }, body });

describe('detour serve: alerts, the digest and backup summaries on Slack and Mattermost', () => {
  it('posts the disk alert fired by the start-up probes to the infra channel, and audits the run', async () => {
    const alert = await onBoth('the disk alert', INFRA, 'infra', (t) => /CRIT local \/\S* at \d+ %/.test(t));
    expect(alert.slack).toContain('disk:local:/');
    expect(alert.mattermost).toContain('disk:local:/');
    expect(alert.mattermost).toContain('alerts silence disk:local:/');

    const db = new Database(join(dir, 'detour.db'), { readonly: true });
    const audited = db
      .prepare(`SELECT actor, platform, status, detail FROM audit WHERE text = 'job run probes' ORDER BY id`)
      .all() as { actor: string; platform: string; status: string; detail: string }[];
    const run = db.prepare(`SELECT trigger, status FROM job_runs WHERE job = 'probes' ORDER BY id`).get();
    db.close();
    expect(audited[0]).toMatchObject({ actor: 'scheduler', platform: 'scheduler', status: 'ok' });
    expect(audited[0]?.detail).toContain('1 host(s) probed');
    expect(run).toEqual({ trigger: 'catch-up', status: 'ok' });
  });

  it('posts the morning digest, with that alert active, to the digest channel', async () => {
    const digest = await onBoth('the digest', DIGEST, 'digest', (t) => t.includes('Active alerts'));
    for (const text of [digest.slack, digest.mattermost]) {
      expect(text).toMatch(/Morning digest, \w+ \d+ \w+/);
      expect(text).toMatch(/CRIT +local \/\S* at \d+ %/);
    }
    // The alert went to infra, the digest to digest: nothing crossed over.
    expect(slackPosts(INFRA).some((t) => t.includes('Morning digest'))).toBe(false);
    expect(mattermostPosts('infra').some((t) => t.includes('Morning digest'))).toBe(false);
  });

  it('posts a ping success as one line, and a failure with its log tail clipped and scrubbed, to backups', async () => {
    expect((await ping('nightly')).status).toBe(200);
    const ok = await onBoth('the success summary', BACKUPS, 'backups', (t) => t.includes('nightly'));
    expect(ok.slack).toBe('backup nightly: ok (reported)');
    expect(ok.mattermost).toBe('```\nbackup nightly: ok (reported)\n```');

    // 40 lines of log: the last 30 are kept; the secrets of the config in them become [secret].
    const log = Array.from({ length: 40 }, (_, i) => `line ${String(i + 1).padStart(3, '0')}`);
    log[34] = `borg: auth with ${PING_TOKEN} and ${BOT_TOKEN} failed`;
    expect((await ping('nightly/fail', log.join('\n'))).status).toBe(200);
    const failed = await onBoth('the failure summary', BACKUPS, 'backups', (t) => t.includes('line 040'));
    for (const text of [failed.slack, failed.mattermost]) {
      expect(text).toContain('nightly');
      expect(text).toContain('line 011');
      expect(text).not.toContain('line 010');
      expect(text).toContain('borg: auth with [secret] and [secret] failed');
      expect(text).not.toContain(PING_TOKEN);
      expect(text).not.toContain(BOT_TOKEN);
    }
    expect(slackPosts(INFRA).some((t) => t.includes('line 040'))).toBe(false);

    // The next digest lists both runs; the log stays in the backups channel.
    const digest = await onBoth('a digest with the runs', DIGEST, 'digest', (t) => /FAILED +nightly/.test(t));
    for (const text of [digest.slack, digest.mattermost]) {
      expect(text).toContain('Backup runs since');
      expect(text).toMatch(/OK +nightly/);
      expect(text).not.toContain('line 040');
    }
  });

  it('kept every secret out of its log, had nothing refused, and stops cleanly with the scheduler running', async () => {
    const output = bot.lines.join('\n');
    for (const secret of [PING_TOKEN, BOT_TOKEN, SIGNING_SECRET, mattermost.botToken])
      expect(output).not.toContain(secret);
    expect(slack.calls.filter((c) => !(c.response as { ok?: boolean }).ok)).toEqual([]);
    expect(mattermost.emulator.warnings).toEqual([]);
    bot.child.kill('SIGTERM');
    expect(await new Promise((r) => bot.child.once('exit', r))).toBe(0);
  });
});
