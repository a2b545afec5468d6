import { DeliveryError } from '../delivery/delivery-error.js';

/** What a failed Slack Web API call means for delivery: retry later, or report and move on. */
export function slackDeliveryError(error: unknown, method: string): DeliveryError {
  const e = error as {
    code?: string;
    data?: { error?: string; needed?: string };
    retryAfter?: number;
    statusCode?: number;
    message?: string;
  };
  // @slack/web-api codes: slack_webapi_rate_limited_error, slack_webapi_platform_error, slack_webapi_http_error, slack_webapi_request_error.
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return new DeliveryError('slack', 'ratelimited', `${method}: rate limited by Slack`, {
      retryable: true,
      retryAfterMs: (e.retryAfter ?? 1) * 1000,
      cause: error,
    });
  }
  if (e?.code === 'slack_webapi_platform_error') {
    const slackError = e.data?.error ?? 'unknown_error';
    const permanent: Record<string, string> = {
      channel_not_found: 'channel not found (for a private channel, invite the bot first)',
      not_in_channel: 'the bot is not in this channel: invite it with /invite @detour',
      is_archived: 'the channel is archived',
      invalid_auth: 'the bot token is not valid',
      not_authed: 'no bot token was sent',
      account_inactive: 'the bot token belongs to a deactivated app',
      invalid_blocks: 'Slack refused the message layout',
      msg_too_long: 'the message is too long for Slack',
      missing_scope: e.data?.needed
        ? `the Slack app lacks the ${e.data.needed} permission scope`
        : 'the Slack app lacks a permission scope',
      file_uploads_disabled: 'the Slack workspace does not allow file uploads',
      file_upload_size_restricted: 'the Slack workspace restricts uploads of large files',
      storage_limit_reached: 'the Slack workspace has no file storage left',
      file_not_found: 'Slack lost the uploaded file before it was shared',
    };
    const retryable = [
      'internal_error',
      'fatal_error',
      'service_unavailable',
      'request_timeout',
      'ratelimited',
    ].includes(slackError);
    return new DeliveryError('slack', slackError, `${method}: ${permanent[slackError] ?? slackError}`, {
      retryable,
      cause: error,
    });
  }
  // HTTP 5xx, connection refused, timeouts: the platform is away for a while.
  const status = e?.statusCode;
  const retryable = status === undefined || status >= 500 || status === 408;
  return new DeliveryError(
    'slack',
    status ? `http_${status}` : 'network',
    `${method}: ${status ? `HTTP ${status}` : 'Slack could not be reached'}`,
    {
      retryable,
      cause: error,
    },
  );
}
