// Request validation and error bodies as each dialect writes them: v3's zod issues verbatim (the
// same zod 4 messages the v3.1.0 recordings show), or the class-validator strings and
// { message, error, statusCode, correlationId } bodies of v1/v2 (see history.ts).
import * as z from 'zod/mini';
import '../core/zod-messages.js';
import type { Dialect } from './history.js';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function errorAnswer(dialect: Dialect, status: number, message: string, correlationId: string): Answer {
  if (dialect.validator === 'zod') {
    return { status, body: { message }, headers: { 'x-correlation-id': correlationId } };
  }
  return { status, body: { message, error: STATUS_TEXT[status] ?? 'Error', statusCode: status, correlationId } };
}

type Issue = z.core.$ZodIssue;

function pathName(path: readonly PropertyKey[]): string {
  return path.filter((p) => typeof p === 'string').join('.');
}

/** The sentence class-validator would have written for the same problem. */
function classValidatorMessage(issue: Issue): string[] {
  const name = pathName(issue.path);
  const each = issue.path.some((p) => typeof p === 'number') ? `each value in ${name}` : name;
  switch (issue.code) {
    case 'invalid_format':
      return [`${each} must be a UUID`];
    case 'too_small':
      return [`${name} must not be less than ${String(issue.minimum)}`];
    case 'too_big':
      return [`${name} must not be greater than ${String(issue.maximum)}`];
    case 'invalid_value':
      return [`${name} must be one of the following values: ${issue.values.map(String).join(', ')}`];
    case 'unrecognized_keys':
      return issue.keys.map((k) => `property ${k} should not exist`);
    case 'invalid_type':
      if (issue.expected === 'boolean') return [`${name} must be a boolean value`];
      if (issue.expected === 'array') return [`${name} must be an array`];
      if (issue.expected === 'int' || issue.expected === 'number') return [`${name} must be an integer number`];
      return [`${name} must be a ${issue.expected}`];
    default:
      return [issue.message];
  }
}

export function validationAnswer(dialect: Dialect, issues: readonly Issue[], correlationId: string): Answer {
  if (dialect.validator === 'zod') {
    return {
      status: 400,
      body: { message: 'Validation failed', errors: issues },
      headers: { 'x-correlation-id': correlationId },
    };
  }
  return {
    status: 400,
    body: { message: issues.flatMap(classValidatorMessage), error: 'Bad Request', statusCode: 400, correlationId },
  };
}

/** class-validator with transform: numeric strings become numbers before the checks. */
function lenientNumber<T extends z.ZodMiniType>(dialect: Dialect, schema: T) {
  if (dialect.validator === 'zod') return schema;
  return z.pipe(
    z.transform((v: unknown) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v)),
    schema,
  );
}

function lenientBoolean<T extends z.ZodMiniType>(dialect: Dialect, schema: T) {
  if (dialect.validator === 'zod') return schema;
  return z.pipe(
    z.transform((v: unknown) => (v === 'true' ? true : v === 'false' ? false : v)),
    schema,
  );
}

const uuid = z.uuidv4();
const visibilityEnum = z.enum(['archive', 'timeline', 'hidden', 'locked']);

export interface SearchRequest {
  albumIds?: string[];
  type?: 'IMAGE' | 'VIDEO' | 'AUDIO' | 'OTHER';
  visibility?: 'archive' | 'timeline' | 'hidden' | 'locked';
  isArchived?: boolean;
  withArchived?: boolean;
  withDeleted?: boolean;
  withExif?: boolean;
  withPeople?: boolean;
  order?: 'asc' | 'desc';
  page?: number;
  size?: number;
  withStacked?: boolean;
  /** v3.2+: where the previous page ended (the server's own token). */
  cursor?: string;
}

/** The POST /api/search/metadata body this dialect knows (a subset of MetadataSearchDto). */
export function searchSchema(dialect: Dialect, strictUnknown: boolean): z.ZodMiniType<SearchRequest> {
  const shape: Record<string, z.ZodMiniType> = {
    type: z.optional(z.enum(['IMAGE', 'VIDEO', 'AUDIO', 'OTHER'])),
    withDeleted: z.optional(lenientBoolean(dialect, z.boolean())),
    withExif: z.optional(lenientBoolean(dialect, z.boolean())),
    withPeople: z.optional(lenientBoolean(dialect, z.boolean())),
    order: z.optional(z.enum(['asc', 'desc'])),
    page: z.optional(lenientNumber(dialect, z.int().check(z.minimum(1)))),
    size: z.optional(lenientNumber(dialect, z.int().check(z.minimum(1)).check(z.maximum(1000)))),
    // Accepted and ignored here: filters a frame never sends.
    originalFileName: z.optional(z.string()),
    isFavorite: z.optional(lenientBoolean(dialect, z.boolean())),
    withStacked: z.optional(lenientBoolean(dialect, z.boolean())),
  };
  if (dialect.searchCursor) shape['cursor'] = z.optional(z.string().check(z.minLength(1)));
  if (dialect.searchAlbumIds) shape['albumIds'] = z.optional(z.array(uuid));
  if (dialect.visibility) {
    shape['visibility'] = z.optional(visibilityEnum);
  } else {
    shape['isArchived'] = z.optional(lenientBoolean(dialect, z.boolean()));
    shape['withArchived'] = z.optional(lenientBoolean(dialect, z.boolean()));
  }
  const obj = strictUnknown ? z.strictObject(shape) : z.object(shape);
  return obj as unknown as z.ZodMiniType<SearchRequest>;
}

export const idParamSchema = z.object({ id: uuid });

/** `edited` from v2.5: only "true" or "false" (zod stringbool; fixture
 * error-thumbnail-edited-capitalised-true); older servers drop it like any unknown key. */
function editedParam(dialect: Dialect): Record<string, z.ZodMiniType> {
  return dialect.isEdited
    ? { edited: z.optional(z.stringbool({ truthy: ['true'], falsy: ['false'], case: 'sensitive' })) }
    : {};
}

/** GET /api/faces?id=: the id is required and must be a UUID. */
export const facesQuerySchema = z.object({ id: uuid });

export function thumbnailQuerySchema(dialect: Dialect): z.ZodMiniType<{ size?: string; edited?: boolean }> {
  const shape = { size: z.optional(z.enum(dialect.thumbnailSizes as [string, ...string[]])), ...editedParam(dialect) };
  return z.object(shape) as unknown as z.ZodMiniType<{ size?: string; edited?: boolean }>;
}

export function originalQuerySchema(dialect: Dialect): z.ZodMiniType<{ edited?: boolean }> {
  return z.object(editedParam(dialect)) as unknown as z.ZodMiniType<{ edited?: boolean }>;
}

/** `withoutAssets` exists while albums carry assets; v3 drops it like any unknown key. */
export function albumQuerySchema(dialect: Dialect): z.ZodMiniType<{ withoutAssets?: boolean }> {
  if (!dialect.albumAssetsInBody) return z.object({});
  return z.object({
    withoutAssets: z.optional(
      z.pipe(
        z.transform((v: unknown) => (v === 'true' ? true : v === 'false' ? false : v)),
        z.boolean(),
      ),
    ),
  });
}
