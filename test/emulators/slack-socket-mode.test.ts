import { App, SocketModeReceiver } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackEmulator } from './slack/index.js';
import { createSlackEmulator } from './slack/index.js';
import {
  ALICE,
  APP_TOKEN,
  BOT_TOKEN,
  clientOptions,
  deferred,
  INFRA,
  silentLogger,
  workspace,
} from './slack-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A Socket Mode app; `clientPingTimeout` also sets how long Bolt waits before reconnecting (5 s by default). */
async function socketApp(emulator: SlackEmulator, setup: (app: App) => void, clientPingTimeout?: number): Promise<App> {
  const receiver = new SocketModeReceiver({
    appToken: APP_TOKEN,
    logger: silentLogger,
    ...(clientPingTimeout ? { clientPingTimeout } : {}),
    // The SocketModeClient has its own WebClient (for apps.connections.open).
    installerOptions: { clientOptions: clientOptions(emulator) },
  });
  const app = new App({ token: BOT_TOKEN, receiver, logger: silentLogger, clientOptions: clientOptions(emulator) });
  setup(app);
  await app.start();
  cleanups.push(async () => {
    await app.stop();
  });
  return app;
}

describe('Socket Mode with Bolt 5', () => {
  it('connects through apps.connections.open and acks a slash command envelope with its payload', async () => {
    const emulator = await createSlackEmulator(workspace());
    cleanups.push(() => emulator.close());
    const responded = deferred<void>();
    await socketApp(emulator, (app) =>
      app.command('/detour', async ({ ack, command, respond }) => {
        await ack({ text: `working on ${command.text}` });
        await respond({ text: 'done', response_type: 'in_channel' });
        responded.resolve();
      }),
    );
    expect(emulator.socket.connected).toBe(true);
    expect(emulator.calls.find((c) => c.method === 'apps.connections.open')).toMatchObject({
      token: APP_TOKEN,
      status: 200,
    });
    const result = await emulator.sendSlashCommand({ user: ALICE, channel: INFRA, text: 'backup run b7' });
    expect(result).toMatchObject({
      via: 'socket',
      status: 200,
      timedOut: false,
      body: { text: 'working on backup run b7' },
    });
    await responded.promise;
    expect(emulator.ephemerals).toMatchObject([{ text: 'working on backup run b7', via: 'ack' }]);
    expect(emulator.messages).toMatchObject([{ channel: INFRA, text: 'done', via: 'response_url' }]);
  });

  it('reconnects after a refresh_requested disconnect and keeps serving commands', async () => {
    const emulator = await createSlackEmulator(workspace());
    cleanups.push(() => emulator.close());
    await socketApp(emulator, (app) => app.command('/detour', async ({ ack }) => ack({ text: 'pong' })), 300);
    emulator.socket.disconnect('refresh_requested');
    await expect.poll(() => emulator.socket.connectionsOpened, { timeout: 5_000 }).toBe(2);
    await emulator.socket.waitForConnection();
    expect(emulator.calls.filter((c) => c.method === 'apps.connections.open')).toHaveLength(2);
    await expect(emulator.sendSlashCommand({ user: ALICE, channel: INFRA })).resolves.toMatchObject({
      body: { text: 'pong' },
    });
  });
});
