/**
 * files.getUploadURLExternal, the upload_url it hands out, files.completeUploadExternal: Slack's
 * external upload, as the bot drives it (src/chat/slack/slack-files.ts).
 *
 * Sources: docs.slack.dev/reference/methods/files.getUploadURLExternal and
 * .../files.completeUploadExternal (arguments, usage info: "Upload a file by making a POST request
 * to the upload URL … Slack will return HTTP 200 if the upload is successful"; a file stays private
 * unless channel_id is given), slack-ruby/slack-api-ref methods/files/*.json (error names:
 * missing_argument "typically only occurs when the length provided is 0", alt_txt_too_large,
 * file_not_found "could not find the file from the upload ticket"), and observed answers:
 * completeUploadExternal refuses a user id as channel_id with invalid_arguments "input must match
 * regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]" (slackapi/bolt-js#2115),
 * answers channel_not_found (slackapi/python-slack-sdk#1325) and not_in_channel for a channel the
 * bot is not a member of, even one chat:write.public lets it post to (getnao/nao#1372);
 * @slack/web-api 8.2 filesUploadV2 (dist/WebClient.js) calls the same three steps.
 *
 * Modelled, not documented: the upload_url serves one POST; its bytes must number exactly the
 * `length` declared (the reservation cannot be renegotiated), else 400 and the file stays
 * not uploaded, so completing it is file_not_found, as is completing a file twice. Only the raw
 * bytes body the bot sends is served (Slack also takes a multipart form: answered 415 here).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DmChannel, EmulatorState } from './state.js';
import { randomHex, randomId } from './state.js';
import type { EmulatorChannel } from './types.js';
import type { MethodContext, MethodDef, MethodResult } from './web-api.js';
import { fail, jsonArg, ok, str } from './web-api.js';

const ALT_TXT_MAX = 1000;
const CHANNEL_ID = /^[CGDZ][A-Z0-9]{8,}$/;

function getUploadUrl({ state, params, baseUrl }: MethodContext): MethodResult {
  const filename = str(params.filename) ?? '';
  const length = Number(str(params.length));
  if (filename === '' || !Number.isInteger(length) || length <= 0) return fail('missing_argument');
  const alt = str(params.alt_txt);
  if (alt && alt.length > ALT_TXT_MAX) return fail('alt_txt_too_large');
  const id = randomId('F');
  const token = randomHex(24);
  state.files.set(id, { id, name: filename, length, user: state.options.botUserId, channels: [], completed: false });
  state.uploadTickets.set(token, id);
  return ok({ upload_url: `${baseUrl}upload/v1/${token}`, file_id: id });
}

/** POST {upload_url}: the bytes of one reserved file, once. */
export function handleUpload(state: EmulatorState, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
  const token = /^\/upload\/v1\/([0-9a-f]+)$/.exec(req.url ?? '')?.[1] ?? '';
  const fileId = state.uploadTickets.get(token);
  const [status, text] = upload(state, req, token, fileId, raw);
  state.uploads.push({ fileId, status, bytes: raw.length });
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

function upload(
  state: EmulatorState,
  req: IncomingMessage,
  token: string,
  fileId: string | undefined,
  raw: Buffer,
): [number, string] {
  if (req.method !== 'POST') return [405, 'Method Not Allowed'];
  const file = fileId ? state.files.get(fileId) : undefined;
  if (!file) return [404, 'Not Found'];
  state.uploadTickets.delete(token);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'multipart/form-data') return [415, 'emulator: send the raw bytes'];
  if (raw.length !== file.length) return [400, `length ${raw.length} differs from the ${file.length} reserved`];
  file.bytes = raw;
  return [200, `OK - ${raw.length}`];
}

function isChannel(c: EmulatorChannel | DmChannel): c is EmulatorChannel {
  return 'members' in c;
}

function completeUpload({ state, params }: MethodContext): MethodResult {
  const parsed = jsonArg(params.files);
  const entries = Array.isArray(parsed.value) ? (parsed.value as unknown[]) : [];
  const valid = entries.every((e) => typeof (e as { id?: unknown })?.id === 'string');
  if (parsed.malformed || entries.length === 0 || !valid) return fail('invalid_arguments');
  const files = entries.map((e) => {
    const { id, title } = e as { id: string; title?: unknown };
    return { file: state.files.get(id), title: typeof title === 'string' ? title : undefined };
  });
  if (files.some(({ file }) => !file?.bytes || file.completed)) return fail('file_not_found');
  const channelId = str(params.channel_id);
  let target: string | undefined;
  if (channelId !== undefined && channelId !== '') {
    if (!CHANNEL_ID.test(channelId)) {
      return fail('invalid_arguments', {
        response_metadata: {
          messages: ['[ERROR] input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]'],
        },
      });
    }
    const conversation = state.channels.get(channelId) ?? [...state.dms.values()].find((d) => d.id === channelId);
    if (!conversation) return fail('channel_not_found');
    if (isChannel(conversation)) {
      const member = conversation.members.includes(state.options.botUserId);
      if (conversation.is_private && !member) return fail('channel_not_found');
      if (conversation.is_archived) return fail('is_archived');
      if (!member) return fail('not_in_channel');
    }
    target = conversation.id;
  }
  const shared = files.map(({ file, title }) => {
    const f = file as NonNullable<typeof file>;
    f.completed = true;
    f.title = title ?? f.name;
    if (target) f.channels.push(target);
    return f;
  });
  if (target) {
    // The files come into the channel as one message of the bot's, with initial_comment as its text.
    state.messages.push({
      channel: target,
      ts: state.nextTs(),
      text: str(params.initial_comment) ?? '',
      user: state.options.botUserId,
      bot_id: state.botId,
      app_id: state.appId,
      via: 'api',
      files: shared.map((f) => f.id),
    });
  }
  return ok({ files: shared.map((f) => ({ id: f.id, title: f.title })) });
}

export const fileMethods: Record<string, MethodDef> = {
  // A JSON body is not read: seen live as a refusal of filename and length (Octember/earshot#10).
  'files.getUploadURLExternal': { scope: 'files:write', token: 'bot', json: false, handler: getUploadUrl },
  'files.completeUploadExternal': { scope: 'files:write', token: 'bot', json: true, handler: completeUpload },
};
