/** An OpenAPI 3 document as far as our code reads it: paths and component schemas. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
  [key: string]: unknown;
}
