/**
 * A local Slack for detour-bot's tests: the Web API methods the bot calls at `apiUrl` (Bolt's
 * `clientOptions.slackApiUrl`), response_url, Socket Mode, and the requests Slack sends to the
 * app (signed slash commands and button clicks). See the other files of this folder for what
 * each part enforces and where that comes from. Nothing the bot does not call is served: an
 * unknown method gets `unknown_method`, as from Slack.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyAckBody, findAction, postSigned, slashCommandFields, toResult, userRef } from './app-requests.js';
import { chatMethods, messageJson } from './methods-chat.js';
import { conversationMethods } from './methods-conversations.js';
import { fileMethods, handleUpload } from './methods-files.js';
import { miscMethods } from './methods-misc.js';
import { handleResponseUrl } from './response-url.js';
import { SocketHub } from './socket-mode.js';
import type { ResponseUrl } from './state.js';
import { EmulatorState } from './state.js';
import type {
  FailureSpec,
  InboundResult,
  SendOptions,
  SlackEmulatorOptions,
  SlackFileRecord,
  SlashCommandInput,
} from './types.js';
import { handleApiRequest } from './web-api.js';

export { slackSignature } from './app-requests.js';
export type * from './types.js';

const METHODS = { ...chatMethods, ...conversationMethods, ...fileMethods, ...miscMethods };

export type SlackEmulator = Awaited<ReturnType<typeof createSlackEmulator>>;

export async function createSlackEmulator(options: SlackEmulatorOptions) {
  const state = new EmulatorState(options, options.now ?? Date.now);
  const hub = new SocketHub(state, options.socketPingIntervalMs ?? 10_000);
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  let baseUrl = '';

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const outage = state.inOutage();
      if (outage === 'refuse') {
        req.socket.destroy();
        return;
      }
      if (outage === '503') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      const path = req.url ?? '/';
      const route = path.startsWith('/api/')
        ? handleApiRequest(state, METHODS, req, res, raw, baseUrl)
        : path.startsWith('/commands/') || path.startsWith('/actions/')
          ? Promise.resolve(handleResponseUrl(state, req, res, raw))
          : path.startsWith('/upload/')
            ? Promise.resolve(handleUpload(state, req, res, raw))
            : Promise.resolve(void res.writeHead(404).end());
      route.catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!hub.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const responseUrlOf = (entry: ResponseUrl) => `${baseUrl}${entry.kind}/${options.teamId}/${entry.id}/${entry.secret}`;
  const targetOf = (opts: SendOptions) => opts.url ?? (hub.connected ? undefined : options.requestUrl);

  /** One request to the app, over HTTP when a URL is known, else over the socket. */
  async function deliver(
    kind: 'slash_commands' | 'interactive',
    body: string,
    payload: Record<string, unknown>,
    acceptsResponse: boolean,
    opts: SendOptions,
    ids: { trigger_id: string; response_url: string },
  ): Promise<InboundResult> {
    const url = targetOf(opts);
    if (url)
      return toResult(
        await postSigned(options.signingSecret, url, body, opts, ackTimeoutMs),
        'http',
        ids.trigger_id,
        ids.response_url,
      );
    const d = await hub.deliver(kind, payload, acceptsResponse, ackTimeoutMs);
    return {
      status: d.acked ? 200 : 0,
      body: d.payload,
      rawBody: d.payload === undefined ? '' : JSON.stringify(d.payload),
      ackMs: d.ackMs,
      timedOut: !d.acked,
      via: 'socket',
      ...ids,
    };
  }

  async function sendSlashCommand(input: SlashCommandInput): Promise<InboundResult> {
    const trigger_id = state.issueTrigger();
    const response_url = responseUrlOf(state.issueResponseUrl('commands', input.channel, input.user));
    const fields = slashCommandFields(state, input, response_url, trigger_id);
    const result = await deliver('slash_commands', new URLSearchParams(fields).toString(), fields, true, input, {
      trigger_id,
      response_url,
    });
    if (result.status === 200) applyAckBody(state, result.body, input.channel, input.user);
    return result;
  }

  async function sendInteraction(input: SendOptions & { payload: Record<string, unknown> }): Promise<InboundResult> {
    const body = `payload=${encodeURIComponent(JSON.stringify(input.payload))}`;
    // In Socket Mode, a block_actions envelope accepts no response payload (only modal ones do).
    const accepts = false;
    const ids = {
      trigger_id: String(input.payload.trigger_id ?? ''),
      response_url: String(input.payload.response_url ?? ''),
    };
    return deliver('interactive', body, input.payload, accepts, input, ids);
  }

  /** A user clicks a button of a message (or ephemeral message) the app posted. */
  async function clickButton(input: SendOptions & { user: string; channel: string; ts: string; actionId: string }) {
    const message = state.messages.find((m) => m.channel === input.channel && m.ts === input.ts);
    const ephemeral = message
      ? undefined
      : state.ephemerals.find((e) => e.channel === input.channel && e.message_ts === input.ts);
    const found = findAction(message?.blocks ?? ephemeral?.blocks, input.actionId);
    if (!found) throw new Error(`no element with action_id ${input.actionId} in message ${input.ts}`);
    const trigger_id = state.issueTrigger();
    const source = { channel: input.channel, ts: input.ts, ephemeral: !message };
    const response_url = responseUrlOf(state.issueResponseUrl('actions', input.channel, input.user, source));
    const channel = state.channels.get(input.channel);
    const { element } = found;
    const payload = {
      type: 'block_actions',
      user: userRef(state, input.user),
      api_app_id: state.appId,
      token: state.verificationToken,
      container: { type: 'message', message_ts: input.ts, channel_id: input.channel, is_ephemeral: !message },
      trigger_id,
      team: { id: options.teamId, domain: state.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: input.channel, name: channel?.name ?? 'directmessage' },
      ...(message ? { message: messageJson(state, message) } : {}),
      state: { values: {} },
      response_url,
      actions: [
        {
          action_id: input.actionId,
          block_id: found.blockId,
          text: element.text,
          ...(element.value !== undefined ? { value: element.value } : {}),
          ...(element.style !== undefined ? { style: element.style } : {}),
          type: element.type,
          action_ts: state.nextTs(),
        },
      ],
    };
    return sendInteraction({ ...input, payload });
  }

  return {
    apiUrl: `${baseUrl}api/`,
    baseUrl,
    appId: state.appId,
    botId: state.botId,
    calls: state.calls,
    messages: state.messages,
    ephemerals: state.ephemerals,
    responseUrlPosts: state.responseUrlPosts,
    /** Files by id: reserved, uploaded (their bytes), shared (their channels). */
    files: state.files as ReadonlyMap<string, SlackFileRecord>,
    /** Every POST to an upload_url, with the status it got. */
    uploads: state.uploads,
    /** The workspace itself, for tests that need to change it (members, scopes…). */
    state,
    socket: {
      waitForConnection: (timeoutMs?: number) => hub.waitForConnection(timeoutMs),
      disconnect: (reason?: string) => hub.disconnect(reason),
      drop: () => hub.drop(),
      freeze: () => hub.freeze(),
      get connected() {
        return hub.connected;
      },
      get connectionsOpened() {
        return hub.connectionsOpened;
      },
      received: hub.received,
    },
    sendSlashCommand,
    sendInteraction,
    clickButton,
    /** The next call(s) of `method` fail: 429 + Retry-After, or HTTP 200 `ok:false` with `error`. */
    failNext(method: string, spec: FailureSpec): void {
      const queue = state.failures.get(method) ?? [];
      queue.push(spec);
      state.failures.set(method, queue);
    },
    /** Every HTTP request (API, response_url) is refused or answered 503 for `ms`. */
    outage(ms: number, mode: '503' | 'refuse' = '503'): void {
      state.outage = { until: state.now() + ms, mode };
    },
    setScopes(scopes: string[]): void {
      state.scopes = [...scopes];
    },
    async close(): Promise<void> {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
