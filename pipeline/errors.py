"""The pipeline's error tree; translated to HTTP envelopes, gr.Error or Task.error only at the edges."""


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""


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
