/**
 * The two live source kinds: `graph` (Microsoft Graph: the tenant's app registrations) and `azure:` (Azure
 * Resource Manager: API Management services). The modules that call the Azure SDKs stay behind these two.
 */
export { azureSource } from './azure';
export { graphSource } from './graph';
