import { constants } from 'node:os';

/** What `detour run` does on Ctrl-C or a stop request. */
export interface Interrupt {
  /** Aborted at the first SIGINT or SIGTERM: the running command cancels its child processes. */
  readonly signal: AbortSignal;
  /** The signal received, once one was. */
  readonly received: NodeJS.Signals | undefined;
  /** 128 + the signal's number, the shell's convention (130 for SIGINT). */
  exitCode(): number;
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Replaces Node's default for SIGINT and SIGTERM (die at once). Children run in
 * their own process groups, so the terminal's Ctrl-C never reaches them: dying
 * at once would leave ansible-playbook or cryptsetup running under PID 1 and
 * the audit row `running`. The first signal cancels the command instead (its
 * runner stops the child's whole group, SIGKILL after the kill-after delay);
 * a second signal, or a command still not stopped after `forceAfterMs`, exits
 * right away (the runner's exit hook still kills what it started).
 */
export function watchInterrupt(options: {
  forceAfterMs: number;
  onFirst: (signal: NodeJS.Signals) => void;
}): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let forceTimer: NodeJS.Timeout | undefined;
  const codeOf = (signal: NodeJS.Signals) => 128 + (constants.signals[signal] ?? 2);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) process.exit(codeOf(received));
    received = signal;
    options.onFirst(signal);
    controller.abort();
    forceTimer = setTimeout(() => process.exit(codeOf(signal)), options.forceAfterMs);
    forceTimer.unref();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    exitCode: () => (received === undefined ? 0 : codeOf(received)),
    dispose() {
      clearTimeout(forceTimer);
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}
