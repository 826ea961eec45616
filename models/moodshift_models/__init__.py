"""moodshift's model tooling: export tools from local diffusers/transformers folders to the ONNX files the
TypeScript renderer and planner read (layout: models/manifest.json), and tiny random models for the reference
tests. Nothing here touches the network: every model is read from a local folder."""

__version__ = "0.1.0"
