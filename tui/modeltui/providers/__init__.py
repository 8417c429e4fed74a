"""Reaching models: the catalog and its prices, the litellm gateway (the only litellm importer, with the demo models), what a failure means, health, redaction, token estimates."""
