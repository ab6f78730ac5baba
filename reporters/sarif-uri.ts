/**
 * Artifact locations as SARIF writes them: paths relative to the directory the audit ran in become relative URIs
 * under `%SRCROOT%`, which is what GitHub code scanning resolves against the repository.
 */
export const SRCROOT = '%SRCROOT%';

/**
 * Where a finding's file is, as SARIF writes it. Declared here rather than taken from `@types/sarif` (a
 * development dependency) so that the published declarations need nothing that is not installed with the package.
 */
export interface ArtifactUri {
  uri: string;
  uriBaseId?: string;
}

// ----- URIs ------------------------------------------------------------------------------------------------

const DRIVE = /^[A-Za-z]:$/;

function isAbsolutePath(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:\//.test(file);
}

/** Splits a path into segments, resolving `.` and `..` textually (no file system, no cwd). */
function segmentsOf(file: string): string[] {
  const result: string[] = [];
  for (const segment of file.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && result.length > 0 && result[result.length - 1] !== '..') result.pop();
    else result.push(segment);
  }
  return result;
}

function encodeSegments(segments: readonly string[]): string {
  return segments.map((s) => (DRIVE.test(s) ? s : encodeURIComponent(s))).join('/');
}

/** `/a/b` -> `file:///a/b`, `C:/a` -> `file:///C:/a`. */
function fileUri(absolutePath: string): string {
  return `file:///${encodeSegments(segmentsOf(absolutePath))}`;
}

function sameSegment(a: string, b: string, index: number): boolean {
  // Windows drive letters compare case-insensitively; everything else exactly.
  return index === 0 && DRIVE.test(a) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** The segments of `file` below `baseDir`, or undefined when it is not below it. */
function relativeSegments(file: string, baseDir: string): string[] | undefined {
  const base = segmentsOf(baseDir);
  const target = segmentsOf(file);
  if (target.length <= base.length) return undefined;
  return base.every((segment, i) => sameSegment(segment, target[i] ?? '', i))
    ? target.slice(base.length)
    : undefined;
}

/**
 * The artifact location of a finding's file. Finding paths are relative to the directory the audit ran in, which
 * is what the CLI passes as `baseDir`, so they become relative URIs under `%SRCROOT%` (forward slashes, each
 * segment percent-encoded). An absolute path is made relative to `baseDir` when it lies below it, and otherwise
 * written as an absolute `file:` URI without a base.
 */
export function artifactLocation(file: string, baseDir: string | undefined): ArtifactUri {
  const normalized = file.replace(/\\/g, '/');
  if (!isAbsolutePath(normalized)) return { uri: encodeSegments(segmentsOf(normalized)), uriBaseId: SRCROOT };
  const relative = baseDir !== undefined ? relativeSegments(normalized, baseDir) : undefined;
  return relative ? { uri: encodeSegments(relative), uriBaseId: SRCROOT } : { uri: fileUri(normalized) };
}

/** `run.originalUriBaseIds`: what `%SRCROOT%` stands for (its `file:` URI when the base directory is absolute). */
export function originalUriBaseIds(
  baseDir: string | undefined,
): Record<string, { uri?: string; description: { text: string } }> {
  const description = { text: 'The directory the audit ran in; finding paths are relative to it.' };
  const normalized = baseDir?.replace(/\\/g, '/');
  if (normalized === undefined || !isAbsolutePath(normalized)) return { [SRCROOT]: { description } };
  const uri = fileUri(normalized);
  return { [SRCROOT]: { uri: uri.endsWith('/') ? uri : `${uri}/`, description } };
}
