// @ts-check
/**
 * Example plugin rule for apim-oauth-audit: every current API accepts HTTPS only.
 *
 * A plugin has the same contract as the built-in rules: { id, meta, options?, check }. `check` receives the
 * normalized model and a context ({ now, options }) and yields violations and not-evaluated records. It must be
 * pure: no I/O, no clock. Plain objects work, so a plugin needs no build step and no dependency on this package.
 * Its documentation is the file `<id>.md` next to the module.
 *
 * Enable it in .auditrc.json:  { "plugins": ["./examples/custom-rule/api-https-only.js"] }
 */

/** @type {import('../../src/engine/types').RuleDefinition<{ allowHttpApis: string[] }>} */
const rule = {
  id: 'api-https-only',
  meta: {
    title: 'APIs accept HTTPS only',
    severity: 'error',
    tags: ['security', 'apim', 'custom'],
    securitySeverity: 7.0,
    requires: ['apim'],
  },
  options: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { allowHttpApis: { type: 'array', items: { type: 'string' } } },
    },
    defaults: { allowHttpApis: [] },
  },
  *check(model, context) {
    for (const api of model.apis) {
      if (!api.isCurrent || context.options.allowHttpApis.includes(api.name)) continue;
      const protocols = api.props.protocols ?? [];
      if (protocols.includes('http')) {
        yield {
          type: 'violation',
          entity: api,
          path: 'properties/protocols',
          message: `API '${api.name}' accepts plain HTTP (protocols: ${protocols.join(', ')}); bearer tokens would cross the network unencrypted. Allow https only.`,
        };
      }
    }
  },
};

module.exports = rule;
