/**
 * Turns a rule's `FixHint` into the step a user takes for this finding's source: the file and property to edit (an
 * APIOps `*Information.json`, an ARM template, a manifest, a snapshot), the Terraform attribute, the place in a
 * policy, or for live data the portal path and the exact command (printed, never run). Pure: the edit it returns is
 * made exact against the file's current text only when a fix is applied or written to SARIF (src/fixes/).
 */
import type { Origin } from '../inventory/types';
import { jsonKeyPath, pointerTokens } from '../json/positions';
import type { PositionIndex } from '../json/types';
import type { Entity } from '../model/types';
import { pointerFor } from './locate';
import type { FindingFix, FixEdit } from './types';
import type { FixHint, FixValue, PolicyTextFix, PropertyFix } from '../../rules/support/contract';

type Files = Readonly<Record<string, PositionIndex>>;

/** The ARM API version the printed `az rest` commands use (GA, supports every property the rules set). */
export const ARM_API_VERSION = '2022-08-01';

export function resolveFix(hint: FixHint, entity: Entity, files: Files): FindingFix {
  if (hint.property) return propertyFix(hint, hint.property, entity, files);
  if (hint.policy) return policyFix(hint, hint.policy, entity, files);
  return { text: hint.text };
}

// ----- property fixes ---------------------------------------------------------------------------------------

function propertyFix(hint: FixHint, property: PropertyFix, owner: Entity, files: Files): FindingFix {
  const entity = property.entity ?? owner;
  const { origin } = entity;
  if (!origin.file || origin.live) return liveFix(hint, property, entity);
  const pointer = pointerFor(entity, property.path);
  if (pointer === undefined) return { text: `${hint.text} (${origin.file})` };
  const tokens = pointerTokens(pointer);
  if (origin.file.endsWith('.tf')) {
    const step = tfStep(tokens, property);
    const span = files[origin.file]?.valueSpan?.(pointer);
    const literal = property.value !== undefined ? hclLiteral(property.value) : undefined;
    const text = `${hint.text} In ${origin.file}, ${step}.`;
    if (!span || literal === undefined || property.remove) return { text };
    const items = Array.isArray(property.value) ? property.value.map((v) => hclLiteral(v) ?? '') : undefined;
    return {
      text,
      edit: {
        kind: 'text',
        file: origin.file,
        ...span,
        text: literal,
        literalOnly: true,
        ...(items ? { items } : {}),
      },
    };
  }
  if (isPlanPointer(tokens)) {
    return { text: `${hint.text} In the Terraform configuration, ${tfStep(tokens, property)}.` };
  }
  const path = tokens.map((t) => (/^\d+$/.test(t) ? Number(t) : t));
  const shown = jsonKeyPath(tokens);
  if (property.remove) {
    return {
      text: `${hint.text} In ${origin.file}, remove "${shown}".`,
      edit: { kind: 'json', file: origin.file, path, remove: true },
    };
  }
  return {
    text: `${hint.text} In ${origin.file}, set "${shown}" to ${JSON.stringify(property.value)}.`,
    edit: { kind: 'json', file: origin.file, path, value: property.value as FixValue },
  };
}

/** A Terraform plan pointer: the plan is generated, the fix goes to the configuration. */
function isPlanPointer(tokens: readonly string[]): boolean {
  const first = tokens[0];
  return first === 'planned_values' || first === 'resource_changes' || first === 'prior_state';
}

/** `set api.requested_access_token_version = 2` from a plan pointer `.../values/api/0/requested_access_token_version`. */
function tfStep(tokens: readonly string[], property: PropertyFix): string {
  const at = tokens.lastIndexOf('values');
  const attribute = tokens
    .slice(at + 1)
    .filter((t) => !/^\d+$/.test(t))
    .join('.');
  if (property.remove) return `remove ${attribute}`;
  const { value } = property;
  // A list of objects in a plan is a repeated nested block in the configuration (`token_body_parameter { ... }`),
  // which is removed or rewritten, not assigned.
  if (Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
    return value.length === 0
      ? `remove the ${attribute} blocks`
      : `write the ${attribute} blocks as ${JSON.stringify(value)}`;
  }
  const literal = value !== undefined ? hclLiteral(value) : undefined;
  return `set ${attribute} = ${literal ?? JSON.stringify(value)}`;
}

/** A value written as an HCL literal, or undefined for objects (not edited in place). */
export function hclLiteral(value: FixValue): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value).replace(/\$\{/g, '$$$${').replace(/%\{/g, '%%{');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => hclLiteral(v));
    return items.every((i): i is string => i !== undefined) ? `[${items.join(', ')}]` : undefined;
  }
  return undefined;
}

/** The nested object a canonical path denotes: `api/requestedAccessTokenVersion`, 2 -> `{"api":{...:2}}`. */
function nested(path: string, value: FixValue): FixValue {
  return path
    .split('/')
    .reverse()
    .reduce<FixValue>((inner, key) => ({ [key]: inner }), value);
}

/** Single-quoted for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function liveFix(hint: FixHint, property: PropertyFix, entity: Entity): FindingFix {
  const { origin } = entity;
  const value: FixValue = property.remove ? null : (property.value ?? null);
  const portal = portalPath(entity);
  const text = `${hint.text}${portal ? ` In the portal: ${portal}.` : ''}`;
  if (origin.graphObjectId && entity.kind === 'application') {
    const dotted = property.path.split('/').join('.');
    const setting = property.remove
      ? `--remove ${dotted}`
      : `--set ${dotted}=${shellQuote(JSON.stringify(value))}`;
    return { text, command: `az ad app update --id ${origin.graphObjectId} ${setting}` };
  }
  if (origin.resourceId) {
    const body = JSON.stringify(nested(property.path, value));
    return {
      text,
      command: `az rest --method patch --uri ${shellQuote(`https://management.azure.com${origin.resourceId}?api-version=${ARM_API_VERSION}`)} --headers If-Match=* --body ${shellQuote(body)}`,
    };
  }
  return { text };
}

/** Where the property is edited in the Entra admin center / Azure portal. */
export function portalPath(entity: Entity): string | undefined {
  switch (entity.kind) {
    case 'application':
      return `Entra admin center > App registrations > '${entity.name}' > Manifest`;
    case 'authorizationServer':
    case 'openidProvider':
      return `Azure portal > API Management > Developer portal > OAuth 2.0 + OpenID Connect > '${entity.name}'`;
    case 'api':
      return `Azure portal > API Management > APIs > '${entity.name}' > Settings`;
    case 'product':
      return `Azure portal > API Management > Products > '${entity.name}' > Policies`;
    default:
      return undefined;
  }
}

// ----- policy fixes -----------------------------------------------------------------------------------------

function policyFix(hint: FixHint, fix: PolicyTextFix, entity: Entity, files: Files): FindingFix {
  const { origin } = fix;
  if (!origin.file || origin.live) {
    return {
      text: `${hint.text} In the portal: the policy code editor of ${entity.kind} '${entity.name}' (Azure portal > API Management).`,
    };
  }
  const where = placeOf(origin, fix.start, files);
  const text = `${hint.text} In ${where}.`;
  const pointer = origin.pointer ?? '';
  if (pointer === '')
    return {
      text,
      edit: { kind: 'text', file: origin.file, start: fix.start, end: fix.end, text: fix.text },
    };
  const tokens = pointerTokens(pointer);
  // A policy in a .tf heredoc or in a Terraform plan is described, not edited: the plan is generated and a heredoc
  // may interpolate.
  if (origin.file.endsWith('.tf') || isPlanPointer(tokens)) return { text };
  const path = tokens.map((t) => (/^\d+$/.test(t) ? Number(t) : t));
  const edit: FixEdit = {
    kind: 'jsonString',
    file: origin.file,
    path,
    start: fix.start,
    end: fix.end,
    text: fix.text,
  };
  return { text, edit };
}

function placeOf(origin: Origin, offset: number, files: Files): string {
  const file = origin.file ?? '';
  const position = files[file]?.locateOffset(origin.pointer ?? '', offset);
  return position ? `${file}:${position.line}:${position.column}` : file;
}
