import { runAudit } from '../../src/engine/run';
import { builtinRegistry } from '../../src/registry';
import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import { applyOverlay, loadSampleDoc, TEST_NOW } from '../helpers/sample';

function auditWithUnknown(path: string) {
  const doc = applyOverlay(loadSampleDoc(), {
    authorizationServer: { $unknown: { [path]: "[parameters('x')] has no value" } },
  });
  const inventory = parseSnapshot(JSON.stringify(doc), 's.json');
  const { rules } = builtinRegistry();
  return runAudit(normalize(inventory), {
    rules,
    settings: {},
    suppressions: [],
    now: TEST_NOW,
    files: inventory.files,
  });
}

describe('unknown values of an authorization server', () => {
  it('one the audit reads (the token endpoint) makes the rules that judge the server not evaluated', () => {
    const result = auditWithUnknown('properties/tokenEndpoint');
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated.map((n) => n.ruleId)).toEqual(
      expect.arrayContaining(['auth-server-v2-endpoints']),
    );
    expect(result.notEvaluated[0]?.reason).toContain("[parameters('x')] has no value");
  });

  it('one no rule reads (the client registration endpoint placeholder) changes nothing', () => {
    const result = auditWithUnknown('properties/clientRegistrationEndpoint');
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated).toEqual([]);
  });
});
