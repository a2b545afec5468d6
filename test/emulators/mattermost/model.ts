/**
 * The emulator's world (users, teams, channels, posts) and the JSON shapes the server returns
 * for them. Field names and order follow server/public/model/post.go (Post), user.go (User)
 * and channel.go (Channel).
 */
import type { FileRecord } from './files.js';
import type { TriggerSigner } from './trigger.js';

export interface EmulatorUser {
  id: string;
  username: string;
  email: string;
  /** Space-separated Mattermost roles; `system_admin` bypasses channel permissions. */
  roles?: string;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  nickname?: string;
}

export interface EmulatorTeam {
  id: string;
  /** The team's URL name (`team_domain` in slash commands). */
  name: string;
  display_name?: string;
  /** Defaults to every configured user. */
  members?: string[];
}

export interface EmulatorChannel {
  id: string;
  name: string;
  team_id: string;
  /** O = public (default), P = private, D = direct messages between two users (team_id ''). */
  type?: 'O' | 'P' | 'D';
  display_name?: string;
  members: string[];
}

/** A stored post, as the database holds it (integrations included). */
export interface PostRecord {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  file_ids: string[];
  pending_post_id: string;
  has_reactions?: boolean;
}

/** An ephemeral post: shown to one user only, never stored as a post. */
export interface EphemeralRecord {
  id: string;
  /** The user who sees it. */
  user_id: string;
  channel_id: string;
  root_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  source: 'command' | 'response_url' | 'action';
}

export interface DialogRecord {
  triggerId: string;
  /** The user the trigger was issued for: the dialog opens in that user's client. */
  userId: string;
  channelId: string;
  teamId: string;
  url: string;
  dialog: Record<string, unknown>;
  /** What model.Dialog.IsValid reports; the server only logs these (see validate.ts). */
  problems: string[];
  openedAt: number;
  /**
   * Whether the user's client showed it. The server answers 200 either way: it only publishes
   * a websocket event (app/integration_action.go OpenInteractiveDialog), and the webapp opens
   * the dialog only when its trigger is the one the client got last (see rest.ts openDialog).
   */
  shown: boolean;
  /** Why it was not shown. */
  dropped?: 'not_latest_trigger' | 'client_not_listening';
}

export interface CallRecord {
  method: string;
  path: string;
  query: string;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

/** Things a real server accepts but only logs (invalid props, dialogs, file ids not attached). */
export interface Warning {
  where: string;
  message: string;
}

export interface CommandHook {
  userId: string;
  channelId: string;
  teamId: string;
  createAt: number;
  useCount: number;
  trigger: string;
}

export interface EmulatorState {
  url: string;
  botToken: string;
  botUserId: string;
  commandToken: string;
  now: () => number;
  outgoingTimeoutMs: number;
  maxPostSize: number;
  showEmailAddress: boolean;
  users: Map<string, EmulatorUser>;
  teams: Map<string, EmulatorTeam>;
  channels: Map<string, EmulatorChannel>;
  posts: PostRecord[];
  /** Uploaded files by id (files.ts). */
  files: Map<string, FileRecord>;
  /** FileSettings.EnableFileAttachments (true) and MaxFileSize (100 MB). */
  enableFileAttachments: boolean;
  maxFileSize: number;
  ephemeral: EphemeralRecord[];
  dialogsOpened: DialogRecord[];
  calls: CallRecord[];
  warnings: Warning[];
  commandHooks: Map<string, CommandHook>;
  /** Channel context of each trigger, as the user's client knows it when a dialog opens. */
  triggerContext: Map<string, { channelId: string; teamId: string }>;
  /** Per user, the client trigger id their client got last (webapp's dialogTriggerId). */
  latestClientTrigger: Map<string, string>;
  /** Users whose client gets no websocket event (tab closed, connection lost, other device). */
  clientNotListening: Set<string>;
  signer: TriggerSigner;
}

/**
 * A trigger for something the user just did in their client (a slash command, a click): the
 * client keeps the latest one it got back (webapp actions: RECEIVED_DIALOG_TRIGGER_ID after
 * executeCommand / doPostActionWithCookie). The emulator records it at once, as if the
 * answer had already reached the client (newer webapps also accept the trigger on its way,
 * matchesCurrentOrNextTriggerId).
 */
export function issueTrigger(state: EmulatorState, userId: string, channel: EmulatorChannel): string {
  const { clientTriggerId, triggerId } = state.signer.issue(userId, state.now());
  state.triggerContext.set(triggerId, { channelId: channel.id, teamId: channel.team_id });
  state.latestClientTrigger.set(userId, clientTriggerId);
  return triggerId;
}

export const isSystemAdmin = (u: EmulatorUser | undefined): boolean =>
  !!u && (u.roles ?? '').split(/\s+/).includes('system_admin');

export function isTeamMember(state: EmulatorState, teamId: string, userId: string): boolean {
  const team = state.teams.get(teamId);
  return !!team && (team.members ? team.members.includes(userId) : state.users.has(userId));
}

/**
 * create_post / edit_post are channel-scoped permissions of channel_user, so a
 * member has them and a non-member does not (api4/post_utils.go
 * userCreatePostPermissionCheckWithContext; create_post_public is not in team_user's defaults).
 */
export function hasChannelPermission(state: EmulatorState, userId: string, channelId: string): boolean {
  const channel = state.channels.get(channelId);
  if (!channel) return false;
  return isSystemAdmin(state.users.get(userId)) || channel.members.includes(userId);
}

/** read_channel: members, or team members for public channels (read_public_channel). */
export function canReadChannel(state: EmulatorState, userId: string, channelId: string): boolean {
  const channel = state.channels.get(channelId);
  if (!channel) return false;
  if (hasChannelPermission(state, userId, channelId)) return true;
  return (channel.type ?? 'O') === 'O' && isTeamMember(state, channel.team_id, userId);
}

/** Finds a user by id or username. */
export function findUser(state: EmulatorState, ref: string): EmulatorUser | undefined {
  return state.users.get(ref) ?? [...state.users.values()].find((u) => u.username === ref);
}

/** Finds a channel by id or name (a leading `#` or `~` is ignored). */
export function findChannel(state: EmulatorState, ref: string): EmulatorChannel | undefined {
  const name = ref.replace(/^[#~]/, '');
  return state.channels.get(ref) ?? [...state.channels.values()].find((c) => c.name === name);
}

/** Post as the API returns it: Post.EncodeJSON strips actions' integrations (post.go). */
export function postJson(post: PostRecord): Record<string, unknown> {
  const props = structuredClone(post.props);
  const attachments = props.attachments;
  if (Array.isArray(attachments)) {
    for (const a of attachments) {
      const actions = (a as { actions?: unknown }).actions;
      if (Array.isArray(actions)) for (const act of actions) delete (act as Record<string, unknown>).integration;
    }
  }
  const out: Record<string, unknown> = {
    id: post.id,
    create_at: post.create_at,
    update_at: post.update_at,
    edit_at: post.edit_at,
    delete_at: post.delete_at,
    is_pinned: post.is_pinned,
    user_id: post.user_id,
    channel_id: post.channel_id,
    root_id: post.root_id,
    original_id: post.original_id,
    message: post.message,
    type: post.type,
    props,
    hashtags: post.hashtags,
    file_ids: post.file_ids,
    pending_post_id: post.pending_post_id,
  };
  if (post.has_reactions) out.has_reactions = true;
  out.reply_count = 0;
  out.last_reply_at = 0;
  out.participants = null;
  // PreparePostForClient always attaches a metadata object (files would appear in it).
  out.metadata = {};
  return out;
}

/**
 * User as GET /users/{id} returns it after SanitizeProfile: no password, auth data or MFA
 * secret; email only when PrivacySettings.ShowEmailAddress (default true), the caller is a
 * system admin, or it is the caller's own profile (api4/user.go getUser).
 */
export function userJson(user: EmulatorUser, showEmail: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: user.id,
    create_at: 1,
    update_at: 1,
    delete_at: 0,
    username: user.username,
    auth_service: '',
    email: showEmail ? user.email : '',
    nickname: user.nickname ?? '',
    first_name: user.first_name ?? '',
    last_name: user.last_name ?? '',
    position: '',
    roles: user.roles ?? 'system_user',
    locale: 'en',
    timezone: { automaticTimezone: '', manualTimezone: '', useAutomaticTimezone: 'true' },
    disable_welcome_email: false,
  };
  if (user.is_bot) out.is_bot = true;
  return out;
}

export function channelJson(channel: EmulatorChannel): Record<string, unknown> {
  return {
    id: channel.id,
    create_at: 1,
    update_at: 1,
    delete_at: 0,
    team_id: channel.team_id,
    type: channel.type ?? 'O',
    display_name: channel.display_name ?? channel.name,
    name: channel.name,
    header: '',
    purpose: '',
    last_post_at: 0,
    total_msg_count: 0,
    extra_update_at: 0,
    creator_id: '',
    scheme_id: null,
    props: null,
    group_constrained: null,
    shared: null,
    total_msg_count_root: 0,
    policy_id: null,
    last_root_post_at: 0,
  };
}
