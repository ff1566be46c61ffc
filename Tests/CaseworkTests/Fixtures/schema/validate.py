"""Validates YAML files against the JSON Schemas of docs/schema/ with the jsonschema package.

Usage: validate.py SCHEMA_DIR FILE...

Each file's kind is its top-level key (workflow, form, policy, calendar or scenario). The YAML is read as
yaml-language-server reads it (YAML 1.2's core schema): dates stay strings and only true and false are booleans,
so `on:` is a key. Prints one line a file, `ok FILE` or `invalid FILE: PATH: MESSAGE`; exit status 0 unless the
schemas themselves cannot be read.
"""
import json
import re
import sys

import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.1's timestamps and yes/no/on/off booleans taken out."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rule) for tag, rule in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in Loader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

KINDS = ("workflow", "form", "policy", "calendar", "scenario", "child")


def main(schema_dir, files):
    validators = {}
    for kind in KINDS:
        with open(f"{schema_dir}/{kind}.schema.json", encoding="utf-8") as schema:
            document = json.load(schema)
        jsonschema.Draft202012Validator.check_schema(document)
        validators[kind] = jsonschema.Draft202012Validator(document)
    for path in files:
        with open(path, encoding="utf-8") as file:
            document = yaml.load(file, Loader=Loader)
        kind = next((key for key in KINDS if isinstance(document, dict) and key in document), None)
        if kind is None and isinstance(document, dict) and "scenarios" in document:
            kind = "scenario"
        if kind is None:
            print(f"invalid {path}: no top-level key naming its kind")
            continue
        errors = sorted(validators[kind].iter_errors(document), key=lambda error: list(error.absolute_path))
        if errors:
            where = "/".join(str(part) for part in errors[0].absolute_path) or "(root)"
            print(f"invalid {path}: {where}: {errors[0].message}".replace("\n", " "))
        else:
            print(f"ok {path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
