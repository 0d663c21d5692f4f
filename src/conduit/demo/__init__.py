"""Demo content for ``conduit seed``: believable people, articles, comments, favorites, follows."""
