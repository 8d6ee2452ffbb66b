export function toAnnotations(){return []}
