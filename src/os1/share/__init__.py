"""Sharing the user's world: the act of showing os1 something, which composes the senses (posts
read, images seen, music heard), os1's words about it, and the moment it keeps."""
