"""The server-rendered web application: HTML pages on the same service layer as the JSON API.

``conduit.web.install.install`` mounts it. Nothing is imported here: the Markdown worker
processes import ``conduit.web.markdown`` and must not load the whole application with it.
"""
