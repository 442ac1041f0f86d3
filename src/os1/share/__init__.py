"""Sharing the user's world: posts and pages they show os1, photographs and camera frames it
looks at, music it listens to with them, and the piano pieces it composes about those moments."""
