/**
 * The Terraform source: `terraform:<plan.json>[#<configuration folder>]`, the JSON of
 * `terraform show -json <planfile>` (domain reference §8). The planned values of the azurerm API Management and
 * azuread application resources of every module are translated into the snapshot-shaped inventory (Graph and
 * ARM shapes); `Origin.paths` maps canonical paths to plan pointers.
 *
 * When the configuration folder is known (given after `#`, or the plan sits in it), every record is located in
 * the `.tf` file and line of its `resource` block (attributes and list elements where they can be found, policy
 * heredocs character by character), because that is what a pull request changes; otherwise in the plan JSON.
 *
 * Values unknown until apply are rebuilt from what they reference (see rebuild.ts); one that cannot be is
 * left out and reported as a source gap. Secrets are never read: the plan shows sensitive values in plain text,
 * so the translation copies named attributes only, never a whole object.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../../errors';
import type { Inventory } from '../../inventory/types';
import type { PositionIndex } from '../../json/types';
import { parseJsonWithPositions } from '../../json/positions';
import { displayPath } from '../../util/package-root';
import { fileProblem, readNamedText } from '../../util/files';
import * as apim from './apim';
import * as entra from './entra';
import * as policies from './apim-policies';
import { PLACEHOLDER_PREFIX, TerraformPlan, type PlannedResource } from './plan';
import { Translator, type Context } from './translate';
import type { SourceDefinition } from '../types';
import { isRecord as isObject } from '../../util/json';

export { goDurationMs } from './entra';
export { PLACEHOLDER_PREFIX };

export const terraformSource: SourceDefinition = {
  describe:
    'the JSON of `terraform show -json <planfile>`; `terraform:<plan.json>#<folder>` names its configuration',
  takesPath: true,
  phase: 'files',
  detect: (_location, stats, peek) =>
    stats.isFile() &&
    peek !== undefined &&
    /"format_version"\s*:/.test(peek) &&
    /"planned_values"\s*:/.test(peek),
  load: (location, raw, context) => {
    try {
      return Promise.resolve(loadTerraformPlan(location, raw, context.cwd));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
};

/** `plan.json#folder` -> the plan file and the configuration folder (given, or the plan's own if it has .tf files). */
function splitLocation(location: string, cwd: string): { planFile: string; tfDir: string | undefined } {
  const hash = location.indexOf('#');
  const planFile = hash > 0 && !existsSync(location) ? location.slice(0, hash) : location;
  const given = planFile === location ? undefined : location.slice(hash + 1);
  if (given !== undefined) {
    if (!existsSync(given) || !statSync(given).isDirectory()) {
      throw new AuditError(
        'source-unreadable',
        `Terraform configuration folder ${displayPath(given, cwd)} (after '#' in the source) is not a folder.`,
      );
    }
    return { planFile, tfDir: given };
  }
  const dir = path.dirname(planFile);
  const hasTf = existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.tf'));
  return { planFile, tfDir: hasTf ? dir : undefined };
}

export function loadTerraformPlan(location: string, spec: string, cwd: string): Inventory {
  const { planFile, tfDir } = splitLocation(location, cwd);
  const shown = displayPath(planFile, cwd);
  let text: string;
  try {
    text = readNamedText(planFile);
  } catch (error) {
    throw new AuditError('source-unreadable', `Cannot read Terraform plan ${fileProblem(shown, error)}`);
  }
  const parsed = parseJsonWithPositions(text);
  if ('problems' in parsed) {
    throw new AuditError(
      'source-invalid',
      `Terraform plan ${shown} is not valid JSON:`,
      parsed.problems.map((p) => `${shown}:${p.line}:${p.column}: ${p.message}`),
    );
  }
  const doc = parsed.value;
  const version = isObject(doc) ? doc['format_version'] : undefined;
  if (!isObject(doc) || typeof version !== 'string' || !isObject(doc['planned_values'])) {
    throw new AuditError(
      'source-invalid',
      `${shown}:1:1: not the JSON of a Terraform plan (expected "format_version" and "planned_values", as \`terraform show -json <planfile>\` writes).`,
    );
  }
  if (!version.startsWith('1.')) {
    const position = parsed.index.locate('/format_version');
    throw new AuditError(
      'source-invalid',
      `${shown}:${position?.line ?? 1}:${position?.column ?? 1}: plan JSON format_version ${version} is not supported (1.x is).`,
    );
  }
  const plan = new TerraformPlan(doc, tfDir, cwd);
  return translate(plan, parsed.index, {
    spec,
    cwd,
    planFile: shown,
    planTime: planTimeOf(plan, planFile),
  });
}

/** When the plan was made: its `timestamp` (Terraform 1.5+), else the file's modification time. */
function planTimeOf(plan: TerraformPlan, file: string): Date {
  const stamp = plan.field('timestamp');
  const date = typeof stamp === 'string' ? new Date(stamp) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : statSync(file).mtime;
}

type Handler = (t: Translator, r: PlannedResource) => void;

/**
 * Resource types in the order they are translated: services and apps first, then what attaches to them
 * (servers, APIs, operations, products, policies, passwords, identifier URIs).
 */
const HANDLERS: readonly [string, Handler][] = [
  ['azurerm_api_management', apim.service],
  ['azuread_application', entra.application],
  ['azurerm_api_management_custom_domain', apim.customDomain],
  ['azurerm_api_management_authorization_server', apim.authorizationServer],
  ['azurerm_api_management_openid_connect_provider', apim.openIdProvider],
  ['azurerm_api_management_api', apim.api],
  ['azurerm_api_management_api_operation', apim.operation],
  ['azurerm_api_management_product', apim.product],
  ['azurerm_api_management_product_api', apim.productApi],
  ['azurerm_api_management_named_value', apim.namedValue],
  ['azurerm_api_management_policy_fragment', apim.fragment],
  ['azurerm_api_management_policy', policies.globalPolicy],
  ['azurerm_api_management_api_policy', policies.apiPolicy],
  ['azurerm_api_management_api_operation_policy', policies.operationPolicy],
  ['azurerm_api_management_product_policy', policies.productPolicy],
  ['azuread_application_password', entra.password],
  ['azuread_application_identifier_uri', entra.identifierUri],
  ['azuread_application_pre_authorized', entra.preAuthorized],
];

function translate(plan: TerraformPlan, planIndex: PositionIndex, ctx: Context): Inventory {
  const t = new Translator(plan, ctx);
  t.files[ctx.planFile] = planIndex;
  for (const [type, handle] of HANDLERS) {
    for (const r of plan.resources) if (r.type === type) handle(t, r);
  }
  return t.finish();
}
