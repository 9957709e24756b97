// The layer rule of src/ (docs/design.md, "Layers"), checked by dependency-cruiser in the test suite
// (test/layers.test.ts) and by `npm run layers`. It is applied to the JavaScript esbuild emits from
// src/ file by file (scripts/lib/layers.ts), so only the imports that exist at run time count:
// `import type` and imports used only as types are gone, as they are when the code runs.
// Layers, lowest first; a module may import its own layer and the layers below it, never above.
// `src/errors.ts` is below every layer.

const f = (dir, names) => `^src/${dir}/(${names.join("|")})\\.(js|ts)$`;

/** Files of measure/ and kernels/ that are data formats and their parsers, not measuring machinery. */
const DATASETS = [
  f("measure", ["atomic", "csv", "schema", "dataset", "dataset-format", "dataset-cells", "derive", "stats", "metadata", "cpumask", "sockperf"]),
  f("kernels", ["dataset", "report", "set", "transcript", "errors"]),
];
/** Command-line front ends that live beside the code they drive. */
const CLI_FILES = [f("[a-z-]+", ["cli", "costs-cli"]), "^src/index\\.(js|ts)$"];
/** The exercise registry computes reference answers with the experiments: course material above them. */
const COURSE = ["^src/notebook/bank/", f("notebook", ["exercise-bank"])];

const LAYERS = [
  { name: "engine", paths: ["^src/engine/"] },
  { name: "kernel", paths: ["^src/kernel/", "^src/config/", f("calibrate", ["profiles"])] },
  { name: "workloads", paths: ["^src/workloads/"] },
  { name: "observation", paths: ["^src/observe/", "^src/trace/", "^src/sim/", ...DATASETS] },
  { name: "charts", paths: ["^src/charts/", "^src/notebook/"] },
  { name: "experiments", paths: ["^src/experiments/", "^src/calibrate/"] },
  { name: "course", paths: COURSE },
  { name: "measurement", paths: ["^src/measure/", "^src/kernels/"] },
  { name: "cli", paths: ["^src/cli/", ...CLI_FILES] },
];

// A file belongs to the first layer (from the top) whose pattern names it by file, else to the
// layer of its folder: so the file lists above win over the folder patterns.
const FILE_LEVEL = [...DATASETS, ...CLI_FILES, ...COURSE, f("calibrate", ["profiles"])];
const isFolder = (p) => !FILE_LEVEL.includes(p);
function layerPath(layer) {
  return { path: layer.paths, pathNot: layer.paths.every((p) => !isFolder(p)) ? undefined : FILE_LEVEL.filter((p) => !layer.paths.includes(p)) };
}

const upward = [];
LAYERS.forEach((low, i) => {
  const above = LAYERS.slice(i + 1);
  const from = layerPath(low);
  for (const high of above) {
    const to = layerPath(high);
    upward.push({
      name: `no-upward-${low.name}-to-${high.name}`,
      severity: "error",
      comment: `${low.name} is below ${high.name}: it may not import it (docs/design.md, "Layers")`,
      from: Object.fromEntries(Object.entries(from).filter(([, v]) => v !== undefined)),
      to: Object.fromEntries(Object.entries(to).filter(([, v]) => v !== undefined)),
    });
  }
});

module.exports = {
  LAYERS,
  FILE_LEVEL,
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "a runtime import cycle: the modules on it load in an order that depends on who imports first",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "engine-imports-nothing",
      severity: "error",
      comment: "the engine (clock, queue, PRNG) knows nothing of the model or anything above it",
      from: { path: "^src/engine/" },
      to: { path: "^src/", pathNot: "^src/engine/" },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    moduleSystems: ["es6", "cjs"],
  },
};
