/**
 * Where the third-party corpus is: `$APIM_AUDIT_CORPUS`, or `../shared/corpus` next to the repository. The corpus
 * suite (`npm run test:corpus`) needs it and fails loudly without it; `npm test` never reads it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');

export function corpusRoot(): string {
  const configured = process.env['APIM_AUDIT_CORPUS'];
  return path.resolve(REPO, configured && configured.trim() ? configured : '../shared/corpus');
}

/** The corpus root, or an error that says where it was looked for and how to point at it. */
export function requireCorpus(): string {
  const root = corpusRoot();
  if (!existsSync(path.join(root, 'MANIFEST.tsv'))) {
    throw new Error(
      `The third-party corpus is not at ${root} (no MANIFEST.tsv there). npm run test:corpus reads ` +
        '../shared/corpus next to the repository, or the folder named by APIM_AUDIT_CORPUS.',
    );
  }
  return root;
}

export const CORPUS = requireCorpus();
/** The corpus as a path relative to the repository, the way a user passes it on the command line. */
export const CORPUS_REL = path.relative(REPO, CORPUS);
