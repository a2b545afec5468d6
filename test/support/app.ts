import { commands } from '../../commands/index.js';
import { validateConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Actor } from '../../src/core/actor.js';
import { silentLogger } from '../../src/core/logger.js';
import { createPipeline, type Invocation, type PipelineResult } from '../../src/core/pipeline.js';
import type { Services } from '../../src/core/services.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';

export const alice: Actor = { kind: 'user', email: 'alice@epicerieledetour.org' };
export const bob: Actor = { kind: 'user', email: 'bob@epicerieledetour.org' };

/** A config from a raw tree, validated like a file (paths relative to `dir`). */
export function testConfig(raw: Record<string, unknown>, dir: string): Config {
  return validateConfig(
    {
      locale: 'en',
      access: { allowedDomains: ['epicerieledetour.org'], admins: ['alice@epicerieledetour.org'] },
      ...raw,
    },
    {},
    dir,
    'test config',
  );
}

/**
 * The real pipeline with every command, the given services and an audit log
 * (in memory unless given), which the `audit` command reads too.
 */
export function testPipeline(
  config: Config,
  services: Partial<Services>,
  audit = new AuditStore(openDatabase(':memory:')),
) {
  const pipeline = createPipeline({
    commands,
    access: config.access,
    audit,
    services: { audit, ...services } as Services,
    locale: config.locale,
    timeZone: config.timezone,
    logger: silentLogger,
  });
  const ask = (text: string, actor: Actor, extra: Partial<Invocation> = {}): Promise<PipelineResult> =>
    pipeline({ text, actor, platform: 'test', ...extra });
  return { audit, pipeline, ask };
}
