import {
  MAX_NESTING_DEPTH,
  MAX_WARNINGS,
  SYNTHETIC_ROOT,
  attr,
  attribute,
  childElements,
  elementText,
  findElements,
  lineColumn,
  parsePolicy,
  type PolicyTextFormat,
} from '../../src/policy/parser';
import type { ParsedPolicy, PolicyElement, PolicyText } from '../../src/policy/types';

function parse(text: string, format?: PolicyTextFormat): ParsedPolicy {
  return parsePolicy(text, format);
}

/** Parses and requires a document (no error). */
function root(text: string, format?: PolicyTextFormat): PolicyElement {
  const result = parse(text, format);
  if (result.error) throw new Error(`unexpected error: ${result.error.message} @${result.error.offset}`);
  if (!result.root) throw new Error('no root');
  return result.root;
}

function only(root: PolicyElement, name: string): PolicyElement {
  const found = findElements(root, name);
  expect(found).toHaveLength(1);
  return found[0] as PolicyElement;
}

function textNode(element: PolicyElement): PolicyText {
  const node = element.children.find((c): c is PolicyText => c.type === 'text');
  if (!node) throw new Error(`<${element.name}> has no text`);
  return node;
}

function at(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `${line}:${column}`;
}

function messages(result: ParsedPolicy): string[] {
  return result.warnings.map((w) => w.message);
}

describe('policy parser: rawxml expressions', () => {
  it('reads an attribute expression containing the attribute quote character and &&', () => {
    const text = [
      '<policies>',
      '  <inbound>',
      '    <validate-jwt header-name="Authorization" failed-validation-httpcode="401">',
      '      <when condition="@(context.Request.Method == "POST" && !((Jwt)context.Variables["jwt"]).Claims["group"].Contains("finance"))" x="1" />',
      '    </validate-jwt>',
      '  </inbound>',
      '</policies>',
    ].join('\n');
    const result = parse(text, 'rawxml');
    expect(result.error).toBeUndefined();
    expect(result.warnings).toEqual([]);
    const when = only(result.root as PolicyElement, 'when');
    const condition = attribute(when, 'condition');
    expect(condition?.value).toBe(
      '@(context.Request.Method == "POST" && !((Jwt)context.Variables["jwt"]).Claims["group"].Contains("finance"))',
    );
    expect(condition?.offset).toBe(text.indexOf('condition='));
    expect(at(text, condition?.offset ?? -1)).toBe('4:13');
    expect(condition?.valueOffset).toBe(text.indexOf('@(context'));
    expect(at(text, condition?.valueOffset ?? -1)).toBe('4:24');
    expect(attr(when, 'x')).toBe('1');
    expect(when.selfClosing).toBe(true);
    expect(at(text, when.offset)).toBe('4:7');
    expect(when.end).toBe(text.indexOf('/>') + 2);
  });

  it('keeps generics, comparison operators and indexers opaque', () => {
    const text =
      '<set-variable name="v" value="@(context.Request.Body.As<JObject>(preserveContent: true)["a"].Value<string>() ?? (1 > 2 ? "<" : ">"))" />';
    const element = root(text);
    expect(element.name).toBe('set-variable');
    expect(attr(element, 'value')).toBe(
      '@(context.Request.Body.As<JObject>(preserveContent: true)["a"].Value<string>() ?? (1 > 2 ? "<" : ">"))',
    );
  });

  it('reads verbatim strings with doubled quotes and brackets inside', () => {
    const text = '<set-header name="p"><value>@(@"C:\\dir ""quoted"" )}" + @"")")</value></set-header>';
    const value = only(root(text), 'value');
    expect(elementText(value)).toBe('@(@"C:\\dir ""quoted"" )}" + @"")")');
    expect(textNode(value).expression).toBe(true);
    expect(textNode(value).offset).toBe(text.indexOf('@(@'));
  });

  it('reads regular strings with escapes, char literals and comments', () => {
    const text = [
      '<set-variable name="a" value="@(s.Trim(\'"\').Replace("\\")\\"", \'\\\'\'.ToString()))" />',
      '<set-body>@{',
      '  // don\'t stop at "quotes" or </set-body> in a comment',
      '  /* nor here: ) } " */',
      '  return "\\"}" + \'}\';',
      '}</set-body>',
    ].join('\n');
    const result = parse(text);
    expect(result.error).toBeUndefined();
    const [variable, body] = childElements(result.root as PolicyElement);
    expect(attr(variable as PolicyElement, 'value')).toBe(
      '@(s.Trim(\'"\').Replace("\\")\\"", \'\\\'\'.ToString()))',
    );
    expect(elementText(body as PolicyElement)).toBe(
      text.slice(text.indexOf('@{'), text.lastIndexOf('</set-body>')),
    );
  });

  it('balances nested braces in @{ } and reads < and > in element text', () => {
    const text =
      '<set-body>@{ if (a < b && c > d) { var x = new { A = "}" }; return "</set-body>"; } return "{"; }</set-body>';
    const body = root(text);
    expect(body.children).toHaveLength(1);
    expect(elementText(body)).toBe(text.slice(10, text.length - '</set-body>'.length));
    expect(body.end).toBe(text.length);
  });

  it('reads interpolated strings with holes, nested strings and literal braces', () => {
    const value = '@($"{{x}} {context.Variables["a"]} {(b ? "}" : $"{c}")} }}" + $@"{d}""")';
    const element = root(`<set-header name="h"><value>${value}</value></set-header>`);
    expect(elementText(only(element, 'value'))).toBe(value);
  });

  it('treats a quote run like "a=""" as strings, not a raw string literal (fixture method-authorization)', () => {
    const value = '@(context.Request.Method.Equals("patch=""",StringComparison.OrdinalIgnoreCase))';
    const element = root(`<when condition="${value}"><x/></when>`);
    expect(attr(element, 'condition')).toBe(value);
    expect(childElements(element).map((e) => e.name)).toEqual(['x']);
  });

  it('warns about a string literal that runs to the end of its line and keeps reading', () => {
    const text = '<set-body>@{\n  var s = "unterminated;\n  return s;\n}</set-body>';
    const result = parse(text);
    expect(result.error).toBeUndefined();
    expect(result.warnings).toEqual([
      {
        message:
          'unterminated string literal in the policy expression at 1:11; it ends at the end of its line',
        offset: text.indexOf('"unterminated'),
      },
    ]);
  });

  it('is an error when an expression is not closed before the end of the text', () => {
    const text =
      '<policies>\n  <inbound>\n    <set-variable name="a" value="@(foo("x")" />\n  </inbound>\n</policies>';
    const result = parse(text);
    expect(result.root).toBeUndefined();
    expect(result.error).toEqual({
      message: "unterminated policy expression @(: no matching ')' before the end of the text",
      offset: text.indexOf('@('),
    });
    expect(at(text, result.error?.offset ?? -1)).toBe('3:35');
  });

  it('reads an expression that does not start the value, and leaves a plain @ alone', () => {
    const text =
      '<set-header name="Authorization" value="Bearer @((string)context.Variables["token"])"><value>ops@contoso.com</value></set-header>';
    const header = root(text);
    expect(attr(header, 'value')).toBe('Bearer @((string)context.Variables["token"])');
    expect(textNode(only(header, 'value'))).toMatchObject({ value: 'ops@contoso.com', expression: false });
  });

  it('keeps named values and Terraform placeholders verbatim', () => {
    const text = [
      '<policies>',
      '  <inbound>',
      '    <set-url>${KeyVaultUri}secrets/?v={{api-version}}</set-url>',
      '    <set-header name="{{header-name}}" value="${jsonencode("a\\"b")}" />',
      '    <allowed-origins>',
      '      %{ for key, value in origins ~}',
      '      <origin>${value}</origin>',
      '      %{ endfor ~}',
      '    </allowed-origins>',
      '    <to>admin@{{mail-domain}}</to>',
      '  </inbound>',
      '</policies>',
    ].join('\n');
    const result = parse(text, 'rawxml');
    expect(result.warnings).toEqual([]);
    const policies = result.root as PolicyElement;
    expect(elementText(only(policies, 'set-url'))).toBe('${KeyVaultUri}secrets/?v={{api-version}}');
    expect(textNode(only(policies, 'set-url')).expression).toBe(false);
    const header = only(policies, 'set-header');
    expect(attr(header, 'name')).toBe('{{header-name}}');
    expect(attr(header, 'value')).toBe('${jsonencode("a\\"b")}');
    expect(elementText(only(policies, 'origin'))).toBe('${value}');
    const directives = only(policies, 'allowed-origins').children.map((c) =>
      c.type === 'text' ? c.value.trim() : c.type,
    );
    expect(directives).toEqual(['%{ for key, value in origins ~}', 'element', '%{ endfor ~}']);
    expect(textNode(only(policies, 'to'))).toMatchObject({
      value: 'admin@{{mail-domain}}',
      expression: false,
    });
  });
});

describe('policy parser: xml format and entities', () => {
  const encoded =
    '<policies><inbound><choose><when condition="@(context.Request.Method == &quot;POST&quot; &amp;&amp; x &lt; 3)">' +
    '<set-body>@{ return a.As&lt;JObject&gt;()[&quot;k&quot;].ToString(); }</set-body></when></choose></inbound></policies>';

  it('decodes an xml-format document once', () => {
    const result = parse(encoded, 'xml');
    expect(result.warnings).toEqual([]);
    const policies = result.root as PolicyElement;
    const when = only(policies, 'when');
    expect(attr(when, 'condition')).toBe('@(context.Request.Method == "POST" && x < 3)');
    expect(attribute(when, 'condition')?.valueOffset).toBe(encoded.indexOf('@('));
    const body = textNode(only(policies, 'set-body'));
    expect(body).toMatchObject({ value: '@{ return a.As<JObject>()["k"].ToString(); }', expression: true });
  });

  it('detects entity-encoded expressions when the format is unknown, and warns once under rawxml', () => {
    const detected = parse(encoded, undefined);
    expect(detected.warnings).toEqual([]);
    expect(attr(only(detected.root as PolicyElement, 'when'), 'condition')).toBe(
      '@(context.Request.Method == "POST" && x < 3)',
    );
    const raw = parse(encoded, 'rawxml');
    expect(attr(only(raw.root as PolicyElement, 'when'), 'condition')).toBe(
      '@(context.Request.Method == "POST" && x < 3)',
    );
    expect(raw.warnings).toEqual([
      {
        message:
          'policy expression is entity-encoded although the format is rawxml; encoded expressions are decoded once',
        offset: encoded.indexOf('@('),
      },
    ]);
  });

  it('reads a whole document as xml when the format is unknown and one expression is evidently encoded', () => {
    // Corpus 028: well-formed XML whose element text uses raw quotes but &amp; inside a C# string.
    const text =
      '<policies><set-variable name="oid" value="@(((Jwt)context.Variables[&quot;jwt&quot;]).Claims[&quot;oid&quot;])" />' +
      '<set-url>@($"https://graph/users?$count=true&amp;$filter=id eq \'{(string)context.Variables["oid"]}\'")</set-url></policies>';
    const result = parse(text);
    expect(result.warnings).toEqual([]);
    const url = elementText(only(result.root as PolicyElement, 'set-url'));
    expect(url).toBe(
      '@($"https://graph/users?$count=true&$filter=id eq \'{(string)context.Variables["oid"]}\'")',
    );
    expect(elementText(only(root(text, 'rawxml'), 'set-url'))).toContain('true&amp;$filter');
  });

  it('keeps references inside rawxml string literals verbatim (no double decoding)', () => {
    const element = root('<set-body>@("a &amp; b")</set-body>', 'rawxml');
    expect(elementText(element)).toBe('@("a &amp; b")');
    expect(elementText(root('<set-body>@("a &amp;amp; b") &amp; c</set-body>', 'rawxml'))).toBe(
      '@("a &amp;amp; b") & c',
    );
  });

  it('decodes numeric references and keeps unknown or invalid ones verbatim with a warning', () => {
    const text = '<value a="&#65;&#x42;&nbsp;">&#67;&#x1F600;&copy;&#0;&#xD800;</value>';
    const result = parse(text);
    const value = result.root as PolicyElement;
    expect(attr(value, 'a')).toBe('AB&nbsp;');
    expect(elementText(value)).toBe('C\u{1F600}&copy;&#0;&#xD800;');
    expect(result.warnings).toEqual([
      { message: 'unknown entity &nbsp; kept verbatim', offset: text.indexOf('&nbsp;') },
      { message: 'unknown entity &copy; kept verbatim', offset: text.indexOf('&copy;') },
      {
        message: 'character reference &#0; is not an XML character; kept verbatim',
        offset: text.indexOf('&#0;'),
      },
      {
        message: 'character reference &#xD800; is not an XML character; kept verbatim',
        offset: text.indexOf('&#xD800;'),
      },
    ]);
  });

  it('keeps a bare & verbatim: silently in rawxml, with a warning in xml', () => {
    expect(parse('<v>a && b</v>', 'rawxml').warnings).toEqual([]);
    const xml = parse('<v>a && b</v>', 'xml');
    expect(elementText(xml.root as PolicyElement)).toBe('a && b');
    expect(xml.warnings).toEqual([
      { message: "unescaped '&' kept as text", offset: 5 },
      { message: "unescaped '&' kept as text", offset: 6 },
    ]);
  });

  it('reads an xml-declared document that is really rawxml, with a warning', () => {
    const text =
      '<policies>\n  <inbound>\n    <set-variable name="a" value="@(x["k"])" />\n  </inbound>\n</policies>';
    const result = parse(text, 'xml');
    expect(result.error).toBeUndefined();
    expect(attr(only(result.root as PolicyElement, 'set-variable'), 'value')).toBe('@(x["k"])');
    expect(result.warnings[0]?.message).toBe(
      'format is xml but the text is not well-formed XML at 3:41 (unexpected "\\"" in start tag <set-variable> opened at 3:5); read as rawxml',
    );
    expect(result.warnings[0]?.offset).toBe(text.indexOf('"])'));
  });

  it('does not expand a DOCTYPE entity bomb and never loads external entities', () => {
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join(
      '\n',
    );
    const text = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 "lol">\n${lol}\n <!ENTITY ext SYSTEM "file:///etc/passwd">\n]>\n<policies><inbound>&lol9;&ext;</inbound></policies>`;
    const started = Date.now();
    const result = parse(text);
    expect(Date.now() - started).toBeLessThan(1000);
    const inbound = only(result.root as PolicyElement, 'inbound');
    expect(elementText(inbound)).toBe('&lol9;&ext;');
    expect(result.warnings).toEqual([
      {
        message: 'DOCTYPE ignored: external DTDs are never loaded and declared entities are not expanded',
        offset: text.indexOf('<!DOCTYPE'),
      },
      { message: 'unknown entity &lol9; kept verbatim', offset: text.indexOf('&lol9;&ext;') },
      { message: 'unknown entity &ext; kept verbatim', offset: text.indexOf('&ext;</') },
    ]);
  });
});

describe('policy parser: markup', () => {
  it('keeps CDATA and comments (containing < and quotes) as nodes with offsets', () => {
    const text =
      '<policies>\n  <!-- <inbound> & "x" -->\n  <set-body><![CDATA[<a href="x">&amp;</a>]]></set-body>\n</policies>';
    const policies = root(text);
    expect(policies.children[0]).toEqual({ type: 'comment', value: ' <inbound> & "x" ', offset: 13 });
    expect(at(text, 13)).toBe('2:3');
    const body = only(policies, 'set-body');
    expect(body.children).toEqual([
      { type: 'cdata', value: '<a href="x">&amp;</a>', offset: text.indexOf('<![CDATA[') },
    ]);
    expect(elementText(body)).toBe('<a href="x">&amp;</a>');
  });

  it('skips the XML declaration and processing instructions, and tolerates a BOM and CRLF', () => {
    const text =
      '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<policies>\r\n  <inbound>\r\n    <base />\r\n  </inbound>\r\n</policies>\r\n';
    const policies = root(text);
    expect(policies.name).toBe('policies');
    const base = only(policies, 'base');
    expect(base.offset).toBe(text.indexOf('<base'));
    expect(at(text, base.offset)).toBe('4:5');
    expect(base).toMatchObject({ selfClosing: true, end: text.indexOf('/>') + 2, children: [] });
    expect(policies.end).toBe(text.length - 2);
  });

  it('drops whitespace-only text and keeps other text exactly', () => {
    const policies = root('<policies>\n  <inbound>\n    <value>  a b  </value>\n  </inbound>\n</policies>');
    expect(policies.children).toHaveLength(1);
    expect(elementText(only(policies, 'value'))).toBe('  a b  ');
  });

  it('reads a <fragment> root', () => {
    const fragment = root('<fragment>\n  <validate-jwt header-name="Authorization" />\n</fragment>');
    expect(fragment.name).toBe('fragment');
    expect(childElements(fragment).map((e) => e.name)).toEqual(['validate-jwt']);
  });

  it('reads a bare element as the root', () => {
    const result = parse(
      '<!-- snippet -->\n<validate-jwt header-name="Authorization">\n  <audiences />\n</validate-jwt>\n',
    );
    expect(result.warnings).toEqual([]);
    expect(result.root?.name).toBe('validate-jwt');
  });

  it('wraps several top-level elements in a synthetic root with a warning', () => {
    const text = '<base />\n<!-- then -->\n<validate-jwt header-name="a" />\n<set-header name="b" />';
    const result = parse(text);
    const wrapper = result.root as PolicyElement;
    expect(wrapper.name).toBe(SYNTHETIC_ROOT);
    expect(wrapper.children.map((c) => (c.type === 'element' ? c.name : c.type))).toEqual([
      'base',
      'comment',
      'validate-jwt',
      'set-header',
    ]);
    expect(wrapper.offset).toBe(0);
    expect(parse('<!--a--><b/><c/><!--d-->').root).toMatchObject({ offset: 0, end: 24 });
    expect(wrapper.end).toBe(text.length);
    expect(result.warnings).toEqual([
      {
        message: `3 top-level elements (a partial snippet); wrapped in a synthetic <${SYNTHETIC_ROOT}> element`,
        offset: text.indexOf('<validate-jwt'),
      },
    ]);
  });

  it('warns about text outside the root element', () => {
    const result = parse('Copy this:\n<policies />');
    expect(result.root?.name).toBe('policies');
    expect(result.warnings).toEqual([{ message: 'text outside the root element ignored', offset: 0 }]);
  });

  it('reports tolerated attribute problems as warnings', () => {
    const text = '<a b="1"c="2" d e=f b=\'3\' g=/>';
    const result = parse(text);
    const a = result.root as PolicyElement;
    expect(a.attributes.map((x) => [x.name, x.value, x.offset, x.valueOffset])).toEqual([
      ['b', '1', 3, 6],
      ['c', '2', 8, 11],
      ['d', '', 14, 15],
      ['e', 'f', 16, 18],
      ['b', '3', 20, 23],
      ['g', '', 26, 28],
    ]);
    expect(a.selfClosing).toBe(true);
    expect(result.warnings).toEqual([
      { message: 'missing whitespace before an attribute of <a>', offset: 8 },
      { message: 'attribute d of <a> has no value', offset: 14 },
      { message: 'value of attribute e of <a> is not quoted', offset: 18 },
      { message: 'duplicate attribute b of <a>', offset: 20 },
      { message: 'attribute g of <a> has no value', offset: 28 },
    ]);
  });

  it("reads '<!-->' as the start of a comment, not a whole one", () => {
    expect(root('<a><!-->--></a>').children).toEqual([{ type: 'comment', value: '>', offset: 3 }]);
  });

  it('keeps a < in an attribute value: silently in rawxml, with a warning in xml', () => {
    const text = '<a b="x < y" />';
    expect(parse(text, 'rawxml')).toMatchObject({ warnings: [], root: { attributes: [{ value: 'x < y' }] } });
    expect(parse(text, 'xml').warnings).toEqual([{ message: "unescaped '<' kept as text", offset: 8 }]);
  });

  it(`keeps at most ${MAX_WARNINGS} warnings and says how many more there were`, () => {
    const result = parse(`<a>${'&x; '.repeat(MAX_WARNINGS + 5)}</a>`);
    expect(result.warnings).toHaveLength(MAX_WARNINGS + 1);
    expect(result.warnings[MAX_WARNINGS]).toEqual({
      message: '5 more warnings not shown',
      offset: 3 + 4 * (MAX_WARNINGS - 1),
    });
  });

  it('keeps a < that starts no markup as text', () => {
    const result = parse('<v>a < b <= c</v>');
    expect(elementText(result.root as PolicyElement)).toBe('a < b <= c');
    expect(result.warnings).toEqual([
      { message: "'<' does not start markup; kept as text", offset: 5 },
      { message: "'<' does not start markup; kept as text", offset: 9 },
    ]);
  });
});

describe('policy parser: structure errors and recovery', () => {
  it('is an error when a closing tag matches no open element', () => {
    const text = '<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>';
    const result = parse(text);
    expect(result.root).toBeUndefined();
    expect(result.error).toEqual({
      message: 'expected </inbound> to close <inbound> opened at 2:3, found </outbound>',
      offset: text.indexOf('</outbound>'),
    });
    expect(at(text, result.error?.offset ?? -1)).toBe('4:3');
  });

  it('closes elements left open when an enclosing element closes, with a warning', () => {
    const text =
      '<policies>\n  <inbound>\n    <choose>\n      <when condition="@(true)">\n    </choose>\n  </inbound>\n</policies>';
    const result = parse(text);
    const closing = text.indexOf('</choose>');
    expect(result.warnings).toEqual([
      { message: '<when> opened at 4:7 is not closed; closed by </choose>', offset: closing },
    ]);
    const when = only(result.root as PolicyElement, 'when');
    expect(when.end).toBe(closing);
    expect(only(result.root as PolicyElement, 'choose').end).toBe(closing + '</choose>'.length);
    expect(only(result.root as PolicyElement, 'inbound').children).toHaveLength(1);
  });

  it('closes elements still open at the end of the text, with a warning', () => {
    const text = '<policies>\n  <inbound>\n    <base />';
    const result = parse(text);
    expect(result.root?.end).toBe(text.length);
    expect(only(result.root as PolicyElement, 'inbound').end).toBe(text.length);
    expect(messages(result)).toEqual([
      '<policies> opened at 1:1 is not closed at the end of the text',
      '<inbound> opened at 2:3 is not closed at the end of the text',
    ]);
  });

  it('accepts a closing tag that differs only in case, with a warning', () => {
    const text = '<policies><Inbound></inbound></policies>';
    const result = parse(text);
    expect(result.error).toBeUndefined();
    expect(result.warnings).toEqual([
      { message: 'closing tag </inbound> differs in case from <Inbound> opened at 1:11', offset: 19 },
    ]);
  });

  it('is an error when a closing tag follows the closed root', () => {
    const result = parse('<policies></policies>\n</inbound>');
    expect(result.error).toEqual({
      message: 'unexpected closing tag </inbound>: no element is open',
      offset: 22,
    });
  });

  it.each([
    ['', 'no element found: the text is not a policy document', 0],
    ['  \n<!-- only a comment -->', 'no element found: the text is not a policy document', 3],
    ['<policies><!-- open', "unterminated comment: no '-->' before the end of the text", 10],
    ['<policies><![CDATA[ x', "unterminated CDATA section: no ']]>' before the end of the text", 10],
    ['<?xml version="1.0"', "unterminated processing instruction: no '?>' before the end of the text", 0],
    ['<!DOCTYPE x [ <!ENTITY a ">"> ', "unterminated DOCTYPE: no '>' before the end of the text", 0],
    ['<policies a="1', 'unterminated attribute value: no closing " before the end of the text', 12],
    ['<policies a="1" ', "unterminated start tag <policies>: no '>' before the end of the text", 0],
    ['<policies a=', "unterminated start tag <policies>: no '>' before the end of the text", 0],
    ['<policies></policies', "unterminated closing tag </policies>: no '>' before the end of the text", 10],
    ['<policies></policies x>', 'expected \'>\' to end the closing tag </policies> at 1:11, found "x"', 21],
    ['<policies "a">', 'unexpected "\\"" in start tag <policies> opened at 1:1', 10],
    ['<policies/ >', 'unexpected "/" in start tag <policies> opened at 1:1', 9],
    ['<policies><!ELEMENT x ANY></policies>', 'unsupported markup "<!ELEMENT x "', 10],
    [
      '<set-body>@{ return 1; </set-body>',
      "unterminated policy expression @{: no matching '}' before the end of the text",
      10,
    ],
  ])('error for %j', (text, message, offset) => {
    const result = parse(text);
    expect(result.root).toBeUndefined();
    expect(result.error).toEqual({ message, offset });
  });

  it(`limits nesting to ${MAX_NESTING_DEPTH} levels with an error, however deep the input`, () => {
    const nested = (depth: number): string => '<a>'.repeat(depth) + '</a>'.repeat(depth);
    expect(parse(nested(MAX_NESTING_DEPTH)).error).toBeUndefined();
    const tooDeep = nested(MAX_NESTING_DEPTH + 1);
    expect(parse(tooDeep).error).toEqual({
      message: `elements nested deeper than ${MAX_NESTING_DEPTH} levels`,
      offset: MAX_NESTING_DEPTH * 3,
    });
    const huge = parse('<a>'.repeat(200_000));
    expect(huge.error?.offset).toBe(MAX_NESTING_DEPTH * 3);
    const deepExpression = parse(`<v>@${'('.repeat(100_000)}${')'.repeat(100_000)}</v>`);
    expect(deepExpression.error).toBeUndefined();
  });
});

describe('policy parser: helpers', () => {
  const text = '<policies><inbound><a n="1"><a n="2"/>x<![CDATA[y]]><!--z--></a><b/></inbound></policies>';

  it('findElements walks the tree in document order, including the root', () => {
    const policies = root(text);
    expect(findElements(policies, 'a').map((e) => attr(e, 'n'))).toEqual(['1', '2']);
    expect(findElements(policies, 'policies')).toEqual([policies]);
    expect(findElements(policies, 'missing')).toEqual([]);
  });

  it('attr/attribute/childElements/elementText', () => {
    const a = findElements(root(text), 'a')[0] as PolicyElement;
    expect(attr(a, 'n')).toBe('1');
    expect(attr(a, 'missing')).toBeUndefined();
    expect(attribute(a, 'n')).toEqual({
      name: 'n',
      value: '1',
      offset: text.indexOf('n="1"'),
      valueOffset: text.indexOf('1"'),
    });
    expect(childElements(a).map((e) => e.name)).toEqual(['a']);
    expect(elementText(a)).toBe('xy');
  });

  it('lineColumn counts lines at \\n, 1-based, clamped to the text', () => {
    expect(lineColumn('ab\r\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\r\ncd', 3)).toEqual({ line: 1, column: 4 });
    expect(lineColumn('ab\r\ncd', 4)).toEqual({ line: 2, column: 1 });
    expect(lineColumn('ab\r\ncd', 6)).toEqual({ line: 2, column: 3 });
    expect(lineColumn('ab', 99)).toEqual({ line: 1, column: 3 });
  });
});
