import type { App } from '@slack/bolt';
import { RespondError } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackEmulator } from './slack/index.js';
import { createSlackEmulator } from './slack/index.js';
import { ALICE, deferred, INFRA, startHttpApp, workspace } from './slack-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function emulatorWith(overrides = {}): Promise<SlackEmulator> {
  const emulator = await createSlackEmulator(workspace(overrides));
  cleanups.push(() => emulator.close());
  return emulator;
}

async function httpApp(emulator: SlackEmulator, setup: (app: App) => void) {
  const started = await startHttpApp(emulator, setup);
  cleanups.push(async () => {
    await started.app.stop();
  });
  return started;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } }) as const;

describe('slash commands and interactions over HTTP, with Bolt 5', () => {
  it('delivers a signed slash command to app.command and returns the ack', async () => {
    const emulator = await emulatorWith();
    const seen = deferred<Record<string, string>>();
    const { url } = await httpApp(emulator, (app) =>
      app.command('/detour', async ({ ack, command }) => {
        seen.resolve(command as unknown as Record<string, string>);
        await ack({ text: 'pong' });
      }),
    );
    const result = await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA, text: 'status b7' });
    expect(result).toMatchObject({ status: 200, body: { text: 'pong' }, timedOut: false, via: 'http' });
    const command = await seen.promise;
    expect(Object.keys(command)).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(command).toMatchObject({ user_id: ALICE, channel_name: 'infra', command: '/detour', text: 'status b7' });
    expect(emulator.ephemerals).toMatchObject([{ channel: INFRA, user: ALICE, text: 'pong', via: 'ack' }]);
  });

  it('gets 401 from Bolt for a forged signature and for a replayed timestamp', async () => {
    const emulator = await emulatorWith();
    let handled = 0;
    const { url } = await httpApp(emulator, (app) =>
      app.command('/detour', async ({ ack }) => {
        handled += 1;
        await ack();
      }),
    );
    const forged = await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA, forgeSignature: true });
    const stale = await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA, timestampOffsetSec: -360 });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    expect(handled).toBe(0);
  });

  it('takes five respond() posts on a response_url and refuses the sixth', async () => {
    const emulator = await emulatorWith();
    const outcome = deferred<unknown[]>();
    const { url } = await httpApp(emulator, (app) =>
      app.command('/detour', async ({ ack, respond }) => {
        await ack();
        const results: unknown[] = [];
        for (let i = 1; i <= 6; i += 1)
          results.push(
            await respond({ text: `step ${i}` }).then(
              (r) => r.status,
              (e: unknown) => e,
            ),
          );
        outcome.resolve(results);
      }),
    );
    await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA, text: 'backup run b7' });
    const results = await outcome.promise;
    expect(results.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(results[5]).toBeInstanceOf(RespondError);
    expect(results[5]).toMatchObject({ statusCode: 404 });
    expect(emulator.responseUrlPosts.at(-1)).toMatchObject({ status: 404, error: 'used_url' });
    expect(emulator.ephemerals.map((e) => e.text)).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
  });

  it('sends a button click as a block_actions payload; respond() replaces the original', async () => {
    const emulator = await emulatorWith();
    const clicked = deferred<void>();
    const { app, url } = await httpApp(emulator, (a) =>
      a.action('confirm', async ({ ack, action, respond }) => {
        await ack();
        await respond({ replace_original: true, text: `confirmed ${(action as { value?: string }).value}` });
        clicked.resolve();
      }),
    );
    const posted = await app.client.chat.postMessage({
      channel: INFRA,
      text: 'Unlock dataproxies?',
      blocks: [
        section('Unlock *dataproxies*?'),
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'confirm', value: 'c-42', text: { type: 'plain_text', text: 'Yes' } },
          ],
        } as const,
      ],
    });
    const result = await emulator.clickButton({
      url,
      user: ALICE,
      channel: INFRA,
      ts: posted.ts ?? '',
      actionId: 'confirm',
    });
    await clicked.promise;
    expect(result.status).toBe(200);
    expect(emulator.messages.find((m) => m.ts === posted.ts)).toMatchObject({
      text: 'confirmed c-42',
      blocks: undefined,
    });
  });

  it('replaces the clicked message unless the response says replace_original: false', async () => {
    const emulator = await emulatorWith();
    const clicks: { value: string; respond: (body: object) => Promise<unknown> }[] = [];
    const { app, url } = await httpApp(emulator, (a) =>
      a.action('confirm', async ({ ack, action, respond }) => {
        await ack();
        clicks.push({ value: (action as { value?: string }).value ?? '', respond });
      }),
    );
    const ask = (value: string) =>
      app.client.chat.postMessage({
        channel: INFRA,
        text: `Run ${value}?`,
        blocks: [
          section(`Run ${value}?`),
          {
            type: 'actions',
            elements: [{ type: 'button', action_id: 'confirm', value, text: { type: 'plain_text', text: 'Yes' } }],
          } as const,
        ],
      });
    const click = async (ts: string) => {
      await emulator.clickButton({ url, user: ALICE, channel: INFRA, ts, actionId: 'confirm' });
      await expect.poll(() => clicks.length).toBeGreaterThan(0);
      return clicks.shift() as (typeof clicks)[number];
    };
    const kept = (await ask('a')).ts ?? '';
    await (await click(kept)).respond({ response_type: 'ephemeral', replace_original: false, text: 'working' });
    expect(emulator.messages.find((m) => m.ts === kept)).toMatchObject({ text: 'Run a?' });
    expect(emulator.ephemerals.at(-1)).toMatchObject({ user: ALICE, text: 'working', via: 'response_url' });
    // Without it, even an "ephemeral" answer takes the place of the message everyone sees.
    const lost = (await ask('b')).ts ?? '';
    await (await click(lost)).respond({ response_type: 'ephemeral', text: 'working' });
    expect(emulator.messages.find((m) => m.ts === lost)).toMatchObject({ text: 'working', edited: expect.anything() });
  });

  it('refuses a response_url post whose blocks hold more than 12 000 characters', async () => {
    const emulator = await emulatorWith();
    const outcome = deferred<unknown[]>();
    const { url } = await httpApp(emulator, (app) =>
      app.command('/detour', async ({ ack, respond }) => {
        await ack();
        // 4 × 3000 = 12 000 is taken; one more character in a fifth section is not.
        const full = ['a', 'b', 'c', 'd'].map((ch) => section(ch.repeat(3000)));
        const post = (blocks: object[]) =>
          respond({ text: 'x', blocks: blocks as never }).then(
            (r) => r.status,
            (e: unknown) => e,
          );
        outcome.resolve([await post([...full, section('e')]), await post(full)]);
      }),
    );
    await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA });
    const [over, at] = await outcome.promise;
    expect(over).toBeInstanceOf(RespondError);
    expect(over).toMatchObject({ statusCode: 400 });
    expect(at).toBe(200);
    expect(emulator.responseUrlPosts.map((p) => [p.status, p.error])).toEqual([
      [400, 'msg_blocks_too_long'],
      [200, undefined],
    ]);
  });

  it('reports a timeout when the app acks after Slack stopped waiting', async () => {
    const emulator = await emulatorWith({ ackTimeoutMs: 200 });
    const release = deferred<void>();
    const finished = deferred<void>();
    const { url } = await httpApp(emulator, (app) =>
      app.command('/detour', async ({ ack }) => {
        await release.promise;
        await ack({ text: 'too late' });
        finished.resolve();
      }),
    );
    const result = await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA });
    release.resolve();
    await finished.promise;
    expect(result).toMatchObject({ status: 0, timedOut: true, body: undefined });
    expect(emulator.ephemerals).toEqual([]);
  });
});
