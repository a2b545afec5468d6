import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/chat/message.js';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { SlackPlatform } from '../../src/chat/slack/slack-platform.js';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Invocation, PipelineResult } from '../../src/core/pipeline.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import type { MessageRecord } from '../emulators/slack/types.js';
import { ALICE, BOT_TOKEN, INFRA, SIGNING_SECRET, workspace } from '../emulators/slack-fixtures.js';
import { waitFor } from '../support/wait.js';

/*
 * How the bot answers on Slack, through the real SlackPlatform (Bolt's HTTP receiver and
 * respond()) against the emulator. The pipeline is a stand-in that answers what each test needs:
 * what is under test is where and how the answer goes out, not the command.
 */
let slack: SlackEmulator;
let server: Server;
let url: string;
const queued: { channel: string; message: ChatMessage; delayMs?: number }[] = [];
/** What the stand-in pipeline answers, by command text. */
const answers = new Map<string, (inv: Invocation) => Promise<Partial<PipelineResult>>>();

const recap = (hosts: number) =>
  Array.from(
    { length: hosts },
    (_, i) =>
      `host-${String(i).padStart(4, '0')}.example.org : ok=12 changed=3 unreachable=0 failed=0 skipped=4 rescued=0 ignored=0`,
  ).join('\n');

beforeAll(async () => {
  slack = await createSlackEmulator(workspace());
  const config = validateConfig(
    { chat: { slack: { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: slack.apiUrl } } },
    {},
    '/tmp',
    'test',
  );
  const db = openDatabase(':memory:');
  const platform = new SlackPlatform({
    slack: config.chat.slack as NonNullable<typeof config.chat.slack>,
    chat: config.chat,
    channels: {},
    publicUrl: undefined,
    locale: 'en',
    confirmations: new ConfirmationStore(db),
    prompts: new SecretPrompts(db),
    metrics: new Metrics(),
    audit: new AuditStore(db),
    logger: silentLogger,
    now: () => new Date(),
    retries: 0,
    enqueue: (channel, message, delayMs) => void queued.push({ channel, message, delayMs }),
    filesRoot: '/nonexistent/reports',
  });
  await platform.start(async (inv) => {
    const answer = answers.get(inv.text);
    if (!answer) throw new Error(`no answer for ${inv.text}`);
    return { outcome: 'ok', text: '', auditId: 1, command: inv.text, replyIn: 'private', ...(await answer(inv)) };
  });
  server = createServer((req, res) => platform.handleHttp(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(async () => {
  server?.close();
  await slack?.close();
});

const command = (text: string) =>
  slack.sendSlashCommand({ user: ALICE, channel: INFRA, text, command: '/detour', url });
const infra = () => slack.messages.filter((m) => m.channel === INFRA);
/** The body lines a Block Kit message shows, fences and escaping undone. */
const lines = (records: { blocks?: unknown[] }[]) =>
  records.flatMap((r) =>
    (r.blocks ?? [])
      .filter((b) => (b as { type: string }).type === 'section')
      .flatMap((b) => (b as { text: { text: string } }).text.text.replace(/^```\n|\n```$/g, '').split('\n')),
  );
const refused = () => slack.calls.filter((c) => !(c.response as { ok?: boolean }).ok);

describe('long results on Slack', () => {
  it('a progress message then a 40 000-character recap: every part in the channel, in order, none refused', async () => {
    const body = recap(380);
    answers.set('ansible run site', async (inv) => {
      inv.progress?.('TASK [apt] b7-srv');
      await new Promise((r) => setTimeout(r, 300));
      return { text: `site: ok\n${body}`, replyIn: 'channel' };
    });
    const before = infra().length;
    await command('ansible run site');
    await waitFor('the last part of the recap', () =>
      infra().some((m) => lines([m]).includes(body.split('\n').at(-1) ?? '')),
    );
    const posted = infra().slice(before);
    expect(posted.length).toBeGreaterThanOrEqual(4);
    // The progress message became the first part; the others follow it.
    expect(posted[0]?.edited).toBeDefined();
    expect(lines(posted)).toEqual(body.split('\n'));
    expect(posted.map((m) => m.text.split('\n')[0])).toEqual(
      posted.map((_, i) => `site: ok (${i + 1}/${posted.length})`),
    );
    expect(refused()).toEqual([]);
  });

  it('a long private reply arrives whole through the response_url, in order', async () => {
    const body = recap(300);
    answers.set('backup list', async () => ({ text: `Archives\n${body}` }));
    const sent = await command('backup list');
    const id = /\/(\d+)\/[^/]+$/.exec(sent.response_url)?.[1];
    await waitFor('every part', () =>
      lines(slack.ephemerals.filter((e) => e.user === ALICE)).includes(body.split('\n').at(-1) ?? ''),
    );
    const posts = slack.responseUrlPosts.filter((p) => p.id === id);
    expect(posts.length).toBeGreaterThanOrEqual(3);
    expect(posts.map((p) => p.status)).toEqual(posts.map(() => 200));
    expect(lines(posts.map((p) => p.body as { blocks?: unknown[] }))).toEqual(body.split('\n'));
  });
});

describe('the final update of a progress message', () => {
  const run = async (name: string, failure: Parameters<SlackEmulator['failNext']>[1]) => {
    answers.set(name, async (inv) => {
      inv.progress?.(`TASK [${name}] b7-srv`);
      await waitFor('the progress message', () => infra().find((m) => m.text.includes(`TASK [${name}]`)));
      slack.failNext('chat.update', failure);
      return { text: `${name}: done\nlocalhost : ok=1 changed=0`, replyIn: 'channel' };
    });
    await command(name);
    return waitFor('the result in #infra', () => infra().find((m) => m.text.startsWith(`${name}: done`)), 10_000);
  };

  it('is posted as a new message when chat.update is rate limited (Tier 3)', async () => {
    const result = await run('ansible run rate', { retryAfter: 30 });
    expect(result.edited).toBeUndefined();
    expect(slack.calls.filter((c) => c.method === 'chat.update').at(-1)?.status).toBe(429);
  });

  it('is posted as a new message when Slack refuses the update', async () => {
    const result: MessageRecord = await run('ansible run gone', { error: 'message_not_found' });
    expect(result.text).toContain('localhost : ok=1');
  });
});

describe('a private reply after a button click', () => {
  it('never overwrites the "confirmed" message in the channel', async () => {
    answers.set('jobs cancel 7', async (inv) => {
      if (!inv.confirmed) return { outcome: 'confirm' };
      // Slow enough for "Working on it…" (after 2 s), then the result: both only for the user.
      await new Promise((r) => setTimeout(r, 2_300));
      return { text: 'no running job 7' };
    });
    await command('jobs cancel 7');
    const ask = await waitFor('the question', () => infra().find((m) => m.text.includes('Run "jobs cancel 7"?')));
    await slack.clickButton({ user: ALICE, channel: INFRA, ts: ask.ts, actionId: 'detour_confirm', url });
    const said = (text: string) => [...slack.ephemerals, ...infra()].find((m) => m.text.includes(text));
    await waitFor('the result', () => said('no running job 7'));
    expect(said('Working on it…')).toMatchObject({ user: ALICE, via: 'response_url' });
    expect(said('no running job 7')).toMatchObject({ user: ALICE, via: 'response_url' });
    expect(infra().find((m) => m.ts === ask.ts)?.text).toBe(`<@${ALICE}> confirmed "jobs cancel 7": running it.`);
  });
});
