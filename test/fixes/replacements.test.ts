import { exactReplacements, isHclLiteral } from '../../src/fixes/replacements';
import { applyReplacements } from '../../src/fixes/plan';
import type { FixEdit } from '../../src/engine/types';

function apply(edit: FixEdit, text: string): string {
  const exact = exactReplacements(edit, text);
  if ('reason' in exact) throw new Error(exact.reason);
  return applyReplacements(text, exact.replacements);
}

function reason(edit: FixEdit, text: string): string | undefined {
  const exact = exactReplacements(edit, text);
  return 'reason' in exact ? exact.reason : undefined;
}

/** Every character outside [start, end) of `before` is unchanged in `after` (prefix and suffix compare). */
function changedOnly(before: string, after: string, start: number, end: number): boolean {
  const tail = before.length - end;
  return (
    before.slice(0, start) === after.slice(0, start) && before.slice(end) === after.slice(after.length - tail)
  );
}

describe('JSON property edits', () => {
  const info =
    '{\n    "properties": {\n        "grantTypes": ["implicit"],\n        "displayName": "x"\n    }\n}\n';

  it('replaces a value in place, leaving every other byte as it was', () => {
    const edit: FixEdit = {
      kind: 'json',
      file: 'a.json',
      path: ['properties', 'grantTypes'],
      value: ['authorizationCode'],
    };
    const after = apply(edit, info);
    expect(JSON.parse(after).properties.grantTypes).toEqual(['authorizationCode']);
    const start = info.indexOf('["implicit"]');
    expect(changedOnly(info, after, start, start + '["implicit"]'.length)).toBe(true);
  });

  it('inserts a missing property with the file indentation and keeps CRLF line ends', () => {
    const crlf = info.replace(/\n/g, '\r\n');
    const edit: FixEdit = {
      kind: 'json',
      file: 'a.json',
      path: ['properties', 'useInTestConsole'],
      value: false,
    };
    const after = apply(edit, crlf);
    expect(JSON.parse(after).properties.useInTestConsole).toBe(false);
    expect(after).toMatch(/\r\n {8}"useInTestConsole": false/);
    expect(after.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });

  it('removes a property, and a missing one needs nothing', () => {
    const edit: FixEdit = { kind: 'json', file: 'a.json', path: ['properties', 'displayName'], remove: true };
    expect(JSON.parse(apply(edit, info)).properties).toEqual({ grantTypes: ['implicit'] });
    const missing: FixEdit = { kind: 'json', file: 'a.json', path: ['properties', 'nothing'], remove: true };
    expect(apply(missing, info)).toBe(info);
  });

  it('refuses to replace an ARM expression or a placeholder, and to invent missing parents', () => {
    const arm = '{"properties":{"tokenEndpoint":"[parameters(\'token\')]"}}';
    const edit: FixEdit = {
      kind: 'json',
      file: 't.json',
      path: ['properties', 'tokenEndpoint'],
      value: 'https://x',
    };
    expect(reason(edit, arm)).toMatch(/ARM template expression/);
    // `[[` escapes a literal bracket: a literal, replaced.
    expect(reason(edit, '{"properties":{"tokenEndpoint":"[[x"}}')).toBeUndefined();
    expect(reason(edit, '{"properties":{"tokenEndpoint":"https://{{host}}/t"}}')).toMatch(/placeholder/);
    const deep: FixEdit = { kind: 'json', file: 't.json', path: ['a', 'b', 'c'], value: 1 };
    expect(reason(deep, '{}')).toMatch(/not written in the file/);
  });

  it('reports lines and columns of the replaced region (1-based, end exclusive)', () => {
    const edit: FixEdit = { kind: 'json', file: 'a.json', path: ['properties', 'displayName'], value: 'y' };
    const exact = exactReplacements(edit, info);
    if ('reason' in exact) throw new Error(exact.reason);
    expect(exact.replacements).toEqual([
      expect.objectContaining({
        file: 'a.json',
        text: '"y"',
        startLine: 4,
        startColumn: 24,
        endLine: 4,
        endColumn: 27,
      }),
    ]);
  });
});

describe('edits inside a JSON string (a policy in a property value)', () => {
  const policy = '<policies><inbound><validate-jwt header-name="Authorization"/></inbound></policies>';
  const file = JSON.stringify({ properties: { format: 'rawxml', value: policy } }, null, 2).replace(
    '/',
    '\\/',
  );

  it('replaces exactly the raw characters of the decoded range, escaping the inserted text', () => {
    const at = policy.indexOf('<validate-jwt');
    const edit: FixEdit = {
      kind: 'jsonString',
      file: 'p.json',
      path: ['properties', 'value'],
      start: at,
      end: at,
      text: '<base />"',
    };
    const after = apply(edit, file);
    expect(JSON.parse(after).properties.value).toBe(
      policy.replace('<validate-jwt', '<base />"<validate-jwt'),
    );
    // The escaped `\/` elsewhere in the literal is kept as written.
    expect(after).toContain('\\/>');
  });

  it('maps offsets past escapes (\\n, \\", \\u) to the right raw characters', () => {
    const text = '{"v":"a\\nb\\"c\\u0041d"}';
    const decoded = JSON.parse(text).v as string;
    const at = decoded.indexOf('d');
    const edit: FixEdit = {
      kind: 'jsonString',
      file: 'x.json',
      path: ['v'],
      start: at,
      end: at + 1,
      text: 'E',
    };
    const after = apply(edit, text);
    expect(after).toBe('{"v":"a\\nb\\"c\\u0041E"}');
  });

  it('refuses when the range no longer fits the string', () => {
    const edit: FixEdit = { kind: 'jsonString', file: 'x.json', path: ['v'], start: 5, end: 99, text: '' };
    expect(reason(edit, '{"v":"abc"}')).toMatch(/changed/);
  });
});

describe('text edits (policy XML files, Terraform attributes)', () => {
  it('applies offsets into the text without its BOM', () => {
    const xml = '\ufeff<policies><inbound></inbound></policies>';
    const at = '<policies><inbound>'.length;
    const edit: FixEdit = { kind: 'text', file: 'policy.xml', start: at, end: at, text: '<base />' };
    expect(apply(edit, xml)).toBe('\ufeff<policies><inbound><base /></inbound></policies>');
  });

  it('replaces a Terraform attribute only while it is a literal', () => {
    const tf = 'resource "x" "y" {\n  requested_access_token_version = 1\n}\n';
    const start = tf.indexOf('1\n');
    const edit: FixEdit = {
      kind: 'text',
      file: 'main.tf',
      start,
      end: start + 1,
      text: '2',
      literalOnly: true,
    };
    expect(apply(edit, tf)).toBe(tf.replace('= 1', '= 2'));
    const expression = tf.replace('= 1', '= var.v');
    const s2 = expression.indexOf('var.v');
    expect(reason({ ...edit, start: s2, end: s2 + 5 }, expression)).toMatch(/expression/);
  });

  it.each([
    ['"https://x/cb"', true],
    ['2', true],
    ['true', true],
    ['["a", "b",]', true],
    ['"https://${var.host}/cb"', false],
    ['"%{if x}a%{endif}"', false],
    ['var.x', false],
    ['["a", local.b]', false],
    ['upper("a")', false],
  ])('isHclLiteral(%s) is %s', (expression, expected) => {
    expect(isHclLiteral(expression)).toBe(expected);
  });
});

describe('values written on one line', () => {
  it('stay on one line, spaced as they were', () => {
    const text = '{\n  "grantTypes": ["authorizationCode", "implicit"],\n  "x": {"a":1}\n}\n';
    const lists: FixEdit = {
      kind: 'json',
      file: 'a.json',
      path: ['grantTypes'],
      value: ['authorizationCode'],
    };
    expect(apply(lists, text)).toBe(
      text.replace('["authorizationCode", "implicit"]', '["authorizationCode"]'),
    );
    const objects: FixEdit = { kind: 'json', file: 'a.json', path: ['x'], value: { a: 2, b: [1, 2] } };
    expect(apply(objects, text)).toBe(text.replace('{"a":1}', '{"a":2,"b":[1,2]}'));
  });
});

describe('Terraform lists written one item per line', () => {
  it('keep that layout, indentation and trailing comma', () => {
    const tf = 'x = [\n    "a",\n    "b",\n  ]\n';
    const start = tf.indexOf('[');
    const end = tf.indexOf(']') + 1;
    const edit: FixEdit = {
      kind: 'text',
      file: 'm.tf',
      start,
      end,
      text: '["a", "c"]',
      literalOnly: true,
      items: ['"a"', '"c"'],
    };
    expect(apply(edit, tf)).toBe('x = [\n    "a",\n    "c",\n  ]\n');
    const oneLine = 'x = ["a", "b"]\n';
    expect(apply({ ...edit, start: 4, end: 14 }, oneLine)).toBe('x = ["a", "c"]\n');
  });
});
