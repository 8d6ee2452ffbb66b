import { DEFAULT_TAGS } from './meta/defaults.js'

/**
 * The action's whole input/output contract, in one place. action.yml and the README table are
 * generated from these lists (`npm run gen:docs`) and a unit test keeps them in sync, so the
 * CLI (which has no action.yml at run time) gets exactly the defaults the action gets.
 */
export interface InputSpec {
  name: string
  description: string
  /** The default as written in action.yml. `${{ ... }}` expressions are resolved by the runner. */
  default: string
  /** What the CLI uses when neither a flag nor INPUT_* gives a value (for expression defaults). */
  cliDefault?: string
  /** The section of the README table. */
  group: 'Image' | 'Build' | 'Registry' | 'Lint' | 'Smoke' | 'Scan' | 'General'
}

export interface OutputSpec {
  name: string
  description: string
}

export const INPUTS: InputSpec[] = [
  // Image and tags
  {
    group: 'Image',
    name: 'context',
    default: '.',
    description: 'Build context directory.'
  },
  {
    group: 'Image',
    name: 'file',
    default: '',
    description: 'Path to the Dockerfile. Empty means `<context>/Dockerfile`.'
  },
  {
    group: 'Image',
    name: 'images',
    default: '',
    description:
      'Image names, one per line (metadata-action syntax, `name=` / `enable=` attributes allowed). ' +
      'Empty means `<registry>/<owner>/<repo>` (just `<owner>/<repo>` on Docker Hub).'
  },
  {
    group: 'Image',
    name: 'tags',
    default: DEFAULT_TAGS,
    description:
      'Tag rules in docker/metadata-action syntax, one per line. The default gives `1.2.3`, `1.2`, `1` ' +
      '(and `latest`) on a `v1.2.3` tag, the branch name on branch pushes, `pr-N` on pull requests and ' +
      "`sha-<short>` always. An explicit empty value means metadata-action's own default rule set."
  },
  {
    group: 'Image',
    name: 'flavor',
    default: '',
    description:
      'Global tag flavor: `latest=auto|true|false`, `prefix=`, `suffix=` (metadata-action syntax).'
  },
  {
    group: 'Image',
    name: 'labels',
    default: '',
    description: 'Extra image labels, `key=value` per line; they override the generated OCI labels.'
  },
  {
    group: 'Image',
    name: 'annotations',
    default: '',
    description: 'Extra annotations, `key=value` per line.'
  },
  // Build
  {
    group: 'Build',
    name: 'build-args',
    default: '',
    description: 'Build arguments, `NAME=value` per line.'
  },
  {
    group: 'Build',
    name: 'secrets',
    default: '',
    description:
      'Build secrets, `id=value` per line, mounted with `RUN --mount=type=secret,id=...`. ' +
      'Values are masked in logs and never written to disk.'
  },
  {
    group: 'Build',
    name: 'target',
    default: '',
    description: 'Stage to build. Empty means the last stage.'
  },
  {
    group: 'Build',
    name: 'platforms',
    default: '',
    description:
      "Target platform (for example `linux/amd64`). Empty means the builder's own platform. " +
      'The tested image must run on this machine, so only one platform is accepted.'
  },
  {
    group: 'Build',
    name: 'builder',
    default: '',
    description:
      'Name of an existing buildx builder to use. Empty means: use `buildkit-endpoint` if set, ' +
      'otherwise create a `docker-container` builder for this run (removed in the post step).'
  },
  {
    group: 'Build',
    name: 'buildkit-endpoint',
    default: '',
    description:
      'Address of a running BuildKit daemon (`unix://...`, `tcp://...`); a `remote` buildx builder is ' +
      'created for it.'
  },
  {
    group: 'Build',
    name: 'buildkit-image',
    default: '',
    description:
      'BuildKit image for the builder this run creates (docker-container driver). Empty means ' +
      "buildx's default (moby/buildkit). Use a mirror when Docker Hub is rate-limited or unreachable."
  },
  {
    group: 'Build',
    name: 'buildkitd-config',
    default: '',
    description:
      'Path to a buildkitd.toml for the builder this run creates (registry mirrors, insecure registries).'
  },
  {
    group: 'Build',
    name: 'cache',
    default: 'auto',
    description:
      'Registry build cache. `auto`: read from `<first image>:buildcache`, and write to it when the ' +
      'run pushes; `off`: no cache; anything else: an explicit cache image reference used the same way.'
  },
  {
    group: 'Build',
    name: 'cache-mode',
    default: 'max',
    description: 'Cache export mode: `max` (every layer, including builder stages) or `min`.'
  },
  // Registry
  {
    group: 'Registry',
    name: 'push',
    default: 'auto',
    description:
      '`auto` pushes on branch and tag pushes, releases and manual runs, never on pull requests or ' +
      'merge queues; `true` / `false` force it (a pull request never pushes). Nothing is pushed unless ' +
      'every enabled gate passed.'
  },
  {
    group: 'Registry',
    name: 'registry',
    default: 'docker.io',
    description: 'Registry to log in to (Docker Hub by default).'
  },
  {
    group: 'Registry',
    name: 'username',
    default: '',
    description: 'Registry user name.'
  },
  {
    group: 'Registry',
    name: 'password',
    default: '',
    description:
      'Registry password or access token. Masked; passed to docker with --password-stdin.'
  },
  // Lint
  {
    group: 'Lint',
    name: 'lint',
    default: 'true',
    description: 'Lint the Dockerfile and its build context before building.'
  },
  {
    group: 'Lint',
    name: 'lint-failure-threshold',
    default: '',
    description:
      'Lowest finding severity that fails the run: `error`, `warning`, `info`, `style` or `none`. ' +
      'Unset: the `failure-threshold` of `.hadolint.yaml` (or `HADOLINT_FAILURE_THRESHOLD`), else `warning`. ' +
      'Info and style findings are still annotated.'
  },
  {
    group: 'Lint',
    name: 'lint-config',
    default: '',
    description: "Path to a `.hadolint.yaml`. Empty means hadolint's own discovery."
  },
  {
    group: 'Lint',
    name: 'lint-ignore',
    default: '',
    description: 'Rule ids to ignore (`DL3008`, `MLD012`, ...), comma or newline separated.'
  },
  // Smoke
  {
    group: 'Smoke',
    name: 'smoke',
    default: 'true',
    description:
      'Run the built image and require its Docker HEALTHCHECK to report `healthy` before scanning and pushing.'
  },
  {
    group: 'Smoke',
    name: 'smoke-timeout',
    default: '120',
    description: 'Seconds to wait for `healthy` before the smoke test fails.'
  },
  {
    group: 'Smoke',
    name: 'smoke-env',
    default: '',
    description: 'Environment for the smoke container, `NAME=value` per line.'
  },
  // Scan
  {
    group: 'Scan',
    name: 'scan',
    default: 'true',
    description: 'Scan the tested image with Trivy and gate on `scan-severity`.'
  },
  {
    group: 'Scan',
    name: 'scan-severity',
    default: 'CRITICAL,HIGH',
    description:
      'Vulnerability and secret severities that fail the run (`UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL`).'
  },
  {
    group: 'Scan',
    name: 'scan-ignore-unfixed',
    default: 'false',
    description: 'Do not fail on vulnerabilities that have no fixed version yet.'
  },
  {
    group: 'Scan',
    name: 'trivy-version',
    default: '0.74.0',
    description:
      'Trivy version. A `trivy` of this version on PATH is used; otherwise the release archive is ' +
      'downloaded and checked against a pinned sha256.'
  },
  {
    group: 'Scan',
    name: 'trivy-cache-dir',
    default: '',
    description: "Trivy cache directory (vulnerability DB). Empty means Trivy's default."
  },
  {
    group: 'Scan',
    name: 'trivy-db-repository',
    default: '',
    description:
      "OCI repositories of the vulnerability DB, comma separated. Empty means Trivy's default."
  },
  {
    group: 'Scan',
    name: 'scan-skip-db-update',
    default: 'false',
    description:
      'Use the DB already in `trivy-cache-dir` without downloading (for offline or pre-seeded caches).'
  },
  // General
  {
    group: 'General',
    name: 'github-token',
    default: '${{ github.token }}',
    cliDefault: '',
    description:
      'Token used only when the event payload lacks repository data (labels, default branch).'
  },
  {
    group: 'General',
    name: 'summary',
    default: 'true',
    description: 'Write a job summary.'
  }
]

export const OUTPUTS: OutputSpec[] = [
  { name: 'version', description: 'Image version from the highest-priority tag rule.' },
  { name: 'tags', description: 'Full image references, one per line.' },
  { name: 'tag-names', description: 'Tag names without the image name, one per line.' },
  { name: 'labels', description: 'Image labels, `key=value` per line.' },
  { name: 'annotations', description: 'Annotations, one per line.' },
  { name: 'json', description: 'Tags, labels and annotations as JSON.' },
  { name: 'imageid', description: 'Image ID (config digest) of the built and tested image.' },
  { name: 'digest', description: 'Manifest digest in the registry, when pushed.' },
  { name: 'pushed', description: '`true` when the image was pushed.' },
  { name: 'lint-errors', description: 'Number of error-level lint findings.' },
  { name: 'lint-warnings', description: 'Number of warning-level lint findings.' },
  { name: 'lint-notices', description: 'Number of info- and style-level lint findings.' },
  { name: 'lint-sarif', description: 'Path of the lint SARIF file.' },
  { name: 'scan-critical', description: 'Number of CRITICAL vulnerabilities and secrets found.' },
  { name: 'scan-high', description: 'Number of HIGH vulnerabilities and secrets found.' },
  { name: 'scan-medium', description: 'Number of MEDIUM vulnerabilities and secrets found.' },
  { name: 'scan-low', description: 'Number of LOW and UNKNOWN vulnerabilities and secrets found.' },
  { name: 'scan-report', description: 'Path of the Trivy JSON report.' },
  { name: 'scan-sarif', description: 'Path of the Trivy SARIF report.' }
]

export function inputSpec(name: string): InputSpec {
  const spec = INPUTS.find((i) => i.name === name)
  if (!spec) throw new Error(`unknown input ${name}`)
  return spec
}
