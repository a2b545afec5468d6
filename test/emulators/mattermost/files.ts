/**
 * POST /api/v4/files — server/channels/api4/file.go uploadFileStream:
 *  - Content-Length 0 → 400 api.file.upload_file.read_request.app_error.
 *  - multipart/form-data: if `channel_id` comes before the first file, every file part is taken
 *    whatever its field name ("stream" mode); if a file comes first, the whole form is read and
 *    only parts named `files` count ("legacy" mode). Other text fields than channel_id and
 *    client_ids → 400 invalid_body_param. client_ids: none, or one per file.
 *  - otherwise: the body is the file, with ?channel_id=&filename= in the query.
 *  - upload_file permission on the channel (members) else 403; size over
 *    FileSettings.MaxFileSize (default 100 MiB) → 413 too_large_detailed.
 *  - 201 with model.FileUploadResponse {file_infos, client_ids}.
 * FileInfo JSON: server/public/model/file_info.go.
 */
import { errorReply, invalidBodyParam, invalidUrlParam, permissionError, type Reply } from './app-error.js';
import { isValidId, newId } from './ids.js';
import { type EmulatorState, type FileInfoJson, hasChannelPermission } from './model.js';

// A few entries of Go's mime.TypeByExtension table (mime/type.go builtins).
const MIME: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  html: 'text/html; charset=utf-8',
  zip: 'application/zip',
  gz: 'application/gzip',
  log: '',
};

interface Upload {
  name: string;
  bytes: Buffer;
}

function store(state: EmulatorState, userId: string, channelId: string, up: Upload): FileInfoJson | Reply {
  if (up.bytes.length > state.maxFileSize) {
    return errorReply('api.file.upload_file.too_large_detailed.app_error', 413, {
      Filename: up.name,
      Length: up.bytes.length,
      Limit: state.maxFileSize,
    });
  }
  const dot = up.name.lastIndexOf('.');
  const extension = dot > 0 ? up.name.slice(dot + 1).toLowerCase() : '';
  const now = state.now();
  const info: FileInfoJson = {
    id: newId(),
    user_id: userId,
    channel_id: channelId,
    create_at: now,
    update_at: now,
    delete_at: 0,
    name: up.name,
    extension,
    size: up.bytes.length,
    mime_type: MIME[extension] ?? '',
    mini_preview: null,
    remote_id: '',
    archived: false,
  };
  state.files.push({ info, bytes: up.bytes });
  return info;
}

function finish(
  state: EmulatorState,
  userId: string,
  channelId: string,
  uploads: Upload[],
  clientIds: string[],
): Reply {
  if (!isValidId(channelId)) return invalidUrlParam('channel_id');
  if (!hasChannelPermission(state, userId, channelId)) return permissionError();
  if (clientIds.length !== 0 && clientIds.length !== uploads.length) {
    return errorReply('api.file.upload_file.incorrect_number_of_client_ids.app_error', 400, {
      NumClientIds: clientIds.length,
      NumFiles: uploads.length,
    });
  }
  const infos: FileInfoJson[] = [];
  for (const up of uploads) {
    const result = store(state, userId, channelId, up);
    if ('status' in result) return result;
    infos.push(result);
  }
  return { status: 201, json: { file_infos: infos, client_ids: clientIds } };
}

export async function uploadFiles(
  state: EmulatorState,
  userId: string,
  query: URLSearchParams,
  contentType: string,
  body: Buffer,
): Promise<Reply> {
  if (body.length === 0) return errorReply('api.file.upload_file.read_request.app_error', 400);
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'multipart/form-data') {
    const filename = query.get('filename') ?? '';
    if (filename === '') return invalidUrlParam('filename');
    return finish(state, userId, query.get('channel_id') ?? '', [{ name: filename, bytes: body }], []);
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return errorReply('api.file.upload_file.read_request.app_error', 400);
  }
  let channelId = query.get('channel_id') ?? '';
  const clientIds: string[] = [];
  const uploads: Upload[] = [];
  const entries = [...form.entries()];
  const firstFile = entries.findIndex(([, v]) => typeof v !== 'string');
  const firstChannel = entries.findIndex(([k, v]) => k === 'channel_id' && typeof v === 'string');
  const streaming = channelId !== '' || (firstChannel !== -1 && (firstFile === -1 || firstChannel < firstFile));
  for (const [name, value] of entries) {
    if (typeof value === 'string') {
      if (name === 'channel_id') {
        if (streaming && channelId !== '' && channelId !== value) {
          return errorReply('api.file.upload_file.multiple_channel_ids.app_error', 400);
        }
        if (value !== '' && (streaming || channelId === '')) channelId = value;
      } else if (name === 'client_ids') {
        if (streaming && uploads.length > 0 && clientIds.length === 0) return invalidBodyParam('client_ids');
        clientIds.push(value);
      } else if (streaming) {
        return invalidBodyParam(name);
      }
      continue;
    }
    if (!streaming && name !== 'files') continue;
    uploads.push({ name: value.name, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  if (!streaming && channelId === '') return invalidBodyParam('channel_id');
  return finish(state, userId, channelId, uploads, clientIds);
}
