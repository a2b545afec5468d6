import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { detour, startDetour } from '../support/detour.js';
import { createTestRepos, type TestRepos } from '../support/repos.js';

const PASS = 'canary-passphrase-7f3a9c';
let repos: TestRepos;
let dir: string;
let config: string;
let env: Record<string, string>;

beforeAll(async () => {
  repos = await createTestRepos();
  dir = repos.dir;
  const old = new Date(Date.now() - 72 * 3_600_000).toISOString().slice(0, 19);
  const [ok, stale, restic] = await Promise.all([
    repos.borg('ok', PASS, [{ name: 'nightly' }]),
    repos.borg('stale', PASS, [{ name: 'old', at: old }]),
    repos.restic('restic', PASS, [{}]),
  ]);
  await writeFile(join(dir, 'pass'), `${PASS}\n`, { mode: 0o600 });
  config = join(dir, 'detour.yaml');
  await writeFile(
    config,
    `locale: en
database: ./state/detour.db
access: { allowedDomains: [epicerieledetour.org], admins: [alice@epicerieledetour.org] }
backups:
  - { name: b7-borg, type: borg, repo: ${ok}, passphraseFile: ./pass, maxAge: 26h }
  - { name: old-borg, type: borg, repo: ${stale}, passphraseFile: ./pass, maxAge: 26h }
  - { name: b7-restic, type: restic, repo: ${restic}, passphraseFile: ./pass, maxAge: 26h }
`,
  );
  env = repos.env;
});
afterAll(() => repos.cleanup());

const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  detour(args, { cwd: dir, env: { ...env, ...extraEnv } });

describe('detour run (built binary)', () => {
  it('prints one line per repository with its marker; exit 1 when one is late', async () => {
    const r = await run(['run', 'backup status', '--config', config]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Backups, observed \d+ s ago$/);
    expect(lines[1]).toMatch(
      /^OK +b7-borg +borg +last \d{4}-\d\d-\d\d \d\d:\d\d \(\d+ s ago\) +1 archive +[\d.]+ (B|KiB)$/,
    );
    expect(lines[2]).toMatch(/^LATE +old-borg +borg +last .* \(3 d ago\) +1 archive +.* +max age 26 h$/);
    expect(lines[3]).toMatch(/^OK +b7-restic +restic +last .* 1 archive /);
  });

  it('answers for one repository, exit 0 when it is on time, and in JSON on demand', async () => {
    const r = await run(['run', 'backup status b7-borg', '--config', config, '--json']);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.outcome).toBe('ok');
    expect(json.data.repositories).toHaveLength(1);
    expect(json.data.repositories[0]).toMatchObject({ name: 'b7-borg', marker: 'OK', latest: { archiveCount: 1 } });
  });

  it('names an unknown repository and lists the known ones (exit 2, bad usage)', async () => {
    const r = await run(['run', 'backup status nosuchrepo', '--config', config]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout.trim()).toBe('unknown repository "nosuchrepo". Known repositories: b7-borg, old-borg, b7-restic.');
  });

  it('suggests the command a typo meant (exit 2) and refuses strangers (exit 3)', async () => {
    const typo = await run(['run', 'bakup status', '--config', config]);
    expect(typo.exitCode).toBe(2);
    expect(typo.stdout.trim()).toBe('unknown command "bakup status": did you mean "backup status"?');
    const stranger = await run(['run', 'backup status', '--as', 'eve@example.com', '--config', config]);
    expect(stranger.exitCode).toBe(3);
    const member = await run(['run', 'help', '--as', 'bob@epicerieledetour.org', '--config', config]);
    expect(member.exitCode).toBe(0);
  });

  it('lists every run in the audit log, by whom and how it ended', async () => {
    await run(['run', 'help', '--as', 'carol@epicerieledetour.org', '--config', config]);
    const r = await run(['audit', '--config', config, '--json']);
    expect(r.exitCode).toBe(0);
    const entries = JSON.parse(r.stdout) as { actor: string; text: string; status: string; durationMs: number }[];
    const last = entries.at(-1);
    expect(last).toMatchObject({ actor: 'carol@epicerieledetour.org', text: 'help', status: 'ok' });
    expect(last?.durationMs).toBeGreaterThanOrEqual(0);
    expect(entries.some((e) => e.status === 'denied' && e.actor === 'eve@example.com')).toBe(true);
    expect(entries.some((e) => e.status === 'usage' && e.text === 'bakup status')).toBe(true);
    const table = await run(['audit', '--config', config, '--limit', '2']);
    expect(table.stdout.trim().split('\n')).toHaveLength(2);
    expect(table.stdout).toContain('carol@epicerieledetour.org');
  });

  it('shows the morning digest from what the earlier runs stored, and the audit to admins only', async () => {
    await run(['run', 'help', '--as', 'carol@epicerieledetour.org', '--config', config]);
    const digest = await run(['run', 'digest', '--as', 'carol@epicerieledetour.org', '--config', config]);
    expect(digest.exitCode).toBe(0);
    const lines = digest.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Morning digest, [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+$/);
    expect(lines[1]).toBe('Backups');
    expect(digest.stdout).toMatch(/^ {2}LATE +old-borg +last .* \(3 d ago\) +max age 26 h$/m);
    expect(digest.stdout).toMatch(/^Commands since \d{4}-\d\d-\d\d \d\d:\d\d$/m);
    expect(digest.stdout).toMatch(/^ {2}carol@epicerieledetour\.org +help( ×\d+)?$/m);
    // The alert engine is wired: nothing fired, so the digest has no alert section at all.
    expect(digest.stdout).not.toMatch(/^Alerts/m);
    const refused = await run(['run', 'audit --last 2', '--as', 'carol@epicerieledetour.org', '--config', config]);
    expect(refused.exitCode).toBe(3);
    const audit = await run(['run', 'audit --last 2', '--as', 'alice@epicerieledetour.org', '--config', config]);
    expect(audit.exitCode).toBe(0);
    expect(audit.stdout.trim().split('\n')).toEqual([
      'Audit log, newest first:',
      expect.stringMatching(/^#\d+ +\d{4}-\d\d-\d\d \d\d:\d\d +alice@epicerieledetour\.org +running +audit --last 2$/),
      expect.stringMatching(
        / carol@epicerieledetour\.org +denied +audit --last 2 +"audit" is reserved for admins; carol@e…$/,
      ),
    ]);
  });

  it('prints control characters from chat text escaped, never raw (audit table, JSON, replies)', async () => {
    const title = '\x1b]0;pwned\x07';
    const clear = '\x1b[2J';
    const c1 = '\u009b31m';
    const db = openDatabase(join(dir, 'state/detour.db'));
    const audit = new AuditStore(db);
    const id = audit.start({
      actor: 'mallory@epicerieledetour.org',
      platform: 'slack',
      text: `probe ${title}${clear}${c1}`,
    });
    audit.finish(id, 'usage', `bad\r\nline ${clear}`);
    db.close();
    // Control characters left raw: C0 but newline and tab, DEL, C1.
    const raw = (text: string) =>
      [...text].filter((c) => {
        const n = c.charCodeAt(0);
        return (n < 0x20 && c !== '\n' && c !== '\t') || (n >= 0x7f && n <= 0x9f);
      });

    const table = await run(['audit', '--config', config, '--limit', '1']);
    expect(table.exitCode).toBe(0);
    expect(raw(table.stdout)).toEqual([]);
    expect(table.stdout).toContain('probe \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m');
    expect(table.stdout).toContain('— bad\\r\\nline \\x1b[2J');
    // One row, one line: a newline in the text does not start a fake row.
    expect(table.stdout.trim().split('\n')).toHaveLength(1);

    const json = await run(['audit', '--config', config, '--limit', '1', '--json']);
    expect(raw(json.stdout)).toEqual([]);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ id, text: `probe ${title}${clear}${c1}` });

    const reply = await run(['run', `backup status ${title}${clear}`, '--config', config]);
    expect(reply.exitCode).toBe(2);
    expect(raw(reply.stdout + reply.stderr)).toEqual([]);
    expect(reply.stdout.trim()).toBe(
      'unknown repository "\\x1b]0;pwned\\x07\\x1b[2J". Known repositories: b7-borg, old-borg, b7-restic.',
    );
    const replyJson = await run(['run', `backup status ${clear}`, '--config', config, '--json']);
    expect(raw(replyJson.stdout)).toEqual([]);
    expect(JSON.parse(replyJson.stdout).text).toContain(`"${clear}"`);
    // Multi-line replies keep their lines (and tabs).
    const help = await run(['run', 'help', '--config', config]);
    expect(help.stdout.split('\n').length).toBeGreaterThan(3);
  });

  it('refuses a passphrase typed after unlock, and keeps it out of the output and the database', async () => {
    const r = await run(['run', `unlock data ${PASS}`, '--config', config], { DETOUR_LOG_LEVEL: 'debug' });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/^type the passphrase only in the prompt, never in the command/);
    expect(r.stdout + r.stderr).not.toContain(PASS);
    const audit = await run(['audit', '--config', config, '--limit', '1', '--json']);
    expect(JSON.parse(audit.stdout)[0]).toMatchObject({ text: 'unlock data [redacted]', status: 'usage' });
    for (const file of ['detour.db', 'detour.db-wal']) {
      const bytes = await readFile(join(dir, 'state', file)).catch(() => Buffer.alloc(0));
      expect(bytes.includes(PASS)).toBe(false);
    }
  });

  it('never lets the passphrase out: output, logs and database', async () => {
    const r = await run(['run', 'backup status --fresh', '--config', config, '--json'], { DETOUR_LOG_LEVEL: 'debug' });
    expect(r.stdout + r.stderr).not.toContain(PASS);
    const db = await readFile(join(dir, 'state/detour.db'));
    expect(db.includes(PASS)).toBe(false);
  });
});

describe('detour config check (built binary)', () => {
  it('reports every problem with its path and exits 2', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      `colour: blue
backups:
  - { name: a, type: borg, passphraseFile: ./pass, maxAge: 26 hours }
  - { name: b, type: restic, repo: /r, passphrase: x, passphraseFile: ./pass }
`,
    );
    const r = await run(['config', 'check', '--config', bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`invalid configuration in ${bad}:`);
    expect(r.stderr).toContain('  backups[1].passphrase: give either passphrase or passphraseFile, not both');
    expect(r.stderr).toContain('  backups[0].repo: required');
    expect(r.stderr).toContain(
      '  backups[0].maxAge: invalid duration "26 hours" (use a whole number and a unit: 90s, 15m, 26h, 7d)',
    );
    expect(r.stderr).toContain('  colour: unknown key');
  });

  it('says OK for a good file', async () => {
    const r = await run(['config', 'check', '--config', config]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(': OK (3 backup repositories');
  });
});

describe('a command killed half-way', () => {
  it('leaves a running row that the next start marks interrupted', async () => {
    // A borg that never answers, first on PATH (execa-style fixture executable).
    const bin = join(dir, 'hanging-bin');
    await mkdir(bin, { recursive: true });
    const borgPid = join(dir, 'hanging-borg.pid');
    await writeFile(join(bin, 'borg'), `#!/bin/sh\necho $$ >> ${borgPid}\nexec sleep 600\n`);
    // The crash leaves those borgs (list and info) behind, as a real crash would: ours to end.
    onTestFinished(async () => {
      const pids = (await readFile(borgPid, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
    await chmod(join(bin, 'borg'), 0o755);
    const killedConfig = join(dir, 'killed.yaml');
    await writeFile(
      killedConfig,
      `database: ./killed.db\nbackups:\n  - { name: hang, type: borg, repo: /nowhere, passphraseFile: ./pass }\n`,
    );
    const { child } = startDetour(['run', 'backup status --fresh', '--config', killedConfig], {
      cwd: dir,
      env: { ...env, PATH: `${bin}:${process.env.PATH}` },
    });
    // Wait for the row, then kill the process as a crash would.
    let running = false;
    for (let i = 0; i < 200 && !running; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const audit = await run(['audit', '--config', killedConfig, '--json']);
      running = audit.stdout.includes('"status": "running"');
    }
    expect(running).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await run(['run', 'help', '--config', killedConfig]);
    const after = JSON.parse((await run(['audit', '--config', killedConfig, '--json'])).stdout) as {
      text: string;
      status: string;
    }[];
    expect(after.find((e) => e.text === 'backup status --fresh')?.status).toBe('interrupted');
  });
});

describe('Ctrl-C on detour run', () => {
  /** Processes of a group still alive (zombies reaped or not, they are gone for good). */
  const groupMembers = async (pgid: string) =>
    (await execa('ps', ['-o', 'pid=,stat=', '-g', pgid], { reject: false })).stdout
      .split('\n')
      .filter((l) => l.trim() !== '' && !/\sZ/.test(l));

  it('stops ansible-playbook with its whole process group, marks the row interrupted, exits 130', async () => {
    const marker = `4242.${process.pid}${Math.floor(Math.random() * 1000)}`;
    await writeFile(
      join(dir, 'slow-inventory.ini'),
      `[local]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3 sleep_seconds=${marker}\n`,
    );
    const slowConfig = join(dir, 'slow.yaml');
    await writeFile(
      slowConfig,
      `database: ./slow.db
ansible:
  inventory: ./slow-inventory.ini
  playbookDir: ${resolve(import.meta.dirname, '../fixtures/ansible')}
  playbooks: { slow: { file: slow.yml } }
`,
    );
    const bot = startDetour(['run', 'ansible run slow', '--config', slowConfig], {
      cwd: dir,
      env: {
        ...env,
        ANSIBLE_HOME: join(dir, 'ansible-home'),
        ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
        // A killed module leaves its folder behind: in the test's folder, not in ~/.ansible.
        ANSIBLE_REMOTE_TEMP: join(dir, 'ansible-remote-tmp'),
      },
    });
    const exited = new Promise<number | null>((r) => bot.child.once('exit', (code) => r(code)));
    // The sleep the command module started: the deepest process of ansible-playbook's group.
    let sleeper = '';
    // ansible-playbook takes its time to start when the whole suite shares two cores: up to 2 min.
    for (let i = 0; i < 1200 && sleeper === ''; i++) {
      await new Promise((r) => setTimeout(r, 100));
      sleeper = (await execa('pgrep', ['-f', `^sleep ${marker}$`], { reject: false })).stdout.trim();
    }
    if (sleeper === '') {
      // Say what the bot and its children were doing, to tell a slow start from a stuck one.
      const tree = (await execa('ps', ['-eo', 'pid,ppid,pgid,stat,etime,args'], { reject: false })).stdout;
      const mine = tree.split('\n').filter((l) => /ansible|detour|sleep|python/.test(l));
      throw new Error(
        `no "sleep ${marker}" after 2 min; bot output:\n${bot.lines.join('\n')}\nprocesses:\n${mine.join('\n')}`,
      );
    }
    const pgid = (await execa('ps', ['-o', 'pgid=', '-p', sleeper])).stdout.trim();
    expect(pgid).not.toBe(String(bot.child.pid));
    expect((await groupMembers(pgid)).length).toBeGreaterThan(1);

    bot.child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(bot.lines.some((l) => /^detour run: interrupted by SIGINT \(audit #\d+\)\.$/.test(l))).toBe(true);
    expect(await groupMembers(pgid)).toEqual([]);
    const entries = JSON.parse((await run(['audit', '--config', slowConfig, '--json'])).stdout) as {
      text: string;
      status: string;
      detail: string;
    }[];
    expect(entries.find((e) => e.text === 'ansible run slow')).toMatchObject({
      status: 'interrupted',
      detail: 'stopped by SIGINT',
    });
  }, 180_000);
});

describe('the embedded demo', () => {
  it('runs with no config file: creates var/detour.db and demo repositories', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'detour-demo-'));
    try {
      const r = await detour(['run', 'backup status'], { cwd, env });
      expect(r.stderr).toContain('demo: creating a borg repository');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/OK +demo-borg +borg .* 2 archives/);
      expect(r.stdout).toMatch(/OK +demo-restic +restic .* 2 archives/);
      await readFile(join(cwd, 'var/detour.db'));
      const again = await detour(['run', 'backup status'], { cwd, env });
      expect(again.stderr).not.toContain('creating');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
