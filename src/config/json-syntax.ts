// Where a JSON text first goes wrong, in our own words with its line and column. V8's messages
// quote a snippet of the text (a config's API key among it), and its parser recurses: this scan
// quotes nothing, keeps its nesting on a bounded stack, and names only punctuation it meets.

export interface JsonProblem {
  reason: string;
  line: number;
  column: number;
}

/** Nesting deeper than any config (which is one object of plain values) is refused. */
export const MAX_JSON_DEPTH = 64;

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'done';

/** A character named without quoting the text around it: punctuation by itself, the rest by kind. */
function what(c: string): string {
  if (c === "'") return 'a single quote';
  if (c === '"') return 'a double quote';
  if (/[{}[\],:]/.test(c)) return `'${c}'`;
  if (/[A-Za-z0-9_$+\-.]/.test(c)) return 'a bare word';
  if (c === '\ufeff') return 'a byte-order mark (save the file as UTF-8 without one)';
  if (c < ' ') return 'a control character';
  return 'a character JSON does not allow here';
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** The first problem in `text` as JSON, or null when JSON.parse will take it. */
export function jsonSyntaxProblem(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonProblem | null {
  const n = text.length;
  const stack: string[] = [];
  let i = 0;
  let expect: Expect = 'value';
  const fail = (reason: string, at = i): JsonProblem => ({ reason, ...position(text, at) });
  const after = (): Expect => (stack.length === 0 ? 'done' : 'comma-or-close');
  /** Scan a string from its opening quote; null when it is well formed. */
  const string = (): JsonProblem | null => {
    const start = i;
    i += 1;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i += 1;
        return null;
      }
      if (c === 92) {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) return fail('a backslash that starts no valid escape inside a string');
        i = ESCAPE.lastIndex;
        continue;
      }
      if (c < 32)
        return fail(
          c === 10 ? 'a line break inside a string (a missing closing quote?)' : 'a control character inside a string',
        );
      i += 1;
    }
    return fail('a string that never ends (a missing closing quote)', start);
  };
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i += 1;
    if (i >= n) return expect === 'done' ? null : fail('the text ends before the JSON does');
    const c = text[i]!;
    switch (expect) {
      case 'done':
        return fail(`${what(c)} after the end of the JSON`);
      case 'colon':
        if (c !== ':') return fail(`${what(c)} where ':' should follow a property name`);
        i += 1;
        expect = 'value';
        break;
      case 'comma-or-close': {
        const close = stack.at(-1) === '{' ? '}' : ']';
        if (c === close) {
          stack.pop();
          i += 1;
          expect = after();
        } else if (c === ',') {
          i += 1;
          expect = close === '}' ? 'key' : 'value';
        } else return fail(`${what(c)} where ',' or '${close}' should be (a missing comma?)`);
        break;
      }
      case 'key':
      case 'key-or-close':
        if (c === '}' && expect === 'key-or-close') {
          stack.pop();
          i += 1;
          expect = after();
          break;
        }
        if (c === '}') return fail("a comma before '}' (JSON allows no trailing comma)");
        if (c !== '"')
          return fail(
            c === "'"
              ? 'a single quote where a property name should be (JSON names take double quotes)'
              : `${what(c)} where a property name in double quotes should be`,
          );
        {
          const bad = string();
          if (bad) return bad;
        }
        expect = 'colon';
        break;
      case 'value':
      case 'value-or-close':
        if (c === ']' && expect === 'value-or-close') {
          stack.pop();
          i += 1;
          expect = after();
          break;
        }
        if (c === '{' || c === '[') {
          if (stack.length >= maxDepth) return fail(`nested deeper than ${maxDepth} levels`);
          stack.push(c);
          i += 1;
          expect = c === '{' ? 'key-or-close' : 'value-or-close';
          break;
        }
        if (c === '"') {
          const bad = string();
          if (bad) return bad;
          expect = after();
          break;
        }
        if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          if (!NUMBER.test(text)) return fail('a malformed number');
          i = NUMBER.lastIndex;
          expect = after();
          break;
        }
        for (const word of ['true', 'false', 'null']) {
          if (text.startsWith(word, i)) {
            i += word.length;
            expect = after();
            break;
          }
        }
        if (expect === 'value' || expect === 'value-or-close') {
          if (c === ']') return fail("a comma before ']' (JSON allows no trailing comma)");
          return fail(
            c === "'"
              ? 'a single quote where a value should be (JSON strings take double quotes)'
              : `${what(c)} where a value should be (text values take double quotes)`,
          );
        }
        break;
    }
  }
}
