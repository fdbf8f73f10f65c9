"""Renders the sample clips in samples/ from the motion catalogue, with exact ground truth.

A development tool behind the `render` extra (torch, anny, moderngl): the app and the tests never import it.
Run `make samples`, or `python -m samples.render [STEM ...]` in an environment with the extra installed.
"""
