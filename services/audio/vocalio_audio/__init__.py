"""Audio helpers shared at run time by the API (voice analysis, speech encoding) and the worker.

Not a contract package (that is `vocalio_shared`): numpy code both services run on audio.
"""
