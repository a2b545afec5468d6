import { describe, expect, it } from 'vitest';
import { MAX_POST_RUNES, toMattermostPosts } from '../../src/chat/mattermost/post-text.js';
import { messageFromText, splitText } from '../../src/chat/message.js';
import {
  MAX_BLOCKS,
  MAX_MESSAGE_TEXT,
  MAX_PARTS,
  MAX_SECTION_TEXT,
  type SlackBlock,
  splitForSlack,
  toSlackBlocks,
  toSlackMessages,
} from '../../src/chat/slack/blocks.js';

const table = (rows: number, width = 60) =>
  Array.from({ length: rows }, (_, i) => `row ${String(i).padStart(5, '0')} ${'x'.repeat(width)}`).join('\n');

const textOf = (block: SlackBlock) => (block.text as { text?: string } | undefined)?.text ?? '';

describe('splitText', () => {
  it('cuts at line ends and never exceeds the limit', () => {
    const pieces = splitText(table(100), 500);
    expect(pieces.every((p) => p.length <= 500)).toBe(true);
    expect(pieces.join('\n')).toBe(table(100));
    expect(pieces[0]?.endsWith('x')).toBe(true);
  });

  it('cuts a single line longer than the limit', () => {
    expect(splitText('a'.repeat(25), 10)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
  });
});

describe('Slack Block Kit rendering', () => {
  it('puts the title in a header and the body in a monospace section, with a plain-text fallback', () => {
    const payload = toSlackBlocks(messageFromText('Backups\nOK  b7-borg  <script>'));
    expect(payload.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Backups', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: '```\nOK  b7-borg  &lt;script&gt;\n```' } },
    ]);
    expect(payload.text).toBe('Backups\nOK  b7-borg  <script>');
  });

  it('splits a long body into messages Slack accepts, in order, with numbered titles', () => {
    const body = table(600); // ~40 000 characters
    const parts = splitForSlack({ title: 'Recap', body });
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.map((p) => p.title)).toEqual(parts.map((_, i) => `Recap (${i + 1}/${parts.length})`));
    expect(parts.map((p) => p.body).join('\n')).toBe(body);
    for (const payload of toSlackMessages({ title: 'Recap', body })) {
      expect(payload.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
      for (const block of payload.blocks) expect(textOf(block).length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
      expect(payload.blocks.reduce((n, b) => n + textOf(b).length, 0)).toBeLessThanOrEqual(MAX_MESSAGE_TEXT);
      expect(payload.text.length).toBeLessThanOrEqual(3000);
    }
  });

  it('counts the characters escaping adds, and keeps a short message whole', () => {
    const body = Array.from({ length: 400 }, () => '<'.repeat(30)).join('\n'); // 12 399 raw, 49 599 escaped
    const payloads = toSlackMessages({ body });
    expect(payloads.length).toBeGreaterThanOrEqual(5);
    for (const p of payloads) expect(p.blocks.reduce((n, b) => n + textOf(b).length, 0)).toBeLessThanOrEqual(11_000);
    expect(splitForSlack({ title: 'Short', body: 'one line' })).toEqual([{ title: 'Short', body: 'one line' }]);
  });

  it('summarises what would take more than MAX_PARTS messages', () => {
    const parts = splitForSlack({ title: 'Huge', body: table(3000) });
    expect(parts).toHaveLength(MAX_PARTS);
    expect(parts.at(-1)?.body).toMatch(/… \d+ more line\(s\) not shown \(too long for Slack\)$/);
  });
});

describe('Mattermost post rendering', () => {
  it('fences the body and splits what a post cannot hold', () => {
    expect(toMattermostPosts({ title: 'Backups', body: 'OK  b7-borg' })).toEqual([
      '**Backups**\n```\nOK  b7-borg\n```',
    ]);
    const posts = toMattermostPosts({ title: 'Long', body: table(1000, 100) });
    expect(posts.length).toBeGreaterThan(1);
    expect(posts.every((p) => [...p].length <= MAX_POST_RUNES)).toBe(true);
  });
});
