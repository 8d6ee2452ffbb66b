/**
 * hadolint 2.15.1 parity on inputs the spec cases do not cover; every verdict below was checked
 * against the real binary (scripts/compare-hadolint.mjs runs it side by side).
 */
import { describe, expect, it } from '@jest/globals'
import { lintSource } from '../../../src/lint/index.js'

const cases: [rule: string, df: string, fires: boolean][] = [
  // DL3059: `[ ]`/`[[ ]]` tests and bare assignments are not commands; up to one command each
  ['DL3059', 'FROM debian:12\nRUN [ -f x ] && a\nRUN d\n', true],
  ['DL3059', 'FROM debian:12\nRUN [[ -f x ]] && a\nRUN d\n', true],
  ['DL3059', 'FROM debian:12\nRUN if [ -f x ]; then a; fi\nRUN d\n', true],
  ['DL3059', 'FROM debian:12\nRUN A=1 B=2\nRUN d\n', true],
  ['DL3059', 'FROM debian:12\nRUN a && b\nRUN c\n', false],
  ['DL3059', 'FROM debian:12\nRUN a $(b)\nRUN d\n', false],
  ['DL3059', 'FROM debian:12\nRUN --mount=type=cache,target=/x a\nRUN b\n', false],
  // DL3066: any declared ARG mentioned as $V or ${V}, quoted or in the group, is trusted
  ['DL3066', 'FROM debian:12\nARG U=app\nUSER $U\n', false],
  ['DL3066', 'FROM debian:12\nARG USERNAME=app\nUSER "${USERNAME}"\n', false],
  ['DL3066', 'ARG U=app\nFROM debian:12\nUSER $U\n', false],
  ['DL3066', 'FROM debian:12\nARG G=1\nUSER app:$G\n', false],
  ['DL3066', 'FROM debian:12\nENV U=app\nUSER $U\n', true],
  ['DL3066', 'FROM debian:12\nARG U=app\nUSER ${U:-app}\n', true],
  ['DL3066', 'FROM debian:12\nUSER app:1000\n', true],
  // a first word with an expansion is no command to hadolint
  ['DL3013', 'FROM debian:12\nRUN python$V -m pip install x\n', false],
  ['DL3013', 'FROM debian:12\nRUN "pip" install x\n', true],
  [
    'DL3059',
    'FROM debian:12\nRUN [ -n "$R" ] && python$V -m pip install a && python -m pip install b\nRUN c\n',
    true
  ],
  // DL3032/DL3033: yum clean and versions
  ['DL3032', 'FROM almalinux:8\nRUN yum install -y httpd-2.4\n', true],
  ['DL3032', 'FROM almalinux:8\nRUN yum clean all && yum install -y a-1\n', true],
  ['DL3032', 'FROM almalinux:8\nRUN yum install -y httpd-2.4 && yum clean all\n', false],
  ['DL3032', 'FROM almalinux:8\nRUN yum install -y httpd-2.4 && rm -rf /var/cache/yum/*\n', false],
  ['DL3033', 'FROM almalinux:8\nRUN yum install -y httpd && yum clean all\n', true],
  ['DL3033', 'FROM almalinux:8\nRUN yum module install -y nodejs && yum clean all\n', true],
  ['DL3033', 'FROM almalinux:8\nRUN yum group install -y tools && yum clean all\n', true],
  ['DL3033', 'FROM almalinux:8\nRUN yum install -y httpd-2.4 && yum clean all\n', false],
  ['DL3033', 'FROM almalinux:8\nRUN yum module install -y nodejs:18 && yum clean all\n', false],
  // DL3016: npm pins
  ['DL3016', 'FROM node:20\nRUN npm install express\n', true],
  ['DL3016', 'FROM node:20\nRUN npm install -g @angular/cli\n', true],
  ['DL3016', 'FROM node:20\nRUN npm install @my-scope/pkg\n', true],
  ['DL3016', 'FROM node:20\nRUN npm install git+https://git.example.org/a/b.git\n', true],
  ['DL3016', 'FROM node:20\nONBUILD RUN npm install express\n', true],
  ['DL3016', 'FROM node:20\nRUN npm install express@4.18.2\n', false],
  ['DL3016', 'FROM node:20\nRUN npm install -g @angular/cli@17\n', false],
  ['DL3016', 'FROM node:20\nRUN npm install\n', false],
  ['DL3016', 'FROM node:20\nRUN npm --loglevel warn install express\n', true],
  ['DL3016', 'FROM node:20\nRUN npm install --loglevel warn express@1\n', false],
  ['DL3016', 'FROM node:20\nRUN npm install git+https://git.example.org/a/b.git#v1\n', false],
  ['DL3016', 'FROM node:20\nRUN npm install ./local /abs ../x ~/y a.tgz\n', false],
  // DL3040: dnf/microdnf clean after installing
  ['DL3040', 'FROM fedora:40\nRUN dnf install -y httpd-2.4\n', true],
  ['DL3040', 'FROM fedora:40\nRUN dnf clean all && dnf install -y httpd-2.4\n', true],
  ['DL3040', 'FROM fedora:40\nRUN microdnf install -y httpd-2.4 && dnf clean all\n', true],
  ['DL3040', 'FROM fedora:40\nRUN dnf install -y httpd-2.4 && dnf clean all\n', false],
  ['DL3040', 'FROM fedora:40\nRUN dnf upgrade -y && rm -rf /var/cache/libdnf5*\n', false],
  [
    'DL3040',
    'FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y httpd-2.4\n',
    false
  ],
  // DL3041: dnf package versions and module streams
  ['DL3041', 'FROM fedora:40\nRUN dnf -y install httpd && dnf clean all\n', true],
  ['DL3041', 'FROM fedora:40\nRUN dnf install -y python3-pip && dnf clean all\n', true],
  ['DL3041', 'FROM fedora:40\nRUN dnf module install -y nodejs && dnf clean all\n', true],
  ['DL3041', 'FROM fedora:40\nARG VV=1\nRUN dnf install -y httpd-$V && dnf clean all\n', true],
  [
    'DL3041',
    'FROM fedora:40 AS a\nENV V=1\nFROM fedora:40\nRUN dnf install -y httpd-${V} && dnf clean all\n',
    true
  ],
  [
    'DL3041',
    'FROM fedora:40\nRUN dnf install -y httpd-2.4.1-1.fc40 python3-3.12 && dnf clean all\n',
    false
  ],
  // an .rpm file counts as versioned only when its name has a dash (hadolint checks that first)
  ['DL3041', 'FROM fedora:40\nRUN dnf install -y ./pkg.rpm && dnf clean all\n', true],
  ['DL3041', 'FROM fedora:40\nRUN dnf install -y ./my-pkg.rpm && dnf clean all\n', false],
  ['DL3041', 'FROM fedora:40\nENV V=1\nRUN dnf install -y httpd-$V && dnf clean all\n', false],
  [
    'DL3041',
    'FROM fedora:40 AS a\nENV V=1\nFROM a\nRUN dnf install -y httpd-${V} && dnf clean all\n',
    false
  ],
  ['DL3041', 'FROM fedora:40\nRUN dnf module install -y nodejs:18 && dnf clean all\n', false],
  [
    'DL3041',
    'FROM fedora:40\nRUN dnf group install -y "Development Tools" && dnf clean all\n',
    false
  ]
]

describe('hadolint parity beyond the spec cases', () => {
  it.each(cases)('%s on %j fires: %s', (rule, df, fires) => {
    expect(lintSource(df).some((f) => f.rule === rule)).toBe(fires)
  })
})
