# closed(schema): the schema with every object that names its keys closed
# (additionalProperties: false), but those that only constrain (inside
# if/then/else/not/contains). kfrag's schemas are open for their consumers
# (a newer minor version's keys validate); kfrag's own documents must carry
# no key the schema does not describe, so its tests validate with this.
CONSTRAINTS = ("if", "then", "else", "not", "contains")


def closed(node, constraint=False):
    if isinstance(node, list):
        return [closed(x, constraint) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: closed(v, constraint or k in CONSTRAINTS) for k, v in node.items()}
    if not constraint and ("properties" in node or "patternProperties" in node) and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


def closed_objects(node, path="#"):
    """Where the schema closes an object (the contract forbids it)."""
    if isinstance(node, list):
        for i, x in enumerate(node):
            yield from closed_objects(x, "%s/%d" % (path, i))
    elif isinstance(node, dict):
        if node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False:
            yield "%s is closed (additionalProperties: false): a newer minor version's keys would be rejected" % path
        for k, v in node.items():
            yield from closed_objects(v, path + "/" + k)
