"""Model access: configuration, the client with its cache and retries, the embedded server.

The openai and instructor packages are imported only here, and only when a
model is first used, so a rules run never pays for them.
"""
