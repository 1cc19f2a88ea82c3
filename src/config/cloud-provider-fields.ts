/**
 * The settings only Amazon Bedrock and Google Vertex AI providers have (`region`, `project`,
 * `publisher`, `credentials`): which type may set which, and which a type requires. Checked in the
 * provider schema, so each problem is reported at its YAML path and line.
 */

/** The provider fields this module checks, as the schema parsed them. */
export interface CloudProviderFields {
  readonly type: string;
  readonly region?: string | undefined;
  readonly project?: string | undefined;
  readonly publisher?: string | undefined;
  readonly credentials?: string | undefined;
}

/** One problem: the field it is about and what is wrong. */
export interface CloudFieldProblem {
  readonly field: 'region' | 'project' | 'publisher' | 'credentials';
  readonly message: string;
}

/** The types allowed to set each field. */
const FIELD_TYPES: Readonly<Record<CloudFieldProblem['field'], readonly string[]>> = {
  region: ['bedrock', 'vertex'],
  project: ['vertex'],
  publisher: ['vertex'],
  credentials: ['vertex'],
};

/** AWS regions (`us-east-1`) and Google Cloud locations (`us-east5`, `global`, `europe-west1`). */
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Google Cloud project ids: 6–30 lowercase letters, digits and hyphens (older ones may carry a `domain:` prefix). */
const PROJECT = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** What is wrong with a provider's cloud fields; empty when nothing is. */
export function cloudProviderProblems(provider: CloudProviderFields): CloudFieldProblem[] {
  const problems: CloudFieldProblem[] = [];
  for (const field of Object.keys(FIELD_TYPES) as CloudFieldProblem['field'][]) {
    const allowed = FIELD_TYPES[field];
    if (provider[field] !== undefined && !allowed.includes(provider.type)) {
      problems.push({ field, message: `only for type ${allowed.join(' or ')} (this provider is type ${provider.type})` });
    }
  }
  if (provider.region !== undefined && !REGION.test(provider.region)) {
    problems.push({ field: 'region', message: `"${provider.region}" is not a region name (e.g. us-east-1 for Bedrock, us-east5 or global for Vertex AI)` });
  }
  if (provider.type === 'vertex') {
    if (provider.project === undefined) problems.push({ field: 'project', message: 'required for type vertex: the Google Cloud project id' });
    else if (!PROJECT.test(provider.project)) problems.push({ field: 'project', message: `"${provider.project}" is not a Google Cloud project id` });
    if (provider.region === undefined) problems.push({ field: 'region', message: 'required for type vertex: the location, e.g. us-east5, europe-west1 or global' });
  }
  return problems;
}
