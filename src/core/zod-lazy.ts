// The zod/mini functions that the schemas built on first need (attempts.ts, hidden.ts, the
// selection and service state files) take, by name. Those modules load this one with `import()`,
// so zod stays off `status` and `next` until a file needs its schema; and because the names are
// listed here, a bundler keeps only these. An `import()` of 'zod/mini' itself hands back the
// whole namespace, which esbuild then keeps whole: every locale and the JSON Schema writer, 430 KB
// that each command of the split build (and the sync entry) compiled at start.
export {
  _default,
  array,
  boolean,
  enum,
  int,
  literal,
  maxLength,
  minimum,
  nullable,
  object,
  optional,
  refine,
  string,
} from 'zod/mini';
