/** generated at build time (a function, so the bundle builds the table only when it parses a number) from libphonenumber-js metadata: country → [calling code, national number pattern, possible lengths, national prefix] */
declare module "cartback:phone-table" {
  export const PHONE_TABLE: () => import("./phone-lite.js").PhoneTable;
}
