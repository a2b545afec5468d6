import { DetourError } from '../core/errors.js';
import type { OpenOutcome, PassphraseOutcome, StatusOutcome, StepOutcome } from '../core/ports/unlock.js';
import type { Secret } from '../core/secret.js';
import type { ProcessRunner } from './process.js';
import { assertArgValue, commonOutcome, type StepRunOptions, stepRequest, toolDetail } from './step-outcome.js';

/*
 * cryptsetup exit codes (man cryptsetup, "RETURN CODES"): 1 wrong parameters, 2 no permission
 * (bad passphrase), 3 out of memory, 4 wrong device specified, 5 device already exists or busy.
 * The key always travels on stdin with --key-file=-, which reads every byte (newlines included),
 * so the passphrase is sent exactly as typed, without a trailing newline.
 */

export interface PassphraseRequest {
  device: string;
  passphrase: Secret;
}

export interface OpenRequest extends PassphraseRequest {
  mapper: string;
}

const CRYPTSETUP = 'cryptsetup';
// Deriving a key (argon2 on a real header) takes seconds, more with several key slots.
const KEY_TIMEOUT_MS = 120_000;
const STATUS_TIMEOUT_MS = 15_000;
// libdevmapper's message when the kernel has no device-mapper (containers, these test machines).
const NO_DEVICE_MAPPER = 'Cannot initialize device-mapper';

export function testPassphraseArgv(device: string): readonly string[] {
  assertArgValue('device', device);
  return [CRYPTSETUP, 'open', '--type', 'luks', '--test-passphrase', '--key-file=-', device];
}

export function statusArgv(mapper: string): readonly string[] {
  assertMapperName(mapper);
  return [CRYPTSETUP, 'status', mapper];
}

export function openArgv(device: string, mapper: string): readonly string[] {
  assertArgValue('device', device);
  assertMapperName(mapper);
  return [CRYPTSETUP, 'open', '--type', 'luks', '--key-file=-', device, mapper];
}

/** Checks the passphrase against the LUKS header; needs no device-mapper and changes nothing. */
export async function testPassphrase(
  run: ProcessRunner,
  req: PassphraseRequest,
  options: StepRunOptions = {},
): Promise<StepOutcome<PassphraseOutcome>> {
  const secrets = [req.passphrase];
  const result = await run(stepRequest(testPassphraseArgv(req.device), KEY_TIMEOUT_MS, options, req.passphrase));
  const common = commonOutcome(result, secrets);
  if (common) return common;
  const detail = toolDetail(result, secrets);
  const byCode: Record<number, PassphraseOutcome> = {
    0: 'ok',
    1: 'bad_parameters',
    2: 'wrong_passphrase',
    4: 'bad_device',
  };
  return { outcome: byCode[result.exitCode ?? -1] ?? 'failed', exitCode: result.exitCode, detail };
}

/** Whether the mapping /dev/mapper/NAME exists (the device is unlocked). */
export async function status(
  run: ProcessRunner,
  mapper: string,
  options: StepRunOptions = {},
): Promise<StepOutcome<StatusOutcome>> {
  const result = await run(stepRequest(statusArgv(mapper), STATUS_TIMEOUT_MS, options));
  const common = commonOutcome(result, []);
  if (common) return common;
  const detail = toolDetail(result, []);
  let outcome: StatusOutcome = 'failed';
  if (result.exitCode === 0) outcome = 'active';
  else if (result.exitCode === 4) outcome = 'inactive';
  else if (result.exitCode === 1 && result.stderr.includes(NO_DEVICE_MAPPER)) outcome = 'no_device_mapper';
  return { outcome, exitCode: result.exitCode, detail };
}

/** Unlocks DEVICE as /dev/mapper/MAPPER. */
export async function open(
  run: ProcessRunner,
  req: OpenRequest,
  options: StepRunOptions = {},
): Promise<StepOutcome<OpenOutcome>> {
  const secrets = [req.passphrase];
  const argv = openArgv(req.device, req.mapper);
  const result = await run(stepRequest(argv, KEY_TIMEOUT_MS, options, req.passphrase));
  const common = commonOutcome(result, secrets);
  if (common) return common;
  const detail = toolDetail(result, secrets);
  let outcome: OpenOutcome = 'failed';
  switch (result.exitCode) {
    case 0:
      outcome = 'unlocked';
      break;
    case 1:
      // Without device-mapper, open fails before it reads the key: exit 1, not 2.
      outcome = result.stderr.includes(NO_DEVICE_MAPPER) ? 'no_device_mapper' : 'bad_parameters';
      break;
    case 2:
      outcome = 'wrong_passphrase';
      break;
    case 4:
      outcome = 'bad_device';
      break;
    case 5:
      outcome = 'already_unlocked';
      break;
  }
  return { outcome, exitCode: result.exitCode, detail };
}

/** Mapper names become /dev/mapper/NAME: no slash, no option-like name. */
function assertMapperName(mapper: string): void {
  assertArgValue('mapper name', mapper);
  if (mapper.includes('/')) {
    throw new DetourError('bad_argument', `invalid mapper name: ${JSON.stringify(mapper)}`);
  }
}
