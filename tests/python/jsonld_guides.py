"""Reads the JSON-LD of every guide page given, expands it with PyLD (the
schema.org context served from here: tests run without network) and prints
per page what it names, as JSON lines:
{"page": path, "types": [...], "name": ..., "identifiers": [...], "provider": ...,
 "area": ..., "channels": [...], "text": visible text of the page}.
Usage: python jsonld_guides.py GUIDE.html..."""
import html
import json
import re
import sys

from pyld import jsonld

SCHEMA = "http://schema.org/"


def loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url,
                "document": {"@context": {"@vocab": SCHEMA}}}
    raise RuntimeError("no network in tests: " + url)


def values(node, prop):
    return node.get(SCHEMA + prop, [])


def first(node, prop):
    v = values(node, prop)
    return v[0].get("@value") if v and "@value" in v[0] else None


for path in sys.argv[1:]:
    page = open(path, encoding="utf-8").read()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    doc = json.loads(blocks[0]) if len(blocks) == 1 else None
    expanded = jsonld.expand(doc, {"documentLoader": loader}) if doc else []
    node = expanded[0] if expanded else {}
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    print(json.dumps({
        "page": path,
        "blocks": len(blocks),
        "types": node.get("@type", []),
        "name": first(node, "name"),
        "service_type": first(node, "serviceType"),
        "identifiers": [first(i, "value") for i in values(node, "identifier")],
        "provider": [first(p, "name") for p in values(node, "provider")],
        "provider_id": [first(i, "value") for p in values(node, "provider") for i in values(p, "identifier")],
        "area": [first(a, "identifier") for a in values(node, "areaServed")],
        "audience": [first(a, "audienceType") for a in values(node, "audience")],
        "channels": [first(c, "name") for c in values(node, "availableChannel")],
        "places": [first(p, "address") for c in values(node, "availableChannel") for p in values(c, "serviceLocation")],
        "phones": [first(p, "telephone") for c in values(node, "availableChannel") for p in values(c, "servicePhone")],
        "urls": [first(c, "serviceUrl") for c in values(node, "availableChannel") if values(c, "serviceUrl")],
        "output": [first(o, "name") for o in values(node, "serviceOutput")],
        "text": " ".join(text.split()),
    }, ensure_ascii=False))
