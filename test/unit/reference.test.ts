import { describe, expect, it } from '@jest/globals'
import {
  canonicalRegistry,
  familiarName,
  familiarReference,
  isDockerHub,
  parseReference,
  qualifiedReference,
  registryOf,
  repositoryOf,
  splitReference
} from '../../src/reference.js'
import { UserError } from '../../src/errors.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('splitReference', () => {
  it.each([
    ['python', undefined, 'python', undefined, undefined],
    ['python:3.12-slim', undefined, 'python', '3.12-slim', undefined],
    ['org/app:1', undefined, 'org/app', '1', undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/app:2', 'localhost:5000', 'app', '2', undefined],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000', 'team/app', undefined, undefined],
    ['registry.example.test/o/a:1@' + DIGEST, 'registry.example.test', 'o/a', '1', DIGEST],
    ['nvcr.io/nvidia/pytorch:24.01-py3', 'nvcr.io', 'nvidia/pytorch', '24.01-py3', undefined],
    // a first component without `.`/`:` and not localhost is a path, not a host
    ['myhost/app:1', undefined, 'myhost/app', '1', undefined],
    // Dockerfile text keeps its variables; nothing is validated
    ['python:${PY}-slim', undefined, 'python', '${PY}-slim', undefined],
    ['${REGISTRY}/app', undefined, '${REGISTRY}/app', undefined, undefined]
  ])('%s', (ref, registry, path, tag, digest) => {
    expect(splitReference(ref)).toEqual({ registry, path, tag, digest })
  })
})

describe('registries and repositories', () => {
  it('treats every Docker Hub alias, and no registry, as docker.io', () => {
    for (const r of [
      'docker.io',
      'index.docker.io',
      'registry-1.docker.io',
      'registry.hub.docker.com',
      'https://index.docker.io/v1/'
    ]) {
      expect(isDockerHub(r)).toBe(true)
      expect(canonicalRegistry(r)).toBe('docker.io')
    }
    expect(isDockerHub(undefined)).toBe(true)
    expect(isDockerHub('localhost:5000')).toBe(false)
    expect(isDockerHub('docker.io.example.test')).toBe(false)
    expect(canonicalRegistry('https://localhost:5000/')).toBe('localhost:5000')
  })
  it('finds the registry of an image like Docker does', () => {
    expect(registryOf('user/app')).toBe('docker.io')
    expect(registryOf('app:1')).toBe('docker.io')
    expect(registryOf('registry.hub.docker.com/user/app')).toBe('docker.io')
    expect(registryOf('127.0.0.1:5000/team/app')).toBe('127.0.0.1:5000')
    expect(registryOf('localhost/app')).toBe('localhost')
  })
  it('strips tag and digest, keeping the name as written', () => {
    expect(repositoryOf('127.0.0.1:5000/a/b:1.2')).toBe('127.0.0.1:5000/a/b')
    expect(repositoryOf('localhost:5000/app')).toBe('localhost:5000/app')
    expect(repositoryOf(`a/b:1@${DIGEST}`)).toBe('a/b')
    expect(repositoryOf('python:3')).toBe('python')
  })
})

describe('normal forms', () => {
  it.each([
    ['python:3.12', 'docker.io/library/python:3.12', 'python:3.12'],
    ['docker.io/library/python:3.12', 'docker.io/library/python:3.12', 'python:3.12'],
    ['index.docker.io/org/app', 'docker.io/org/app', 'org/app'],
    [
      'registry-1.docker.io/library/ubuntu@' + DIGEST,
      `docker.io/library/ubuntu@${DIGEST}`,
      `ubuntu@${DIGEST}`
    ],
    ['library/python', 'docker.io/library/python', 'python'],
    ['localhost:5000/o/app:1', 'localhost:5000/o/app:1', 'localhost:5000/o/app:1'],
    ['localhost:5000/app', 'localhost:5000/app', 'localhost:5000/app']
  ])('%s -> %s / %s', (ref, qualified, familiar) => {
    expect(qualifiedReference(ref)).toBe(qualified)
    expect(familiarReference(ref)).toBe(familiar)
  })
  it('gives the familiar name without tag and digest', () => {
    expect(familiarName('docker.io/library/python:3.12-slim')).toBe('python')
    expect(familiarName('nvcr.io/nvidia/pytorch:24.01-py3')).toBe('nvcr.io/nvidia/pytorch')
  })
})

describe('parseReference', () => {
  it('parses valid references', () => {
    expect(parseReference('python:3.12')).toEqual({
      registry: undefined,
      path: 'python',
      tag: '3.12',
      digest: undefined,
      domain: 'docker.io',
      repository: 'docker.io/library/python'
    })
    const r = parseReference(`127.0.0.1:5000/team/my_app.v2:v1.0-rc1@${DIGEST}`)
    expect(r.domain).toBe('127.0.0.1:5000')
    expect(r.repository).toBe('127.0.0.1:5000/team/my_app.v2')
    expect(r.tag).toBe('v1.0-rc1')
    expect(r.digest).toBe(DIGEST)
    expect(parseReference('[::1]:5000/app').domain).toBe('[::1]:5000')
    expect(parseReference('a/b__c/d---e').path).toBe('a/b__c/d---e')
    expect(parseReference(`app:${'x'.repeat(128)}`).tag).toHaveLength(128)
  })
  it.each([
    ['', /it is empty/],
    ['my app', /whitespace/],
    ['Org/App', /must be lower-case \("Org"\)/],
    ['localhost:5000/Org/app', /must be lower-case/],
    ['app:.hidden', /"\.hidden" is not a valid tag/],
    [`app:${'x'.repeat(129)}`, /is not a valid tag/],
    ['app@sha256:xyz', /is not a digest/],
    ['my_registry:5000/app', /"my_registry:5000" is not a valid registry host\[:port\]/],
    ['-app', /"-app" is not a valid path component/],
    ['org//app', /"\(empty\)" is not a valid path component/],
    ['localhost:5000/', /repository name is empty|"\(empty\)"/],
    [`${'a'.repeat(256)}`, /longer than 255/]
  ])('refuses %j', (ref, why) => {
    expect(() => parseReference(ref, 'cache-ref')).toThrow(UserError)
    expect(() => parseReference(ref, 'cache-ref')).toThrow(why)
    expect(() => parseReference(ref, 'cache-ref')).toThrow(/^cache-ref: /)
  })
})
