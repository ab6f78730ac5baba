/**
 * The two live source kinds: `graph` (Microsoft Graph: the tenant's app registrations) and `azure:` (Azure
 * Resource Manager: API Management services). The modules that call the Azure SDKs stay behind these two, and
 * load only when a live source is used: the SDKs are hundreds of modules, and an offline scan needs none of them
 * (test/cli/startup/startup-modules.test.ts keeps it so).
 */
import type { SourceDefinition } from '../types';

export const azureSource: SourceDefinition = {
  describe: 'API Management from Azure Resource Manager: azure:<service, resource group or subscription id>',
  takesPath: false,
  phase: 'apim',
  load: async (location, raw, context) => (await import('./azure')).loadAzure(location, raw, context),
};

export const graphSource: SourceDefinition = {
  describe: "app registrations from Microsoft Graph: graph (the credential's tenant) or graph:<tenant>",
  takesPath: false,
  phase: 'entra',
  load: async (location, raw, context) => (await import('./graph')).loadGraph(location.trim(), raw, context),
};
