import type { AnyCommand } from '../src/core/command.js';
import { alerts, alertsSilence } from './alerts.js';
import { ansibleRun } from './ansible-run.js';
import { audit } from './audit.js';
import { backupList } from './backup-list.js';
import { backupRun } from './backup-run.js';
import { backupStatus } from './backup-status.js';
import { certs } from './certs.js';
import { digest } from './digest.js';
import { help } from './help.js';
import { jobs, jobsCancel } from './jobs.js';
import { probe } from './probe.js';
import { report } from './report.js';
import { unlock } from './unlock.js';

/** Every chat command, in the order `help` lists them. */
export const commands: readonly AnyCommand[] = [
  help,
  backupStatus,
  backupList,
  backupRun,
  unlock,
  ansibleRun,
  jobs,
  jobsCancel,
  probe,
  certs,
  digest,
  report,
  audit,
  alerts,
  alertsSilence,
];
