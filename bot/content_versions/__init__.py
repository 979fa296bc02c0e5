"""Published content: numbered versions of flows/ and locales/ kept in Redis.

Every web node and worker serves the version `content:current` names, so a
text changed on one node reaches the others within seconds and callers never
get different menus by node. See docs/content_versions.md.
"""
