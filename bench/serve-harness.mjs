// Shared by bench:ack and bench:idle: the emulators, `detour serve` on Slack (HTTP mode) and
// Mattermost pointed at them, and the bare Bolt app, each a child process of the bench.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/src/cli.js');
export const SIGNING_SECRET = 'bench-signing-secret-0123456789ab';

/** A temporary folder and the children started in it; `close()` stops them all and removes it. */
export function createHarness(name) {
  const dir = mkdtempSync(join(tmpdir(), `detour-bench-${name}-`));
  const children = [];

  /** Starts node with `args`; resolves once `ready(stdout so far)` returns something. */
  function start(args, env, ready) {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolvePromise, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const found = ready(out);
        if (found) resolvePromise({ child, value: found });
      });
      child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)));
    });
  }

  /**
   * The emulators (in their own process, so their work never delays the measured ones) and the
   * config and environment for both bots. Resolves to { env, slack, mattermost, fixtures }.
   */
  async function emulators() {
    const started = await start(
      [join(ROOT, 'bench/emulators.mjs'), SIGNING_SECRET],
      {},
      (out) => /^(\{.*\})$/m.exec(out)?.[1],
    );
    const { slack, mattermost, fixtures } = JSON.parse(started.value);
    writeFileSync(
      join(dir, 'detour.yaml'),
      `locale: en
database: ./detour.db
http: { listen: "127.0.0.1:0" }
chat:
  slack: { mode: http, botToken: "\${SLACK_BOT_TOKEN}", signingSecret: "\${SLACK_SIGNING_SECRET}", apiUrl: "${slack.apiUrl}" }
  mattermost: { url: "${mattermost.url}", botToken: "${mattermost.botToken}", commandToken: "${mattermost.commandToken}", team: detour }
access: { allowedDomains: [epicerieledetour.org] }
`,
    );
    const env = {
      SLACK_BOT_TOKEN: fixtures.BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    };
    return { env, slack, mattermost, fixtures };
  }

  /**
   * `detour serve` at the default log level, as in production, on `config` (a file in the
   * harness's folder); resolves to { child, value: its URL }.
   */
  const detour = (env, nodeArgs = [], config = 'detour.yaml') =>
    start(
      [...nodeArgs, CLI, 'serve', '--config', join(dir, config)],
      env,
      (out) => /"url":"(http:[^"]+)"/.exec(out)?.[1],
    );

  /** The bare Bolt app; resolves to { child, value: its URL }. */
  const bare = (env, nodeArgs = []) =>
    start([...nodeArgs, join(ROOT, 'bench/bare-bolt.mjs')], env, (out) => {
      const port = /listening (\d+)/.exec(out)?.[1];
      return port && `http://127.0.0.1:${port}`;
    });

  async function close() {
    await Promise.all(children.map(stop));
    rmSync(dir, { recursive: true, force: true });
  }

  return { dir, start, emulators, detour, bare, close };
}

/** Stops a child with SIGTERM; resolves once it has exited. */
export function stop(child) {
  return child.exitCode === null && child.signalCode === null
    ? new Promise((r) => child.once('exit', r).kill('SIGTERM'))
    : undefined;
}

/** A process's resident memory, in MB, from /proc. */
const statusKb = (pid, field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
export const rssMb = (pid) => statusKb(pid, 'VmRSS') / 1024;
/** The part of RSS that maps files: the node binary's code and ICU data, shared libraries. */
export const rssFileMb = (pid) => statusKb(pid, 'RssFile') / 1024;

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
