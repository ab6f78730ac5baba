/** The Azure clouds an audit can target. */
export type CloudName = 'AzurePublic' | 'AzureUSGovernment' | 'AzureChina' | 'Custom';
