/**
 * The endpoints of the providers whose URL follows from a region: Amazon Bedrock
 * (`https://bedrock-runtime.{region}.amazonaws.com`, the region from the config or, as the AWS SDKs
 * do, `AWS_REGION` / `AWS_DEFAULT_REGION`) and Google Vertex AI (`https://{region}-aiplatform.googleapis.com`,
 * `https://aiplatform.googleapis.com` for `global`). Resolved with the config, so every provider has a
 * base URL (its connection pool is per origin) and a missing region is reported at its YAML path.
 */

/** The environment variables read, as `process.env` holds them. */
type Environment = Readonly<Record<string, string | undefined>>;

/** The region a Bedrock provider uses when the config names none: `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
export function awsRegionFromEnvironment(environment: Environment = process.env): string | undefined {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = environment[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Bedrock Runtime's endpoint in a region. */
export function bedrockRuntimeUrl(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

/** The Vertex AI origin of a location: `global` has no regional prefix. */
export function vertexOrigin(region: string): string {
  return region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
}

/**
 * The region and endpoint of a regional provider type with no `baseUrl`: `undefined` for other
 * types; `{ region: undefined }` when no region is known (a config problem).
 */
export function regionalEndpoint(type: string, region: string | undefined, environment: Environment = process.env): { readonly region?: string; readonly baseUrl?: string } | undefined {
  if (type === 'bedrock') {
    const chosen = region ?? awsRegionFromEnvironment(environment);
    return chosen === undefined ? {} : { region: chosen, baseUrl: bedrockRuntimeUrl(chosen) };
  }
  if (type === 'vertex') return region === undefined ? {} : { region, baseUrl: vertexOrigin(region) };
  return undefined;
}
