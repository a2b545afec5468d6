import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDetour } from '../support/detour.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-serve-'));
  await writeFile(join(dir, 'detour.yaml'), 'http: { listen: "127.0.0.1:0" }\ndatabase: ./detour.db\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('detour serve (built binary)', () => {
  it('serves /healthz on its listen address and stops cleanly on SIGTERM', async () => {
    const bot = startDetour(['serve', '--config', join(dir, 'detour.yaml')], { cwd: dir });
    try {
      const line = await bot.waitForLine((l) => l.includes('detour-bot serving'));
      await bot.waitForLine((l) => l.includes('scheduler started'));
      const url = JSON.parse(line).url as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get('content-type')).toBe('application/json');
      expect(await health.json()).toMatchObject({
        status: 'ok',
        database: 'ok',
        chat: {},
        scheduler: 'running',
        // Nothing to probe nor to check in this config: listed, with why, but not scheduled.
        jobs: {
          probes: { cron: '*/5 * * * *', notScheduled: 'no host configured: nothing to probe' },
          'backup-check': { cron: '0 * * * *', notScheduled: 'no backup repository and no push check configured' },
        },
      });
      expect((await fetch(`${url}/nope`)).status).toBe(404);
      bot.child.kill('SIGTERM');
      const code = await new Promise((r) => bot.child.once('exit', r));
      expect(code).toBe(0);
      expect(bot.lines.some((l) => l.includes('"reason":"SIGTERM"'))).toBe(true);
    } finally {
      bot.child.kill('SIGKILL');
    }
  });
});

/*
 * What an idle `detour serve` holds (bench:idle): modules seen by a module `load` hook (as in
 * cold-start.test.ts), with the format Node loaded them in.
 */
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  const loaded = await next(url, context);
  appendFileSync(process.env.DETOUR_TEST_IMPORTS, loaded.format + ' ' + url + '\\n');
  return loaded;
}`;
const REGISTER = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

describe('detour serve at idle', () => {
  it('imports no CommonJS package as an ES module (no WebAssembly lexer), and no date library', async () => {
    const imports = join(dir, 'imports.txt');
    // Slack in HTTP mode loads Bolt; its API is a closed port: nothing here needs it to answer.
    await writeFile(
      join(dir, 'slack.yaml'),
      `http: { listen: "127.0.0.1:0" }
database: ./idle.db
chat:
  slack: { mode: http, botToken: "xoxb-idle-test", signingSecret: "idle-test-signing-secret-0123", apiUrl: "http://127.0.0.1:9/api/" }
`,
    );
    const bot = startDetour(['serve', '--config', join(dir, 'slack.yaml')], {
      cwd: dir,
      env: {
        DETOUR_TEST_IMPORTS: imports,
        NODE_OPTIONS: `--import=${`data:text/javascript,${encodeURIComponent(REGISTER)}`}`,
      },
    });
    try {
      await bot.waitForLine((l) => l.includes('scheduler started'));
      const loaded = (await readFile(imports, 'utf8')).trim().split('\n');
      // The hook saw serve's own modules load (it works), none of them CommonJS.
      expect(loaded).toContainEqual(expect.stringMatching(/^module .*\/dist\/src\/cli\/serve\.js$/));
      expect(loaded).toContainEqual(expect.stringMatching(/\/dist\/src\/chat\/slack\/slack-platform\.js$/));
      expect(loaded.filter((l) => !l.startsWith('module ') && !l.startsWith('builtin '))).toEqual([]);
      expect(loaded.filter((l) => l.includes('/node_modules/luxon/'))).toEqual([]);
    } finally {
      bot.child.kill('SIGKILL');
    }
  });
});
