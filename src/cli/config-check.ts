import { enabledPlatforms } from '../chat/platform-table.js';
import { ConfigError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { loadCliConfig } from './load.js';
import type { CliValues } from './values.js';

/** `detour config check`: every problem with its path, exit 2; or a short summary, exit 0. */
export async function configCheck(values: CliValues): Promise<number> {
  try {
    const { config, label } = await loadCliConfig(values, silentLogger);
    // From the platform table `detour serve` builds from, with the routes each serves.
    const platforms = enabledPlatforms(config).map((p) =>
      p.routes.length > 0 ? `${p.name} (${p.routes.join(', ')})` : p.name,
    );
    process.stdout.write(
      `${label}: OK (${config.backups.length} backup repositories, ${Object.keys(config.hosts).length} hosts, chat: ${platforms.join(', ')})\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
}
