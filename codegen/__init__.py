"""cfai-bindings."""
