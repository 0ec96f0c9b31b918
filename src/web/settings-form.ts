// The Settings form, generated from the config schema itself: each key's widget follows its zod
// type (a list of choices, a switch, a number, a list, text), and a form's strings become the
// values the schema checks by the same rule on the server, with or without the page's script.
import { CONFIG_ALLOWED, configSchema } from '../config/config.js';

export type FieldKind = 'choice' | 'switch' | 'number' | 'list' | 'number-list' | 'text' | 'secret' | 'json';

export interface Field {
  key: string;
  kind: FieldKind;
  /** For `choice`. */
  choices?: string[];
  /** What the key allows, in the config's own words. */
  help: string;
}

interface Def {
  type: string;
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  entries?: Record<string, string | number>;
}

function defOf(schema: unknown): Def {
  return (schema as { _zod: { def: Def } })._zod.def;
}

/** Through defaults, pipes, nullables and catches to the type a person edits. */
function core(def: Def): Def {
  for (;;) {
    if (def.innerType && ['default', 'nullable', 'optional', 'catch', 'prefault'].includes(def.type))
      def = def.innerType._zod.def;
    else if (def.type === 'pipe' && def.in) def = def.in._zod.def;
    else return def;
  }
}

function kindOf(key: string, def: Def): Pick<Field, 'kind' | 'choices'> {
  if (key === 'immich_api_key') return { kind: 'secret' };
  switch (def.type) {
    case 'enum':
      return { kind: 'choice', choices: Object.values(def.entries ?? {}).map(String) };
    case 'boolean':
      return { kind: 'switch' };
    case 'number':
    case 'int':
      return { kind: 'number' };
    case 'string':
      return { kind: 'text' };
    case 'array': {
      const el = def.element ? core(def.element._zod.def) : null;
      return { kind: el && (el.type === 'number' || el.type === 'int') ? 'number-list' : 'list' };
    }
    default:
      return { kind: 'json' };
  }
}

/** Blocks edited in the config file only: the MQTT block holds a password, which the page must
 * never send to a browser (its own door's secrets stay on the frame). A save keeps them as saved. */
export const FILE_ONLY_KEYS: readonly string[] = ['mqtt'];

/** Every key of the config the page edits, in the file's order. */
export const SETTINGS_FIELDS: readonly Field[] = Object.entries(configSchema.shape)
  .filter(([key]) => !FILE_ONLY_KEYS.includes(key))
  .map(([key, schema]) => ({
    key,
    ...kindOf(key, core(defOf(schema))),
    help: CONFIG_ALLOWED[key] ?? '',
  }));

/** A field's value as the form shows it. */
export function formValue(field: Field, value: unknown): string {
  switch (field.kind) {
    case 'secret':
      return '';
    case 'list':
    case 'number-list':
      return Array.isArray(value) ? value.join(', ') : value === null ? '' : JSON.stringify(value);
    case 'json':
      return value === undefined ? '' : JSON.stringify(value);
    default:
      return value === undefined || value === null ? '' : String(value);
  }
}

/**
 * A form's strings as config values (a script-less form post, or the script sending the same
 * strings). A value that does not convert is passed on as it came, so the schema's own message
 * names it. Keys the form does not know are passed on too, and the schema refuses them by name.
 */
export function valuesFromForm(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const byKey = new Map(SETTINGS_FIELDS.map((f) => [f.key, f]));
  for (const [key, raw] of Object.entries(fields)) {
    if (key.startsWith('_')) continue;
    const field = byKey.get(key);
    if (!field || typeof raw !== 'string') {
      out[key] = raw;
      continue;
    }
    const text = raw.trim();
    switch (field.kind) {
      case 'switch':
        out[key] = text === 'true' || text === 'on' ? true : text === 'false' || text === '' ? false : raw;
        break;
      case 'number':
        out[key] = text !== '' && Number.isFinite(Number(text)) ? Number(text) : raw;
        break;
      case 'list':
        out[key] =
          text === ''
            ? []
            : text
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== '');
        break;
      case 'number-list': {
        if (text === '' && key === 'button_pins') {
          out[key] = null;
          break;
        }
        const parts = text === '' ? [] : text.split(',').map((s) => s.trim());
        out[key] = parts.every((p) => p !== '' && Number.isFinite(Number(p))) ? parts.map(Number) : raw;
        break;
      }
      case 'json':
        try {
          out[key] = JSON.parse(text) as unknown;
        } catch {
          out[key] = raw;
        }
        break;
      default:
        out[key] = raw;
    }
  }
  return out;
}
