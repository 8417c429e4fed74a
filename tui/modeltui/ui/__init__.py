"""Textual UI. Renders and posts messages; all logic lives in the engine."""
