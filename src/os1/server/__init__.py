"""The multi-user server (``os1 serve``): the web app and its API over one async core."""
