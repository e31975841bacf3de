// Validates Kubernetes manifests offline against the API types' JSON schemas (npm kubernetes-models 5.1.0).
// Usage: node validate.mjs FILE.yaml...   Prints one line per document ("ok FILE#N Kind/name" or "invalid ..."),
// and exits 1 when any document is invalid or of a kind the schemas do not know. Kustomization files are skipped:
// `kubectl kustomize` checks those. Unknown fields are not caught here (the schemas allow them); the Deploy tests
// check those by round-tripping each document through KubernetesClient's typed models.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

let failed = false;
for (const file of process.argv.slice(2)) {
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [index, document] of documents.entries()) {
    const where = `${file}#${index}`;
    if (document.errors.length > 0) {
      console.log(`invalid ${where}: YAML: ${document.errors.map((error) => error.message).join("; ")}`);
      failed = true;
      continue;
    }
    const object = document.toJS();
    if (object === null) continue;
    const { apiVersion, kind } = object;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      console.log(`invalid ${where}: no apiVersion/kind`);
      failed = true;
      continue;
    }
    if (apiVersion.startsWith("kustomize.config.k8s.io/")) continue;
    const name = `${kind}/${object.metadata?.name ?? "?"}`;
    // Core types live under v1/, the others under GROUP/VERSION/.
    const module = `kubernetes-models/${apiVersion}/${kind}`;
    let Model;
    try {
      ({ [kind]: Model } = await import(module));
    } catch {
      console.log(`invalid ${where} ${name}: no schema for ${apiVersion} ${kind}`);
      failed = true;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok ${where} ${name}`);
    } catch (error) {
      console.log(`invalid ${where} ${name}: ${error.message.replaceAll("\n", " ")}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
