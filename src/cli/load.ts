import { existsSync } from 'node:fs';
import { findConfigPath, loadConfigFile, validateConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import { lazyExecaRunner } from '../main.js';
import type { CliValues } from './values.js';

/** The config of --config, $DETOUR_CONFIG or ./detour.yaml, else the embedded demo. */
export async function loadCliConfig(values: CliValues, logger: Logger): Promise<{ config: Config; label: string }> {
  const cwd = process.cwd();
  const path = findConfigPath(values.config, process.env, cwd, existsSync);
  if (path) return { config: loadConfigFile(path, process.env), label: path };
  // Only without a config file: a configured bot never loads the demo.
  const { DEMO_LABEL, prepareDemo } = await import('../config/demo.js');
  const raw = await prepareDemo(
    cwd,
    async () => lazyExecaRunner,
    logger,
    (line) => process.stderr.write(`${line}\n`),
  );
  return { config: validateConfig(raw, process.env, cwd, DEMO_LABEL), label: DEMO_LABEL };
}
