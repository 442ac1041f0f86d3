"""Tools the companion can call: typed async functions with a description and a policy."""
