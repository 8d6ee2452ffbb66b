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
  /**
   * A credential: masked (the runner's add-mask, the CLI's redaction) before any input is parsed,
   * and never quoted in a message.
   */
  secret?: true
  /** The section of the README table. */
  group: 'Image' | 'Build' | 'Registry' | 'Lint' | 'Smoke' | 'Scan' | 'Publish' | 'General'
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
      'Global tag flavor: `latest=auto|true|false`, `prefix=`, `suffix=` (metadata-action syntax). ' +
      '`latest=highest`: as `auto`, but `latest` moves only when this version is the highest semver ' +
      'release already in the registry (re-releasing 1.4.1 after 2.0.0 leaves `latest` on 2.0.0).'
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
    secret: true,
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
      "Target platforms (for example `linux/amd64,linux/arm64`). Empty means the builder's own platform. " +
      "Several platforms build one multi-platform index in one build; this machine's platform must be " +
      'among them (it is smoke-tested), every platform is scanned, and the index is pushed.'
  },
  {
    group: 'Build',
    name: 'builder',
    default: '',
    description:
      'Name of an existing buildx builder to use. Empty means: use `buildkit-endpoint` if set; else, ' +
      "when the daemon uses the containerd image store, the daemon's own BuildKit (the image lands in " +
      'the store without a tarball load); else create a `docker-container` builder for this run ' +
      '(removed in the post step).'
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
      'Build cache. `auto`: a registry cache per image and branch (`<first image>:buildcache-<branch>`), ' +
      "read with a fallback to the default branch's, and written by the build itself when the run pushes " +
      '(pull requests only read); `gha`: the GitHub Actions cache backend, same policy; `off`: no cache; ' +
      'anything else: an explicit cache image reference used the same way.'
  },
  {
    group: 'Build',
    name: 'cache-mode',
    default: 'max',
    description: 'Cache export mode: `max` (every layer, including builder stages) or `min`.'
  },
  {
    group: 'Build',
    name: 'cache-compression',
    default: 'zstd',
    description:
      'Compression of the cache layers the export has to compress itself (with `cache-mode: max`, the ' +
      "builder stages). Layers of the image keep the image's own gzip blobs. `zstd` costs a fraction " +
      'of the CPU of `gzip` while the smoke test and the scan run beside the export; `gzip` for ' +
      'caches read by a BuildKit older than 0.10.'
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
    name: 'push-timeout',
    default: '1800',
    description:
      'Seconds the whole push may take, retries included. Transient registry errors (5xx, 429, ' +
      'connection resets) are retried with backoff until then; a dead registry fails in bounded time.'
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
    secret: true,
    default: '',
    description:
      'Registry password or access token. Masked; passed to docker with --password-stdin.'
  },
  {
    group: 'Registry',
    name: 'registry-auth',
    secret: true,
    default: '',
    description:
      'Credentials for further registries named by `images`, one `registry=...,username=...,password=...` ' +
      'block per line. Masked; each registry is logged in inside the ' +
      "run's own Docker configuration, and only when the run pushes. Registries without a line use " +
      '`username`/`password` (for `registry`) or the Docker client configuration.'
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
      'Run the built image and require it to become ready (its HEALTHCHECK, or `smoke-probe`) before ' +
      'scanning and pushing; then send `smoke-request` and measure time to ready, memory and size.'
  },
  {
    group: 'Smoke',
    name: 'smoke-timeout',
    default: '120',
    description:
      'Seconds to wait for the service to become ready (and for the prediction to answer) before the smoke test fails.'
  },
  {
    group: 'Smoke',
    name: 'smoke-env',
    default: '',
    description: 'Environment for the smoke container, `NAME=value` per line.'
  },
  {
    group: 'Smoke',
    name: 'smoke-probe',
    default: '',
    description:
      "What proves the service is ready: `healthcheck` (the image's HEALTHCHECK, the default when it has " +
      'one), an HTTP URL on a container port (`http://:8080/health`: a 2xx passes), or `cmd: <command>` ' +
      'run in the container (exit 0 passes).'
  },
  {
    group: 'Smoke',
    name: 'smoke-request',
    default: '',
    description:
      'A prediction request sent once the service is ready: first line `METHOD /path`, then optional ' +
      '`Name: value` headers, a blank line and the body; or the path of a file holding that text. It goes ' +
      'to the first `smoke-ports` port (else the first EXPOSEd port); a 2xx answer is required.'
  },
  {
    group: 'Smoke',
    name: 'smoke-expect',
    default: '',
    description:
      'Regular expression the response body of `smoke-request` must match (JavaScript syntax).'
  },
  {
    group: 'Smoke',
    name: 'smoke-services',
    default: '',
    description:
      'Sidecars, `NAME=IMAGE` per line (`redis=redis:7`), started first on a private network where the ' +
      'service reaches each by NAME; waited for (their HEALTHCHECK when they have one) and removed after.'
  },
  {
    group: 'Smoke',
    name: 'smoke-ports',
    default: '',
    description:
      'Container ports to publish on 127.0.0.1 (`8080` or `8080/tcp`, comma or newline separated). Empty ' +
      "means the image's EXPOSEd TCP ports."
  },
  {
    group: 'Smoke',
    name: 'smoke-args',
    default: '',
    description:
      "Command for the smoke container instead of the image's CMD: a JSON array, one argument per line, " +
      'or one line split on blanks (quotes group words).'
  },
  {
    group: 'Smoke',
    name: 'smoke-gpus',
    default: '',
    description:
      'Passed as `docker run --gpus` (`all`, `1`, `device=0`); needs a GPU runner with the NVIDIA container toolkit.'
  },
  {
    group: 'Smoke',
    name: 'smoke-shm-size',
    default: '',
    description:
      'Shared memory for the smoke container (`--shm-size`, e.g. `1g`; PyTorch data loaders need it).'
  },
  {
    group: 'Smoke',
    name: 'smoke-memory',
    default: '',
    description:
      'Memory limit for the smoke container (`--memory`, e.g. `512m`, no swap). An OOM kill is reported as such.'
  },
  {
    group: 'Smoke',
    name: 'smoke-read-only',
    default: 'false',
    description:
      'Run the smoke container with a read-only root file system (`/tmp` stays writable, in memory).'
  },
  {
    group: 'Smoke',
    name: 'max-image-size',
    default: '',
    description:
      'Largest accepted uncompressed image size (`800MB`, `2GB`, `1.5GiB`); a larger image fails the smoke stage.'
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
    name: 'scan-fail-on',
    default: 'all',
    description:
      '`all`: fail on every finding of `scan-severity`. `new`: fail only on findings that the ' +
      '`scan-baseline` image does not have (no baseline found: same as `all`).'
  },
  {
    group: 'Scan',
    name: 'scan-baseline',
    default: '',
    description:
      'What `new` findings are compared with: an image reference (read through the registry with ' +
      "this run's credentials) or the path of a Trivy JSON report. Empty means the image currently " +
      'published under the first computed tag.'
  },
  {
    group: 'Scan',
    name: 'scan-ignore-file',
    default: '',
    description:
      'A `.trivyignore` (IDs, `exp:YYYY-MM-DD`) or `.trivyignore.yaml` (with `expired_at`) file. ' +
      'Empty means `.trivyignore.yaml`, `.trivyignore.yml` or `.trivyignore` in the context, then ' +
      'the workspace, when present.'
  },
  {
    group: 'Scan',
    name: 'scan-vex',
    default: '',
    description:
      'OpenVEX or CycloneDX VEX documents, one path per line; `not_affected` statements remove findings.'
  },
  {
    group: 'Scan',
    name: 'trivy-version',
    default: '0.74.0',
    description:
      'Trivy version. A `trivy` of this version on PATH is used; otherwise the release archive is ' +
      'downloaded, checked against a pinned sha256 and kept in the runner tool cache (or, outside ' +
      'GitHub Actions, in `~/.cache/ml-docker/tools`). Versions without a pinned sha256 are refused.'
  },
  {
    group: 'Scan',
    name: 'trivy-download-url',
    default: '',
    description:
      'Where to download the Trivy release archive from, with `{version}` and `{platform}` ' +
      '(for example `Linux-64bit`) replaced. Empty means the GitHub release. The pinned sha256 still applies.'
  },
  {
    group: 'Scan',
    name: 'trivy-sha256',
    default: '',
    description:
      'sha256 of a Trivy release archive that this action does not pin (another version, or your own ' +
      'build of one). It replaces the pinned checksum for `trivy-version`.'
  },
  {
    group: 'Scan',
    name: 'trivy-cache-dir',
    default: '',
    description:
      'Trivy cache directory (vulnerability DB). Empty means `~/.cache/ml-docker/trivy`; in GitHub ' +
      'Actions its DB is restored and saved with the Actions cache under a daily key.'
  },
  {
    group: 'Scan',
    name: 'trivy-db-repository',
    default: '',
    description:
      'OCI repositories of the vulnerability DB, comma or newline separated, tried in order (with ' +
      "backoff on 429 and 5xx answers). Empty means Trivy's default list."
  },
  {
    group: 'Scan',
    name: 'scan-db-max-age',
    default: '7d',
    description:
      'Oldest vulnerability DB a scan may use when no repository can be reached (or with ' +
      '`scan-skip-db-update`), as `<n>d` or `<n>h`. An older or missing DB fails the scan.'
  },
  {
    group: 'Scan',
    name: 'scan-skip-db-update',
    default: 'false',
    description:
      'Use the DB already in `trivy-cache-dir` without downloading (for offline or pre-seeded caches).'
  },
  // Publish: SBOM, provenance and signature of the pushed digest
  {
    group: 'Publish',
    name: 'sbom',
    default: 'false',
    description:
      "Attach a CycloneDX SBOM of the pushed image to its digest, converted from the scan's own Trivy " +
      'analysis (needs `scan: true`). Signed with the image when the run signs.'
  },
  {
    group: 'Publish',
    name: 'provenance',
    default: 'false',
    description:
      'Attach SLSA v1 provenance to the pushed digest: `min` (builder, source, inputs, the gates that ' +
      'passed), `max` (also build-arg names and the gate figures: lint, smoke and scan counts), `true` = `max`.'
  },
  {
    group: 'Publish',
    name: 'sign',
    default: 'auto',
    description:
      'Sign the pushed digest (and its attestations) with cosign. `auto` signs when the run pushes and ' +
      'either `signing-key` is set or the job can request an OIDC token (`permissions: id-token: write`: ' +
      'keyless); `true` fails the run when neither is available. Nothing is signed unless every gate passed.'
  },
  {
    group: 'Publish',
    name: 'signing-key',
    default: '',
    description:
      'Path of a cosign private key (`cosign generate-key-pair`), or a KMS reference such as ' +
      "`awskms://...`. Empty means keyless signing with the workflow's OIDC token."
  },
  {
    group: 'Publish',
    name: 'signing-password',
    secret: true,
    default: '',
    description:
      'Password of `signing-key`. Masked; given to cosign as COSIGN_PASSWORD, never on its command line.'
  },
  {
    group: 'Publish',
    name: 'sign-tlog',
    default: 'true',
    description:
      'Record key-based signatures in the public transparency log (Rekor). `false` for private or ' +
      'offline registries; verifiers then need `--insecure-ignore-tlog`. Keyless signing always uses it.'
  },
  {
    group: 'Publish',
    name: 'cosign-version',
    default: '2.6.5',
    description:
      'cosign version. A `cosign` of this version on PATH is used; otherwise the release binary is ' +
      'downloaded and checked against a pinned sha256 (versions without one are refused).'
  },
  {
    group: 'Publish',
    name: 'cosign-download-url',
    default: '',
    description:
      'Where to download the cosign binary from, with `{version}` and `{platform}` (for example ' +
      '`linux-amd64`) replaced. Empty means the GitHub release. The pinned sha256 still applies.'
  },
  {
    group: 'Publish',
    name: 'cosign-sha256',
    default: '',
    description:
      'sha256 of a cosign binary this action does not pin. It replaces the pinned checksum for `cosign-version`.'
  },
  // General
  {
    group: 'General',
    name: 'github-token',
    secret: true,
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
  {
    name: 'imageid',
    description:
      'Image ID of the tested image in the local daemon (the manifest digest on the containerd image ' +
      'store, the config digest on the classic store).'
  },
  {
    name: 'digest',
    description:
      'Manifest digest of the built and tested image (the index digest with several platforms): what ' +
      'was scanned, and what every pushed tag names.'
  },
  {
    name: 'platform-digests',
    description:
      'Manifest digest of each platform, `os/arch=sha256:...` per line (one line for a single-platform ' +
      'image; with several platforms, `digest` is the index).'
  },
  { name: 'pushed', description: '`true` when the image was pushed.' },
  { name: 'lint-errors', description: 'Number of error-level lint findings.' },
  { name: 'lint-warnings', description: 'Number of warning-level lint findings.' },
  { name: 'lint-notices', description: 'Number of info- and style-level lint findings.' },
  { name: 'lint-sarif', description: 'Path of the lint SARIF file.' },
  {
    name: 'smoke-ready-seconds',
    description: 'Seconds from container start until the service was ready.'
  },
  {
    name: 'smoke-memory-idle',
    description: 'Memory in use (bytes) once ready and idle, from `docker stats`.'
  },
  {
    name: 'smoke-memory-peak',
    description: 'Highest memory in use (bytes) among the `docker stats` samples.'
  },
  {
    name: 'smoke-request-ms',
    description: 'Latency of the `smoke-request` prediction, in milliseconds.'
  },
  { name: 'image-size', description: 'Uncompressed image size in bytes.' },
  {
    name: 'image-size-compressed',
    description:
      'Compressed image size in bytes (what a push sends; see `smoke-figures` for how it was measured).'
  },
  {
    name: 'image-size-change',
    description:
      'Compressed size change in bytes against the image published under the first tag (empty when none is).'
  },
  {
    name: 'smoke-figures',
    description: 'Every smoke figure as JSON (sizes, largest layers, memory, latency).'
  },
  { name: 'scan-critical', description: 'Number of CRITICAL vulnerabilities and secrets found.' },
  { name: 'scan-high', description: 'Number of HIGH vulnerabilities and secrets found.' },
  { name: 'scan-medium', description: 'Number of MEDIUM vulnerabilities and secrets found.' },
  { name: 'scan-low', description: 'Number of LOW and UNKNOWN vulnerabilities and secrets found.' },
  { name: 'scan-report', description: 'Path of the Trivy JSON report.' },
  { name: 'scan-sarif', description: 'Path of the Trivy SARIF report (category per image).' },
  { name: 'scan-sbom', description: 'Path of the CycloneDX SBOM of the scanned image.' },
  {
    name: 'scan-new',
    description: 'Number of findings the baseline image does not have (empty without a baseline).'
  },
  {
    name: 'signed',
    description: '`true` when the pushed digest was signed with cosign.'
  },
  {
    name: 'attestations',
    description:
      'What was attached to the pushed digest, one `<predicate type> <reference>` per line (SBOM, provenance).'
  }
]

export function inputSpec(name: string): InputSpec {
  const spec = INPUTS.find((i) => i.name === name)
  if (!spec) throw new Error(`unknown input ${name}`)
  return spec
}
