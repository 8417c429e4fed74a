"""Flows users build on the engine: pipelines of steps with per-step models and checks, A/B runs
of them, and benchmark suites scored per model. Core: no textual, no litellm."""
