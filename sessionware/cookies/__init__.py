"""Cookie codecs: turning session data into cookie text and back, knowing nothing of sessions.

``tagged`` (Flask's tagged JSON), ``_signing`` (itsdangerous' timed signatures),
``_sealing`` (AES-GCM under a key ring), ``_compression`` (bounded zlib), ``_chunks``
(one value across numbered cookies), ``_header`` (finding the cookie in a request and
writing ``Set-Cookie`` and ``Vary``) and ``_ringsign`` (signers from a key ring). They
take a :class:`~sessionware.SessionConfig` and plain values; no module here imports
an interface, a session or a store.
"""

from .tagged import TaggedJSONSerializer as TaggedJSONSerializer

__all__ = ["TaggedJSONSerializer"]
