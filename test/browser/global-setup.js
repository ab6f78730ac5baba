// Fails the whole browser run at once (before any suite) when Chromium is absent: never a silent skip.
const { chromiumMissing } = require('./chromium');

module.exports = async function globalSetup() {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
};
