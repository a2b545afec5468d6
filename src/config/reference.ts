import { homedir } from 'node:os';
import type { z } from 'zod';
import type { Locale } from '../core/i18n.js';
import { descriptions, placeholders, REFERENCE_TEXT, secretFileDescription } from './reference-descriptions.js';
import { buildConfigSchema, SECRET_KEYS } from './schema.js';

/*
 * The configuration reference (docs/{en,fr}/configuration-reference.md), generated from the zod
 * schema itself so it cannot drift: every key, its type, its default, and its description from
 * reference-descriptions.ts. Only `npm run docs:config` and the docs tests load this module; the
 * bot never does, so the schema stays as light as it was.
 */

/** One key of the configuration, wherever it sits. */
export interface ReferenceRow {
  /** `chat.slack.botToken`, `backups[].name`, `hosts.<host>.ssh.port`. */
  path: string;
  /** The top-level key it belongs to (its section of the page). */
  section: string;
  type: Record<Locale, string>;
  /** The default as YAML would write it; undefined when there is none. */
  defaultValue?: string;
  /** Neither a default nor optional: the key must be written. */
  required: boolean;
  /** May be left out, and has no default. */
  optional: boolean;
  /** For `passphraseFile` and the like: the secret key it stands for. */
  secretFileOf?: string;
}

// zod 4 keeps each schema's definition under `_zod.def`; the public types do not expose every
// field we read (pipe ends, record value types), so the walker reads it through this shape.
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  element?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
  format?: string;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** Milliseconds as the configuration writes them (`26h`, `90s`): the largest unit that divides. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of UNITS) if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}

/** The kinds of values, and how each language names one of them and a list of them. */
const KINDS = {
  string: { en: ['string', 'list of strings'], fr: ['texte', 'liste de textes'] },
  duration: { en: ['duration', 'list of durations'], fr: ['durée', 'liste de durées'] },
  integer: { en: ['integer', 'list of integers'], fr: ['entier', "liste d'entiers"] },
  number: { en: ['number', 'list of numbers'], fr: ['nombre', 'liste de nombres'] },
  boolean: { en: ['boolean', 'list of booleans'], fr: ['booléen', 'liste de booléens'] },
  url: { en: ['URL', 'list of URLs'], fr: ['URL', "liste d'URL"] },
  secret: { en: ['secret', 'list of secrets'], fr: ['secret', 'liste de secrets'] },
  object: { en: ['object', 'list of objects'], fr: ['objet', "liste d'objets"] },
  path: { en: ['file path', 'list of file paths'], fr: ['chemin de fichier', 'liste de chemins'] },
} as const satisfies Record<string, Record<Locale, readonly [string, string]>>;

type Kind = keyof typeof KINDS;

interface Unwrapped {
  schema: z.ZodType;
  optional: boolean;
  defaultValue?: unknown;
  hasDefault: boolean;
}

function unwrap(schema: z.ZodType): Unwrapped {
  let optional = false;
  let hasDefault = false;
  let defaultValue: unknown;
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'optional') optional = true;
    else if (def.type === 'default') {
      hasDefault = true;
      defaultValue = def.defaultValue;
    } else break;
    current = def.innerType!;
  }
  return { schema: current, optional, defaultValue, hasDefault };
}

/** What a value is underneath the checks and transforms the loader adds. */
function kindOf(schema: z.ZodType): { kind: Kind | 'enum' | 'literal' | 'list' | 'map'; schema: z.ZodType } {
  const def = defOf(schema);
  switch (def.type) {
    case 'pipe': {
      const input = defOf(def.in!);
      // The `duration` helper: a string the loader turns into milliseconds.
      if (input.type === 'string' && defOf(def.out!).type === 'transform') return { kind: 'duration', schema };
      // The `secret` helper: a string (or an already wrapped Secret) turned into a Secret.
      if (input.type === 'union' && input.options!.some((o) => defOf(o).type === 'custom')) {
        return { kind: 'secret', schema };
      }
      return kindOf(def.in!);
    }
    case 'string':
      return { kind: def.format === 'url' ? 'url' : 'string', schema };
    case 'number':
      return { kind: (schema as z.ZodNumber).isInt ? 'integer' : 'number', schema };
    case 'boolean':
      return { kind: 'boolean', schema };
    case 'enum':
      return { kind: 'enum', schema };
    case 'literal':
      return { kind: 'literal', schema };
    case 'array':
      return { kind: 'list', schema };
    case 'record':
      return { kind: 'map', schema };
    case 'object':
    case 'union':
      return { kind: 'object', schema };
    default:
      throw new Error(`config reference: no type name for a zod "${def.type}"`);
  }
}

/** ", 1 to 8" for a bounded number; nothing otherwise. */
function bounds(schema: z.ZodType, locale: Locale): string {
  if (defOf(schema).type !== 'number') return '';
  const n = schema as z.ZodNumber;
  const min = Number.isFinite(n.minValue) && n.minValue !== Number.MIN_SAFE_INTEGER ? n.minValue : undefined;
  const max = Number.isFinite(n.maxValue) && n.maxValue !== Number.MAX_SAFE_INTEGER ? n.maxValue : undefined;
  if (min !== undefined && max !== undefined) return locale === 'en' ? `, ${min} to ${max}` : `, de ${min} à ${max}`;
  if (min !== undefined) return `, ≥ ${min}`;
  if (max !== undefined) return `, ≤ ${max}`;
  return '';
}

function choices(values: readonly unknown[], locale: Locale): string {
  const shown = values.map((v) => `\`${String(v)}\``);
  if (shown.length === 1) return shown[0]!;
  const last = shown.pop();
  return `${shown.join(', ')} ${locale === 'en' ? 'or' : 'ou'} ${last}`;
}

/** The type column: `integer, 1 to 8`, `` `http` or `socket` ``, `map: <host> → object`. */
function typeName(schema: z.ZodType, locale: Locale, placeholder: string): string {
  const { kind, schema: at } = kindOf(schema);
  const def = defOf(at);
  switch (kind) {
    case 'enum':
      return choices(Object.values(def.entries!), locale);
    case 'literal':
      return choices(def.values!, locale);
    case 'list': {
      const element = kindOf(def.element!);
      if (element.kind in KINDS) {
        return KINDS[element.kind as Kind][locale][1] + bounds(element.schema, locale);
      }
      return `${locale === 'en' ? 'list of' : 'liste de'} ${typeName(def.element!, locale, placeholder)}`;
    }
    case 'map':
      return `${locale === 'en' ? 'map:' : 'table :'} \`${placeholder}\` → ${typeName(def.valueType!, locale, placeholder)}`;
    default:
      return KINDS[kind][locale][0] + bounds(at, locale);
  }
}

/** A default as YAML would write it: durations back in their unit, the bot user's home as `~`. */
function formatDefault(value: unknown, schema: z.ZodType): string {
  const kind = kindOf(schema).kind;
  if (kind === 'duration' && typeof value === 'number') return formatDuration(value);
  if (typeof value === 'string') {
    // The bot user's home differs between machines; some service users' is `/` (then only its
    // dot folders, `/.ssh/…`, can be told apart from other absolute paths).
    const home = homedir();
    if (home !== '/' && value.startsWith(`${home}/`)) return `~${value.slice(home.length)}`;
    if (home === '/' && value.startsWith('/.')) return `~${value}`;
    return value;
  }
  if (Array.isArray(value)) return `[${value.map((v) => formatDefault(v, schema)).join(', ')}]`;
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0 ? '{}' : '';
  return String(value);
}

const SECRET_FILE_KEYS = new Map<string, string>(SECRET_KEYS.map((key) => [`${key}File`, key]));

/** Every key of the configuration, depth first, in the schema's order. */
export function referenceRows(schema: z.ZodType = buildConfigSchema()): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const seen = new Set<string>();

  const visitShape = (shape: Record<string, z.ZodType>, prefix: string, section: string | undefined): void => {
    for (const [key, value] of Object.entries(shape)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (seen.has(path)) continue;
      seen.add(path);
      const unwrapped = unwrap(value);
      const secretFileOf = SECRET_FILE_KEYS.get(key);
      const shown = unwrapped.hasDefault ? formatDefault(unwrapped.defaultValue, unwrapped.schema) : undefined;
      rows.push({
        path,
        section: section ?? key,
        type: secretFileOf
          ? { en: KINDS.path.en[0], fr: KINDS.path.fr[0] }
          : {
              en: typeName(unwrapped.schema, 'en', placeholderOf(path)),
              fr: typeName(unwrapped.schema, 'fr', placeholderOf(path)),
            },
        defaultValue: shown === '' ? undefined : shown,
        required: !unwrapped.optional && !unwrapped.hasDefault,
        optional: unwrapped.optional && !unwrapped.hasDefault,
        secretFileOf,
      });
      visitChildren(unwrapped.schema, path, section ?? key);
    }
  };

  const visitChildren = (schema: z.ZodType, path: string, section: string): void => {
    const def = defOf(schema);
    switch (def.type) {
      case 'object':
        visitShape(def.shape!, path, section);
        break;
      case 'union':
        // Each form's keys (`job: {playbook, tags}` or `job: {command, host}`).
        for (const option of def.options!) visitChildren(option, path, section);
        break;
      case 'array':
        visitChildren(unwrap(def.element!).schema, `${path}[]`, section);
        break;
      case 'record':
        visitChildren(unwrap(def.valueType!).schema, `${path}.${placeholderOf(path)}`, section);
        break;
      case 'pipe':
        if (kindOf(schema).kind !== 'duration' && kindOf(schema).kind !== 'secret') {
          visitChildren(def.in!, path, section);
        }
        break;
    }
  };

  visitShape(defOf(schema).shape!, '', undefined);
  return rows;
}

/** The name standing for a map's keys: `<host>` under `hosts`, `<name>` where nothing better fits. */
function placeholderOf(path: string): string {
  return `<${placeholders[path.replace(/\.<[^>]+>/g, '.<>') as keyof typeof placeholders] ?? 'name'}>`;
}

/** The description of a row in one language; undefined when reference-descriptions.ts has none. */
export function describe(row: ReferenceRow, locale: Locale): string | undefined {
  if (row.secretFileOf) return secretFileDescription[locale].replaceAll('{key}', row.secretFileOf);
  return descriptions[row.path]?.[locale];
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The whole page, in one language. */
export function renderConfigReference(locale: Locale, rows: readonly ReferenceRow[] = referenceRows()): string {
  const text = REFERENCE_TEXT[locale];
  const out: string[] = [`# ${text.title}`, '', text.generated, '', ...text.intro, ''];
  let section: string | undefined;
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out.push(`## \`${section}\``, '', `| ${text.columns.join(' | ')} |`, '| --- | --- | --- | --- |');
    }
    // A section with a default (`http`) shows none itself: its keys show theirs.
    const shownDefault =
      row.defaultValue !== undefined
        ? `\`${row.defaultValue}\``
        : row.required
          ? text.required
          : row.optional
            ? '—'
            : '';
    const description = describe(row, locale);
    if (description === undefined) throw new Error(`config reference: no ${locale} description for ${row.path}`);
    out.push(`| \`${row.path}\` | ${cell(row.type[locale])} | ${cell(shownDefault)} | ${cell(description)} |`);
    const next = rows[rows.indexOf(row) + 1];
    if (next === undefined || next.section !== section) out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
