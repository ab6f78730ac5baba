/**
 * A specification in the subset is read without loading the `yaml` package (72 modules): here loading it throws.
 */
import { yamlSpecOperations } from '../../../src/sources/apiops/spec';

jest.mock('yaml', () => {
  throw new Error('the yaml package was loaded');
});

const SPEC = `openapi: 3.0.1
info:
  title: Service 1
  version: '1.0'
paths:
  '/items/{id}':
    get:
      summary: Get an item
      operationId: get-item
      parameters:
        - name: id
          in: path
          required: true
      responses:
        '200':
          description: OK
components: {}
`;

describe('yamlSpecOperations without the yaml package', () => {
  it('reads a specification in the subset', () => {
    const result = yamlSpecOperations(SPEC, 'specification.yaml');
    expect('operations' in result && result.operations.map((o) => o.name)).toEqual(['get-item']);
  });

  it('loads the yaml package for a specification outside the subset', () => {
    expect(() => yamlSpecOperations(`${SPEC}x: &anchor 1\n`, 'specification.yaml')).toThrow(
      'the yaml package was loaded',
    );
  });
});
