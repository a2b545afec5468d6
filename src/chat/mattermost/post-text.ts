import { type ChatMessage, splitText } from '../message.js';

/*
 * Mattermost posts hold at most 16383 characters (server/public/model/post.go,
 * PostMessageMaxRunesV2); Markdown code fences keep tables aligned. A longer
 * body becomes several posts, never a refused one.
 */
export const MAX_POST_RUNES = 16383;
const FENCE = '```';

export function toMattermostPosts(message: ChatMessage): string[] {
  const title = message.title ? `**${message.title.replaceAll('*', '\\*')}**\n` : '';
  const room = MAX_POST_RUNES - title.length - 2 * FENCE.length - 2;
  if (message.body.trim() === '') return [title.trim()];
  return splitText(message.body.replaceAll(FENCE, "'''"), room).map(
    (piece, i) => `${i === 0 ? title : ''}${FENCE}\n${piece}\n${FENCE}`,
  );
}

/**
 * Post.IsValid refuses file_ids longer than 300 runes as JSON: 10 ids of 26 characters ("uploads
 * are limited to 10 files maximum", model.post.is_valid.file_ids.app_error).
 */
export const MAX_FILES_PER_POST = 10;

export interface PostSpec {
  message: string;
  file_ids?: string[];
}

/**
 * The posts of a message: its texts, notes about files left out after the last one (in it when
 * they fit), the files on the last text post, 10 at most, and the rest on posts of their own.
 */
export function postsWithFiles(
  texts: readonly string[],
  notes: readonly string[],
  fileIds: readonly string[],
): PostSpec[] {
  const posts: PostSpec[] = texts.map((message) => ({ message }));
  if (notes.length > 0) {
    const last = posts.at(-1);
    const note = notes.join('\n');
    if (last && [...`${last.message}\n${note}`].length <= MAX_POST_RUNES) last.message = `${last.message}\n${note}`;
    else posts.push({ message: note });
  }
  for (let i = 0; i < fileIds.length; i += MAX_FILES_PER_POST) {
    const group = fileIds.slice(i, i + MAX_FILES_PER_POST);
    const last = posts.at(-1);
    if (i === 0 && last) last.file_ids = group;
    else posts.push({ message: '', file_ids: group });
  }
  return posts;
}
