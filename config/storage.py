from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; the `import … from "./x.js"` of the maps' JavaScript
    modules are rewritten to the hashed names too, so a new release never mixes old and new
    modules in a browser's cache."""

    support_js_module_import_aggregation = True
