/**
 * The state of one Terraform plan translation: the records built so far, gaps, position indexes of the `.tf`
 * files, and `Reader`, which reads one planned resource instance while recording canonical path -> plan pointer.
 * The resource handlers live in apim.ts, apim-policies.ts and entra.ts; index.ts runs them in order.
 */
import { existsSync } from 'node:fs';
import { readText } from '../../util/files';
import path from 'node:path';
import type {
  Inventory,
  InventoryApplication,
  InventoryService,
  Origin,
  SourceGap,
} from '../../inventory/types';
import type { PositionIndex } from '../../json/types';
import { joinPointer, stripBom, textFileIndex } from '../../json/positions';
import { displayPath } from '../../util/package-root';
import { SERVICE_COLLECTIONS } from '../../inventory/fields';
import { howToAdd, markNotCarried } from '../../inventory/collections';
import { heredocText, terraformFileIndex, type TfIndexEntry } from './hcl';
import { at, type PathToken, type PlannedResource, type TerraformPlan } from './plan';

export interface Context {
  spec: string;
  cwd: string;
  planFile: string;
  planTime: Date;
}

/** Types of resources that change what the audit reads but are not translated: reported as gaps, never ignored. */
export const UNREAD_TYPES = new Set([
  'azuread_application_registration',
  'azuread_application_api_access',
  'azuread_application_permission_scope',
  'azuread_application_redirect_uris',
  'azuread_application_fallback_public_client',
  'azuread_application_known_clients',
  'azuread_application_from_template',
  'azurerm_api_management_workspace',
  'azurerm_api_management_workspace_policy',
  'azurerm_api_management_workspace_api_version_set',
  'azurerm_api_management_identity_provider_aad',
]);

/** Reads one planned resource instance, recording canonical path -> plan pointer for what it reads. */
export class Reader {
  readonly paths: Record<string, string> = {};
  /** Canonical paths of values unknown until apply that could not be rebuilt -> why. */
  readonly unknown: Record<string, string> = {};
  readonly valuesPointer: string;
  constructor(
    private readonly t: Translator,
    readonly r: PlannedResource,
  ) {
    this.valuesPointer = `${r.pointer}/values`;
  }

  pointer(tokens: readonly PathToken[]): string {
    return joinPointer(this.valuesPointer, ...tokens);
  }

  map(canonical: string, tokens: readonly PathToken[]): void {
    this.paths[canonical] = this.pointer(tokens);
  }

  /**
   * The value (known or rebuilt). An unknown one that cannot be rebuilt is left out and listed in
   * `Origin.unknown` under its canonical path, so the engine reports what depends on it as not evaluated rather
   * than judging a missing value; without a canonical path (a link to a parent) it is a source gap. Identifiers
   * and URLs Azure assigns (`quiet`) are read by no check from the record itself.
   */
  get(tokens: readonly PathToken[], canonical?: string, quiet = false): unknown {
    if (canonical !== undefined) this.map(canonical, tokens);
    const resolved = this.t.plan.valueOf(this.r, tokens);
    if (resolved) return resolved.value;
    if (!quiet && this.t.plan.isUnknown(this.r, tokens)) {
      if (canonical !== undefined) this.unknown[canonical] = this.t.unknownReason();
      else this.t.unknownGap(this.r, tokens);
    }
    return undefined;
  }

  /** A computed identifier or URL: undefined while unknown, never a gap. */
  computed(tokens: readonly PathToken[], canonical?: string): string | undefined {
    const v = this.get(tokens, canonical, true);
    return typeof v === 'string' ? v : undefined;
  }

  str(tokens: readonly PathToken[], canonical?: string): string | undefined {
    const v = this.get(tokens, canonical);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  }

  bool(tokens: readonly PathToken[], canonical?: string): boolean | undefined {
    const v = this.get(tokens, canonical);
    return typeof v === 'boolean' ? v : undefined;
  }

  strings(tokens: readonly PathToken[], canonical?: string): string[] | undefined {
    const v = this.get(tokens, canonical);
    if (!Array.isArray(v)) return undefined;
    if (canonical !== undefined) v.forEach((_x, i) => this.map(`${canonical}/${i}`, [...tokens, i]));
    return v.filter((x): x is string => typeof x === 'string');
  }

  /** Elements of a nested block list (`api`, `web`, `oauth2_permission_scope`, ...). */
  blocks(tokens: readonly PathToken[]): number[] {
    const v = at(this.r.values, tokens);
    return Array.isArray(v) ? v.map((_x, i) => i) : [];
  }

  /** The resource this attribute references (its expression names it), for linking children to parents. */
  referenced(tokens: readonly PathToken[]): PlannedResource | undefined {
    return this.t.plan.valueOf(this.r, tokens)?.resource ?? this.t.plan.rebuild(this.r, tokens)?.resource;
  }
}

export { put } from '../../util/json';

export interface ServiceEntry {
  record: InventoryService;
  /** True when the `azurerm_api_management` resource itself is in the plan. */
  declared: boolean;
}

export class Translator {
  readonly gaps: SourceGap[] = [];
  readonly services = new Map<string, ServiceEntry>();
  /** Applications by plan address (references name the resource, not the appId). */
  readonly apps = new Map<string, InventoryApplication>();
  readonly files: Record<string, PositionIndex> = {};
  private readonly tfEntries = new Map<string, { text: string; entries: TfIndexEntry[] }>();
  private readonly gapKeys = new Set<string>();

  constructor(
    readonly plan: TerraformPlan,
    readonly ctx: Context,
  ) {}

  /** The inventory of everything the handlers translated (see index.ts for the order). */
  finish(): Inventory {
    for (const r of this.plan.resources.filter((x) => UNREAD_TYPES.has(x.type))) {
      this.gap(
        r.address,
        `resource type ${r.type} is not read by this version of the Terraform source; what it sets is missing from the audit`,
      );
    }
    for (const [file, { text, entries }] of this.tfEntries)
      this.files[file] = terraformFileIndex(text, entries);
    for (const entry of this.services.values()) if (!entry.declared) this.markUndeclared(entry.record);
    const tenant = [
      ...this.plan.dataOfType('azuread_client_config'),
      ...this.plan.dataOfType('azurerm_client_config'),
    ]
      .map((d) => d['tenant_id'])
      .find((t): t is string => typeof t === 'string' && t !== '');
    const inventory: Inventory = {
      sources: [
        { spec: this.ctx.spec, provides: { entra: this.apps.size > 0, apim: this.services.size > 0 } },
      ],
      applications: [...this.apps.values()],
      services: [...this.services.values()].map((s) => s.record),
      gaps: this.gaps,
      files: this.files,
    };
    if (tenant) inventory.tenantId = tenant;
    return inventory;
  }

  /**
   * A service the plan only adds to (its `azurerm_api_management` is managed elsewhere) is stated only in part:
   * its global policy and every collection beyond what the plan adds are unknown, not empty.
   */
  private markUndeclared(service: InventoryService): void {
    const reason = `service '${service.name}' is not declared in ${this.ctx.planFile} (the plan only adds to it), so its`;
    if (!service.policy) {
      markNotCarried(
        service.origin,
        'policy',
        `${reason} global policy is not known; ${howToAdd('policy', 'iac')}`,
      );
    }
    for (const collection of SERVICE_COLLECTIONS) {
      const what = collection === 'apis' ? 'other APIs' : collection;
      markNotCarried(
        service.origin,
        collection,
        `${reason} ${what} are not known; ${howToAdd(collection, 'iac')}`,
      );
    }
  }

  // ----- gaps and origins ----------------------------------------------------------------------------------

  gap(what: string, reason: string): void {
    const key = `${what}|${reason}`;
    if (this.gapKeys.has(key)) return;
    this.gapKeys.add(key);
    this.gaps.push({ source: this.ctx.spec, what, reason });
  }

  /** Why an unknown value was not rebuilt (`Origin.unknown`, shown in not-evaluated reasons). */
  unknownReason(): string {
    return this.plan.tfDir
      ? 'known only after apply, and its expression is not a reference or string template of references the audit can rebuild'
      : 'known only after apply; name the Terraform folder (terraform:<plan.json>#<folder>) so it can be rebuilt from the .tf text';
  }

  /** An unknown value that links a record to its parent (a service name, an application id). */
  unknownGap(r: PlannedResource, tokens: readonly PathToken[]): void {
    const attribute = tokens.filter((t) => typeof t === 'string').join('.');
    this.gap(`${r.address}.${attribute}`, this.unknownReason());
  }

  /** Origin of a record: its `resource` block in a .tf file when found, else the plan JSON. */
  origin(
    reader: Reader,
    ids: { resourceId?: string | undefined; graphObjectId?: string | undefined } = {},
  ): Origin {
    const located = this.plan.blockOf(reader.r);
    const origin: Origin = located
      ? {
          file: this.register(located.file, located.text, reader.r, located.block),
          pointer: reader.valuesPointer,
        }
      : { file: this.ctx.planFile, pointer: reader.valuesPointer };
    if (ids.resourceId?.startsWith('/subscriptions/')) origin.resourceId = ids.resourceId;
    if (ids.graphObjectId) origin.graphObjectId = ids.graphObjectId;
    if (Object.keys(reader.paths).length > 0) origin.paths = reader.paths;
    if (Object.keys(reader.unknown).length > 0) origin.unknown = reader.unknown;
    return origin;
  }

  private register(file: string, text: string, r: PlannedResource, block: TfIndexEntry['block']): string {
    const shown = displayPath(file, this.ctx.cwd);
    const slot = this.tfEntries.get(shown) ?? { text, entries: [] };
    this.tfEntries.set(shown, slot);
    if (!slot.entries.some((e) => e.prefix === r.pointer)) {
      slot.entries.push({ prefix: r.pointer, block, texts: new Map(), values: r.values });
    }
    return shown;
  }

  /**
   * Origin of policy text in `attribute` (`xml_content`, fragment `value`): the heredoc in the .tf file
   * (character-exact), the XML file a `file(...)` call reads, or the JSON string in the plan.
   */
  textOrigin(reader: Reader, attribute: string, value: string): Origin {
    const pointer = reader.pointer([attribute]);
    const located = this.plan.blockOf(reader.r);
    if (!located) return { file: this.ctx.planFile, pointer };
    const shown = this.register(located.file, located.text, reader.r, located.block);
    const hcl = located.block.attributes.get(attribute);
    if (hcl?.heredoc) {
      const mapped = heredocText(located.text, hcl.heredoc, (ref) => this.plan.referenceText(reader.r, ref));
      const entry = this.tfEntries.get(shown)?.entries.find((e) => e.prefix === reader.r.pointer);
      if (mapped && mapped.value === value && entry) entry.texts.set(attribute, mapped.offsets);
      return { file: shown, pointer };
    }
    const expression = hcl ? located.text.slice(hcl.valueOffset, hcl.valueEnd).trim() : '';
    const fileCall = /^file\(\s*"([^"]+)"\s*\)$/.exec(expression)?.[1];
    if (fileCall) {
      const moduleDir = path.dirname(located.file);
      const target = path.resolve(
        moduleDir,
        fileCall
          .replace(/\$\{path\.module\}/g, moduleDir)
          .replace(/\$\{path\.(root|cwd)\}/g, this.plan.tfDir ?? moduleDir),
      );
      // Only to locate the value in its own file: a file that cannot be read (or lies outside the
      // configuration folder) leaves the value located in the plan.
      const xml = existsSync(target) ? readOptional(target, this.plan.tfDir ?? moduleDir) : undefined;
      if (xml !== undefined) {
        if (stripBom(xml) === value) {
          const xmlShown = displayPath(target, this.ctx.cwd);
          this.files[xmlShown] = textFileIndex(xml);
          return { file: xmlShown, pointer: '' };
        }
      }
    }
    return { file: shown, pointer };
  }

  // ----- API Management --------------------------------------------------------------------------------------

  // ----- Entra applications ----------------------------------------------------------------------------------
}

function readOptional(file: string, root: string): string | undefined {
  try {
    return readText(file, root);
  } catch {
    return undefined;
  }
}
