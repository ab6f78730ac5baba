/**
 * Reading token validation out of effective policies: which `validate-jwt` / `validate-azure-ad-token` statements
 * run for which operations of current APIs, what they are configured with (named values substituted), and which
 * backend app registrations stand behind the APIs they protect. Shared by the `jwt-*` rules and
 * `api-validate-jwt` so that they agree on what is validated where.
 */
import type { Violation } from './contract';
import type { Api, App, AuthServer, Model } from '../../src/model/types';
import { textEntity } from './policy-texts';
import { type PolicyText } from '../../src/policy/fragments';
import {
  allStatements,
  effectivePolicies,
  type EffectiveStatement,
  type OperationPolicy,
  type StatementSource,
  type Unreadable,
} from '../../src/policy/effective';
import { resolveNamedValues, type ResolvedValue } from '../../src/policy/named-values';
import { WrittenMap } from '../../src/policy/written';
import { attr, childElements, elementText, findElements, findElementsNamed } from '../../src/policy/parser';
import type { PolicyElement } from '../../src/policy/types';
import { fitted } from '../../src/util/lists';

export type ValidatorName = 'validate-jwt' | 'validate-azure-ad-token';

export function isTokenValidation(statement: EffectiveStatement): boolean {
  return statement.element.name === 'validate-jwt' || statement.element.name === 'validate-azure-ad-token';
}

/** Operations of current API revisions (the ones the gateway serves by default). */
export function currentOperations(model: Model): OperationPolicy[] {
  return perModel(currentMemo, model, () =>
    effectivePolicies(model).operations.filter((o) => o.api.isCurrent),
  );
}

const currentMemo = new WeakMap<Model, OperationPolicy[]>();
const validationsMemo = new WeakMap<Model, ValidationUse[]>();
const unreadableMemo = new WeakMap<Model, Unreadable[]>();

/** Computed once per model: several rules read the same lists (they must not change them). */
function perModel<T>(memo: WeakMap<Model, T>, model: Model, compute: () => T): T {
  const cached = memo.get(model);
  if (cached !== undefined) return cached;
  const value = compute();
  memo.set(model, value);
  return value;
}

/** One token-validation element and the operations whose effective inbound runs it. */
export interface ValidationUse {
  statement: EffectiveStatement;
  kind: ValidatorName;
  operations: OperationPolicy[];
  /** The APIs of those operations, in model order. */
  apis: Api[];
}

/**
 * Every token validation that runs (on some call path, possibly under a condition) for an operation of a current
 * API, once per element however many operations share it (a global `validate-jwt` is one use).
 */
export function tokenValidations(model: Model): ValidationUse[] {
  return perModel(validationsMemo, model, () => findTokenValidations(model));
}

function findTokenValidations(model: Model): ValidationUse[] {
  const uses = new WrittenMap<ValidationUse & { seen: Set<unknown> }>();
  for (const op of currentOperations(model)) {
    for (const path of op.paths) {
      for (const statement of allStatements(path.sections.inbound.statements)) {
        if (!isTokenValidation(statement)) continue;
        let use = uses.get(statement.source, statement.element);
        if (!use) {
          const kind = statement.element.name as ValidatorName;
          use = { statement, kind, operations: [], apis: [], seen: new Set() };
          uses.set(statement.source, statement.element, use);
        }
        if (!use.seen.has(op)) {
          use.seen.add(op);
          use.operations.push(op);
        }
        if (!use.seen.has(op.api)) {
          use.seen.add(op.api);
          use.apis.push(op.api);
        }
      }
    }
  }
  // Kept for the audit: at their lengths (util/lists.ts).
  return [...uses.values()].map(({ statement, kind, operations, apis }) => ({
    statement,
    kind,
    operations: fitted(operations),
    apis: fitted(apis),
  }));
}

/** The unreadable parts of the effective inbound sections of current operations, once each. */
export function unreadableInbound(model: Model): Unreadable[] {
  return perModel(unreadableMemo, model, () => findUnreadableInbound(model));
}

function findUnreadableInbound(model: Model): Unreadable[] {
  const seen = new Set<string>();
  const out: Unreadable[] = [];
  for (const op of currentOperations(model)) {
    for (const path of op.paths) {
      for (const u of path.sections.inbound.unreadable) {
        const id = unreadableId(u);
        if (!seen.has(id)) {
          seen.add(id);
          out.push(u);
        }
      }
    }
  }
  return out;
}

/** Identifies an unreadable part across operations and call paths (one not-evaluated record each). */
export function unreadableId(u: Unreadable): string {
  switch (u.kind) {
    case 'document':
      return `d|${u.document.owner.id}`;
    case 'fragment':
      return `f|${u.fragment.fragment.id}`;
    case 'missing-fragment':
      return `m|${textEntity(u.missing.text).id}|${u.missing.element.offset}`;
  }
}

/** The text (policy or fragment) a statement is written in. */
export function statementText(source: StatementSource): PolicyText {
  return source.fragment ?? source.document;
}

function rootOf(text: PolicyText): PolicyElement | undefined {
  return text.state.kind === 'parsed' ? text.state.root : undefined;
}

/**
 * Where a finding about `element` (written in `source`'s text) points: the element itself inside the policy
 * text, with the policy value as the fallback path. The key names the element by its position among the
 * elements of the same name in that text, so fingerprints survive unrelated edits.
 */
export function locateElement(
  source: StatementSource,
  element: PolicyElement,
): Pick<Violation, 'path' | 'key' | 'textOffset'> {
  const text = statementText(source);
  const root = rootOf(text);
  const ordinal = root ? findElements(root, element.name).indexOf(element) : -1;
  const path = source.fragment ? 'properties/value' : 'policy/value';
  const key = `${element.name}#${ordinal}`;
  return source.origin
    ? { path, key, textOffset: { origin: source.origin, offset: element.offset } }
    : { path, key };
}

/** The entity a finding about a statement belongs to: the fragment it is written in, else the policy owner. */
export function statementEntity(source: StatementSource) {
  return textEntity(statementText(source));
}

/** `the global policy of service 'contoso-apim'`, or `policy fragment 'f' (included by the API policy of 'x')`. */
export function describeSource(source: StatementSource): string {
  return source.fragment
    ? `${source.fragment.label} (included by ${source.document.label})`
    : source.document.label;
}

/** `validate-jwt in the global policy of service 'contoso-apim' (APIs 'a', 'b')`: how findings name a validation. */
export function describeUse(use: ValidationUse): string {
  return `${use.kind} in ${describeSource(use.statement.source)} (${describeApis(use.apis)})`;
}

/** `validate-jwt in the global policy of service 'contoso-apim'`: a validation named in a message with long values. */
export function shortUse(use: ValidationUse): string {
  return `${use.kind} in ${describeSource(use.statement.source)}`;
}

/** `locateElement` for one of several findings about `element` of a validation, told apart by `suffix`. */
export function locateInUse(
  use: ValidationUse,
  element: PolicyElement,
  suffix: string,
): Pick<Violation, 'path' | 'textOffset'> & { key: string } {
  const location = locateElement(use.statement.source, element);
  return { ...location, key: `${keyWithinStatement(use, element) ?? location.key ?? ''}:${suffix}` };
}

/**
 * The key of an element inside a validation (a `<claim>`, a `<value>`, an `<audience>`): its position among the
 * elements of its name within that validation, so that elements of the same name elsewhere in the policy (the
 * `<value>` of a `<set-header>` added above it) do not change the finding's fingerprint (a baseline would report it as
 * new). The first validation of the text keeps the bare form its fingerprints always had (`value#0`); a later one is
 * prefixed with its own position (`validate-jwt#1>value#0`). Undefined for the validation element itself and for
 * an element outside it (those keep `locateElement`'s key).
 */
function keyWithinStatement(use: ValidationUse, element: PolicyElement): string | undefined {
  const statement = use.statement.element;
  if (element === statement) return undefined;
  const ordinal = findElements(statement, element.name).indexOf(element);
  if (ordinal < 0) return undefined;
  const own = `${element.name}#${ordinal}`;
  const root = rootOf(statementText(use.statement.source));
  if (!root) return own;
  const found = findElementsNamed(root, VALIDATORS);
  const first = [...found.values()]
    .flat()
    .reduce<PolicyElement | undefined>((a, b) => (a === undefined || b.offset < a.offset ? b : a), undefined);
  if (first === undefined || first === statement) return own;
  const at = (found.get(statement.name) ?? []).indexOf(statement);
  return `${statement.name}#${at}>${own}`;
}

const VALIDATORS = ['validate-jwt', 'validate-azure-ad-token'];

export function resolvedAttribute(
  source: StatementSource,
  element: PolicyElement,
  name: string,
): ResolvedValue | undefined {
  const raw = attr(element, name);
  return raw === undefined ? undefined : resolveNamedValues(raw.trim(), source.namedValues);
}

export function resolvedText(source: StatementSource, element: PolicyElement): ResolvedValue {
  return resolveNamedValues(elementText(element).trim(), source.namedValues);
}

export interface ValueElement {
  element: PolicyElement;
  value: ResolvedValue;
}

export interface ClaimCheck {
  element: PolicyElement;
  name: string;
  match: 'all' | 'any';
  separator: string | undefined;
  values: ValueElement[];
}

/** What a `validate-jwt` or `validate-azure-ad-token` is configured with, named values substituted. */
export interface ValidationConfig {
  kind: ValidatorName;
  statement: EffectiveStatement;
  openidConfigs: ValueElement[];
  issuers: ValueElement[];
  audiences: ValueElement[];
  /** `validate-azure-ad-token` only. */
  backendApplicationIds: ValueElement[];
  clientApplicationIds: ValueElement[];
  claims: ClaimCheck[];
  /** `<issuer-signing-keys>/<key>` elements. */
  signingKeys: PolicyElement[];
}

function childrenNamed(element: PolicyElement, name: string): PolicyElement[] {
  return childElements(element).filter((c) => c.name === name);
}

function listValues(
  source: StatementSource,
  element: PolicyElement,
  list: string,
  item: string,
): ValueElement[] {
  return childrenNamed(element, list)
    .flatMap((l) => childrenNamed(l, item))
    .map((e) => ({ element: e, value: resolvedText(source, e) }));
}

/** Read once per statement: several rules read the same validations (they must not change what they get). */
const validationConfigs = new WeakMap<EffectiveStatement, ValidationConfig>();

export function readValidation(statement: EffectiveStatement): ValidationConfig {
  let config = validationConfigs.get(statement);
  if (!config) {
    config = configOf(statement);
    validationConfigs.set(statement, config);
  }
  return config;
}

function configOf(statement: EffectiveStatement): ValidationConfig {
  const { element, source } = statement;
  const openidConfigs = childrenNamed(element, 'openid-config').flatMap((e) => {
    const value = resolvedAttribute(source, e, 'url');
    return value ? [{ element: e, value }] : [];
  });
  const claims = childrenNamed(element, 'required-claims')
    .flatMap((r) => childrenNamed(r, 'claim'))
    .map((c): ClaimCheck => ({
      element: c,
      name: (attr(c, 'name') ?? '').trim(),
      match: attr(c, 'match')?.trim().toLowerCase() === 'any' ? 'any' : 'all',
      separator: attr(c, 'separator'),
      values: childrenNamed(c, 'value').map((v) => ({ element: v, value: resolvedText(source, v) })),
    }));
  return {
    kind: element.name as ValidatorName,
    statement,
    // flatMap fills by push: fitted, as the config is kept for the audit (readValidation's memo).
    openidConfigs: fitted(openidConfigs),
    issuers: listValues(source, element, 'issuers', 'issuer'),
    audiences: listValues(source, element, 'audiences', 'audience'),
    backendApplicationIds: listValues(source, element, 'backend-application-ids', 'application-id'),
    clientApplicationIds: listValues(source, element, 'client-application-ids', 'application-id'),
    claims,
    signingKeys: fitted(
      childrenNamed(element, 'issuer-signing-keys').flatMap((k) => childrenNamed(k, 'key')),
    ),
  };
}

/** How an API names an authorization server (its `oauth2` reference, with the API's scope override). */
export interface ServerReference {
  api: Api;
  ref: Api['oauth2'][number];
}

const serverReferenceMemo = new WeakMap<readonly Api[], ReadonlyMap<AuthServer, ServerReference[]>>();

/**
 * The references of `apis` to each authorization server, in API order: indexed once per list of APIs (a
 * validation's `apis`), since a validation protecting every API is checked once per server, and there may be
 * thousands.
 */
export function serverReferences(apis: readonly Api[]): ReadonlyMap<AuthServer, ServerReference[]> {
  const known = serverReferenceMemo.get(apis);
  if (known) return known;
  const refs = new Map<AuthServer, ServerReference[]>();
  for (const api of apis) {
    for (const ref of api.oauth2) {
      if (!ref.target) continue;
      const list = refs.get(ref.target);
      if (list) list.push({ api, ref });
      else refs.set(ref.target, [{ api, ref }]);
    }
  }
  serverReferenceMemo.set(apis, refs);
  return refs;
}

/** A backend app registration behind an API, and the authorization servers of the API that lead to it. */
export interface ApiBackend {
  app: App;
  servers: AuthServer[];
}

/**
 * The backend apps of the APIs a validation protects, with the servers that lead to each. Servers whose backend
 * app is not in the data are returned separately (the rules report them as not evaluated).
 */
export function backendsOf(apis: readonly Api[]): { backends: ApiBackend[]; unknown: AuthServer[] } {
  const byApp = new Map<App, AuthServer[]>();
  const unknown: AuthServer[] = [];
  // Servers in the order the APIs first name them.
  for (const server of serverReferences(apis).keys()) {
    if (!server.backendApp) {
      unknown.push(server);
      continue;
    }
    const servers = byApp.get(server.backendApp);
    if (servers) servers.push(server);
    else byApp.set(server.backendApp, [server]);
  }
  return { backends: [...byApp].map(([app, servers]) => ({ app, servers })), unknown };
}

/** How many names a list of APIs or operations shows before `and N more`. */
const NAMES_SHOWN = 5;

/** `API 'a'` / `APIs 'a', 'b'`. */
export function describeApis(apis: readonly Api[]): string {
  // Names only the first few: a use may protect every API of the service and be described once per finding.
  const shown = apis.slice(0, NAMES_SHOWN).map((a) => a.name);
  return `${apis.length === 1 ? 'API' : 'APIs'} ${listNames(shown, NAMES_SHOWN, apis.length)}`;
}

/** `'a', 'b' and 3 more`; `total` counts the names when `names` holds only the first `max` of them. */
export function listNames(names: readonly string[], max = NAMES_SHOWN, total = names.length): string {
  const quoted = names.slice(0, max).map((n) => `'${n}'`);
  const rest = total - max;
  return rest > 0 ? `${quoted.join(', ')} and ${rest} more` : quoted.join(', ');
}
