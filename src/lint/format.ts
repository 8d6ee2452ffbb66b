export function formatText(){return ''}
