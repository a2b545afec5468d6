/**
 * Block Kit checks, answering in Slack's own words: each refusal is
 * "<reason> [json-pointer:<path>]", e.g. "no more than 50 items allowed [json-pointer:/blocks]"
 * and "must be less than 3001 characters [json-pointer:/blocks/0/text/text]" preceded by
 * "failed to match all allowed schemas [json-pointer:/blocks/0/text]" — strings Slack returned
 * to apps, as recorded in public code (e.g. slackapi/node-slack-sdk WebClient tests quote
 * "unsupported type: sections [json-pointer:/blocks/0/type]").
 *
 * Limits (docs.slack.dev/reference/block-kit/...):
 *  - blocks: 50 per message (reference/block-kit/blocks)
 *  - section: text 1..3000, fields <= 10 of <= 2000, block_id <= 255 (blocks/section-block)
 *  - header: plain_text <= 150 (blocks/header-block)
 *  - actions: <= 25 elements; context: <= 10 elements (blocks/actions-block, context-block)
 *  - button: plain_text <= 75, action_id <= 255, value <= 2000, url <= 3000
 *    (block-elements/button-element)
 *  - input: label plain_text <= 2000, hint <= 2000 (blocks/input-block)
 *  - image: alt_text <= 2000, image_url <= 3000 (blocks/image-block)
 */

type Json = Record<string, unknown>;

const KNOWN_PASSTHROUGH = new Set(['rich_text', 'file', 'video', 'table', 'context_actions', 'divider']);

function at(reason: string, path: string): string {
  return `${reason} [json-pointer:${path}]`;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function tooLong(value: unknown, max: number, path: string, out: string[]): void {
  if (typeof value === 'string' && value.length > max) out.push(at(`must be less than ${max + 1} characters`, path));
}

/** A text object; Slack reports a schema mismatch on the object before the detail inside it. */
function textObject(value: unknown, path: string, max: number, out: string[], plainOnly = false): void {
  const inner: string[] = [];
  if (!isObject(value)) {
    out.push(at('failed to match all allowed schemas', path));
    return;
  }
  const type = value.type;
  if (type !== 'plain_text' && (plainOnly || type !== 'mrkdwn')) {
    out.push(at('failed to match all allowed schemas', path));
    if (plainOnly && type === 'mrkdwn') out.push(at('must be plain_text', `${path}/type`));
    return;
  }
  if (typeof value.text !== 'string') inner.push(at('missing required field: text', path));
  else if (value.text.length === 0) inner.push(at('must be more than 0 characters', `${path}/text`));
  else tooLong(value.text, max, `${path}/text`, inner);
  if (inner.length > 0) out.push(at('failed to match all allowed schemas', path), ...inner);
}

function element(value: unknown, path: string, out: string[]): void {
  if (!isObject(value) || typeof value.type !== 'string') {
    out.push(at('missing required field: type', path));
    return;
  }
  tooLong(value.action_id, 255, `${path}/action_id`, out);
  if (value.type === 'button') {
    if (value.text === undefined) out.push(at('missing required field: text', path));
    else textObject(value.text, `${path}/text`, 75, out, true);
    tooLong(value.value, 2000, `${path}/value`, out);
    tooLong(value.url, 3000, `${path}/url`, out);
    if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger')
      out.push(at('must be one of [primary, danger]', `${path}/style`));
  } else if (value.type === 'image') {
    if (typeof value.alt_text !== 'string') out.push(at('missing required field: alt_text', path));
    tooLong(value.alt_text, 2000, `${path}/alt_text`, out);
  }
}

function block(value: unknown, path: string, out: string[]): void {
  if (!isObject(value)) {
    out.push(at('failed to match all allowed schemas', path));
    return;
  }
  if (typeof value.type !== 'string') {
    out.push(at('missing required field: type', path));
    return;
  }
  tooLong(value.block_id, 255, `${path}/block_id`, out);
  switch (value.type) {
    case 'section': {
      if (value.text === undefined && value.fields === undefined) out.push(at('missing required field: text', path));
      if (value.text !== undefined) textObject(value.text, `${path}/text`, 3000, out);
      if (value.fields !== undefined) {
        if (!Array.isArray(value.fields)) out.push(at('expected array', `${path}/fields`));
        else if (value.fields.length > 10) out.push(at('no more than 10 items allowed', `${path}/fields`));
        else for (const [i, f] of value.fields.entries()) textObject(f, `${path}/fields/${i}`, 2000, out);
      }
      if (value.accessory !== undefined) element(value.accessory, `${path}/accessory`, out);
      return;
    }
    case 'header':
      if (value.text === undefined) out.push(at('missing required field: text', path));
      else textObject(value.text, `${path}/text`, 150, out, true);
      return;
    case 'actions':
    case 'context': {
      const max = value.type === 'actions' ? 25 : 10;
      if (!Array.isArray(value.elements)) {
        out.push(at('missing required field: elements', path));
        return;
      }
      if (value.elements.length === 0) out.push(at('must provide at least 1 items', `${path}/elements`));
      if (value.elements.length > max) out.push(at(`no more than ${max} items allowed`, `${path}/elements`));
      value.elements.forEach((e, i) => {
        const p = `${path}/elements/${i}`;
        if (value.type === 'context' && isObject(e) && e.type !== 'image') textObject(e, p, 3000, out);
        else element(e, p, out);
      });
      return;
    }
    case 'input':
      if (value.label === undefined) out.push(at('missing required field: label', path));
      else textObject(value.label, `${path}/label`, 2000, out, true);
      if (value.hint !== undefined) textObject(value.hint, `${path}/hint`, 2000, out, true);
      if (value.element === undefined) out.push(at('missing required field: element', path));
      else element(value.element, `${path}/element`, out);
      return;
    case 'image':
      if (typeof value.alt_text !== 'string') out.push(at('missing required field: alt_text', path));
      tooLong(value.alt_text, 2000, `${path}/alt_text`, out);
      if (value.image_url === undefined && value.slack_file === undefined)
        out.push(at('missing required field: image_url', path));
      tooLong(value.image_url, 3000, `${path}/image_url`, out);
      if (value.title !== undefined) textObject(value.title, `${path}/title`, 2000, out, true);
      return;
    case 'markdown':
      // "The cumulative limit for all markdown blocks in a single payload is 12,000 characters."
      if (typeof value.text !== 'string') out.push(at('missing required field: text', path));
      else tooLong(value.text, 12_000, `${path}/text`, out);
      return;
    default:
      if (!KNOWN_PASSTHROUGH.has(value.type)) out.push(at(`unsupported type: ${value.type}`, `${path}/type`));
  }
}

/** Errors for a blocks array (already parsed), [] when Slack would accept it. */
export function validateBlocks(blocks: unknown[], path: string, max: number): string[] {
  if (blocks.length > max) return [at(`no more than ${max} items allowed`, path)];
  const out: string[] = [];
  for (const [i, b] of blocks.entries()) block(b, `${path}/${i}`, out);
  return out;
}

/**
 * Slack refuses a message whose blocks hold more than about 12 000 characters of text in all,
 * with `msg_blocks_too_long` (HTTP 200, ok:false), even when every block is within its own limit.
 * Undocumented but observed: slackapi/bolt-js issue #2509 ("Blocks too long error at ~13200
 * characters") and #2867 (refused at 11 341 characters of `text` summed over the block tree; it
 * quotes a maintainer's answer in #2509: "12,000 text characters with a buffer for block
 * containers").
 * Modelled as: the sum of every `text` string in the blocks, refused past 12 000.
 */
export const MAX_BLOCKS_TEXT = 12_000;

export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + blocksTextLength(v), 0);
  if (!isObject(value)) return 0;
  let n = 0;
  for (const [key, v] of Object.entries(value))
    n += key === 'text' && typeof v === 'string' ? v.length : blocksTextLength(v);
  return n;
}

/** Slack fills in a block_id for blocks sent without one, and returns them so. */
export function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((b) =>
    isObject(b) && b.block_id === undefined ? { ...b, block_id: Math.random().toString(36).slice(2, 7) } : b,
  );
}

/** `blocks` arrives as a JSON string (form) or an array (JSON body). */
export function parseBlocksParam(value: unknown): { blocks?: unknown[]; malformed: boolean } {
  if (value === undefined || value === '') return { malformed: false };
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return { malformed: true };
    }
  }
  return Array.isArray(parsed) ? { blocks: parsed, malformed: false } : { malformed: true };
}
