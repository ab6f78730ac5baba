/**
 * The HTML report in a real browser (headless Chromium, puppeteer-core): the bundled samples and the attack
 * fixture, each opened from a file:// URL. Every page must load nothing but itself, log no error (a CSP violation is
 * one), raise no page error or dialog, show its content, and filter its findings. A screenshot of each goes to
 * test/artifacts/. `npm run test:browser`; fails when Chromium is absent (./global-setup.js).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { reporters } from '../../reporters';
import { audit } from '../../src/audit';
import type { AuditResult } from '../../src/engine/types';
import { REPO_ROOT, TEST_NOW } from '../helpers/sample';
import { PAYLOADS, XSS_OPTIONS, xssResult } from '../reporters/xss-result';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- shared with the JS global setup
const { chromiumPath } = require('./chromium') as { chromiumPath: () => string };

const ARTIFACTS = path.join(REPO_ROOT, 'test', 'artifacts');

let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Chromium refuses its sandbox to root (CI runs as root); the page is our own file, loaded offline.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  process.stdout.write(`Chromium ${await browser.version()} started in ${Date.now() - started} ms\n`);
});

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  /** Console errors, page errors, dialogs and requests for anything but the page itself. */
  problems: string[];
}

async function audited(
  sources: string[],
): Promise<AuditResult & { docs: Parameters<typeof reporters.html>[1] }> {
  const { result, prepared } = await audit({
    cwd: REPO_ROOT,
    sources,
    noConfig: true,
    now: TEST_NOW,
    policyChains: true,
  });
  return { ...result, docs: { color: false, toolVersion: '0.0.0-test', ruleDocs: prepared.registry.docs } };
}

/** Writes the report to test/artifacts/<name>.html and opens it from disk, watching for anything untoward. */
async function open(name: string, html: string): Promise<Opened> {
  const file = path.join(ARTIFACTS, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const requested = request.url();
    if (requested === url || requested.startsWith('data:')) {
      void request.continue();
    } else {
      problems.push(`request: ${requested}`);
      void request.abort();
    }
  });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

async function visibleFindings(page: Page): Promise<number> {
  return page.evaluate(
    `document.querySelectorAll('#findings .finding:not([hidden])').length`,
  ) as Promise<number>;
}

async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) => (element as unknown as { textContent: string }).textContent);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('the HTML report in Chromium', () => {
  it('contoso: counts, a finding, the lost validation highlighted, and working filters', async () => {
    const result = await audited(['examples/contoso/snapshot.json']);
    const { page, problems } = await open('contoso', reporters.html(result, result.docs));
    expect(await text(page, '#count-error')).toBe(String(result.summary.error));
    expect(await text(page, '#count-warning')).toBe(String(result.summary.warning));
    const total = result.findings.length;
    expect(await visibleFindings(page)).toBe(total);

    const validateJwt = result.findings.find((f) => f.ruleId === 'api-validate-jwt');
    expect(await text(page, '#findings')).toContain(validateJwt?.message);
    const lost = await page.$$eval('.chain [data-mark="lost"]', (els) =>
      els.map((e) => (e as unknown as { textContent: string }).textContent),
    );
    expect(lost.length).toBeGreaterThan(0);
    expect(lost[0]).toContain('<inbound>');
    expect(lost[0]).toContain('no <base /> in inbound');

    // A severity card shows only that severity.
    await page.click('button[data-only-severity="warning"]');
    expect(await visibleFindings(page)).toBe(result.findings.filter((f) => f.severity === 'warning').length);
    // A rule chosen in the filter.
    await page.click('#filter-reset');
    expect(await visibleFindings(page)).toBe(total);
    await page.select('#filter-rule', 'api-validate-jwt');
    expect(await visibleFindings(page)).toBe(1);
    expect(await text(page, '#shown-count')).toBe('1');
    // A resource typed in.
    await page.click('#filter-reset');
    await page.type('#filter-resource', 'colors-admin-api');
    const admin = result.findings.filter((f) => f.resource.id.includes('colors-admin-api')).length;
    expect(admin).toBeGreaterThan(0);
    expect(await visibleFindings(page)).toBe(admin);
    await page.click('#filter-reset');

    await screenshot(page, 'contoso');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('apiops-real: the operation that dropped <base /> and the validate-jwt that does not run', async () => {
    const result = await audited([
      'apiops:examples/apiops-real/apimartifacts',
      'manifest:examples/apiops-real/entra',
    ]);
    const { page, problems } = await open('apiops-real', reporters.html(result, result.docs));
    expect(await visibleFindings(page)).toBe(result.findings.length);
    const chain = (result.policyChains?.chains ?? []).findIndex((c) =>
      c.operations.includes('pricing-api/update-price'),
    );
    expect(chain).toBeGreaterThanOrEqual(0);
    const id = `#chain-${chain + 1}`;
    await page.click(`${id} > summary`);
    expect(await text(page, `${id} [data-mark="lost"]`)).toContain('<inbound>');
    expect(await text(page, `${id} [data-mark="dropped"]`)).toContain('<validate-jwt');
    const box = await page.$eval(`${id} [data-mark="dropped"]`, (e) => {
      const rect = (e as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect();
      return rect.height;
    });
    expect(box).toBeGreaterThan(0);

    await page.select('#filter-api', 'shipping-api');
    expect(await visibleFindings(page)).toBe(1);
    await page.select('#filter-api', '');

    await screenshot(page, 'apiops-real');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the attack fixture: nothing runs, nothing loads, every payload reads as text', async () => {
    const { page, problems } = await open('xss', reporters.html(xssResult(), XSS_OPTIONS));
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.evaluate('document.scripts.length')).toBe(1);
    expect(await page.evaluate('document.images.length')).toBe(0);
    const body = await text(page, 'body');
    for (const payload of PAYLOADS) expect(body).toContain(payload);
    // Hovering and clicking what the payloads would have turned into changes nothing.
    await page.hover('#findings .finding .message');
    await page.click('button[data-only-severity="error"]');
    expect(await visibleFindings(page)).toBe(2);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await text(page, '#incomplete')).toContain('Audit incomplete (1 rule crash, 1 source gap)');

    await screenshot(page, 'xss');
    expect(problems).toEqual([]);
    await page.close();
  });
});
