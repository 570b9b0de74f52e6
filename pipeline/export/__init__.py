"""Exports made from the same timeline as the video: a vertical webtoon PNG, comic pages as PDF, a 剪映 draft."""

from typing import Literal, get_args

from pipeline.export.comic_pdf import export_comic_pdf
from pipeline.export.jianying import export_jianying_draft
from pipeline.export.webtoon import export_webtoon

ExportKind = Literal["webtoon", "pdf", "jianying"]
EXPORT_KINDS: tuple[str, ...] = get_args(ExportKind)

__all__ = ["EXPORT_KINDS", "ExportKind", "export_comic_pdf", "export_jianying_draft", "export_webtoon"]
