/**
 * Inventory: what sources produce. Records keep the shapes Azure itself uses (Microsoft Graph v1.0
 * `application`, ARM `Microsoft.ApiManagement/service/*` resources) plus the origin of each record, so the
 * engine can point a finding at a file/line or an Azure resource id without the rules knowing either.
 */
import type { CloudName } from '../entra/clouds';
import type { PositionIndex } from '../json/types';

/** Where a record came from. A record in a JSON file has `file` + `pointer`; a live record has ids. */
export interface Origin {
  /** Path of the file, relative to the working directory, with `/` separators. */
  file?: string;
  /** RFC 6901 JSON pointer of the record inside `file`. */
  pointer?: string;
  /** Explicit 1-based position, for records that are not addressable by a JSON pointer. */
  line?: number;
  column?: number;
  /**
   * Read live (Graph, ARM) although `file` is set: the file is the snapshot the same run wrote (`scan
   * --snapshot-out`), where findings are shown; a fix is still the command for the tenant, never an edit of it.
   */
  live?: true;
  /** Azure Resource Manager id of the resource, when known. */
  resourceId?: string;
  /** Microsoft Graph directory object id, when known. */
  graphObjectId?: string;
  /**
   * Canonical relative path (`properties/tokenEndpoint`) -> JSON pointer in `file`, for sources whose
   * layout differs from the canonical Graph/ARM shape. Paths not listed are appended to `pointer`.
   */
  paths?: Record<string, string>;
  /**
   * Values the source could not determine (an ARM expression without a value, a Terraform value known only
   * after apply): canonical path (as in `paths`; `''` = the record itself, e.g. deployed only under an unknown
   * condition) -> why. Such values are absent from the record; the engine reports a finding that depends on
   * one as not evaluated (`src/model/unknown.ts`) instead of guessing.
   *
   * A child collection the source does not carry (absent is not empty) is an unknown value under the
   * collection's name (`authorizationServers`, `policy`, ...), its reason saying how to add the data; a list
   * without that mark is complete. See src/inventory/collections.ts.
   */
  unknown?: Record<string, string>;
  /**
   * Strings kept as written although they hold placeholders a tool substitutes later (`${{TAB_DOMAIN}}`,
   * `#{Token}#`, ...; src/util/placeholders.ts): canonical path of the string (an element of a list, e.g.
   * `spa/redirectUris/1`) -> why. The text outside the placeholders is known; the whole string is not. The engine
   * counts them as unknown, except for evidence that states it rests only on the known text (`knownPart`).
   */
  placeholders?: Record<string, string>;
}

// ----- Microsoft Graph application (v1.0), trimmed to what audits need --------------------------------------

export interface PermissionScope {
  id?: string;
  value?: string;
  type?: string;
  isEnabled?: boolean;
  adminConsentDisplayName?: string;
  adminConsentDescription?: string;
  userConsentDisplayName?: string;
  userConsentDescription?: string;
}

export interface PreAuthorizedApplication {
  appId?: string;
  delegatedPermissionIds?: string[];
}

export interface PasswordCredential {
  keyId?: string;
  displayName?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
  hint?: string | null;
  customKeyIdentifier?: string | null;
}

export interface KeyCredential {
  keyId?: string;
  displayName?: string | null;
  type?: string;
  usage?: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
  customKeyIdentifier?: string | null;
}

export interface RequiredResourceAccess {
  resourceAppId?: string;
  resourceAccess?: { id?: string; type?: string }[];
}

export interface GraphApplication {
  id?: string;
  appId?: string;
  displayName?: string;
  identifierUris?: string[];
  signInAudience?: string;
  isFallbackPublicClient?: boolean | null;
  api?: {
    requestedAccessTokenVersion?: number | null;
    oauth2PermissionScopes?: PermissionScope[];
    preAuthorizedApplications?: PreAuthorizedApplication[];
    knownClientApplications?: string[];
    acceptMappedClaims?: boolean | null;
  } | null;
  web?: {
    redirectUris?: string[];
    implicitGrantSettings?: { enableAccessTokenIssuance?: boolean; enableIdTokenIssuance?: boolean } | null;
    homePageUrl?: string | null;
    logoutUrl?: string | null;
  } | null;
  spa?: { redirectUris?: string[] } | null;
  publicClient?: { redirectUris?: string[] } | null;
  passwordCredentials?: PasswordCredential[];
  keyCredentials?: KeyCredential[];
  requiredResourceAccess?: RequiredResourceAccess[];
}

// ----- Azure API Management (ARM shapes) ---------------------------------------------------------------------

export type PolicyFormat = 'xml' | 'rawxml' | 'xml-link' | 'rawxml-link';

export interface PolicyContract {
  format?: PolicyFormat;
  value: string;
  /**
   * Where the policy text itself lives: a JSON string value (`file` + `pointer` of the string) or a whole XML
   * file (`file`, pointer `''`). Offsets into `value` are located through `PositionIndex.locateOffset`.
   */
  origin?: Origin;
}

export interface ArmResource<P> {
  id?: string;
  name: string;
  type?: string;
  properties: P;
}

export interface HostnameConfiguration {
  type: string;
  hostName: string;
  [key: string]: unknown;
}

export interface ServiceProperties {
  hostnameConfigurations?: HostnameConfiguration[];
  developerPortalUrl?: string | null;
  gatewayUrl?: string | null;
  portalUrl?: string | null;
  [key: string]: unknown;
}

export interface TokenBodyParameter {
  name: string;
  value: string;
}

export interface AuthorizationServerProperties {
  displayName?: string;
  description?: string;
  clientRegistrationEndpoint?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  grantTypes?: string[];
  authorizationMethods?: string[];
  clientAuthenticationMethod?: string[];
  bearerTokenSendingMethods?: string[];
  defaultScope?: string;
  clientId?: string;
  supportState?: boolean;
  tokenBodyParameters?: TokenBodyParameter[];
  useInTestConsole?: boolean;
  useInApiDocumentation?: boolean;
  [key: string]: unknown;
}

export interface OpenIdProviderProperties {
  displayName?: string;
  metadataEndpoint?: string;
  clientId?: string;
  [key: string]: unknown;
}

export interface OAuth2Setting {
  authorizationServerId?: string;
  scope?: string | null;
}

export interface OpenIdSetting {
  openidProviderId?: string;
  bearerTokenSendingMethods?: string[];
}

export interface ApiProperties {
  displayName?: string;
  path?: string;
  protocols?: string[];
  serviceUrl?: string;
  subscriptionRequired?: boolean;
  apiRevision?: string;
  isCurrent?: boolean;
  type?: string;
  authenticationSettings?: {
    oAuth2?: OAuth2Setting | null;
    oAuth2AuthenticationSettings?: OAuth2Setting[] | null;
    openid?: OpenIdSetting | null;
    openidAuthenticationSettings?: OpenIdSetting[] | null;
  } | null;
  [key: string]: unknown;
}

export interface OperationProperties {
  displayName?: string;
  method?: string;
  urlTemplate?: string;
  [key: string]: unknown;
}

export interface ProductProperties {
  displayName?: string;
  subscriptionRequired?: boolean;
  state?: string;
  [key: string]: unknown;
}

export interface NamedValueProperties {
  displayName?: string;
  secret?: boolean;
  /** Only present for non-secret named values; secrets are never collected. */
  value?: string;
  keyVault?: { secretIdentifier?: string; identityClientId?: string | null } | null;
  tags?: string[];
  [key: string]: unknown;
}

export interface PolicyFragmentProperties {
  format?: 'xml' | 'rawxml';
  value?: string;
  description?: string;
  [key: string]: unknown;
}

/** A policy fragment; `valueOrigin` locates the fragment text like `PolicyContract.origin`. */
export interface InventoryFragment extends ArmResource<PolicyFragmentProperties> {
  origin: Origin;
  valueOrigin?: Origin;
}

export interface InventoryOperation extends ArmResource<OperationProperties> {
  policy?: PolicyContract;
  origin: Origin;
}

export interface InventoryApi extends ArmResource<ApiProperties> {
  operations?: InventoryOperation[];
  policy?: PolicyContract;
  origin: Origin;
}

export interface InventoryProduct extends ArmResource<ProductProperties> {
  /** Names of the APIs the product contains. */
  apis?: string[];
  policy?: PolicyContract;
  origin: Origin;
}

export interface InventoryResource<P> extends ArmResource<P> {
  origin: Origin;
}

export interface InventoryWorkspace extends ArmResource<{ displayName?: string; description?: string }> {
  apis?: InventoryApi[];
  products?: InventoryProduct[];
  policy?: PolicyContract;
  policyFragments?: InventoryFragment[];
  namedValues?: InventoryResource<NamedValueProperties>[];
  origin: Origin;
}

export interface InventoryService extends ArmResource<ServiceProperties> {
  location?: string;
  authorizationServers?: InventoryResource<AuthorizationServerProperties>[];
  openidConnectProviders?: InventoryResource<OpenIdProviderProperties>[];
  apis?: InventoryApi[];
  products?: InventoryProduct[];
  /** Global (all APIs) policy. */
  policy?: PolicyContract;
  policyFragments?: InventoryFragment[];
  namedValues?: InventoryResource<NamedValueProperties>[];
  workspaces?: InventoryWorkspace[];
  origin: Origin;
}

export interface InventoryApplication extends GraphApplication {
  origin: Origin;
}

/** Something a source could not read; the rules that need it report "not evaluated" for it. */
export interface SourceGap {
  source: string;
  /** What could not be read, e.g. `policy of api colors-api` or `/applications`. */
  what: string;
  reason: string;
  /**
   * App registrations this gap may hide: their appIds, or `'all'` when a listing of the tenant broke off.
   * Authorization servers whose client or backend app is missing from the data because of it are then
   * marked unknown (not evaluated) instead of "app not found".
   */
  applications?: 'all' | string[];
}

export interface SourceInfo {
  /** The source spec as given, e.g. `snapshot:examples/contoso/snapshot.json`. */
  spec: string;
  /** Which sides of the audit this source supplied. */
  provides: { entra: boolean; apim: boolean };
}

/**
 * Two sources disagree about one entity (e.g. an app's redirect URIs in a manifest and in the live tenant).
 * Filled when inventories are merged; reported by the `sources-consistent` rule.
 */
export interface SourceConflict {
  /** `application` or an APIM resource kind. */
  kind: string;
  /** appId, or service/resource name. */
  name: string;
  /** Canonical property path that differs, e.g. `web/redirectUris`. */
  path: string;
  /** The sources and what each says (JSON-rendered, secrets never included). */
  values: { source: string; value: string; origin: Origin }[];
}

export interface Inventory {
  tenantId?: string;
  cloud?: CloudName;
  sources: SourceInfo[];
  applications: InventoryApplication[];
  services: InventoryService[];
  gaps: SourceGap[];
  /** Disagreements between sources about the same entity (empty for a single source). */
  conflicts?: SourceConflict[];
  /** Position indexes of the JSON files records came from, keyed by `Origin.file`. */
  files: Record<string, PositionIndex>;
}
