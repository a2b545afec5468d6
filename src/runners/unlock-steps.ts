import type {
  CommonOutcome,
  MountOutcome,
  ServiceOutcome,
  StepOutcome,
  UnlockReport,
  UnlockStepReport,
} from '../core/ports/unlock.js';
import type { Secret } from '../core/secret.js';
import { open, status, testPassphrase } from './cryptsetup.js';
import type { ProcessRunner } from './process.js';
import { assertArgValue, commonOutcome, type StepRunOptions, stepRequest, toolDetail } from './step-outcome.js';

/** One `unlock:` entry of the config, as the steps need it. */
export interface UnlockTarget {
  device: string;
  mapper: string;
  mount: string;
  services: string[];
}

export type MountVia = 'device' | 'fstab';
type UnlockStepName = UnlockStepReport['step'];

export interface UnlockOptions {
  /** Check the passphrase (when the device is locked) and change nothing. */
  checkOnly?: boolean;
  /** 'device': mount /dev/mapper/NAME MOUNT; 'fstab': mount MOUNT as the host's fstab says. */
  mountVia?: MountVia;
  timeouts?: Partial<Record<UnlockStepName, number>>;
  signal?: AbortSignal;
  commandPrefix?: readonly string[];
}

const MOUNT_TIMEOUT_MS = 60_000;
const SYSTEMCTL_TIMEOUT_MS = 120_000;
const QUERY_TIMEOUT_MS = 15_000;
// systemctl follows LSB: 5 "program is not installed", i.e. the unit does not exist.
const SYSTEMCTL_NO_SUCH_UNIT = 5;

function mountpointArgv(path: string): readonly string[] {
  assertArgValue('mount point', path);
  return ['mountpoint', '-q', path];
}

export function mountArgv(mapper: string, path: string, via: MountVia = 'device'): readonly string[] {
  assertArgValue('mount point', path);
  if (via === 'fstab') return ['mount', path];
  assertArgValue('mapper name', mapper);
  return ['mount', `/dev/mapper/${mapper}`, path];
}

export function systemctlStartArgv(unit: string): readonly string[] {
  assertArgValue('unit', unit);
  return ['systemctl', 'start', unit];
}

export function systemctlIsActiveArgv(unit: string): readonly string[] {
  assertArgValue('unit', unit);
  return ['systemctl', 'is-active', unit];
}

/** Mounts unless PATH already is a mount point. */
export async function ensureMounted(
  run: ProcessRunner,
  req: { mapper: string; mount: string; via?: MountVia },
  options: StepRunOptions = {},
): Promise<StepOutcome<MountOutcome>> {
  // mountpoint(1): 0 is a mount point, 32 is not, 1 the path is missing or unreadable.
  const check = await run(stepRequest(mountpointArgv(req.mount), QUERY_TIMEOUT_MS, options));
  const checkCommon = commonOutcome(check, []);
  if (checkCommon?.outcome === 'canceled') return checkCommon;
  if (!checkCommon && check.exitCode === 0) {
    return { outcome: 'already_mounted', exitCode: 0, detail: `${req.mount} is already mounted` };
  }
  // Any other answer (not mounted, path missing, no mountpoint tool): mount says what is wrong.
  const result = await run(stepRequest(mountArgv(req.mapper, req.mount, req.via), MOUNT_TIMEOUT_MS, options));
  const common = commonOutcome(result, []);
  if (common) return common;
  const detail = toolDetail(result, []);
  return { outcome: result.exitCode === 0 ? 'mounted' : 'failed', exitCode: result.exitCode, detail };
}

/** `systemctl is-active`: the unit's state word (active, inactive, failed, activating, …). */
async function serviceState(
  run: ProcessRunner,
  unit: string,
  options: StepRunOptions = {},
): Promise<StepOutcome<'active' | 'not_active' | CommonOutcome>> {
  const result = await run(stepRequest(systemctlIsActiveArgv(unit), QUERY_TIMEOUT_MS, options));
  const common = commonOutcome(result, []);
  if (common) return common;
  const state = result.stdout.trim().split('\n')[0] ?? '';
  const outcome = result.exitCode === 0 && state === 'active' ? 'active' : 'not_active';
  return { outcome, exitCode: result.exitCode, detail: state || toolDetail(result, []) };
}

/** Starts UNIT unless it is active, then checks it stayed up (start returns 0 for units that die at once). */
async function ensureServiceStarted(
  run: ProcessRunner,
  unit: string,
  options: StepRunOptions = {},
): Promise<StepOutcome<ServiceOutcome>> {
  const before = await serviceState(run, unit, options);
  if (before.outcome === 'canceled') return { ...before, outcome: 'canceled' };
  if (before.outcome === 'active') return { ...before, outcome: 'already_active' };
  const started = await run(stepRequest(systemctlStartArgv(unit), SYSTEMCTL_TIMEOUT_MS, options));
  const common = commonOutcome(started, []);
  if (common) return common;
  if (started.exitCode !== 0) {
    const outcome = started.exitCode === SYSTEMCTL_NO_SUCH_UNIT ? 'unit_not_found' : 'failed';
    return { outcome, exitCode: started.exitCode, detail: toolDetail(started, []) };
  }
  const after = await serviceState(run, unit, options);
  if (after.outcome === 'active') return { ...after, outcome: 'started' };
  if (after.outcome === 'not_active') {
    return { ...after, outcome: 'not_active_after_start', detail: `${unit} is ${after.detail} after start` };
  }
  return { ...after, outcome: after.outcome };
}

/**
 * Unlock, mount, start: each step reported in order. Already unlocked → no passphrase check and no
 * open. Otherwise the passphrase is checked first (it works without device-mapper and gives a clear
 * "wrong passphrase" everywhere); a wrong one stops everything. checkOnly stops before any change.
 * A failed service does not stop the others; a canceled step stops everything.
 */
export async function unlockSteps(
  run: ProcessRunner,
  target: UnlockTarget,
  passphrase: Secret,
  options: UnlockOptions = {},
): Promise<UnlockReport> {
  const steps: UnlockStepReport[] = [];
  const opts = (step: UnlockStepName): StepRunOptions => ({
    ...(options.timeouts?.[step] !== undefined ? { timeoutMs: options.timeouts[step] } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.commandPrefix ? { commandPrefix: options.commandPrefix } : {}),
  });
  const done = (ok: boolean): UnlockReport => ({ ok: ok && steps.every((s) => s.ok), steps });

  const state = await status(run, target.mapper, opts('status'));
  // No device-mapper means nothing can be active: carry on so the passphrase still gets checked.
  const stateOk = state.outcome === 'active' || state.outcome === 'inactive' || state.outcome === 'no_device_mapper';
  steps.push({ step: 'status', ok: stateOk, ...state });
  if (state.outcome === 'canceled') return done(false);

  if (state.outcome !== 'active') {
    const check = await testPassphrase(run, { device: target.device, passphrase }, opts('check_passphrase'));
    steps.push({ step: 'check_passphrase', ok: check.outcome === 'ok', ...check });
    if (check.outcome !== 'ok') return done(false);
    if (options.checkOnly) return done(true);

    const opened = await open(run, { device: target.device, mapper: target.mapper, passphrase }, opts('open'));
    const openOk = opened.outcome === 'unlocked' || opened.outcome === 'already_unlocked';
    steps.push({ step: 'open', ok: openOk, ...opened });
    if (!openOk) return done(false);
  } else if (options.checkOnly) {
    return done(true);
  }

  const mounted = await ensureMounted(
    run,
    { mapper: target.mapper, mount: target.mount, ...(options.mountVia ? { via: options.mountVia } : {}) },
    opts('mount'),
  );
  const mountOk = mounted.outcome === 'mounted' || mounted.outcome === 'already_mounted';
  steps.push({ step: 'mount', ok: mountOk, ...mounted });
  // Services need the mount; starting them now would only make them fail their mount checks.
  if (!mountOk) return done(false);

  for (const unit of target.services) {
    const service = await ensureServiceStarted(run, unit, opts('service'));
    const ok = service.outcome === 'started' || service.outcome === 'already_active';
    steps.push({ step: 'service', unit, ok, ...service });
    if (service.outcome === 'canceled') return done(false);
  }
  return done(true);
}
