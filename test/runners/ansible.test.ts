import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProgress } from '../../commands/ansible-run.js';
import type { AnsibleProgress, AnsibleRunResult } from '../../src/core/ports/ansible.js';
import { Secret } from '../../src/core/secret.js';
import type { AnsibleRunDeps, PlaybookEntry } from '../../src/runners/ansible/index.js';
import { ansibleJobKey, JobRegistry, refusalToError, runAllowListedPlaybook } from '../../src/runners/ansible/index.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import type { ProcessRequest, ProcessResult, ProcessRunner } from '../../src/runners/process.js';
import { createLuksImage } from '../support/luks.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/ansible/', import.meta.url));
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const INVENTORY = join(FIXTURES, 'inventory.ini');
const CRYPTSETUP = '/usr/sbin/cryptsetup';

// Every test drives the real ansible-playbook; without it there is nothing to test.
const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
// The unlock test needs cryptsetup (luksFormat and --test-passphrase work without device-mapper).
const hasCryptsetup = existsSync(CRYPTSETUP);
const hasBorg = spawnSync('borg', ['--version']).status === 0;

const ADMIN = { isAdmin: true };
const TIMEOUT_MS = 120_000;

const entries = {
  ok: { name: 'ok', file: 'ok.yml', tags: ['greet', 'write'] },
  failing: { name: 'failing', file: 'failing.yml' },
  unreachable: { name: 'unreachable', file: 'unreachable.yml' },
  broken: { name: 'broken', file: 'broken.yml' },
  slow: { name: 'slow', file: 'slow.yml' },
  guarded: { name: 'guarded', file: 'ok.yml', tags: ['greet'], checkOnlyForNonAdmins: true },
} satisfies Record<string, PlaybookEntry>;

interface Recorder {
  runner: ProcessRunner;
  calls: ProcessRequest[];
  results: ProcessResult[];
}

/** Wraps the real runner, keeping every request and result (to look for secrets in them). */
function recording(): Recorder {
  const calls: ProcessRequest[] = [];
  const results: ProcessResult[] = [];
  const runner: ProcessRunner = async (request) => {
    calls.push(request);
    const result = await execaRunner(request);
    results.push(result);
    return result;
  };
  return { runner, calls, results };
}

function processesWith(marker: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes(marker) && !line.startsWith('ps '));
}

async function waitFor(condition: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasAnsible)('ansible runner (real ansible-playbook, local connection)', () => {
  let tmp: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'detour-ansible-'));
    env = {
      HOME: tmp,
      ANSIBLE_HOME: join(tmp, 'ansible-home'),
      ANSIBLE_LOCAL_TEMP: join(tmp, 'local-tmp'),
      ANSIBLE_REMOTE_TEMP: join(tmp, 'remote-tmp'),
    };
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const depsFor = (rec: Recorder, playbookDir = FIXTURES): AnsibleRunDeps => ({
    runner: rec.runner,
    paths: { playbookDir, inventory: INVENTORY },
    env,
  });

  async function ran(
    rec: Recorder,
    entry: PlaybookEntry,
    request: { tags?: string[]; limit?: string; check: boolean },
    options: Partial<Parameters<typeof runAllowListedPlaybook>[4]> = {},
    playbookDir?: string,
  ): Promise<AnsibleRunResult> {
    const attempt = await runAllowListedPlaybook(depsFor(rec, playbookDir), entry, request, ADMIN, {
      timeoutMs: TIMEOUT_MS,
      ...options,
    });
    if (attempt.refused) throw new Error(`unexpected refusal: ${attempt.refusal.message}`);
    return attempt.result;
  }

  it('runs a playbook: stats per host, "task N/M" progress, argv with --opt=value forms', async () => {
    const rec = recording();
    const outFile = join(tmp, 'written.txt');
    const progress: AnsibleProgress[] = [];
    const result = await ran(
      rec,
      entries.ok,
      { check: false },
      {
        countTasks: true,
        extraVars: { out_file: outFile },
        onProgress: (p) => progress.push(p),
      },
    );

    expect(result.outcome).toBe('ok');
    expect(result.exitCode).toBe(0);
    expect(result.outputFormat).toBe('jsonl');
    expect(result.stats.localhost).toEqual({
      ok: 3,
      changed: 1,
      unreachable: 0,
      failed: 0,
      skipped: 0,
      rescued: 0,
      ignored: 0,
    });
    expect(result.failedTasks).toEqual([]);
    expect(result.totalTasks).toBe(3);
    expect(existsSync(outFile)).toBe(true);

    const lines = progress.map(describeProgress);
    expect(lines).toContain('task 1/3: Say hello');
    expect(lines).toContain('task 2/3: Write the marker file on localhost: changed');
    expect(lines).toContain('task 3/3: Run a command on localhost: ok');

    // First the --list-tasks count, then the run itself.
    expect(rec.calls).toHaveLength(2);
    const run = rec.calls[1];
    expect(run?.file).toBe('ansible-playbook');
    expect(run?.args).toEqual([
      `--inventory=${INVENTORY}`,
      `--extra-vars=${JSON.stringify({ out_file: outFile })}`,
      join(FIXTURES, 'ok.yml'),
    ]);
    expect(run?.env).toMatchObject({
      ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.jsonl',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
    });
  });

  it('passes --check and --tags: only the tagged task runs and nothing is written', async () => {
    const rec = recording();
    const outFile = join(tmp, 'not-written.txt');
    const result = await ran(
      rec,
      entries.ok,
      { tags: ['write'], check: true },
      {
        extraVars: { out_file: outFile },
      },
    );

    expect(result.outcome).toBe('ok');
    expect(result.check).toBe(true);
    expect(result.tasksStarted).toBe(1);
    expect(result.stats.localhost?.changed).toBe(1);
    expect(existsSync(outFile)).toBe(false);
    expect(rec.calls[0]?.args).toContain('--check');
    expect(rec.calls[0]?.args).toContain('--tags=write');
  });

  it('reports a failing task as host_failed with its short message, ignoring ignored failures', async () => {
    const rec = recording();
    const result = await ran(rec, entries.failing, { check: false });

    expect(result.outcome).toBe('host_failed');
    expect(result.exitCode).toBe(2);
    expect(result.stats.localhost).toMatchObject({ failed: 1, ignored: 1 });
    expect(result.failedTasks).toHaveLength(1);
    const failed = result.failedTasks[0];
    expect(failed).toMatchObject({ host: 'localhost', task: 'Fail for real', unreachable: false });
    expect(failed?.msg.startsWith('disk on fire: xxx')).toBe(true);
    expect(failed?.msg.length).toBeLessThanOrEqual(200);
  });

  it('tells an unreachable host (exit 4) from a parse error', async () => {
    const rec = recording();
    const result = await ran(rec, entries.unreachable, { check: false });

    expect(result.exitCode).toBe(4);
    expect(result.outcome).toBe('unreachable');
    expect(result.stats['unreachable-host']?.unreachable).toBe(1);
    expect(result.failedTasks).toEqual([
      expect.objectContaining({ host: 'unreachable-host', task: 'Ping', unreachable: true }),
    ]);
    expect(result.failedTasks[0]?.msg).toMatch(/connect/i);
  });

  it('reports broken YAML as parse_error (exit 4) with where ansible found it', async () => {
    const rec = recording();
    const result = await ran(rec, entries.broken, { check: false });

    expect(result.exitCode).toBe(4);
    expect(result.outcome).toBe('parse_error');
    expect(result.stats).toEqual({});
    expect(result.errorMessage).toMatch(/^ERROR! /);
    expect(result.errorMessage).toContain('broken.yml');
  });

  it('refuses bad requests without starting any process', async () => {
    const rec = recording();
    const deps = depsFor(rec);
    const options = { timeoutMs: TIMEOUT_MS };
    const cases = [
      { entry: entries.ok, request: { tags: ['deploy'], check: false }, actor: ADMIN, code: 'tag_not_allowed' },
      { entry: entries.ok, request: { tags: ['greet,deploy'], check: false }, actor: ADMIN, code: 'bad_tag' },
      { entry: entries.ok, request: { limit: '-e@/etc/shadow', check: false }, actor: ADMIN, code: 'bad_limit' },
      { entry: entries.ok, request: { limit: '@/etc/hosts', check: false }, actor: ADMIN, code: 'bad_limit' },
      { entry: entries.guarded, request: { check: false }, actor: { isAdmin: false }, code: 'check_required' },
    ];
    for (const c of cases) {
      const attempt = await runAllowListedPlaybook(deps, c.entry, c.request, c.actor, options);
      expect(attempt.refused ? attempt.refusal.code : 'ran').toBe(c.code);
    }
    expect(rec.calls).toHaveLength(0);

    const denied = await runAllowListedPlaybook(deps, entries.guarded, { check: false }, { isAdmin: false }, options);
    expect(denied.refused && refusalToError(denied.refusal).code).toBe('denied');
    const usage = await runAllowListedPlaybook(deps, entries.ok, { tags: ['deploy'], check: false }, ADMIN, options);
    expect(usage.refused && refusalToError(usage.refusal).code).toBe('usage');
    expect(rec.calls).toHaveLength(0);
  });

  it('cancels a running job through the registry: canceled outcome, no process left, one run per playbook', async () => {
    const rec = recording();
    const registry = new JobRegistry();
    const marker = `4321.${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
    const key = ansibleJobKey('slow');

    const started = registry.start(key, { startedBy: 'alice@example.org' });
    if (!started.ok) throw new Error('first start refused');
    const running = ran(
      rec,
      entries.slow,
      { check: false },
      {
        signal: started.job.signal,
        killAfterMs: 2_000,
        extraVars: { sleep_seconds: marker },
      },
    );

    // Wait until the whole tree exists, down to the sleep the module started.
    await waitFor(() => processesWith(marker).some((l) => l.startsWith('sleep ')), 'the sleep process');

    const again = registry.start(key, { startedBy: 'bob@example.org' });
    expect(again.ok).toBe(false);
    expect(again.ok ? '' : again.message).toContain('already running, started by alice@example.org at');
    expect(registry.list().map((j) => j.id)).toEqual([started.job.id]);

    expect(registry.cancel(started.job.id, 'bob@example.org').ok).toBe(true);
    const result = await running;
    registry.finish(started.job.id);

    expect(result.outcome).toBe('canceled');
    expect(registry.list()).toEqual([]);
    // Killed processes may take a moment to be reaped; none may survive.
    await waitFor(() => processesWith(marker).length === 0, 'no process left', 15_000);
    expect(processesWith(marker)).toEqual([]);
    expect(registry.start(key, { startedBy: 'bob@example.org' }).ok).toBe(true);
  });

  it('falls back to the default callback when the jsonl one is missing', async () => {
    const rec = recording();
    const progress: AnsibleProgress[] = [];
    const result = await ran(
      rec,
      entries.failing,
      { check: false },
      {
        stdoutCallback: 'detour.missing.jsonl',
        onProgress: (p) => progress.push(p),
      },
    );

    expect(rec.calls.map((c) => c.env?.ANSIBLE_STDOUT_CALLBACK)).toEqual(['detour.missing.jsonl', 'default']);
    expect(result.outputFormat).toBe('default');
    expect(result.outcome).toBe('host_failed');
    expect(result.stats.localhost).toMatchObject({ ok: 1, failed: 1, ignored: 1 });
    expect(result.failedTasks).toHaveLength(1);
    expect(result.failedTasks[0]?.msg.startsWith('disk on fire: xxx')).toBe(true);
    const lines = progress.map(describeProgress);
    expect(lines).toContain('task 2: Fail for real');
    expect(lines).toContain('task 2: Fail for real on localhost: failed');
  });

  describe.skipIf(!hasCryptsetup)('unlock.yml --check against a real LUKS image', () => {
    const passphrase = `correct-horse-${process.pid}-${Math.random().toString(36).slice(2)}`;
    let image: string;

    beforeAll(async () => {
      image = await createLuksImage(CRYPTSETUP, tmp, passphrase);
    });

    const unlockEntry: PlaybookEntry = { name: 'unlock', file: 'unlock.yml', tags: ['testvol'] };
    const unlockVars = () => ({
      unlock_become: false,
      unlock_hosts: 'localhost',
      unlock_targets: {
        testvol: { host: 'localhost', device: image, mapper: 'detour-test-never-opened', mount: join(tmp, 'mnt') },
      },
    });

    async function unlock(rec: Recorder, typed: string, progress: AnsibleProgress[] = []): Promise<AnsibleRunResult> {
      return ran(
        rec,
        unlockEntry,
        { tags: ['testvol'], check: true },
        {
          extraVars: unlockVars(),
          secretEnv: { DETOUR_UNLOCK_PASSPHRASE: new Secret(typed) },
          onProgress: (p) => progress.push(p),
        },
        PLAYBOOKS,
      );
    }

    function expectNoLeak(rec: Recorder, secret: string): void {
      for (const r of rec.results) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
      }
      for (const c of rec.calls) expect(c.args.join(' ')).not.toContain(secret);
    }

    it('accepts the right passphrase', async () => {
      const rec = recording();
      const progress: AnsibleProgress[] = [];
      const result = await unlock(rec, passphrase, progress);
      expect(result.outcome).toBe('ok');
      expect(result.stats.localhost).toMatchObject({ failed: 0, changed: 0 });
      expect(rec.calls[0]?.env?.DETOUR_UNLOCK_PASSPHRASE).toBe(passphrase);
      const statusOf = (task: string) =>
        progress.find((p) => p.type === 'host_result' && p.task === task && p.host === 'localhost');
      // The passphrase check really ran; opening, mounting and services are left out by --check.
      expect(statusOf('Check the passphrase for testvol')).toMatchObject({ status: 'ok' });
      expect(statusOf('Open testvol')).toMatchObject({ status: 'skipped' });
      expect(statusOf(`Mount testvol on ${join(tmp, 'mnt')}`)).toMatchObject({ status: 'skipped' });
      expectNoLeak(rec, passphrase);
    });

    it('fails the host on a wrong passphrase, without showing it', async () => {
      const rec = recording();
      const wrong = `wrong-${passphrase}`;
      const result = await unlock(rec, wrong);
      expect(result.outcome).toBe('host_failed');
      expect(result.failedTasks).toEqual([
        expect.objectContaining({ host: 'localhost', msg: 'wrong passphrase for testvol' }),
      ]);
      expectNoLeak(rec, wrong);
      expectNoLeak(rec, passphrase);
    });
  });

  it.skipIf(!hasBorg)('backup.yml runs borg create for its tag, passphrase from the environment only', async () => {
    const passphrase = `borg-pass-${Math.random().toString(36).slice(2)}`;
    const repo = join(tmp, 'borg-repo');
    const source = join(tmp, 'borg-source');
    await mkdir(source);
    await writeFile(join(source, 'data.txt'), 'some data\n');
    const borgEnv = { ...process.env, ...env, BORG_PASSPHRASE: passphrase };
    expect(spawnSync('borg', ['init', '--encryption=repokey', repo], { env: borgEnv }).status).toBe(0);

    const rec = recording();
    const result = await ran(
      rec,
      { name: 'backup', file: 'backup.yml', tags: ['b7-borg'] },
      {
        tags: ['b7-borg'],
        limit: 'localhost',
        check: false,
      },
      {
        extraVars: { backup_repositories: { 'b7-borg': { repo, paths: [source], archive: 'test-archive' } } },
        secretEnv: { DETOUR_BACKUP_PASSPHRASE: new Secret(passphrase) },
      },
      PLAYBOOKS,
    );

    expect(result.outcome).toBe('ok');
    expect(result.stats.localhost).toMatchObject({ changed: 1, failed: 0 });
    const list = spawnSync('borg', ['list', '--short', repo], { env: borgEnv, encoding: 'utf8' });
    expect(list.stdout.trim()).toBe('test-archive');
    for (const r of rec.results) expect(`${r.stdout}${r.stderr}`).not.toContain(passphrase);
  });
});
