import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { detour } from '../support/detour.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-chat-tokens-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function problemsOf(chat: Record<string, unknown>): readonly string[] {
  try {
    validateConfig({ locale: 'en', chat }, {}, dir, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const mattermost = { url: 'https://chat.example.org', team: 'detour' };

describe('chat platforms need the secrets they work with', () => {
  it('Slack in HTTP mode needs the bot token and the signing secret', () => {
    expect(problemsOf({ slack: { mode: 'http', botToken: 'xoxb-1' } })).toEqual([
      'chat.slack.signingSecret: required in http mode (or signingSecretFile): every request from Slack is checked with it',
    ]);
    expect(problemsOf({ slack: { signingSecret: 's' } })).toEqual(['chat.slack.botToken: required (or botTokenFile)']);
    expect(problemsOf({ slack: { mode: 'http', botToken: 'xoxb-1', signingSecret: '' } })).toEqual([
      'chat.slack.signingSecret: is empty',
    ]);
  });

  it('Slack in socket mode needs the bot token and the app token', () => {
    expect(problemsOf({ slack: { mode: 'socket', botToken: 'xoxb-1' } })).toEqual([
      'chat.slack.appToken: required in socket mode (or appTokenFile)',
    ]);
    expect(problemsOf({ slack: { mode: 'socket', appToken: 'xapp-1' } })).toEqual([
      'chat.slack.botToken: required (or botTokenFile)',
    ]);
  });

  it('Mattermost needs the bot token and the slash command token', () => {
    expect(problemsOf({ mattermost })).toEqual([
      'chat.mattermost.botToken: required (or botTokenFile)',
      'chat.mattermost.commandToken: required (or commandTokenFile): every slash command is checked with it',
    ]);
    expect(problemsOf({ mattermost: { ...mattermost, botToken: 'b', commandToken: '' } })).toEqual([
      'chat.mattermost.commandToken: is empty',
    ]);
  });

  it('accepts each section complete, inline or from files', async () => {
    await writeFile(join(dir, 'signing'), 'abc\n');
    expect(problemsOf({ slack: { botToken: 'xoxb-1', signingSecretFile: './signing' } })).toEqual([]);
    expect(problemsOf({ slack: { mode: 'socket', botToken: 'xoxb-1', appToken: 'xapp-1' } })).toEqual([]);
    expect(problemsOf({ mattermost: { ...mattermost, botTokenFile: './signing', commandToken: 'c' } })).toEqual([]);
  });

  it('makes `detour config check` and `detour serve` refuse the file (exit 2)', async () => {
    const config = join(dir, 'detour.yaml');
    await writeFile(config, 'locale: en\nchat:\n  slack: { mode: http, botToken: xoxb-1 }\n');
    const check = await detour(['config', 'check', '--config', config], { cwd: dir });
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toContain('chat.slack.signingSecret: required in http mode');
    expect(check.stdout).not.toContain('OK');
    const serve = await detour(['serve', '--config', config], { cwd: dir });
    expect(serve.exitCode).toBe(2);
    expect(serve.stderr).toContain('chat.slack.signingSecret: required in http mode');
  });
});
