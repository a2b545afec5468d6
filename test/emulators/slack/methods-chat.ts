/**
 * chat.postMessage, chat.update, chat.postEphemeral.
 * Arguments and error names: slack-ruby/slack-api-ref methods/chat/*.json (Slack's method pages);
 * response shapes: slackapi/slack-api-specs web-api/slack_web_openapi_v2.json examples and
 * slackapi/java-slack-sdk json-logs/samples/api/chat.*.json.
 * - postMessage "channel: an encoded ID or channel name"; text is truncated past 40,000
 *   characters (docs.slack.dev/reference/methods/chat.postMessage, "Truncating content").
 * - update: "msg_too_long: The text field cannot exceed 4,000 characters" (its method page);
 *   blocks left out are kept, so a text-only update of a block message shows no change
 *   (slackapi/python-slack-sdk issue #523); an empty array removes them.
 * - all three, and response_url posts: msg_blocks_too_long past ~12 000 characters of block
 *   text in all (undocumented; see MAX_BLOCKS_TEXT in block-kit.ts).
 */
import { blocksTextLength, MAX_BLOCKS_TEXT, parseBlocksParam, validateBlocks, withBlockIds } from './block-kit.js';
import type { DmChannel, EmulatorState } from './state.js';
import type { EmulatorChannel, MessageRecord } from './types.js';
import type { Json, MethodContext, MethodDef, MethodResult } from './web-api.js';
import { fail, jsonArg, ok, str } from './web-api.js';

const POST_TEXT_LIMIT = 40_000;
const UPDATE_TEXT_LIMIT = 4_000;

export interface Content {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/** Checks a message body the way chat.* and response_url do; an error name on refusal. */
export function checkContent(
  input: { text?: unknown; blocks?: unknown; attachments?: unknown },
  requireSomething = true,
): { content: Content } | { refusal: MethodResult } {
  const { blocks, malformed } = parseBlocksParam(input.blocks);
  if (malformed) return { refusal: fail('invalid_blocks_format') };
  if (blocks) {
    const errors = validateBlocks(blocks, '/blocks', 50);
    if (errors.length > 0)
      return {
        refusal: fail('invalid_blocks', {
          errors,
          response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
        }),
      };
    if (blocksTextLength(blocks) > MAX_BLOCKS_TEXT) return { refusal: fail('msg_blocks_too_long') };
  }
  const att = jsonArg(input.attachments);
  if (att.malformed || (att.value !== undefined && att.value !== '' && !Array.isArray(att.value)))
    return { refusal: fail('invalid_attachments') };
  const attachments = Array.isArray(att.value) ? att.value : undefined;
  if (attachments && attachments.length > 100) return { refusal: fail('too_many_attachments') };
  const text = str(input.text) ?? '';
  if (requireSomething && text === '' && !blocks?.length && !attachments?.length) return { refusal: fail('no_text') };
  return { content: { text, blocks: blocks ? withBlockIds(blocks) : undefined, attachments } };
}

function isChannel(c: EmulatorChannel | DmChannel): c is EmulatorChannel {
  return 'members' in c;
}

/** The conversation the bot may write to, or Slack's refusal. */
export function writableConversation(
  state: EmulatorState,
  ref: string | undefined,
  acceptNames: boolean,
): { id: string; conversation: EmulatorChannel | DmChannel } | { refusal: MethodResult } {
  const conversation = ref ? state.resolveConversation(ref, acceptNames) : undefined;
  if (!conversation) return { refusal: fail('channel_not_found') };
  const member = state.isMember(conversation, state.options.botUserId);
  if (isChannel(conversation)) {
    // A private channel the bot is not in does not exist for it.
    if (conversation.is_private && !member) return { refusal: fail('channel_not_found') };
    if (conversation.is_archived) return { refusal: fail('is_archived') };
    const publicPost = !conversation.is_private && state.scopes.includes('chat:write.public');
    if (!member && !publicPost) return { refusal: fail('not_in_channel') };
  }
  return { id: conversation.id, conversation };
}

export function messageJson(state: EmulatorState, m: MessageRecord): Json {
  return {
    user: m.user,
    type: 'message',
    ts: m.ts,
    bot_id: m.bot_id,
    app_id: m.app_id,
    text: m.text,
    team: state.options.teamId,
    bot_profile: {
      id: state.botId,
      app_id: state.appId,
      name: 'detour',
      deleted: false,
      team_id: state.options.teamId,
    },
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.attachments ? { attachments: m.attachments } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts, parent_user_id: state.options.botUserId } : {}),
    ...(m.edited ? { edited: m.edited } : {}),
    ...(m.files ? { files: m.files.map((id) => ({ id })) } : {}),
  };
}

export function storeMessage(
  state: EmulatorState,
  channel: string,
  content: Content,
  via: MessageRecord['via'],
  threadTs?: string,
): MessageRecord {
  const message: MessageRecord = {
    channel,
    ts: state.nextTs(),
    text: content.text.slice(0, POST_TEXT_LIMIT),
    blocks: content.blocks,
    attachments: content.attachments,
    user: state.options.botUserId,
    bot_id: state.botId,
    app_id: state.appId,
    via,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  state.messages.push(message);
  return message;
}

function postMessage({ state, params }: MethodContext): MethodResult {
  const target = writableConversation(state, str(params.channel), true);
  if ('refusal' in target) return target.refusal;
  if (str(params.markdown_text) && (str(params.text) || params.blocks)) return fail('markdown_text_conflict');
  const checked = checkContent({ ...params, text: params.text ?? params.markdown_text });
  if ('refusal' in checked) return checked.refusal;
  const message = storeMessage(state, target.id, checked.content, 'api', str(params.thread_ts));
  return ok({ channel: target.id, ts: message.ts, message: messageJson(state, message) });
}

function update({ state, params }: MethodContext): MethodResult {
  const target = writableConversation(state, str(params.channel), false);
  if ('refusal' in target) return target.refusal;
  const message = state.messages.find((m) => m.channel === target.id && m.ts === str(params.ts));
  if (!message) return fail('message_not_found');
  if (message.user !== state.options.botUserId) return fail('cant_update_message');
  const checked = checkContent(params);
  if ('refusal' in checked) return checked.refusal;
  if (checked.content.text.length > UPDATE_TEXT_LIMIT) return fail('msg_too_long');
  message.text = checked.content.text;
  if (params.blocks !== undefined) message.blocks = checked.content.blocks?.length ? checked.content.blocks : undefined;
  if (params.attachments !== undefined) message.attachments = checked.content.attachments;
  message.edited = { user: state.options.botUserId, ts: state.nextTs() };
  return ok({ channel: target.id, ts: message.ts, text: message.text, message: messageJson(state, message) });
}

function postEphemeral({ state, params }: MethodContext): MethodResult {
  const target = writableConversation(state, str(params.channel), true);
  if ('refusal' in target) return target.refusal;
  const user = str(params.user);
  if (!user || !state.users.has(user) || !state.isMember(target.conversation, user)) return fail('user_not_in_channel');
  const checked = checkContent(params);
  if ('refusal' in checked) return checked.refusal;
  const message_ts = state.nextTs();
  state.ephemerals.push({
    channel: target.id,
    user,
    message_ts,
    text: checked.content.text,
    blocks: checked.content.blocks,
    via: 'api',
    ...(str(params.thread_ts) ? { thread_ts: str(params.thread_ts) } : {}),
  });
  return ok({ message_ts });
}

export const chatMethods: Record<string, MethodDef> = {
  'chat.postMessage': { scope: 'chat:write', token: 'bot', json: true, handler: postMessage },
  'chat.update': { scope: 'chat:write', token: 'bot', json: true, handler: update },
  'chat.postEphemeral': { scope: 'chat:write', token: 'bot', json: true, handler: postEphemeral },
};
