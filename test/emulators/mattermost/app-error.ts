/**
 * Mattermost's error body and the messages it carries.
 *
 * Shape: server/public/model/utils.go `AppError` — {id, message, detailed_error, request_id,
 * status_code} (request_id and status_code omitempty; is_oauth omitempty, never set here).
 * server/channels/web/handlers.go (ServeHTTP, end): sets request_id, translates the id into
 * `message`, wipes detailed_error unless ServiceSettings.EnableDeveloper (default false), then
 * writes it with `Content-Type: application/json` and the status from status_code.
 */

/** What a handler returns; the server turns it into an HTTP answer. */
export interface Reply {
  status: number;
  /** Serialised as JSON with Content-Type exactly `application/json`. */
  json?: unknown;
  /** Raw body (with its own content type in `headers`). */
  text?: string;
  headers?: Record<string, string>;
}

export interface AppErrorBody {
  id: string;
  message: string;
  detailed_error: string;
  request_id?: string;
  status_code: number;
}

// English texts from server/i18n/en.json for the ids checked there; ids marked (unchecked)
// were not found in the stored copy of en.json and carry a best guess: match on `id`, never on
// `message` (Mattermost translates messages into the user's locale anyway).
const MESSAGES: Record<string, string> = {
  'api.context.404.app_error': 'Sorry, we could not find the page.',
  'api.context.invalid_body_param.app_error': 'Invalid or missing {{.Name}} in request body.',
  'api.context.invalid_url_param.app_error': 'Invalid or missing {{.Name}} parameter in request URL.',
  'api.context.permissions.app_error': 'You do not have the appropriate permissions.',
  'api.context.request_body_too_large.app_error': 'Unable to process request. Request body too large.',
  'api.context.session_expired.app_error': 'Invalid or expired session, please login again.',
  'api.context.token_provided.app_error': 'Session is not OAuth but token was provided in the query string.',
  'model.post.is_valid.message_length.app_error': 'Post Message property is longer than the maximum permitted length.',
  'model.post.is_valid.file_ids.app_error':
    'Invalid file ids. Note that uploads are limited to 10 files maximum. Please use additional posts for more files.',
  'model.post.is_valid.props.app_error': 'Invalid props.',
  'model.post.is_valid.type.app_error': 'Invalid type.',
  'model.post.is_valid.root_id.app_error': 'Invalid root id.',
  'app.command_webhook.get.missing': 'Unable to find the webhook.',
  'app.command_webhook.try_use.invalid': 'Invalid webhook.',
  'app.command_webhook.handle_command_webhook.parse': 'Unable to parse incoming data.',
  // (unchecked) below
  'api.file.attachments.disabled.app_error': 'File attachments have been disabled on this server.',
  'api.file.upload_file.read_request.app_error': 'Unable to upload file(s). Error reading or parsing request data.',
  'api.file.upload_file.too_large_detailed.app_error':
    'Unable to upload file {{.Filename}}. {{.Length}} bytes exceeds the maximum allowed {{.Limit}} bytes.',
  'api.file.upload_file.multiple_channel_ids.app_error': 'Unable to upload file(s). Multiple conflicting channel_ids.',
  'api.file.upload_file.incorrect_number_of_client_ids.app_error':
    'Unable to upload file(s). Have {{.NumClientIds}} client_ids for {{.NumFiles}} files.',
  'app.user.missing_account.const': 'Unable to find the user.',
  'app.channel.get_by_name.missing.app_error': 'Channel does not exist.',
  'app.team.get_by_name.missing.app_error': 'Unable to find the existing team.',
  'app.post.get.app_error': 'Unable to get the post.',
  'api.post.create_post.root_id.app_error': 'Invalid RootId parameter.',
  'api.post.do_action.action_id.app_error': 'Action not found.',
  'api.post.do_action.action_integration.app_error': 'Action integration error.',
  'api.command.execute_command.failed.app_error': "Command with a trigger of '{{.Trigger}}' failed.",
  'api.command.execute_command.failed_resp.app_error':
    "Command with a trigger of '{{.Trigger}}' returned response {{.Status}}.",
  'api.command.command_post.forbidden.app_error': 'Specified user is not a member of specified channel.',
  'interactive_message.decode_trigger_id.base64_decode_failed': 'Failed to decode base64 for trigger ID.',
  'interactive_message.decode_trigger_id.missing_data': 'Trigger ID missing required data.',
  'interactive_message.decode_trigger_id.expired': 'Trigger ID expired. Trigger IDs are valid for {{.Duration}}.',
  'interactive_message.decode_trigger_id.base64_decode_failed_signature':
    'Failed to decode base64 for trigger ID signature.',
  'interactive_message.decode_trigger_id.signature_decode_failed': 'Failed to decode ASN.1 trigger ID signature.',
  'interactive_message.decode_trigger_id.verify_signature_failed': 'Signature verification failed for trigger ID.',
  'app.submit_interactive_dialog.decode_json_error': 'Encountered an error decoding JSON for the dialog response.',
  'app.submit_interactive_dialog.invalid_response': 'Invalid dialog response.',
};

function translate(id: string, params: Record<string, unknown>): string {
  const template = MESSAGES[id] ?? id;
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, key: string) => String(params[key] ?? ''));
}

/** The AppError body as a production server (EnableDeveloper=false) writes it. */
export function appError(
  id: string,
  status: number,
  params: Record<string, unknown> = {},
  requestId?: string,
): AppErrorBody {
  const body: AppErrorBody = { id, message: translate(id, params), detailed_error: '', status_code: status };
  if (requestId) body.request_id = requestId;
  return body;
}

export function errorReply(id: string, status: number, params: Record<string, unknown> = {}): Reply {
  return { status, json: appError(id, status, params) };
}

/** c.SetInvalidParam / SetInvalidParamWithErr (web/context.go): 400 invalid_body_param. */
export const invalidBodyParam = (name: string): Reply =>
  errorReply('api.context.invalid_body_param.app_error', 400, { Name: name });

/** c.SetInvalidURLParam, used by RequireUserId/RequirePostId/RequireChannelId: 400. */
export const invalidUrlParam = (name: string): Reply =>
  errorReply('api.context.invalid_url_param.app_error', 400, { Name: name });

/** c.SetPermissionError (web/context.go): always 403, same id whatever the permission. */
export const permissionError = (): Reply => errorReply('api.context.permissions.app_error', 403);

/** web/handlers.go: missing or unknown token on an APISessionRequired route. */
export const sessionExpired = (): Reply => errorReply('api.context.session_expired.app_error', 401);
