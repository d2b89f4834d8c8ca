"""How a client verifies the server it calls across hosts: one CA bundle for HTTPS and `rediss://`.

Unset, the usual trust applies (httpx: certifi's public roots; Redis: the system's), which is right
for a public certificate (the proxy's ACME one for a domain). Set, only the certificates in the
bundle are trusted: the services host's Caddy local CA (`root.crt`, copied to the models host), or a
company CA. Verification is never switched off: there is no "insecure" setting.
"""

import ssl
from pathlib import Path


def load_ca_bundle(path: Path) -> ssl.SSLContext:
    """A client context trusting only `path`'s certificates (PEM); raises ValueError when unusable."""
    try:
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as error:
        # FileNotFoundError, a directory, or a file without a PEM certificate in it
        raise ValueError(f"{path}: not a readable PEM CA bundle ({error})") from error


def http_verify(ca_bundle: Path | None) -> ssl.SSLContext | bool:
    """What httpx's `verify=` takes: True (its default roots) or a context trusting only the bundle."""
    return True if ca_bundle is None else load_ca_bundle(ca_bundle)


def redis_tls_options(redis_url: str, ca_bundle: Path | None) -> dict[str, str]:
    """Extra RedisSettings for a `rediss://` URL: the bundle as its CA; nothing for plain `redis://`."""
    if ca_bundle is None or not redis_url.startswith("rediss://"):
        return {}
    return {"ssl_ca_certs": str(ca_bundle)}
