// Region choices per cloud. The first entry of each list is the default.

export const regionsByCloud = {
  aws: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1'],
  gcp: ['us-central1', 'us-east1', 'us-west1', 'europe-west1', 'europe-west4', 'asia-southeast1', 'asia-northeast1'],
  azure: ['eastus', 'eastus2', 'westus2', 'westeurope', 'northeurope', 'southeastasia', 'japaneast'],
} as const;

export type CloudWithRegions = keyof typeof regionsByCloud;

export function regionsFor(cloud: string | undefined): readonly string[] {
  return cloud !== undefined && cloud in regionsByCloud ? regionsByCloud[cloud as CloudWithRegions] : [];
}
