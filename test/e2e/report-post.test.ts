import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { hostReport } from '../alerts/harness.js';
import { startWorld, type World } from '../emulators/mattermost/fixture.js';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import { ALICE, BOT_TOKEN, BOT_USER, SIGNING_SECRET, workspace } from '../emulators/slack-fixtures.js';
import { startDetour } from '../support/detour.js';
import { waitFor } from '../support/wait.js';

/*
 * The monthly report as the real `detour serve` posts it, to Slack (HTTP mode) and Mattermost
 * at once, against their emulators: the bot was down on the 1st, so the start-up catch-up builds
 * last month's report from the store and posts it once to the reports channel, its Markdown and
 * charts uploaded the way each server takes files (Slack: files.getUploadURLExternal, the bytes,
 * files.completeUploadExternal; Mattermost: POST /api/v4/files, then a post with file_ids).
 * Started again, it posts nothing more. "Last month" is the real previous month, so the test
 * holds on any date.
 */
const REPORTS = 'C0REPORTS1';
const ZONE = 'Europe/Paris';
let dir: string;
let slack: SlackEmulator;
let mattermost: World;
let month: string;

/** A few days of disk use on b7-srv during last month, stored as the probes job stores them. */
function fillLastMonth(file: string): void {
  const start = DateTime.now().setZone(ZONE).minus({ months: 1 }).startOf('month');
  month = start.toFormat('yyyy-MM');
  const db = openDatabase(file);
  const store = new SampleStore(db);
  for (let day = 0; day < 10; day++) {
    const at = start.plus({ days: day, hours: 12 }).toJSDate();
    store.addHostReports([hostReport('b7-srv', at, { mounts: { '/': 50 + day * 3 } })]);
  }
  db.close();
}

const serve = () =>
  startDetour(['serve', '--config', join(dir, 'detour.yaml')], {
    cwd: dir,
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      MATTERMOST_BOT_TOKEN: mattermost.botToken,
      MATTERMOST_COMMAND_TOKEN: mattermost.commandToken,
    },
  });

async function stop(bot: ReturnType<typeof serve>): Promise<void> {
  if (bot.child.exitCode !== null) return;
  const exited = new Promise((r) => bot.child.once('exit', r));
  bot.child.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-report-post-'));
  const base = workspace();
  slack = await createSlackEmulator({
    ...base,
    channels: [...base.channels, { id: REPORTS, name: 'reports', members: [ALICE, BOT_USER] }],
  });
  mattermost = await startWorld({}, ['reports']);
  fillLastMonth(join(dir, 'detour.db'));
  await writeFile(
    join(dir, 'detour.yaml'),
    `locale: fr
timezone: ${ZONE}
database: ./detour.db
http: { listen: "127.0.0.1:0" }
chat:
  slack: { mode: http, botToken: "\${SLACK_BOT_TOKEN}", signingSecret: "\${SLACK_SIGNING_SECRET}", apiUrl: "${slack.apiUrl}" }
  mattermost: { url: "${mattermost.emulator.url}", botToken: "\${MATTERMOST_BOT_TOKEN}", commandToken: "\${MATTERMOST_COMMAND_TOKEN}", team: detour }
channels: { reports: "#reports" }
schedule:
  # Midnight on the 1st: whatever today's date, the latest slot is this month's and still owed.
  monthly-report: "0 0 1 * *"
  probes: "off"
  backup-check: "off"
  certs: "off"
  morning-digest: "off"
`,
  );
}, 60_000);
afterAll(async () => {
  await slack?.close();
  await mattermost?.emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const mattermostReports = () => {
  const channel = [...mattermost.emulator.channels.values()].find((c) => c.name === 'reports');
  return mattermost.emulator.posts.filter((p) => p.channel_id === channel?.id && p.user_id === mattermost.ids.bot);
};
const slackShared = () => [...slack.files.values()].filter((f) => f.completed);

describe('the monthly report posted by detour serve', () => {
  it('is posted once at start after a missed 1st, with its Markdown and charts, on Slack and Mattermost', async () => {
    const bot = serve();
    try {
      await bot.waitForLine((l) => l.includes('detour-bot serving'));
      const posted = await waitFor(
        'the report on both platforms',
        () => {
          const onSlack = slackShared().filter((f) => f.channels.includes(REPORTS));
          const onMattermost = mattermostReports().filter((p) => p.file_ids.length > 0);
          return onSlack.length === 2 && onMattermost.length === 1 && { onSlack, post: onMattermost[0] };
        },
        60_000,
      );
      const names = [`report-${month}.md`, `disk-${month}.png`];
      // Slack: the message in #reports, then the files shared to it, byte for byte as written on disk.
      const text = slack.messages.find((m) => m.channel === REPORTS && !m.files)?.text ?? '';
      expect(text).toMatch(/^Rapport informatique, \S+ \d{4}\n/);
      expect(text).toContain('Disque le plus plein : b7-srv:/ à 77 %');
      expect(posted.onSlack.map((f) => f.name)).toEqual(names);
      const folder = join(dir, 'reports', month);
      for (const file of posted.onSlack) expect(file.bytes?.equals(await readFile(join(folder, file.name)))).toBe(true);
      const png = PNG.sync.read(posted.onSlack[1]?.bytes as Buffer);
      expect([png.width, png.height]).toEqual([800, 400]);
      // Mattermost: the same text, the files attached to the post, uploaded to that channel.
      expect(posted.post?.message).toContain('Disque le plus plein : b7-srv:/ à 77 %');
      const files = posted.post?.file_ids.map((id) => mattermost.emulator.files.get(id));
      expect(files?.map((f) => f?.name)).toEqual(names);
      expect(files?.[1]?.bytes.equals(await readFile(join(folder, names[1] as string)))).toBe(true);
    } finally {
      await stop(bot);
    }
    const db = new Database(join(dir, 'detour.db'), { readonly: true });
    const runs = db.prepare(`SELECT trigger, status, detail FROM job_runs WHERE job = 'monthly-report'`).all();
    db.close();
    expect(runs).toEqual([
      { trigger: 'catch-up', status: 'ok', detail: 'monthly report posted to the "reports" channel with 2 file(s)' },
    ]);
  }, 120_000);

  it('is not posted again when the bot starts again the same month', async () => {
    const before = { slack: slack.messages.length, mattermost: mattermostReports().length };
    const bot = serve();
    try {
      await bot.waitForLine((l) => l.includes('detour-bot serving'));
      // Give a catch-up every chance to happen: the scheduler starts with the server.
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      await stop(bot);
    }
    expect(slack.messages.length).toBe(before.slack);
    expect(mattermostReports().length).toBe(before.mattermost);
  }, 60_000);
});
