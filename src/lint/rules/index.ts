/** Every rule, in report order. One rule per module, as in hadolint. */
import type { Rule } from '../rule.js'
import { DL3000 } from './DL3000.js'
import { DL3001 } from './DL3001.js'
import { DL3002 } from './DL3002.js'
import { DL3003 } from './DL3003.js'
import { DL3004 } from './DL3004.js'
import { DL3006 } from './DL3006.js'
import { DL3007 } from './DL3007.js'
import { DL3008 } from './DL3008.js'
import { DL3009 } from './DL3009.js'
import { DL3010 } from './DL3010.js'
import { DL3011 } from './DL3011.js'
import { DL3012 } from './DL3012.js'
import { DL3013 } from './DL3013.js'
import { DL3014 } from './DL3014.js'
import { DL3015 } from './DL3015.js'
import { DL3016 } from './DL3016.js'
import { DL3018 } from './DL3018.js'
import { DL3019 } from './DL3019.js'
import { DL3020 } from './DL3020.js'
import { DL3021 } from './DL3021.js'
import { DL3022 } from './DL3022.js'
import { DL3023 } from './DL3023.js'
import { DL3024 } from './DL3024.js'
import { DL3025 } from './DL3025.js'
import { DL3026 } from './DL3026.js'
import { DL3027 } from './DL3027.js'
import { DL3029 } from './DL3029.js'
import { DL3032 } from './DL3032.js'
import { DL3033 } from './DL3033.js'
import { DL3040 } from './DL3040.js'
import { DL3041 } from './DL3041.js'
import { DL3042 } from './DL3042.js'
import { DL3044 } from './DL3044.js'
import { DL3045 } from './DL3045.js'
import { DL3046 } from './DL3046.js'
import { DL3047 } from './DL3047.js'
import { DL3057 } from './DL3057.js'
import { DL3059 } from './DL3059.js'
import { DL3061 } from './DL3061.js'
import { DL3063 } from './DL3063.js'
import { DL3064 } from './DL3064.js'
import { DL3065 } from './DL3065.js'
import { DL3066 } from './DL3066.js'
import { DL3067 } from './DL3067.js'
import { DL4000 } from './DL4000.js'
import { DL4001 } from './DL4001.js'
import { DL4003 } from './DL4003.js'
import { DL4004 } from './DL4004.js'
import { DL4005 } from './DL4005.js'
import { DL4006 } from './DL4006.js'
import { ML_RULES } from './ml.js'

export const DL_RULES: Rule[] = [
  DL3000,
  DL3001,
  DL3002,
  DL3003,
  DL3004,
  DL3006,
  DL3007,
  DL3008,
  DL3009,
  DL3010,
  DL3011,
  DL3012,
  DL3013,
  DL3014,
  DL3015,
  DL3016,
  DL3018,
  DL3019,
  DL3020,
  DL3021,
  DL3022,
  DL3023,
  DL3024,
  DL3025,
  DL3026,
  DL3027,
  DL3029,
  DL3032,
  DL3033,
  DL3040,
  DL3041,
  DL3042,
  DL3044,
  DL3045,
  DL3046,
  DL3047,
  DL3057,
  DL3059,
  DL3061,
  DL3063,
  DL3064,
  DL3065,
  DL3066,
  DL3067,
  DL4000,
  DL4001,
  DL4003,
  DL4004,
  DL4005,
  DL4006
]

export const RULES: Rule[] = [...DL_RULES, ...ML_RULES]

export const RULES_BY_CODE = new Map(RULES.map((r) => [r.code, r]))
