import { describe, expect, it } from 'vitest';
import { MAX_POST_RUNES, toMattermostPosts } from '../../src/chat/mattermost/post-text.js';
import { messageFromText, splitText } from '../../src/chat/message.js';
import { MAX_BLOCKS, MAX_SECTION_TEXT, toSlackBlocks } from '../../src/chat/slack/blocks.js';

const table = (rows: number, width = 60) =>
  Array.from({ length: rows }, (_, i) => `row ${String(i).padStart(5, '0')} ${'x'.repeat(width)}`).join('\n');

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

  it('stays within 3000 characters per section and 50 blocks, summarising the rest', () => {
    const payload = toSlackBlocks({ title: 'Long', body: table(3000) });
    expect(payload.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    for (const block of payload.blocks) {
      const text = (block.text as { text?: string } | undefined)?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    }
    expect(payload.blocks.at(-1)).toMatchObject({ type: 'context' });
    expect(JSON.stringify(payload.blocks.at(-1))).toMatch(/more part\(s\) not shown/);
    expect(payload.text.length).toBeLessThanOrEqual(3000);
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
