/**
 * Terraform azurerm API Management policy resources (`azurerm_api_management_policy`, `_api_policy`,
 * `_api_operation_policy`, `_product_policy`) -> the `policy` of the service, API, operation or product they
 * name (domain reference §8.1).
 */
import type { Origin, PolicyContract } from '../../inventory/types';
import type { PlannedResource } from './plan';
import { findApi, findProduct, serviceOf } from './apim';
import { Reader, type Translator } from './translate';

/**
 * `xml_content` (format `rawxml`) or `xml_link` (`rawxml-link`) of a policy resource; `unknown` when the text
 * is known only after apply and could not be rebuilt.
 */
function policyOf(t: Translator, reader: Reader): PolicyContract | { unknown: string } | undefined {
  const content = reader.str(['xml_content'], 'policy');
  if (content !== undefined) {
    return { format: 'rawxml', value: content, origin: t.textOrigin(reader, 'xml_content', content) };
  }
  const link = reader.str(['xml_link'], 'policy');
  if (link !== undefined) {
    return {
      format: 'rawxml-link',
      value: link,
      origin: { ...t.origin(reader), pointer: reader.pointer(['xml_link']) },
    };
  }
  const unknown = reader.unknown['policy'];
  return unknown === undefined ? undefined : { unknown };
}

/** Attaches a policy to its record, or marks the record's `policy` as unknown. */
function attachPolicy(
  t: Translator,
  target: { policy?: PolicyContract; origin: Origin },
  policy: PolicyContract | { unknown: string } | undefined,
): void {
  if (!policy) return;
  if ('unknown' in policy) target.origin.unknown = { ...target.origin.unknown, policy: policy.unknown };
  else target.policy = policy;
}

export function globalPolicy(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const service = serviceOf(t, reader);
  if (service) attachPolicy(t, service.record, policyOf(t, reader));
}

export function apiPolicy(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const found = findApi(t, reader, true);
  if (found) attachPolicy(t, found.api, policyOf(t, reader));
}

export function operationPolicy(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const found = findApi(t, reader, true);
  const name = reader.str(['operation_id']);
  const policy = found && name ? policyOf(t, reader) : undefined;
  if (!found || !name || !policy) return;
  const operations = (found.api.operations ??= []);
  let operation = operations.find((o) => o.name.toLowerCase() === name.toLowerCase());
  if (!operation) {
    // The operation comes from an imported specification rather than a resource: a bare record for its policy.
    operation = { name, properties: {}, origin: t.origin(new Reader(t, r)) };
    operations.push(operation);
  }
  attachPolicy(t, operation, policy);
}

export function productPolicy(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const product = findProduct(t, reader);
  if (product) attachPolicy(t, product, policyOf(t, reader));
}
