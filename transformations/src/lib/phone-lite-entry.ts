/**
 * What the paste bundles get instead of `libphonenumber-js/min` (an esbuild alias): the light parser
 * over every country's data, generated from libphonenumber's metadata at build time.
 */
import { PHONE_TABLE } from "cartback:phone-table";
import { createPhoneParser } from "./phone-lite.js";

export type CountryCode = string;

export const parsePhoneNumberFromString = createPhoneParser(PHONE_TABLE);
