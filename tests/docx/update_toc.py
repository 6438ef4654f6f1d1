"""Opens a Word document in LibreOffice, updates its tables of contents and
fields as Word does when it updates fields, and prints it to PDF.

Used by tests/build_docx.rs to show that a 办事指南汇编's table of contents is
a real TOC field an office suite rebuilds with each guide's page. Runs with
the Python that has LibreOffice's `uno` module (Debian: python3-uno).
Usage: update_toc.py IN.docx OUT.pdf PROFILE_DIR
"""

import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main(src, out, profile):
    pipe = "yima_toc_%d" % os.getpid()
    office = subprocess.Popen([
        "soffice", "-env:UserInstallation=" + uno.systemPathToFileUrl(os.path.abspath(profile)),
        "--headless", "--invisible", "--norestore", "--accept=pipe,name=%s;urp;" % pipe,
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            sys.exit("LibreOffice did not answer")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (prop("Hidden", True),))
        indexes = doc.getDocumentIndexes()
        for i in range(indexes.getCount()):
            indexes.getByIndex(i).update()
        doc.getTextFields().refresh()
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(out)),
                       (prop("FilterName", "writer_pdf_Export"),))
        print(indexes.getCount())
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge closes as LibreOffice quits
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


if __name__ == "__main__":
    main(*sys.argv[1:4])
