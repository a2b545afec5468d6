import { type ChatMessage, splitText } from '../message.js';

/*
 * Block Kit limits (api.slack.com/reference/block-kit/blocks, .../composition-objects#text):
 * 50 blocks per message, 3000 characters of text per section, 150 per header;
 * the top-level `text` is the notification fallback (truncated by Slack past 40 000).
 * On top of those, Slack refuses a message whose blocks hold more than about 12 000 characters
 * of text in all (`msg_blocks_too_long`, undocumented: slackapi/bolt-js issues #2509 and #2867
 * saw it between 11 341 and 13 297 characters), so one message carries at most MAX_MESSAGE_TEXT
 * and a longer body becomes several messages, posted in order.
 */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
export const MAX_MESSAGE_TEXT = 11_000;
/** Past this many messages the rest is summarised: a flood helps nobody, and Slack takes ~1 post/s. */
export const MAX_PARTS = 10;
const MAX_HEADER_TEXT = 150;
const MAX_FALLBACK_TEXT = 3000;
const FENCE = '```';
/** Characters a section adds around its piece: the two fences and their line breaks. */
const SECTION_FRAME = 2 * FENCE.length + 2;
const SECTION_ROOM = MAX_SECTION_TEXT - SECTION_FRAME;

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

const escapedLength = (text: string) => escapeMrkdwn(text).length;

/**
 * Cuts a message into messages Slack accepts (see MAX_MESSAGE_TEXT), in order. Each part is
 * one section's worth of lines or more; when there are several, their titles are numbered.
 * A body too long for MAX_PARTS messages ends with a note, never a refused message.
 */
export function splitForSlack(message: ChatMessage): ChatMessage[] {
  if (message.body.trim() === '') return [message];
  const pieces = splitText(message.body, SECTION_ROOM, escapedLength);
  const header = message.title ? MAX_HEADER_TEXT : 0;
  const maxSections = MAX_BLOCKS - (message.title ? 1 : 0);
  const groups: string[][] = [];
  let group: string[] = [];
  let size = header;
  for (const piece of pieces) {
    const cost = escapedLength(piece) + SECTION_FRAME;
    if (group.length > 0 && (size + cost > MAX_MESSAGE_TEXT || group.length >= maxSections)) {
      groups.push(group);
      group = [];
      size = header;
    }
    group.push(piece);
    size += cost;
  }
  groups.push(group);
  const shown = groups.slice(0, MAX_PARTS);
  if (groups.length > MAX_PARTS) {
    // Room for the note: the last piece of the last part makes way for it.
    const last = shown.at(-1) as string[];
    const dropped = [last.at(-1) as string, ...groups.slice(MAX_PARTS).flat()];
    const hidden = dropped.reduce((n, piece) => n + piece.split('\n').length, 0);
    last[last.length - 1] = `… ${hidden} more line(s) not shown (too long for Slack)`;
  }
  if (shown.length === 1) return [message];
  return shown.map((g, i) => ({
    ...(message.title ? { title: `${message.title} (${i + 1}/${shown.length})` } : {}),
    body: g.join('\n'),
  }));
}

/**
 * Renders one part of a message (see splitForSlack) as Block Kit: the title in a header, the
 * body in monospace sections of at most 3000 characters, a plain-text fallback.
 */
export function toSlackBlocks(message: ChatMessage): SlackMessagePayload {
  const blocks: SlackBlock[] = [];
  if (message.title) {
    blocks.push({
      type: 'header',
      text: { type: 'plain_text', text: clip(message.title, MAX_HEADER_TEXT), emoji: true },
    });
  }
  const pieces = message.body.trim() === '' ? [] : splitText(message.body, SECTION_ROOM, escapedLength);
  for (const piece of pieces.slice(0, MAX_BLOCKS - blocks.length)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${FENCE}\n${escapeMrkdwn(piece)}\n${FENCE}` } });
  }
  const fallback = [message.title, message.body].filter(Boolean).join('\n');
  return { text: clip(fallback, MAX_FALLBACK_TEXT), blocks };
}

/** A message as the Slack messages that carry it, in order. */
export function toSlackMessages(message: ChatMessage): SlackMessagePayload[] {
  return splitForSlack(message).map(toSlackBlocks);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
