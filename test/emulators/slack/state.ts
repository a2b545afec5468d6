import { randomBytes } from 'node:crypto';
import type {
  ApiCallRecord,
  EmulatorChannel,
  EmulatorUser,
  EphemeralRecord,
  FailureSpec,
  MessageRecord,
  ResponseUrlPost,
  SlackEmulatorOptions,
  SlackFileRecord,
  UploadRecord,
} from './types.js';

/**
 * response_url: up to 5 posts within 30 minutes (Slack's slash-command guide, "Sending delayed
 * responses", docs.slack.dev/interactivity/implementing-slash-commands; /work/shared/FACTS.md).
 */
export const RESPONSE_URL_MAX_POSTS = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

/**
 * Default bot scopes: what docs/en/slack.md asks the operator to grant. Scope names from
 * docs.slack.dev/reference/scopes (users:read.email gates user.profile.email).
 */
export const DEFAULT_SCOPES = [
  'chat:write',
  'commands',
  'users:read',
  'users:read.email',
  'channels:read',
  'groups:read',
  'im:write',
  'files:write',
];

export interface ResponseUrl {
  id: string;
  kind: 'commands' | 'actions';
  secret: string;
  channel: string;
  user: string;
  createdAt: number;
  posts: number;
  /** The message an interaction came from (replace_original / delete_original act on it). */
  source?: { channel: string; ts: string; ephemeral: boolean };
}

export interface DmChannel {
  id: string;
  user: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export class EmulatorState {
  readonly users = new Map<string, EmulatorUser>();
  readonly channels = new Map<string, EmulatorChannel>();
  readonly dms = new Map<string, DmChannel>();
  readonly calls: ApiCallRecord[] = [];
  readonly messages: MessageRecord[] = [];
  readonly ephemerals: EphemeralRecord[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly responseUrls = new Map<string, ResponseUrl>();
  /** Socket Mode tickets handed out by apps.connections.open, each good for one connection. */
  readonly socketTickets = new Set<string>();
  readonly failures = new Map<string, FailureSpec[]>();
  /** Files by id, reserved, uploaded and shared (methods-files.ts). */
  readonly files = new Map<string, SlackFileRecord>();
  /** upload_url tokens not used yet, to the file each is for. */
  readonly uploadTickets = new Map<string, string>();
  readonly uploads: UploadRecord[] = [];
  outage?: { until: number; mode: '503' | 'refuse' };
  scopes: string[];
  readonly botId: string;
  readonly appId: string;
  readonly teamDomain: string;
  readonly teamName: string;
  readonly verificationToken: string;
  private lastTsMicros = 0;

  constructor(
    readonly options: SlackEmulatorOptions,
    readonly now: () => number,
  ) {
    for (const u of options.users) this.users.set(u.id, { ...u });
    if (!this.users.has(options.botUserId))
      this.users.set(options.botUserId, { id: options.botUserId, name: 'detour', is_bot: true });
    for (const c of options.channels) this.channels.set(c.id, { ...c, members: [...c.members] });
    this.scopes = [...(options.scopes ?? DEFAULT_SCOPES)];
    this.botId = options.botId ?? randomId('B');
    this.appId = options.appId ?? randomId('A');
    this.teamDomain = options.teamDomain ?? 'detour-test';
    this.teamName = options.teamName ?? 'Detour Test';
    this.verificationToken = options.verificationToken ?? randomHex(12);
  }

  /** Message timestamps: seconds '.' microseconds, strictly increasing, as Slack's are unique per channel. */
  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    const sec = Math.floor(micros / 1_000_000);
    return `${sec}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /**
   * A conversation by ID, or a public channel by name ('#infra' or 'infra'): chat.postMessage
   * takes "an encoded ID or channel name" (docs.slack.dev/reference/methods/chat.postMessage).
   * A user ID means the app's DM with that user.
   */
  resolveConversation(ref: string, acceptNames: boolean): EmulatorChannel | DmChannel | undefined {
    const byId = this.channels.get(ref) ?? [...this.dms.values()].find((d) => d.id === ref);
    if (byId) return byId;
    if (this.users.has(ref)) return this.openDm(ref);
    if (!acceptNames) return undefined;
    const name = ref.startsWith('#') ? ref.slice(1) : ref;
    return [...this.channels.values()].find((c) => c.name === name && !c.is_private);
  }

  openDm(user: string): DmChannel {
    let dm = this.dms.get(user);
    if (!dm) {
      dm = { id: randomId('D'), user };
      this.dms.set(user, dm);
    }
    return dm;
  }

  isMember(conversation: EmulatorChannel | DmChannel, user: string): boolean {
    return 'members' in conversation ? conversation.members.includes(user) : true;
  }

  /** A trigger_id as Slack sends with every command and click; the bot never opens a view with it. */
  issueTrigger(): string {
    // Format given by the invalid_trigger_id description: "132456.7890123.abcdef".
    return `${Math.floor(this.now() / 1000)}${randomDigits(3)}.${randomDigits(13)}.${randomHex(16)}`;
  }

  issueResponseUrl(
    kind: ResponseUrl['kind'],
    channel: string,
    user: string,
    source?: ResponseUrl['source'],
  ): ResponseUrl {
    const entry: ResponseUrl = {
      id: randomDigits(13),
      kind,
      secret: randomId('', 24),
      channel,
      user,
      createdAt: this.now(),
      posts: 0,
      source,
    };
    this.responseUrls.set(entry.id, entry);
    return entry;
  }

  takeFailure(method: string): FailureSpec | undefined {
    const queue = this.failures.get(method);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    if (next.after) {
      queue[0] = { ...next, after: next.after - 1 };
      return undefined;
    }
    const left = (next.times ?? 1) - 1;
    if (left <= 0) queue.shift();
    else queue[0] = { ...next, times: left };
    return next;
  }

  inOutage(): '503' | 'refuse' | undefined {
    if (this.outage && this.now() < this.outage.until) return this.outage.mode;
    return undefined;
  }
}

function randomDigits(n: number): string {
  let out = '';
  for (const b of randomBytes(n)) out += String(b % 10);
  return out;
}
