import { DetourError } from '../../core/errors.js';

/**
 * A chat API call that did not deliver. Retryable ones (rate limit, 5xx,
 * network) are tried again later; the others (unknown channel, bot not in the
 * channel, bad token) cannot heal by waiting and are reported.
 */
export class DeliveryError extends DetourError {
  readonly platform: string;
  readonly retryable: boolean;
  /** From the platform's Retry-After, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    platform: string,
    code: string,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(code, message, { cause: options.cause });
    this.platform = platform;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}
