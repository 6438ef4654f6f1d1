"""Reads Word documents with python-docx and prints what they hold as JSON:
for each file, its body in document order (paragraphs with their style and
text, tables with their rows: the text of each cell, whether the row repeats
as a header and whether it may split across pages), its page setup, header
and footer, document properties, the field instructions and bookmarks.

Used by tests/build_docx.rs: a reader that shares nothing with yima's writer.
Usage: read_docx.py FILE.docx...
"""

import json
import sys

import docx
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph


def paragraph(p, doc):
    par = Paragraph(p, doc)
    return {"kind": "p", "style": par.style.style_id if par.style is not None else None, "text": par.text}


def table(t, doc):
    tbl = Table(t, doc)
    rows = []
    for tr in t.tr_lst:
        rows.append({
            "header": bool(tr.xpath("./w:trPr/w:tblHeader")),
            "cant_split": bool(tr.xpath("./w:trPr/w:cantSplit")),
            "cells": [_Cell(tc, tbl).text for tc in tr.tc_lst],
        })
    return {"kind": "table", "rows": rows}


def read(path):
    doc = docx.Document(path)
    body = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            body.append(paragraph(child, doc))
        elif child.tag == qn("w:tbl"):
            body.append(table(child, doc))
    mm = lambda length: round(length.mm, 1) if length is not None else None
    sections = [{
        "page_width": mm(s.page_width), "page_height": mm(s.page_height),
        "top": mm(s.top_margin), "bottom": mm(s.bottom_margin),
        "left": mm(s.left_margin), "right": mm(s.right_margin),
        "orientation": int(s.orientation),
        "different_first_page": s.different_first_page_header_footer,
        "header": "\n".join(p.text for p in s.header.paragraphs),
        "footer": "\n".join(p.text for p in s.footer.paragraphs),
        "footer_fields": [i.text.strip() for i in s.footer._element.xpath(".//w:instrText")],
    } for s in doc.sections]
    cp = doc.core_properties
    return {
        "body": body,
        "sections": sections,
        "core": {"title": cp.title, "subject": cp.subject, "keywords": cp.keywords,
                 "created": cp.created.isoformat() if cp.created else None},
        "fields": [i.text.strip() for i in doc.element.body.xpath(".//w:instrText")],
        "simple_fields": len(doc.element.body.xpath(".//w:fldSimple")),
        "bookmarks": [b.get(qn("w:name")) for b in doc.element.body.xpath(".//w:bookmarkStart")],
        "styles": sorted(s.style_id for s in doc.styles if s.style_id),
        "default_font": doc.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:rFonts/@w:eastAsia"),
        "fonts": {s.style_id: s.element.xpath("./w:rPr/w:rFonts/@w:eastAsia") for s in doc.styles
                  if s.style_id in ("Heading1", "Heading2", "BodyText", "TableText")},
    }


if __name__ == "__main__":
    json.dump({p: read(p) for p in sys.argv[1:]}, sys.stdout, ensure_ascii=False)
