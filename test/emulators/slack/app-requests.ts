/**
 * Requests Slack sends to the app: slash commands and interactions.
 * - HTTP: POST, `Content-Type: application/x-www-form-urlencoded`, signed with
 *   `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body))` and
 *   `X-Slack-Request-Timestamp` (docs.slack.dev/authentication/verifying-requests-from-slack).
 * - Slash command fields, in Slack's order: token team_id team_domain channel_id channel_name
 *   user_id user_name command text api_app_id is_enterprise_install response_url trigger_id
 *   (docs.slack.dev/interactivity/implementing-slash-commands; a recorded request in
 *   slackapi/java-slack-sdk json-logs/samples/app-backend/slash-commands/SlashCommandPayload.json).
 * - Interactions: one form field `payload=<JSON>`; block_actions shape from
 *   json-logs/samples/app-backend/interactive-components/BlockActionPayload.json.
 * - Slack waits 3 s for the ack; a JSON body with text/blocks becomes a message, ephemeral
 *   unless `response_type: "in_channel"` (implementing-slash-commands, "Responding immediately").
 */
import { createHmac } from 'node:crypto';
import { checkContent, storeMessage } from './methods-chat.js';
import type { EmulatorState } from './state.js';
import type { InboundResult, SendOptions } from './types.js';

export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, opts: SendOptions): Record<string, string> {
  // The real clock, not the emulator's: the app compares it with its own.
  const timestamp = String(Math.floor(Date.now() / 1000) + (opts.timestampOffsetSec ?? 0));
  const key = opts.forgeSignature ? `${secret}-forged` : secret;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': slackSignature(key, timestamp, body),
  };
}

export interface HttpAnswer {
  status: number;
  rawBody: string;
  body: unknown;
  ackMs: number;
  timedOut: boolean;
}

export async function postSigned(
  secret: string,
  url: string,
  body: string,
  opts: SendOptions,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: signedHeaders(secret, body, opts),
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const rawBody = await res.text();
    return {
      status: res.status,
      rawBody,
      body: parseMaybeJson(rawBody),
      ackMs: performance.now() - started,
      timedOut: false,
    };
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      return { status: 0, rawBody: '', body: undefined, ackMs: performance.now() - started, timedOut: true };
    throw error;
  }
}

function parseMaybeJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function slashCommandFields(
  state: EmulatorState,
  input: { user: string; channel: string; text?: string; command?: string },
  responseUrl: string,
  triggerId: string,
): Record<string, string> {
  const user = state.users.get(input.user);
  if (!user) throw new Error(`unknown user ${input.user}`);
  const channel = state.channels.get(input.channel);
  const dm = [...state.dms.values()].find((d) => d.id === input.channel);
  if (!channel && !dm) throw new Error(`unknown channel ${input.channel}`);
  const channelName = channel ? (channel.is_private ? 'privategroup' : channel.name) : 'directmessage';
  return {
    token: state.verificationToken,
    team_id: state.options.teamId,
    team_domain: state.teamDomain,
    channel_id: input.channel,
    channel_name: channelName,
    user_id: user.id,
    user_name: user.name,
    command: input.command ?? '/detour',
    text: input.text ?? '',
    api_app_id: state.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

/** What Slack does with an ack body: show it as a message (ephemeral unless in_channel). */
export function applyAckBody(state: EmulatorState, body: unknown, channel: string, user: string): void {
  if (typeof body !== 'object' || body === null) return;
  const b = body as Record<string, unknown>;
  if (b.text === undefined && b.blocks === undefined) return;
  const checked = checkContent(b);
  if ('refusal' in checked) return;
  if (b.response_type === 'in_channel') storeMessage(state, channel, checked.content, 'ack');
  else
    state.ephemerals.push({
      channel,
      user,
      message_ts: state.nextTs(),
      text: checked.content.text,
      blocks: checked.content.blocks,
      via: 'ack',
    });
}

export function toResult(
  answer: HttpAnswer,
  via: InboundResult['via'],
  triggerId: string,
  responseUrl: string,
): InboundResult {
  return { ...answer, via, trigger_id: triggerId, response_url: responseUrl };
}

export function userRef(state: EmulatorState, userId: string): Record<string, string> {
  const user = state.users.get(userId);
  if (!user) throw new Error(`unknown user ${userId}`);
  return { id: user.id, username: user.name, name: user.name, team_id: state.options.teamId };
}

/** The element a user can click: an actions block element or a section accessory. */
export function findAction(
  blocks: unknown[] | undefined,
  actionId: string,
): { blockId: string; element: Record<string, unknown> } | undefined {
  for (const raw of blocks ?? []) {
    const b = raw as Record<string, unknown>;
    const candidates = [...(Array.isArray(b.elements) ? b.elements : []), b.accessory];
    for (const e of candidates)
      if (typeof e === 'object' && e !== null && (e as Record<string, unknown>).action_id === actionId)
        return { blockId: String(b.block_id), element: e as Record<string, unknown> };
  }
  return undefined;
}
