"""The pipeline's error tree; translated to HTTP envelopes, gr.Error or Task.error only at the edges."""


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose. Its message is for people (no paths, no tracebacks);
    `detail` carries what only the server log should show (a tool's output, file paths)."""

    def __init__(self, message: str = "", *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class ScriptParseError(PipelineError):
    """The script text cannot be turned into scenes and shots."""


class PlanError(PipelineError):
    """The storyboard options are invalid for this script."""


class DrawError(PipelineError):
    """A panel could not be drawn."""


class VoiceError(PipelineError):
    """A dialogue or narration line could not be voiced."""


class RenderError(PipelineError):
    """ffmpeg could not produce the video."""


class MissingToolError(PipelineError):
    """A required program or font is not installed; the message names how to get it."""
