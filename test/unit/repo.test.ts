/**
 * Repository hygiene that a reviewer would otherwise have to remember:
 * - every runtime dependency in package.json is imported by src/, and src/ imports no package
 *   that is not a runtime dependency (type-only imports may come from devDependencies);
 * - nothing the tests, scripts or CI run reads a directory outside the repository.
 */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from './lint/helpers.js'

interface Manifest {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

interface Imports {
  /** Packages loaded at run time (static value imports, side-effect imports, import(), require). */
  runtime: Set<string>
  /** Packages named only in `import type` / `export type` statements. */
  typeOnly: Set<string>
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for relative and node: paths. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  return builtinModules.includes(name) ? undefined : name
}

/** The packages a TypeScript/JavaScript source imports. */
export function importsOf(source: string): Imports {
  const out: Imports = { runtime: new Set(), typeOnly: new Set() }
  const add = (set: Set<string>, spec: string): void => {
    const p = packageOf(spec)
    if (p) set.add(p)
  }
  // import x from 'a'; import { a, type b } from 'a'; export * from 'a'; import type { T } from 'a'
  for (const m of source.matchAll(
    /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm
  )) {
    add(m[2] ? out.typeOnly : out.runtime, m[4])
  }
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) add(out.runtime, m[1])
  for (const m of source.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g))
    add(out.runtime, m[1])
  for (const p of out.runtime) out.typeOnly.delete(p)
  return out
}

function walk(dir: string, keep: (file: string) => boolean): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'fixtures') out.push(...walk(p, keep))
    } else if (keep(p)) out.push(p)
  }
  return out
}

/** What is wrong between a manifest and the sources' imports; empty when they agree. */
export function dependencyProblems(pkg: Manifest, sources: string[]): string[] {
  const runtime = new Set<string>()
  const typeOnly = new Set<string>()
  for (const s of sources) {
    const i = importsOf(s)
    i.runtime.forEach((p) => runtime.add(p))
    i.typeOnly.forEach((p) => typeOnly.add(p))
  }
  const deps = Object.keys(pkg.dependencies ?? {})
  const dev = new Set(Object.keys(pkg.devDependencies ?? {}))
  const problems: string[] = []
  for (const d of deps) {
    if (!runtime.has(d)) {
      problems.push(
        typeOnly.has(d)
          ? `${d} is a dependency but src/ only imports its types: move it to devDependencies`
          : `${d} is a dependency but nothing in src/ imports it: remove it`
      )
    }
  }
  for (const p of runtime) {
    if (!deps.includes(p))
      problems.push(
        dev.has(p)
          ? `src/ imports ${p}, which is only a devDependency: move it to dependencies`
          : `src/ imports ${p}, which package.json does not list`
      )
  }
  for (const p of typeOnly) {
    if (!deps.includes(p) && !dev.has(p))
      problems.push(`src/ imports types from ${p}, which package.json does not list`)
  }
  return problems.sort()
}

describe('package.json dependencies', () => {
  it('are exactly the packages src/ imports at run time', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest
    const sources = walk(path.join(repoRoot, 'src'), (f) => /\.[cm]?[jt]s$/.test(f)).map((f) =>
      readFileSync(f, 'utf8')
    )
    expect(sources.length).toBeGreaterThan(50)
    expect(dependencyProblems(pkg, sources)).toEqual([])
  })

  it('the check finds an unused, a misplaced and an undeclared package', () => {
    const pkg: Manifest = {
      dependencies: { yaml: '1', unused: '1', typesonly: '1' },
      devDependencies: { devonly: '1', '@types/x': '1' }
    }
    const sources = [
      "import { parse } from 'yaml'\nimport type { T } from 'typesonly'\n",
      "import type { X } from '@types/x'\nconst m = await import('devonly')\n",
      "import fs from 'node:fs'\nimport path from 'path'\nimport './local.js'\n",
      "export { z } from '@scope/undeclared/sub'\n"
    ]
    expect(dependencyProblems(pkg, sources)).toEqual([
      'src/ imports @scope/undeclared, which package.json does not list',
      'src/ imports devonly, which is only a devDependency: move it to dependencies',
      'typesonly is a dependency but src/ only imports its types: move it to devDependencies',
      'unused is a dependency but nothing in src/ imports it: remove it'
    ])
  })

  it('reads every import form', () => {
    const i = importsOf(
      [
        "import a from 'a'",
        "import * as b from '@s/b/deep'",
        'import {',
        '  c,',
        '  type C',
        "} from 'c'",
        "import type { D } from 'd'",
        "import 'e'",
        "export * from 'f'",
        "const g = await import('g')",
        "const h = require('h')",
        "import { type I } from 'i'",
        "import x from './x.js'"
      ].join('\n')
    )
    expect([...i.runtime].sort()).toEqual(['@s/b', 'a', 'c', 'e', 'f', 'g', 'h', 'i'])
    expect([...i.typeOnly]).toEqual(['d'])
  })
})

describe('self-contained', () => {
  const outside = /\.\.\/shared\b|['"]\.\.['"]\s*,\s*['"]shared['"]|\/work\/shared\b/
  // This file names the pattern's examples itself.
  const self = fileURLToPath(import.meta.url)

  it('no test, script or CI file reads a directory beside the repository', () => {
    const files = [
      ...walk(path.join(repoRoot, 'src'), () => true),
      ...walk(path.join(repoRoot, 'test'), () => true),
      ...walk(path.join(repoRoot, 'scripts'), () => true),
      ...walk(path.join(repoRoot, '.ci'), (f) => !f.includes(`${path.sep}trivy-db${path.sep}`)),
      path.join(repoRoot, 'jest.config.js'),
      path.join(repoRoot, 'package.json')
    ]
    expect(files.length).toBeGreaterThan(100)
    const hits = files.filter((f) => f !== self && outside.test(readFileSync(f, 'utf8')))
    expect(hits.map((f) => path.relative(repoRoot, f))).toEqual([])
  })

  it('the pattern catches the forms such a read takes', () => {
    expect(outside.test("join(root, '..', 'shared', 'x.json')")).toBe(true)
    expect(outside.test('cat ../shared/conformance/cases.json')).toBe(true)
    expect(outside.test('on a shared machine')).toBe(false)
  })
})
