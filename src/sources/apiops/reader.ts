/**
 * Reading the files of an APIOps artifact folder: `FolderReader` (JSON with positions, `policy.xml`, OpenAPI
 * specifications, problems and gaps) and the listing of its folders. The entity readers (entities.ts) and the
 * composition of the service (index.ts) read through it.
 */
import path from 'node:path';
import type { Origin, PolicyContract, SourceGap } from '../../inventory/types';
import type { PositionIndex } from '../../json/types';
import { parseJsonWithPositions, stripBom, textFileIndex } from '../../json/positions';
import { displayPath, isBaseAndShown, withSeparator } from '../../util/package-root';
import { FileReadError, fileProblem, readBytes, readText, type FileProblem } from '../../util/files';
import { sha256Key } from '../../util/digest';
import { LazyJsonIndex, type Reread } from '../../json/lazy';
import { fileIn, FolderTree, listFolder, type Listed } from '../../util/folders';
import type { Preparer, Probe } from '../../util/read-ahead';
import {
  jsonSpecOperations,
  preparedYamlSpec,
  specText,
  yamlSpecOperations,
  type PackedOperations,
  type SpecResult,
} from './spec';
import { stripSecrets } from '../common/secrets';
import { isRecord } from '../../util/json';

export type Json = Record<string, unknown>;

/**
 * The folders in `dir`, a symbolic link inside `root` counted as the folder it leads to. A folder that cannot
 * be listed, and a link that leaves `root`, dangles or loops, goes to `problem` (without one, it is left out).
 */
export function subdirectories(
  dir: string,
  root?: string,
  problem: (file: string, why: string) => void = () => undefined,
  tree?: FolderTree,
): string[] {
  return subfolders(dir, root, problem, tree).map((e) => e.name);
}

/** `subdirectories`, each with its path (`path.join(dir, name)`). */
function subfolders(
  dir: string,
  root: string | undefined,
  problem: (file: string, why: string) => void,
  tree: FolderTree | undefined,
): Listed[] {
  return listFolder(dir, root, problem, tree)
    .filter((e) => e.kind === 'folder')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads the files of one artifact folder, keeping every position index and every problem. */
export class FolderReader {
  readonly files: Record<string, PositionIndex> = {};
  readonly problems: string[] = [];
  readonly gaps: SourceGap[] = [];
  /** The artifact folder's listings: whether a file is there is a look-up, and plain files need no realpath. */
  readonly tree: FolderTree;
  /**
   * Policy texts read so far, each kept once: most operation policies of a tree are the same few texts (the
   * default `<base />` policy above all), and the audit keeps every text for the whole run.
   */
  private readonly policyTexts = new Map<string, string>();

  /** The working folder with a separator after it. */
  private readonly cwdSlash: string;

  constructor(
    private readonly spec: string,
    private readonly cwd: string,
    readonly log: (message: string) => void,
    /** The artifact folder: no symbolic link is followed out of it. */
    readonly root?: string,
  ) {
    this.tree = new FolderTree(root);
    this.cwdSlash = withSeparator(cwd);
  }

  /** Whether a directory entry exists at `file` (`present`, from its folder's listing). */
  present(file: string): boolean {
    return this.tree.present(file);
  }

  shown(file: string): string {
    return displayPath(file, this.cwd);
  }

  /**
   * How to read `file` again to locate a finding in it, when it is still what was parsed (`digest`, `decode`: as
   * `CheckedFile` says). Its path is kept as the path shown for it below the working folder when it is that (the
   * usual case: the findings keep that string anyway), instead of a second string of the whole path.
   */
  private checked(
    file: string,
    shown: string,
    digest: string,
    decode?: (bytes: Uint8Array) => string | undefined,
  ): CheckedFile {
    const below = isBaseAndShown(file, this.cwdSlash, shown);
    return new CheckedFile(below ? this.cwdSlash : '', below ? shown : file, this.root, digest, decode);
  }

  private text(file: string): string | undefined {
    try {
      return this.tree.readText(file);
    } catch (error) {
      this.unread(file, error);
      return undefined;
    }
  }

  /**
   * A file not read: over the size limit, not a regular file or not UTF-8 is invalid input (a problem, exit 2);
   * a link that leaves the folder, dangles or loops, and an I/O error, is data lost (a gap, exit 3).
   */
  private unread(file: string, error: unknown): void {
    const invalid: readonly FileProblem[] = ['too-large', 'not-regular', 'invalid-utf8'];
    if (error instanceof FileReadError && invalid.includes(error.problem)) {
      this.problems.push(fileProblem(this.shown(file), error));
    } else {
      this.gap(
        file,
        error instanceof FileReadError ? error.message : `cannot be read: ${(error as Error).message}`,
      );
    }
  }

  gap(file: string, reason: string): void {
    this.gaps.push({ source: this.spec, what: this.shown(file), reason });
  }

  /** A JSON file, indexed; undefined when absent, unreadable (a gap) or malformed (a problem). */
  private parsed(file: string): { value: unknown; shown: string } | undefined {
    if (!this.present(file)) return undefined;
    const text = this.text(file);
    if (text === undefined) return undefined;
    const shown = this.shown(file);
    const parsed = parseJsonWithPositions(text);
    if ('problems' in parsed) {
      for (const p of parsed.problems) this.problems.push(`${shown}:${p.line}:${p.column}: ${p.message}`);
      return undefined;
    }
    this.files[shown] = new LazyJsonIndex(this.checked(file, shown, sha256Key(text)));
    return { value: parsed.value, shown };
  }

  /** An `*Information.json`: its object, indexed; undefined (with a problem recorded) when malformed. */
  json(file: string): { value: Json; origin: Origin } | undefined {
    const parsed = this.parsed(file);
    if (!parsed) return undefined;
    if (!isRecord(parsed.value)) {
      this.problems.push(`${parsed.shown}:1:1: expected a JSON object ({ "properties": { ... } })`);
      return undefined;
    }
    return { value: parsed.value, origin: { file: parsed.shown, pointer: '' } };
  }

  /** An association file (`products/<p>/apis.json`, `[{ "name": "<api>" }, ...]`): the names it lists. */
  names(file: string): string[] {
    const parsed = this.parsed(file);
    if (!parsed) return [];
    if (!Array.isArray(parsed.value)) {
      this.problems.push(`${parsed.shown}:1:1: expected a JSON array ([{ "name": "<api>" }, ...])`);
      return [];
    }
    return parsed.value.flatMap((item: unknown, i) => {
      const name = isRecord(item) ? item['name'] : undefined;
      if (typeof name === 'string' && name !== '') return [name];
      const at = this.files[parsed.shown]?.locate(`/${i}`);
      this.problems.push(`${parsed.shown}:${at?.line ?? 1}:${at?.column ?? 1}: expected { "name": "<api>" }`);
      return [];
    });
  }

  /** The `properties` object of an information file (an absent `properties` is `{}`). */
  properties(file: string, info: { value: Json; origin: Origin }): Json | undefined {
    const properties = info.value['properties'];
    if (properties === undefined) return {};
    if (isRecord(properties)) return stripSecrets(properties) as Json;
    const position = this.files[info.origin.file ?? '']?.locate('/properties');
    this.problems.push(
      `${this.shown(file)}:${position?.line ?? 1}:${position?.column ?? 1}: "properties" must be an object`,
    );
    return undefined;
  }

  /** A `policy.xml`: raw text (`rawxml`, BOM stripped), located in its own file. */
  policy(file: string): PolicyContract | undefined {
    if (!this.present(file)) return undefined;
    const text = this.text(file);
    if (text === undefined) return undefined;
    const shown = this.shown(file);
    const read = stripBom(text);
    let value = this.policyTexts.get(read);
    if (value === undefined) {
      value = read;
      this.policyTexts.set(read, read);
    }
    this.files[shown] = textFileIndex(value);
    return { format: 'rawxml', value, origin: { file: shown, pointer: '' } };
  }

  /**
   * Operations listed by the API's specification file, if it is OpenAPI JSON or YAML (WSDL, WADL and GraphQL
   * APIs list theirs only as `operations/<name>/` folders). Read as bytes: the reader decodes UTF-8 and UTF-16.
   */
  specOperations(apiDir: string): SpecResult | undefined {
    for (const [name, read] of SPEC_FILES) {
      const file = fileIn(apiDir, name);
      if (!this.present(file)) continue;
      let bytes: Buffer;
      let prepared: unknown;
      try {
        ({ bytes, prepared } = this.tree.readPrepared(file));
      } catch (error) {
        this.unread(file, error);
        return undefined;
      }
      // A YAML specification's operations may have been read on the read-ahead thread (SPEC_AHEAD): the same. Its
      // bytes are not kept: a position in it reads it again (a 5,000-API tree's specifications are 7.3 MB).
      const shown = this.shown(file);
      const yaml = read === yamlSpecOperations;
      const again = yaml ? this.checked(file, shown, sha256Key(bytes), specText) : undefined;
      const result =
        prepared !== undefined && yaml
          ? preparedYamlSpec(prepared as PackedOperations, bytes, shown, again)
          : read(bytes, shown, again);
      if ('operations' in result) this.files[shown] = result.index;
      return result;
    }
    return undefined;
  }
}

/** An API's specification files, in the order they are looked for, with the reading of each. */
const SPEC_FILES = [
  ['specification.json', jsonSpecOperations],
  ['specification.yaml', yamlSpecOperations],
  ['specification.yml', yamlSpecOperations],
] as const;

/**
 * What the read-ahead thread works out besides reading (src/util/read-ahead.ts): the operations of YAML
 * specifications (spec-ahead.ts; compiled next to this file, or the TypeScript source when the tests run it).
 */
export const SPEC_AHEAD: Preparer = {
  module: path.join(__dirname, `spec-ahead${path.extname(__filename)}`),
  names: SPEC_FILES.filter(([, read]) => read === yamlSpecOperations).map(([name]) => name),
};

/** The files an operation folder (`apis/<api>/operations/<operation>/`) is read for (entities.ts). */
export const OPERATION_FILES = { info: 'operationInformation.json', policy: 'policy.xml' } as const;

/**
 * Operation folders are looked into for their two files, not listed, on the read-ahead thread (`Probe`): a tree has
 * a folder per operation, and listing each cost that thread more than reading its files. The extractor writes an
 * operation's folder for its policy; its information file is in few trees (operations come from the specification).
 */
export const OPERATION_PROBE: Probe = {
  parent: 'operations',
  present: [OPERATION_FILES.policy],
  absent: [OPERATION_FILES.info],
};

/** The entries of a collection folder (`apis/`, `named values/`...): name and folder path. */
export function entries(dir: string, folder: string, reader?: FolderReader): { name: string; dir: string }[] {
  const problem = reader ? (file: string, why: string) => reader.gap(file, why) : () => undefined;
  return subfolders(path.join(dir, folder), reader?.root, problem, reader?.tree).map((e) => ({
    name: e.name,
    dir: e.path,
  }));
}

/**
 * How to read a file again to locate a finding in it: its text, when it is still what was parsed (the same SHA-256,
 * `sha256Key`), else undefined (findings in it are then shown without a line). Only the digest is kept: a 5,000-API
 * tree has 11,700 `*Information.json` (5.9 MB of text) and 5,000 specifications (7.3 MB), and findings point into
 * few of them. It is read with the folder's checks (no link out of it), as any file of it: as text (the digest is
 * the text's), or, with `decode`, as bytes (the digest is theirs) decoded as they were the first time.
 */
class CheckedFile implements Reread {
  constructor(
    /** The file's path is `base + rest` (`base` shared by a folder's files, or `''`). */
    private readonly base: string,
    private readonly rest: string,
    private readonly root: string | undefined,
    private readonly digest: string,
    private readonly decode?: (bytes: Uint8Array) => string | undefined,
  ) {}

  reread(): string | undefined {
    const file = this.base + this.rest;
    try {
      if (!this.decode) {
        const text = readText(file, this.root);
        return sha256Key(text) === this.digest ? text : undefined;
      }
      const bytes = readBytes(file, this.root);
      return sha256Key(bytes) === this.digest ? this.decode(bytes) : undefined;
    } catch {
      return undefined;
    }
  }
}
