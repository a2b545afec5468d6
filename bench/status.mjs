#!/usr/bin/env node
// npm run bench:status — wall time of `detour run "backup status --fresh"` on 5 borg + 5 restic
// repositories, against the same borg/restic calls launched all at once by a plain shell script
// (the limit on this machine: the calls are CPU-bound), in the same run. Also the time of a cached
// `backup status`, process start included. Prints the figures and ends with the ratio line.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../dist/src/cli.js');
const REPOS_PER_TYPE = 5;
const ROUNDS = 5;
const PASS = 'bench-passphrase';

const dir = mkdtempSync(join(tmpdir(), 'detour-bench-'));
const env = { ...process.env, BORG_BASE_DIR: join(dir, 'borg-base'), LANG: 'C.UTF-8', DETOUR_CONFIG: '' };

function setUp() {
  const data = join(dir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'stock.csv'), 'article;quantite\nfarine;12\n'.repeat(100));
  writeFileSync(join(dir, 'pass'), PASS);
  const repos = [];
  for (let i = 1; i <= REPOS_PER_TYPE; i++) {
    const borg = join(dir, `borg-${i}`);
    const e = { ...env, BORG_REPO: borg, BORG_PASSPHRASE: PASS };
    execFileSync('borg', ['init', '--encryption', 'repokey'], { env: e, stdio: 'ignore' });
    for (const n of [1, 2]) execFileSync('borg', ['create', `::a${n}`, data], { env: e });
    const restic = join(dir, `restic-${i}`);
    const r = { ...env, RESTIC_REPOSITORY: restic, RESTIC_PASSWORD: PASS };
    execFileSync('restic', ['init'], { env: r, stdio: 'ignore' });
    for (const _ of [1, 2]) execFileSync('restic', ['backup', '--quiet', data], { env: r });
    repos.push({ name: `borg-${i}`, type: 'borg', repo: borg }, { name: `restic-${i}`, type: 'restic', repo: restic });
  }
  writeFileSync(
    join(dir, 'detour.yaml'),
    `database: ./detour.db\nbackups:\n${repos.map((r) => `  - { name: ${r.name}, type: ${r.type}, repo: ${r.repo}, passphraseFile: ./pass }`).join('\n')}\n`,
  );
  // The same calls detour makes (see src/runners/borg.ts and restic.ts), all at once.
  const calls = repos.flatMap((r) =>
    r.type === 'borg'
      ? [`BORG_REPO=${r.repo} borg list --json --lock-wait 1`, `BORG_REPO=${r.repo} borg info --json --lock-wait 1`]
      : [
          `RESTIC_REPOSITORY=${r.repo} restic snapshots --json`,
          `RESTIC_REPOSITORY=${r.repo} restic stats --json --mode raw-data`,
        ],
  );
  writeFileSync(
    join(dir, 'all-at-once.sh'),
    `export BORG_PASSPHRASE=${PASS} RESTIC_PASSWORD=${PASS}\n${calls.map((c) => `${c} >/dev/null &`).join('\n')}\nwait\n`,
  );
  return calls.length;
}

function wallMs(file, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

try {
  const calls = setUp();
  const detourRun = [CLI, 'run', 'backup status --fresh', '--config', join(dir, 'detour.yaml')];
  // Warm caches (borg's cache, restic's index cache), and check the bot sees every repository.
  const warm = spawnSync(process.execPath, detourRun, { cwd: dir, env, encoding: 'utf8' });
  const ok = warm.stdout.split('\n').filter((l) => l.startsWith('OK ')).length;
  if (ok !== 2 * REPOS_PER_TYPE) throw new Error(`expected every repository OK, got:\n${warm.stdout}${warm.stderr}`);
  const shell = [];
  const detour = [];
  for (let i = 0; i < ROUNDS; i++) {
    shell.push(wallMs('bash', [join(dir, 'all-at-once.sh')]));
    detour.push(wallMs(process.execPath, detourRun));
  }
  const cached = [];
  const nodeAlone = [];
  for (let i = 0; i < ROUNDS; i++) {
    nodeAlone.push(wallMs(process.execPath, ['-e', '0']));
    cached.push(wallMs(process.execPath, [CLI, 'run', 'backup status', '--config', join(dir, 'detour.yaml')]));
  }
  const ratio = median(detour) / median(shell);
  console.log(
    `repositories: ${REPOS_PER_TYPE} borg + ${REPOS_PER_TYPE} restic, ${calls} tool calls, median of ${ROUNDS} rounds`,
  );
  console.log(`shell, all calls at once:              ${fmt(median(shell))}  (${shell.map(fmt).join(', ')})`);
  console.log(`detour run "backup status --fresh":    ${fmt(median(detour))}  (${detour.map(fmt).join(', ')})`);
  console.log(
    `detour run "backup status" (cached):   ${Math.round(median(cached))} ms  (target < 400 ms; node -e 0: ${Math.round(median(nodeAlone))} ms)`,
  );
  console.log(`ratio: ${ratio.toFixed(2)} (target <= 1.2)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
