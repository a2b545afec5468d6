/**
 * Trigger ids, made and checked the way the server does (server/public/model/integration_action.go
 * GenerateTriggerId / DecodeAndVerifyTriggerId):
 *   trigger_id = base64( clientTriggerId ":" userId ":" millis ":" base64(ECDSA-SHA256 signature) )
 * The signature is ASN.1 DER over SHA-256 of "clientTriggerId:userId:millis:", with the server's
 * P-256 key; node's crypto.sign('sha256', …) produces the same encoding.
 *
 * Lifetime: OpenInteractiveDialog (app/integration_action.go) passes
 * ServiceSettings.OutgoingIntegrationRequestsTimeout seconds (default 30, model/config.go
 * OutgoingIntegrationRequestsDefaultTimeout); older servers used a fixed 3000 ms
 * (InteractiveDialogTriggerTimeoutMilliseconds). A trigger is stateless, hence NOT single-use:
 * the server cannot tell a reused trigger from a fresh one within its lifetime.
 */
import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { newId } from './ids.js';

export type TriggerCheck =
  | { ok: true; userId: string; clientTriggerId: string }
  | { ok: false; errorId: string; params?: Record<string, unknown> };

// Go's base64.StdEncoding is strict: padding required, no other alphabet.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class TriggerSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  issue(userId: string, nowMs: number): { clientTriggerId: string; triggerId: string } {
    const clientTriggerId = newId();
    const data = `${clientTriggerId}:${userId}:${nowMs}:`;
    const signature = sign('sha256', Buffer.from(data), this.privateKey).toString('base64');
    return { clientTriggerId, triggerId: Buffer.from(data + signature).toString('base64') };
  }

  check(triggerId: string, timeoutMs: number, nowMs: number): TriggerCheck {
    const prefix = 'interactive_message.decode_trigger_id.';
    if (!STRICT_BASE64.test(triggerId)) return { ok: false, errorId: `${prefix}base64_decode_failed` };
    const parts = Buffer.from(triggerId, 'base64').toString('utf8').split(':');
    if (parts.length !== 4) return { ok: false, errorId: `${prefix}missing_data` };
    const [clientTriggerId = '', userId = '', millis = '', sigText = ''] = parts;
    // strconv.ParseInt errors are ignored by the server: a bad timestamp reads as 0, i.e. expired.
    const timestamp = /^-?\d+$/.test(millis) ? Number(millis) : 0;
    if (nowMs - timestamp > timeoutMs) {
      return { ok: false, errorId: `${prefix}expired`, params: { Duration: `${timeoutMs / 1000}s` } };
    }
    if (!STRICT_BASE64.test(sigText)) return { ok: false, errorId: `${prefix}base64_decode_failed_signature` };
    const signature = Buffer.from(sigText, 'base64');
    if (signature[0] !== 0x30) return { ok: false, errorId: `${prefix}signature_decode_failed` };
    let valid = false;
    try {
      valid = verify('sha256', Buffer.from(`${clientTriggerId}:${userId}:${millis}:`), this.publicKey, signature);
    } catch {
      // Malformed DER: the server fails asn1.Unmarshal before verifying.
      return { ok: false, errorId: `${prefix}signature_decode_failed` };
    }
    if (!valid) return { ok: false, errorId: `${prefix}verify_signature_failed` };
    return { ok: true, userId, clientTriggerId };
  }
}
