/**
 * A stylesheet imported as text (`import('x.css', { with: { loader: 'text' } })`, an import
 * attribute the Angular builder supports): lazy chunks inject library CSS themselves, so it is
 * neither in the global styles nor a component style past the size budget.
 */
declare module '*.css' {
  const css: string;
  export default css;
}
