import type { webApi } from '@slack/bolt';
import type { ReadFile } from '../attachments.js';
import { DeliveryError } from '../delivery/delivery-error.js';
import { slackDeliveryError } from './slack-errors.js';

/** A file whose bytes Slack holds, not yet shared anywhere. */
export interface UploadedFile {
  id: string;
  title: string;
}

export interface SlackFilesOptions {
  client: webApi.WebClient;
  /** Every Web API call's outcome (metrics). */
  onApiCall: (method: string, ok: boolean) => void;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Slack's external upload, in the two halves the delivery needs apart
 * (docs.slack.dev/reference/methods/files.getUploadURLExternal and
 * .../files.completeUploadExternal): `upload` reserves a file (name, exact length), then POSTs the
 * raw bytes to the single-use upload_url it got; `share` completes the files into a channel.
 * The WebClient's filesUploadV2 does all three at once, so a text posted between them could not
 * be kept apart from a refused upload; and it reports a refused byte upload as a bare Error.
 */
export class SlackFiles {
  readonly #o: Required<SlackFilesOptions>;

  constructor(options: SlackFilesOptions) {
    this.#o = { fetch: globalThis.fetch, timeoutMs: 60_000, ...options };
  }

  async upload(file: ReadFile): Promise<UploadedFile> {
    const ticket = await this.#call('files.getUploadURLExternal', () =>
      this.#o.client.files.getUploadURLExternal({ filename: file.name, length: file.bytes.length }),
    );
    if (!ticket.upload_url || !ticket.file_id) {
      throw new DeliveryError('slack', 'bad_answer', 'files.getUploadURLExternal: no upload_url or file_id', {
        retryable: false,
      });
    }
    let res: Response;
    try {
      // The URL is the credential: the bot token is not sent along.
      res = await this.#o.fetch(ticket.upload_url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: file.bytes,
        redirect: 'error',
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (error) {
      this.#o.onApiCall('file_upload', false);
      throw new DeliveryError('slack', 'network', 'file upload: Slack could not be reached', {
        retryable: true,
        cause: error,
      });
    }
    await res.body?.cancel().catch(() => undefined);
    this.#o.onApiCall('file_upload', res.status === 200);
    // "Slack will return HTTP 200 if the upload is successful" (files.getUploadURLExternal, usage info).
    if (res.status !== 200) {
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      throw new DeliveryError(
        'slack',
        `http_${res.status}`,
        `file upload: Slack refused ${file.name} (HTTP ${res.status})`,
        {
          retryable,
        },
      );
    }
    return { id: ticket.file_id, title: file.file.title ?? file.name };
  }

  /** Shares uploaded files in a channel (an id: completeUploadExternal takes no names). */
  async share(files: readonly UploadedFile[], channelId: string): Promise<void> {
    const [first, ...rest] = files;
    if (!first) return;
    await this.#call('files.completeUploadExternal', () =>
      this.#o.client.files.completeUploadExternal({ files: [first, ...rest], channel_id: channelId }),
    );
  }

  async #call<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.#o.onApiCall(method, true);
      return result;
    } catch (error) {
      this.#o.onApiCall(method, false);
      throw slackDeliveryError(error, method);
    }
  }
}
