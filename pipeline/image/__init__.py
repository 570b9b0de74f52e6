"""Image backends: the contract every panel renderer meets, and the default offline sketch renderer."""

from pipeline.image.base import DrawnPanel, ImageBackend, PanelRequest

__all__ = ["DrawnPanel", "ImageBackend", "PanelRequest"]
