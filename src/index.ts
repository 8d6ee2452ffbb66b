import * as core from '@actions/core'
import { main, post } from './main.js'

// The runner sets STATE_isPost for the post step, once main has saved it.
if (core.getState('isPost') === 'true') {
  await post()
} else {
  core.saveState('isPost', 'true')
  await main()
}
