/**
 * The scanner's environment, built from an allowlist rather than inherited: Trivy must reach the
 * Docker daemon, proxies and its DB mirrors, but never the registry credentials this run pushes
 * with (the run's DOCKER_CONFIG, the action's INPUT_PASSWORD, a GITHUB_TOKEN, or the user's
 * ~/.docker/config.json that a login step may have filled). Only the scan credentials a user set
 * for Trivy itself (TRIVY_USERNAME / TRIVY_PASSWORD / TRIVY_REGISTRY_TOKEN) are passed on.
 */

const PASS_EXACT = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TMPDIR',
  'TEMP',
  'TMP',
  'LANG',
  'TZ',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  // How Trivy finds the image: the daemon, containerd or podman, never a registry login.
  'DOCKER_HOST',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
  'CONTAINERD_ADDRESS',
  'CONTAINERD_NAMESPACE',
  'XDG_RUNTIME_DIR',
  'XDG_CACHE_HOME',
  // Trivy settings the user owns that do not change what the report contains.
  'TRIVY_USERNAME',
  'TRIVY_PASSWORD',
  'TRIVY_REGISTRY_TOKEN',
  'TRIVY_INSECURE',
  'TRIVY_NON_SSL'
])
const PASS_PREFIX = ['LC_']

/**
 * The whole environment of every trivy process. `dockerConfig` is an empty directory owned by the
 * scan, so Trivy's registry keychain finds no credentials at all.
 */
export function scannerEnv(env: NodeJS.ProcessEnv, dockerConfig: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue
    if (PASS_EXACT.has(k) || PASS_PREFIX.some((p) => k.startsWith(p))) out[k] = v
  }
  out.DOCKER_CONFIG = dockerConfig
  out.TRIVY_DISABLE_VEX_NOTICE = 'true'
  return out
}
