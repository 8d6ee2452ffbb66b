export function toSarif(){return {}}
