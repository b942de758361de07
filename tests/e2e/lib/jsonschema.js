"use strict";
// A small JSON Schema (draft 2020-12) validator for the emulator's own
// schemas (fixtures/schema.json); no network, no dependency.
//
// It knows only the keywords listed in KEYWORDS and refuses a schema that
// uses any other, so a schema can never rely on a check that silently does
// not happen here. Local references only ("#/$defs/name").
//
// validate(schema, value) returns a list of errors, each
//   { path: "$.accounts[0].credentials[1].secret_id", message: "..." }
// with paths written the way the emulator's fixture loader writes them.

const ANNOTATIONS = new Set(["$schema", "$id", "$comment", "title", "description", "$defs", "default", "examples"]);
const KEYWORDS = new Set([
  "type",
  "enum",
  "const",
  "properties",
  "additionalProperties",
  "required",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "$ref",
  "anyOf",
  "not",
]);
const SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema";

function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value; // string, boolean, object
}

function hasType(value, type) {
  const t = typeOf(value);
  return t === type || (type === "number" && t === "integer");
}

function childPath(path, key) {
  return typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`;
}

// Checks that every keyword of every subschema is known; throws otherwise.
function checkKeywords(schema, where = "#") {
  if (typeof schema === "boolean") return;
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) {
    throw new Error(`schema at ${where} must be an object or a boolean`);
  }
  for (const [key, value] of Object.entries(schema)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) {
      throw new Error(`schema at ${where} uses "${key}", which this validator does not implement`);
    }
    if (key === "$defs" || key === "properties") {
      for (const [name, sub] of Object.entries(value)) checkKeywords(sub, `${where}/${key}/${name}`);
    } else if (key === "anyOf") {
      value.forEach((sub, i) => checkKeywords(sub, `${where}/anyOf/${i}`));
    } else if (key === "items" || key === "not" || (key === "additionalProperties" && typeof value === "object")) {
      checkKeywords(value, `${where}/${key}`);
    } else if (key === "pattern") {
      new RegExp(value, "u"); // throws on a bad pattern
    }
  }
}

function resolve(root, ref) {
  if (!ref.startsWith("#/")) throw new Error(`only local references are supported: ${ref}`);
  let node = root;
  for (const part of ref.slice(2).split("/")) {
    node = node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    if (node === undefined) throw new Error(`unresolved reference ${ref}`);
  }
  return node;
}

function checkObject(root, schema, value, path, errors) {
  for (const name of schema.required || []) {
    if (!Object.prototype.hasOwnProperty.call(value, name)) {
      errors.push({ path: childPath(path, name), message: "is required" });
    }
  }
  const props = schema.properties || {};
  for (const [name, item] of Object.entries(value)) {
    if (Object.prototype.hasOwnProperty.call(props, name)) {
      check(root, props[name], item, childPath(path, name), errors);
    } else if (schema.additionalProperties === false) {
      errors.push({ path, message: `unknown key '${name}'` });
    } else if (typeof schema.additionalProperties === "object") {
      check(root, schema.additionalProperties, item, childPath(path, name), errors);
    }
  }
}

function checkArray(root, schema, value, path, errors) {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    errors.push({ path, message: `needs at least ${schema.minItems} item(s)` });
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    errors.push({ path, message: `holds at most ${schema.maxItems} item(s)` });
  }
  if (schema.items !== undefined) value.forEach((item, i) => check(root, schema.items, item, childPath(path, i), errors));
}

function checkScalar(schema, value, path, errors) {
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      errors.push({ path, message: `must be at least ${schema.minLength} character(s)` });
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      errors.push({ path, message: `must be at most ${schema.maxLength} character(s)` });
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) {
      errors.push({ path, message: `must match ${schema.pattern}` });
    }
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push({ path, message: `must be >= ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum) errors.push({ path, message: `must be <= ${schema.maximum}` });
  }
}

function check(root, schema, value, path, errors) {
  if (schema === true) return;
  if (schema === false) {
    errors.push({ path, message: "is not allowed" });
    return;
  }
  if (schema.$ref) check(root, resolve(root, schema.$ref), value, path, errors);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) {
      errors.push({ path, message: `must be of type ${types.join(" or ")}` });
      return;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
    errors.push({ path, message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}` });
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    errors.push({ path, message: `must be ${JSON.stringify(schema.const)}` });
  }
  if (schema.anyOf && !schema.anyOf.some((sub) => validateAt(root, sub, value, path).length === 0)) {
    errors.push({ path, message: "matches none of the allowed forms (anyOf)" });
  }
  if (schema.not && validateAt(root, schema.not, value, path).length === 0) {
    errors.push({ path, message: "matches a form that is not allowed (not)" });
  }
  if (typeOf(value) === "object") checkObject(root, schema, value, path, errors);
  else if (Array.isArray(value)) checkArray(root, schema, value, path, errors);
  else checkScalar(schema, value, path, errors);
}

function validateAt(root, schema, value, path) {
  const errors = [];
  check(root, schema, value, path, errors);
  return errors;
}

// The errors of `value` against `schema` (an empty list when it is valid).
function validate(schema, value) {
  if (schema.$schema !== SCHEMA_DRAFT) throw new Error(`the schema must declare $schema ${SCHEMA_DRAFT}`);
  checkKeywords(schema);
  return validateAt(schema, schema, value, "$");
}

// Every object schema of `schema` that lists properties, with its location.
function objectSchemas(schema, where = "#", out = []) {
  if (!schema || typeof schema !== "object") return out;
  if (schema.properties) out.push({ where, keys: Object.keys(schema.properties) });
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$defs" || key === "properties") {
      for (const [name, sub] of Object.entries(value)) objectSchemas(sub, `${where}/${key}/${name}`, out);
    } else if (key === "anyOf") {
      value.forEach((sub, i) => objectSchemas(sub, `${where}/anyOf/${i}`, out));
    } else if (key === "items" || key === "not" || key === "additionalProperties") {
      objectSchemas(value, `${where}/${key}`, out);
    }
  }
  return out;
}

// Every "enum" of `schema` whose values are all strings, as arrays.
function stringEnums(schema, out = []) {
  if (!schema || typeof schema !== "object") return out;
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === "string")) out.push(schema.enum);
  for (const value of Object.values(schema)) {
    if (value && typeof value === "object") stringEnums(value, out);
  }
  return out;
}

module.exports = { KEYWORDS, objectSchemas, stringEnums, validate };
