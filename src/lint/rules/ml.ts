/** The ML/Python service image catalog (MLD001-MLD033), one rule per module. */
import type { Rule } from '../rule.js'
import { MLD001 } from './MLD001.js'
import { MLD002 } from './MLD002.js'
import { MLD003 } from './MLD003.js'
import { MLD004 } from './MLD004.js'
import { MLD005 } from './MLD005.js'
import { MLD006 } from './MLD006.js'
import { MLD007 } from './MLD007.js'
import { MLD008 } from './MLD008.js'
import { MLD009 } from './MLD009.js'
import { MLD010 } from './MLD010.js'
import { MLD011 } from './MLD011.js'
import { MLD012 } from './MLD012.js'
import { MLD013 } from './MLD013.js'
import { MLD014 } from './MLD014.js'
import { MLD015 } from './MLD015.js'
import { MLD016 } from './MLD016.js'
import { MLD017 } from './MLD017.js'
import { MLD018 } from './MLD018.js'
import { MLD019 } from './MLD019.js'
import { MLD020 } from './MLD020.js'
import { MLD021 } from './MLD021.js'
import { MLD022 } from './MLD022.js'
import { MLD023 } from './MLD023.js'
import { MLD024 } from './MLD024.js'
import { MLD025 } from './MLD025.js'
import { MLD026 } from './MLD026.js'
import { MLD027 } from './MLD027.js'
import { MLD028 } from './MLD028.js'
import { MLD029 } from './MLD029.js'
import { MLD030 } from './MLD030.js'
import { MLD031 } from './MLD031.js'
import { MLD032 } from './MLD032.js'
import { MLD033 } from './MLD033.js'

export const ML_RULES: Rule[] = [
  MLD001,
  MLD002,
  MLD003,
  MLD004,
  MLD005,
  MLD006,
  MLD007,
  MLD008,
  MLD009,
  MLD010,
  MLD011,
  MLD012,
  MLD013,
  MLD014,
  MLD015,
  MLD016,
  MLD017,
  MLD018,
  MLD019,
  MLD020,
  MLD021,
  MLD022,
  MLD023,
  MLD024,
  MLD025,
  MLD026,
  MLD027,
  MLD028,
  MLD029,
  MLD030,
  MLD031,
  MLD032,
  MLD033
]
