import type { AuditLog } from './audit.js';
import type { AlertService } from './ports/alerts.js';
import type { BackupService } from './ports/backups.js';
import type { DigestService } from './ports/digest.js';
import type { OperationsService } from './ports/operations.js';
import type { ProbeService } from './ports/probes.js';
import type { ReportService } from './ports/report.js';

/**
 * The ports commands use. The composition root (src/main.ts) provides the
 * real implementations; tests may provide others. Types only: no I/O here.
 */
export interface Services {
  backups: BackupService;
  probes: ProbeService;
  operations: OperationsService;
  digest: DigestService;
  report: ReportService;
  /** Reading the audit log (`audit`); writing it is the pipeline's job. */
  audit: Pick<AuditLog, 'list'>;
  alerts: AlertService;
}
