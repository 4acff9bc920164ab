"""The CJK font of the bulletins, from a Python package (style.md: never a system font).

`mplfonts` ships Noto Sans CJK SC (SIL OFL 1.1) as OpenType with CFF outlines. matplotlib
draws it as is; reportlab embeds TrueType outlines only, so for each PDF the font is subset to
the characters the document uses and its cubic outlines are converted to quadratic ones
(fontTools cu2qu, error ≤ 1 unit of 1000) — a few hundred glyphs, embedded in the file.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import mplfonts
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FONT_FILE = "NotoSansCJKsc-Regular.otf"
_ZERO_MAXP = (
    "maxTwilightPoints",
    "maxStorage",
    "maxFunctionDefs",
    "maxInstructionDefs",
    "maxStackElements",
    "maxSizeOfInstructions",
    "maxComponentElements",
)


def font_path() -> Path:
    path = Path(mplfonts.__file__).resolve().parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise RuntimeError(f"CJK font missing from the mplfonts package: {path}")
    return path


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    return font_path().read_bytes()


def _subset(text: str) -> TTFont:
    font = TTFont(io.BytesIO(_font_bytes()))
    opts = subset.Options()
    opts.desubroutinize = True  # plain charstrings: each glyph draws on its own
    opts.layout_features = []
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    sub.subset(font)
    return font


def _to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines by quadratic `glyf` ones (in place)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        if hasattr(glyph, "xMin"):  # TrueType wants lsb == xMin
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion, maxp.maxZones = 0x00010000, 1
    for attr in _ZERO_MAXP:
        setattr(maxp, attr, 0)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\0\1\0\0"


def truetype_subset(text: str) -> bytes:
    """A TrueType font with the glyphs of `text` (and ASCII), for reportlab to embed."""
    ascii_text = "".join(chr(c) for c in range(0x20, 0x7F))
    font = _subset(text + ascii_text)
    _to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
