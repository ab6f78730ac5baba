// PLACEHOLDER: being implemented; replaced by the real rule.
import { defineRule, notEvaluated } from '../src/engine/types';

export default defineRule({
  id: 'api-oauth-enabled',
  meta: { title: 'api-oauth-enabled', severity: 'error', tags: [], requires: [] },
  *check() {
    yield notEvaluated('not implemented yet');
  },
});
