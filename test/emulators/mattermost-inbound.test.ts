/**
 * Conformance of what the Mattermost emulator sends to the bot: slash commands, response_url,
 * button clicks, dialogs. A tiny local HTTP server stands in for the bot's endpoints.
 */
import mattermostClient from '@mattermost/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBot, json, startFakeBot, startWorld, type World } from './mattermost/fixture.js';

const { Client4, ClientError } = mattermostClient;

let world: World;
let bot: FakeBot;
let client: DialogClient;

beforeEach(async () => {
  world = await startWorld();
  bot = await startFakeBot();
  client = new DialogClient();
  client.setUrl(world.emulator.url);
  client.setToken(world.botToken);
});
afterEach(async () => {
  await bot.close();
  await world.emulator.close();
});

// Client4 (11.x) has no openInteractiveDialog and its doFetch is protected: a subclass reaches it.
class DialogClient extends Client4 {
  openInteractiveDialog(request: { trigger_id: string; url: string; dialog: Record<string, unknown> }) {
    return this.doFetch<{ status: string }>(`${this.getBaseRoute()}/actions/dialogs/open`, {
      method: 'post',
      body: JSON.stringify(request),
    });
  }
}

const openDialog = (trigger_id: string, dialog: Record<string, unknown>) =>
  client.openInteractiveDialog({ trigger_id, url: `${bot.url}/mattermost/actions`, dialog });

const unlockDialog = {
  callback_id: 'unlock',
  title: 'Unlock b7-srv',
  elements: [{ display_name: 'Passphrase', name: 'passphrase', type: 'text', subtype: 'password' }],
  submit_label: 'Unlock',
  state: 'confirmation-1',
};

describe('slash commands', () => {
  it('POSTs the fields the server sends, sorted, token in form field and header', async () => {
    bot.reply = () => json({ response_type: 'ephemeral', text: 'working…' });
    const result = await world.emulator.sendSlashCommand({
      url: `${bot.url}/mattermost/command`,
      user: 'alice',
      channel: 'infra',
      text: 'backup run b7 @bob ~general',
    });
    const req = bot.received[0];
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers.authorization).toBe(`Token ${world.commandToken}`);
    const form = new URLSearchParams(req?.body);
    expect([...new Set(form.keys())]).toEqual([
      'channel_id',
      'channel_mentions',
      'channel_mentions_ids',
      'channel_name',
      'command',
      'response_url',
      'team_domain',
      'team_id',
      'text',
      'token',
      'trigger_id',
      'user_id',
      'user_mentions',
      'user_mentions_ids',
      'user_name',
    ]);
    expect(Object.fromEntries(form)).toMatchObject({
      channel_id: world.ids.infra,
      channel_name: 'infra',
      command: '/detour',
      team_domain: 'detour',
      team_id: world.ids.team,
      text: 'backup run b7 @bob ~general',
      token: world.commandToken,
      user_id: world.ids.alice,
      user_name: 'alice',
      user_mentions: 'bob',
      user_mentions_ids: world.ids.bob,
      channel_mentions: 'general',
    });
    expect(form.get('response_url')).toMatch(new RegExp(`^${world.emulator.url}/hooks/commands/[a-z0-9]{26}$`));
    expect(result.error).toBeUndefined();
    expect(world.emulator.ephemeral).toMatchObject([{ user_id: world.ids.alice, message: 'working…' }]);
  });

  it('can send the token in the header only or in the form only', async () => {
    await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra', tokenIn: 'header' });
    await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra', tokenIn: 'form' });
    expect(new URLSearchParams(bot.received[0]?.body).has('token')).toBe(false);
    expect(bot.received[0]?.headers.authorization).toBe(`Token ${world.commandToken}`);
    expect(new URLSearchParams(bot.received[1]?.body).get('token')).toBe(world.commandToken);
    expect(bot.received[1]?.headers.authorization).toBeUndefined();
  });

  it('treats a non-200 answer as a failed command and a non-JSON answer as text', async () => {
    bot.reply = () => ({ status: 401 });
    const failed = await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra' });
    expect(failed.error?.id).toBe('api.command.execute_command.failed_resp.app_error');
    bot.reply = () => ({ contentType: 'text/plain', body: 'plain words' });
    const plain = await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra' });
    expect(plain.response).toEqual({ text: 'plain words' });
  });

  it('accepts up to 5 posts on response_url, in_channel ones as posts by the user', async () => {
    const { responseUrl } = await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ response_type: 'in_channel', text: `step ${i}` }),
      });
      statuses.push(res.status);
      if (i === 0) expect(await res.text()).toBe('ok');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 400]);
    expect(world.emulator.posts[0]).toMatchObject({ user_id: world.ids.alice, props: { from_webhook: 'true' } });
    const unknown = await fetch(`${world.emulator.url}/hooks/commands/${'a'.repeat(26)}`, {
      method: 'POST',
      body: 'x',
    });
    expect(unknown.status).toBe(404);
  });
});

describe('dialogs', () => {
  it('opens a dialog with a fresh trigger, refuses an expired or forged one', async () => {
    const { triggerId } = await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra' });
    await expect(openDialog(triggerId, unlockDialog)).resolves.toEqual({ status: 'OK' });
    expect(world.emulator.dialogsOpened[0]).toMatchObject({ userId: world.ids.alice, channelId: world.ids.infra });
    // Stateless signed triggers: a second use inside the lifetime is accepted.
    await expect(openDialog(triggerId, unlockDialog)).resolves.toEqual({ status: 'OK' });
    world.advance(31_000);
    const expired = await openDialog(triggerId, unlockDialog).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(ClientError);
    expect(expired).toMatchObject({
      status_code: 400,
      server_error_id: 'interactive_message.decode_trigger_id.expired',
    });
    const fresh = world.emulator.issueTriggerId('alice', 'infra');
    const decoded = Buffer.from(fresh, 'base64').toString().split(':');
    const forged = Buffer.from([decoded[0], world.ids.bob, decoded[2], decoded[3]].join(':')).toString('base64');
    const refused = await openDialog(forged, unlockDialog).catch((e: unknown) => e);
    expect(refused).toMatchObject({ server_error_id: 'interactive_message.decode_trigger_id.verify_signature_failed' });
  });

  it('answers 200 to a dialog whose trigger is not the client’s latest, and never shows it', async () => {
    // The user typed a command, then another one (here or in another tab): the client now holds the second trigger.
    const first = await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra' });
    const second = await world.emulator.sendSlashCommand({ url: bot.url, user: 'alice', channel: 'infra' });
    await expect(openDialog(first.triggerId, unlockDialog)).resolves.toEqual({ status: 'OK' });
    expect(world.emulator.dialogsOpened[0]).toMatchObject({ shown: false, dropped: 'not_latest_trigger' });
    await expect(world.emulator.submitDialog({ dialog: 0, submission: { passphrase: 'x' } })).rejects.toThrow(
      /never shown/,
    );
    await expect(openDialog(second.triggerId, unlockDialog)).resolves.toEqual({ status: 'OK' });
    expect(world.emulator.dialogsOpened[1]).toMatchObject({ shown: true });
    expect(bot.received.filter((r) => r.body.includes('dialog_submission'))).toEqual([]);
  });

  it('drops every dialog for a user whose client gets no websocket event, until it listens again', async () => {
    world.emulator.dropDialogsFor('alice');
    await expect(openDialog(world.emulator.issueTriggerId('alice', 'infra'), unlockDialog)).resolves.toEqual({
      status: 'OK',
    });
    expect(world.emulator.dialogsOpened[0]).toMatchObject({ shown: false, dropped: 'client_not_listening' });
    world.emulator.dropDialogsFor('alice', false);
    await openDialog(world.emulator.issueTriggerId('alice', 'infra'), unlockDialog);
    expect(world.emulator.dialogsOpened[1]?.shown).toBe(true);
  });

  it('accepts an invalid dialog as the server does, but records why it is invalid', async () => {
    const trigger = world.emulator.issueTriggerId('alice', 'infra');
    const bad = { ...unlockDialog, title: 'Unlock the encrypted partition', elements: [{ name: 'p', type: 'secret' }] };
    await expect(openDialog(trigger, bad)).resolves.toEqual({ status: 'OK' });
    expect(world.emulator.dialogsOpened[0]?.problems).toEqual([
      'invalid dialog title "Unlock the encrypted partition"',
      '"p" field is not valid: DisplayName cannot be empty',
      '"p" field is not valid: invalid element type: "secret"',
    ]);
    await expect(world.emulator.submitDialog({ dialog: 0, submission: { p: 'x' } })).rejects.toThrow(/IsValid/);
  });

  it('submits the dialog JSON to the dialog url and returns field errors', async () => {
    const trigger = world.emulator.issueTriggerId('alice', 'infra');
    await openDialog(trigger, unlockDialog);
    bot.reply = () => json({ errors: { passphrase: 'Wrong passphrase' } });
    const result = await world.emulator.submitDialog({ dialog: 0, submission: { passphrase: 'hunter2' } });
    expect(result.response).toEqual({ errors: { passphrase: 'Wrong passphrase' } });
    expect(bot.received[0]?.path).toBe('/mattermost/actions');
    expect(JSON.parse(bot.received[0]?.body ?? '')).toEqual({
      type: 'dialog_submission',
      callback_id: 'unlock',
      state: 'confirmation-1',
      user_id: world.ids.alice,
      channel_id: world.ids.infra,
      team_id: world.ids.team,
      submission: { passphrase: 'hunter2' },
      cancelled: false,
    });
  });

  it('sends a cancel only with notify_on_cancel, with a null submission', async () => {
    await openDialog(world.emulator.issueTriggerId('alice', 'infra'), unlockDialog);
    await openDialog(world.emulator.issueTriggerId('alice', 'infra'), { ...unlockDialog, notify_on_cancel: true });
    expect((await world.emulator.submitDialog({ dialog: 0, cancelled: true })).delivered).toBe(false);
    expect((await world.emulator.submitDialog({ dialog: 1, cancelled: true })).delivered).toBe(true);
    expect(bot.received).toHaveLength(1);
    expect(JSON.parse(bot.received[0]?.body ?? '')).toMatchObject({ cancelled: true, submission: null });
  });
});

describe('buttons', () => {
  it('POSTs the action JSON with the button context, applies update and ephemeral_text', async () => {
    const created = await client.createPost({
      channel_id: world.ids.infra,
      message: 'Run backup on b7?',
      props: {
        attachments: [
          {
            actions: [
              {
                id: 'confirm',
                name: 'Run',
                type: 'button',
                integration: { url: `${bot.url}/mattermost/actions`, context: { secret: 's3', confirmation: 'c1' } },
              },
            ],
          },
        ],
      },
    } as never);
    bot.reply = () => json({ update: { message: 'Backup started by @alice', props: {} }, ephemeral_text: 'ok' });
    const click = await world.emulator.clickButton({ post: created.id, actionId: 'confirm', user: 'alice' });
    expect(click.ok).toBe(true);
    expect(bot.received[0]?.headers['content-type']).toBe('application/json');
    const sent = JSON.parse(bot.received[0]?.body ?? '') as Record<string, unknown>;
    expect(Object.keys(sent)).toEqual([
      'user_id',
      'user_name',
      'channel_id',
      'channel_name',
      'team_id',
      'team_domain',
      'post_id',
      'trigger_id',
      'type',
      'data_source',
      'context',
    ]);
    expect(sent).toMatchObject({ user_id: world.ids.alice, post_id: created.id, type: 'button' });
    expect(sent.context).toEqual({ secret: 's3', confirmation: 'c1' });
    // UpdatePost replaces props wholesale: the buttons go, and so does from_bot.
    expect(world.emulator.posts[0]).toMatchObject({ message: 'Backup started by @alice', props: {} });
    expect(world.emulator.posts[0]?.edit_at).toBeGreaterThan(0);
    expect(world.emulator.ephemeral).toMatchObject([{ user_id: world.ids.alice, message: 'ok' }]);
    await expect(openDialog(String(sent.trigger_id), unlockDialog)).resolves.toEqual({ status: 'OK' });
  });

  it('fails the click when the integration answers non-200', async () => {
    const created = await client.createPost({
      channel_id: world.ids.infra,
      message: 'x',
      props: { attachments: [{ actions: [{ id: 'a1', name: 'Go', type: 'button', integration: { url: bot.url } }] }] },
    } as never);
    bot.reply = () => ({ status: 403 });
    const click = await world.emulator.clickButton({ post: created.id, actionId: 'a1', user: 'alice' });
    expect(click.ok).toBe(false);
    expect(click.error?.id).toBe('api.post.do_action.action_integration.app_error');
  });
});
