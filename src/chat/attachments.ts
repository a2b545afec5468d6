import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Locale } from '../core/i18n.js';
import type { ChatFile } from './message.js';

/**
 * The largest file the bot uploads. A report's Markdown and charts weigh tens of kilobytes;
 * the bound keeps a stray big file from being read into memory (Mattermost's own default,
 * FileSettings.MaxFileSize, is 100 MB).
 */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** Why a file named on a message is not attached: the message still goes, with a note. */
export type SkipReason = 'missing' | 'outside' | 'not_a_file' | 'empty' | 'too_large' | 'unreadable';

export interface ReadFile {
  file: ChatFile;
  /** The name shown in the chat, made safe (no path, no control characters). */
  name: string;
  bytes: Buffer;
}

export interface SkippedFile {
  file: ChatFile;
  name: string;
  reason: SkipReason;
}

/**
 * Reads the files of a message for upload. Only regular files under `root` (the data folder's
 * `reports/`) are read, after resolving symbolic links, so a message in the outbox cannot make
 * the bot publish any other file it can read. A file that is not there any more (or is refused)
 * is returned as skipped, with why: the message is posted without it.
 */
export async function readChatFiles(
  files: readonly ChatFile[] | undefined,
  root: string,
  maxBytes = MAX_FILE_BYTES,
): Promise<{ read: ReadFile[]; skipped: SkippedFile[] }> {
  const read: ReadFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files ?? []) {
    const name = shownName(file);
    const bytes = await readOne(file.path, root, maxBytes);
    if (typeof bytes === 'string') skipped.push({ file, name, reason: bytes });
    else read.push({ file, name, bytes });
  }
  return { read, skipped };
}

async function readOne(path: string, root: string, maxBytes: number): Promise<Buffer | SkipReason> {
  if (typeof path !== 'string' || !isAbsolute(path) || !inside(resolve(root), resolve(path))) return 'outside';
  let real: string;
  let realRoot: string;
  try {
    real = await realpath(path);
    realRoot = await realpath(root);
  } catch (error) {
    return errnoReason(error);
  }
  if (!inside(realRoot, real)) return 'outside';
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: a FIFO put there opens at once (and is then refused) instead of hanging the queue.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return errnoReason(error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return 'not_a_file';
    if (stat.size > maxBytes) return 'too_large';
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) return 'too_large';
    return bytes.length === 0 ? 'empty' : bytes;
  } catch (error) {
    return errnoReason(error);
  } finally {
    await handle.close();
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

function errnoReason(error: unknown): SkipReason {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  if (code === 'ELOOP') return 'not_a_file';
  return 'unreadable';
}

/** The file's name as the chat shows it: never a path, never a control character or a backtick. */
function shownName(file: ChatFile): string {
  const given = typeof file.name === 'string' && file.name.trim() !== '' ? file.name : basename(String(file.path));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const clean = given.replace(/[/\\`\u0000-\u001f\u007f]/g, '_').trim();
  return clean.slice(0, 200) || 'file';
}

/** The note posted with a message in place of a file that could not be attached. */
export function fileNotAttached(locale: Locale, name: string, reason: SkipReason): string {
  const mb = Math.round(MAX_FILE_BYTES / 1024 / 1024);
  if (locale === 'fr') {
    const why: Record<SkipReason, string> = {
      missing: 'le fichier est introuvable',
      outside: 'il n’est pas dans le dossier des rapports',
      not_a_file: 'ce n’est pas un fichier ordinaire',
      empty: 'le fichier est vide',
      too_large: `il dépasse ${mb} Mo`,
      unreadable: 'le bot ne peut pas le lire',
    };
    return `⚠ \`${name}\` n’a pas pu être joint : ${why[reason]}.`;
  }
  const why: Record<SkipReason, string> = {
    missing: 'the file is not there',
    outside: 'it is not in the reports folder',
    not_a_file: 'it is not a regular file',
    empty: 'the file is empty',
    too_large: `it is larger than ${mb} MB`,
    unreadable: 'the bot cannot read it',
  };
  return `⚠ \`${name}\` could not be attached: ${why[reason]}.`;
}
