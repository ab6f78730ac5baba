import { evaluateDeep, evaluateString, withCopyIndex } from '../../../src/sources/arm/evaluate';
import { PartialString, Unknown, type ArmScope, type ArmValue } from '../../../src/sources/arm/values';

function scope(parameters: Record<string, ArmValue> = {}, variables: Record<string, unknown> = {}): ArmScope {
  const self: ArmScope = {
    parameter: (name) =>
      name in parameters ? (parameters[name] ?? null) : new Unknown(`parameter '${name}' has no value`),
    variable: (name) => evaluateDeep(variables[name], self),
    copyIndex: () => new Unknown('no loop'),
    reference: () => new Unknown('reference() reads the deployed resource'),
  };
  return self;
}

const known = scope({ apim: 'contoso-apim', tenant: 'contoso.onmicrosoft.com', n: 3, on: true });
const evaluate = (expression: string, s: ArmScope = known) => evaluateString(expression, s);

describe('ARM template expressions', () => {
  it('evaluates the functions templates build names and URLs with', () => {
    expect(evaluate("[concat(parameters('apim'), '/', 'colors-api')]")).toBe('contoso-apim/colors-api');
    expect(evaluate("[format('{0}/{1}', parameters('apim'), 'policy')]")).toBe('contoso-apim/policy');
    expect(evaluate("[format('{{literal}} {0}', 1)]")).toBe('{literal} 1');
    expect(evaluate("[toLower('Colors-OAuth')]")).toBe('colors-oauth');
    expect(evaluate("[toUpper(parameters('apim'))]")).toBe('CONTOSO-APIM');
    expect(evaluate("[replace(parameters('apim'), '-', '')]")).toBe('contosoapim');
    expect(
      evaluate("[uri('https://login.microsoftonline.com/', concat(parameters('tenant'), '/v2.0'))]"),
    ).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(evaluate("[if(parameters('on'), 'a', 'b')]")).toBe('a');
    expect(evaluate("[coalesce(null(), parameters('apim'))]")).toBe('contoso-apim');
    expect(evaluate("[string(parameters('on'))]")).toBe('True');
    expect(evaluate("[length(split('a/b/c', '/'))]")).toBe(3);
    expect(evaluate("[last(split(concat(parameters('apim'), '/x'), '/'))]")).toBe('x');
    expect(evaluate("[union(createObject('a', 1), json('{\"b\": 2}'))]")).toEqual({ a: 1, b: 2 });
    expect(evaluate('[createArray(1, 2)[1]]')).toBe(2);
    expect(evaluate('[json(\'{"a": {"b": 5}}\').a.b]')).toBe(5);
    expect(evaluate("[tryGet(json('{\"a\": 1}'), 'missing')]")).toBe(null);
    expect(evaluate("[equals(add(parameters('n'), 1), 4)]")).toBe(true);
    expect(evaluate("[map(range(0, 3), lambda('i', format('s{0}', lambdaVariables('i'))))]")).toEqual([
      's0',
      's1',
      's2',
    ]);
    expect(evaluate("[filter(createArray(1, 2, 3), lambda('x', greater(lambdaVariables('x'), 1)))]")).toEqual(
      [2, 3],
    );
    expect(evaluate('[[literal]')).toBe('[literal]');
    expect(evaluate('plain text')).toBe('plain text');
  });

  it('takes min() and max() of an array of any length (not spread into a call: past some 100,000 that throws)', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_000);
    const big = scope({}, { values });
    expect(evaluate("[max(variables('values'))]", big)).toBe(299_999);
    expect(evaluate("[min(variables('values'))]", big)).toBe(0);
    expect(evaluate('[max(3, 9, 4)]')).toBe(9);
    expect(evaluate('[min(createArray(3, -2, 4))]')).toBe(-2);
  });

  it('evaluates variables that use parameters and other variables', () => {
    const s = scope(
      { tenant: 'contoso.onmicrosoft.com' },
      {
        login: "[concat('https://login.microsoftonline.com/', parameters('tenant'))]",
        token: "[concat(variables('login'), '/oauth2/v2.0/token')]",
      },
    );
    expect(evaluate("[variables('token')]", s)).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
  });

  it('returns Unknown (with the reason) for what only a deployment knows, never a guess', () => {
    for (const expression of [
      '[resourceGroup().location]',
      '[uniqueString(resourceGroup().id)]',
      "[reference('apim').properties.developerPortalUrl]",
      "[listSecrets('x', '2022-08-01').clientSecret]",
      '[utcNow()]',
      "[parameters('missing')]",
      "[toLower(parameters('missing'))]",
      "[equals(parameters('missing'), 'x')]",
      "[if(parameters('missing'), 'a', 'b')]",
      "[contoso.helper('x')]",
      "[notAFunction('x')]",
      "[concat('a', (]",
    ]) {
      expect(evaluate(expression)).toBeInstanceOf(Unknown);
    }
    expect((evaluate("[parameters('missing')]") as Unknown).reason).toBe("parameter 'missing' has no value");
    expect((evaluate("[parameters('missing')]") as Unknown).expression).toBe("parameters('missing')");
    expect((evaluate('[resourceGroup().location]') as Unknown).reason).toBe(
      'resourceGroup() is known only at deployment',
    );
    // An if() whose branches agree does not need its condition.
    expect(evaluate("[if(parameters('missing'), 'same', 'same')]")).toBe('same');
    expect(evaluate("[and(false(), parameters('missing'))]")).toBe(false);
    expect(evaluate("[or(true(), parameters('missing'))]")).toBe(true);
  });

  it('keeps the known pieces of a string with unknown parts (for resource names)', () => {
    const value = evaluate("[format('{0}/colors-api', parameters('missing'))]");
    expect(value).toBeInstanceOf(PartialString);
    const parts = (value as PartialString).parts;
    expect(parts[0]).toBeInstanceOf(Unknown);
    expect(parts[1]).toBe('/colors-api');
    const id = evaluate(
      "[resourceId('Microsoft.ApiManagement/service/apis', parameters('apim'), 'colors-api')]",
    );
    expect(id).toBeInstanceOf(PartialString);
    expect((id as PartialString).parts.filter((p) => typeof p === 'string').join('')).toContain(
      '/providers/Microsoft.ApiManagement/service/contoso-apim/apis/colors-api',
    );
  });

  it('evaluates copyIndex() inside a loop and property copies', () => {
    const inLoop = withCopyIndex(scope({ names: ['a', 'b'] }), 'servers', 1);
    expect(evaluate("[parameters('names')[copyIndex()]]", inLoop)).toBe('b');
    expect(evaluate("[copyIndex('servers', 10)]", inLoop)).toBe(11);
    expect(evaluate('[copyIndex()]')).toBeInstanceOf(Unknown);
    expect(
      evaluateDeep(
        {
          copy: [
            {
              name: 'redirectUris',
              count: 2,
              input: "[format('https://h{0}/cb', copyIndex('redirectUris'))]",
            },
          ],
        },
        known,
      ),
    ).toEqual({ redirectUris: ['https://h0/cb', 'https://h1/cb'] });
  });
});
