"""Build the binary test documents (DOCX, PDF) from text, so no binary is committed."""

import io


def build_docx(paragraphs) -> bytes:
    """``paragraphs``: (style, text) pairs; text may hold ``^n^`` for a superscript run."""
    import re

    import docx

    document = docx.Document()
    for style, text in paragraphs:
        paragraph = document.add_paragraph(style=style)
        for piece in re.split(r"(\^[^^]+\^)", text):
            if piece.startswith("^") and piece.endswith("^") and len(piece) > 2:
                paragraph.add_run(piece[1:-1]).font.superscript = True
            elif piece:
                paragraph.add_run(piece)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_pdf(lines) -> bytes:
    """A one-page PDF whose text layer holds ``lines``, one per line: Helvetica 9 pt, or
    for a ``(size, bold, text)`` tuple that size, in Helvetica-Bold when ``bold``; a list
    is one line's runs, each text at 9 pt or ``(text, size, rise)`` (a superscript)."""
    return build_pdf_pages([lines])


def build_pdf_pages(pages) -> bytes:
    """``build_pdf`` of several pages, each a list of lines written from the page's top."""
    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    def stream(lines):
        commands = ["BT", "/F1 9 Tf", "11 TL", "40 800 Td"]
        for line in lines:
            if isinstance(line, list):  # runs of one line: text at 9 pt, or (text, size, rise)
                for run in line:
                    text, size, rise = run if isinstance(run, tuple) else (run, 9, 0)
                    commands.append(f"/F1 {size} Tf {rise} Ts ({escape(text)}) Tj")
                commands.append("/F1 9 Tf 0 Ts 11 TL T*")
                continue
            size, bold, text = line if isinstance(line, tuple) else (9, False, line)
            font = "/F2" if bold else "/F1"
            commands.append(f"{font} {size} Tf {round(size * 11 / 9, 1)} TL ({escape(text)}) Tj T*")
        commands.append("ET")
        return "\n".join(commands).encode("latin-1")

    count = len(pages)
    kids = " ".join(f"{5 + 2 * n} 0 R" for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    for n, lines in enumerate(pages):
        content = stream(lines)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents "
                       f"{6 + 2 * n} 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>"
                       .encode())
        objects.append(b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content
                       + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def build_docx_with_notes(paragraphs, footnotes, endnotes=()) -> bytes:
    """``build_docx`` whose text may hold ``{fn:N}`` / ``{en:N}``: a reference to Word's
    footnote or endnote N, whose text is ``footnotes[N - 1]`` / ``endnotes[N - 1]`` (python-docx
    writes no notes: the parts are added to the package as Word lays them out)."""
    import re
    import zipfile
    from xml.sax.saxutils import escape as xml_escape

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    kinds = {"fn": ("footnote", footnotes), "en": ("endnote", endnotes)}

    def part(kind, texts):
        separators = "".join(
            f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:{s}/></w:r></w:p></w:{kind}>'
            for i, t, s in ((-1, "separator", "separator"),
                            (0, "continuationSeparator", "continuationSeparator")))
        notes = "".join(
            f'<w:{kind} w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {xml_escape(text)}</w:t></w:r>'
            f'</w:p></w:{kind}>' for n, text in enumerate(texts, 1))
        return f'<?xml version="1.0" encoding="UTF-8"?><w:{kind}s {w}>{separators}{notes}</w:{kind}s>'

    def reference(match):
        kind = kinds[match.group(1)][0]
        return (f'</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:{kind}Reference w:id="{match.group(2)}"/></w:r><w:r><w:t xml:space="preserve">')

    source = zipfile.ZipFile(io.BytesIO(build_docx(paragraphs)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in ("word/document.xml", "word/_rels/document.xml.rels",
                                 "[Content_Types].xml"):
                data = data.decode("utf-8")
            if item.filename == "word/document.xml":
                data = re.sub(r"\{(fn|en):(\d+)\}", reference, data.replace("<w:t>", '<w:t xml:space="preserve">'))
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", "".join(
                    f'<Relationship Id="rId{kind}s" Type="http://schemas.openxmlformats.org/'
                    f'officeDocument/2006/relationships/{kind}s" Target="{kind}s.xml"/>'
                    for kind, texts in kinds.values() if texts) + "</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace("</Types>", "".join(
                    f'<Override PartName="/word/{kind}s.xml" ContentType="application/'
                    f'vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"/>'
                    for kind, texts in kinds.values() if texts) + "</Types>")
            package.writestr(item, data)
        for kind, texts in kinds.values():
            if texts:
                package.writestr(f"word/{kind}s.xml", part(kind, texts))
    return out.getvalue()
