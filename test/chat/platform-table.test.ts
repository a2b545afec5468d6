import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enabledPlatforms } from '../../src/chat/platform-table.js';
import { testConfig } from '../support/app.js';
import { CLI } from '../support/detour.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-platforms-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const slackHttp = { mode: 'http', botToken: 'xoxb-1', signingSecret: 'secret', apiUrl: 'http://127.0.0.1:9/api/' };
const mattermost = { url: 'http://127.0.0.1:9', botToken: 'bot', commandToken: 'cmd', team: 'detour' };

describe('the platform table', () => {
  it('says which platforms a config enables, and the routes each serves', () => {
    expect(enabledPlatforms(testConfig({}, dir))).toEqual([{ name: 'console', routes: [] }]);
    expect(enabledPlatforms(testConfig({ chat: { slack: slackHttp, mattermost } }, dir))).toEqual([
      { name: 'slack', routes: ['POST /slack/events'] },
      { name: 'mattermost', routes: ['POST /mattermost/command', 'POST /mattermost/actions'] },
      { name: 'console', routes: [] },
    ]);
    const socket = { mode: 'socket', botToken: 'xoxb-1', appToken: 'xapp-1' };
    expect(enabledPlatforms(testConfig({ chat: { slack: socket } }, dir))[0]).toEqual({ name: 'slack', routes: [] });
  });

  it('builds a console-only bot without loading Bolt; loads it when Slack is enabled', async () => {
    // In a fresh process: CommonJS packages imported from ESM still land in require.cache.
    const script = `
      import { createRequire } from 'node:module';
      import { buildPlatforms } from './dist/src/chat/build-platforms.js';
      import { validateConfig } from './dist/src/config/load.js';
      import { silentLogger } from './dist/src/core/logger.js';
      // Bolt checks its token (auth.test) in the background: nothing answers here, and that is fine.
      process.on('unhandledRejection', () => {});
      const chat = JSON.parse(process.argv[1]);
      const config = validateConfig({ chat }, {}, '/tmp', 'test');
      const built = await buildPlatforms({ config, enqueue() {}, logger: silentLogger });
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        platforms: built.platforms.map((p) => p.name),
        routes: Object.keys(built.routes),
        bolt: loaded.some((f) => f.includes('/@slack/bolt/')),
      }));
      process.exit(0);`;
    const run = async (chat: object) =>
      JSON.parse((await execa(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(chat)])).stdout);
    expect(await run({})).toEqual({ platforms: [], routes: [], bolt: false });
    expect(await run({ slack: slackHttp, mattermost })).toEqual({
      platforms: ['slack', 'mattermost'],
      routes: ['POST /slack/events', 'POST /mattermost/command', 'POST /mattermost/actions'],
      bolt: true,
    });
  });

  it('is what `detour config check` reports', async () => {
    const file = join(dir, 'both.yaml');
    await writeFile(
      file,
      `chat:
  slack: { mode: http, botToken: xoxb-1, signingSecret: s }
  mattermost: { url: "http://127.0.0.1:9", botToken: b, commandToken: c, team: detour }
`,
    );
    const r = await execa(process.execPath, [CLI, 'config', 'check', '--config', file], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      'chat: slack (POST /slack/events), mattermost (POST /mattermost/command, POST /mattermost/actions), console)',
    );
  });
});
