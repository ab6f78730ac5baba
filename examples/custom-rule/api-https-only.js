// @ts-check
/**
 * Example plugin for apim-oauth-audit, with one rule: every current API accepts HTTPS only.
 *
 * A plugin exports `{ meta: { name, version }, rules: [...] }`. Its rules have the same contract as the built-in
 * ones ({ id, meta, options?, check }), and the audit names them `<plugin name>/<rule id>`: this one is
 * `acme/api-https-only` in .auditrc.json `rules`, `suppressions`, `--rule`, `explain` and SARIF. `check` receives the
 * normalized model and a context ({ now, options }) and yields violations and not-evaluated records. It must be
 * pure: no I/O, no clock. A rule's documentation is the file `<rule id>.md` next to the module.
 *
 * Enable it in .auditrc.json:  { "plugins": ["./examples/custom-rule/api-https-only.js"] }  (and pass --plugins)
 */
const { defineRule } = require('apim-oauth-audit');

/** @type {import('apim-oauth-audit').RuleDefinition<{ allowHttpApis: string[] }>} */
const apiHttpsOnly = defineRule({
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
});

module.exports = { meta: { name: 'acme', version: '1.0.0' }, rules: [apiHttpsOnly] };
