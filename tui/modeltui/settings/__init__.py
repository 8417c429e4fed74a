"""Settings: the config (pydantic, read only), the config file read plainly for first paint, the state file the app writes, paths, the keymap."""
