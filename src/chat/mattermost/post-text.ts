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
