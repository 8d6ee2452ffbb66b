export async function lintCommand(){return 0}
