import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PostRecord } from '../emulators/mattermost/index.js';
import { waitFor } from '../support/wait.js';
import { type Harness, PASS, startHarness } from './mattermost-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const command = (
  user: string,
  text: string,
  extra: { tokenIn?: 'form' | 'header' | 'both'; token?: string; channel?: string } = {},
) =>
  h.world.emulator.sendSlashCommand({
    url: `${h.botUrl}/mattermost/command`,
    user,
    channel: extra.channel ?? 'infra',
    text,
    ...extra,
  });
const ephemeralFor = (userId: string, part: string) =>
  h.world.emulator.ephemeral.find(
    (e) => e.user_id === userId && e.source === 'response_url' && e.message.includes(part),
  );
const confirmationPost = (text: string) =>
  waitFor('the confirmation post', () => h.world.emulator.posts.find((p) => p.message.includes(`Run "${text}"?`)));
const buttons = (post: PostRecord) =>
  (
    post.props.attachments as {
      actions: { id: string; name: string; integration: { url: string; context: Record<string, unknown> } }[];
    }[]
  )[0]?.actions ?? [];

describe('slash commands', () => {
  it('acks at once with an ephemeral line, then answers privately through the response_url', async () => {
    const sent = await command('alice', 'help');
    expect(sent.status).toBe(200);
    expect(sent.error).toBeUndefined();
    expect(sent.response).toEqual({ response_type: 'ephemeral', text: 'On it: `/detour help`' });
    const reply = await waitFor('the help reply', () => ephemeralFor(h.world.ids.alice, 'Commands you can run'));
    expect(reply.message).toMatch(/^\*\*Commands you can run:\*\*\n```\n/);
    expect(reply.channel_id).toBe(h.world.ids.infra);
    // The e-mail came from the REST API, with the bot token.
    const lookup = h.world.emulator.calls.find((c) => c.path === `/api/v4/users/${h.world.ids.alice}`);
    expect(lookup).toMatchObject({ method: 'GET', status: 200, authorization: `Bearer ${h.world.botToken}` });
    // The response_url never gets the bot token.
    expect(h.world.emulator.calls.find((c) => c.path.startsWith('/hooks/'))?.authorization).toBeUndefined();
  });

  it('takes the token from the form or the Authorization header', async () => {
    expect((await command('alice', 'help', { tokenIn: 'form' })).status).toBe(200);
    expect((await command('alice', 'help', { tokenIn: 'header' })).status).toBe(200);
  });

  it('refuses a wrong token with 401 before anything runs, counts and audits it', async () => {
    const sent = await command('alice', 'help', { token: 'wrong-token' });
    expect(sent.status).toBe(401);
    expect(sent.error?.id).toBe('api.command.execute_command.failed_resp.app_error');
    const headerOnly = await command('alice', 'help', { token: 'wrong-token', tokenIn: 'header' });
    expect(headerOnly.status).toBe(401);
    const malformed = await fetch(`${h.botUrl}/mattermost/command`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Token ${h.world.commandToken}` },
      body: 'text=help&user_id=alice',
    });
    expect(malformed.status).toBe(400);
    const json = await fetch(`${h.botUrl}/mattermost/command`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Token ${h.world.commandToken}` },
      body: '{}',
    });
    expect(json.status).toBe(400);
    const refused = h.audit.list().filter((e) => e.platform === 'mattermost' && e.status === 'denied');
    expect(refused.map((e) => e.detail).sort()).toEqual([
      'request refused: bad_token',
      'request refused: bad_token',
      'request refused: malformed',
      'request refused: malformed',
    ]);
    const metrics = await h.metrics.text();
    expect(metrics).toContain('detour_rejected_requests_total{platform="mattermost",reason="bad_token"} 2');
    expect(
      h.world.emulator.calls.filter((c) => c.path.startsWith('/api/v4/users/') && c.path !== '/api/v4/users/me'),
    ).toEqual([]);
  });

  it('refuses a user whose e-mail domain is not allowed, privately, and audits it', async () => {
    await command('bob', 'help');
    const reply = await waitFor('the refusal', () => ephemeralFor(h.world.ids.bob, 'not allowed'));
    expect(reply.message).toContain('bob@example.com is not allowed to use this bot');
    expect(h.audit.list().find((e) => e.actor === 'bob@example.com')).toMatchObject({
      status: 'denied',
      platform: 'mattermost',
    });
  });
});

describe('confirmations', () => {
  it('posts buttons as the bot, refuses another user, runs on the requester’s click', async () => {
    await command('alice', 'jobs cancel 42');
    const post = await confirmationPost('jobs cancel 42');
    expect(post.user_id).toBe(h.world.ids.bot);
    const [confirm, cancel] = buttons(post);
    expect(confirm).toMatchObject({
      id: 'detourconfirm',
      name: 'Confirm',
      integration: { url: `${h.botUrl}/mattermost/actions` },
    });
    expect(cancel?.id).toBe('detourcancel');
    expect(String(confirm?.integration.context.secret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(h.world.emulator.warnings).toEqual([]);

    const intruder = await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'bob' });
    expect(intruder.ok).toBe(true);
    expect(intruder.response).toEqual({ ephemeral_text: 'Only @alice can confirm or cancel this command.' });
    expect(h.operations.cancelled).toEqual([]);
    expect(h.audit.list().find((e) => e.detail === 'confirmation refused: other_user')).toBeDefined();

    const click = await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    expect(click.ok).toBe(true);
    // The buttons go with the update.
    expect(post.message).toBe('@alice confirmed "jobs cancel 42": running it.');
    expect(post.props.attachments).toBeUndefined();
    const reply = await waitFor('the result', () => ephemeralFor(h.world.ids.alice, 'is being cancelled'));
    expect(reply.message).toContain('job 42 (ansible:slow)');
    expect(h.operations.cancelled).toEqual([{ id: '42', by: 'alice@epicerieledetour.org' }]);
    // A second click finds it decided.
    const again = await h.world.emulator.clickButton({ post: post.id, actionId: 'detourconfirm', user: 'alice' });
    expect(again.ok).toBe(false);
  });

  it('asks through the response_url where the bot is not a member, and the click still works', async () => {
    await command('alice', 'jobs cancel 42', { channel: 'general' });
    const post = await confirmationPost('jobs cancel 42');
    // Posted in alice's name by Mattermost, with the buttons; the bot's own post was refused (403).
    expect(post).toMatchObject({ user_id: h.world.ids.alice, channel_id: h.world.ids.general });
    expect(buttons(post).map((b) => b.id)).toEqual(['detourconfirm', 'detourcancel']);
    await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    await waitFor('the result', () => ephemeralFor(h.world.ids.alice, 'is being cancelled'));
    expect(h.operations.cancelled).toHaveLength(1);
    expect(h.world.emulator.warnings).toEqual([]);
  });

  it('cancels on the cancel button and runs nothing', async () => {
    await command('alice', 'jobs cancel 42');
    const post = await confirmationPost('jobs cancel 42');
    await h.world.emulator.clickButton({ post, actionId: 'detourcancel', user: 'alice' });
    expect(post.message).toBe('@alice cancelled "jobs cancel 42".');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.operations.cancelled).toEqual([]);
  });

  it('refuses a click whose context secret is forged, with 401', async () => {
    await command('alice', 'jobs cancel 42');
    const post = await confirmationPost('jobs cancel 42');
    const [confirm] = buttons(post);
    const forged = { ...confirm?.integration.context, secret: 'A'.repeat(43) };
    const res = await fetch(`${h.botUrl}/mattermost/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        user_id: h.world.ids.alice,
        channel_id: h.world.ids.infra,
        post_id: post.id,
        context: forged,
      }),
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${h.botUrl}/mattermost/actions`, { method: 'POST', body: 'not json' })).status).toBe(400);
    expect(h.operations.cancelled).toEqual([]);
    const metrics = await h.metrics.text();
    expect(metrics).toContain('detour_rejected_requests_total{platform="mattermost",reason="bad_context"} 1');
  });
});

describe('passphrase dialog', () => {
  async function confirmUnlock(): Promise<void> {
    await command('alice', 'unlock dataproxies');
    const post = await confirmationPost('unlock dataproxies');
    await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    await waitFor('the dialog', () => h.world.emulator.dialogsOpened[0]);
  }

  it('opens a valid password dialog with the click’s trigger and hands the passphrase to the command only', async () => {
    await confirmUnlock();
    const dialog = h.world.emulator.dialogsOpened[0];
    expect(dialog?.problems).toEqual([]);
    expect(dialog).toMatchObject({
      userId: h.world.ids.alice,
      channelId: h.world.ids.infra,
      url: `${h.botUrl}/mattermost/actions`,
    });
    expect(dialog?.dialog.elements).toEqual([
      { display_name: 'Passphrase', name: 'passphrase', type: 'text', subtype: 'password', max_length: 512 },
    ]);
    const submitted = await h.world.emulator.submitDialog({ dialog: 0, submission: { passphrase: PASS } });
    expect(submitted.ok).toBe(true);
    const result = await waitFor('the result in ~infra', () =>
      h.world.emulator.posts.find((p) => p.message.includes('dataproxies on local (local)')),
    );
    expect(result.message).toContain('✓ passphrase: ok');
    expect(h.operations.passphrases).toEqual([PASS]);
    // Nothing the bot sent to Mattermost holds the passphrase.
    expect(JSON.stringify(h.world.emulator.calls)).not.toContain(PASS);
    expect(JSON.stringify(h.world.emulator.posts)).not.toContain(PASS);
    expect(JSON.stringify(h.world.emulator.ephemeral)).not.toContain(PASS);
    expect(JSON.stringify(h.audit.list())).not.toContain(PASS);
    // The prompt is used once: the same dialog submitted again is turned away.
    const replay = await h.world.emulator.submitDialog({ dialog: 0, submission: { passphrase: 'again' } });
    expect(replay.response).toEqual({
      error: 'This passphrase prompt has expired or was already used: run the command again.',
    });
    expect(h.operations.passphrases).toEqual([PASS]);
  });

  it('stops the command when the dialog is cancelled', async () => {
    await confirmUnlock();
    await h.world.emulator.submitDialog({ dialog: 0, cancelled: true });
    const reply = await waitFor('the cancellation', () =>
      h.world.emulator.posts.find((p) => p.message.includes('Passphrase prompt cancelled')),
    );
    expect(reply.channel_id).toBe(h.world.ids.infra);
    expect(h.operations.passphrases).toEqual([]);
  });

  it('refuses a submission with a state it never issued, and one from another user', async () => {
    await confirmUnlock();
    const dialog = h.world.emulator.dialogsOpened[0];
    const forged = await fetch(`${h.botUrl}/mattermost/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'dialog_submission',
        callback_id: 'detour_secret',
        state: 'made-up',
        user_id: h.world.ids.alice,
        submission: { passphrase: 'x' },
        cancelled: false,
      }),
    });
    expect(forged.status).toBe(401);
    const other = await h.world.emulator.submitDialog({
      dialog: dialog ?? 0,
      user: 'bob',
      submission: { passphrase: 'x' },
    });
    expect(other.status).toBe(401);
    expect(h.operations.passphrases).toEqual([]);
  });

  it('tells the user the way out when the dialog got no answer, and the one-time page still runs the command', async () => {
    await h.close();
    h = await startHarness({ dialogTimeout: '1s', promptTimeout: '5m', publicUrl: true });
    // Alice's client gets no websocket event: Mattermost answers 200 and nobody sees the dialog.
    h.world.emulator.dropDialogsFor('alice');
    const started = Date.now();
    await confirmUnlock();
    expect(h.world.emulator.dialogsOpened[0]).toMatchObject({ shown: false, dropped: 'client_not_listening' });
    const notice = await waitFor('the way out', () => ephemeralFor(h.world.ids.alice, 'got no answer'));
    // Long before the 5 min prompt timeout.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(notice.message).toContain('Run the command again, or type the passphrase on this one-time page');
    const link = /http:\/\/127\.0\.0\.1:\d+\/prompt\/[A-Za-z0-9_-]+/.exec(notice.message)?.[0] ?? '';
    expect(link.startsWith(`${h.botUrl}/prompt/`)).toBe(true);
    expect((await fetch(link)).status).toBe(200);
    const page = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ secret: PASS }).toString(),
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('passphrase: ok');
    const result = await waitFor('the result in ~infra', () =>
      h.world.emulator.posts.find((p) => p.message.includes('dataproxies on local (local)')),
    );
    expect(result.message).toContain('✓ passphrase: ok');
    expect(h.operations.passphrases).toEqual([PASS]);
    expect(JSON.stringify(h.world.emulator.calls)).not.toContain(PASS);
    // Used once: the link is dead now.
    expect((await fetch(link)).status).toBe(410);
  });

  it('never lets the link wait in the delivery queue: when the response_url fails, the way out comes without it', async () => {
    await h.close();
    h = await startHarness({ dialogTimeout: '1s', promptTimeout: '5m', publicUrl: true });
    h.world.emulator.dropDialogsFor('alice');
    await confirmUnlock();
    // The direct try with the link and the private reply after it both fail (3 tries each): the reply is queued.
    h.world.emulator.failNext('POST /hooks/commands', { status: 503, times: 6 });
    const notice = await waitFor('the queued way out', () => ephemeralFor(h.world.ids.alice, 'got no answer'), 15_000);
    expect(notice.message).toContain('Run the command again.');
    expect(notice.message).not.toContain('/prompt/');
    const hookCalls = h.world.emulator.calls.filter((c) => c.path.startsWith('/hooks/commands/'));
    expect(hookCalls.filter((c) => JSON.stringify(c.body).includes('/prompt/')).map((c) => c.status)).toEqual([
      503, 503, 503,
    ]);
    const queued = h.db.prepare('SELECT message FROM outbox').all() as { message: string }[];
    expect(queued.some((row) => row.message.includes('got no answer'))).toBe(true);
    expect(JSON.stringify(queued)).not.toContain('/prompt/');
  });

  it('without publicUrl only says to run the command again, and a late answer in the dialog still counts', async () => {
    await h.close();
    h = await startHarness({ dialogTimeout: '1s', promptTimeout: '5m' });
    await confirmUnlock();
    const notice = await waitFor('the way out', () => ephemeralFor(h.world.ids.alice, 'got no answer'));
    expect(notice.message).toMatch(/so it may not have opened\. Run the command again\.\*\*$/);
    expect(notice.message).not.toContain('/prompt/');
    const submitted = await h.world.emulator.submitDialog({ dialog: 0, submission: { passphrase: PASS } });
    expect(submitted.ok).toBe(true);
    await waitFor('the result in ~infra', () =>
      h.world.emulator.posts.find((p) => p.message.includes('dataproxies on local (local)')),
    );
    expect(h.operations.passphrases).toEqual([PASS]);
  });

  it('says nothing more when the dialog is answered in time', async () => {
    await h.close();
    h = await startHarness({ dialogTimeout: '1s', promptTimeout: '5m' });
    await confirmUnlock();
    await h.world.emulator.submitDialog({ dialog: 0, submission: { passphrase: PASS } });
    await waitFor('the result in ~infra', () =>
      h.world.emulator.posts.find((p) => p.message.includes('dataproxies on local (local)')),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(ephemeralFor(h.world.ids.alice, 'got no answer')).toBeUndefined();
  });

  it('says so when the trigger expired before the dialog could open', async () => {
    await command('alice', 'unlock dataproxies');
    const post = await confirmationPost('unlock dataproxies');
    // The click's trigger is signed with the emulator's clock: move it past the 30 s lifetime mid-request.
    const clicked = h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    h.world.advance(31_000);
    await clicked;
    const reply = await waitFor('the failure', () =>
      h.world.emulator.posts.find((p) => p.message.includes('Could not open')),
    );
    expect(reply.message).toContain('run the command again');
    expect(h.world.emulator.dialogsOpened).toEqual([]);
  });
});
