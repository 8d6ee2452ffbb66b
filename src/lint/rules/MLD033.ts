import { isCudaWithoutToolkit, rootImage } from '../facts/images.js'
import { envPairs, runInfo } from '../model.js'
import { lineageInstructions } from '../facts/lineage.js'
import { parsePipInstall } from '../facts/installs.js'
import type { Hit, Rule } from '../rule.js'

/** Python packages that compile CUDA kernels from source at install time. */
const CUDA_SOURCE_BUILDS = new Set(['flash-attn', 'apex', 'xformers', 'auto-gptq', 'deepspeed'])

export const MLD033: Rule = {
  code: 'MLD033',
  severity: 'warning',
  message: 'CUDA code is compiled on a CUDA image without the toolkit (-runtime/-base: no nvcc)',
  name: 'cuda-compile-on-runtime-image',
  check: ({ df }) => {
    const out: Hit[] = []
    for (const stage of df.stages) {
      const image = rootImage(stage)
      if (!isCudaWithoutToolkit(image)) continue
      const forced = lineageInstructions(stage).some(
        (i) =>
          i.keyword === 'ENV' &&
          envPairs(i).some(
            (p) => (p.key === 'FORCE_CUDA' && p.value === '1') || p.key === 'TORCH_CUDA_ARCH_LIST'
          )
      )
      for (const instr of stage.instructions.filter((i) => i.keyword === 'RUN')) {
        let what: string | undefined
        for (const cmd of runInfo(instr).commands) {
          if (cmd.base === 'nvcc') what = '`nvcc`'
          const pip = parsePipInstall(cmd)
          const pkg = pip?.packages
            .map((p) =>
              p
                .split(/[<>=!~[;@\s]/)[0]
                .toLowerCase()
                .replace(/_/g, '-')
            )
            .find((p) => CUDA_SOURCE_BUILDS.has(p))
          if (pkg && (forced || cmd.args.some((a) => a.value === '--no-build-isolation')))
            what = `building ${pkg} from source`
          if (what) break
        }
        if (what)
          out.push({
            line: instr.line,
            message: `${what} needs nvcc and the CUDA headers, which ${image} does not have. Compile in a builder stage on the matching -devel image and copy the result into this one`
          })
      }
    }
    return out
  }
}
