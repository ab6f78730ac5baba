/**
 * The parts of `terraform show -json <planfile>` the Terraform source reads (domain reference §8.3): the planned
 * resource instances of every module, what is unknown until apply (`resource_changes[].change.after_unknown`),
 * and the `configuration` expressions (plus the `.tf` text, when the folder is known) that let an unknown value
 * be rebuilt from what it references. The rebuilding itself is in rebuild.ts; the shapes both share
 * are in plan-shapes.ts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { AuditError } from '../../errors';
import { fileProblem, readText } from '../../util/files';
import { displayPath } from '../../util/package-root';
import path from 'node:path';
import { joinPointer } from '../../json/positions';
import { resourceBlocks } from './hcl';
import { scanHcl } from './hcl-scan';
import { Rebuilder } from './rebuild';
import {
  at,
  attributeSource,
  expressionAt,
  type ConfiguredExpression,
  type Json,
  type LocatedBlock,
  type PathToken,
  type PlanLookup,
  type PlannedResource,
  type Resolved,
} from './plan-shapes';
import { isRecord as isObject } from '../../util/json';

export {
  at,
  PLACEHOLDER_PREFIX,
  type Json,
  type LocatedBlock,
  type PathToken,
  type PlannedResource,
  type Resolved,
} from './plan-shapes';

interface ModuleFiles {
  resources: Map<string, LocatedBlock>;
  modules: Map<string, LocatedBlock>;
  outputs: Map<string, LocatedBlock>;
}

/**
 * Whether a mask of the shape of the values (`after_unknown`, `sensitive_values`) marks the value at `tokens`
 * with `true`, itself or through one of its ancestors.
 */
function flaggedAt(mask: unknown, tokens: readonly PathToken[]): boolean {
  let current = mask;
  for (const token of tokens) {
    if (current === true) return true;
    current = at(current, [token]);
  }
  return current === true;
}

/** `module.a["x"].module.b[0]` -> `['a', 'b']`. */
function modulePathOf(moduleAddress: string): string[] {
  return [...moduleAddress.matchAll(/module\.([A-Za-z0-9_-]+)/g)].map((m) => m[1] ?? '');
}

export class TerraformPlan implements PlanLookup {
  readonly resources: PlannedResource[] = [];
  private readonly byAddress = new Map<string, PlannedResource>();
  private readonly dataResources: { address: string; values: Json }[] = [];
  private readonly filesByModule = new Map<string, ModuleFiles | undefined>();
  private readonly rebuilder = new Rebuilder(this);

  constructor(
    private readonly doc: Json,
    /** The Terraform configuration folder (root module), when known. */
    readonly tfDir: string | undefined,
    /** The working directory, for file names in messages. */
    private readonly cwd: string = process.cwd(),
  ) {
    const changes = new Map<string, Json>();
    for (const change of Array.isArray(doc['resource_changes']) ? doc['resource_changes'] : []) {
      if (isObject(change) && typeof change['address'] === 'string' && isObject(change['change'])) {
        if (change['deposed'] === undefined) changes.set(change['address'], change['change']);
      }
    }
    const planned = at(doc, ['planned_values', 'root_module']);
    this.collect(planned, '/planned_values/root_module', changes);
    for (const root of [at(doc, ['prior_state', 'values', 'root_module']), planned]) this.collectData(root);
  }

  private collect(module: unknown, pointer: string, changes: Map<string, Json>): void {
    if (!isObject(module)) return;
    const moduleAddress = typeof module['address'] === 'string' ? module['address'] : '';
    const resources = Array.isArray(module['resources']) ? module['resources'] : [];
    resources.forEach((r, i) => {
      if (!isObject(r) || r['mode'] !== 'managed' || typeof r['address'] !== 'string') return;
      const resource: PlannedResource = {
        address: r['address'],
        moduleAddress,
        modulePath: modulePathOf(moduleAddress),
        type: String(r['type']),
        name: String(r['name']),
        values: isObject(r['values']) ? r['values'] : {},
        sensitive: r['sensitive_values'],
        unknown: changes.get(r['address'])?.['after_unknown'],
        pointer: joinPointer(pointer, 'resources', i),
      };
      this.resources.push(resource);
      this.byAddress.set(resource.address, resource);
    });
    const children = Array.isArray(module['child_modules']) ? module['child_modules'] : [];
    children.forEach((c, i) => this.collect(c, joinPointer(pointer, 'child_modules', i), changes));
  }

  private collectData(module: unknown): void {
    if (!isObject(module)) return;
    for (const r of Array.isArray(module['resources']) ? module['resources'] : []) {
      if (isObject(r) && r['mode'] === 'data' && typeof r['address'] === 'string' && isObject(r['values'])) {
        this.dataResources.push({ address: r['address'], values: r['values'] });
      }
    }
    for (const c of Array.isArray(module['child_modules']) ? module['child_modules'] : [])
      this.collectData(c);
  }

  /** Values of data sources of a type (e.g. `azuread_client_config`), from the prior state or the plan. */
  dataOfType(type: string): Json[] {
    return this.dataResources
      .filter((d) => new RegExp(`(^|\\.)data\\.${type}\\.`).test(d.address))
      .map((d) => d.values);
  }

  /** Top-level plan fields such as `timestamp`. */
  field(name: string): unknown {
    return this.doc[name];
  }

  isUnknown(resource: PlannedResource, tokens: readonly PathToken[]): boolean {
    return flaggedAt(resource.unknown, tokens);
  }

  isSensitive(resource: PlannedResource, tokens: readonly PathToken[]): boolean {
    return flaggedAt(resource.sensitive, tokens);
  }

  resourceAt(address: string): PlannedResource | undefined {
    return this.byAddress.get(address);
  }

  dataAt(address: string): Json | undefined {
    return this.dataResources.find((d) => d.address === address)?.values;
  }

  // ----- configuration -----------------------------------------------------------------------------------

  private moduleConfig(modulePath: readonly string[]): Json | undefined {
    let current = at(this.doc, ['configuration', 'root_module']);
    for (const name of modulePath) current = at(current, ['module_calls', name, 'module']);
    return isObject(current) ? current : undefined;
  }

  private resourceConfig(resource: PlannedResource): Json | undefined {
    const config = this.moduleConfig(resource.modulePath);
    const list = Array.isArray(config?.['resources']) ? config['resources'] : [];
    return list.find(
      (r): r is Json =>
        isObject(r) && r['mode'] === 'managed' && r['type'] === resource.type && r['name'] === resource.name,
    );
  }

  /** The folder of a module, when the configuration folder is known and the module is local or installed. */
  moduleDir(modulePath: readonly string[]): string | undefined {
    if (!this.tfDir) return undefined;
    let dir = this.tfDir;
    for (let i = 0; i < modulePath.length; i++) {
      const call = at(this.moduleConfig(modulePath.slice(0, i)), ['module_calls', modulePath[i] ?? '']);
      const source = at(call, ['source']) ?? at(call, ['resolved_source']);
      if (typeof source === 'string' && /^\.\.?[\\/]/.test(source)) {
        dir = path.resolve(dir, source);
      } else {
        const installed = this.installedModuleDir(modulePath.slice(0, i + 1).join('.'));
        if (!installed) return undefined;
        dir = installed;
      }
    }
    return dir;
  }

  /** `.terraform/modules/modules.json` maps module keys (`a.b`) to the folders `terraform init` installed. */
  private installedModuleDir(key: string): string | undefined {
    if (!this.tfDir) return undefined;
    const file = path.join(this.tfDir, '.terraform', 'modules', 'modules.json');
    if (!existsSync(file)) return undefined;
    try {
      const manifest = JSON.parse(readText(file, this.tfDir)) as {
        Modules?: { Key?: string; Dir?: string }[];
      };
      const dir = manifest.Modules?.find((m) => m.Key === key)?.Dir;
      return dir ? path.resolve(this.tfDir, dir) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The `.tf` blocks of a module's folder (resources, module calls, outputs), scanned once. */
  moduleFiles(modulePath: readonly string[]): ModuleFiles | undefined {
    const key = modulePath.join('.');
    if (this.filesByModule.has(key)) return this.filesByModule.get(key);
    const dir = this.moduleDir(modulePath);
    let files: ModuleFiles | undefined;
    if (dir && existsSync(dir)) {
      files = { resources: new Map(), modules: new Map(), outputs: new Map() };
      const names = readdirSync(dir)
        .filter((n) => n.endsWith('.tf'))
        .sort();
      for (const name of names) {
        const file = path.join(dir, name);
        // Module folders may lie outside the configuration folder (`source = "../modules/x"`): no root here.
        let text: string;
        try {
          text = readText(file);
        } catch (error) {
          // A .tf file that cannot be read (too large, not a regular file, invalid UTF-8): invalid input, located.
          throw new AuditError(
            'source-unreadable',
            `Cannot read Terraform configuration ${fileProblem(displayPath(file, this.cwd), error)}`,
          );
        }
        const blocks = scanHcl(text);
        for (const [k, block] of resourceBlocks(blocks)) files.resources.set(k, { file, text, block });
        for (const block of blocks) {
          const label = block.labels[0];
          if (block.labels.length !== 1 || label === undefined) continue;
          if (block.type === 'module') files.modules.set(label, { file, text, block });
          if (block.type === 'output') files.outputs.set(label, { file, text, block });
        }
      }
    }
    this.filesByModule.set(key, files);
    return files;
  }

  /** The `resource` block of a planned instance in the configuration folder. */
  blockOf(resource: PlannedResource): LocatedBlock | undefined {
    return this.moduleFiles(resource.modulePath)?.resources.get(`${resource.type}.${resource.name}`);
  }

  attributeExpression(resource: PlannedResource, tokens: readonly PathToken[]): ConfiguredExpression {
    const config = this.resourceConfig(resource);
    const located = this.blockOf(resource);
    const found = expressionAt(config?.['expressions'], tokens, resource.values);
    const source = located ? attributeSource(located, found?.blockIndexes ?? [], tokens) : undefined;
    return { expression: found?.expression, source };
  }

  moduleArgument(parentPath: readonly string[], call: string, name: string): ConfiguredExpression {
    const expression = at(this.moduleConfig(parentPath), ['module_calls', call, 'expressions', name]);
    const block = this.moduleFiles(parentPath)?.modules.get(call);
    return { expression, source: block ? attributeSource(block, [], [name]) : undefined };
  }

  moduleOutput(modulePath: readonly string[], output: string): ConfiguredExpression {
    const expression = at(this.moduleConfig(modulePath), ['outputs', output, 'expression']);
    const block = this.moduleFiles(modulePath)?.outputs.get(output);
    return { expression, source: block ? attributeSource(block, [], ['value']) : undefined };
  }

  // ----- rebuilding unknown values (rebuild.ts) --------------------------------------------------

  /**
   * The value of an attribute of a resource instance: the planned value when known, else the value rebuilt
   * from its expression (undefined when that is impossible, or when the attribute is simply not set).
   */
  valueOf(resource: PlannedResource, tokens: readonly PathToken[]): Resolved | undefined {
    return this.rebuilder.valueOf(resource, tokens);
  }

  /** Rebuilds an unknown attribute from its configuration expression. */
  rebuild(resource: PlannedResource, tokens: readonly PathToken[]): Resolved | undefined {
    return this.rebuilder.rebuild(resource, tokens);
  }

  /** The text of a reference resolved in the scope of a resource (for heredoc positions), if known. */
  referenceText(resource: PlannedResource, reference: string): string | undefined {
    return this.rebuilder.referenceText(resource, reference);
  }
}
