export const STAMP: string
export function sourceHash(root?: string): string
export function builtHash(root?: string): string
