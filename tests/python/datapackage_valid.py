"""Validates a Frictionless data package and prints the result as JSON:
{"valid": bool, "errors": [[resource, type, note], ...], "rows": {resource: n}}.
Usage: python datapackage_valid.py DIR/datapackage.json"""
import json
import sys

from frictionless import Package, validate

report = validate(sys.argv[1])
errors = []
rows = {}
for task in report.tasks:
    rows[task.name] = task.stats.get("rows")
    for e in task.errors:
        errors.append([task.name, e.type, e.note])
for e in report.errors:
    errors.append(["package", e.type, e.note])
# The schemas name the CSV columns exactly (frictionless checks headers
# against the fields; this says so in the output too).
package = Package(sys.argv[1])
fields = {r.name: [f.name for f in r.schema.fields] for r in package.resources}
print(json.dumps({"valid": report.valid, "errors": errors[:50], "rows": rows, "fields": fields}, ensure_ascii=False))
