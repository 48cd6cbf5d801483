// Frictionless's `datapackage` ships no types; the tests type what they use of it where they use it.
declare module "datapackage" {
  const datapackage: unknown;
  export default datapackage;
}
