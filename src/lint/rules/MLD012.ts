import { finalStage, lineageInstructions } from '../facts/lineage.js'
import { finalUserIsRoot } from '../facts/users.js'
import type { Rule } from '../rule.js'

export const MLD012: Rule = {
  code: 'MLD012',
  severity: 'warning',
  message: 'The final stage runs as root',
  name: 'final-stage-runs-as-root',
  check: ({ df }) => {
    const stage = finalStage(df)
    if (!stage || !finalUserIsRoot(df, stage)) return []
    const users = lineageInstructions(stage).filter((i) => i.keyword === 'USER')
    const last = users[users.length - 1]
    return [
      {
        line: last?.line ?? stage.from.line,
        message: last
          ? 'The final image runs as root: switch to an unprivileged user (`USER 10001` or a user created with useradd) after installing'
          : 'The final image runs as root (no USER instruction, and the base image runs as root): create a user and add `USER <uid>`'
      }
    ]
  }
}
