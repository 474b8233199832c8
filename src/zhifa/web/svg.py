"""What the server-drawn SVG pictures share (the procedure chart, the annual report's charts): the font stack, a
text width estimate without a font, numbers as SVG coordinates."""

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def text_width(text: str, size: float) -> float:
    """A fair estimate without a font: a CJK (or other wide) character is one em wide, other characters about
    0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def coord(v: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros: 12, 12.5."""
    return f"{v:.1f}".rstrip("0").rstrip(".")
