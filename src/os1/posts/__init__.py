"""Posts: the pages and posts the user shares (Markdown with front matter, or HTML), read into
a ``Post``."""
