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
    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

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
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
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
