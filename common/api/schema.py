"""Touches to the generated OpenAPI document that say rules enforced everywhere."""


def query_strings_are_not_empty(result, generator, request, public):
    """An empty query parameter is refused (common.api.query): say it with minLength 1 on
    every string parameter, and in the document's description."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
    return result
