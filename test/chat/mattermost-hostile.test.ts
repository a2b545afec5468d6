import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../emulators/mattermost/ids.js';
import type { PostRecord } from '../emulators/mattermost/index.js';
import { readDatabaseFiles } from '../support/database-files.js';
import { waitFor } from '../support/wait.js';
import { type Harness, startHarness } from './mattermost-harness.js';

/*
 * What forged or replayed requests to /mattermost/actions and /mattermost/command
 * can and cannot do: nothing is kept or shown before the button's secret checks
 * out, every memory fed by requests stays bounded, and the response_url (which
 * lets its holder post as the user) never reaches SQLite.
 */
let h: Harness;
afterEach(() => h.close());

const command = (user: string, text: string, extra: { token?: string } = {}) =>
  h.world.emulator.sendSlashCommand({ url: `${h.botUrl}/mattermost/command`, user, channel: 'infra', text, ...extra });
const confirmationPost = (text: string, after = 0) =>
  waitFor('the confirmation post', () =>
    h.world.emulator.posts.slice(after).find((p) => p.message.includes(`Run "${text}"?`)),
  );
const contextOf = (post: PostRecord) =>
  (post.props.attachments as { actions: { integration: { context: Record<string, unknown> } }[] }[])[0]?.actions[0]
    ?.integration.context ?? {};
const forgedClick = (body: Record<string, unknown>, query = '') =>
  fetch(`${h.botUrl}/mattermost/actions${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('forged Mattermost actions', () => {
  it('cannot plant a user name that a later reply shows', async () => {
    h = await startHarness();
    await command('alice', 'jobs cancel 42');
    const post = await confirmationPost('jobs cancel 42');
    // A click with alice's id and a name of the forger's choosing, but no valid secret.
    const forged = await forgedClick({
      user_id: h.world.ids.alice,
      user_name: 'mallory',
      channel_id: h.world.ids.infra,
      post_id: post.id,
      context: { ...contextOf(post), secret: 'A'.repeat(43) },
    });
    expect(forged.status).toBe(401);
    // Even a slash command (token checked) does not name anyone: only the REST API does.
    await h.world.emulator.sendSlashCommand({
      url: `${h.botUrl}/mattermost/command`,
      user: 'alice',
      channel: 'infra',
      text: 'help',
      token: 'not-the-token',
    });
    const intruder = await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'bob' });
    expect(intruder.response).toEqual({ ephemeral_text: 'Only @alice can confirm or cancel this command.' });
    await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    expect(post.message).toBe('@alice confirmed "jobs cancel 42": running it.');
    await waitFor('the result', () => h.world.emulator.ephemeral.find((e) => e.message.includes('is being cancelled')));
    const shown = JSON.stringify([h.world.emulator.posts, h.world.emulator.ephemeral, h.world.emulator.calls]);
    expect(shown).not.toContain('mallory');
  });

  it('thousands of them leave every memory and the audit bounded', async () => {
    h = await startHarness();
    const before = h.platform.memory();
    const flood = 3_000;
    const longQuery = `?${'x'.repeat(4_000)}`;
    for (let batch = 0; batch < flood; batch += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const n = batch + i;
          const body =
            n % 3 === 0
              ? {
                  type: 'dialog_submission',
                  callback_id: 'detour_secret',
                  state: `forged-${n}`,
                  user_id: newId(),
                  submission: { passphrase: 'x' },
                  cancelled: false,
                }
              : {
                  user_id: newId(),
                  user_name: `forged-${n}-${'n'.repeat(500)}`,
                  channel_id: newId(),
                  post_id: newId(),
                  context: { confirmation: newId(), decision: 'confirmed', secret: `s${n}` },
                };
          return forgedClick(body, longQuery).then((r) => expect(r.status).toBe(401));
        }),
      );
    }
    const after = h.platform.memory();
    expect({ ...after, refusalSources: 0 }).toEqual({ ...before, refusalSources: 0 });
    // One source (loopback), told apart for the current minute only.
    expect(after.refusalSources).toBe(1);
    const metrics = await h.metrics.text();
    expect(metrics).toContain(
      `detour_rejected_requests_total{platform="mattermost",reason="bad_context"} ${flood - 1_000}`,
    );
    expect(metrics).toContain('detour_rejected_requests_total{platform="mattermost",reason="unknown_prompt"} 1000');
    const refused = h.audit.list({ limit: 10_000 }).filter((e) => e.platform === 'mattermost');
    expect(refused.length).toBeLessThanOrEqual(10);
    // The summary comes when the minute ends, or at shutdown.
    await h.platform.stop();
    const rows = h.audit.list({ limit: 10_000 });
    expect(rows.length).toBeLessThanOrEqual(11);
    expect(rows.map((r) => r.text)).toContain('(2990 more refused from 127.0.0.1)');
    for (const row of rows) expect(row.text.length).toBeLessThanOrEqual(220);
    expect(JSON.stringify(rows)).not.toContain('xxxx');
    expect(JSON.stringify(rows)).not.toContain('forged-');
  });
});

describe('the response_url of a confirmation', () => {
  it('never reaches SQLite, yet the confirmed command answers privately through it', async () => {
    h = await startHarness({ dbFile: true });
    const sent = await command('alice', 'jobs cancel 42');
    const hook = new URL(sent.responseUrl).pathname;
    const post = await confirmationPost('jobs cancel 42');
    h.db.pragma('wal_checkpoint(PASSIVE)');
    const files = await readDatabaseFiles(h.dir);
    expect(files.map((f) => f.name)).toContain('detour.db-wal');
    for (const file of files) expect(file.content.includes(hook), file.name).toBe(false);
    expect(JSON.stringify(h.db.prepare('SELECT * FROM confirmations').all())).not.toContain(hook);
    await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    const reply = await waitFor('the private result', () =>
      h.world.emulator.ephemeral.find((e) => e.message.includes('is being cancelled')),
    );
    expect(reply).toMatchObject({ user_id: h.world.ids.alice, source: 'response_url' });
  });

  it('is forgotten by a restart: the confirmed command then answers by direct message', async () => {
    h = await startHarness({ dbFile: true });
    await command('alice', 'jobs cancel 42');
    const post = await confirmationPost('jobs cancel 42');
    await h.restart();
    const click = await h.world.emulator.clickButton({ post, actionId: 'detourconfirm', user: 'alice' });
    expect(click.ok).toBe(true);
    // After a restart the bot knows no name it did not look up again: the e-mail stands in.
    expect(post.message).toBe('alice@epicerieledetour.org confirmed "jobs cancel 42": running it.');
    const dm = await waitFor('the direct message', () =>
      h.world.emulator.posts.find((p) => p.message.includes('is being cancelled')),
    );
    expect(dm.user_id).toBe(h.world.ids.bot);
    expect([h.world.ids.infra, h.world.ids.general]).not.toContain(dm.channel_id);
    expect(h.world.emulator.ephemeral.find((e) => e.message.includes('is being cancelled'))).toBeUndefined();
    expect(h.operations.cancelled).toEqual([{ id: '42', by: 'alice@epicerieledetour.org' }]);
  });
});
