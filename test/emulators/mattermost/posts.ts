/**
 * POST /api/v4/posts, PUT /api/v4/posts/{id}/patch.
 *
 * Sources: server/channels/api4/post.go (createPost, patchPost, postPatchChecks),
 * api4/post_utils.go (userCreatePostPermissionCheckWithContext), app/post.go (CreatePost:
 * from_bot prop, attachFilesToPost), model/post.go (PreSave, PreCommit, IsValid, Patch,
 * PostMessageMaxRunesV2 = 65535/4 = 16383 runes, PostPropsMaxRunes 800000,
 * PostFileidsMaxRunes 300, i.e. 10 file ids), files.ts (which files a post takes), app/post.go UpdatePost (edit_at; props replaced wholesale, so from_bot
 * goes unless re-sent), api/v4/source/posts.yaml (201 on create, 200 on patch).
 */
import { errorReply, invalidBodyParam, invalidUrlParam, permissionError, type Reply } from './app-error.js';
import { attachFiles } from './files.js';
import { isValidId, newId } from './ids.js';
import { type EmulatorState, hasChannelPermission, isSystemAdmin, type PostRecord, postJson } from './model.js';
import { attachmentProblems } from './validate.js';

// model/post.go Post.IsValid: the accepted `type` values, or any "custom_" type.
const POST_TYPES = new Set([
  '',
  'slack_attachment',
  'add_bot_teams_channels',
  'reminder',
  'me',
  'burn_on_read',
  'card',
  ...[
    'generic',
    'join_leave',
    'auto_responder',
    'add_remove',
    'join_channel',
    'guest_join_channel',
    'leave_channel',
    'join_team',
    'leave_team',
    'add_to_channel',
    'add_guest_to_chan',
    'remove_from_channel',
    'move_channel',
    'add_to_team',
    'remove_from_team',
    'team_abac_removal',
    'team_abac_addition',
    'header_change',
    'purpose_change',
    'displayname_change',
    'convert_channel',
    'channel_deleted',
    'channel_restored',
    'change_chan_privacy',
    'wrangler',
    'gm_to_channel',
    'autotranslation',
    'shared_chan_state',
  ].map((t) => `system_${t}`),
]);

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * json.Decoder into a Go struct: unknown fields are ignored, but a known field of the wrong
 * type fails the whole decode (→ 400 invalid_body_param).
 */
function decodeTyped(body: Buffer, fields: Record<string, (v: unknown) => boolean>): Json | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    return undefined;
  }
  if (value === null) return {};
  if (!isObj(value)) return undefined;
  for (const [key, ok] of Object.entries(fields)) {
    if (key in value && value[key] !== null && !ok(value[key])) return undefined;
  }
  return value;
}

const isString = (v: unknown) => typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number';
const isBool = (v: unknown) => typeof v === 'boolean';

const POST_FIELDS = {
  id: isString,
  create_at: isNumber,
  update_at: isNumber,
  edit_at: isNumber,
  delete_at: isNumber,
  is_pinned: isBool,
  user_id: isString,
  channel_id: isString,
  root_id: isString,
  original_id: isString,
  message: isString,
  type: isString,
  props: isObj,
  hashtags: isString,
  file_ids: isStrArray,
  pending_post_id: isString,
  metadata: isObj,
};

const PATCH_FIELDS = {
  is_pinned: isBool,
  message: isString,
  props: isObj,
  file_ids: isStrArray,
  has_reactions: isBool,
};

/** model.ParseHashtags: words like #tag (a letter first, letters/digits/-_. after). */
export function parseHashtags(text: string): string {
  const tags: string[] = [];
  for (let word of text.split(/\s+/u)) {
    word = word.replace(/^[^\p{L}\p{N}\s#]+/u, '').replace(/[^\p{L}\p{N}\s]+$/u, '');
    if (/^#\p{L}[\p{L}\p{N}\-_.]*[\p{L}\p{N}]$/u.test(word)) tags.push(word);
  }
  return tags.join(' ');
}

const runes = (s: string): number => [...s].length;

/** The parts of Post.IsValid a client can get wrong. */
function validatePost(state: EmulatorState, post: PostRecord): Reply | undefined {
  const length = runes(post.message);
  if (length > state.maxPostSize) {
    return errorReply('model.post.is_valid.message_length.app_error', 400, {
      Length: length,
      MaxLength: state.maxPostSize,
    });
  }
  if (!POST_TYPES.has(post.type) && !post.type.startsWith('custom_')) {
    return errorReply('model.post.is_valid.type.app_error', 400);
  }
  if (runes(JSON.stringify(post.file_ids)) > 300) return errorReply('model.post.is_valid.file_ids.app_error', 400);
  if (runes(JSON.stringify(post.props)) > 800_000) return errorReply('model.post.is_valid.props.app_error', 400);
  return undefined;
}

function warnProps(state: EmulatorState, post: PostRecord): void {
  for (const message of attachmentProblems(post.props)) state.warnings.push({ where: `post ${post.id}`, message });
}

/** PreCommit → GenerateActionIds: every action without an id gets one. */
function generateActionIds(props: Json): void {
  if (!Array.isArray(props.attachments)) return;
  for (const att of props.attachments) {
    const actions = isObj(att) ? att.actions : undefined;
    if (!Array.isArray(actions)) continue;
    for (const a of actions) if (isObj(a) && (typeof a.id !== 'string' || a.id === '')) a.id = newId();
  }
}

export function createPost(state: EmulatorState, userId: string, body: Buffer): Reply {
  const input = decodeTyped(body, POST_FIELDS);
  if (!input) return invalidBodyParam('post');
  const channelId = typeof input.channel_id === 'string' ? input.channel_id : '';
  if (!hasChannelPermission(state, userId, channelId)) return permissionError();
  const rootId = typeof input.root_id === 'string' ? input.root_id : '';
  if (rootId !== '') {
    const root = state.posts.find((p) => p.id === rootId);
    if (!root) return errorReply('api.post.create_post.root_id.app_error', 400);
    if (root.channel_id !== channelId) return errorReply('api.post.create_post.channel_root_id.app_error', 400);
  }
  const now = state.now();
  const props = isObj(input.props) ? structuredClone(input.props) : {};
  generateActionIds(props);
  if (state.users.get(userId)?.is_bot) props.from_bot = 'true';
  const message = typeof input.message === 'string' ? input.message : '';
  const post: PostRecord = {
    id: newId(),
    create_at: now,
    update_at: now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: input.is_pinned === true,
    user_id: userId,
    channel_id: channelId,
    root_id: rootId,
    original_id: '',
    message,
    type: typeof input.type === 'string' ? input.type : '',
    props,
    hashtags: parseHashtags(message),
    file_ids: [...new Set(isStrArray(input.file_ids) ? input.file_ids : [])],
    pending_post_id: typeof input.pending_post_id === 'string' ? input.pending_post_id : '',
  };
  const invalid = validatePost(state, post);
  if (invalid) return invalid;
  warnProps(state, post);
  attachFiles(state, post);
  state.posts.push(post);
  return { status: 201, json: postJson(post) };
}

export function patchPost(state: EmulatorState, userId: string, postId: string, body: Buffer): Reply {
  if (!isValidId(postId)) return invalidUrlParam('post_id');
  const patch = decodeTyped(body, PATCH_FIELDS);
  if (!patch) return invalidBodyParam('post');
  const post = state.posts.find((p) => p.id === postId);
  // postPatchChecks: an unknown post is a permission error (403), not a 404.
  if (!post) return permissionError();
  // edit_post for one's own posts, edit_others_posts otherwise (channel_user has only the first).
  const own = post.user_id === userId;
  if (own ? !hasChannelPermission(state, userId, post.channel_id) : !isSystemAdmin(state.users.get(userId))) {
    return permissionError();
  }
  // Post.Patch: only these five fields; props are replaced wholesale, not merged.
  const next: PostRecord = structuredClone(post);
  if (typeof patch.is_pinned === 'boolean') next.is_pinned = patch.is_pinned;
  if (typeof patch.message === 'string') next.message = patch.message;
  if (isObj(patch.props)) next.props = structuredClone(patch.props);
  if (isStrArray(patch.file_ids)) next.file_ids = patch.file_ids;
  if (typeof patch.has_reactions === 'boolean') next.has_reactions = patch.has_reactions;
  const invalid = validatePost(state, next);
  if (invalid) return invalid;
  const now = state.now();
  next.update_at = now;
  // app.UpdatePost: edit_at moves when the message, the file ids or the attachments change.
  if (next.message !== post.message) next.hashtags = parseHashtags(next.message);
  if (
    next.message !== post.message ||
    JSON.stringify(next.file_ids) !== JSON.stringify(post.file_ids) ||
    JSON.stringify(next.props.attachments) !== JSON.stringify(post.props.attachments)
  ) {
    next.edit_at = now;
  }
  generateActionIds(next.props);
  warnProps(state, next);
  // Patched in place, so `emulator.posts` shows each post's current state.
  Object.assign(post, next);
  return { status: 200, json: postJson(post) };
}
