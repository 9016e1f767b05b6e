// The bounds of a config file and of what its YAML may ask of the parser. Hand-written configs
// are a few kilobytes, nest six or seven levels and use a handful of aliases; these caps are far
// above that, and low enough that no file can hang dlf or exhaust its memory. docs/limits.md
// lists them for users.

/**
 * A config file: 256 KiB, a hundred times the bundled ones (1 to 2 KiB). The YAML parser takes
 * 2 to 3 s per MiB, so no config file keeps dlf parsing for more than about half a second.
 */
export const CONFIG_MAX_BYTES = 256 * 1024;

/** Nesting of maps and lists, counting the root as level 1, also through aliases and --set paths. */
export const YAML_MAX_DEPTH = 32;

/** Aliases (`*name`) in one config: each is resolved by a search of the document. */
export const YAML_MAX_ALIASES = 1000;

/**
 * Values that aliases may add to a config when expanded (an alias of a list of 3 numbers adds 3):
 * a billion-laughs document, whose aliases of aliases expand exponentially, stops here.
 */
export const YAML_MAX_ALIAS_VALUES = 10_000;

/** YAML syntax errors reported: the first few are useful, the rest mostly follow from them. */
export const MAX_SYNTAX_ERRORS = 3;

/** Config problems reported at once (schema errors); the count of the rest is given. */
export const MAX_ISSUES = 20;
