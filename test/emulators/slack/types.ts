/**
 * Public types of the Slack emulator. Shapes of records follow what Slack
 * answers (see the per-method files for the sources each shape comes from).
 */

export interface EmulatorUser {
  id: string;
  name: string;
  email?: string;
  is_bot?: boolean;
  real_name?: string;
  deleted?: boolean;
  tz?: string;
}

export interface EmulatorChannel {
  id: string;
  name: string;
  members: string[];
  is_private?: boolean;
  is_archived?: boolean;
}

export interface SlackEmulatorOptions {
  signingSecret: string;
  botToken: string;
  /** App-level token (`xapp-…`) that may call `apps.connections.open` (Socket Mode). */
  appToken?: string;
  users: EmulatorUser[];
  channels: EmulatorChannel[];
  botUserId: string;
  botId?: string;
  appId?: string;
  teamId: string;
  teamDomain?: string;
  teamName?: string;
  /** Bot token scopes. Default: the scopes detour-bot asks for, users:read.email included. */
  scopes?: string[];
  /**
   * Clock (ms since epoch) for everything Slack times: trigger_id and response_url lifetimes,
   * message ts, outages. Request signatures always use the real clock, because the app checks
   * them against its own.
   */
  now?: () => number;
  /** Where slash commands and interactions go over HTTP when a call names no `url`. */
  requestUrl?: string;
  /** How long Slack waits for an ack before it shows the user a timeout. Default 3000 ms. */
  ackTimeoutMs?: number;
  /** Interval of the WebSocket pings Slack sends in Socket Mode. Default 10 000 ms. */
  socketPingIntervalMs?: number;
  /** The deprecated verification token sent as `token` in payloads. */
  verificationToken?: string;
}

export interface ApiCallRecord {
  method: string;
  params: Record<string, unknown>;
  token?: string;
  time: number;
  httpMethod: string;
  contentType?: string;
  status: number;
  response: unknown;
}

export interface MessageRecord {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  user: string;
  bot_id?: string;
  app_id?: string;
  edited?: { user: string; ts: string };
  /** How the message got there: a Web API call, a response_url post or an ack body. */
  via: 'api' | 'response_url' | 'ack';
  /** Ids of the files the message shares (files.completeUploadExternal with a channel_id). */
  files?: string[];
}

/** A file reserved by files.getUploadURLExternal: its bytes once uploaded, where it is shared once completed. */
export interface SlackFileRecord {
  id: string;
  name: string;
  /** The length declared when the upload was reserved. */
  length: number;
  user: string;
  bytes?: Buffer;
  title?: string;
  completed: boolean;
  channels: string[];
}

/** One POST to an upload_url and what it got. */
export interface UploadRecord {
  fileId: string | undefined;
  status: number;
  bytes: number;
}

export interface EphemeralRecord {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  via: 'api' | 'response_url' | 'ack';
}

export interface ResponseUrlPost {
  id: string;
  kind: 'commands' | 'actions';
  body: unknown;
  status: number;
  /** Slack's refusal, when the post was refused. */
  error?: string;
  time: number;
}

/** What the app answered to a slash command or an interaction. */
export interface InboundResult {
  /** HTTP status of the app's answer; 0 when it never answered in time (or in Socket Mode, never acked). */
  status: number;
  /** Parsed JSON body (HTTP) or ack payload (Socket Mode); undefined when empty. */
  body: unknown;
  rawBody: string;
  ackMs: number;
  timedOut: boolean;
  via: 'http' | 'socket';
  trigger_id: string;
  response_url: string;
}

export interface SendOptions {
  /** The app's request URL; without it (and without `requestUrl`) the request goes over Socket Mode. */
  url?: string;
  /** Sign with a wrong secret, as an attacker would. */
  forgeSignature?: boolean;
  /** Shift X-Slack-Request-Timestamp, e.g. -360 for a stale (replayed) request. */
  timestampOffsetSec?: number;
}

export interface SlashCommandInput extends SendOptions {
  user: string;
  channel: string;
  text?: string;
  command?: string;
}

export interface FailureSpec {
  /** HTTP status; 429 by default when retryAfter is given, else 200 (an `ok:false` answer). */
  status?: number;
  retryAfter?: number;
  /** The `error` string of the body; `ratelimited` for a 429. */
  error?: string;
  /** How many calls in a row fail. Default 1. */
  times?: number;
  /** How many calls succeed before the failures start (a long message failing at its second part). */
  after?: number;
}
