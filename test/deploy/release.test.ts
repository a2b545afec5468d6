import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

/*
 * What deploy/release.sh's `npm pack` puts in a release (package.json `files`): the built code, the
 * playbooks the bot runs, the lock file as npm-shrinkwrap.json; no sources, tests or dev files.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('a release tarball', () => {
  it('carries dist/ and playbooks/, and nothing the server does not need', async () => {
    const { stdout } = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/src/cli.js',
        'playbooks/backup.yml',
        'playbooks/restore.yml',
        'playbooks/unlock.yml',
        'playbooks/bot-state.yml',
        'playbooks/tasks/require-pipelining.yml',
      ]),
    );
    expect(files.some((f) => f.startsWith('dist/commands/'))).toBe(true);
    expect(
      files.filter((f) => /^(src|test|commands|reports|bench|deploy|docs)\//.test(f) || f.endsWith('.ts')),
    ).toEqual([]);
    expect(files).not.toContain('package-lock.json');
  });
});
