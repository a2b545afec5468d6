// Starts the Slack and Mattermost emulators (test/emulators, TypeScript) for the benchmarks, in
// their own process, and prints one JSON line with what a bot needs to reach them. They are
// compiled into var/ so that their imports resolve against the project's node_modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const out = join(ROOT, 'var/bench-emulators');
const tsconfig = join(ROOT, 'var/bench-emulators.tsconfig.json');
mkdirSync(out, { recursive: true });
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: join(ROOT, 'tsconfig.test.json'),
    compilerOptions: { noEmit: false, outDir: out, rootDir: join(ROOT, 'test'), sourceMap: false },
    include: [],
    files: [join(ROOT, 'test/emulators/slack-fixtures.ts'), join(ROOT, 'test/emulators/mattermost/fixture.ts')],
  }),
);
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
writeFileSync(join(out, 'package.json'), '{"type":"module"}');

const fixtures = await import(join(out, 'emulators/slack-fixtures.js'));
const { createSlackEmulator } = await import(join(out, 'emulators/slack/index.js'));
const { startWorld } = await import(join(out, 'emulators/mattermost/fixture.js'));
const slack = await createSlackEmulator({ ...fixtures.workspace(), signingSecret: process.argv[2] });
const mattermost = await startWorld();
// Where the load generator's slash commands ask for their replies: accepts anything, as a
// response_url does (the emulator only accepts the URLs it issued itself).
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
await new Promise((r) => sink.listen(0, '127.0.0.1', r));
console.log(
  JSON.stringify({
    slack: { apiUrl: slack.apiUrl, baseUrl: slack.baseUrl, responseSink: `http://127.0.0.1:${sink.address().port}/` },
    mattermost: { url: mattermost.emulator.url, botToken: mattermost.botToken, commandToken: mattermost.commandToken },
    fixtures: { BOT_TOKEN: fixtures.BOT_TOKEN, INFRA: fixtures.INFRA, ALICE: fixtures.ALICE },
  }),
);
