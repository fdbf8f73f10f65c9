"""Frames to landmarks to foot signals: video I/O, pose estimation, foot signals and overlays.

Nothing here knows about exercises; `routines` builds on it.
"""
