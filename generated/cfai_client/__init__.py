"""A client library for accessing Cloudflare AI models (cfai-bindings)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
