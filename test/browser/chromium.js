// Where the browser test finds Chromium: $APIM_AUDIT_CHROMIUM, else Debian's `chromium` package. Shared by the
// global setup (fails the run at once when it is absent) and the test (launches it).
const { accessSync, constants } = require('node:fs');

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

function chromiumPath() {
  const configured = process.env.APIM_AUDIT_CHROMIUM;
  return configured && configured.trim() ? configured.trim() : DEFAULT_CHROMIUM;
}

/** An error message saying how to install Chromium, or undefined when it is there. */
function chromiumMissing() {
  const file = chromiumPath();
  try {
    accessSync(file, constants.X_OK);
    return undefined;
  } catch {
    return (
      `npm run test:browser: no Chromium at ${file}. Install Debian's package ` +
      '(sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium) ' +
      'or set APIM_AUDIT_CHROMIUM=<path to a Chromium or Chrome binary>.'
    );
  }
}

module.exports = { chromiumPath, chromiumMissing };
