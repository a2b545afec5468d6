import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';

/** An audit store on an in-memory SQLite database, with the real migrations. */
export function memoryAudit(now?: () => Date): AuditStore {
  return new AuditStore(openDatabase(':memory:'), now);
}
