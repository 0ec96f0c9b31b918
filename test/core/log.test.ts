import { describe, expect, it } from 'vitest';
import { Redactor, createLogger } from '../../src/core/log.js';

describe('redaction is an instance, not module state', () => {
  it("a logger masks its redactor's secrets, its children too; another logger knows none of them", () => {
    const redactor = new Redactor();
    const lines: string[] = [];
    const a = createLogger({ redactor, write: (l) => lines.push(l) });
    const b = createLogger({ write: (l) => lines.push(l) });
    redactor.add('s3cret-key-value');
    a.child({ part: 'sync' }).info('said s3cret-key-value', { key: 's3cret-key-value' });
    b.info('other s3cret-key-value');
    expect(lines[0]).not.toContain('s3cret-key-value');
    expect(lines[0]).toContain('***');
    expect(lines[1]).toContain('s3cret-key-value');
    expect(a.redact('x s3cret-key-value y')).toBe('x *** y');
  });
});
