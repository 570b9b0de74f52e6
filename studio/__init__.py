"""The web edge: settings, service wiring, REST API, Gradio studio and the CLI."""
