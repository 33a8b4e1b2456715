"""Made-up uploads of each format, built in the test run (no binary fixtures in the tree)."""

from __future__ import annotations

import io

HTML = """<html><head><title>Cầu Bạch Đằng 2 khánh thành</title></head><body>
<nav><a href="/">Trang chủ</a> · <a href="/tin">Tin tức</a> · <a href="/lh">Liên hệ</a></nav>
<article><h1>Cầu Bạch Đằng 2 khánh thành</h1>
<p>Sáng nay, cầu Bạch Đằng 2 nối quận 1 với Thủ Đức chính thức khánh thành sau ba năm thi công
với tổng vốn đầu tư 1.200 tỷ đồng, giúp giảm ùn tắc cho cả khu vực phía đông thành phố.</p>
<p>Cầu dài 1.500 mét, có sáu làn xe và hai làn đường dành riêng cho người đi bộ, được thiết kế
để chịu được những trận lũ lớn nhất từng ghi nhận trên sông Sài Gòn trong năm mươi năm qua.</p>
</article><footer>Bản quyền thuộc về báo. Ghi rõ nguồn khi phát hành lại.</footer></body></html>
"""


def word_file(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_file(blocks: list[list[str]]) -> bytes:
    """A one-page PDF, each block a paragraph printed over several lines (ASCII text: the
    standard Helvetica font), blocks far apart."""
    commands, y = [], 760
    for block in blocks:
        for line in block:
            commands.append(f"BT /F1 11 Tf 72 {y} Td ({line}) Tj ET")
            y -= 14
        y -= 40
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
