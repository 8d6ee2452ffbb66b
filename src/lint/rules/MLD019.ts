import { finalStage, lineageInstructions } from '../facts/lineage.js'
import { splitWords } from '../model.js'
import { imageName, rootImage } from '../facts/images.js'
import { installsIn } from '../facts/installs.js'
import type { Hit, Rule } from '../rule.js'

const SERVERS = [
  /^redis-server$/,
  /^postgresql(-\d+)?$/,
  /^mysql-server$/,
  /^mariadb-server$/,
  /^mongodb-org$/,
  /^rabbitmq-server$/,
  /^elasticsearch$/,
  /^memcached$/
]
const APK_SERVERS = new Set(['redis'])
const PORTS: Record<string, string> = {
  '6379': 'Redis',
  '5432': 'PostgreSQL',
  '3306': 'MySQL',
  '27017': 'MongoDB',
  '5672': 'RabbitMQ',
  '9200': 'Elasticsearch',
  '11211': 'Memcached'
}
const DATASTORE_IMAGES = new Set([
  'redis',
  'postgres',
  'mysql',
  'mariadb',
  'mongo',
  'rabbitmq',
  'elasticsearch',
  'memcached'
])

export const MLD019: Rule = {
  code: 'MLD019',
  severity: 'warning',
  message:
    'A datastore or broker server (Redis, PostgreSQL, ...) is installed or exposed in the application image',
  name: 'backing-service-in-app-image',
  check: ({ df, context }) => {
    const stage = finalStage(df)
    if (!stage) return []
    const image = rootImage(stage)
    if (image && DATASTORE_IMAGES.has(imageName(image).split('/').pop()!)) return []
    const instrs = lineageInstructions(stage)
    const out: Hit[] = []
    const installs = installsIn(instrs, context).os
    const byRun = new Map<number, string[]>()
    for (const [pkg, instr] of installs) {
      const apk = /\bapk\b/.test(instr.args)
      if (SERVERS.some((re) => re.test(pkg)) || (apk && APK_SERVERS.has(pkg)))
        byRun.set(instr.line, [...(byRun.get(instr.line) ?? []), pkg])
    }
    for (const [line, pkgs] of byRun) {
      out.push({
        line,
        message: `The application image installs a datastore/broker server (${pkgs.join(', ')}): it dies with every redeploy of the model server and cannot be scaled on its own. Run it as a separate container and install only the client`
      })
    }
    for (const i of instrs.filter((x) => x.keyword === 'EXPOSE')) {
      const ports = splitWords(i.args)
        .map((p) => p.split('/')[0])
        .filter((p) => p in PORTS)
      if (ports.length > 0) {
        out.push({
          line: i.line,
          message: `EXPOSE ${ports.join(' ')} publishes a ${ports.map((p) => PORTS[p]).join('/')} port from the application image: run the datastore as its own service`
        })
      }
    }
    return out.sort((a, b) => a.line - b.line)
  }
}
