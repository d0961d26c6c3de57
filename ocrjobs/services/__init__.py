"""Services: the one API that the CLI, the desktop and the worker all call.

Each function takes a :class:`~ocrjobs.services.context.Context` first and primitives
after it, and returns plain data from :mod:`ocrjobs.domain.model`.
"""
