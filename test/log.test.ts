import { resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const LOG = resolve(import.meta.dirname, '../dist/src/log.js');

/**
 * Runs `body` in a fresh Node process (the built log.js as `createLogger`),
 * so whether pino was loaded can be read from that process's module cache.
 */
async function inFreshProcess(body: string): Promise<{ stdout: string; stderr: string }> {
  const script = `
    import { createRequire } from 'node:module';
    const { createLogger } = await import(${JSON.stringify(LOG)});
    const pinoLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/pino/'));
    ${body}
  `;
  const r = await execa(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
  return { stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('createLogger', () => {
  it('loads pino only when a line reaches the level', async () => {
    const { stdout, stderr } = await inFreshProcess(`
      const log = createLogger({ level: 'error', destination: 2 });
      const child = log.child({ component: 'audit' });
      child.info({ n: 1 }, 'below the level');
      child.warn({ n: 2 }, 'still below');
      console.log('before', pinoLoaded());
      child.error({ n: 3, passphrase: 'hunter2' }, 'written');
      console.log('after', pinoLoaded());
    `);
    expect(stdout.split('\n')).toEqual(['before false', 'after true']);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 50,
      component: 'audit',
      n: 3,
      passphrase: '[secret]',
      msg: 'written',
    });
  });

  it('writes nothing and loads nothing at level silent; refuses an unknown level at once', async () => {
    const { stdout, stderr } = await inFreshProcess(`
      createLogger({ level: 'silent', destination: 2 }).error({}, 'never');
      console.log('silent', pinoLoaded());
      try { createLogger({ level: 'loud', destination: 2 }); console.log('accepted'); }
      catch (e) { console.log('refused', e.message); }
    `);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^silent false\nrefused .*loud/);
  });
});
