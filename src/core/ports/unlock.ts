/** What an unlock run by detour itself (local or over SSH) reports, step by step. */

/** What one tool call ended with: a typed outcome, its exit code and one scrubbed line of stderr. */
export interface StepOutcome<O extends string> {
  outcome: O;
  exitCode: number | undefined;
  /** First non-empty line of the tool's output, secrets replaced, at most 200 characters. */
  detail: string;
}

/** Outcomes every tool call can end with, whatever the tool. */
export type CommonOutcome = 'timeout' | 'canceled' | 'failed';

export type PassphraseOutcome = 'ok' | 'wrong_passphrase' | 'bad_device' | 'bad_parameters' | CommonOutcome;
export type StatusOutcome = 'active' | 'inactive' | 'no_device_mapper' | CommonOutcome;
export type OpenOutcome =
  | 'unlocked'
  | 'already_unlocked'
  | 'wrong_passphrase'
  | 'no_device_mapper'
  | 'bad_device'
  | 'bad_parameters'
  | CommonOutcome;
export type MountOutcome = 'mounted' | 'already_mounted' | CommonOutcome;
export type ServiceOutcome = 'started' | 'already_active' | 'not_active_after_start' | 'unit_not_found' | CommonOutcome;

type Report<S extends string, O extends string> = { step: S; ok: boolean } & StepOutcome<O>;
export type UnlockStepReport =
  | Report<'status', StatusOutcome>
  | Report<'check_passphrase', PassphraseOutcome>
  | Report<'open', OpenOutcome>
  | Report<'mount', MountOutcome>
  | (Report<'service', ServiceOutcome> & { unit: string });

export interface UnlockReport {
  /** Every step that ran succeeded and nothing was left out (except by checkOnly). */
  ok: boolean;
  steps: UnlockStepReport[];
}
