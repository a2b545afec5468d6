/**
 * The response_url Slack gives with slash commands and interactions (hooks.slack.com/commands/
 * T…/…/… and /actions/…), an endpoint outside the Web API.
 * - JSON body (text, blocks, response_type, replace_original, delete_original, thread_ts); up to
 *   5 posts within 30 minutes (docs.slack.dev/interactivity/implementing-slash-commands,
 *   "Sending delayed responses"). Bolt's respond() throws RespondError with the HTTP status when
 *   the answer is not 2xx (@slack/bolt 5.1 dist/context/create-respond.js).
 *   Slack documents the limits but not the refusal: here a 404 `{ok:false, error:"used_url"}`
 *   past 5 posts, `expired_url` past 30 minutes (names chosen here, not verified); a body Slack
 *   would refuse on chat.postMessage (invalid_blocks, msg_blocks_too_long…) gets a 400 with the
 *   same error name.
 * - The response_url of an interaction on a message replaces that message unless the post says
 *   `replace_original: false`: "Messages sent in response to invoked button actions are set to
 *   in_channel by default" (api.slack.com/legacy/interactive-message-field-guide, response_type),
 *   and "We need to set replace_original to false in order for our reply to be ephemeral.
 *   Otherwise, it will reply publicly" (howdyai/botkit pull request #446). docs.slack.dev/
 *   messaging/modifying-messages ("Updating messages using response_url") only documents
 *   `replace_original: true`; an app that wants a new message must say false.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkContent, storeMessage } from './methods-chat.js';
import type { EmulatorState, ResponseUrl } from './state.js';
import { RESPONSE_URL_LIFETIME_MS, RESPONSE_URL_MAX_POSTS } from './state.js';

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function handleResponseUrl(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
): undefined {
  const [, kind, , id = '', secret] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
  const entry = state.responseUrls.get(id);
  const record = (status: number, body: unknown, error?: string) =>
    state.responseUrlPosts.push({
      id,
      kind: kind as ResponseUrl['kind'],
      body,
      status,
      time: state.now(),
      ...(error ? { error } : {}),
    });
  const refuse = (status: number, error: string, body: unknown = undefined): undefined => {
    record(status, body, error);
    reply(res, status, { ok: false, error });
  };
  if (req.method !== 'POST' || !entry || entry.kind !== kind || entry.secret !== secret)
    return refuse(404, 'invalid_token');
  if (state.now() - entry.createdAt > RESPONSE_URL_LIFETIME_MS) return refuse(404, 'expired_url');
  if (entry.posts >= RESPONSE_URL_MAX_POSTS) return refuse(404, 'used_url');
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return refuse(400, 'invalid_payload', raw.toString('utf8'));
  }
  const deleting = body.delete_original === true || body.delete_original === 'true';
  const checked = checkContent(body, !deleting);
  if ('refusal' in checked) return refuse(400, String(checked.refusal.body.error), body);
  entry.posts += 1;
  record(200, body);
  apply(state, entry, body, checked.content, deleting);
  reply(res, 200, { ok: true });
}

function apply(
  state: EmulatorState,
  entry: ResponseUrl,
  body: Record<string, unknown>,
  content: { text: string; blocks?: unknown[] },
  deleting: boolean,
): void {
  const source = entry.source;
  const keepOriginal = body.replace_original === false || body.replace_original === 'false';
  if (source && (deleting || !keepOriginal)) {
    if (source.ephemeral) {
      const i = state.ephemerals.findIndex((e) => e.channel === source.channel && e.message_ts === source.ts);
      const e = state.ephemerals[i];
      if (deleting && i >= 0) state.ephemerals.splice(i, 1);
      else if (e) Object.assign(e, { text: content.text, blocks: content.blocks });
      return;
    }
    const i = state.messages.findIndex((m) => m.channel === source.channel && m.ts === source.ts);
    const m = state.messages[i];
    if (deleting && i >= 0) state.messages.splice(i, 1);
    else if (m)
      Object.assign(m, {
        text: content.text,
        blocks: content.blocks,
        edited: { user: state.options.botUserId, ts: state.nextTs() },
      });
    return;
  }
  if (deleting) return;
  const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
  if (body.response_type === 'in_channel') storeMessage(state, entry.channel, content, 'response_url', threadTs);
  else
    state.ephemerals.push({
      channel: entry.channel,
      user: entry.user,
      message_ts: state.nextTs(),
      text: content.text,
      blocks: content.blocks,
      via: 'response_url',
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
}
