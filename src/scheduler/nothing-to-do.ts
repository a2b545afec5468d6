import type { Config } from '../config/schema.js';
import { jobText } from './job-texts.js';

/**
 * The jobs that have nothing to work on with this configuration, each with why (in English, as
 * /healthz and the log say it). `detour serve` does not schedule them: each run would only record
 * "nothing configured", and computing a job's times in the time zone reads ICU's data, some 7 MB
 * of memory a bot with nothing to watch never needs. `detour job run` still runs any job.
 */
export function jobsWithNothingToDo(
  config: Pick<Config, 'hosts' | 'backups' | 'checks' | 'certificates' | 'channels'>,
): Record<string, string> {
  const reasons: Record<string, string> = {};
  if (Object.keys(config.hosts).length === 0) reasons.probes = jobText('noHosts').en;
  // The backup check is also where overdue push checks are looked at.
  if (config.backups.length === 0 && Object.keys(config.checks).length === 0)
    reasons['backup-check'] = jobText('noBackupsNorChecks').en;
  if (config.certificates.length === 0) reasons.certs = jobText('noCerts').en;
  if (!Object.hasOwn(config.channels, 'digest')) reasons['morning-digest'] = jobText('noDigestChannel').en;
  if (!Object.hasOwn(config.channels, 'reports')) reasons['monthly-report'] = jobText('noReportsChannel').en;
  return reasons;
}
