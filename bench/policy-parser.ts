/**
 * Policy parser throughput on real policy documents and on a synthetic large policy. The documents are the
 * policies bundled with the tests (test/policy/fixtures), or, with APIM_AUDIT_CORPUS=<folder>, the third-party
 * corpus's `<folder>/policies` (rawxml that strict XML parsers reject). Reports ratios measured in one run, not absolute targets:
 * - MB/s over the corpus, and time per document;
 * - scaling: time for a policy 10x the size of another, divided by 10 (1.0 = linear; a quadratic parser
 *   would show about 10).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePolicy } from '../src/policy/parser';

function timeIt(fn: () => void, minMs = 300): number {
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return elapsed / runs;
}

const REPO = path.resolve(__dirname, '../..');
const corpusDir = process.env['APIM_AUDIT_CORPUS']
  ? path.resolve(REPO, process.env['APIM_AUDIT_CORPUS'], 'policies')
  : path.join(REPO, 'test', 'policy', 'fixtures');
const files = existsSync(corpusDir) ? readdirSync(corpusDir).filter((f) => f.endsWith('.xml')) : [];
const texts = files.map((f) => readFileSync(path.join(corpusDir, f), 'utf8'));
const totalBytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

if (texts.length > 0) {
  const perCorpus = timeIt(() => texts.forEach((t) => parsePolicy(t, undefined)));
  console.log(
    `corpus: ${texts.length} documents, ${(totalBytes / 1024).toFixed(0)} KiB; ${perCorpus.toFixed(2)} ms per pass, ` +
      `${(totalBytes / 1024 / 1024 / (perCorpus / 1000)).toFixed(1)} MB/s, ${(perCorpus / texts.length).toFixed(3)} ms per document`,
  );
} else {
  console.log(`corpus not found at ${corpusDir}; skipping the corpus pass`);
}

function synthetic(operations: number): string {
  const body = Array.from(
    { length: operations },
    (_, i) =>
      `<choose><when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x-${i}&quot;, &quot;&quot;) == &quot;a&quot; &amp;&amp; ${i} > 0)">` +
      `<set-header name="x-${i}" exists-action="override"><value>@{ var v = context.Variables.GetValueOrDefault<string>("v${i}"); return v ?? "none"; }</value></set-header></when></choose>`,
  ).join('\n');
  return `<policies><inbound><base />${body}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
}

const small = synthetic(200);
const large = synthetic(2000);
const tSmall = timeIt(() => parsePolicy(small, 'rawxml'));
const tLarge = timeIt(() => parsePolicy(large, 'rawxml'));
console.log(
  `synthetic: ${(small.length / 1024).toFixed(0)} KiB in ${tSmall.toFixed(2)} ms, ${(large.length / 1024).toFixed(0)} KiB in ${tLarge.toFixed(2)} ms; ` +
    `scaling ratio (10x input) / 10 = ${(tLarge / tSmall / 10).toFixed(2)} (1.0 = linear)`,
);
