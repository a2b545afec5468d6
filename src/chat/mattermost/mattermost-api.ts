import type { Channel } from '@mattermost/types/channels';
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';
import type { OpenDialogRequest } from '@mattermost/types/integrations';
import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import type { Secret } from '../../core/secret.js';
import { DeliveryError } from '../delivery/delivery-error.js';
import { errorFromResponse, networkError } from './mattermost-errors.js';

export type Fetch = typeof fetch;

/** What the bot sends when it creates a post (the server fills in the rest of Post). */
export type NewPost = Pick<Post, 'channel_id' | 'message'> & {
  root_id?: string;
  props?: Record<string, unknown>;
  file_ids?: string[];
};
export type PostPatch = Partial<Pick<Post, 'message' | 'props'>>;

/** A slash-command style answer, as response_url and the command endpoint take it. */
export interface CommandReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  /** Message attachments (buttons); the server turns them into a `slack_attachment` post. */
  attachments?: unknown[];
  extra_responses?: CommandReply[];
}

/** Post texts as one answer: the first as `text`, the others as extra responses (one response_url use). */
export function commandReply(pieces: string[], type: CommandReply['response_type']): CommandReply {
  const [first = '', ...rest] = pieces;
  return { response_type: type, text: first, extra_responses: rest.map((text) => ({ response_type: type, text })) };
}

export interface MattermostApiOptions {
  /** The server's base URL (chat.mattermost.url). */
  url: string;
  botToken: Secret;
  fetch?: Fetch;
  /** Attempts after the first one, for 429, 5xx and network failures (bounded: the delivery queue retries later). */
  retries?: number;
  /** First backoff; doubles each attempt. */
  backoffMs?: number;
  /** A Retry-After longer than this is not waited for here: the caller queues the message instead. */
  maxWaitMs?: number;
  timeoutMs?: number;
  /** Every attempt's outcome (metrics, platform state). */
  onCall?: (call: string, outcome: 'ok' | DeliveryError) => void;
}

type Resolved = Required<Omit<MattermostApiOptions, 'onCall'>> & Pick<MattermostApiOptions, 'onCall'>;

/**
 * The few REST calls the bot makes, over `fetch`: Client4 loses the status of
 * a 429 (the rate limiter answers text/plain), and the retry policy must see
 * it and its Retry-After. Types come from @mattermost/types.
 */
export class MattermostApi {
  readonly #o: Resolved;

  constructor(options: MattermostApiOptions) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.#o = {
      fetch: globalThis.fetch,
      retries: 2,
      backoffMs: 500,
      maxWaitMs: 5_000,
      timeoutMs: 10_000,
      ...given,
    } as Resolved;
  }

  me(): Promise<UserProfile> {
    return this.#api('users.me', 'GET', '/users/me');
  }

  user(userId: string): Promise<UserProfile> {
    return this.#api('users.get', 'GET', `/users/${encodeURIComponent(userId)}`);
  }

  channelByName(team: string, name: string): Promise<Channel> {
    return this.#api(
      'channels.byName',
      'GET',
      `/teams/name/${encodeURIComponent(team)}/channels/name/${encodeURIComponent(name)}`,
    );
  }

  directChannel(botUserId: string, userId: string): Promise<Channel> {
    return this.#api('channels.direct', 'POST', '/channels/direct', [botUserId, userId]);
  }

  createPost(post: NewPost): Promise<Post> {
    return this.#api('posts.create', 'POST', '/posts', post);
  }

  patchPost(postId: string, patch: PostPatch): Promise<Post> {
    return this.#api('posts.patch', 'PUT', `/posts/${encodeURIComponent(postId)}/patch`, patch);
  }

  /**
   * POST /files (multipart: channel_id, then the files): 201 {file_infos, client_ids}. The files
   * wait, unattached, for a post by the same user to name them in `file_ids`.
   */
  async uploadFiles(channelId: string, files: readonly { name: string; bytes: Uint8Array }[]): Promise<FileInfo[]> {
    const form = new FormData();
    // channel_id first: the server then streams the files instead of buffering the whole form.
    form.append('channel_id', channelId);
    for (const file of files) form.append('files', new Blob([file.bytes]), file.name);
    const answer = (await this.#api('files.upload', 'POST', '/files', form)) as Partial<FileUploadResponse>;
    if (!Array.isArray(answer.file_infos) || answer.file_infos.length !== files.length) {
      throw new DeliveryError('mattermost', 'bad_answer', 'files.upload: Mattermost did not list the uploaded files', {
        retryable: false,
      });
    }
    return answer.file_infos;
  }

  openDialog(request: OpenDialogRequest): Promise<{ status: string }> {
    return this.#api('dialogs.open', 'POST', '/actions/dialogs/open', request);
  }

  /**
   * Posts to a slash command's response_url (5 posts within 30 minutes). The
   * URL is the credential: the bot token is not sent along.
   */
  async respond(responseUrl: string, reply: CommandReply): Promise<void> {
    await this.#send('response_url', responseUrl, 'POST', reply, false);
  }

  #api<T>(call: string, method: string, path: string, body?: unknown): Promise<T> {
    return this.#send(call, `${this.#o.url.replace(/\/$/, '')}/api/v4${path}`, method, body, true) as Promise<T>;
  }

  async #send(call: string, url: string, method: string, body: unknown, auth: boolean): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    // A form sets its own multipart Content-Type, boundary included.
    const form = body instanceof FormData;
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    if (auth) headers.Authorization = `Bearer ${this.#o.botToken.reveal()}`;
    for (let attempt = 0; ; attempt++) {
      let failure: DeliveryError;
      try {
        const res = await this.#o.fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : form ? body : JSON.stringify(body),
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
        if (res.ok) return await this.#answer(call, res);
        failure = await errorFromResponse(res, call);
      } catch (error) {
        if (error instanceof DeliveryError) throw error;
        failure = networkError(error, call);
      }
      this.#o.onCall?.(call, failure);
      const wait = failure.retryAfterMs ?? this.#o.backoffMs * 2 ** attempt;
      if (!failure.retryable || attempt >= this.#o.retries || wait > this.#o.maxWaitMs) throw failure;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** The call went through: an unreadable answer is reported, never retried (that could post twice). */
  async #answer(call: string, res: Response): Promise<unknown> {
    this.#o.onCall?.(call, 'ok');
    try {
      const text = await res.text();
      if ((res.headers.get('content-type') ?? '').split(';')[0]?.trim() !== 'application/json') return text;
      return JSON.parse(text);
    } catch (error) {
      throw new DeliveryError('mattermost', 'bad_answer', `${call}: Mattermost's answer is not valid JSON`, {
        retryable: false,
        cause: error,
      });
    }
  }
}
