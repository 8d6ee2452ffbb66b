import { copyInfo } from '../model.js'
import type { Rule } from '../rule.js'

export const DL3023: Rule = {
  code: 'DL3023',
  severity: 'error',
  message: '`COPY --from` cannot reference its own `FROM` alias',
  name: 'copy-from-self',
  check: ({ df }) =>
    df.instructions
      .filter(
        (i) =>
          i.keyword === 'COPY' && i.stage?.alias !== undefined && copyInfo(i).from === i.stage.alias
      )
      .map((i) => ({ line: i.line }))
}
