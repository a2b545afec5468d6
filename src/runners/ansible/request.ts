import type { DetourError } from '../../core/errors.js';
import { AccessDeniedError, UsageError } from '../../core/errors.js';

/** One allow-listed playbook, as configured under `ansible.playbooks`. */
export interface PlaybookEntry {
  /** The name users type (`ansible run <name>`). */
  name: string;
  /** Playbook file, relative to the playbook folder (or absolute). */
  file: string;
  /** Overrides the default inventory for this playbook. */
  inventory?: string;
  /** Tags users may pass with `--tags`; none when absent. */
  tags?: readonly string[];
  /** Non-admins may only run this playbook with `--check`. */
  checkOnlyForNonAdmins?: boolean;
}

/** What the user asked for, as typed (already split into a tag list). */
export interface AnsibleRequest {
  tags?: readonly string[];
  limit?: string;
  check: boolean;
}

declare const validated: unique symbol;

/** A request that passed validateAnsibleRequest; the only kind the runner accepts. */
export interface ValidatedAnsibleRequest {
  readonly tags: readonly string[];
  readonly limit: string | undefined;
  readonly check: boolean;
  readonly [validated]: true;
}

export type AnsibleRefusal =
  | { code: 'tag_not_allowed'; tag: string; allowed: readonly string[]; message: string }
  | { code: 'bad_tag'; tag: string; message: string }
  | { code: 'bad_limit'; limit: string; message: string }
  | { code: 'check_required'; message: string };

export type AnsibleValidation = { ok: true; request: ValidatedAnsibleRequest } | { ok: false; refusal: AnsibleRefusal };

/** Tags are plain words; commas would smuggle in extra tags. */
const TAG_PATTERN = /^[A-Za-z0-9_.:-]+$/;
/**
 * Host patterns: names, groups, wildcards, unions (`:` `,`), exclusions (`!`)
 * and intersections (`&`). No `@` (ansible reads `@file` as a host list
 * file), no `~` regexes, no spaces; a leading `-` is refused so the value can
 * never look like an option, even though it is passed as `--limit=VALUE`.
 */
const LIMIT_PATTERN = /^[A-Za-z0-9_.*:,!&][A-Za-z0-9_.*:,!&-]*$/;
const MAX_LIMIT_LENGTH = 200;
const MAX_TAG_LENGTH = 100;

/**
 * Checks a request against the playbook's allow-list and the caller's rights.
 * Refusals are values; nothing is run for them.
 */
export function validateAnsibleRequest(
  entry: PlaybookEntry,
  request: AnsibleRequest,
  actor: { isAdmin: boolean },
): AnsibleValidation {
  const allowed = entry.tags ?? [];
  const tags: string[] = [];
  for (const tag of request.tags ?? []) {
    if (tag.length > MAX_TAG_LENGTH || !TAG_PATTERN.test(tag)) {
      return refuse({ code: 'bad_tag', tag, message: `invalid tag "${printable(tag)}"` });
    }
    if (!allowed.includes(tag)) {
      const list = allowed.length > 0 ? allowed.join(', ') : 'none';
      return refuse({
        code: 'tag_not_allowed',
        tag,
        allowed,
        message: `tag "${tag}" is not allowed for playbook ${entry.name} (allowed: ${list})`,
      });
    }
    if (!tags.includes(tag)) tags.push(tag);
  }

  const limit = request.limit;
  if (limit !== undefined && (limit.length > MAX_LIMIT_LENGTH || !LIMIT_PATTERN.test(limit))) {
    return refuse({
      code: 'bad_limit',
      limit,
      message: `invalid host pattern "${printable(limit)}" for --limit`,
    });
  }

  if (entry.checkOnlyForNonAdmins === true && !actor.isAdmin && !request.check) {
    return refuse({
      code: 'check_required',
      message: `only admins may run playbook ${entry.name} without --check`,
    });
  }

  const checked: Omit<ValidatedAnsibleRequest, typeof validated> = { tags, limit, check: request.check };
  return { ok: true, request: checked as ValidatedAnsibleRequest };
}

/** The DetourError a refusal becomes at the pipeline's boundary. */
export function refusalToError(refusal: AnsibleRefusal): DetourError {
  if (refusal.code === 'check_required') return new AccessDeniedError(refusal.message);
  return new UsageError(refusal.message, 'ansible run <playbook> [--tags T] [--limit H] [--check]');
}

function refuse(refusal: AnsibleRefusal): AnsibleValidation {
  return { ok: false, refusal };
}

/** Keeps refusal messages on one short line whatever the user typed. */
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 60)}…` : clean;
}
