import { type ChatMessage, splitText } from '../message.js';

/*
 * Block Kit limits (api.slack.com/reference/block-kit/blocks, .../composition-objects#text):
 * 50 blocks per message, 3000 characters of text per section, 150 per header;
 * the top-level `text` is the notification fallback (truncated by Slack past 40 000).
 */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
const MAX_HEADER_TEXT = 150;
const MAX_FALLBACK_TEXT = 3000;
const FENCE = '```';

export interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

export interface SlackMessagePayload {
  text: string;
  blocks: SlackBlock[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Renders a message as Block Kit within its limits: the body in monospace
 * sections of at most 3000 characters; a body too long for 50 blocks is
 * summarised (its first blocks, then a note), never refused.
 */
export function toSlackBlocks(message: ChatMessage): SlackMessagePayload {
  const blocks: SlackBlock[] = [];
  if (message.title) {
    blocks.push({
      type: 'header',
      text: { type: 'plain_text', text: clip(message.title, MAX_HEADER_TEXT), emoji: true },
    });
  }
  const room = MAX_SECTION_TEXT - 2 * FENCE.length - 2;
  const pieces = message.body.trim() === '' ? [] : splitText(escapeMrkdwn(message.body), room);
  const available = MAX_BLOCKS - blocks.length;
  const shown = pieces.length > available ? pieces.slice(0, available - 1) : pieces;
  for (const piece of shown) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${FENCE}\n${piece}\n${FENCE}` } });
  }
  if (shown.length < pieces.length) {
    const hidden = pieces.length - shown.length;
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `… ${hidden} more part(s) not shown (message too long for Slack)` }],
    });
  }
  const fallback = [message.title, message.body].filter(Boolean).join('\n');
  return { text: clip(fallback, MAX_FALLBACK_TEXT), blocks };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
