import type { ServerError } from '@mattermost/types/errors';
import { DeliveryError } from '../delivery/delivery-error.js';

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * What a failed Mattermost answer means for delivery. The server's own errors
 * are JSON ({id, message, status_code}); its rate limiter and a reverse proxy
 * in front of it answer text or HTML, so the status is what counts.
 */
export async function errorFromResponse(res: Response, call: string): Promise<DeliveryError> {
  const status = res.status;
  let body: Partial<ServerError & { id: string }> = {};
  if ((res.headers.get('content-type') ?? '').split(';')[0]?.trim() === 'application/json') {
    body = ((await res.json().catch(() => ({}))) ?? {}) as typeof body;
  } else {
    await res.body?.cancel().catch(() => undefined);
  }
  const serverId = body.id ?? body.server_error_id;
  if (status === 429) {
    return new DeliveryError('mattermost', 'rate_limited', `${call}: rate limited by Mattermost`, {
      retryable: true,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) ?? 1_000,
    });
  }
  if (status >= 500 || status === 408) {
    return new DeliveryError('mattermost', `http_${status}`, `${call}: Mattermost answered HTTP ${status}`, {
      retryable: true,
    });
  }
  // Refusals of a file upload (api4/file.go, app/file.go) that say more than their status.
  const byId: Record<string, [string, string]> = {
    'api.file.attachments.disabled.app_error': [
      'file_attachments_disabled',
      'file attachments are off on the Mattermost server (FileSettings.EnableFileAttachments)',
    ],
    'api.file.upload_file.too_large_detailed.app_error': [
      'too_large',
      'a file is larger than the Mattermost server allows (FileSettings.MaxFileSize)',
    ],
  };
  const named = serverId ? byId[serverId] : undefined;
  if (named) return new DeliveryError('mattermost', named[0], `${call}: ${named[1]}`, { retryable: false });
  const known: Record<number, [string, string]> = {
    401: ['invalid_token', 'the bot token is not valid (chat.mattermost.botToken)'],
    403: ['forbidden', 'the bot may not do this: add it to the channel (or the team) first'],
    404: ['not_found', 'not found'],
    413: ['too_large', 'the request is too large for Mattermost'],
  };
  const [code, text] = known[status] ?? [serverId ?? `http_${status}`, serverId ?? `HTTP ${status}`];
  return new DeliveryError('mattermost', code, `${call}: ${text}`, { retryable: false });
}

/** Connection refused or reset, DNS failure, timeout: Mattermost is away for a while. */
export function networkError(error: unknown, call: string): DeliveryError {
  const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
  return new DeliveryError(
    'mattermost',
    timedOut ? 'timeout' : 'network',
    `${call}: ${timedOut ? 'Mattermost did not answer in time' : 'Mattermost could not be reached'}`,
    {
      retryable: true,
      cause: error,
    },
  );
}
