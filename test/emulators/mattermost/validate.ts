/**
 * The checks Mattermost runs on interactive dialogs and message-attachment actions.
 *
 * Both only LOG on a real server: OpenInteractiveDialog calls request.IsValid() and logs a
 * warning (app/integration_action.go), and Post.ValidateProps logs "Invalid post props. In a
 * future version this will result in an error" (model/post.go). The emulator answers as the
 * server does and records these problems in `warnings` / `DialogRecord.problems`, so a test can
 * assert there are none: an invalid dialog or button renders badly or not at all in the client.
 *
 * Rules: server/public/model/integration_action.go (Dialog.IsValid, DialogElement.IsValid,
 * checkMaxLength, PostAction.IsValid). Lengths are Go `len`, i.e. UTF-8 BYTES, not characters.
 */

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

// DialogTitleMaxLength, DialogElement*MaxLength constants (integration_action.go).
const TITLE_MAX = 24;
const DISPLAY_NAME_MAX = 24;
const NAME_MAX = 300;
const HELP_TEXT_MAX = 150;
const TEXT_MAX = 150;
const TEXTAREA_MAX = 3000;
const SELECT_MAX = 3000;
const BOOL_MAX = 150;
const TEXT_SUBTYPES = new Set(['', 'text', 'email', 'number', 'tel', 'url', 'password']);

/** model.IsValidHTTPURL: http(s) scheme and a parseable request URI. */
export function isValidHttpUrl(raw: string): boolean {
  if (!raw.startsWith('http://') && !raw.startsWith('https://')) return false;
  try {
    new URL(raw);
    return true;
  } catch {
    return false;
  }
}

function maxLength(field: string, value: string, max: number): string | undefined {
  if ((field === 'DisplayName' || field === 'Name') && value.length === 0) return `${field} cannot be empty`;
  const n = bytes(value);
  return n > max ? `${field} cannot be longer than ${max} characters, got ${n}` : undefined;
}

function inOptions(value: string, options: unknown): boolean {
  if (value === '') return true;
  return Array.isArray(options) && options.some((o) => (o as { value?: unknown })?.value === value);
}

function elementProblems(e: Record<string, unknown>): string[] {
  const out: (string | undefined)[] = [];
  const type = str(e.type);
  const min = num(e.min_length);
  const max = num(e.max_length);
  if (min < 0) out.push(`min length cannot be a negative number, got ${min}`);
  if (min > max) out.push(`min length should be less then max length, got ${min} > ${max}`);
  out.push(maxLength('DisplayName', str(e.display_name), DISPLAY_NAME_MAX));
  out.push(maxLength('Name', str(e.name), NAME_MAX));
  out.push(maxLength('HelpText', str(e.help_text), HELP_TEXT_MAX));
  if (e.multiselect === true && type !== 'select') out.push(`multiselect can only be used with select elements`);
  const lengths = (limit: number) => {
    out.push(maxLength('Default', str(e.default), limit));
    out.push(maxLength('Placeholder', str(e.placeholder), limit));
  };
  switch (type) {
    case 'text':
    case 'textarea':
      lengths(type === 'text' ? TEXT_MAX : TEXTAREA_MAX);
      if (!TEXT_SUBTYPES.has(str(e.subtype))) out.push(`invalid subtype "${str(e.subtype)}"`);
      break;
    case 'select': {
      lengths(SELECT_MAX);
      const source = str(e.data_source);
      if (!['', 'users', 'channels', 'dynamic'].includes(source)) out.push(`invalid data source "${source}"`);
      if (source === '' && e.multiselect !== true && !inOptions(str(e.default), e.options)) {
        out.push(`default value "${str(e.default)}" doesn't exist in options`);
      }
      break;
    }
    case 'bool':
      if (!['', 'true', 'false'].includes(str(e.default))) out.push('invalid default of bool');
      out.push(maxLength('Placeholder', str(e.placeholder), BOOL_MAX));
      break;
    case 'radio':
      if (!inOptions(str(e.default), e.options)) out.push(`default value "${str(e.default)}" doesn't exist in options`);
      break;
    case 'date':
    case 'datetime':
      lengths(TEXT_MAX);
      break;
    default:
      out.push(`invalid element type: "${type}"`);
  }
  return out.filter((p): p is string => p !== undefined);
}

/** OpenDialogRequest.IsValid + Dialog.IsValid. */
export function dialogProblems(url: string, triggerId: string, dialog: unknown): string[] {
  const problems: string[] = [];
  if (url === '') problems.push('empty URL');
  if (triggerId === '') problems.push('empty trigger id');
  if (typeof dialog !== 'object' || dialog === null) return [...problems, 'dialog is not an object'];
  const d = dialog as Record<string, unknown>;
  const title = str(d.title);
  if (title === '' || bytes(title) > TITLE_MAX) problems.push(`invalid dialog title "${title}"`);
  if (str(d.icon_url) !== '' && !isValidHttpUrl(str(d.icon_url))) problems.push('invalid icon url');
  const seen = new Set<string>();
  const elements = Array.isArray(d.elements) ? d.elements : [];
  for (const raw of elements) {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const name = str(e.name);
    if (seen.has(name)) problems.push(`duplicate dialog element "${name}"`);
    seen.add(name);
    for (const p of elementProblems(e)) problems.push(`"${name}" field is not valid: ${p}`);
  }
  return problems;
}

const STYLES = new Set(['default', 'primary', 'success', 'good', 'warning', 'danger']);

/** PostAction.IsValid for every action of every attachment in props.attachments. */
export function attachmentProblems(props: Record<string, unknown>): string[] {
  const attachments = props.attachments;
  if (attachments === undefined) return [];
  if (!Array.isArray(attachments)) return ['props.attachments is not an array'];
  const out: string[] = [];
  attachments.forEach((att, i) => {
    const actions = (att as { actions?: unknown } | null)?.actions;
    if (actions === undefined) return;
    if (!Array.isArray(actions)) {
      out.push(`attachment ${i}: actions is not an array`);
      return;
    }
    actions.forEach((raw, j) => {
      const a = (raw ?? {}) as Record<string, unknown>;
      const where = `attachment ${i} action ${j}`;
      if (str(a.name) === '') out.push(`${where}: action must have a name`);
      const style = str(a.style);
      if (style !== '' && !STYLES.has(style) && !/^#(?:[0-9a-fA-F]{3}){1,2}$/.test(style)) {
        out.push(`${where}: invalid style '${style}'`);
      }
      if (a.type === 'button') {
        if (Array.isArray(a.options) && a.options.length > 0) out.push(`${where}: button action must not have options`);
        if (str(a.data_source) !== '') out.push(`${where}: button action must not have a data source`);
      } else if (a.type !== 'select') {
        out.push(`${where}: invalid action type: must be 'button' or 'select'`);
      }
      const integration = a.integration as Record<string, unknown> | undefined;
      const url = str(integration?.url);
      if (!integration) out.push(`${where}: action must have integration settings`);
      else if (url === '') out.push(`${where}: action must have an integration URL`);
      else if (!url.startsWith('/plugins/') && !url.startsWith('plugins/') && !isValidHttpUrl(url)) {
        out.push(`${where}: action must have an valid integration URL`);
      }
    });
  });
  return out;
}
