/**
 * The RuleTester harness (src/testing/rule-tester.ts): it runs cases through the real engine and fails on a wrong
 * message, a wrong path, a missing error, an unexpected error, an unexpected abstention, bad options and a broken
 * rule contract. Failing cases are run without the test runner's globals, where `run` throws on the first failure.
 */
import { defineRule, RuleTester, violation } from '../../src';
import { checked, notEvaluated, type AnyRule } from '../../rules/support/contract';
import { RuleTesterError, type RuleTests } from '../../src/testing/rule-tester';

/** A plugin-style rule: every app registration has `notes`, and none is named `forbidden`. */
const appNotes = defineRule({
  id: 'app-notes',
  meta: { title: 'App registrations have notes', severity: 'warning', tags: ['entra'], requires: ['entra'] },
  *check(model) {
    for (const app of model.applications) {
      if (app.name === 'unknowable') {
        yield notEvaluated(`App '${app.name}' cannot be judged.`, app);
        continue;
      }
      if (typeof (app.raw as Record<string, unknown>)['notes'] !== 'string') {
        yield violation(app, `App '${app.name}' has no notes; add some.`, { path: 'notes' });
      } else {
        yield checked(app, []);
      }
    }
  },
});

const app = (name: string, extra: Record<string, unknown> = {}) => ({
  id: `00000000-0000-4000-8000-00000000000${name.length % 10}`,
  appId: `10000000-0000-4000-8000-00000000000${name.length % 10}`,
  displayName: name,
  ...extra,
});

const NOW = new Date('2026-11-25T12:00:00Z');
const tester = new RuleTester({ now: NOW });

/** Runs `tests` with no test-runner globals, so that the first failure throws. */
function runBare(rule: AnyRule, tests: RuleTests): void {
  RuleTester.describe = (_name: string, body: () => void) => body();
  RuleTester.it = (_name: string, body: () => void) => body();
  try {
    tester.run(rule, tests);
  } finally {
    RuleTester.describe = undefined;
    RuleTester.it = undefined;
  }
}

const missingNotes = { applications: [app('payments')] };

// Under jest: each case is one test.
tester.run(appNotes, {
  valid: [{ applications: [app('payments', { notes: 'owned by team x' })] }, { applications: [] }],
  invalid: [
    {
      name: 'an app without notes',
      input: missingNotes,
      errors: [
        {
          message: "App 'payments' has no notes; add some.",
          path: '/applications/0',
          line: 5,
          column: 5,
          severity: 'warning',
          resource: 'payments',
        },
      ],
    },
    {
      name: 'abstention is stated, not passed',
      input: { applications: [app('unknowable'), app('payments')] },
      errors: [{ message: /payments/ }],
      notEvaluated: [/cannot be judged/],
    },
  ],
});

describe('RuleTester reports', () => {
  it('fails a case whose finding has a message over the limit or on several lines', () => {
    const wordy = (message: string) =>
      defineRule({
        id: 'app-wordy',
        meta: { title: 't', severity: 'warning', tags: [], requires: ['entra'] },
        *check(model) {
          for (const a of model.applications) yield violation(a, message);
        },
      });
    const one = { invalid: [{ input: missingNotes, errors: 1 }], valid: [] };
    expect(() => runBare(wordy('x'.repeat(200)), one)).not.toThrow();
    expect(() => runBare(wordy('x'.repeat(201)), one)).toThrow(/one line of at most 200 characters/);
    expect(() => runBare(wordy('two\nlines'), one)).toThrow(/one line of at most 200 characters/);
  });

  it('nothing when every case holds', () => {
    expect(() =>
      runBare(appNotes, {
        valid: [{ applications: [app('payments', { notes: 'x' })] }],
        invalid: [{ input: missingNotes, errors: [{ message: /no notes/, path: '/applications/0' }] }],
      }),
    ).not.toThrow();
  });

  it('a wrong message', () => {
    expect(() =>
      runBare(appNotes, {
        valid: [],
        invalid: [{ input: missingNotes, errors: [{ message: 'App has notes.' }] }],
      }),
    ).toThrow(
      /Error #0 does not match:\n {2}message: expected "App has notes.", got "App 'payments' has no notes/,
    );
    expect(() =>
      runBare(appNotes, { valid: [], invalid: [{ input: missingNotes, errors: [{ message: /redirect/ }] }] }),
    ).toThrow(/message: expected to match \/redirect\//);
  });

  it('a wrong path', () => {
    expect(() =>
      runBare(appNotes, {
        valid: [],
        invalid: [{ input: missingNotes, errors: [{ path: '/applications/0/notes' }] }],
      }),
    ).toThrow(/path: expected "\/applications\/0\/notes", got "\/applications\/0"/);
  });

  it('a missing error', () => {
    expect(() =>
      runBare(appNotes, {
        valid: [],
        invalid: [{ input: missingNotes, errors: [{ message: /payments/ }, { message: /billing/ }] }],
      }),
    ).toThrow(/Should have 2 errors but had 1/);
  });

  it('an unexpected error, in a valid case and in an invalid one', () => {
    expect(() => runBare(appNotes, { valid: [missingNotes], invalid: [] })).toThrow(
      /Should have no errors but had 1:\n {2}- \[warning\] \/applications\/0 at 5:5: App 'payments' has no notes/,
    );
    expect(() =>
      runBare(appNotes, {
        valid: [],
        invalid: [
          { input: { applications: [app('payments'), app('billing')] }, errors: [{ message: /payments/ }] },
        ],
      }),
    ).toThrow(/Should have 1 error but had 2/);
  });

  it('an abstention the case does not expect', () => {
    expect(() => runBare(appNotes, { valid: [{ applications: [app('unknowable')] }], invalid: [] })).toThrow(
      /Should have 0 not-evaluated records \(none\) but had 1:\n {2}- .*cannot be judged/,
    );
  });

  it('options that do not match the rule schema, and options for a rule without any', () => {
    const withOptions = defineRule({
      id: 'app-notes-min',
      meta: appNotes.meta,
      check: () => [],
      options: {
        schema: { type: 'object', additionalProperties: false, properties: { min: { type: 'integer' } } },
        defaults: { min: 1 } as { min: number },
      },
    });
    expect(() =>
      runBare(withOptions, { valid: [{ input: { applications: [] }, options: { min: 'x' } }], invalid: [] }),
    ).toThrow(/rules\.app-notes-min\.options\.min: must be integer/);
    expect(() =>
      runBare(appNotes, { valid: [{ input: { applications: [] }, options: { min: 1 } }], invalid: [] }),
    ).toThrow(/this rule takes no options/);
  });

  it('a rule that breaks the contract, and an input that is not a snapshot', () => {
    const broken = {
      ...appNotes,
      id: 'Not Kebab',
      meta: { ...appNotes.meta, severity: 'fatal' },
    } as unknown as AnyRule;
    expect(() => runBare(broken, { valid: [], invalid: [] })).toThrow(RuleTesterError);
    expect(() => runBare(broken, { valid: [], invalid: [] })).toThrow(
      /id must be a kebab-case string; meta.severity/,
    );
    expect(() => runBare(appNotes, { valid: [{ applications: 'none' }], invalid: [] })).toThrow(
      /does not match the snapshot schema/,
    );
  });

  it('evidence outside what the rule says it cites, worked out even where the case leaves nothing unknown', () => {
    // Passes on the app's notes, resting on its display name too, but cites only the notes.
    const citing = (cites: Record<string, string[]>) =>
      defineRule({
        id: 'app-notes-cited',
        meta: { ...appNotes.meta, declaresEvidence: true, cites },
        *check(model, context) {
          for (const app of model.applications) {
            if (context.evidence === false) continue;
            yield checked(app, [
              { entity: app, path: 'notes' },
              { entity: app, path: 'displayName' },
            ]);
          }
        },
      });
    const valid = [{ applications: [app('fine', { notes: 'n' })] }];
    expect(() => runBare(citing({ application: ['notes'] }), { valid, invalid: [] })).toThrow(
      "The rule's evidence names displayName of application 'fine', which its meta.cites does not name (a checked output)",
    );
    expect(() =>
      runBare(citing({ application: ['notes', 'displayName'] }), { valid, invalid: [] }),
    ).not.toThrow();
    expect(() => runBare(citing({ application: [''] }), { valid, invalid: [] })).not.toThrow();
  });
});

/** `appNotes` with a detail and a fix that sets the notes to `value` (a number does not resolve it). */
function notesWithFix(value: string | number) {
  return defineRule({
    id: 'app-notes-fixed',
    meta: {
      title: 'App registrations have notes',
      severity: 'warning',
      tags: ['entra'],
      requires: ['entra'],
    },
    *check(model) {
      for (const app of model.applications) {
        if (typeof (app.raw as Record<string, unknown>)['notes'] === 'string') {
          yield checked(app, []);
          continue;
        }
        yield violation(app, `App '${app.name}' has no notes; expected some.`, {
          path: 'notes',
          detail: 'Nobody knows who owns it.',
          fix: { text: 'Add notes.', property: { path: 'notes', value } },
        });
      }
    },
  });
}

const NOTES_EDIT = {
  kind: 'json',
  file: 'snapshot.json',
  path: ['applications', 0, 'notes'],
  value: 'owned by team x',
} as const;

describe('RuleTester checks detail and fix', () => {
  it('passes a case whose detail, fix text, edit and resolution match', () => {
    expect(() =>
      runBare(notesWithFix('owned by team x'), {
        valid: [],
        invalid: [
          {
            input: missingNotes,
            errors: [
              {
                detail: 'Nobody knows who owns it.',
                fix: {
                  text: 'Add notes. In snapshot.json, set "applications[0].notes" to "owned by team x".',
                  edit: { ...NOTES_EDIT, path: [...NOTES_EDIT.path] },
                  resolves: true,
                },
              },
            ],
          },
        ],
      }),
    ).not.toThrow();
  });

  it('fails on a wrong detail, fix text or edit', () => {
    const run = (fix: object, detail?: RegExp) =>
      runBare(notesWithFix('owned by team x'), {
        valid: [],
        invalid: [{ input: missingNotes, errors: [{ fix, ...(detail ? { detail } : {}) }] }],
      });
    expect(() => run({}, /owner/)).toThrow(
      /detail: expected to match \/owner\/, got "Nobody knows who owns it."/,
    );
    expect(() => run({ text: /Remove/ })).toThrow(/fix\.text: expected to match \/Remove\//);
    expect(() => run({ edit: null })).toThrow(/fix\.edit: expected null, got \{"kind":"json"/);
    expect(() => run({ edit: { ...NOTES_EDIT, value: 'other' } })).toThrow(/fix\.edit: expected .*"other"/);
  });

  it('fails when a fix is expected but the finding has none', () => {
    expect(() =>
      runBare(appNotes, { valid: [], invalid: [{ input: missingNotes, errors: [{ fix: {} }] }] }),
    ).toThrow(/fix: expected a fix, got none/);
  });

  it('fails when the edit does not resolve the finding, or there is no edit', () => {
    expect(() =>
      runBare(notesWithFix(42), {
        valid: [],
        invalid: [{ input: missingNotes, errors: [{ fix: { resolves: true } }] }],
      }),
    ).toThrow(/Error #0: the fix does not resolve it: after the edit .* the finding remains/);
    expect(() =>
      runBare(appNotes, {
        valid: [],
        invalid: [{ input: missingNotes, errors: [{ fix: { resolves: true } }] }],
      }),
    ).toThrow(/fix: expected a fix, got none/);
  });
});
