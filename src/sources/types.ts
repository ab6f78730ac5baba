/**
 * The contract every source kind implements: a location in, an inventory out. Sources are the I/O edge; they
 * never know about rules.
 */
import type { LiveSettings } from '../config/types';
import type { Stats } from 'node:fs';
import type { Inventory } from '../inventory/types';

export interface SourceContext {
  /** Working directory: paths in findings and messages are shown relative to it. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  live: LiveSettings;
  /** Verbose log line (stderr under --verbose, else dropped). Never pass secrets or tokens. */
  log(message: string): void;
  /** Progress of a long collection (stderr on a TTY). */
  progress(done: number, total: number, what: string): void;
  /**
   * App ids the APIM side references (authorization server client ids, backend app ids in default scopes),
   * known once the other sources are loaded; lets `graph` fetch just those apps instead of the whole tenant.
   */
  referencedAppIds: readonly string[] | undefined;
}

export interface SourceDefinition {
  /** One line for `--help` and error messages. */
  describe: string;
  /** Whether the location is a path on disk (resolved against the config or working directory). */
  takesPath: boolean;
  /** For bare paths: does this location look like this kind? `peek` is the start of a file's text. */
  detect?(location: string, stats: Stats, peek: string | undefined): boolean;
  load(location: string, raw: string, context: SourceContext): Promise<Inventory>;
  /**
   * Load order: `files` first, then live `apim` sources, then live `entra` sources, so that a live Entra
   * source knows which app ids the APIM side references (`SourceContext.referencedAppIds`).
   */
  phase?: 'files' | 'apim' | 'entra';
}
