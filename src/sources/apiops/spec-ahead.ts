/**
 * Run on the read-ahead thread (src/util/read-ahead.ts, `Preparer`) while the main thread is still on the APIs
 * before: the operations of a YAML specification, exactly as `yamlSpecOperations` reads them from the same bytes,
 * packed to cross threads (`packOperations`), except for the file's name, which the main thread gives them
 * (`preparedYamlSpec`), and the position index, which does not cross threads (the main thread composes it from the bytes when asked). A specification that cannot be
 * read is left to the main thread, which reads it again and reports why.
 *
 * It loads only what parsing a specification needs (no `yaml` package unless a file falls outside the subset).
 */
import { packOperations, yamlSpecOperations, type PackedOperations } from './spec';

export function prepare(bytes: Uint8Array): PackedOperations | undefined {
  const result = yamlSpecOperations(bytes, '');
  return 'operations' in result ? packOperations(result.operations) : undefined;
}
