/**
 * The typed, normalized and correlated model that rules read. Built by `normalize()` from an inventory;
 * rules never see sources, files or raw JSON positions.
 */
import type { EndpointInfo } from '../entra/endpoints';
import type {
  ApiProperties,
  AuthorizationServerProperties,
  GraphApplication,
  NamedValueProperties,
  OpenIdProviderProperties,
  Origin,
  PasswordCredential,
  PermissionScope,
  PolicyContract,
  PolicyFragmentProperties,
  ProductProperties,
  RequiredResourceAccess,
  SourceConflict,
  OperationProperties,
} from '../inventory/types';
import type { CloudName } from '../entra/clouds';
import type { ServiceCollection } from '../inventory/fields';

export type ResourceKind =
  | 'application'
  | 'apimService'
  | 'authorizationServer'
  | 'openidProvider'
  | 'api'
  | 'operation'
  | 'product'
  | 'policyFragment'
  | 'namedValue'
  | 'workspace';

/**
 * What a rule's evidence may name (`RuleMeta.cites`): by entity kind, value paths and collection names, `''` for
 * anything of that kind.
 */
export type EvidenceScope = Readonly<Partial<Record<ResourceKind, readonly string[]>>>;

/** A child list of a record, by its canonical path: the service's collections, `workspaces`, an API's `operations`. */
export type CollectionName = ServiceCollection | 'workspaces' | 'operations';

/**
 * What a conclusion of a rule rests on; the engine compares it with what the sources could not determine
 * (`Origin.unknown`, see src/model/unknown.ts) and reports the conclusion as not evaluated when they touch.
 * - a value: `path` inside `entity`, canonical as in `Violation.path` (`''` = the entity as a whole, including
 *   whether it is deployed at all);
 * - a collection: that `parent`'s child list is complete, e.g. "no authorization server 'x' exists" rests on the
 *   service's `authorizationServers`. A source that does not carry a collection states it as unknown on the parent
 *   (`Origin.unknown[<collection>]`).
 */
export type Evidence = ValueEvidence | CollectionEvidence;

export interface ValueEvidence {
  entity: Entity;
  path: string;
  /**
   * The conclusion rests only on the text outside the placeholders of the strings at or below `path` (a redirect
   * URI's scheme and path; `Origin.placeholders`): those strings do not make it unknown. Values that are unknown
   * as a whole still do.
   */
  knownPart?: boolean;
}

export interface CollectionEvidence {
  collection: CollectionName;
  parent: Entity;
}

/** Anything a finding can point at. */
export interface Entity {
  kind: ResourceKind;
  /** Stable identity: ARM resource id, Graph object id / appId, or a synthesized path when neither is known. */
  id: string;
  /** Human name used in messages (resource name or displayName). */
  name: string;
  origin: Origin;
}

export interface App extends Entity {
  kind: 'application';
  appId: string | undefined;
  objectId: string | undefined;
  displayName: string | undefined;
  /**
   * The application as its source read it: its inventory record itself (so it has the record's `origin` too), not a
   * copy. Nothing may change it.
   */
  raw: GraphApplication;
  /** Effective access-token version this app issues as a resource (`null`/absent means 1). */
  accessTokenVersion: 1 | 2;
  /** The declared value, `null` when unset. */
  requestedAccessTokenVersion: number | null;
  signInAudience: string;
  identifierUris: string[];
  scopes: PermissionScope[];
  redirectUris: { web: string[]; spa: string[]; publicClient: string[] };
  implicitGrant: { accessTokens: boolean; idTokens: boolean };
  passwordCredentials: PasswordCredential[];
  requiredResourceAccess: RequiredResourceAccess[];
  isFallbackPublicClient: boolean;
}

/** One space-separated entry of an authorization server's `defaultScope`, classified. */
export interface ScopeRef {
  raw: string;
  /**
   * `oidc`: openid/profile/email/offline_access; `default`: `<resource>/.default`;
   * `resource`: `<resource>/<value>`; `bare`: a value without resource (Entra resolves it against Microsoft Graph).
   */
  kind: 'oidc' | 'default' | 'resource' | 'bare';
  /** Resource identifier part (App ID URI or appId GUID), for `default` and `resource`. */
  resource?: string;
  /** Scope value part, for `resource` and `bare`. */
  value?: string;
  /** The app whose appId or identifierUris match `resource`, when the Entra side is known. */
  app?: App;
}

export type LinkSource = 'clientId' | 'defaultScope' | 'config';

export interface AuthServer extends Entity {
  kind: 'authorizationServer';
  service: Service;
  props: AuthorizationServerProperties;
  clientId: string | undefined;
  /** The client app registration (`clientId` = `appId`, or a config link). */
  clientApp: App | undefined;
  clientLink: LinkSource | undefined;
  scopes: ScopeRef[];
  /** The backend app registration the default scope targets (or a config link). */
  backendApp: App | undefined;
  backendLink: LinkSource | undefined;
  authorizationEndpoint: EndpointInfo | undefined;
  tokenEndpoint: EndpointInfo | undefined;
  grantTypes: string[];
  /** APIs (current or not) that reference this server. */
  apis: Api[];
}

export interface OpenIdProvider extends Entity {
  kind: 'openidProvider';
  service: Service;
  props: OpenIdProviderProperties;
}

/**
 * What the data says about one named entry of a collection (absent is not empty, src/inventory/collections.ts):
 * - `present`: the collection lists it;
 * - `absent`: the collection is known complete and does not list it (it does not exist);
 * - `unknown`: the source does not carry the collection, so whether it exists is not known (`reason` says why,
 *   and how to add the data). A conclusion about it rests on the collection (`CollectionEvidence`).
 */
export type Lookup<T> =
  | { state: 'present'; target: T }
  | { state: 'absent'; target: undefined }
  | { state: 'unknown'; target: undefined; reason: string };

export type AuthReference<T> = Lookup<T> & {
  /** Referenced resource name (authorizationServerId / openidProviderId). */
  ref: string;
  /** Which property it came from; `oAuth2` and the first array entry are de-duplicated. */
  via: 'oAuth2' | 'oAuth2AuthenticationSettings' | 'openid' | 'openidAuthenticationSettings';
  /** Canonical path of the property inside the API resource, for locating findings. */
  path: string;
  scope?: string | null;
  /** The collection the reference is looked up in (`authorizationServers` / `openidConnectProviders` of the service). */
  collection: 'authorizationServers' | 'openidConnectProviders';
};

export interface Operation extends Entity {
  kind: 'operation';
  api: Api;
  props: OperationProperties;
  policy: PolicyContract | undefined;
}

export interface Api extends Entity {
  kind: 'api';
  service: Service;
  workspace: Workspace | undefined;
  props: ApiProperties;
  /** True when `isCurrent` is true or absent (a snapshot without revisions lists only current ones). */
  isCurrent: boolean;
  revision: string;
  oauth2: AuthReference<AuthServer>[];
  openid: AuthReference<OpenIdProvider>[];
  operations: Operation[];
  policy: PolicyContract | undefined;
  products: Product[];
}

export interface Product extends Entity {
  kind: 'product';
  service: Service;
  props: ProductProperties;
  apiNames: string[];
  policy: PolicyContract | undefined;
}

export interface PolicyFragment extends Entity {
  kind: 'policyFragment';
  props: PolicyFragmentProperties;
  /** Where the fragment text (`props.value`) lives, for locating findings inside it. */
  valueOrigin: Origin | undefined;
  /** The workspace the fragment belongs to, or undefined at service level. */
  workspace: Workspace | undefined;
}

export interface NamedValue extends Entity {
  kind: 'namedValue';
  props: NamedValueProperties;
  /** The workspace the named value belongs to, or undefined at service level. */
  workspace?: Workspace;
}

export interface Workspace extends Entity {
  kind: 'workspace';
  service: Service;
  policy: PolicyContract | undefined;
}

export interface Service extends Entity {
  kind: 'apimService';
  /** Hosts of the developer portal: default `<name>.developer.azure-api.net` plus custom DeveloperPortal hosts. */
  developerPortalHosts: string[];
  /** Host of the retired legacy developer portal (`<name>.portal.azure-api.net`) plus custom Portal hosts. */
  legacyPortalHosts: string[];
  authorizationServers: AuthServer[];
  openidProviders: OpenIdProvider[];
  apis: Api[];
  products: Product[];
  policy: PolicyContract | undefined;
  policyFragments: PolicyFragment[];
  namedValues: NamedValue[];
  workspaces: Workspace[];
}

export interface Model {
  tenantId: string | undefined;
  cloud: CloudName;
  /** Which sides of the audit the sources supplied. A rule needing a missing side is "not evaluated". */
  coverage: { entra: boolean; apim: boolean };
  applications: App[];
  services: Service[];
  /** All authorization servers of all services. */
  authorizationServers: AuthServer[];
  /** All APIs (every revision) of all services and workspaces. */
  apis: Api[];
  appsByAppId: ReadonlyMap<string, App>;
  /** Things the sources could not read; rules skip (and report "not evaluated" for) what these cover. */
  gaps: { source: string; what: string; reason: string }[];
  /** Disagreements between sources about one entity. */
  conflicts: SourceConflict[];
}

export type RedirectPlatform = keyof App['redirectUris'];

/** The platforms an app registers redirect URIs under, in the order Graph lists them. */
export const REDIRECT_PLATFORMS: readonly RedirectPlatform[] = ['web', 'spa', 'publicClient'];
