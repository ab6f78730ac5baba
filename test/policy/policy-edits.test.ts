/**
 * The policy edits rules offer as fixes (rules/support/policy-edits.ts): each replaces the right range of the text
 * as given, keeps the layout of what is around it, and is not offered where the value is not a plain literal.
 */
import {
  addAttribute,
  insertFirst,
  insertLast,
  removeAttribute,
  removeElement,
  replaceAttributeValue,
  replaceElementText,
  type EditableText,
} from '../../rules/support/policy-edits';
import type { PolicyTextFix } from '../../rules/support/contract';
import { findElements, parsePolicy } from '../../src/policy/parser';
import type { PolicyElement } from '../../src/policy/types';

const TEXT = [
  '<policies>',
  '  <inbound>',
  '    <validate-jwt header-name=\'Authorization\' require-expiration-time="false" failed-validation-httpcode="{{code}}">',
  '      <audiences>',
  '        <audience>api://orders</audience>',
  '      </audiences>',
  '      <issuers><issuer>{{issuer}}</issuer></issuers>',
  '      <openid-config url="https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration" />',
  '    </validate-jwt>',
  '  </inbound>',
  '</policies>',
].join('\n');

const at: EditableText = { text: TEXT, origin: { file: 'policy.xml', pointer: '' } };

function element(name: string): PolicyElement {
  const root = parsePolicy(TEXT, 'rawxml').root!;
  return findElements(root, name)[0]!;
}

function applied(fix: PolicyTextFix | undefined): string {
  if (!fix) throw new Error('no edit');
  return TEXT.slice(0, fix.start) + fix.text + TEXT.slice(fix.end);
}

describe('policy edits', () => {
  it('removes an attribute with the white space before it', () => {
    expect(applied(removeAttribute(at, element('validate-jwt'), 'require-expiration-time'))).toBe(
      TEXT.replace(' require-expiration-time="false"', ''),
    );
  });

  it('replaces a literal attribute value (single or double quotes), escaped', () => {
    expect(applied(replaceAttributeValue(at, element('validate-jwt'), 'header-name', 'X-"Token"'))).toBe(
      TEXT.replace("header-name='Authorization'", "header-name='X-&quot;Token&quot;'"),
    );
    // A single quote in a value inside single quotes would end the attribute.
    expect(applied(replaceAttributeValue(at, element('validate-jwt'), 'header-name', "X-'T'"))).toBe(
      TEXT.replace("header-name='Authorization'", "header-name='X-&apos;T&apos;'"),
    );
    const url = 'https://login.microsoftonline.com/t/.well-known/openid-configuration';
    expect(applied(replaceAttributeValue(at, element('openid-config'), 'url', url))).toBe(
      TEXT.replace(/url="[^"]*"/, `url="${url}"`),
    );
  });

  it('offers no edit of a value written with a named value', () => {
    expect(
      replaceAttributeValue(at, element('validate-jwt'), 'failed-validation-httpcode', '401'),
    ).toBeUndefined();
    expect(replaceElementText(at, element('issuer'), 'https://sts.windows.net/t/')).toBeUndefined();
  });

  it('replaces the text of an element', () => {
    expect(applied(replaceElementText(at, element('audience'), 'a&b'))).toBe(
      TEXT.replace('<audience>api://orders</audience>', '<audience>a&amp;b</audience>'),
    );
  });

  it('adds an attribute after the last one', () => {
    expect(applied(addAttribute(at, element('openid-config'), 'x', '1'))).toBe(
      TEXT.replace('openid-configuration" />', 'openid-configuration" x="1" />'),
    );
    expect(addAttribute(at, element('validate-jwt'), 'header-name', 'y')).toBeUndefined();
  });

  it('inserts first and last on lines of their own when the content is, else inline', () => {
    expect(applied(insertFirst(at, element('inbound'), '<base />'))).toBe(
      TEXT.replace('  <inbound>\n', '  <inbound>\n    <base />\n'),
    );
    expect(applied(insertLast(at, element('audiences'), '<audience>b</audience>'))).toBe(
      TEXT.replace(
        '<audience>api://orders</audience>\n',
        '<audience>api://orders</audience>\n        <audience>b</audience>\n',
      ),
    );
    expect(applied(insertLast(at, element('issuers'), '<issuer>i</issuer>'))).toBe(
      TEXT.replace(
        '<issuer>{{issuer}}</issuer></issuers>',
        '<issuer>{{issuer}}</issuer><issuer>i</issuer></issuers>',
      ),
    );
    expect(insertFirst(at, element('openid-config'), '<x />')).toBeUndefined();
  });

  it('removes an element', () => {
    expect(applied(removeElement(at, element('issuers')))).toBe(
      TEXT.replace('<issuers><issuer>{{issuer}}</issuer></issuers>', ''),
    );
  });

  it('offers nothing for a text without an origin', () => {
    expect(removeElement(undefined, element('issuers'))).toBeUndefined();
  });
});
