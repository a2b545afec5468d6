/**
 * POST /api/v4/files: the multipart upload the bot makes (channel_id, then the files), and the
 * rule by which a post takes the files it names.
 *
 * Sources: server/channels/api4/file.go (uploadFileStream: 403
 * api.file.attachments.disabled.app_error unless FileSettings.EnableFileAttachments, 400
 * read_request for an empty or unparsable body; uploadFileMultipart: form fields other than
 * channel_id and client_ids are an invalid param, a second different channel_id is
 * multiple_channel_ids, upload_file permission on the channel (a member's, channel_user), one
 * client id per file when any is given (incorrect_number_of_client_ids), 201 with
 * {file_infos, client_ids}); app/file.go UploadFileX (413
 * api.file.upload_file.too_large_detailed.app_error past FileSettings.MaxFileSize, default
 * 104857600); store/sqlstore/file_info_store.go AttachToPost (a post takes a file only when it is
 * not attached yet and was uploaded by the poster; the file then belongs to the post's channel;
 * any other id is dropped with a log line, the post is still created: app/post.go
 * attachFilesToPost); api/v4/source/files.yaml (the request forms).
 *
 * Not served: the simple upload (file in the body, channel_id and filename in the query), which
 * the bot does not make; the file is never read back over HTTP (tests read `files`).
 */
import { errorReply, invalidBodyParam, invalidUrlParam, permissionError, type Reply } from './app-error.js';
import { isValidId, newId } from './ids.js';
import { type EmulatorState, hasChannelPermission, type PostRecord } from './model.js';

/** FileSettings.MaxFileSize's default (model/config.go). */
export const DEFAULT_MAX_FILE_SIZE = 104_857_600;

export interface FileRecord {
  id: string;
  user_id: string;
  /** The channel it was uploaded to, then the channel of the post that took it. */
  channel_id: string;
  /** '' until a post takes it. */
  post_id: string;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  create_at: number;
  bytes: Buffer;
}

const MIME: Record<string, string> = {
  png: 'image/png',
  md: 'text/markdown',
  txt: 'text/plain',
  json: 'application/json',
};

export function fileInfoJson(f: FileRecord): Record<string, unknown> {
  return {
    id: f.id,
    user_id: f.user_id,
    channel_id: f.channel_id,
    post_id: f.post_id,
    create_at: f.create_at,
    update_at: f.create_at,
    delete_at: 0,
    name: f.name,
    extension: f.extension,
    size: f.size,
    mime_type: f.mime_type,
    has_preview_image: f.mime_type.startsWith('image/'),
    mini_preview: null,
    remote_id: '',
    archived: false,
  };
}

export async function uploadFiles(
  state: EmulatorState,
  userId: string,
  contentType: string,
  body: Buffer,
): Promise<Reply> {
  if (!state.enableFileAttachments) return errorReply('api.file.attachments.disabled.app_error', 403);
  if (body.length === 0) return errorReply('api.file.upload_file.read_request.app_error', 400);
  if ((contentType.split(';')[0] ?? '').trim().toLowerCase() !== 'multipart/form-data') {
    return errorReply('emulator.simple_upload_not_served', 501);
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return errorReply('api.file.upload_file.read_request.app_error', 400);
  }
  let channelId = '';
  const clientIds: string[] = [];
  const files: File[] = [];
  for (const [name, value] of form) {
    if (typeof value !== 'string') files.push(value);
    else if (name === 'channel_id') {
      if (channelId !== '' && channelId !== value) {
        return errorReply('api.file.upload_file.multiple_channel_ids.app_error', 400);
      }
      channelId = value;
    } else if (name === 'client_ids') clientIds.push(value);
    else return invalidBodyParam(name);
  }
  if (!isValidId(channelId)) return invalidUrlParam('channel_id');
  if (!hasChannelPermission(state, userId, channelId)) return permissionError();
  if (clientIds.length > 0 && clientIds.length !== files.length) {
    return errorReply('api.file.upload_file.incorrect_number_of_client_ids.app_error', 400, {
      NumClientIds: clientIds.length,
      NumFiles: files.length,
    });
  }
  const infos: Record<string, unknown>[] = [];
  // One by one, as the server does: the files before a refused one stay uploaded (and unattached).
  for (const file of files) {
    const bytes = Buffer.from(await file.arrayBuffer());
    if (bytes.length > state.maxFileSize) {
      return errorReply('api.file.upload_file.too_large_detailed.app_error', 413, {
        Length: bytes.length,
        Limit: state.maxFileSize,
      });
    }
    const name = file.name.split(/[/\\]/).pop() ?? '';
    const extension = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
    const record: FileRecord = {
      id: newId(),
      user_id: userId,
      channel_id: channelId,
      post_id: '',
      name,
      extension,
      size: bytes.length,
      mime_type: MIME[extension] ?? 'application/octet-stream',
      create_at: state.now(),
      bytes,
    };
    state.files.set(record.id, record);
    infos.push(fileInfoJson(record));
  }
  return { status: 201, json: { file_infos: infos, client_ids: clientIds } };
}

/** app.attachFilesToPost: the poster's own files not attached yet stick; other ids are dropped and logged. */
export function attachFiles(state: EmulatorState, post: PostRecord): void {
  const attached: string[] = [];
  for (const id of post.file_ids) {
    const file = state.files.get(id);
    if (file && file.post_id === '' && file.user_id === post.user_id) {
      file.post_id = post.id;
      file.channel_id = post.channel_id;
      attached.push(id);
    } else {
      state.warnings.push({ where: `post ${post.id}`, message: `Failed to attach file ${id} to post` });
    }
  }
  post.file_ids = attached;
}
