import type { App } from '@slack/bolt';
import { RespondError } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackEmulator } from './slack/index.js';
import { createSlackEmulator } from './slack/index.js';
import { ALICE, deferred, fakeClock, INFRA, startHttpApp, workspace } from './slack-fixtures.js';

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

  it('refuses views.open with an invalid view, an exchanged or an expired trigger_id', async () => {
    const clock = fakeClock();
    const emulator = await emulatorWith({ now: clock.now });
    const view = { type: 'modal', title: { type: 'plain_text', text: 'Unlock' }, blocks: [section('Sure?')] };
    const runs = [deferred<unknown[]>(), deferred<unknown[]>()];
    let run = 0;
    const { url } = await httpApp(emulator, (app) =>
      app.command('/detour', async ({ ack, body, client: c }) => {
        await ack();
        const outcome = runs[run];
        run += 1;
        const open = (v: object) =>
          c.views.open({ trigger_id: body.trigger_id, view: v as never }).then(
            () => 'ok',
            (e: { data?: unknown }) => e.data,
          );
        if (run === 2) {
          clock.advance(3001);
          outcome?.resolve([await open(view)]);
          return;
        }
        const tooLong = await open({ ...view, title: { type: 'plain_text', text: 'x'.repeat(25) } });
        outcome?.resolve([tooLong, await open(view), await open(view)]);
      }),
    );
    await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA });
    const [tooLong, first, again] = (await runs[0]?.promise) ?? [];
    expect(tooLong).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: {
        messages: [
          '[ERROR] failed to match all allowed schemas [json-pointer:/view]',
          '[ERROR] failed to match all allowed schemas [json-pointer:/view/title]',
          '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
        ],
      },
    });
    expect(first).toBe('ok');
    expect(again).toMatchObject({ error: 'exchanged_trigger_id' });
    expect(emulator.views).toMatchObject([{ user: ALICE, view: { type: 'modal', title: { text: 'Unlock' } } }]);
    await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA });
    expect(await runs[1]?.promise).toMatchObject([{ error: 'expired_trigger_id' }]);
  });

  it('sends a view submission with the typed values to app.view', async () => {
    const emulator = await emulatorWith();
    const submitted = deferred<unknown>();
    const { url } = await httpApp(emulator, (app) => {
      app.command('/detour', async ({ ack, body, client: c }) => {
        await ack();
        await c.views.open({
          trigger_id: body.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'reason',
            title: { type: 'plain_text', text: 'Why?' },
            submit: { type: 'plain_text', text: 'Send' },
            blocks: [
              {
                type: 'input',
                block_id: 'b',
                label: { type: 'plain_text', text: 'Reason' },
                element: { type: 'plain_text_input', action_id: 'why' },
              },
            ],
          },
        });
      });
      app.view('reason', async ({ ack, view }) => {
        await ack();
        submitted.resolve(view.state.values);
      });
    });
    await emulator.sendSlashCommand({ url, user: ALICE, channel: INFRA });
    await expect.poll(() => emulator.views.length).toBe(1);
    const result = await emulator.submitView({
      url,
      viewId: emulator.views[0]?.id ?? '',
      values: { why: 'disk full' },
    });
    expect(result.status).toBe(200);
    expect(await submitted.promise).toEqual({ b: { why: { type: 'plain_text_input', value: 'disk full' } } });
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
