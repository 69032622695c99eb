import { describe, expect, it } from 'vitest';
import { githubAnnotation } from '../../src/commands/validate.js';
import type { Problem } from '../../src/errors.js';

describe('GitHub ::error annotations', () => {
  const problem = (message: string): Problem => ({ code: 'bad_key', check: 'schema', message, file: 'orgs/a,b:c.yaml', line: 3, col: 5 });

  it('escapes workflow-command syntax in properties and data', () => {
    const line = githubAnnotation({ ...problem('100% wrong\nsecond line'), hint: 'fix it' });
    expect(line).toBe('::error file=orgs/a%2Cb%3Ac.yaml,line=3,col=5,title=orgshare schema/bad_key::100%25 wrong%0Asecond line%0Ahint: fix it\n');
  });

  it('never passes a control character from a hostile file to the CI log', () => {
    const line = githubAnnotation(problem('unknown key "\u001b[31mred\u0007"'));
    expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(line).toContain('\\x1b[31mred\\x07');
  });
});
