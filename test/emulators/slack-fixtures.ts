import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@slack/bolt';
import { App, LogLevel } from '@slack/bolt';
import type { SlackEmulator, SlackEmulatorOptions } from './slack/index.js';

export const SIGNING_SECRET = 'e5c0ffee0123456789abcdef01234567';
export const BOT_TOKEN = 'xoxb-1111-2222-emulatorbot';
export const APP_TOKEN = 'xapp-1-A0DETOUR-3333-emulatorapp';
export const ALICE = 'U0ALICE001';
export const BOB = 'U0BOB00002';
export const BOT_USER = 'U0DETOURBT';
export const INFRA = 'C0INFRA001';
export const GENERAL = 'C0GENERAL1';
export const SECRET_ROOM = 'G0PRIVATE1';

export function workspace(overrides: Partial<SlackEmulatorOptions> = {}): SlackEmulatorOptions {
  return {
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    botUserId: BOT_USER,
    teamId: 'T0DETOUR01',
    users: [
      { id: ALICE, name: 'alice', email: 'alice@epicerieledetour.org', real_name: 'Alice Martin' },
      { id: BOB, name: 'bob', email: 'bob@example.com' },
      { id: BOT_USER, name: 'detour', is_bot: true },
    ],
    channels: [
      { id: INFRA, name: 'infra', members: [ALICE, BOB, BOT_USER] },
      { id: GENERAL, name: 'general', members: [ALICE, BOB] },
      { id: SECRET_ROOM, name: 'secret-room', members: [ALICE], is_private: true },
    ],
    ...overrides,
  };
}

/** A controllable clock for trigger_id / response_url lifetimes. */
export function fakeClock(start = Date.now()) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Bolt and the WebClient log Slack's refusals at error level; the tests assert them instead. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export const clientOptions = (emulator: SlackEmulator) => ({
  slackApiUrl: emulator.apiUrl,
  retryConfig: { retries: 0 },
  logger: silentLogger,
});

/** A real Bolt 5 app on the default HTTPReceiver, on a loopback port. */
export async function startHttpApp(
  emulator: SlackEmulator,
  setup: (app: App) => void,
): Promise<{ app: App; url: string }> {
  const app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    logger: silentLogger,
    clientOptions: clientOptions(emulator),
  });
  setup(app);
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  return { app, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events` };
}

/** Resolves with the value a listener hands over, so a test can wait for work done after ack(). */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
