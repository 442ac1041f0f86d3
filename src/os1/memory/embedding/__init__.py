"""Embedders (texts to unit vectors) and the passes that embed a turn or waiting memories."""
