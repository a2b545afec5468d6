/** A running job as `jobs` lists it. */
export interface RunningJob {
  id: string;
  /** What may run once at a time, e.g. `ansible:site` or `backup:b7-borg`. */
  key: string;
  startedBy: string;
  startedAt: Date;
  /** Set once someone asked to cancel it. */
  canceledBy?: string;
}
